"""The schema and its versioned migrations.

Each migration is a tuple of statements; :func:`migrate` applies the missing
ones in one ``BEGIN IMMEDIATE`` transaction and records each version in
``schema_version``, so several processes opening a new file at once migrate
it exactly once. Never edit a released migration: append a new one.
"""

from __future__ import annotations

import sqlite3

from orderkit.adapters.sqlite._connection import translate_errors
from orderkit.errors import StoreUnavailable

__all__ = ["MIGRATIONS", "SCHEMA_VERSION", "migrate", "schema_version"]

MIGRATIONS: tuple[tuple[str, ...], ...] = (
    (
        """CREATE TABLE orders (
            id TEXT PRIMARY KEY,
            version INTEGER NOT NULL CHECK (version >= 1),
            customer_id TEXT NOT NULL,
            status TEXT NOT NULL,
            placed_at_us INTEGER NOT NULL,
            data TEXT NOT NULL
        )""",
        "CREATE INDEX orders_by_customer ON orders (customer_id, placed_at_us, id)",
        "CREATE INDEX orders_by_status ON orders (status, placed_at_us, id)",
        "CREATE INDEX orders_by_placed_at ON orders (placed_at_us, id)",
        """CREATE TABLE stock (
            sku TEXT PRIMARY KEY,
            version INTEGER NOT NULL CHECK (version >= 1),
            data TEXT NOT NULL
        )""",
        """CREATE TABLE invoices (
            number TEXT PRIMARY KEY,
            version INTEGER NOT NULL CHECK (version >= 1),
            order_id TEXT NOT NULL,
            series TEXT NOT NULL,
            data TEXT NOT NULL
        )""",
        "CREATE INDEX invoices_by_order ON invoices (order_id)",
        """CREATE TABLE number_sequences (
            series TEXT NOT NULL,
            year INTEGER NOT NULL,
            last INTEGER NOT NULL CHECK (last >= 1),
            PRIMARY KEY (series, year)
        ) WITHOUT ROWID""",
        """CREATE TABLE idempotency_keys (
            key TEXT PRIMARY KEY,
            fingerprint TEXT NOT NULL,
            result TEXT NOT NULL
        )""",
        """CREATE TABLE outbox (
            position INTEGER PRIMARY KEY AUTOINCREMENT,
            message_id TEXT NOT NULL UNIQUE,
            aggregate_type TEXT NOT NULL,
            aggregate_key TEXT NOT NULL,
            event_type TEXT NOT NULL,
            payload TEXT NOT NULL,
            dispatched INTEGER NOT NULL DEFAULT 0 CHECK (dispatched IN (0, 1))
        )""",
        "CREATE INDEX outbox_pending ON outbox (position) WHERE dispatched = 0",
    ),
    (
        """CREATE TABLE shipments (
            id TEXT PRIMARY KEY,
            version INTEGER NOT NULL CHECK (version >= 1),
            order_id TEXT NOT NULL,
            status TEXT NOT NULL,
            data TEXT NOT NULL
        )""",
        "CREATE INDEX shipments_by_order ON shipments (order_id)",
    ),
)

#: The schema version this code writes and expects.
SCHEMA_VERSION = len(MIGRATIONS)

_VERSION_TABLE = """CREATE TABLE IF NOT EXISTS schema_version (
    version INTEGER PRIMARY KEY,
    applied_at TEXT NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
)"""


def schema_version(conn: sqlite3.Connection, path: str) -> int:
    """The version recorded in the file (0 for a new file)."""
    with translate_errors(path, "read schema version"):
        exists = conn.execute(
            "SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'schema_version'"
        ).fetchone()
        if exists is None:
            return 0
        row = conn.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()
    return int(row[0])


def migrate(conn: sqlite3.Connection, path: str) -> int:
    """Bring the file to :data:`SCHEMA_VERSION`; return the version it had before.

    Raises:
        StoreUnavailable: the file is locked (retryable), or was written by a
            newer orderkit (not retryable).
    """
    with translate_errors(path, "migrate"):
        conn.execute("BEGIN IMMEDIATE")
        try:
            conn.execute(_VERSION_TABLE)
            row = conn.execute("SELECT coalesce(max(version), 0) FROM schema_version").fetchone()
            before = int(row[0])
            if before > SCHEMA_VERSION:
                error = StoreUnavailable(
                    f"sqlite database {path!r} has schema version {before}; this orderkit "
                    f"knows up to {SCHEMA_VERSION}: upgrade orderkit"
                )
                error.retryable = False
                raise error
            for version in range(before + 1, SCHEMA_VERSION + 1):
                for statement in MIGRATIONS[version - 1]:
                    conn.execute(statement)
                conn.execute("INSERT INTO schema_version (version) VALUES (?)", (version,))
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
    return before
