"""One small shop used by the end-to-end benchmarks: catalogue, stock, service factory."""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from decimal import Decimal

from orderkit.adapters import FixedClock
from orderkit.fulfillment import FlatRate as CarrierService
from orderkit.fulfillment import FlatRateCarrier
from orderkit.ids import CustomerId, LocationId, Sku
from orderkit.inventory import SkuStock, StockLocation
from orderkit.invoicing import InvoicingPolicy, Party, PostalAddress
from orderkit.money import Currency, Money
from orderkit.orders import Address, CustomerRef
from orderkit.ports import UnitOfWork
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
from orderkit.service import InvoicingConfig, LineRequest, OrderService, StockOnPlace

AT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
EUR = Currency.of("EUR")
HOT_SKUS = 10
LOCATIONS = (
    StockLocation(LocationId("NORTH"), priority=0),
    StockLocation(LocationId("SOUTH"), priority=1),
)
CUSTOMER = CustomerRef(CustomerId("c-1"), "ann@example.com")
ADDRESS = Address("Ann Lee", "1 Main St", "Berlin", "10115", "DE")
SELLER = Party("Shop GmbH", PostalAddress(("1 Road",), "Berlin", "DE", "10115"), tax_id="DE123")
SKUS = tuple(Sku(f"SKU-{n}") for n in range(HOT_SKUS))
#: A wide catalogue for benchmarks that only place orders: each order reserves stock of
#: skus no recent order touched, so stock rows do not fill up with live reservations.
WIDE = 3000
WIDE_SKUS = tuple(Sku(f"W-{n}") for n in range(WIDE))
PRICER = Pricer(
    price_book=PriceBook(
        (
            PriceList(
                "retail",
                EUR,
                tuple(
                    PriceEntry(sku, Money.of(f"{9 + n % 10}.50", "EUR"))
                    for n, sku in enumerate(SKUS + WIDE_SKUS)
                ),
            ),
        )
    ),
    promotions=(Promotion("TENOFF", "Ten percent off", (PercentOffOrder(Decimal(10)),)),),
    tax_policy=TaxPolicy(
        (TaxRate("DE VAT", Jurisdiction("DE"), "standard", Decimal(19)),), prices_include_tax=False
    ),
)


def stock_up(uow_factory: Callable[[], UnitOfWork], units: int = 10**8) -> None:
    """Put plenty of every sku in the first location."""
    with uow_factory() as uow:
        for sku in SKUS + WIDE_SKUS:
            stock = SkuStock(sku)
            stock.receive(LOCATIONS[0].id, units)
            uow.stock.add(stock)
        uow.commit()


def service(uow_factory: Callable[[], UnitOfWork], prefix: str = "o") -> OrderService:
    """An order service over ``uow_factory`` with a flat-rate carrier and invoicing on confirm."""
    counter = itertools.count(1)
    return OrderService(
        uow_factory,
        clock=FixedClock(AT),
        ids=lambda: f"{prefix}-{next(counter)}",
        pricer=PRICER,
        shipping=FlatRate(Money.of("4.90", "EUR")),
        locations=LOCATIONS,
        stock_on_place=StockOnPlace.RESERVE,
        carrier=FlatRateCarrier("post", [CarrierService("standard", Money.of("4.90", "EUR"), 2)]),
        invoicing=InvoicingConfig(SELLER, policy=InvoicingPolicy.ON_CONFIRMATION),
    )


def lines_for(n: int, count: int = 3) -> list[LineRequest]:
    """``count`` lines of distinct hot skus, rotating with ``n``."""
    return [LineRequest(SKUS[(n + i) % HOT_SKUS], 1 + i) for i in range(count)]


def wide_lines_for(n: int, count: int = 3) -> list[LineRequest]:
    """``count`` lines of wide-catalogue skus, different for consecutive ``n``."""
    return [LineRequest(WIDE_SKUS[(count * n + i) % WIDE], 1 + i) for i in range(count)]


def full_cycle(svc: OrderService, n: int) -> None:
    """place → confirm → allocate → ship → invoice for one order."""
    order_id = svc.place(CUSTOMER, lines_for(n), currency=EUR, shipping_address=ADDRESS).order_id
    svc.confirm(order_id)
    svc.allocate(order_id)
    svc.ship(order_id)
    svc.invoice(order_id)
