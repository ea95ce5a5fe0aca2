"""SQLite under concurrency: no oversell, no lost order, whole commands only, gapless numbers.

Several processes share one database file, as several application processes
would. The results are checked against a ledger counted from the orders
themselves (:func:`~orderkit.testing.audit.audit_store`), which a negative
control shows catches a naive read-check-write adapter.
"""

from __future__ import annotations

import datetime as dt
import itertools
import multiprocessing
import os
import pathlib
import signal
import sys
import time

import pytest
from sqlite_workers import (
    ADDRESS,
    BUYERS,
    COUPON_LIMIT,
    CUSTOMER,
    HOT_SKUS,
    LOCATIONS,
    PRICE,
    issue_invoices,
    place_forever,
    place_orders,
    place_with_coupons,
    service,
    stock_up,
)

from orderkit.adapters import FixedClock
from orderkit.adapters.sqlite import SqliteStore, StatementCounter
from orderkit.errors import DuplicateRequest
from orderkit.ids import LocationId, OrderId, Sku
from orderkit.inventory import AllocationPolicy
from orderkit.invoicing import Invoice
from orderkit.money import Currency, Money
from orderkit.service import LineRequest, OrderService, StockOnPlace, _ordering
from orderkit.testing.audit import audit_store

# fork shares the parent's imports (importing orderkit afresh costs seconds per process);
# elsewhere children are spawned and import this folder's worker module.
_SPAWN: multiprocessing.context.DefaultContext = multiprocessing.get_context(
    "fork" if sys.platform == "linux" else "spawn"
)  # type: ignore[assignment]
_SCARCE = {sku: {LocationId("EAST"): 6, LocationId("WEST"): 4} for sku in HOT_SKUS}


def _initial(on_hand: dict[Sku, dict[LocationId, int]]) -> dict[Sku, int]:
    return {sku: sum(where.values()) for sku, where in on_hand.items()}


def _run_workers(
    path: pathlib.Path, *, naive: bool, policy: str, skus: tuple[Sku, ...], count: int
) -> list[str]:
    with _SPAWN.Pool(4) as pool:
        results = pool.starmap(
            place_orders,
            [(str(path), worker, count, naive, policy, list(skus)) for worker in range(4)],
        )
    return [order_id for accepted in results for order_id in accepted]


@pytest.mark.parametrize("policy", ["backorder", "refuse"])
def test_four_processes_on_hot_skus_oversell_nothing_and_lose_no_order(
    tmp_path: pathlib.Path, policy: str
) -> None:
    path = tmp_path / "shop.db"
    stock_up(str(path), _SCARCE)
    accepted = _run_workers(path, naive=False, policy=policy, skus=HOT_SKUS, count=20)
    with SqliteStore(path) as store, store.unit_of_work() as uow:
        report = audit_store(uow, HOT_SKUS, initial_on_hand=_initial(_SCARCE))
        stored = {order.id for order in uow.orders.list_by_customer(CUSTOMER.id)}
        stocks = uow.stock.get_many(HOT_SKUS)
    assert report.ok, report.problems
    assert stored == set(accepted), "every accepted order is stored, nothing else"
    assert len(accepted) == len(set(accepted))
    # The stock was really contended: some sku ran out.
    assert any(stock.available(at=dt.datetime.now(dt.UTC)) == 0 for stock in stocks.values())
    assert sum(report.ever_allocated.values()) <= sum(_initial(_SCARCE).values())


def test_the_ledger_check_catches_a_naive_read_check_write_adapter(tmp_path: pathlib.Path) -> None:
    hot = (Sku("HOT-0"),)
    on_hand = {hot[0]: {LocationId("EAST"): 30}}
    path = tmp_path / "naive.db"
    stock_up(str(path), on_hand)
    _run_workers(path, naive=True, policy="backorder", skus=hot, count=12)
    with SqliteStore(path) as store, store.unit_of_work() as uow:
        report = audit_store(uow, hot, initial_on_hand=_initial(on_hand))
        stock = uow.stock.get(hot[0])
    assert not report.ok, "lost updates must be flagged"
    assert any("stock says" in problem or "oversold" in problem for problem in report.problems)
    # What a "stock never negative" check sees: nothing wrong.
    assert stock.allocated() <= stock.on_hand()


def test_a_process_killed_mid_batch_leaves_only_whole_commands(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "crash.db"
    plenty = {sku: {LocationId("EAST"): 10_000} for sku in HOT_SKUS}
    stock_up(str(path), plenty)
    ready = tmp_path / "ready"
    worker = _SPAWN.Process(target=place_forever, args=(str(path), str(ready)))
    worker.start()
    deadline = time.monotonic() + 60
    while not ready.exists() and time.monotonic() < deadline:
        time.sleep(0.01)
    time.sleep(0.2)  # let it get well into the batch
    assert worker.pid is not None
    os.kill(worker.pid, signal.SIGKILL)
    worker.join()
    assert worker.exitcode == -signal.SIGKILL
    with SqliteStore(path) as store, store.unit_of_work() as uow:
        report = audit_store(uow, HOT_SKUS, initial_on_hand=_initial(plenty))
    assert report.orders >= 1
    assert report.ok, report.problems


def _placed_orders(path: pathlib.Path, count: int) -> list[str]:
    """``count`` orders placed and confirmed (stock on place: allocate) in one transaction."""
    at = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
    with SqliteStore(path) as store:
        orders = service(store, 0, AllocationPolicy.BACKORDER)
        with store.unit_of_work() as uow:
            for n in range(count):
                _ordering.place(
                    orders._ctx,
                    uow,
                    at,
                    order_id=OrderId(f"bulk-{n}"),
                    customer=CUSTOMER,
                    currency=Currency.of("EUR"),
                    lines=[LineRequest(HOT_SKUS[n % 5], 1, PRICE)],
                    shipping_address=ADDRESS,
                    billing_address=None,
                    coupon_codes=(),
                    notes="",
                )
            uow.commit()
    return [f"bulk-{n}" for n in range(count)]


def test_500_invoices_from_4_processes_are_numbered_1_to_500(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "invoices.db"
    order_ids = _placed_orders(path, 500)
    with _SPAWN.Pool(4) as pool:
        numbers = pool.starmap(issue_invoices, [(str(path), order_ids[i::4]) for i in range(4)])
    issued = [number for batch in numbers for number in batch]
    assert len(issued) == len(set(issued)) == 500
    with SqliteStore(path) as store, store.unit_of_work() as uow:
        sequence = sorted(
            doc.sequence_number
            for order_id in order_ids
            for doc in uow.invoices.list_by_order(OrderId(order_id))
            if isinstance(doc, Invoice)
        )
        assert sequence == list(range(1, 501))
        assert uow.numbers.current("INV", 2026) == 500


def test_a_rolled_back_invoice_consumes_no_number(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "rollback.db"
    first, second = _placed_orders(path, 2)
    with SqliteStore(path) as store:
        orders = service(store, 0, AllocationPolicy.BACKORDER)
        issued = orders.invoice(OrderId(first))
        # Occupy the next number behind the sequence's back: storing the next invoice fails.
        with store.unit_of_work() as uow:
            document = uow.invoices.get(issued.number)
            assert isinstance(document, Invoice)
            clash = Invoice(
                **{
                    **{f.name: getattr(document, f.name) for f in Invoice.__attrs_attrs__},
                    "number": "INV-2026-000002",
                    "sequence_number": 2,
                }
            )
            uow.invoices.add(clash)
            uow.commit()
        with pytest.raises(DuplicateRequest):
            orders.invoice(OrderId(second))
        with store.unit_of_work() as uow:
            assert uow.numbers.current("INV", 2026) == 1


@pytest.mark.parametrize("lines", [1, 2, 3, 5, 8])
@pytest.mark.parametrize("keyed", [False, True])
@pytest.mark.parametrize("mode", list(StockOnPlace))
def test_place_statement_budget(
    tmp_path: pathlib.Path, lines: int, keyed: bool, mode: StockOnPlace
) -> None:
    path = tmp_path / "budget.db"
    skus = tuple(Sku(f"SKU-{n}") for n in range(lines))
    stock_up(str(path), {sku: {LocationId("EAST"): 100} for sku in skus})
    counter = StatementCounter()
    ids = itertools.count()
    with SqliteStore(path, on_statement=counter) as store:
        orders = OrderService(
            store.unit_of_work,
            clock=FixedClock(dt.datetime(2026, 3, 2, tzinfo=dt.UTC)),
            ids=lambda: f"o{next(ids)}",
            locations=LOCATIONS,
            stock_on_place=mode,
        )
        request = [LineRequest(sku, 2, Money.of("1.00", "EUR")) for sku in skus]
        key = "checkout-1" if keyed else None
        counter.reset()
        first = orders.place(CUSTOMER, request, currency="EUR", idempotency_key=key)
        assert counter.count <= 2 * lines + 4, counter.data_statements
        if keyed:
            counter.reset()
            again = orders.place(CUSTOMER, request, currency="EUR", idempotency_key=key)
            assert again == first
            assert counter.count == 1, counter.data_statements
            assert counter.data_statements[0].lstrip().upper().startswith("SELECT")


def test_four_processes_never_use_a_coupon_or_a_first_order_beyond_its_limit(
    tmp_path: pathlib.Path,
) -> None:
    path = tmp_path / "coupons.db"
    stock_up(str(path), {})
    with _SPAWN.Pool(4) as pool:
        results = pool.starmap(place_with_coupons, [(str(path), worker, 9) for worker in range(4)])
    accepted = {order_id for ids in results for order_id in ids}
    with SqliteStore(path) as store, store.unit_of_work(read_only=True) as uow:
        report = audit_store(uow, [])
        orders = [order for buyer in BUYERS for order in uow.orders.list_by_customer(buyer.id)]
    assert report.ok, report.problems  # usage counters agree with the orders
    assert {order.id for order in orders} == accepted
    live = [o for o in orders if o.status.value != "cancelled" and o.pricing is not None]
    using = [o for o in live if o.pricing is not None and o.pricing.coupon_codes]
    assert 0 < len(using) <= COUPON_LIMIT
    for buyer in BUYERS:
        firsts = [
            o
            for o in live
            if o.customer.id == buyer.id
            and o.pricing is not None
            and "HELLO" in o.pricing.promotion_codes
        ]
        assert len(firsts) <= 1
