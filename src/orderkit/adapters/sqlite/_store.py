"""The SQLite store and its unit of work."""

from __future__ import annotations

import contextlib
import os
import sqlite3
from collections.abc import Callable, Iterator
from types import TracebackType
from typing import Self

from orderkit.adapters._records import RecordStore
from orderkit.adapters._unit_of_work import BaseUnitOfWork, new_message_id
from orderkit.adapters.sqlite._connection import ConnectionPool, connect, translated
from orderkit.adapters.sqlite._records import SqliteRecords
from orderkit.adapters.sqlite._schema import migrate, schema_version
from orderkit.errors import OrderkitError

__all__ = ["SqliteStore", "SqliteUnitOfWork"]


class SqliteStore:
    """Every port on one SQLite database file, shared by threads and processes.

    Each process (and each concurrently open unit of work) uses its own
    connection; write units of work start with ``BEGIN IMMEDIATE``, so they
    queue on the file's write lock instead of failing late, and a writer that
    waits longer than ``busy_timeout`` gets a retryable
    :class:`~orderkit.errors.StoreUnavailable`. The schema is migrated when
    the store is created (set ``migrate=False`` to call :meth:`migrate` yourself).

    Args:
        path: the database file (created if missing).
        busy_timeout: seconds to wait for another writer's lock.
        on_statement: called with every SQL statement run, e.g. a
            :class:`~orderkit.adapters.sqlite.StatementCounter`.
        message_ids: makes outbox message ids (random UUIDs by default).
        migrate: migrate the schema now.
    """

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        busy_timeout: float = 5.0,
        on_statement: Callable[[str], None] | None = None,
        message_ids: Callable[[], str] = new_message_id,
        migrate: bool = True,
    ) -> None:
        self._path = os.fspath(path)
        self._message_ids = message_ids
        self._pool = ConnectionPool(lambda: connect(self._path, busy_timeout, on_statement))
        if migrate:
            self.migrate()

    @property
    def path(self) -> str:
        """The database file."""
        return self._path

    def migrate(self) -> int:
        """Apply missing schema migrations (safe to run from several processes at once).

        Returns:
            The schema version the file had before.

        Raises:
            StoreUnavailable: the file is locked or unreadable, or newer than this code.
        """
        with self._connection() as conn:
            return migrate(conn, self._path)

    def schema_version(self) -> int:
        """The schema version recorded in the file (0 if never migrated)."""
        with self._connection() as conn:
            return schema_version(conn, self._path)

    def unit_of_work(self, *, read_only: bool = False, snapshot: bool = True) -> SqliteUnitOfWork:
        """A new unit of work on this file (pass ``store.unit_of_work`` as a factory).

        A writing unit of work starts with ``BEGIN IMMEDIATE`` (it queues for the
        write lock up front). A ``read_only`` one starts with ``BEGIN DEFERRED``:
        it reads one consistent snapshot, never waits for writers nor blocks
        them, and refuses writes (for reports and summaries). A read-only one
        with ``snapshot=False`` opens no transaction at all: each read is its own
        statement on the latest committed data, so a single lookup (the service's
        idempotency replay) costs exactly one statement. ``snapshot`` is ignored
        for a writing unit of work.
        """
        return SqliteUnitOfWork(
            self,
            message_ids=self._message_ids,
            read_only=read_only,
            snapshot=snapshot or not read_only,
        )

    def close(self) -> None:
        """Close the idle connections of this process (open units of work keep theirs)."""
        self._pool.close()

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
    def _connection(self) -> Iterator[sqlite3.Connection]:
        conn = self._pool.acquire()
        try:
            yield conn
        finally:
            self._pool.release(conn)


class SqliteUnitOfWork(BaseUnitOfWork):
    """A unit of work on a :class:`SqliteStore`: one ``BEGIN IMMEDIATE`` transaction."""

    def __init__(
        self,
        store: SqliteStore,
        *,
        message_ids: Callable[[], str] = new_message_id,
        read_only: bool = False,
        snapshot: bool = True,
    ) -> None:
        super().__init__(message_ids=message_ids, read_only=read_only)
        self._sqlite = store
        self._snapshot = snapshot or not read_only
        self._conn: sqlite3.Connection | None = None

    def _begin(self) -> RecordStore:
        pool = self._sqlite._pool
        conn = pool.acquire()
        try:
            if self._snapshot:  # else: autocommit reads, one statement each
                try:
                    conn.execute("BEGIN DEFERRED" if self.read_only else "BEGIN IMMEDIATE")
                except sqlite3.Error as exc:
                    raise translated(exc, self._sqlite.path, "begin") from exc
        except BaseException:
            pool.release(conn)
            raise
        self._conn = conn
        return SqliteRecords(conn, self._sqlite.path)

    def _commit(self) -> None:
        conn = self._conn
        if conn is None:  # pragma: no cover - BaseUnitOfWork checks first
            raise OrderkitError("no open transaction")
        if conn.in_transaction:
            try:
                conn.execute("COMMIT")
            except sqlite3.Error as exc:
                raise translated(exc, self._sqlite.path, "commit") from exc
        self._release()

    def _rollback(self) -> None:
        conn = self._conn
        if conn is None:
            return
        try:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
        except sqlite3.Error:
            with contextlib.suppress(sqlite3.Error):
                conn.close()
        finally:
            self._release()

    def _release(self) -> None:
        conn, self._conn = self._conn, None
        if conn is not None:
            self._sqlite._pool.release(conn)
