"""Shared pieces of the storage contracts: the one fixture to override, and sample data.

An adapter author subclasses the contract classes (or :class:`StorageContract`,
which is all of them) and overrides ``fresh_storage``::

    class TestMyStorage(StorageContract):
        @pytest.fixture
        def fresh_storage(self) -> StorageFactory:
            return lambda: MyStore(new_empty_database()).unit_of_work

Every call of the returned callable must give the unit-of-work factory of a
new, empty store (property tests and the state machine start from scratch
for every example).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from orderkit.ids import CustomerId, LineId, LocationId, OrderId, Sku
from orderkit.inventory import SkuStock
from orderkit.money import Money
from orderkit.orders import CustomerRef, Order, OrderLine
from orderkit.ports import UnitOfWork, UnitOfWorkFactory

__all__ = [
    "BASE_TIME",
    "StorageFactory",
    "StorageFixtures",
    "contract_settings",
    "make_order",
    "make_stock",
    "stock_records",
]

#: Makes the unit-of-work factory of a fresh, empty store.
StorageFactory = Callable[[], UnitOfWorkFactory]

#: The placement time of sample orders (plus one minute per sequence number).
BASE_TIME = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)

#: Settings of the property tests: fixtures are factories, so sharing them is safe.
contract_settings = settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.differing_executors],
)


def make_order(
    number: int,
    *,
    customer: str = "c-1",
    skus: Sequence[str] = ("SKU-1",),
    at: dt.datetime | None = None,
) -> Order:
    """A placed EUR order ``o-<number>`` (one unit per sku), recording ``OrderPlaced``."""
    lines = [
        OrderLine(LineId(f"l{i}"), Sku(sku), 1, Money.of("9.90", "EUR"))
        for i, sku in enumerate(skus, start=1)
    ]
    return Order.place(
        id=OrderId(f"o-{number:05d}"),
        customer=CustomerRef(CustomerId(customer), f"{customer}@example.com"),
        currency="EUR",
        lines=lines,
        at=at if at is not None else BASE_TIME + dt.timedelta(minutes=number),
    )


def make_stock(sku: str, on_hand: int = 10, location: str = "WH-1") -> SkuStock:
    """Stock of ``sku`` with ``on_hand`` units at ``location`` (recording ``StockReceived``)."""
    stock = SkuStock(Sku(sku))
    if on_hand:
        stock.receive(LocationId(location), on_hand)
    return stock


@st.composite
def stock_records(draw: st.DrawFn) -> SkuStock:
    """Stock with receipts at one to three locations and a few allocations (events kept)."""
    stock = SkuStock(
        Sku(draw(st.sampled_from(["A", "B", "SKU-1"]))),
        low_stock_threshold=draw(st.none() | st.integers(0, 5)),
    )
    locations = [
        LocationId(name)
        for name in draw(
            st.lists(st.sampled_from(["WH-1", "WH-2", "WH-3"]), min_size=1, max_size=3, unique=True)
        )
    ]
    for location in locations:
        stock.receive(location, draw(st.integers(1, 30)))
    for n in range(draw(st.integers(0, 3))):
        location = draw(st.sampled_from(locations))
        free = stock.available(at=BASE_TIME, location=location)
        if free > 0:
            stock.allocate(f"o-{n}", {location: draw(st.integers(1, free))}, at=BASE_TIME)
    return stock


class StorageFixtures:
    """The fixtures every storage contract uses. Override ``fresh_storage`` only."""

    @pytest.fixture
    def fresh_storage(self) -> StorageFactory:
        """Return a callable giving the unit-of-work factory of a new, empty store."""
        raise NotImplementedError("override the 'fresh_storage' fixture")  # pragma: no cover

    @pytest.fixture
    def uow_factory(self, fresh_storage: StorageFactory) -> UnitOfWorkFactory:
        """The unit-of-work factory of one fresh store for this test."""
        return fresh_storage()

    @staticmethod
    def store_all(uow_factory: UnitOfWorkFactory, *items: Order | SkuStock) -> None:
        """Add orders and stock in one committed unit of work."""
        uow: UnitOfWork
        with uow_factory() as uow:
            for item in items:
                if isinstance(item, Order):
                    uow.orders.add(item)
                else:
                    uow.stock.add(item)
            uow.commit()
