"""The demo shop's catalogue and configuration: locations, stock, price lists, promotions, tax.

Configuration values (price lists, promotions, tax) are code: a host keeps
them wherever it keeps its catalogue. Stock lives in the store and is set up
idempotently by :func:`stock_up`.
"""

from __future__ import annotations

import random
from decimal import Decimal

from orderkit.fulfillment import FlatRate as CarrierFlatRate
from orderkit.fulfillment import FlatRateCarrier
from orderkit.ids import CustomerId, LocationId, Sku
from orderkit.inventory import SkuStock, StockLocation
from orderkit.invoicing import Party, PostalAddress
from orderkit.money import Currency, Money
from orderkit.orders import Address, CustomerRef
from orderkit.ports import UnitOfWork
from orderkit.pricing import (
    CouponCode,
    CustomerGroupIs,
    FlatRate,
    FreeAbove,
    Jurisdiction,
    MinimumSubtotal,
    PercentOffLines,
    PercentOffOrder,
    PriceBook,
    PriceEntry,
    PriceList,
    Pricer,
    Promotion,
    ShippingRule,
    TaxPolicy,
    TaxRate,
)

__all__ = [
    "LOCATIONS",
    "SELLER",
    "SKUS",
    "carrier",
    "pricer",
    "random_customer",
    "shipping_rule",
    "stock_up",
]

LOCATIONS = (
    StockLocation(LocationId("BER"), "Berlin", priority=0, country="DE"),
    StockLocation(LocationId("LYS"), "Lyon", priority=1, country="FR"),
    StockLocation(LocationId("NJ1"), "Newark", priority=2, country="US"),
)
#: 24 skus: (sku, EUR price, USD price, tax category).
SKUS: tuple[tuple[Sku, str, str, str], ...] = tuple(
    (Sku(f"{kind}-{n:02d}"), f"{price + n}.90", f"{price + n + 2}.50", category)
    for kind, price, category in (
        ("MUG", 8, "standard"),
        ("TEE", 17, "standard"),
        ("BOOK", 11, "reduced"),
    )
    for n in range(1, 9)
)
SELLER = Party(
    "Orderkit Demo GmbH",
    PostalAddress(("Friedrichstr. 1",), "Berlin", "DE", "10117"),
    tax_id="DE123456789",
    email="billing@example.com",
)
_COUNTRIES = (
    ("DE", "10115", "Berlin"),
    ("FR", "69001", "Lyon"),
    ("NL", "1011", "Amsterdam"),
    ("US", "10001", "New York"),
)


def _price_list(
    currency: str, column: int, *, group: str | None = None, off: str = "0"
) -> PriceList:
    factor = 1 - Decimal(off) / 100
    entries = tuple(
        PriceEntry(
            row[0],
            Money.of(str((Decimal(row[column]) * factor).quantize(Decimal("0.01"))), currency),
        )
        for row in SKUS
    )
    name = f"{group or 'retail'}-{currency}"
    return PriceList(
        name, Currency.of(currency), entries, customer_group=group, priority=1 if group else 0
    )


def pricer() -> Pricer:
    """Retail and wholesale price lists in EUR and USD, three promotions, EU VAT."""
    rates = []
    for country, standard, reduced in (("DE", "19", "7"), ("FR", "20", "5.5"), ("NL", "21", "9")):
        rates.append(
            TaxRate(f"{country} VAT", Jurisdiction(country), "standard", Decimal(standard))
        )
        rates.append(
            TaxRate(f"{country} VAT reduced", Jurisdiction(country), "reduced", Decimal(reduced))
        )
        # Delivery follows the goods: taxed at the standard rate, as in most of the EU.
        rates.append(
            TaxRate(f"{country} VAT shipping", Jurisdiction(country), "shipping", Decimal(standard))
        )
    return Pricer(
        price_book=PriceBook(
            (
                _price_list("EUR", 1),
                _price_list("USD", 2),
                _price_list("EUR", 1, group="wholesale", off="15"),
                _price_list("USD", 2, group="wholesale", off="15"),
            )
        ),
        promotions=(
            Promotion(
                "WELCOME10",
                "10% off with code WELCOME10",
                (PercentOffOrder(Decimal(10)),),
                (CouponCode("WELCOME10"),),
                priority=10,
                exclusive=True,
            ),
            Promotion(
                "MUGS20",
                "20% off mugs",
                (
                    PercentOffLines(
                        Decimal(20), skus=tuple(r[0] for r in SKUS if r[0].startswith("MUG"))
                    ),
                ),
            ),
            Promotion(
                "BIG5",
                "5% off orders over 100 (retail)",
                (PercentOffOrder(Decimal(5)),),
                (MinimumSubtotal(Money.of("100", "EUR")), CustomerGroupIs(("retail",))),
            ),
        ),
        tax_policy=TaxPolicy(tuple(rates), prices_include_tax=False),
    )


def shipping_rule(currency: str) -> ShippingRule:
    """Free shipping above 75, else a flat charge."""
    return FreeAbove(Money.of("75", currency), FlatRate(Money.of("4.90", currency)))


def carrier() -> FlatRateCarrier:
    """A flat-rate parcel service."""
    return FlatRateCarrier("demo-post", [CarrierFlatRate("standard", Money.of("4.90", "EUR"), 2)])


def random_customer(rng: random.Random) -> tuple[CustomerRef, Address, str]:
    """A customer, their address and the currency they pay in."""
    number = rng.randint(1, 400)
    country, postal, city = _COUNTRIES[number % len(_COUNTRIES)]
    group = "wholesale" if number % 7 == 0 else "retail"
    customer = CustomerRef(CustomerId(f"cust-{number:04d}"), f"customer{number}@example.com", group)
    address = Address(f"Customer {number}", f"{number} Market Street", city, postal, country)
    return customer, address, "USD" if country == "US" else "EUR"


def stock_up(uow: UnitOfWork, *, orders: int, rng: random.Random) -> None:
    """Create missing stock records and receive enough for about ``orders`` more orders.

    A few skus get less than their share, so some orders wait on backorder.
    """
    stocks = uow.stock.get_many([row[0] for row in SKUS])
    for index, (sku, *_rest) in enumerate(SKUS):
        stock = stocks.get(sku)
        if stock is None:
            stock = SkuStock(sku, low_stock_threshold=5)
        share = max(orders * 5 // len(SKUS), 1)
        if index % 6 == 5:
            share //= 3  # scarce
        for location, part in zip(LOCATIONS, (3, 2, 1), strict=True):
            units = max(share * part // 6 + rng.randint(0, 3), 1)
            stock.receive(location.id, units, reference="demo restock")
        uow.stock.save(stock)
