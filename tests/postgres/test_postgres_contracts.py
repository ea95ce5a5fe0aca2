"""The PostgreSQL adapter passes the whole storage contract.

Each test runs in a schema of its own (dropped afterwards); the contract's
"fresh store" is that schema emptied, which keeps property tests with many
examples quick. The stores share one psycopg pool, as a host's would.
"""

from __future__ import annotations

import psycopg
import pytest
from pg_support import SchemaFactory, reset_schema
from psycopg.rows import TupleRow
from psycopg_pool import ConnectionPool

from orderkit.adapters.postgres import PostgresStore
from orderkit.ports import UnitOfWorkFactory
from orderkit.testing.contracts import StorageContract, StorageFactory


class TestPostgresStorage(StorageContract):
    @pytest.fixture
    def fresh_storage(
        self,
        pool: ConnectionPool[psycopg.Connection[TupleRow]],
        admin: psycopg.Connection[TupleRow],
        new_schema: SchemaFactory,
    ) -> StorageFactory:
        store = PostgresStore(pool, schema=new_schema())
        store.migrate()

        def fresh() -> UnitOfWorkFactory:
            reset_schema(admin, store.schema)
            return store.unit_of_work

        return fresh
