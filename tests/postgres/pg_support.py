"""Helpers shared by the PostgreSQL tests (a uniquely named module: importable from tests)."""

from __future__ import annotations

from collections.abc import Callable

import psycopg
from psycopg.rows import TupleRow

ENV = "ORDERKIT_TEST_POSTGRES_DSN"
SKIP_REASON = f"set {ENV}=postgresql://... to run the PostgreSQL tests"

#: The tables :func:`reset_schema` empties (every table of the schema but its version).
TABLES = (
    "orders",
    "stock",
    "invoices",
    "shipments",
    "number_sequences",
    "idempotency_keys",
    "outbox",
)

#: Makes a new schema name for this test (dropped when the test ends).
SchemaFactory = Callable[[], str]


def reset_schema(admin: psycopg.Connection[TupleRow], schema: str) -> None:
    """Empty every table of a migrated schema (much faster than a new schema)."""
    with admin.transaction():
        for table in TABLES:
            admin.execute(f'DELETE FROM "{schema}".{table}')
