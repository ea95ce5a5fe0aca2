"""The PostgreSQL store and its unit of work."""

from __future__ import annotations

import contextlib
import threading
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Self

import psycopg
from psycopg.rows import TupleRow
from psycopg_pool import ConnectionPool

from orderkit.adapters._records import RecordStore
from orderkit.adapters._unit_of_work import BaseUnitOfWork, new_message_id
from orderkit.adapters.postgres._connections import (
    ConnectionFactory,
    Connections,
    FactoryConnections,
    PoolConnections,
)
from orderkit.adapters.postgres._errors import translate_errors
from orderkit.adapters.postgres._records import PostgresRecords
from orderkit.adapters.postgres._schema import (
    SCHEMA_VERSION,
    check_schema_name,
    migrate,
    schema_version,
)
from orderkit.errors import OrderkitError, StoreUnavailable, ValidationError

__all__ = ["PostgresStore", "PostgresUnitOfWork"]


def _source(connections: object, schema: str, idle_connections: int) -> Connections:
    if isinstance(connections, ConnectionPool):
        return PoolConnections(schema, connections)
    if isinstance(connections, str):
        dsn = connections

        def connect() -> psycopg.Connection[TupleRow]:
            return psycopg.connect(dsn, autocommit=True)

        return FactoryConnections(schema, connect, idle_connections)
    if callable(connections):
        factory: ConnectionFactory = connections
        return FactoryConnections(schema, factory, idle_connections)
    raise ValidationError(
        "connections must be a DSN string, a connection factory or a psycopg_pool."
        f"ConnectionPool, got {type(connections).__name__}",
        path="connections",
    )


class PostgresStore:
    """Every port on one PostgreSQL schema, shared by any number of processes and machines.

    Each unit of work borrows one connection, switched to autocommit, and runs
    one explicit transaction (READ COMMITTED) on it; between units of work the
    connection is idle, never "idle in transaction". Creating a store touches
    nothing: call :meth:`migrate` once at deployment (or at start-up: it is
    safe to run from several processes at once); a unit of work on a schema
    that is not migrated fails with a non-retryable
    :class:`~orderkit.errors.StoreUnavailable` saying so.

    Args:
        connections: where connections come from: a DSN (``"postgresql://..."``;
            the store opens and reuses its own), a callable returning a new
            ``psycopg.Connection``, or a ``psycopg_pool.ConnectionPool`` the host
            owns (and closes).
        schema: the PostgreSQL schema holding the tables (created by :meth:`migrate`).
        message_ids: makes outbox message ids (random UUIDs by default).
        idle_connections: connections kept open for reuse per process (DSN or factory).
    """

    def __init__(
        self,
        connections: str | ConnectionFactory | ConnectionPool[psycopg.Connection[TupleRow]],
        *,
        schema: str = "orderkit",
        message_ids: Callable[[], str] = new_message_id,
        idle_connections: int = 4,
    ) -> None:
        idle: object = idle_connections
        if isinstance(idle, bool) or not isinstance(idle, int):
            raise ValidationError(
                f"idle_connections must be a whole number, got {idle_connections!r}",
                path="idle_connections",
            )
        self._schema = check_schema_name(schema)
        self._message_ids = message_ids
        self._connections = _source(connections, self._schema, max(idle_connections, 0))
        self._checked = False
        self._check_lock = threading.Lock()

    @property
    def schema(self) -> str:
        """The PostgreSQL schema this store reads and writes."""
        return self._schema

    def migrate(self) -> int:
        """Create or upgrade the schema (safe to run from several processes at once).

        Returns:
            The schema version before (0 for a new schema).

        Raises:
            StoreUnavailable: the database cannot be reached (retryable), or the
                schema is newer than this code (not retryable).
        """
        with self.connection() as conn:
            before = migrate(conn, self._schema)
        self._checked = True
        return before

    def schema_version(self) -> int:
        """The schema version recorded in the database (0 if never migrated)."""
        with self.connection() as conn:
            return schema_version(conn, self._schema)

    def unit_of_work(self, *, read_only: bool = False, snapshot: bool = True) -> PostgresUnitOfWork:
        """A new unit of work on this store (pass ``store.unit_of_work`` as a factory).

        A ``read_only`` one refuses writes and reads stock without ``FOR UPDATE``,
        so a report never makes a writer wait. A read-only one with
        ``snapshot=False`` opens no transaction: each read is one autocommit
        statement (the service's idempotency replay is then a single ``SELECT``,
        no ``BEGIN``/``COMMIT``). ``snapshot`` is ignored for a writing one.
        """
        return PostgresUnitOfWork(
            self,
            message_ids=self._message_ids,
            read_only=read_only,
            snapshot=snapshot or not read_only,
        )

    def close(self) -> None:
        """Close the idle connections this store opened (a host's pool is left alone)."""
        self._connections.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    @contextlib.contextmanager
    def connection(self) -> Iterator[psycopg.Connection[TupleRow]]:
        """Borrow an idle autocommit connection (for the relay and maintenance).

        Give it back idle: end every transaction you open on it.
        """
        conn = self._connections.acquire()
        try:
            yield conn
        finally:
            self._connections.release(conn)

    def _acquire_ready(self) -> psycopg.Connection[TupleRow]:
        conn = self._connections.acquire()
        if self._checked:
            return conn
        try:
            with self._check_lock:
                found = schema_version(conn, self._schema)
                if found != SCHEMA_VERSION:
                    error = StoreUnavailable(
                        f"postgres schema {self._schema!r} is at version {found}, this "
                        f"orderkit needs {SCHEMA_VERSION}: call PostgresStore.migrate()"
                    )
                    error.retryable = False
                    raise error
                self._checked = True
        except BaseException:
            self._connections.release(conn)
            raise
        return conn


class PostgresUnitOfWork(BaseUnitOfWork):
    """A unit of work on a :class:`PostgresStore`: one ``conn.transaction()`` block."""

    def __init__(
        self,
        store: PostgresStore,
        *,
        message_ids: Callable[[], str] = new_message_id,
        read_only: bool = False,
        snapshot: bool = True,
    ) -> None:
        super().__init__(message_ids=message_ids, read_only=read_only)
        self._pg = store
        self._snapshot = snapshot or not read_only
        self._conn: psycopg.Connection[TupleRow] | None = None
        self._tx: contextlib.AbstractContextManager[psycopg.Transaction] | None = None

    @property
    def connection(self) -> psycopg.Connection[TupleRow] | None:
        """The connection of the open transaction (None between units of work)."""
        return self._conn

    def _begin(self) -> RecordStore:
        store = self._pg
        conn = store._acquire_ready()
        if not self._snapshot:  # autocommit reads, one statement each
            self._conn = conn
            return PostgresRecords(conn, store.schema, read_only=True)
        try:
            tx = conn.transaction()
            with translate_errors(store.schema, "begin"):
                tx.__enter__()
        except BaseException:
            store._connections.release(conn)
            raise
        self._conn, self._tx = conn, tx
        return PostgresRecords(conn, store.schema, read_only=self.read_only)

    def _commit(self) -> None:
        tx = self._tx
        if tx is None:
            if self._snapshot:  # pragma: no cover - BaseUnitOfWork checks first
                raise OrderkitError("no open transaction")
            self._release()  # a snapshot-free reader has nothing to commit
            return
        self._tx = None
        try:
            with translate_errors(self._pg.schema, "commit", committing=True):
                tx.__exit__(None, None, None)
        finally:
            self._release()

    def _rollback(self) -> None:
        tx, self._tx = self._tx, None
        try:
            if tx is not None:
                tx.__exit__(psycopg.Rollback, psycopg.Rollback(), None)
        except psycopg.Error:
            conn = self._conn
            if conn is not None:  # broken: the server has rolled back; drop the connection
                conn.close()
        finally:
            self._release()

    def _release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            self._pg._connections.release(conn)
