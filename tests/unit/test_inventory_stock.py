"""SkuStock: levels, reservations, batches, backorders, events, and refusals that change nothing."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderkit.errors import (
    DuplicateRequest,
    InsufficientStock,
    InvalidQuantity,
    NotFound,
    OrderkitError,
    ValidationError,
)
from orderkit.ids import LocationId, Sku
from orderkit.inventory import (
    BackorderCancelled,
    BackorderCreated,
    BackorderPolicy,
    IncomingBatch,
    LowStock,
    ReservationConverted,
    ReservationExpired,
    SkuStock,
    StockAdjusted,
    StockAllocated,
    StockConsumed,
    StockDeallocated,
    StockEvent,
    StockMoved,
    StockReceived,
    StockReserved,
)
from orderkit.serialization import converter
from orderkit.testing.strategies import sku_stocks
from orderkit.testing.strategies._inventory import BASE_TIME, STOCK_EVENT_STRATEGIES

T0 = BASE_TIME
A, B, C = LocationId("A"), LocationId("B"), LocationId("C")


def later(minutes: int) -> dt.datetime:
    return T0 + dt.timedelta(minutes=minutes)


def snapshot(stock: SkuStock) -> Any:
    return converter.unstructure(stock)


def stocked(**on_hand: int) -> SkuStock:
    stock = SkuStock(Sku("TEE"))
    for location, units in on_hand.items():
        stock.receive(LocationId(location), units)
    stock.pull_events()
    return stock


def test_receive_adjust_move_keep_the_books() -> None:
    stock = SkuStock(Sku("TEE"))
    stock.receive(A, 10, reference="GRN-1")
    stock.adjust(A, -2, reason="damaged", at=T0)
    stock.adjust(B, 3, reason="found in count", at=T0)
    stock.move(A, B, 5, at=T0)
    assert (stock.on_hand(A), stock.on_hand(B), stock.on_hand()) == (3, 8, 11)
    assert (stock.received, stock.written_off, stock.shipped) == (13, 2, 0)
    assert stock.pull_events() == [
        StockReceived(Sku("TEE"), A, 10, "GRN-1"),
        StockAdjusted(Sku("TEE"), A, -2, "damaged"),
        StockAdjusted(Sku("TEE"), B, 3, "found in count"),
        StockMoved(Sku("TEE"), A, B, 5),
    ]
    assert stock.pending_events == ()


def test_allocate_and_ship_consume_on_hand() -> None:
    stock = stocked(A=5)
    stock.allocate("o1", {A: 3}, at=T0)
    assert (stock.allocated(A), stock.available(at=T0, location=A)) == (3, 2)
    stock.consume("o1", A, 2)
    assert (stock.on_hand(A), stock.allocated(A), stock.shipped) == (3, 1, 2)
    assert stock.allocations_of("o1") == {A: 1}
    assert stock.pull_events() == [
        StockAllocated(Sku("TEE"), "o1", A, 3),
        StockConsumed(Sku("TEE"), "o1", A, 2),
    ]


def test_an_oversell_is_refused_and_names_the_numbers() -> None:
    stock = stocked(A=2, B=1)
    before = snapshot(stock)
    with pytest.raises(InsufficientStock, match=r"sku TEE at A: requested 3, only 2 available"):
        stock.allocate("o1", {A: 3}, at=T0)
    assert snapshot(stock) == before


def test_reservations_hold_stock_until_they_expire() -> None:
    stock = stocked(A=5)
    stock.reserve("cart-1", 4, expires_at=later(30), at=T0, location=A)
    assert stock.available(at=T0, location=A) == 1
    with pytest.raises(InsufficientStock):
        stock.allocate("o1", {A: 2}, at=later(29))
    assert stock.available(at=later(30)) == 5  # not live at its expiry moment
    stock.allocate("o1", {A: 2}, at=later(30))
    assert stock.expire_reservations(at=later(31)) == ("cart-1",)
    assert stock.reservations == ()
    assert isinstance(stock.pull_events()[-1], ReservationExpired)


def test_a_hold_on_any_location_lowers_the_total_only() -> None:
    stock = stocked(A=3, B=3)
    stock.reserve("cart", 5, expires_at=later(10), at=T0)
    assert stock.available(at=T0, location=A) == 3
    assert stock.available(at=T0) == 1
    with pytest.raises(InsufficientStock):
        stock.allocate("o1", {A: 2}, at=T0)
    stock.allocate("o1", {A: 1}, at=T0)


def test_reserving_again_replaces_the_hold() -> None:
    stock = stocked(A=5)
    stock.reserve("cart", 5, expires_at=later(10), at=T0)
    stock.reserve("cart", 2, expires_at=later(20), at=T0)
    assert stock.reserved(at=T0) == 2
    assert stock.available(at=T0) == 3


def test_a_cart_reservation_converts_without_counting_twice() -> None:
    stock = stocked(A=4)
    stock.reserve("cart-9", 4, expires_at=later(15), at=T0, location=A)
    with pytest.raises(InsufficientStock):
        stock.allocate("someone-else", {A: 1}, at=T0)
    stock.pull_events()
    stock.allocate("order-9", {A: 4}, at=T0, reservations=["cart-9"])
    assert stock.reservation("cart-9") is None
    assert stock.available(at=T0) == 0
    assert stock.pull_events() == [
        ReservationConverted(Sku("TEE"), "cart-9", "order-9", 4),
        StockAllocated(Sku("TEE"), "order-9", A, 4),
    ]


def test_batches_take_allocations_and_carry_them_on_arrival() -> None:
    stock = stocked(A=1)
    stock.expect_batch(IncomingBatch("PO-1", 10, later(60 * 48), B))
    stock.allocate("o1", {}, at=T0, batches={"PO-1": 7})
    assert stock.batch_available("PO-1") == 3
    with pytest.raises(InsufficientStock):
        stock.allocate("o2", {}, at=T0, batches={"PO-1": 4})
    with pytest.raises(InsufficientStock):
        stock.receive_batch("PO-1", quantity=6)
    stock.receive_batch("PO-1", quantity=9)
    assert stock.batches == ()
    assert stock.allocations_of("o1") == {B: 7}
    assert (stock.on_hand(B), stock.available(at=T0, location=B), stock.received) == (9, 2, 10)
    stock.expect_batch(IncomingBatch("PO-2", 1, T0, A))
    with pytest.raises(DuplicateRequest):
        stock.expect_batch(IncomingBatch("PO-2", 1, T0, A))


def test_backorders_are_bounded_by_the_policy() -> None:
    stock = SkuStock(Sku("PRE"), backorder=BackorderPolicy.allow(3))
    stock.allocate("o1", {}, at=T0, backorder=2)
    before = snapshot(stock)
    with pytest.raises(InsufficientStock, match="requested 2, only 1"):
        stock.allocate("o2", {}, at=T0, backorder=2)
    assert snapshot(stock) == before
    stock.deallocate("o1")
    assert stock.backordered() == 0
    events = stock.pull_events()
    assert events == [
        BackorderCreated(Sku("PRE"), "o1", 2),
        BackorderCancelled(Sku("PRE"), "o1", 2),
    ]
    with pytest.raises(InsufficientStock):
        SkuStock(Sku("NOPE")).allocate("o1", {}, at=T0, backorder=1)


def test_deallocation_gives_everything_back() -> None:
    stock = stocked(A=3)
    stock.expect_batch(IncomingBatch("PO", 5, later(100), A))
    stock.allocate("o1", {A: 2}, at=T0, batches={"PO": 5})
    stock.pull_events()
    stock.deallocate("o1")
    assert stock.available(at=T0) == 3
    assert stock.batch_available("PO") == 5
    assert stock.pull_events() == [
        StockDeallocated(Sku("TEE"), "o1", A, 2),
        StockDeallocated(Sku("TEE"), "o1", A, 5, "PO"),
    ]
    with pytest.raises(NotFound):
        stock.deallocate("o1")


def test_low_stock_is_recorded_when_crossing_the_threshold() -> None:
    stock = SkuStock(Sku("TEE"), low_stock_threshold=3)
    stock.receive(A, 6)
    stock.allocate("o1", {A: 2}, at=T0)
    stock.allocate("o2", {A: 1}, at=T0)
    stock.allocate("o3", {A: 1}, at=T0)
    lows = [e for e in stock.pull_events() if isinstance(e, LowStock)]
    assert lows == [LowStock(Sku("TEE"), 3, 3)]


def test_writing_off_committed_units_is_refused() -> None:
    stock = stocked(A=3)
    stock.allocate("o1", {A: 2}, at=T0)
    before = snapshot(stock)
    with pytest.raises(InsufficientStock):
        stock.adjust(A, -2, reason="broken", at=T0)
    with pytest.raises(InsufficientStock):
        stock.move(A, B, 2, at=T0)
    assert snapshot(stock) == before


@pytest.mark.parametrize(
    ("call", "error"),
    [
        (lambda s: s.receive(A, 0), InvalidQuantity),
        (lambda s: s.receive(A, -1), InvalidQuantity),
        (lambda s: s.receive(A, True), InvalidQuantity),
        (lambda s: s.receive(A, 1.5), InvalidQuantity),
        (lambda s: s.receive("", 1), ValidationError),
        (lambda s: s.adjust(A, 0, reason="x", at=T0), ValidationError),
        (lambda s: s.adjust(A, 1, reason="", at=T0), ValidationError),
        (lambda s: s.move(A, A, 1, at=T0), ValidationError),
        (lambda s: s.move(A, B, 1, at=dt.datetime(2026, 1, 1)), ValidationError),
        (lambda s: s.reserve("c", 1, expires_at=T0, at=T0), ValidationError),
        (lambda s: s.reserve("c", 0, expires_at=later(1), at=T0), InvalidQuantity),
        (lambda s: s.release("nope"), NotFound),
        (lambda s: s.receive_batch("nope"), NotFound),
        (lambda s: s.allocate("o", {}, at=T0), ValidationError),
        (lambda s: s.allocate("o", {A: 0}, at=T0), InvalidQuantity),
        (lambda s: s.allocate("o", {}, at=T0, batches={"nope": 1}), NotFound),
        (lambda s: s.allocate("o", {A: 1}, at=T0, reservations="cart"), ValidationError),
        (lambda s: s.consume("o", A, 1), InsufficientStock),
        (lambda s: s.expect_batch("PO"), ValidationError),
    ],
)
def test_bad_input_raises_a_named_error_and_changes_nothing(call: Any, error: type) -> None:
    stock = stocked(A=2)
    before = snapshot(stock)
    with pytest.raises(error):
        call(stock)
    assert snapshot(stock) == before


@given(sku_stocks())
def test_every_stock_round_trips_through_the_converter(stock: SkuStock) -> None:
    data = converter.unstructure(stock)
    assert converter.structure(data, SkuStock) == stock
    assert all(
        isinstance(e, StockEvent) and e.aggregate_key == stock.sku for e in stock.pending_events
    )
    assert {e.aggregate_type for e in stock.pending_events} <= {"stock"}


@pytest.mark.parametrize(
    "broken",
    [
        {"sku": "X", "on_hand": {"A": -1}},
        {"sku": "X", "on_hand": {"A": 1}, "received": 1, "allocations": {"o": {"A": 2}}},
        {"sku": "X", "received": 3},
        {"sku": "X", "backorders": {"o": 1}},
        {"sku": "X", "batch_allocations": {"o": {"PO": 1}}},
        {"sku": "X", "on_hand": {"A": "1"}, "received": 1},
    ],
)
def test_structuring_an_impossible_stock_is_refused(broken: dict[str, Any]) -> None:
    with pytest.raises(ValidationError):
        converter.structure(broken, SkuStock)


operations = st.sampled_from(["allocate", "reserve", "adjust", "move", "consume", "deallocate"])


@given(sku_stocks(locations=[A, B]), operations, st.sampled_from([A, B]), st.integers(1, 60))
def test_any_operation_either_keeps_the_invariants_or_changes_nothing(
    stock: SkuStock, operation: str, location: LocationId, quantity: int
) -> None:
    before = snapshot(stock)
    received = stock.received
    calls = {
        "allocate": lambda: stock.allocate("o-new", {location: quantity}, at=T0),
        "reserve": lambda: stock.reserve(
            "cart-new", quantity, expires_at=later(5), at=T0, location=location
        ),
        "adjust": lambda: stock.adjust(location, -quantity, reason="shrinkage", at=T0),
        "move": lambda: stock.move(location, C, quantity, at=T0),
        "consume": lambda: stock.consume("order-0", location, quantity),
        "deallocate": lambda: stock.deallocate("order-0"),
    }
    try:
        calls[operation]()
    except OrderkitError:
        assert snapshot(stock) == before
        return
    for where in (A, B, C):
        assert 0 <= stock.allocated(where) <= stock.on_hand(where)
        assert stock.available(at=T0, location=where) >= 0
    assert stock.available(at=T0) >= 0
    assert stock.received == received == stock.on_hand() + stock.shipped + stock.written_off
    assert isinstance(stock.pending_events[-1], StockEvent)


def test_events_serialise_as_tagged_union() -> None:
    event = StockReserved(Sku("TEE"), "cart", 2, later(5), None)
    data = converter.unstructure(event)
    assert data["type"] == "StockReserved"
    assert converter.structure(data, StockEvent) == event


junk = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-3, 3),
    st.floats(allow_nan=True),
    st.text(max_size=3),
    st.lists(st.integers(), max_size=2),
    st.dictionaries(st.text(max_size=2), st.integers(-2, 2), max_size=2),
    st.just(dt.datetime(2026, 1, 1)),
    st.just(T0),
)
methods = st.sampled_from(
    [
        "receive",
        "adjust",
        "move",
        "reserve",
        "release",
        "expire_reservations",
        "allocate",
        "deallocate",
        "consume",
        "receive_batch",
        "expect_batch",
        "available",
    ]
)


@given(
    methods,
    st.lists(junk, min_size=0, max_size=3),
    st.dictionaries(
        st.sampled_from(
            ["at", "reason", "expires_at", "location", "batches", "backorder", "quantity"]
        ),
        junk,
        max_size=3,
    ),
)
def test_junk_input_raises_only_orderkit_errors_and_changes_nothing(
    method: str, args: list[Any], kwargs: dict[str, Any]
) -> None:
    stock = stocked(A=3)
    stock.reserve("cart", 1, expires_at=later(5), at=T0)
    stock.pull_events()
    before = snapshot(stock)
    try:
        getattr(stock, method)(*args, **kwargs)
    except OrderkitError:
        assert snapshot(stock) == before
    except TypeError as exc:  # a call Python itself rejects (wrong arity / unknown keyword)
        assert "argument" in str(exc)  # noqa: PT017 - any other TypeError is a bug
        assert snapshot(stock) == before


@given(
    st.sampled_from(sorted(STOCK_EVENT_STRATEGIES, key=lambda k: k.__name__)).flatmap(st.from_type)
)
def test_every_inventory_event_round_trips(event: StockEvent) -> None:
    data = converter.unstructure(event)
    assert data["type"] == type(event).__name__
    assert converter.structure(data, StockEvent) == event
    assert event.aggregate_type == "stock"
    assert event.aggregate_key == event.sku


def test_every_inventory_event_has_a_strategy() -> None:
    from orderkit import inventory  # noqa: PLC0415 - the façade's own list

    exported = {
        getattr(inventory, name)
        for name in inventory.__all__
        if isinstance(getattr(inventory, name), type)
        and issubclass(getattr(inventory, name), StockEvent)
        and getattr(inventory, name) is not StockEvent
    }
    assert exported == set(STOCK_EVENT_STRATEGIES)
