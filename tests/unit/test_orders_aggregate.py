"""The Order aggregate: placing, ledgers, cancelling, payments, statuses and events."""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderkit.errors import (
    CurrencyMismatch,
    InvalidQuantity,
    InvalidTransition,
    OrderkitError,
    ValidationError,
)
from orderkit.ids import CustomerId, LineId, OrderId, Sku
from orderkit.money import Money
from orderkit.orders import (
    CancelledLine,
    CustomerRef,
    FulfillmentStatus,
    LineQuantity,
    Order,
    OrderCancelled,
    OrderDelivered,
    OrderFulfilled,
    OrderItemsAllocated,
    OrderItemsCancelled,
    OrderLine,
    OrderPlaced,
    PaymentKind,
    PaymentRecorded,
    PaymentStatus,
    QuantityLedger,
)
from orderkit.testing.strategies import orders

AT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
LATER = AT + dt.timedelta(hours=1)
L1, L2 = LineId("l1"), LineId("l2")


def _lines(currency: str = "EUR") -> list[OrderLine]:
    return [
        OrderLine(L1, Sku("MUG"), 3, Money.of("10", currency)),
        OrderLine(L2, Sku("CUP"), 1, Money.of("5", currency), tax_category="reduced"),
    ]


def _order(**kwargs: object) -> Order:
    fields: dict[str, object] = {
        "id": OrderId("o-1"),
        "customer": CustomerRef(CustomerId("c-1"), "buyer@example.com"),
        "currency": "EUR",
        "lines": _lines(),
        "at": AT,
    }
    fields.update(kwargs)
    return Order.place(**fields)  # type: ignore[arg-type]


def _fs(order: Order) -> FulfillmentStatus:
    # A call, so mypy does not narrow the property between commands.
    return order.fulfillment_status


def _ps(order: Order) -> PaymentStatus:
    return order.payment_status


# -- placing --------------------------------------------------------------------


def test_place_records_order_placed_with_what_a_subscriber_needs() -> None:
    order = _order()
    assert order.status == "placed"
    assert order.status.value == "placed"
    assert order.placed_at == AT
    assert order.total == Money.of("35", "EUR")
    assert order.version == 0
    (event,) = order.pull_events()
    assert isinstance(event, OrderPlaced)
    assert event.aggregate_type == "order"
    assert event.aggregate_key == "o-1"
    assert event.total == Money.of("35", "EUR")
    assert [(line.sku, line.quantity, line.tax_category) for line in event.lines] == [
        ("MUG", 3, "standard"),
        ("CUP", 1, "reduced"),
    ]
    assert order.pending_events == ()


def test_a_priced_total_is_kept() -> None:
    assert _order(total=Money.of("31.50", "EUR")).total == Money.of("31.50", "EUR")


def test_a_draft_gets_its_placed_at_when_placed() -> None:
    draft = Order.draft(
        id=OrderId("o-2"),
        customer=CustomerRef(CustomerId("c-1"), "buyer@example.com"),
        currency="EUR",
        lines=_lines(),
        at=AT,
    )
    assert draft.status == "draft"
    assert list(draft.pending_events) == []
    draft.fire("place", at=LATER)
    assert draft.placed_at == LATER
    assert isinstance(draft.pending_events[0], OrderPlaced)


@pytest.mark.parametrize(
    ("kwargs", "error", "text"),
    [
        ({"lines": []}, ValidationError, "at least one line"),
        ({"lines": [*_lines(), _lines()[0]]}, ValidationError, "'l1' is used twice"),
        ({"lines": _lines("USD")}, CurrencyMismatch, "EUR and USD"),
        ({"total": Money.of("5", "USD")}, CurrencyMismatch, "EUR and USD"),
        ({"total": Money.of("-5", "EUR")}, ValidationError, "must not be negative"),
        ({"at": dt.datetime(2026, 3, 2)}, ValidationError, "timezone-aware"),
        ({"currency": "XYZ"}, ValidationError, "XYZ"),
        ({"id": " "}, ValidationError, "blank"),
        (
            {
                "lines": [
                    OrderLine(L1, Sku("MUG"), 2, Money.of("1", "EUR"), ledger=QuantityLedger(2, 1))
                ]
            },
            ValidationError,
            "empty ledger",
        ),
    ],
)
def test_place_refuses_bad_input(
    kwargs: dict[str, object], error: type[Exception], text: str
) -> None:
    with pytest.raises(error, match=text):
        _order(**kwargs)


# -- ledgers and fulfilment ---------------------------------------------------------


def test_ledger_moves_and_derived_fulfillment_status() -> None:
    order = _order()
    order.confirm(at=AT)
    assert _fs(order) is FulfillmentStatus.UNFULFILLED
    order.allocate({L1: 2}, at=AT)
    assert order.status == "in_fulfillment"  # the first allocation starts fulfilment
    assert _fs(order) is FulfillmentStatus.PARTIALLY_ALLOCATED
    order.allocate({L1: 1, L2: 1}, at=AT)
    assert _fs(order) is FulfillmentStatus.ALLOCATED
    order.ship({L1: 3}, at=AT)
    assert _fs(order) is FulfillmentStatus.PARTIALLY_SHIPPED
    assert order.status == "in_fulfillment"
    order.ship({L2: 1}, at=AT)
    assert order.status == "fulfilled"
    assert _fs(order) is FulfillmentStatus.SHIPPED
    order.deliver({L1: 3}, at=AT)
    assert _fs(order) is FulfillmentStatus.PARTIALLY_DELIVERED
    order.deliver({L2: 1}, at=AT)
    assert _fs(order) is FulfillmentStatus.DELIVERED
    order.return_items({L2: 1}, at=AT)
    assert _fs(order) is FulfillmentStatus.PARTIALLY_RETURNED
    order.return_items({L1: 3}, at=AT)
    assert _fs(order) is FulfillmentStatus.RETURNED
    order.complete(at=AT)
    kinds = [type(event).__name__ for event in order.pull_events()]
    assert kinds.count("OrderFulfilled") == 1
    assert kinds.count("OrderDelivered") == 1
    assert kinds[-1] == "OrderCompleted"
    line = order.line(L1)
    assert (line.allocated, line.shipped, line.delivered, line.returned) == (3, 3, 3, 3)


@pytest.mark.parametrize(
    ("command", "quantities", "text"),
    [
        ("allocate", {L1: 4}, "line l1 \\(MUG\\): cannot allocate 4: only 3"),
        ("ship", {L1: 1}, "cannot ship 1: only 0 allocated"),
        ("deliver", {L1: 1}, "cannot deliver 1: only 0 shipped"),
        ("return_items", {L1: 1}, "cannot return 1: only 0 delivered"),
        ("deallocate", {L1: 1}, "cannot deallocate 1"),
        ("allocate", {L1: 0}, "must be > 0"),
        ("allocate", {}, "non-empty mapping"),
        ("allocate", {LineId("l9"): 1}, "no line 'l9'"),
    ],
)
def test_impossible_ledger_moves_are_refused(
    command: str, quantities: dict[LineId, int], text: str
) -> None:
    order = _order()
    order.confirm(at=AT)
    before = copy.deepcopy(order)
    with pytest.raises(ValidationError, match=text):
        getattr(order, command)(quantities, at=AT)
    assert order == before


def test_a_multi_line_move_is_all_or_nothing() -> None:
    order = _order()
    order.confirm(at=AT)
    before = copy.deepcopy(order)
    with pytest.raises(InvalidQuantity, match="line l2"):
        order.allocate({L1: 2, L2: 2}, at=AT)
    assert order == before


def test_stock_moves_need_a_fulfillable_state() -> None:
    order = _order()
    with pytest.raises(InvalidTransition, match="allocate is only possible in states confirmed"):
        order.allocate({L1: 1}, at=AT)
    order.confirm(at=AT)
    order.hold(at=AT)
    with pytest.raises(InvalidTransition) as info:
        order.allocate({L1: 1}, at=AT)
    assert info.value.state == "on_hold"
    assert info.value.allowed == ("release",)


# -- cancelling -----------------------------------------------------------------


def test_cancel_with_a_shipped_unit_is_refused_and_changes_nothing() -> None:
    order = _order()
    order.confirm(at=AT)
    order.allocate({L1: 2}, at=AT)
    order.ship({L1: 1}, at=AT)
    before = copy.deepcopy(order)
    with pytest.raises(InvalidTransition, match="already shipped \\(MUG × 1\\)") as info:
        order.cancel(at=AT)
    assert info.value.state == "in_fulfillment"
    assert info.value.event == "cancel"
    assert order == before


def test_cancel_with_allocations_releases_them() -> None:
    order = _order()
    order.confirm(at=AT)
    order.allocate({L1: 2}, at=AT)
    order.pull_events()
    order.cancel(at=LATER, actor="support", reason="customer asked")
    assert order.status == "cancelled"
    assert [line.cancelled for line in order.lines] == [3, 1]
    assert [line.allocated for line in order.lines] == [0, 0]
    (event,) = order.pull_events()
    assert event == OrderCancelled(
        order_id=OrderId("o-1"),
        at=LATER,
        lines=(CancelledLine(L1, Sku("MUG"), 3, 2), CancelledLine(L2, Sku("CUP"), 1, 0)),
        actor="support",
        reason="customer asked",
    )
    with pytest.raises(InvalidTransition, match="allowed: none"):
        order.confirm(at=LATER)


def test_cancel_items_cancels_unallocated_first_and_may_fulfil() -> None:
    order = _order()
    order.confirm(at=AT)
    order.allocate({L1: 2, L2: 1}, at=AT)
    order.ship({L2: 1}, at=AT)
    order.ship({L1: 2}, at=AT)
    order.pull_events()
    order.cancel_items({L1: 1}, at=LATER, reason="out of stock")
    events = order.pull_events()
    assert isinstance(events[0], OrderItemsCancelled)
    assert events[0].lines == (CancelledLine(L1, Sku("MUG"), 1, 0),)
    assert isinstance(events[-1], OrderFulfilled)
    assert order.status == "fulfilled"


def test_cancel_items_refuses_cancelling_everything() -> None:
    order = _order()
    with pytest.raises(InvalidQuantity, match="cancel the order"):
        order.cancel_items({L1: 3, L2: 1}, at=AT)
    order.cancel_items({L1: 3}, at=AT)
    assert order.line(L1).cancelled == 3


# -- payments -------------------------------------------------------------------


def test_payment_statuses_and_caps() -> None:
    order = _order()
    eur = Money.of
    assert _ps(order) is PaymentStatus.UNPAID
    order.record_payment(PaymentKind.AUTHORIZATION, eur("35", "EUR"), at=AT)
    assert _ps(order) is PaymentStatus.AUTHORIZED
    order.record_payment("capture", eur("20", "EUR"), at=AT, reference="psp-1")
    assert _ps(order) is PaymentStatus.PARTIALLY_PAID
    with pytest.raises(ValidationError, match="would exceed the order total"):
        order.record_payment("capture", eur("15.01", "EUR"), at=AT)
    order.record_payment("capture", eur("15", "EUR"), at=AT)
    assert _ps(order) is PaymentStatus.PAID
    with pytest.raises(ValidationError, match="would exceed what was captured"):
        order.record_payment("refund", eur("35.01", "EUR"), at=AT)
    order.record_payment("refund", eur("5", "EUR"), at=AT)
    assert _ps(order) is PaymentStatus.PARTIALLY_REFUNDED
    order.record_payment("refund", eur("30", "EUR"), at=AT)
    assert _ps(order) is PaymentStatus.REFUNDED
    assert (order.authorized, order.captured, order.refunded) == (
        eur("35", "EUR"),
        eur("35", "EUR"),
        eur("35", "EUR"),
    )
    recorded = [e for e in order.pending_events if isinstance(e, PaymentRecorded)]
    assert [e.payment_status for e in recorded][-1] is PaymentStatus.REFUNDED
    assert recorded[1].reference == "psp-1"


@pytest.mark.parametrize(
    ("kind", "amount", "error", "text"),
    [
        ("tip", Money.of("1", "EUR"), ValidationError, "unknown payment kind 'tip'"),
        ("capture", Money.of("0", "EUR"), ValidationError, "must be > 0"),
        ("capture", Money.of("-1", "EUR"), ValidationError, "must be > 0"),
        ("capture", Money.of("1.001", "EUR"), ValidationError, "whole number of minor units"),
        ("capture", Money.of("1", "USD"), CurrencyMismatch, "EUR and USD"),
        ("refund", Money.of("1", "EUR"), ValidationError, "what was captured"),
    ],
)
def test_bad_payments_are_refused(
    kind: str, amount: Money, error: type[Exception], text: str
) -> None:
    order = _order()
    before = copy.deepcopy(order)
    with pytest.raises(error, match=text):
        order.record_payment(kind, amount, at=AT)
    assert order == before


# -- properties -----------------------------------------------------------------

_COMMANDS = ("allocate", "deallocate", "ship", "deliver", "return_items", "cancel_items")


@given(orders(progressed=True, max_lines=3), st.data())
def test_any_refused_command_changes_nothing(order: Order, data: st.DataObject) -> None:
    before = copy.deepcopy(order)
    choice = data.draw(st.sampled_from(["fire", "pay", *_COMMANDS]))
    try:
        if choice == "fire":
            order.fire(
                data.draw(
                    st.sampled_from(
                        ["confirm", "cancel", "hold", "release", "complete", "place", "bogus"]
                    )
                ),
                at=LATER,
            )
        elif choice == "pay":
            units = data.draw(st.integers(-5, order.total.minor_units + 5))
            kind = data.draw(st.sampled_from(PaymentKind))
            order.record_payment(kind, Money.from_minor_units(units, order.currency), at=LATER)
        else:
            ids = [line.line_id for line in order.lines]
            quantities = data.draw(st.dictionaries(st.sampled_from(ids), st.integers(-1, 12)))
            getattr(order, choice)(quantities, at=LATER)
    except OrderkitError:
        assert order == before
        assert order.history == before.history
        assert order.pending_events == before.pending_events
    else:
        assert len(order.pending_events) > len(before.pending_events)


@given(orders(progressed=True, max_lines=3))
def test_derived_statuses_follow_the_ledgers(order: Order) -> None:
    open_units = sum(line.ordered - line.cancelled for line in order.lines)
    shipped = sum(line.shipped for line in order.lines)
    status = order.fulfillment_status
    if 0 < open_units == shipped and not any(line.delivered for line in order.lines):
        assert status is FulfillmentStatus.SHIPPED
    if not any(line.allocated for line in order.lines):
        assert status is FulfillmentStatus.UNFULFILLED
    if order.status in ("fulfilled", "completed"):
        assert shipped == open_units
    assert order.captured <= order.total
    assert order.refunded <= order.captured


@given(orders(progressed=True, max_lines=2))
def test_events_are_recorded_in_order_and_pulled_once(order: Order) -> None:
    pending = order.pending_events
    assert isinstance(pending[0], OrderPlaced)
    times = [event.at for event in pending]  # type: ignore[attr-defined]
    assert times == sorted(times)
    assert order.pull_events() == list(pending)
    assert order.pull_events() == []


def test_delivered_event_fires_once_all_open_units_arrive() -> None:
    order = _order()
    order.confirm(at=AT)
    order.allocate({L1: 3, L2: 1}, at=AT)
    order.ship({L1: 3, L2: 1}, at=AT)
    order.deliver({L1: 3}, at=AT)
    assert not any(isinstance(e, OrderDelivered) for e in order.pending_events)
    order.deliver({L2: 1}, at=AT)
    assert isinstance(order.pending_events[-1], OrderDelivered)
    allocated = [e for e in order.pending_events if isinstance(e, OrderItemsAllocated)]
    assert allocated[0].lines == (LineQuantity(L1, Sku("MUG"), 3), LineQuantity(L2, Sku("CUP"), 1))


_JUNK = st.one_of(
    st.none(),
    st.integers(),
    st.text(max_size=5),
    st.booleans(),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=3), st.integers(), max_size=2),
    st.just(AT.replace(tzinfo=None)),
)


@given(
    st.sampled_from(["fire", "allocate", "ship", "cancel_items", "record_payment", "hold"]),
    st.lists(_JUNK, min_size=3, max_size=3),
)
def test_junk_arguments_raise_only_orderkit_errors(command: str, junk: list[object]) -> None:
    order = _order()
    order.confirm(at=AT)
    before = copy.deepcopy(order)
    calls: dict[str, Callable[[], object]] = {
        "fire": lambda: order.fire(junk[0], at=AT, actor=junk[1], context=junk[2]),  # type: ignore[arg-type]
        "allocate": lambda: order.allocate(junk[0], at=junk[1]),  # type: ignore[arg-type]
        "ship": lambda: order.ship({L1: junk[0]}, at=AT, lifecycle=junk[1]),  # type: ignore[arg-type]
        "cancel_items": lambda: order.cancel_items({L1: 1}, at=AT, reason=junk[0]),  # type: ignore[arg-type]
        "record_payment": lambda: order.record_payment(junk[0], junk[1], at=AT, reference=junk[2]),  # type: ignore[arg-type]
        "hold": lambda: order.hold(at=junk[0], actor=junk[1]),  # type: ignore[arg-type]
    }
    try:
        calls[command]()
    except OrderkitError:
        assert order == before
