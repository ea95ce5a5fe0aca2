"""A small shop on the memory adapter, shared by the service tests (the `shop` fixture)."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from decimal import Decimal

import attrs

from orderkit.adapters import FixedClock
from orderkit.adapters.memory import MemoryStore
from orderkit.ids import CustomerId, LocationId, Sku
from orderkit.inventory import SkuStock, StockLocation
from orderkit.invoicing import InvoicingPolicy, Party, PostalAddress
from orderkit.money import Currency, Money
from orderkit.orders import Address, CustomerRef
from orderkit.pricing import (
    FlatRate,
    Jurisdiction,
    PercentOffOrder,
    PriceBook,
    PriceEntry,
    PriceList,
    Pricer,
    Promotion,
    TaxPolicy,
    TaxRate,
)
from orderkit.service import InvoicingConfig, OrderService, StockOnPlace
from orderkit.testing.carriers import FakeCarrier

START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
NORTH, SOUTH = LocationId("NORTH"), LocationId("SOUTH")
LOCATIONS = (StockLocation(NORTH, priority=0), StockLocation(SOUTH, priority=1))
MUG, TEE, CAP = Sku("MUG"), Sku("TEE"), Sku("CAP")
CUSTOMER = CustomerRef(CustomerId("c-1"), "ann@example.com")
ADDRESS = Address("Ann Lee", "1 Main St", "Berlin", "10115", "DE")
SELLER = Party("Shop GmbH", PostalAddress(("1 Road",), "Berlin", "DE", "10115"), tax_id="DE123")
EUR = Currency.of("EUR")
PRICER = Pricer(
    price_book=PriceBook(
        (
            PriceList(
                "retail",
                EUR,
                (
                    PriceEntry(MUG, Money.of("9.50", "EUR")),
                    PriceEntry(TEE, Money.of("19.99", "EUR")),
                    PriceEntry(CAP, Money.of("12.00", "EUR")),
                ),
            ),
        )
    ),
    promotions=(Promotion("TENOFF", "Ten percent off", (PercentOffOrder(Decimal(10)),)),),
    tax_policy=TaxPolicy(
        (TaxRate("DE VAT", Jurisdiction("DE"), "standard", Decimal(19)),),
        prices_include_tax=False,
    ),
)


@attrs.define
class Shop:
    """A memory store with stock, a clock, a fake carrier and a way to build services."""

    store: MemoryStore
    clock: FixedClock
    carrier: FakeCarrier
    sleeps: list[float]
    make: Callable[..., OrderService]

    def stock(self, sku: Sku) -> SkuStock:
        with self.store.unit_of_work() as uow:
            return uow.stock.get(sku)

    def outbox(self) -> list[str]:
        with self.store.unit_of_work() as uow:
            return [m.event_type for m in uow.outbox.pending()]


def make_shop() -> Shop:
    """A fresh shop: stock of MUG, TEE and CAP in two locations, services on demand."""
    store = MemoryStore()
    with store.unit_of_work() as uow:
        for sku, north, south in ((MUG, 5, 3), (TEE, 2, 0), (CAP, 0, 4)):
            stock = SkuStock(sku)
            if north:
                stock.receive(NORTH, north)
            if south:
                stock.receive(SOUTH, south)
            uow.stock.add(stock)
        uow.commit()
    clock = FixedClock(START)
    carrier = FakeCarrier()
    sleeps: list[float] = []
    ids = itertools.count(1)

    def make(**overrides: object) -> OrderService:
        options: dict[str, object] = {
            "clock": clock,
            "ids": lambda: f"id-{next(ids)}",
            "pricer": PRICER,
            "shipping": FlatRate(Money.of("4.90", "EUR")),
            "locations": LOCATIONS,
            "stock_on_place": StockOnPlace.RESERVE,
            "carrier": carrier,
            "invoicing": InvoicingConfig(SELLER, policy=InvoicingPolicy.ON_CONFIRMATION),
            "sleep": sleeps.append,
        }
        options.update(overrides)
        return OrderService(store.unit_of_work, **options)  # type: ignore[arg-type]

    return Shop(store, clock, carrier, sleeps, make)
