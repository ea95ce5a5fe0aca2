"""Replayed idempotency keys: served read-only, one read, and safe against a concurrent twin."""

from __future__ import annotations

import datetime as dt
import itertools
import pathlib
import sqlite3

from service_shop import ADDRESS, CUSTOMER, MUG, PRICER, Shop
from sqlite_workers import stock_up

from orderkit.adapters import FixedClock
from orderkit.adapters.memory import MemoryUnitOfWork
from orderkit.adapters.sqlite import SqliteStore
from orderkit.ids import LocationId, Sku
from orderkit.money import Money
from orderkit.ports import UnitOfWork
from orderkit.service import LineRequest, OrderService


def _counting(shop: Shop, opened: list[bool]) -> object:
    def factory(*, read_only: bool = False) -> MemoryUnitOfWork:
        opened.append(read_only)
        return shop.store.unit_of_work(read_only=read_only)

    return factory


def test_a_replay_opens_only_a_read_only_unit_of_work(shop: Shop) -> None:
    opened: list[bool] = []
    service = OrderService(
        _counting(shop, opened),  # type: ignore[arg-type]
        clock=shop.clock,
        ids=lambda: "o-1",
        pricer=PRICER,
    )
    first = service.place(CUSTOMER, [LineRequest(MUG, 1)], currency="EUR", idempotency_key="k")
    assert opened == [True, False]  # the key check, then the command
    opened.clear()
    again = service.place(CUSTOMER, [LineRequest(MUG, 1)], currency="EUR", idempotency_key="k")
    assert again == first
    assert opened == [True]


def test_a_twin_that_commits_after_the_check_is_replayed_not_repeated(shop: Shop) -> None:
    twin = shop.make()
    placed = twin.place(CUSTOMER, [LineRequest(MUG, 1)], currency="EUR", shipping_address=ADDRESS)
    results: list[object] = []

    def factory(*, read_only: bool = False) -> UnitOfWork:
        if not read_only and not results:  # the twin commits between check and command
            results.append(twin.confirm(placed.order_id, idempotency_key="confirm-1"))
        return shop.store.unit_of_work(read_only=read_only)

    racing = OrderService(factory, clock=shop.clock, ids=lambda: "unused")
    outcome = racing.confirm(placed.order_id, idempotency_key="confirm-1")
    assert [outcome] == results
    assert shop.outbox().count("OrderConfirmed") == 1


def test_a_twin_placement_is_replayed_and_creates_one_order(shop: Shop) -> None:
    twin = shop.make()
    ids = itertools.count(1)
    results: list[object] = []
    lines = [LineRequest(MUG, 1)]

    def factory(*, read_only: bool = False) -> UnitOfWork:
        if not read_only and not results:
            results.append(twin.place(CUSTOMER, lines, currency="EUR", idempotency_key="cart"))
        return shop.store.unit_of_work(read_only=read_only)

    racing = OrderService(
        factory, clock=shop.clock, ids=lambda: f"race-{next(ids)}", sleep=lambda _: None
    )
    outcome = racing.place(CUSTOMER, lines, currency="EUR", idempotency_key="cart")
    assert [outcome] == results
    with shop.store.unit_of_work(read_only=True) as uow:
        assert len(uow.orders.list_by_customer(CUSTOMER.id)) == 1
    assert shop.outbox().count("OrderPlaced") == 1


def test_a_sqlite_replay_does_not_wait_for_a_writer(tmp_path: pathlib.Path) -> None:
    path = tmp_path / "replay.db"
    stock_up(str(path), {Sku("SKU-1"): {LocationId("EAST"): 10}})
    with SqliteStore(path, busy_timeout=0.2) as store:
        service = OrderService(
            store.unit_of_work,
            clock=FixedClock(dt.datetime(2026, 3, 2, tzinfo=dt.UTC)),
            ids=lambda: "o-1",
        )
        request = [LineRequest(Sku("SKU-1"), 1, Money.of("1.00", "EUR"))]
        first = service.place(CUSTOMER, request, currency="EUR", idempotency_key="k")
        writer = sqlite3.connect(path, isolation_level=None)
        try:
            writer.execute("BEGIN IMMEDIATE")  # another process holds the write lock
            again = service.place(CUSTOMER, request, currency="EUR", idempotency_key="k")
        finally:
            writer.execute("ROLLBACK")
            writer.close()
    assert again == first
