"""Review: an idempotency replay on PostgreSQL is one autocommit SELECT, no transaction.

The service answers a known key from a read-only unit of work opened with
``snapshot=False``: on PostgreSQL that reader runs its single lookup on the
autocommit connection, so a replay costs one statement (no BEGIN/COMMIT) and
the connection is idle before, during and after it.
"""

from __future__ import annotations

import datetime as dt
import itertools

import psycopg
import pytest
from pg_support import SchemaFactory
from psycopg.pq import TransactionStatus
from psycopg.rows import TupleRow

from orderkit.adapters import FixedClock
from orderkit.adapters.postgres import PostgresStore
from orderkit.errors import ValidationError
from orderkit.ids import CustomerId, LocationId, Sku
from orderkit.inventory import SkuStock, StockLocation
from orderkit.money import Money
from orderkit.orders import CustomerRef
from orderkit.service import LineRequest, OrderService, StockOnPlace
from orderkit.testing.contracts._storage import make_stock


def test_a_snapshot_free_reader_opens_no_transaction(
    postgres_dsn: str, new_schema: SchemaFactory
) -> None:
    opened: list[psycopg.Connection[TupleRow]] = []

    def connect() -> psycopg.Connection[TupleRow]:
        conn = psycopg.connect(postgres_dsn, autocommit=True)
        opened.append(conn)
        return conn

    with PostgresStore(connect, schema=new_schema()) as store:
        store.migrate()
        with store.unit_of_work() as uow:
            uow.idempotency.put("k", {"n": 1}, fingerprint="f")
            uow.commit()
        with store.unit_of_work(read_only=True, snapshot=False) as reader:
            stored = reader.idempotency.get("k", "f")
            (conn,) = opened
            assert conn.info.transaction_status == TransactionStatus.IDLE
            reader.commit()
        assert stored is not None
        assert stored.result == {"n": 1}
        states = [conn.info.transaction_status]
        with store.unit_of_work(read_only=True) as reader:  # the default keeps a snapshot
            reader.idempotency.get("k")
            states.append(conn.info.transaction_status)
        states.append(conn.info.transaction_status)
        assert states == [TransactionStatus.IDLE, TransactionStatus.INTRANS, TransactionStatus.IDLE]


def test_a_replayed_key_reads_once_and_changes_nothing(store: PostgresStore) -> None:
    sku, east = Sku("MUG"), LocationId("EAST")
    with store.unit_of_work() as uow:
        stock = SkuStock(sku)
        stock.receive(east, 5)
        uow.stock.add(stock)
        uow.commit()
    ids = itertools.count()
    service = OrderService(
        store.unit_of_work,
        clock=FixedClock(dt.datetime(2026, 3, 2, tzinfo=dt.UTC)),
        ids=lambda: f"o{next(ids)}",
        locations=(StockLocation(east),),
        stock_on_place=StockOnPlace.ALLOCATE,
    )
    customer = CustomerRef(CustomerId("c-1"), "ann@example.com")
    lines = [LineRequest(sku, 2, Money.of("1.00", "EUR"))]
    first = service.place(customer, lines, currency="EUR", idempotency_key="k")
    with store.unit_of_work() as uow:
        before = (uow.outbox.count(), uow.stock.get(sku).version)
    assert service.place(customer, lines, currency="EUR", idempotency_key="k") == first
    with store.unit_of_work() as uow:
        assert (uow.outbox.count(), uow.stock.get(sku).version) == before
        assert uow.stock.get(sku).allocated() == 2


def test_the_text_backslash_u0000_is_stored_and_only_a_real_nul_is_refused(
    store: PostgresStore,
) -> None:
    """The JSON of the text ``\\u0000`` is ``"\\\\u0000"``: no NUL, and jsonb stores it."""
    looks_like_nul = "C:\\u0000"  # a backslash, then the letters u0000
    with store.unit_of_work() as uow:
        uow.stock.add(make_stock("A", 5, location=looks_like_nul))
        uow.commit()
    with store.unit_of_work() as uow:
        assert uow.stock.get(Sku("A")).locations == (LocationId(looks_like_nul),)
        with pytest.raises(ValidationError, match="NUL"):
            uow.stock.add(make_stock("B", 5, location="C:\x00"))
