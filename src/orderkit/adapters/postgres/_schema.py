"""The PostgreSQL schema and its versioned migrations.

Every table lives in one schema the host names (``orderkit`` by default), so
one database can hold several independent stores (a test per schema, a
tenant per schema). :func:`migrate` applies the missing migrations in one
transaction after taking a transaction-level advisory lock derived from the
schema name: two processes migrating at once queue on that lock, and the
second one finds nothing left to do. Never edit a released migration: append
a new one.

Text keys are ``COLLATE "C"`` so that ``ORDER BY`` (and the order in which
stock rows are locked) is plain code-point order, the same as Python's
``sorted`` and the other adapters, whatever the database's locale.
"""

from __future__ import annotations

import hashlib
import re

import psycopg
from psycopg.rows import TupleRow

from orderkit.adapters.postgres._errors import translate_errors
from orderkit.errors import StoreUnavailable, ValidationError

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "advisory_key",
    "check_schema_name",
    "migrate",
    "quote",
    "schema_version",
]

_SCHEMA_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")

#: Each migration: statements with ``{s}`` standing for the quoted schema name.
MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE {s}.orders (
            id text COLLATE "C" PRIMARY KEY,
            version integer NOT NULL CHECK (version >= 1),
            customer_id text COLLATE "C" NOT NULL,
            status text COLLATE "C" NOT NULL,
            placed_at_us bigint NOT NULL,
            data jsonb NOT NULL,
            seq bigint GENERATED ALWAYS AS IDENTITY
        )""",
        "CREATE INDEX orders_by_customer ON {s}.orders (customer_id, placed_at_us, id)",
        "CREATE INDEX orders_by_status ON {s}.orders (status, placed_at_us, id)",
        "CREATE INDEX orders_by_placed_at ON {s}.orders (placed_at_us, id)",
        """CREATE TABLE {s}.stock (
            sku text COLLATE "C" PRIMARY KEY,
            version integer NOT NULL CHECK (version >= 1),
            data jsonb NOT NULL,
            seq bigint GENERATED ALWAYS AS IDENTITY
        )""",
        """CREATE TABLE {s}.invoices (
            number text COLLATE "C" PRIMARY KEY,
            version integer NOT NULL CHECK (version >= 1),
            order_id text COLLATE "C" NOT NULL,
            series text COLLATE "C" NOT NULL,
            data jsonb NOT NULL,
            seq bigint GENERATED ALWAYS AS IDENTITY
        )""",
        "CREATE INDEX invoices_by_order ON {s}.invoices (order_id, seq)",
        """CREATE TABLE {s}.shipments (
            id text COLLATE "C" PRIMARY KEY,
            version integer NOT NULL CHECK (version >= 1),
            order_id text COLLATE "C" NOT NULL,
            status text COLLATE "C" NOT NULL,
            data jsonb NOT NULL,
            seq bigint GENERATED ALWAYS AS IDENTITY
        )""",
        "CREATE INDEX shipments_by_order ON {s}.shipments (order_id, seq)",
        """CREATE TABLE {s}.number_sequences (
            series text COLLATE "C" NOT NULL,
            year integer NOT NULL,
            last bigint NOT NULL CHECK (last >= 1),
            PRIMARY KEY (series, year)
        )""",
        """CREATE TABLE {s}.idempotency_keys (
            key text COLLATE "C" PRIMARY KEY,
            fingerprint text NOT NULL,
            result text NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now()
        )""",
        """CREATE TABLE {s}.outbox (
            position bigserial PRIMARY KEY,
            message_id text COLLATE "C" NOT NULL UNIQUE,
            aggregate_type text COLLATE "C" NOT NULL,
            aggregate_key text COLLATE "C" NOT NULL,
            event_type text NOT NULL,
            payload jsonb NOT NULL,
            created_at timestamptz NOT NULL DEFAULT now(),
            dispatched_at timestamptz
        )""",
        "CREATE INDEX outbox_pending ON {s}.outbox (position) WHERE dispatched_at IS NULL",
        """CREATE INDEX outbox_pending_by_aggregate
            ON {s}.outbox (aggregate_type, aggregate_key, position) WHERE dispatched_at IS NULL""",
    ),
)

#: The schema version this code writes and expects.
SCHEMA_VERSION = len(MIGRATIONS)


def check_schema_name(name: object) -> str:
    """A schema name must be a plain lower-case identifier (it is quoted into SQL)."""
    if not isinstance(name, str) or not _SCHEMA_NAME.match(name):
        raise ValidationError(
            f"must be a lower-case SQL identifier of at most 63 characters, got {name!r}",
            path="schema",
        )
    return name


def quote(schema: str) -> str:
    """The schema name as a quoted SQL identifier (``check_schema_name`` made it safe)."""
    return f'"{check_schema_name(schema)}"'


def advisory_key(schema: str) -> int:
    """A signed 64-bit advisory-lock key for migrating ``schema`` (stable across processes)."""
    digest = hashlib.blake2b(f"orderkit.migrate:{schema}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def schema_version(conn: psycopg.Connection[TupleRow], schema: str) -> int:
    """The version recorded in ``schema`` (0 if it was never migrated)."""
    with translate_errors(schema, "read schema version"):
        row = conn.execute("SELECT to_regclass(%s)", (f"{quote(schema)}.schema_version",))
        found = row.fetchone()
        if found is None or found[0] is None:
            return 0
        cursor = conn.execute(
            f"SELECT coalesce(max(version), 0) FROM {quote(schema)}.schema_version"
        )
        result = cursor.fetchone()
    return int(result[0]) if result is not None else 0


def migrate(conn: psycopg.Connection[TupleRow], schema: str) -> int:
    """Bring ``schema`` to :data:`SCHEMA_VERSION` on an autocommit connection.

    Returns:
        The version the schema had before.

    Raises:
        StoreUnavailable: the database cannot be reached (retryable), or the
            schema was written by a newer orderkit (not retryable).
    """
    s = quote(schema)
    with translate_errors(schema, "migrate"), conn.transaction():
        conn.execute("SELECT pg_advisory_xact_lock(%s)", (advisory_key(schema),))
        conn.execute(f"CREATE SCHEMA IF NOT EXISTS {s}")
        conn.execute(
            f"""CREATE TABLE IF NOT EXISTS {s}.schema_version (
                version integer PRIMARY KEY,
                applied_at timestamptz NOT NULL DEFAULT now()
            )"""
        )
        row = conn.execute(f"SELECT coalesce(max(version), 0) FROM {s}.schema_version").fetchone()
        before = int(row[0]) if row is not None else 0
        if before > SCHEMA_VERSION:
            error = StoreUnavailable(
                f"postgres schema {schema!r} has schema version {before}; this orderkit "
                f"knows up to {SCHEMA_VERSION}: upgrade orderkit"
            )
            error.retryable = False
            raise error
        for version in range(before + 1, SCHEMA_VERSION + 1):
            for statement in MIGRATIONS[version - 1]:
                conn.execute(statement.format(s=s))
            conn.execute(f"INSERT INTO {s}.schema_version (version) VALUES (%s)", (version,))
    return before
