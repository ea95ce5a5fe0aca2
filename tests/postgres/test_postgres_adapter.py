"""PostgreSQL-specific behaviour: connections, migrations, locking and error translation."""

from __future__ import annotations

import datetime as dt
import threading
import time
from collections.abc import Callable
from typing import Any

import psycopg
import pytest
from pg_support import SchemaFactory
from psycopg.pq import TransactionStatus
from psycopg.rows import TupleRow
from psycopg_pool import ConnectionPool

from orderkit.adapters import FixedClock
from orderkit.adapters._records import RecordStore
from orderkit.adapters.postgres import SCHEMA_VERSION, PostgresStore, PostgresUnitOfWork
from orderkit.adapters.postgres._errors import translate_errors
from orderkit.errors import ConcurrencyConflict, OrderkitError, StoreUnavailable, ValidationError
from orderkit.ids import CustomerId, LocationId, OrderId, Sku
from orderkit.inventory import StockLocation
from orderkit.money import Money
from orderkit.orders import CustomerRef
from orderkit.service import LineRequest, OrderService, StockOnPlace
from orderkit.testing.contracts._storage import make_order, make_stock


def _state(admin: psycopg.Connection[TupleRow], backend_pid: int) -> str | None:
    row = admin.execute("SELECT state FROM pg_stat_activity WHERE pid = %s", (backend_pid,))
    found = row.fetchone()
    return None if found is None else str(found[0])


def _recording(
    dsn: str, **options: object
) -> tuple[Callable[[], psycopg.Connection[TupleRow]], list[psycopg.Connection[TupleRow]]]:
    opened: list[psycopg.Connection[TupleRow]] = []

    def connect() -> psycopg.Connection[TupleRow]:
        conn = psycopg.connect(dsn)  # a default connection: autocommit off
        for name, value in options.items():
            setattr(conn, name, value)
        opened.append(conn)
        return conn

    return connect, opened


# -- connections -----------------------------------------------------------------------


def test_the_implicit_transaction_trap_that_the_store_avoids(postgres_dsn: str) -> None:
    with psycopg.connect(postgres_dsn) as conn:  # a default psycopg 3 connection
        conn.execute("SELECT 1")
        with conn.transaction():  # only a savepoint inside the implicit transaction
            conn.execute("SELECT 2")
        assert conn.info.transaction_status == TransactionStatus.INTRANS  # still open


def test_a_connection_is_idle_between_units_of_work(
    postgres_dsn: str, new_schema: SchemaFactory, admin: psycopg.Connection[TupleRow]
) -> None:
    connect, opened = _recording(postgres_dsn)
    with PostgresStore(connect, schema=new_schema()) as store:
        store.migrate()
        for attempt in range(3):
            with store.unit_of_work() as uow:
                uow.orders.add(make_order(attempt))
                assert uow.connection is not None
                backend = uow.connection.info.backend_pid
                assert _state(admin, backend) == "idle in transaction"  # the positive control
                if attempt != 1:
                    uow.commit()  # attempt 1 rolls back instead
            (conn,) = opened  # reused, never a second connection
            assert conn.autocommit
            assert conn.info.transaction_status == TransactionStatus.IDLE
            assert _state(admin, backend) == "idle"
        with store.unit_of_work() as uow:
            assert [o.id for o in uow.orders.list_by_status("placed")] == ["o-00000", "o-00002"]


def test_a_host_pool_works_and_gets_its_connections_back_as_they_were(
    postgres_dsn: str, new_schema: SchemaFactory
) -> None:
    with ConnectionPool(postgres_dsn, min_size=1, max_size=1, open=True) as pool:
        store = PostgresStore(pool, schema=new_schema())
        store.migrate()
        with store.unit_of_work() as uow:
            uow.stock.add(make_stock("A"))
            uow.commit()
        with pool.connection() as conn:
            assert not conn.autocommit  # the pool's own setting, restored
            assert conn.info.transaction_status == TransactionStatus.IDLE
            conn.rollback()
        with store.unit_of_work() as uow:
            assert uow.stock.get(Sku("A")).on_hand() == 10
        store.close()  # leaves the host's pool alone
        with pool.connection() as conn:
            assert conn.execute("SELECT 1").fetchone() == (1,)


def test_bad_arguments_are_refused(postgres_dsn: str) -> None:
    with pytest.raises(ValidationError, match="schema"):
        PostgresStore(postgres_dsn, schema="Robert'); DROP TABLE students;--")
    with pytest.raises(ValidationError, match="connections"):
        PostgresStore(42)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="idle_connections"):
        PostgresStore(postgres_dsn, idle_connections="4")  # type: ignore[arg-type]


def test_an_unreachable_server_is_a_retryable_store_unavailable() -> None:
    store = PostgresStore("postgresql://postgres@127.0.0.1:1/none?connect_timeout=2")
    with pytest.raises(StoreUnavailable, match="connect") as caught, store.unit_of_work():
        pass  # pragma: no cover - begin fails
    assert caught.value.retryable


# -- migrations --------------------------------------------------------------------------


def test_migrate_is_explicit_idempotent_and_required(
    postgres_dsn: str, new_schema: SchemaFactory, admin: psycopg.Connection[TupleRow]
) -> None:
    store = PostgresStore(postgres_dsn, schema=new_schema())
    assert store.schema_version() == 0
    with pytest.raises(StoreUnavailable, match=r"migrate\(\)") as caught, store.unit_of_work():
        pass  # pragma: no cover - begin fails
    assert not caught.value.retryable
    assert store.migrate() == 0
    assert store.migrate() == SCHEMA_VERSION
    assert store.schema_version() == SCHEMA_VERSION
    admin.execute(
        f'INSERT INTO "{store.schema}".schema_version (version) VALUES (%s)', (SCHEMA_VERSION + 1,)
    )
    with pytest.raises(StoreUnavailable, match="upgrade orderkit") as newer:
        store.migrate()
    assert not newer.value.retryable
    store.close()


def test_concurrent_migrations_apply_each_version_once(
    postgres_dsn: str, new_schema: SchemaFactory, admin: psycopg.Connection[TupleRow]
) -> None:
    schema = new_schema()
    stores = [PostgresStore(postgres_dsn, schema=schema) for _ in range(4)]
    befores: list[int] = []
    start = threading.Barrier(len(stores))

    def run(store: PostgresStore) -> None:
        start.wait()
        befores.append(store.migrate())

    threads = [threading.Thread(target=run, args=(store,)) for store in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(befores) == [0] + [SCHEMA_VERSION] * (len(stores) - 1)
    rows = admin.execute(f'SELECT version FROM "{schema}".schema_version ORDER BY 1').fetchall()
    assert rows == [(v,) for v in range(1, SCHEMA_VERSION + 1)]
    for store in stores:
        store.close()


# -- locking and transient failures --------------------------------------------------------


def test_stock_of_several_skus_is_locked_until_the_unit_of_work_ends(
    store: PostgresStore, admin: psycopg.Connection[TupleRow]
) -> None:
    with store.unit_of_work() as uow:
        uow.stock.add(make_stock("A"))
        uow.stock.add(make_stock("B"))
        uow.commit()
    seen: list[int] = []
    waiting: list[int] = []

    def second() -> None:
        with store.unit_of_work() as other:
            assert other.connection is not None
            waiting.append(other.connection.info.backend_pid)
            seen.append(other.stock.get_many([Sku("B")])[Sku("B")].version)

    with store.unit_of_work() as uow:
        stocks = uow.stock.get_many([Sku("B"), Sku("A")])
        thread = threading.Thread(target=second)
        thread.start()
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:  # wait until the second one waits on our lock
            row = admin.execute(
                "SELECT wait_event_type FROM pg_stat_activity WHERE pid = %s",
                (waiting[0] if waiting else 0,),
            ).fetchone()
            if row is not None and row[0] == "Lock":
                break
            time.sleep(0.01)
        else:  # pragma: no cover - reported below
            pytest.fail("the second unit of work never waited for the stock lock")
        uow.stock.save(stocks[Sku("B")])
        uow.commit()
    thread.join()
    assert seen == [2], "the waiter read the committed version, not a stale one"


def test_a_deadlock_is_a_retryable_conflict_and_writes_nothing(store: PostgresStore) -> None:
    with store.unit_of_work() as uow:
        uow.orders.add(make_order(1))
        uow.orders.add(make_order(2))
        uow.commit()
    both_hold_one = threading.Barrier(2)
    outcomes: list[str] = []

    def work(first: str, second: str) -> None:
        with store.unit_of_work() as uow:
            a, b = uow.orders.get(OrderId(first)), uow.orders.get(OrderId(second))
            uow.orders.save(a)
            both_hold_one.wait()
            try:
                uow.orders.save(b)
            except ConcurrencyConflict as conflict:
                outcomes.append(f"conflict {conflict}")
                return
            uow.commit()
            outcomes.append("committed")

    threads = [
        threading.Thread(target=work, args=("o-00001", "o-00002")),
        threading.Thread(target=work, args=("o-00002", "o-00001")),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes)[0] == "committed"
    assert "40P01" in sorted(outcomes)[1]
    with store.unit_of_work() as uow:
        assert [uow.orders.get(OrderId(k)).version for k in ("o-00001", "o-00002")] == [2, 2]


def test_a_serialization_failure_is_a_retryable_conflict(
    postgres_dsn: str, new_schema: SchemaFactory
) -> None:
    connect, _ = _recording(postgres_dsn, isolation_level=psycopg.IsolationLevel.REPEATABLE_READ)
    with PostgresStore(connect, schema=new_schema()) as store:
        store.migrate()
        with store.unit_of_work() as uow:
            uow.orders.add(make_order(1))
            uow.commit()
        with store.unit_of_work() as mine:
            stale = mine.orders.get(OrderId("o-00001"))
            with store.unit_of_work() as theirs:
                fresh = theirs.orders.get(OrderId("o-00001"))
                theirs.orders.save(fresh)
                theirs.commit()
            with pytest.raises(ConcurrencyConflict, match="40001") as caught:
                mine.orders.save(stale)
        assert caught.value.retryable
        assert stale.version == 1


def test_a_connection_lost_mid_unit_of_work_is_retryable_and_writes_nothing(
    store: PostgresStore, admin: psycopg.Connection[TupleRow]
) -> None:
    with store.unit_of_work() as uow:
        uow.orders.add(make_order(1))
        assert uow.connection is not None
        admin.execute("SELECT pg_terminate_backend(%s)", (uow.connection.info.backend_pid,))
        with pytest.raises(StoreUnavailable) as caught:
            uow.numbers.next("INV", 2026)
        assert caught.value.retryable
    assert not uow.active
    with store.unit_of_work() as uow:  # a new connection; nothing of the lost one
        assert uow.orders.list_by_status("placed") == []
        assert uow.numbers.current("INV", 2026) == 0
        assert uow.outbox.count() == 0


class _KillFirst(PostgresUnitOfWork):
    """A unit of work whose first transaction loses its connection right after BEGIN."""

    killed: list[int] = []  # noqa: RUF012 - shared on purpose: only the first one dies
    admin: psycopg.Connection[TupleRow]

    def _begin(self) -> RecordStore:
        records = super()._begin()
        if not self.killed and self.connection is not None:
            pid = self.connection.info.backend_pid
            self.killed.append(pid)
            self.admin.execute("SELECT pg_terminate_backend(%s)", (pid,))
        return records


def test_the_service_retries_a_lost_connection_and_does_the_command_once(
    store: PostgresStore, admin: psycopg.Connection[TupleRow]
) -> None:
    with store.unit_of_work() as uow:
        uow.stock.add(make_stock("A", location="WH-1"))
        uow.commit()
    _KillFirst.killed = []
    _KillFirst.admin = admin
    service = OrderService(
        lambda: _KillFirst(store),
        clock=FixedClock(dt.datetime(2026, 3, 2, tzinfo=dt.UTC)),
        ids=lambda: "o-1",
        locations=(StockLocation(LocationId("WH-1")),),
        stock_on_place=StockOnPlace.ALLOCATE,
        sleep=lambda _: None,
    )
    placed = service.place(
        CustomerRef(CustomerId("c-1"), "c@example.com"),
        [LineRequest(Sku("A"), 2, Money.of("1.00", "EUR"))],
        currency="EUR",
    )
    assert len(_KillFirst.killed) == 1, "the first attempt lost its connection"
    with store.unit_of_work() as uow:
        assert [o.id for o in uow.orders.list_by_status(placed.status)] == ["o-1"]
        assert uow.stock.get(Sku("A")).allocated() == 2
        kinds = [m.event_type for m in uow.outbox.pending() if m.aggregate_key == "o-1"]
    assert kinds.count("OrderPlaced") == 1


def test_a_connection_lost_during_commit_is_not_retryable() -> None:
    with (
        pytest.raises(StoreUnavailable, match="outcome is unknown") as caught,
        translate_errors("s", "commit", committing=True),
    ):
        raise psycopg.OperationalError("server closed the connection unexpectedly")
    assert not caught.value.retryable
    with pytest.raises(StoreUnavailable) as other, translate_errors("s", "select"):
        raise psycopg.ProgrammingError("syntax error")
    assert not other.value.retryable


def test_nul_characters_are_refused_and_the_unit_of_work_stays_usable(
    store: PostgresStore,
) -> None:
    with store.unit_of_work() as uow:
        with pytest.raises(ValidationError, match="NUL"):
            uow.orders.add(make_order(1, customer="c\x00"))  # a text column
        with pytest.raises(ValidationError, match="NUL"):
            uow.idempotency.put("k\x00", "done")
        uow.orders.add(make_order(2))
        uow.commit()
    with store.unit_of_work() as uow:
        assert [o.id for o in uow.orders.list_by_status("placed")] == ["o-00002"]


def test_a_read_only_unit_of_work_neither_locks_nor_writes(store: PostgresStore) -> None:
    with store.unit_of_work() as uow:
        uow.stock.add(make_stock("A"))
        uow.commit()
    with store.unit_of_work() as writer:
        held = writer.stock.get_many([Sku("A")])[Sku("A")]  # locked FOR UPDATE
        with store.unit_of_work(read_only=True) as reader:  # does not wait for it
            seen = reader.stock.get_many([Sku("A")])[Sku("A")]
            with pytest.raises(OrderkitError, match="read-only"):
                reader.stock.save(seen)
        writer.stock.save(held)
        writer.commit()
    assert (seen.version, held.version) == (1, 2)


def test_a_batched_stock_save_is_one_statement_and_its_events_keep_their_order(
    store: PostgresStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    skus = [Sku("C"), Sku("A"), Sku("B")]
    with store.unit_of_work() as uow:
        for sku in skus:
            uow.stock.add(make_stock(sku))
        uow.commit()
    sent: list[str] = []
    real = psycopg.Connection.execute

    def execute(
        self: psycopg.Connection[TupleRow], query: str, *args: Any, **kwargs: Any
    ) -> object:
        sent.append(query)
        return real(self, query, *args, **kwargs)

    monkeypatch.setattr(psycopg.Connection, "execute", execute)
    with store.unit_of_work() as uow:
        found = uow.stock.get_many(skus)
        for number, sku in enumerate(sorted(found)):
            found[sku].receive(LocationId("WH-1"), number + 1)
        uow.stock.save_many(found.values())
        uow.commit()
    updates = [query for query in sent if query.startswith("UPDATE")]
    outbox = [query for query in sent if "outbox" in query]
    assert (len(updates), len(outbox)) == (1, 1)
    with store.unit_of_work() as uow:
        now = uow.stock.get_many(skus)
        assert {sku: (s.version, s.on_hand()) for sku, s in now.items()} == {
            "A": (2, 11),
            "B": (2, 12),
            "C": (2, 13),
        }
        pending = uow.outbox.pending()
    assert [m.aggregate_key for m in pending][-3:] == ["A", "B", "C"]
    assert [m.position for m in pending] == sorted(m.position for m in pending)


def test_a_stale_record_in_a_batched_stock_save_is_named_and_nothing_is_written(
    store: PostgresStore,
) -> None:
    skus = [Sku("A"), Sku("B"), Sku("C")]
    with store.unit_of_work() as uow:
        for sku in skus:
            uow.stock.add(make_stock(sku))
        uow.commit()
    with store.unit_of_work() as uow:
        old = uow.stock.get(Sku("B"))
    with store.unit_of_work() as uow:
        newer = uow.stock.get(Sku("B"))
        newer.receive(LocationId("WH-1"), 1)
        uow.stock.save(newer)
        uow.commit()
    with store.unit_of_work() as uow:
        fresh = dict(uow.stock.get_many(skus))
        fresh[Sku("B")] = old
        for stock in fresh.values():
            stock.receive(LocationId("WH-1"), 5)
        with pytest.raises(ConcurrencyConflict, match="stock B"):
            uow.stock.save_many(fresh.values())
    with store.unit_of_work() as uow:
        now = uow.stock.get_many(skus)
        assert [(now[s].version, now[s].on_hand()) for s in skus] == [(1, 10), (2, 11), (1, 10)]
    with store.unit_of_work() as uow:
        batch = list(uow.stock.get_many(skus).values())
        batch[0].receive(LocationId("WH-\x00"), 1)
        with pytest.raises(ValidationError, match="NUL"):
            uow.stock.save_many(batch)
