"""The ``orderkit demo`` job: a day of trading on a SQLite file, then a summary.

Sets up stock (idempotently), places ``orders`` generated orders through
:class:`OrderService` and takes each through confirm, allocate, ship,
delivery and invoicing, cancelling some on the way. A second run on the same
file continues: run numbers come from a number sequence in the file, so
order ids never collide and the summary covers every run.
"""

from __future__ import annotations

import datetime as dt
import itertools
import os
import random
import sys
from collections import Counter
from collections.abc import Callable
from typing import TextIO

import attrs

from orderkit.adapters import FixedClock
from orderkit.adapters.sqlite import SqliteStore
from orderkit.errors import OrderkitError
from orderkit.ids import OrderId
from orderkit.inventory import Allocator, ByPriority
from orderkit.invoicing import Invoice, InvoicingPolicy, render_text
from orderkit.money import Money
from orderkit.service import _demo_shop as shop
from orderkit.service._service import OrderService
from orderkit.service._values import InvoicingConfig, LineRequest, StockOnPlace

__all__ = ["DemoSummary", "run_demo"]

_EVER = (dt.datetime(1970, 1, 1, tzinfo=dt.UTC), dt.datetime(9999, 1, 1, tzinfo=dt.UTC))
_START = dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC)


@attrs.frozen
class DemoSummary:
    """What the demo file holds after a run."""

    run: int
    placed_now: int
    refused_now: int
    by_status: dict[str, int]
    revenue: dict[str, Money]
    allocated: int
    shipped: int
    backordered: int
    invoices: int
    outbox: int


class _Progress:
    """A one-line progress bar on a stream (standard error)."""

    def __init__(self, total: int, stream: TextIO | None) -> None:
        self._total = total
        self._stream = stream
        self._shown = -1

    def update(self, done: int) -> None:
        if self._stream is None or self._total == 0:
            return
        percent = done * 100 // self._total
        if percent == self._shown:
            return
        self._shown = percent
        filled = percent * 30 // 100
        bar = "#" * filled + "." * (30 - filled)
        end = "\n" if done == self._total else ""
        print(f"\r[{bar}] {done}/{self._total} orders", end=end, file=self._stream, flush=True)


def _services(store: SqliteStore, clock: FixedClock, run: int) -> dict[str, OrderService]:
    ids = itertools.count(1)
    common: dict[str, object] = {
        "clock": clock,
        "ids": lambda: f"R{run:03d}-{next(ids):06d}",
        "pricer": shop.pricer(),
        "allocator": Allocator(ByPriority()),
        "locations": shop.LOCATIONS,
        "stock_on_place": StockOnPlace.RESERVE,
        "reservation_ttl": dt.timedelta(hours=2),
        "carrier": shop.carrier(),
        "invoicing": InvoicingConfig(shop.SELLER, policy=InvoicingPolicy.ON_CONFIRMATION),
    }
    return {
        currency: OrderService(store.unit_of_work, shipping=shop.shipping_rule(currency), **common)  # type: ignore[arg-type]
        for currency in ("EUR", "USD")
    }


def _lines(rng: random.Random) -> list[LineRequest]:
    picked = rng.sample(shop.SKUS, rng.choice((1, 1, 2, 2, 3, 4)))
    return [
        LineRequest(
            sku, rng.choice((1, 1, 1, 2, 3)), tax_category=category, description=f"Demo {sku}"
        )
        for sku, _eur, _usd, category in picked
    ]


def _trade(
    services: dict[str, OrderService], rng: random.Random, clock: FixedClock
) -> OrderId | None:
    """One customer's order, taken as far as the dice say; its id, or None if refused."""
    customer, address, currency = shop.random_customer(rng)
    service = services[currency]
    coupons = ("WELCOME10",) if rng.random() < 0.1 else ()
    try:
        placed = service.place(
            customer, _lines(rng), currency=currency, shipping_address=address, coupon_codes=coupons
        )
    except OrderkitError:
        return None  # e.g. not enough stock to reserve
    order = placed.order_id
    roll = rng.random()
    if roll < 0.06:
        service.cancel(order, reason="customer changed their mind")
        return order
    if roll < 0.10:
        return order  # left placed: waiting for payment
    service.confirm(order)
    service.invoice(order)
    if service.allocate(order).allocated == 0:
        if rng.random() < 0.5:
            service.cancel(order, reason="out of stock")
        return order
    if rng.random() < 0.9:
        shipped = service.ship(order)
        clock.advance(dt.timedelta(seconds=rng.randint(10, 90)))
        if rng.random() < 0.6:
            for shipment in shipped.shipment_ids:
                service.deliver(shipment)
    return order


def _summary(store: SqliteStore, run: int, placed_now: int, refused_now: int) -> DemoSummary:
    by_status: Counter[str] = Counter()
    revenue: dict[str, Money] = {}
    allocated = shipped = backordered = invoices = 0
    with store.unit_of_work() as uow:
        for order in uow.orders.placed_between(*_EVER):
            status = order.status.value
            by_status[status] += 1
            for line in order.lines:
                allocated += line.ledger.allocated_unshipped
                shipped += line.shipped
                if status != "cancelled":
                    backordered += line.ledger.unallocated
            if status != "cancelled":
                code = order.currency.code
                revenue[code] = revenue.get(code, Money.zero(code)) + order.total
        for year in range(_START.year, _START.year + 2):
            invoices += uow.numbers.current("INV", year)
        outbox = uow.outbox.count()
    return DemoSummary(
        run,
        placed_now,
        refused_now,
        dict(sorted(by_status.items())),
        revenue,
        allocated,
        shipped,
        backordered,
        invoices,
        outbox,
    )


def _last_invoice(store: SqliteStore, order_ids: list[OrderId]) -> Invoice | None:
    with store.unit_of_work() as uow:
        for order_id in reversed(order_ids):
            for document in uow.invoices.list_by_order(order_id):
                if isinstance(document, Invoice):
                    return document
    return None


def run_demo(
    path: str | os.PathLike[str],
    *,
    orders: int,
    seed: int,
    out: TextIO,
    progress: TextIO | None = sys.stderr,
    now: Callable[[], dt.datetime] | None = None,
) -> DemoSummary:
    """Run the demo on the SQLite file ``path`` and print the summary to ``out``."""
    with SqliteStore(path, busy_timeout=30) as store:
        with store.unit_of_work() as uow:
            run = uow.numbers.next("demo-run", 1)
            rng = random.Random(seed * 1000 + run)
            shop.stock_up(uow, orders=orders, rng=rng)
            uow.commit()
        clock = FixedClock(_START + dt.timedelta(days=run - 1))
        services = _services(store, clock, run)
        bar = _Progress(orders, progress if orders >= 50 else None)
        placed: list[OrderId] = []
        for done in range(1, orders + 1):
            order = _trade(services, rng, clock)
            if order is not None:
                placed.append(order)
            clock.advance(dt.timedelta(seconds=rng.randint(5, 60)))
            bar.update(done)
        summary = _summary(store, run, orders, orders - len(placed))
        invoice = _last_invoice(store, placed[-50:])
    _print(summary, invoice, out, os.fspath(path))
    return summary


def _print(summary: DemoSummary, invoice: Invoice | None, out: TextIO, path: str) -> None:
    generated = (
        f"{summary.placed_now} orders generated, {summary.refused_now} refused for lack of stock"
    )
    print(f"orderkit demo: run {summary.run} on {path} ({generated})\n", file=out)
    print("Orders by status", file=out)
    for status, count in summary.by_status.items():
        print(f"  {status:<16}{count:>8}", file=out)
    print(f"  {'total':<16}{sum(summary.by_status.values()):>8}\n", file=out)
    print("Revenue (orders not cancelled, tax and shipping included)", file=out)
    for code, amount in sorted(summary.revenue.items()):
        print(f"  {code:<16}{amount.amount:>16,}", file=out)
    print("\nUnits", file=out)
    for label, value in (
        ("allocated", summary.allocated),
        ("shipped", summary.shipped),
        ("backordered", summary.backordered),
    ):
        print(f"  {label:<16}{value:>8}", file=out)
    print(f"\nInvoices issued   {summary.invoices:>8}", file=out)
    print(f"Events in outbox  {summary.outbox:>8}\n", file=out)
    if invoice is not None:
        print(render_text(invoice), file=out)
