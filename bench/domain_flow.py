"""Allocation, shipment planning and invoicing: absolute times and growth exponents.

Allocation folds in the inventory engineer's scaling benchmark: orders of
distinct SKUs, each stocked at five of the locations, some with an incoming
batch; every strategy plans 1,000 lines over 50 locations, and time is fitted
against lines and against locations (linear planning gives k ≈ 1, a
quadratic blow-up k ≈ 2).
"""

from __future__ import annotations

import datetime as dt
import functools
import random
from collections.abc import Callable
from decimal import Decimal

from bench._harness import Row, Target, growth
from bench.domain_pricing import THREE_RATES, request
from orderkit.fulfillment import ShipmentItemRequest, plan_shipments
from orderkit.ids import LineId, LocationId, OrderId, Sku
from orderkit.inventory import (
    AllocationLine,
    AllocationStrategy,
    Allocator,
    ByPriority,
    EarliestEta,
    FewestShipments,
    IncomingBatch,
    NearestFirst,
    SkuStock,
    StockLocation,
    same_country_first,
)
from orderkit.invoicing import (
    InvoiceableLine,
    InvoicingLedger,
    InvoicingPolicy,
    LineTax,
    Party,
    PaymentTerms,
    PostalAddress,
    TaxCategory,
    draft_invoice,
)
from orderkit.money import Money
from orderkit.pricing import Pricer

GROUP = "domain"
AT = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
COUNTRIES = ("DE", "FR", "NL", "BE", "AT")
NEAR_LINEAR = Target(1.3, "k ≤ 1.3 (no quadratic blow-up)")


def network(size: int) -> list[StockLocation]:
    """``size`` locations in five countries."""
    return [
        StockLocation(LocationId(f"WH-{i:03d}"), priority=i, country=COUNTRIES[i % len(COUNTRIES)])
        for i in range(size)
    ]


@functools.cache
def scenario(
    lines: int, locations: int = 50, seed: int = 7
) -> tuple[list[AllocationLine], list[SkuStock]]:
    """An order of ``lines`` distinct skus, each stocked at five of ``locations``."""
    rng = random.Random(seed)
    order: list[AllocationLine] = []
    stocks: list[SkuStock] = []
    for n in range(lines):
        sku = Sku(f"SKU-{n}")
        stock = SkuStock(sku)
        for where in rng.sample(range(locations), min(5, locations)):
            stock.receive(LocationId(f"WH-{where:03d}"), rng.randint(1, 6))
        if rng.random() < 0.3:
            eta = AT + dt.timedelta(days=rng.randint(1, 30))
            target = LocationId(f"WH-{rng.randrange(locations):03d}")
            stock.expect_batch(IncomingBatch(f"PO-{n}", 20, eta, target))
        stocks.append(stock)
        order.append(AllocationLine(LineId(f"L{n}"), sku, rng.randint(1, 8)))
    return order, stocks


def strategies() -> list[AllocationStrategy]:
    """Every allocation strategy."""
    return [ByPriority(), FewestShipments(), NearestFirst(same_country_first), EarliestEta()]


def _by_lines(allocator: Allocator) -> Callable[[int], Callable[[], object]]:
    def make(n: int) -> Callable[[], object]:
        lines, stocks = scenario(n)
        where = network(50)
        return lambda: allocator.allocate(lines, stocks, locations=where, at=AT, destination="FR")

    return make


def _by_locations(allocator: Allocator) -> Callable[[int], Callable[[], object]]:
    def make(n: int) -> Callable[[], object]:
        lines, stocks = scenario(1000, n)
        where = network(n)
        return lambda: allocator.allocate(lines, stocks, locations=where, at=AT, destination="FR")

    return make


def _allocation_rows() -> list[Row]:
    rows = []
    for strategy in strategies():
        allocator = Allocator(strategy)
        row = growth(
            GROUP,
            f"allocate 1,000 lines / 50 locations, {strategy.name}",
            (250, 500, 1000, 2000),
            _by_lines(allocator),
            variable="lines",
            target=NEAR_LINEAR,
            repeat=3,
            at=1000,
        )
        rows.append(row)
        rows.append(
            growth(
                GROUP,
                f"allocate 1,000 lines / 50 locations, {strategy.name}",
                (10, 25, 50, 100),
                _by_locations(allocator),
                variable="locations",
                target=NEAR_LINEAR,
                repeat=3,
                at=50,
            )
        )
    return rows


def shipment_requests(lines: int) -> list[ShipmentItemRequest]:
    """Units of ``lines`` lines spread over ten locations."""
    return [
        ShipmentItemRequest(
            LocationId(f"WH-{n % 10:03d}"),
            LineId(f"L{n}"),
            Sku(f"SKU-{n}"),
            1 + n % 5,
            Decimal("0.35") + Decimal(n % 7) / 10,
        )
        for n in range(lines)
    ]


SELLER = Party("Shop GmbH", PostalAddress(("1 Road",), "Berlin", "DE", "10115"), tax_id="DE123")
BUYER = Party("Ann Lee", PostalAddress(("1 Main St",), "Berlin", "DE", "10115"))


def invoiceable(lines: int) -> list[InvoiceableLine]:
    """A priced order of ``lines`` lines (three tax rates) as invoicing sees it."""
    breakdown = Pricer(tax_policy=THREE_RATES).price(request(lines, coupons=()))
    found = []
    for line in breakdown.lines:
        taxes = tuple(
            LineTax(TaxCategory.STANDARD, tax.percent, tax.amount)
            if tax.percent > 0
            else LineTax(TaxCategory.ZERO_RATED, Decimal(0), Money.zero(tax.amount.currency))
            for tax in line.taxes
        )
        found.append(
            InvoiceableLine(
                line.line_id,
                line.sku,
                str(line.sku),
                line.quantity,
                line.unit_price,
                line.gross,
                line.discount_total,
                line.net,
                taxes,
            )
        )
    return found


def _invoice(lines: int) -> Callable[[], object]:
    ledger = InvoicingLedger.open(OrderId("o-1"), invoiceable(lines))
    terms = PaymentTerms.net(30)

    def body() -> None:
        draft = draft_invoice(
            ledger,
            policy=InvoicingPolicy.ON_CONFIRMATION,
            seller=SELLER,
            buyer=BUYER,
            payment_terms=terms,
            supplied_on=AT.date(),
        )
        ledger.record(draft.issue(1, series="INV", issued_on=AT.date()))

    return body


def _plan(lines: int) -> Callable[[], object]:
    requests = shipment_requests(lines)
    return lambda: plan_shipments(requests, max_parcel_weight=20)


def run() -> list[Row]:
    """Allocation, shipment planning and invoicing rows."""
    rows = _allocation_rows()
    rows.append(
        growth(
            GROUP,
            "plan shipments (max parcel 20 kg)",
            (50, 100, 200, 400, 800),
            _plan,
            variable="lines",
        )
    )
    rows.append(
        growth(
            GROUP,
            "draft + issue + record an invoice",
            (10, 25, 50, 100, 200),
            _invoice,
            variable="lines",
        )
    )
    return rows
