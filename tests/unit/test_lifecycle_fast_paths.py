"""The lifecycle's fast paths against the slow forms they replace, on drawn values.

- ``Lifecycle.transition`` and the automatic transitions per state come from
  tables built once; they agree with a scan of the declared transitions.
- ``aware()`` answers a ``datetime.timezone`` without ``utcoffset()``; it
  agrees with ``utcoffset()`` on every kind of tzinfo.
- The engine builds ``StatusChange`` and ``TransitionContext`` through slotted
  drafts; those equal, and behave like, the values attrs' ``__init__`` builds.
"""

from __future__ import annotations

import datetime as dt
import pickle
import zoneinfo

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderkit.errors import ValidationError
from orderkit.orders import Lifecycle, StatusChange, TransitionContext
from orderkit.orders._engine import aware
from orderkit.orders._lifecycle import new_context
from orderkit.orders._status import new_status_change
from orderkit.orders._values import Attributes
from orderkit.testing.strategies import lifecycles, line_attributes


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


def test_every_field_has_a_slot_in_the_draft() -> None:
    for cls in (StatusChange, TransitionContext):
        (draft,) = cls.__bases__
        assert not vars(cls)["__slots__"]  # attrs reused the draft's slots: one layout
        names = {field.name for field in attrs.fields(cls)}
        assert set(vars(draft)["__slots__"]) == names | {"__weakref__"}
