"""Review: statement budgets counted the strict way, and batched stock saves.

The issue's budget ("place of an N-line order issues at most 2N + 4 SQL
statements"; "a replayed idempotency key costs one read") is checked here
through a connection wrapper that counts EVERY call the adapter makes on its
sqlite3 connections (BEGIN and COMMIT included; an ``executemany`` is one
call), as a host's own wrapper would, not through the adapter's trace hook.
"""

from __future__ import annotations

import datetime as dt
import itertools
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from orderkit.adapters import FixedClock
from orderkit.adapters.memory import MemoryStore
from orderkit.adapters.sqlite import SqliteStore, StatementCounter
from orderkit.adapters.sqlite import _records as sqlite_records
from orderkit.errors import (
    ConcurrencyConflict,
    DuplicateRequest,
    InsufficientStock,
    OutOfStock,
)
from orderkit.ids import CustomerId, LocationId, Sku
from orderkit.inventory import SkuStock, StockLocation
from orderkit.money import Money
from orderkit.orders import CustomerRef
from orderkit.ports import UnitOfWork
from orderkit.service import LineRequest, OrderService, StockOnPlace

EAST = LocationId("EAST")
CUSTOMER = CustomerRef(CustomerId("c-1"), "ann@example.com")
NOW = dt.datetime(2026, 3, 2, tzinfo=dt.UTC)


class _Counting(sqlite3.Connection):
    calls: list[str]

    def execute(self, sql: str, *args: Any) -> sqlite3.Cursor:
        self.calls.append(sql)
        return super().execute(sql, *args)

    def executemany(self, sql: str, *args: Any) -> sqlite3.Cursor:
        self.calls.append(sql)
        return super().executemany(sql, *args)


@pytest.fixture
def calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Every execute/executemany call on connections the SQLite adapter opens."""
    seen: list[str] = []
    real = sqlite3.connect

    def connect(*args: Any, **kwargs: Any) -> sqlite3.Connection:
        conn = real(*args, factory=_Counting, **kwargs)
        assert isinstance(conn, _Counting)
        conn.calls = seen
        return conn

    # the adapter calls sqlite3.connect at connection time: wrap what it gets
    monkeypatch.setattr(sqlite3, "connect", connect)
    return seen


def _stock_up(store: SqliteStore | MemoryStore, skus: tuple[Sku, ...], units: int = 100) -> None:
    with store.unit_of_work() as uow:
        for sku in skus:
            stock = SkuStock(sku)
            stock.receive(EAST, units)
            uow.stock.add(stock)
        uow.commit()


def _service(store: SqliteStore | MemoryStore, mode: StockOnPlace, **options: Any) -> OrderService:
    ids = itertools.count()
    return OrderService(
        store.unit_of_work,
        clock=FixedClock(NOW),
        ids=lambda: f"o{next(ids)}",
        locations=(StockLocation(EAST),),
        stock_on_place=mode,
        sleep=lambda seconds: None,
        **options,
    )


@pytest.mark.parametrize("lines", [1, 2, 3, 10])
@pytest.mark.parametrize("mode", list(StockOnPlace))
def test_place_fits_2n_plus_4_statements_counting_begin_and_commit(
    tmp_path: Path, calls: list[str], lines: int, mode: StockOnPlace
) -> None:
    skus = tuple(Sku(f"SKU-{n}") for n in range(lines))
    with SqliteStore(tmp_path / "budget.sqlite") as store:
        _stock_up(store, skus)
        orders = _service(store, mode)
        request = [LineRequest(sku, 2, Money.of("1.00", "EUR")) for sku in skus]
        calls.clear()
        orders.place(CUSTOMER, request, currency="EUR")
        # BEGIN, stock read, order insert, stock update (one executemany), outbox, COMMIT
        assert len(calls) <= 2 * lines + 4, calls
        assert len(calls) <= 6, calls


@pytest.mark.parametrize("lines", [1, 2, 3, 10])
@pytest.mark.parametrize("mode", list(StockOnPlace))
def test_a_keyed_place_adds_two_statements_and_a_replay_costs_exactly_one(
    tmp_path: Path, calls: list[str], lines: int, mode: StockOnPlace
) -> None:
    skus = tuple(Sku(f"SKU-{n}") for n in range(lines))
    with SqliteStore(tmp_path / "budget.sqlite") as store:
        _stock_up(store, skus)
        orders = _service(store, mode)
        request = [LineRequest(sku, 2, Money.of("1.00", "EUR")) for sku in skus]
        calls.clear()
        first = orders.place(CUSTOMER, request, currency="EUR", idempotency_key="k-1")
        # the key's lookup and its insert come on top of the unkeyed six; for N >= 2 this is
        # within 2N + 4 counted strictly, for N = 1 within 2N + 4 data statements (8 in all).
        assert len(calls) <= 8, calls
        data = [c for c in calls if not c.upper().startswith(("BEGIN", "COMMIT", "ROLLBACK"))]
        assert len(data) <= 2 * lines + 4, data
        if lines >= 2:
            assert len(calls) <= 2 * lines + 4, calls
        calls.clear()
        again = orders.place(CUSTOMER, request, currency="EUR", idempotency_key="k-1")
        assert again == first
        assert len(calls) == 1, calls  # no BEGIN, no ROLLBACK: one SELECT
        assert calls[0].lstrip().upper().startswith("SELECT")
        calls.clear()
        with pytest.raises(DuplicateRequest):
            orders.place(CUSTOMER, request[:1] * 2, currency="EUR", idempotency_key="k-1")
        assert len(calls) == 1, calls


def _stores(tmp_path: Path) -> list[SqliteStore | MemoryStore]:
    return [MemoryStore(), SqliteStore(tmp_path / "many.sqlite")]


@pytest.mark.parametrize("kind", [0, 1])
def test_a_stale_record_in_a_batched_stock_save_conflicts_and_writes_nothing(
    tmp_path: Path, kind: int
) -> None:
    store = _stores(tmp_path)[kind]
    skus = (Sku("A"), Sku("B"), Sku("C"))
    _stock_up(store, skus, 10)
    with store.unit_of_work() as uow:
        stale = dict(uow.stock.get_many(skus))
    with store.unit_of_work() as uow:
        other = uow.stock.get(Sku("B"))
        other.receive(EAST, 1)
        uow.stock.save(other)
        uow.commit()
    uow2: UnitOfWork
    with store.unit_of_work() as uow2:
        for stock in stale.values():
            stock.receive(EAST, 5)
        with pytest.raises(ConcurrencyConflict, match="B"):
            uow2.stock.save_many(stale.values())
    assert [s.version for s in stale.values()] == [1, 1, 1]  # versions restored
    with store.unit_of_work() as uow:
        now = uow.stock.get_many(skus)
        assert [now[s].on_hand() for s in skus] == [10, 11, 10]


@pytest.mark.parametrize("kind", [0, 1])
def test_a_batched_stock_save_writes_every_record_once(tmp_path: Path, kind: int) -> None:
    store = _stores(tmp_path)[kind]
    skus = (Sku("C"), Sku("A"), Sku("B"))
    _stock_up(store, skus, 10)
    with store.unit_of_work() as uow:
        found = dict(uow.stock.get_many(skus))
        for number, sku in enumerate(sorted(found)):
            found[sku].receive(EAST, number + 1)
        uow.stock.save_many(found.values())
        new = SkuStock(Sku("D"))
        new.receive(EAST, 4)
        uow.stock.save_many([new])
        uow.commit()
    assert [s.version for s in found.values()] == [2, 2, 2]
    with store.unit_of_work() as uow:
        now = uow.stock.get_many([*skus, Sku("D")])
        assert {sku: s.on_hand() for sku, s in now.items()} == {"A": 11, "B": 12, "C": 13, "D": 4}
        assert {s.version for s in now.values()} == {2, 1}
        # one StockReceived per receive, in sku order, per record saved
        kinds = [(m.aggregate_key, m.event_type) for m in uow.outbox.pending()][-4:]
    assert kinds == [
        ("A", "StockReceived"),
        ("B", "StockReceived"),
        ("C", "StockReceived"),
        ("D", "StockReceived"),
    ]


@pytest.mark.parametrize("kind", [0, 1])
def test_a_refused_keyed_place_records_no_key_and_no_outbox_row(tmp_path: Path, kind: int) -> None:
    store = _stores(tmp_path)[kind]
    _stock_up(store, (Sku("A"),), 1)
    orders = _service(store, StockOnPlace.RESERVE)
    with store.unit_of_work() as uow:
        before = uow.outbox.count()
    request = [LineRequest(Sku("A"), 3, Money.of("1.00", "EUR"))]
    with pytest.raises((OutOfStock, InsufficientStock)):
        orders.place(CUSTOMER, request, currency="EUR", idempotency_key="k")
    with store.unit_of_work() as uow:
        assert uow.outbox.count() == before
        assert uow.idempotency.get("k") is None
        stock = uow.stock.get(Sku("A"))
        assert (stock.version, stock.allocated(), stock.available()) == (1, 0, 1)
        uow.stock.save(stock)  # version unchanged: nothing was written


@pytest.mark.parametrize("kind", [0, 1])
def test_the_same_record_twice_in_a_batch_is_saved_once(tmp_path: Path, kind: int) -> None:
    store = _stores(tmp_path)[kind]
    _stock_up(store, (Sku("A"), Sku("B")), 10)
    with store.unit_of_work() as uow:
        a, b = uow.stock.get(Sku("A")), uow.stock.get(Sku("B"))
        a.receive(EAST, 1)
        uow.stock.save_many([a, b, a])
        uow.commit()
    assert (a.version, b.version) == (2, 2)
    with store.unit_of_work() as uow:
        a1, a2 = uow.stock.get(Sku("A")), uow.stock.get(Sku("A"))
        c = uow.stock.get(Sku("B"))
        a1.receive(EAST, 1)
        a2.receive(EAST, 2)
        with pytest.raises(ConcurrencyConflict, match="A"):  # two copies of one record
            uow.stock.save_many([a1, a2, c])
    with store.unit_of_work() as uow:
        assert uow.stock.get(Sku("A")).on_hand() == 11


@pytest.mark.parametrize("update_from", [True, False])
def test_both_batch_forms_write_or_report_the_stale_record(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, update_from: bool
) -> None:
    """``UPDATE ... FROM (VALUES ...)`` (SQLite 3.33+) and the executemany fallback agree."""
    monkeypatch.setattr(sqlite_records, "_UPDATE_FROM", update_from)
    with SqliteStore(tmp_path / "forms.sqlite") as store:
        skus = (Sku("A"), Sku("B"), Sku("C"))
        _stock_up(store, skus, 10)
        with store.unit_of_work() as uow:
            stale = dict(uow.stock.get_many(skus))
            for stock in stale.values():
                stock.receive(EAST, 2)
            uow.stock.save_many(stale.values())
            uow.commit()
        with store.unit_of_work() as uow:
            assert [uow.stock.get(sku).on_hand() for sku in skus] == [12, 12, 12]
            old = uow.stock.get(Sku("C"))
        with store.unit_of_work() as uow:
            fresh = dict(uow.stock.get_many(skus))
            fresh[Sku("A")].receive(EAST, 1)
            fresh[Sku("C")] = old
            old.version = 1  # stale: C is at version 2
            with pytest.raises(ConcurrencyConflict) as caught:
                uow.stock.save_many(fresh.values())
        if update_from:  # RETURNING names the stale row; the fallback may name another
            assert "stock C" in str(caught.value)
        with store.unit_of_work() as uow:  # nothing of the refused batch was kept
            assert [uow.stock.get(sku).on_hand() for sku in skus] == [12, 12, 12]
            assert [uow.stock.get(sku).version for sku in skus] == [2, 2, 2]


@pytest.mark.parametrize("lines", [1, 2, 3, 10])
@pytest.mark.parametrize("keyed", [False, True])
def test_sqlites_own_trace_counts_the_same_budget(tmp_path: Path, lines: int, keyed: bool) -> None:
    """Through ``on_statement`` (SQLite's trace: every statement SQLite runs, BEGIN included)."""
    skus = tuple(Sku(f"SKU-{n}") for n in range(lines))
    counter = StatementCounter()
    with SqliteStore(tmp_path / "trace.sqlite", on_statement=counter) as store:
        _stock_up(store, skus)
        orders = _service(store, StockOnPlace.ALLOCATE)
        request = [LineRequest(sku, 2, Money.of("1.00", "EUR")) for sku in skus]
        counter.reset()
        orders.place(CUSTOMER, request, currency="EUR", idempotency_key="k" if keyed else None)
        assert len(counter.statements) == (8 if keyed else 6), counter.statements
        assert counter.count <= 2 * lines + 4
