"""Review: a ship attempt that does not commit never leaves a live label behind.

Labels are bought with the carrier before the unit of work commits. When the
commit (or the idempotency key's insert) conflicts, the runner retries with
new shipment ids and buys new labels; the first attempt's labels must be
voided, or the shop pays for two labels per parcel (the carrier's own
idempotency key is the shipment id, which changes between attempts).
"""

from __future__ import annotations

import datetime as dt
import itertools
from typing import Any

import pytest

from orderkit.adapters import FixedClock
from orderkit.adapters.memory import MemoryStore
from orderkit.errors import ConcurrencyConflict, StoreUnavailable
from orderkit.fulfillment import ShipmentStatus, TrackingEvent
from orderkit.ids import CustomerId, LocationId, Sku
from orderkit.inventory import SkuStock, StockLocation
from orderkit.money import Money
from orderkit.orders import Address, CustomerRef
from orderkit.ports import UnitOfWork
from orderkit.service import LineRequest, OrderService, StockOnPlace
from orderkit.testing.carriers import FakeCarrier

EAST, WEST = LocationId("EAST"), LocationId("WEST")
MUG = Sku("MUG")
CUSTOMER = CustomerRef(CustomerId("c-1"), "ann@example.com")
ADDRESS = Address("Ann Lee", "1 Main St", "Berlin", "10115", "DE")
NOW = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)


def _setup(failures: list[BaseException]) -> tuple[MemoryStore, FakeCarrier, OrderService]:
    """A store with 3 + 3 mugs, an order for 5 (two locations, two shipments)."""
    store = MemoryStore()
    with store.unit_of_work() as uow:
        stock = SkuStock(MUG)
        stock.receive(EAST, 3)
        stock.receive(WEST, 3)
        uow.stock.add(stock)
        uow.commit()
    carrier = FakeCarrier()

    def factory(**options: Any) -> UnitOfWork:
        uow = store.unit_of_work(**options)
        commit = uow.commit

        def failing_commit() -> None:
            if failures:
                uow.rollback()
                raise failures.pop(0)
            commit()

        uow.commit = failing_commit  # type: ignore[method-assign]
        return uow

    ids = itertools.count(1)
    service = OrderService(
        factory,
        clock=FixedClock(NOW),
        ids=lambda: f"id-{next(ids)}",
        locations=(StockLocation(EAST, priority=0), StockLocation(WEST, priority=1)),
        stock_on_place=StockOnPlace.ALLOCATE,
        carrier=carrier,
        sleep=lambda seconds: None,
    )
    return store, carrier, service


def _live(carrier: FakeCarrier) -> list[object]:
    return [label for label in carrier.labels if not carrier.is_cancelled(label)]


@pytest.mark.parametrize("key", [None, "ship-1"])
def test_labels_of_an_attempt_whose_commit_conflicts_are_voided(key: str | None) -> None:
    failures: list[BaseException] = []
    store, carrier, service = _setup(failures)
    order = service.place(
        CUSTOMER,
        [LineRequest(MUG, 5, Money.of("2.00", "EUR"))],
        currency="EUR",
        shipping_address=ADDRESS,
    ).order_id
    failures.extend([ConcurrencyConflict("order", order, 1, 2), StoreUnavailable("busy")])
    shipped = service.ship(order, idempotency_key=key)
    # 3 attempts x 2 locations = 6 labels bought, the 4 of the failed attempts voided
    assert (len(carrier.labels), len(_live(carrier))) == (6, 2)
    assert sorted(label.tracking_number for label in _live(carrier)) == sorted(  # type: ignore[attr-defined]
        shipped.tracking_numbers
    )
    with store.unit_of_work() as uow:
        assert len(uow.shipments.list_by_order(order)) == 2
        assert uow.stock.get(MUG).shipped == 5


def test_a_commit_that_keeps_failing_voids_every_label_and_changes_nothing() -> None:
    failures: list[BaseException] = []
    store, carrier, service = _setup(failures)
    order = service.place(
        CUSTOMER,
        [LineRequest(MUG, 5, Money.of("2.00", "EUR"))],
        currency="EUR",
        shipping_address=ADDRESS,
    ).order_id
    with store.unit_of_work() as uow:
        before = (uow.orders.get(order), uow.stock.get(MUG), uow.outbox.count())
    failures.extend(ConcurrencyConflict("order", order, 1, 2) for _ in range(6))
    with pytest.raises(ConcurrencyConflict):
        service.ship(order)
    assert carrier.labels
    assert not _live(carrier)
    with store.unit_of_work() as uow:
        assert (uow.orders.get(order), uow.stock.get(MUG), uow.outbox.count()) == before
        assert uow.shipments.list_by_order(order) == []


def test_deliver_stamped_before_the_newest_scan_still_delivers_once() -> None:
    """A driver app's clock 5 hours behind the carrier's: the confirmation still delivers."""
    failures: list[BaseException] = []
    store, _, service = _setup(failures)
    order = service.place(
        CUSTOMER,
        [LineRequest(MUG, 2, Money.of("2.00", "EUR"))],
        currency="EUR",
        shipping_address=ADDRESS,
    ).order_id
    (shipment,) = service.ship(order).shipment_ids
    later = TrackingEvent(NOW + dt.timedelta(hours=5), ShipmentStatus.IN_TRANSIT, "Hub", "sorted")
    service.record_tracking(shipment, later)
    delivered = service.deliver(shipment)  # the service clock still says NOW
    assert delivered.shipment_status == "delivered"
    again = service.deliver(shipment)  # a second confirmation delivers nothing more
    assert again.shipment_status == "delivered"
    with store.unit_of_work() as uow:
        line = uow.orders.get(order).lines[0]
        assert (line.ledger.shipped, line.ledger.delivered) == (2, 2)
        events = [m.event_type for m in uow.outbox.pending()]
        assert events.count("OrderDelivered") == 1
        assert uow.shipments.get(shipment).tracking[-1].status is ShipmentStatus.DELIVERED
