"""The lifecycle's fast paths against the slow forms they replace, on drawn values.

- ``Lifecycle.transition`` and the automatic transitions per state come from
  tables built once; they agree with a scan of the declared transitions.
- ``aware()`` answers a ``datetime.timezone`` without ``utcoffset()``; it
  agrees with ``utcoffset()`` on every kind of tzinfo.
- The engine builds ``StatusChange`` and ``TransitionContext`` through drafts
  (orderkit._drafts); those equal, and behave like, the values attrs'
  ``__init__`` builds.
- Ledger moves build their result, and commands the line holding it, through
  drafts too; they equal what ``attrs.evolve`` (which re-validates) builds.
"""

from __future__ import annotations

import datetime as dt
import pickle
import zoneinfo
from collections.abc import Callable

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderkit.errors import InvalidQuantity, ValidationError
from orderkit.orders import (
    Lifecycle,
    OrderLine,
    QuantityLedger,
    StatusChange,
    TransitionContext,
)
from orderkit.orders._engine import aware
from orderkit.orders._lifecycle import new_context
from orderkit.orders._status import new_status_change
from orderkit.orders._values import Attributes, with_ledger
from orderkit.testing.strategies import (
    lifecycles,
    line_attributes,
    order_lines,
    quantity_ledgers,
)


@given(lifecycle=lifecycles(), name=st.text(max_size=12))
def test_the_lookup_tables_agree_with_a_scan_of_the_transitions(
    lifecycle: Lifecycle, name: str
) -> None:
    names = [*(t.event for t in lifecycle.transitions), name]
    for candidate in names:
        scanned = next((t for t in lifecycle.transitions if t.event == candidate), None)
        assert lifecycle.transition(candidate) is scanned
    for state in lifecycle.states:
        expected = tuple(t for t in lifecycle.transitions if t.automatic and state in t.sources)
        assert lifecycle._automatic.get(state, ()) == expected
    assert lifecycle.transition(["not", "hashable"]) is None  # type: ignore[arg-type]


class _NoOffset(dt.tzinfo):
    """A tzinfo that knows no offset: datetimes carrying it are naive."""

    def utcoffset(self, moment: dt.datetime | None) -> dt.timedelta | None:
        return None

    def dst(self, moment: dt.datetime | None) -> dt.timedelta | None:
        return None

    def tzname(self, moment: dt.datetime | None) -> str | None:
        return None


_ZONES = st.sampled_from(
    [
        None,
        dt.UTC,
        dt.timezone(dt.timedelta(hours=-5)),
        zoneinfo.ZoneInfo("Europe/Paris"),
        _NoOffset(),
    ]
)


@given(moment=st.datetimes(timezones=_ZONES))
def test_aware_agrees_with_utcoffset(moment: dt.datetime) -> None:
    if moment.utcoffset() is None:
        with pytest.raises(ValidationError, match="timezone-aware"):
            aware(moment)
    else:
        assert aware(moment) is moment


@given(change=st.from_type(StatusChange), data=line_attributes())
def test_drafted_changes_and_contexts_are_the_values_attrs_builds(
    change: StatusChange, data: Attributes
) -> None:
    args = (change.event, change.source, change.target, change.at, change.actor, change.reason)
    built: list[tuple[StatusChange | TransitionContext, StatusChange | TransitionContext]] = [
        (new_status_change(*args), StatusChange(*args)),
        (new_context(*args, data), TransitionContext(*args, data)),
    ]
    for drafted, made in built:
        assert type(drafted) is type(made)
        assert drafted == made
        assert hash(drafted) == hash(made)
        assert repr(drafted) == repr(made)
        assert pickle.loads(pickle.dumps(drafted)) == made
        assert attrs.asdict(drafted, recurse=False) == attrs.asdict(made, recurse=False)
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            drafted.event = "other"  # type: ignore[misc]


#: Each move and the ledger ``attrs.evolve`` builds for it (the slow path it replaced).
_MOVES: dict[str, Callable[[QuantityLedger, int], QuantityLedger]] = {
    "allocate": lambda ledger, q: attrs.evolve(ledger, allocated=ledger.allocated + q),
    "deallocate": lambda ledger, q: attrs.evolve(ledger, allocated=ledger.allocated - q),
    "ship": lambda ledger, q: attrs.evolve(ledger, shipped=ledger.shipped + q),
    "deliver": lambda ledger, q: attrs.evolve(ledger, delivered=ledger.delivered + q),
    "return_units": lambda ledger, q: attrs.evolve(ledger, returned=ledger.returned + q),
    "cancel": lambda ledger, q: attrs.evolve(
        ledger,
        cancelled=ledger.cancelled + q,
        allocated=ledger.allocated - max(0, q - ledger.unallocated),
    ),
}


@given(
    ledger=quantity_ledgers(),
    move=st.sampled_from(sorted(_MOVES)),
    quantity=st.integers(1, 25),
    line=order_lines(),
)
def test_moved_ledgers_and_lines_are_the_values_attrs_builds(
    ledger: QuantityLedger, move: str, quantity: int, line: OrderLine
) -> None:
    try:
        result = getattr(ledger, move)(quantity)
    except InvalidQuantity:
        with pytest.raises(ValidationError):  # the slow path refuses it too
            _MOVES[move](ledger, quantity)
        return
    moved: QuantityLedger = result[0] if move == "cancel" else result
    expected = _MOVES[move](ledger, quantity)
    assert type(moved) is QuantityLedger
    assert moved == expected
    assert (hash(moved), repr(moved)) == (hash(expected), repr(expected))
    assert pickle.loads(pickle.dumps(moved)) == expected
    # The same move on a line's own ledger: the line with it, as attrs.evolve builds it.
    line = attrs.evolve(line, quantity=ledger.ordered, ledger=ledger)
    drafted = with_ledger(line, moved)
    assert type(drafted) is OrderLine
    assert drafted == attrs.evolve(line, ledger=moved)
    assert repr(drafted) == repr(attrs.evolve(line, ledger=moved))
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        drafted.ledger = ledger  # type: ignore[misc]
