"""``SkuStock``'s state check (every loaded record runs it) refuses exactly what it refused.

The check now skips calls for exact ints above their bound and formats a value's path
only for the check that refuses it. The reference below is the check as it was; on
drawn stocks, sound or corrupted field by field, both accept or both raise the same.
So for the aware-datetime and quantity checks, which now answer a UTC datetime and
an int above zero without further calls.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from orderkit.errors import InvalidQuantity, OrderkitError, ValidationError
from orderkit.ids import LocationId
from orderkit.inventory import SkuStock
from orderkit.inventory._values import _check_aware, _check_text, check_quantity
from orderkit.testing.strategies import sku_stocks


def _reference_check(stock: Any) -> None:
    """The state check before this change, verbatim but for ``self``."""
    for location, qty in stock._on_hand.items():
        _check_text(location, "on_hand")
        check_quantity(qty, f"on_hand[{location}]")
    allocated: dict[LocationId, int] = {}
    for order, per_location in stock._allocations.items():
        for location, qty in per_location.items():
            check_quantity(qty, f"allocations[{order}][{location}]")
            allocated[location] = allocated.get(location, 0) + qty
    for location in stock.locations:
        if allocated.get(location, 0) > stock.on_hand(location):
            raise ValidationError(
                f"sku {stock.sku}: allocated {allocated[location]} exceeds on hand "
                f"{stock.on_hand(location)} at {location}",
                path=f"allocations.{location}",
            )
    for reference, batch in stock._batches.items():
        if batch.reference != reference:
            raise ValidationError(f"batch stored under {reference!r}", path="batches")
    for order, per_batch in stock._batch_allocations.items():
        for reference, qty in per_batch.items():
            check_quantity(qty, f"batch_allocations[{order}][{reference}]")
            if reference not in stock._batches:
                raise ValidationError(
                    f"allocation of {order!r} against unknown batch {reference!r}",
                    path="batch_allocations",
                )
    for reference in stock._batches:
        if stock.batch_available(reference) < 0:
            raise ValidationError(f"batch {reference!r} over-allocated", path="batches")
    for reference, hold in stock._reservations.items():
        if hold.reference != reference:
            raise ValidationError(f"reservation stored under {reference!r}", path="reservations")
    for order, qty in stock._backorders.items():
        check_quantity(qty, f"backorders[{order}]")
    if stock.backordered() > stock.backorder.limit:
        raise ValidationError(
            f"sku {stock.sku}: {stock.backordered()} backordered exceeds the limit "
            f"{stock.backorder.limit}",
            path="backorders",
        )
    for name in ("received", "shipped", "written_off"):
        check_quantity(getattr(stock, f"_{name}"), name, allow_zero=True)
    if stock._received != stock.on_hand() + stock._shipped + stock._written_off:
        raise ValidationError(
            f"sku {stock.sku}: received {stock._received} != on hand {stock.on_hand()} + "
            f"shipped {stock._shipped} + written off {stock._written_off}",
            path="received",
        )


_BAD_NUMBERS = st.sampled_from([0, -1, True, 1.0, "2", None, 10**6, 1, 3])
_BAD_KEYS = st.sampled_from(["", "  ", 7, None, "NORTH", "X"])


def _corrupt(stock: SkuStock, data: Any) -> None:
    """Change a few stored figures to values a corrupt row could hold."""
    state: Any = stock
    for _ in range(data.draw(st.integers(0, 3))):
        part = data.draw(
            st.sampled_from(
                ["on_hand", "allocations", "batch_allocations", "backorders", "totals", "holds"]
            )
        )
        if part == "on_hand":
            state._on_hand[data.draw(_BAD_KEYS)] = data.draw(_BAD_NUMBERS)
        elif part == "allocations":
            per = state._allocations.setdefault(data.draw(st.sampled_from(["o-1", "o-9"])), {})
            per[data.draw(_BAD_KEYS)] = data.draw(_BAD_NUMBERS)
        elif part == "batch_allocations":
            per = state._batch_allocations.setdefault("o-1", {})
            per[data.draw(st.sampled_from(["PO-0", "PO-1", "nope"]))] = data.draw(_BAD_NUMBERS)
        elif part == "backorders":
            state._backorders[data.draw(st.sampled_from(["o-1", "o-2"]))] = data.draw(_BAD_NUMBERS)
        elif part == "totals":
            name = data.draw(st.sampled_from(["_received", "_shipped", "_written_off"]))
            setattr(state, name, data.draw(_BAD_NUMBERS))
        elif state._reservations:
            key = data.draw(st.sampled_from(sorted(state._reservations)))
            state._reservations["moved-" + key] = state._reservations.pop(key)


def _outcome(check: Any) -> tuple[str, str]:
    try:
        check()
    except (OrderkitError, TypeError, AttributeError) as exc:
        return type(exc).__name__, str(exc)
    return "ok", ""


@settings(max_examples=400, deadline=None)
@given(stock=sku_stocks(), data=st.data())
def test_state_check_refuses_what_it_refused(stock: SkuStock, data: Any) -> None:
    _corrupt(stock, data)
    assert _outcome(stock._check_state) == _outcome(lambda: _reference_check(stock))


def _reference_aware(value: object, what: str) -> None:
    """The aware-datetime check before its UTC shortcut."""
    if not isinstance(value, dt.datetime) or value.utcoffset() is None:
        raise ValidationError(f"must be a datetime with a UTC offset, got {value!r}", path=what)


@settings(max_examples=200, deadline=None)
@given(
    value=st.datetimes()
    | st.datetimes(timezones=st.just(dt.UTC))
    | st.datetimes(timezones=st.timezones())
    | st.dates()
    | st.none()
    | st.text(max_size=3)
)
def test_aware_check_refuses_what_it_refused(value: object) -> None:
    assert _outcome(lambda: _check_aware(value, "at")) == _outcome(
        lambda: _reference_aware(value, "at")
    )


def _reference_quantity(value: object, what: str, *, allow_zero: bool = False) -> int:
    """check_quantity before its shortcut for an int above zero."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidQuantity(f"must be a whole number of units, got {value!r}", path=what)
    if value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise InvalidQuantity(f"must be {bound}, got {value!r}", path=what)
    return value


class _Units(int):
    """An int subclass: not the shortcut's, still a whole number."""


@settings(max_examples=200, deadline=None)
@given(
    value=st.integers(-3, 3)
    | st.integers().map(_Units)
    | st.booleans()
    | st.floats(-2, 2)
    | st.none()
    | st.text(max_size=2),
    allow_zero=st.booleans(),
)
def test_quantity_check_refuses_what_it_refused(value: object, allow_zero: bool) -> None:
    assert _outcome(lambda: check_quantity(value, "q", allow_zero=allow_zero)) == _outcome(
        lambda: _reference_quantity(value, "q", allow_zero=allow_zero)
    )
