"""Orders and their values through the shared converter: exact round trips, clear refusals."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orderkit.errors import ValidationError
from orderkit.events import DomainEvent
from orderkit.ids import CustomerId, LineId, OrderId, Sku
from orderkit.money import Money
from orderkit.orders import (
    Address,
    CustomerRef,
    Order,
    OrderLine,
    Payment,
    QuantityLedger,
)
from orderkit.serialization import converter
from orderkit.testing.strategies import (
    addresses,
    order_events,
    order_lines,
    orders,
    payments,
    quantity_ledgers,
)
from orderkit.testing.strategies._orders import ORDER_EVENT_STRATEGIES

AT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _through_json(value: object, kind: type) -> object:
    wire = json.loads(json.dumps(converter.unstructure(value)))
    return converter.structure(wire, kind)


@given(orders(progressed=True, max_lines=3))
def test_an_order_with_history_payments_and_events_round_trips_exactly(order: Order) -> None:
    restored = _through_json(order, Order)
    assert isinstance(restored, Order)
    assert restored == order
    assert restored.history == order.history
    assert restored.pending_events == order.pending_events
    assert restored.payments == order.payments
    assert restored.status == order.status
    assert restored.held_from == order.held_from


@given(order_events())
def test_order_events_round_trip_as_tagged_union(event: DomainEvent) -> None:
    wire = converter.unstructure(event, DomainEvent)
    assert wire["type"] == type(event).__name__
    assert converter.structure(json.loads(json.dumps(wire)), DomainEvent) == event


@given(addresses())
def test_addresses_round_trip(address: Address) -> None:
    assert _through_json(address, Address) == address


@given(order_lines())
def test_lines_round_trip(line: OrderLine) -> None:
    assert _through_json(line, OrderLine) == line


@given(quantity_ledgers())
def test_ledgers_round_trip(ledger: QuantityLedger) -> None:
    assert _through_json(ledger, QuantityLedger) == ledger


@given(payments())
def test_payments_round_trip(payment: Payment) -> None:
    assert _through_json(payment, Payment) == payment


def _wire() -> dict[str, object]:
    order = Order.place(
        id=OrderId("o-1"),
        customer=CustomerRef(CustomerId("c-1"), "buyer@example.com", "b2b"),
        currency="EUR",
        lines=[
            OrderLine(LineId("l1"), Sku("MUG"), 2, Money.of("9.50", "EUR"), attributes={"a": "b"})
        ],
        at=AT,
    )
    order.confirm(at=AT)
    order.allocate({LineId("l1"): 1}, at=AT)
    wire = converter.unstructure(order)
    assert isinstance(wire, dict)
    return wire


def test_wire_form_is_plain_and_readable() -> None:
    wire = _wire()
    assert wire["state"] == "in_fulfillment"
    assert wire["currency"] == "EUR"
    assert wire["placed_at"] == "2026-03-02T09:00:00+00:00"
    line = wire["lines"][0]  # type: ignore[index]
    assert line["attributes"] == {"a": "b"}
    assert line["unit_price"] == {"amount": "9.50", "currency": "EUR"}
    assert line["ledger"]["allocated"] == 1
    assert [event["type"] for event in wire["events"]] == [  # type: ignore[attr-defined]
        "OrderPlaced",
        "OrderConfirmed",
        "OrderItemsAllocated",
        "OrderStatusChanged",
    ]
    assert [change["event"] for change in wire["history"]] == [  # type: ignore[attr-defined]
        "place",
        "confirm",
        "start_fulfillment",
    ]


@pytest.mark.parametrize(
    ("change", "text"),
    [
        (lambda w: w["lines"][0]["ledger"].update(shipped=2), "shipped 2 exceeds allocated 1"),
        (lambda w: w["lines"][0].update(quantity=0), "quantity"),
        (lambda w: w.update(lines=[]), "at least one line"),
        (lambda w: w["customer"].update(email="nope"), "email"),
        (lambda w: w.update(currency="USD"), "EUR"),
        (lambda w: w.update(placed_at="2026-03-02T09:00:00"), "offset"),
        (lambda w: w.update(surprise=1), "surprise"),
        (lambda w: w.update(version=-1), "version"),
        (
            lambda w: w["payments"].append(
                {
                    "kind": "refund",
                    "amount": {"amount": "1", "currency": "EUR"},
                    "at": "2026-03-02T09:00:00+00:00",
                    "reference": None,
                }
            ),
            "exceed their caps",
        ),
    ],
)
def test_bad_stored_orders_are_refused_with_validation_error(change: object, text: str) -> None:
    wire = _wire()
    change(wire)  # type: ignore[operator]
    with pytest.raises(ValidationError, match=text):
        converter.structure(wire, Order)


_EVENT_KINDS: list[type] = list(ORDER_EVENT_STRATEGIES)


@pytest.mark.parametrize("kind", _EVENT_KINDS, ids=[kind.__name__ for kind in _EVENT_KINDS])
def test_every_order_event_type_is_registered_and_round_trips(kind: type) -> None:
    @given(st.from_type(kind))
    @settings(max_examples=10)
    def check(event: DomainEvent) -> None:
        assert isinstance(event, kind)
        wire = json.loads(json.dumps(converter.unstructure(event, DomainEvent)))
        assert converter.structure(wire, DomainEvent) == event

    check()
