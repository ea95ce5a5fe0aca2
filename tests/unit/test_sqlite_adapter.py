"""SQLite specifics: pragmas, migrations, error translation, statement budgets."""

from __future__ import annotations

import datetime as dt
import itertools
import sqlite3
import threading
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orderkit.adapters._codecs import DOCUMENTS, ORDERS, SHIPMENTS, STOCK
from orderkit.adapters.sqlite import SCHEMA_VERSION, SqliteStore, StatementCounter
from orderkit.adapters.sqlite._connection import ConnectionPool, translate_errors
from orderkit.errors import ConcurrencyConflict, StoreUnavailable, ValidationError
from orderkit.ids import LocationId, OrderId, Sku
from orderkit.testing.contracts._storage import BASE_TIME, make_order, make_stock


def _raw(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(path, isolation_level=None)


def test_connections_use_wal_foreign_keys_normal_sync_and_a_busy_timeout(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "db.sqlite", busy_timeout=2.5) as store:
        conn = store._pool.acquire()
        try:
            pragmas = {
                name: conn.execute(f"PRAGMA {name}").fetchone()[0]
                for name in ("journal_mode", "foreign_keys", "synchronous", "busy_timeout")
            }
        finally:
            store._pool.release(conn)
    assert pragmas == {
        "journal_mode": "wal",
        "foreign_keys": 1,
        "synchronous": 1,
        "busy_timeout": 2500,
    }


def test_migrations_run_once_and_are_recorded(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    with SqliteStore(path, migrate=False) as store:
        assert store.schema_version() == 0
        assert store.migrate() == 0
        assert store.migrate() == SCHEMA_VERSION
        assert store.schema_version() == SCHEMA_VERSION
    with SqliteStore(path) as again:
        assert again.schema_version() == SCHEMA_VERSION
    rows = _raw(path).execute("SELECT version FROM schema_version ORDER BY version").fetchall()
    assert rows == [(v,) for v in range(1, SCHEMA_VERSION + 1)]


def test_every_indexed_column_exists_in_the_schema(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    SqliteStore(path).close()
    conn = _raw(path)
    for spec in (ORDERS.spec, STOCK.spec, DOCUMENTS.spec, SHIPMENTS.spec):
        columns = {row[1] for row in conn.execute(f"PRAGMA table_info({spec.table})")}
        assert {spec.key_column, "version", "data", *spec.columns} <= columns, spec.table


def test_a_file_from_a_newer_orderkit_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    SqliteStore(path).close()
    _raw(path).execute("INSERT INTO schema_version (version) VALUES (?)", (SCHEMA_VERSION + 1,))
    with pytest.raises(StoreUnavailable, match="upgrade orderkit") as caught:
        SqliteStore(path)
    assert not caught.value.retryable


def test_a_file_that_is_not_a_database_is_a_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "junk.sqlite"
    path.write_bytes(b"this is not a database" * 100)
    with pytest.raises(StoreUnavailable, match=r"junk\.sqlite") as caught:
        SqliteStore(path)
    assert not caught.value.retryable


def test_a_writer_that_waits_too_long_gets_a_retryable_error(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    with SqliteStore(path) as holder, SqliteStore(path, busy_timeout=0.05) as waiter:
        with holder.unit_of_work() as uow:
            uow.numbers.next("INV", 2026)
            with pytest.raises(StoreUnavailable, match="locked") as caught:
                waiter.unit_of_work().begin()
            uow.commit()
        assert caught.value.retryable
        with waiter.unit_of_work() as uow:
            assert uow.numbers.next("INV", 2026) == 2
            uow.commit()


def test_a_stale_wal_snapshot_is_a_concurrency_conflict() -> None:
    error = sqlite3.OperationalError("database is locked")
    error.sqlite_errorname = "SQLITE_BUSY_SNAPSHOT"
    with pytest.raises(ConcurrencyConflict, match="another writer"), translate_errors("x", "save"):
        raise error


def test_a_corrupted_row_is_a_validation_error_not_a_crash(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    with SqliteStore(path) as store:
        with store.unit_of_work() as uow:
            uow.orders.add(make_order(1))
            uow.commit()
        _raw(path).execute("UPDATE orders SET data = '{not json'")
        with store.unit_of_work() as uow, pytest.raises(ValidationError, match="order"):
            uow.orders.get(OrderId("o-00001"))


def test_threads_get_their_own_connections(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "db.sqlite") as store:
        errors: list[BaseException] = []

        def work(n: int) -> None:
            try:
                for i in range(10):
                    with store.unit_of_work() as uow:
                        uow.orders.add(make_order(n * 100 + i))
                        uow.commit()
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        threads = [threading.Thread(target=work, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert errors == []
        with store.unit_of_work() as uow:
            assert len(uow.orders.list_by_status("placed")) == 40


_dbs = itertools.count()


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    skus=st.lists(st.sampled_from(["A", "B", "C", "D", "E", "F", "G", "H"]), min_size=1, max_size=8)
)
def test_a_place_shaped_unit_of_work_fits_2n_plus_4_statements(
    tmp_path: Path, skus: list[str]
) -> None:
    """What `OrderService.place` does for an N-line order, and a replay of its key."""
    counter = StatementCounter()
    with SqliteStore(tmp_path / f"budget-{next(_dbs)}.sqlite", on_statement=counter) as store:
        with store.unit_of_work() as uow:
            for sku in sorted(set(skus)):
                uow.stock.add(make_stock(sku, 50))
            uow.commit()
        counter.reset()
        with store.unit_of_work() as uow:
            assert uow.idempotency.get("place-1", "fp") is None
            stock = uow.stock.get_many(Sku(s) for s in skus)
            order = make_order(1, skus=skus)
            for line in order.lines:
                stock[line.sku].allocate(order.id, {LocationId("WH-1"): 1}, at=BASE_TIME)
            uow.orders.add(order)
            for record in stock.values():
                uow.stock.save(record)
            uow.idempotency.put("place-1", str(order.id), fingerprint="fp")
            uow.commit()
        assert counter.count <= 2 * len(skus) + 4, counter.data_statements
        counter.reset()
        with store.unit_of_work() as uow:
            replay = uow.idempotency.get("place-1", "fp")
        assert replay is not None
        assert replay.result == "o-00001"
        assert counter.count == 1, counter.data_statements


def test_statement_counter_separates_control_statements(tmp_path: Path) -> None:
    counter = StatementCounter()
    with SqliteStore(tmp_path / "db.sqlite", on_statement=counter) as store:
        counter.reset()
        with store.unit_of_work() as uow:
            uow.orders.list_by_status("placed")
            uow.outbox.count()
        assert counter.count == 2
        assert counter.statements[0] == "BEGIN IMMEDIATE"
        assert counter.statements[-1] == "ROLLBACK"


def test_orders_placed_with_offsets_sort_by_instant(tmp_path: Path) -> None:
    east = dt.timezone(dt.timedelta(hours=5))
    first = make_order(1, at=dt.datetime(2026, 3, 2, 12, 0, tzinfo=east))  # 07:00 UTC
    second = make_order(2, at=dt.datetime(2026, 3, 2, 8, 0, tzinfo=dt.UTC))
    with SqliteStore(tmp_path / "db.sqlite") as store:
        with store.unit_of_work() as uow:
            uow.orders.add(second)
            uow.orders.add(first)
            uow.commit()
        with store.unit_of_work() as uow:
            window = uow.orders.placed_between(
                BASE_TIME.replace(hour=0), BASE_TIME.replace(hour=23)
            )
            assert [o.id for o in window] == ["o-00001", "o-00002"]


def test_a_broken_connection_is_rolled_back_quietly_and_dropped(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "db.sqlite") as store:
        with store.unit_of_work() as uow:
            uow.numbers.next("INV", 2026)
            uow._conn.close()  # type: ignore[union-attr]
        assert not uow.active
        with store.unit_of_work() as uow:
            assert uow.numbers.current("INV", 2026) == 0


def test_the_pool_keeps_a_bounded_number_of_idle_connections(tmp_path: Path) -> None:
    path = str(tmp_path / "db.sqlite")
    pool = ConnectionPool(lambda: sqlite3.connect(path, isolation_level=None), size=1)
    first, second = pool.acquire(), pool.acquire()
    pool.release(first)
    pool.release(second)  # the pool is full: closed
    with pytest.raises(sqlite3.ProgrammingError):
        second.execute("SELECT 1")
    assert pool.acquire() is first
    pool.release(first)
    pool.close()
    with pytest.raises(sqlite3.ProgrammingError):
        first.execute("SELECT 1")


def test_a_read_only_unit_of_work_neither_waits_for_nor_blocks_writers(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite"
    with SqliteStore(path) as store, SqliteStore(path, busy_timeout=0.05) as other:
        with store.unit_of_work() as uow:
            uow.orders.add(make_order(1))
            uow.commit()
        with store.unit_of_work() as writer:
            writer.orders.add(make_order(2))
            with other.unit_of_work(read_only=True) as reader:  # the writer holds the lock
                assert [o.id for o in reader.orders.list_by_status("placed")] == ["o-00001"]
            writer.commit()
        with other.unit_of_work(read_only=True) as reader:
            with store.unit_of_work() as writer:  # the reader holds no lock
                writer.numbers.next("INV", 2026)
                writer.commit()
            assert reader.numbers.current("INV", 2026) == 1
