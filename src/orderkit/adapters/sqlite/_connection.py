"""Connections: pragmas, a per-process pool, driver-error translation, statement counting."""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence

from orderkit.errors import ConcurrencyConflict, StoreUnavailable

__all__ = ["ConnectionPool", "StatementCounter", "connect", "translate_errors", "translated"]

_CONTROL = ("BEGIN", "COMMIT", "ROLLBACK", "END", "SAVEPOINT", "RELEASE", "PRAGMA")


class StatementCounter:
    """Records every SQL statement SQLite runs on the store's connections.

    Pass it as ``SqliteStore(path, on_statement=counter)``. :attr:`count` is the
    number of data statements (transaction control and pragmas excluded), the
    figure statement budgets are stated in; :attr:`statements` has them all.

    >>> counter = StatementCounter()
    >>> for sql in ("BEGIN IMMEDIATE", "SELECT 1", "COMMIT"):
    ...     counter(sql)
    >>> counter.count, len(counter.statements)
    (1, 3)
    """

    def __init__(self) -> None:
        self.statements: list[str] = []

    def __call__(self, sql: str) -> None:
        self.statements.append(sql)

    @property
    def data_statements(self) -> list[str]:
        """The statements that read or write data, in order."""
        return [s for s in self.statements if not s.lstrip().upper().startswith(_CONTROL)]

    @property
    def count(self) -> int:
        """How many data statements ran since the last :meth:`reset`."""
        return len(self.data_statements)

    def reset(self) -> None:
        """Forget what was recorded."""
        self.statements.clear()


def _busy(exc: sqlite3.Error) -> bool:
    name = str(getattr(exc, "sqlite_errorname", ""))
    text = str(exc).lower()
    return name.startswith(("SQLITE_BUSY", "SQLITE_LOCKED")) or "locked" in text or "busy" in text


def translated(exc: sqlite3.Error, path: str, what: str) -> ConcurrencyConflict | StoreUnavailable:
    """The orderkit error for a sqlite3 failure (raise it ``from exc``).

    A stale WAL snapshot is a :class:`ConcurrencyConflict`; a busy or locked
    database a retryable :class:`StoreUnavailable`; anything else a
    non-retryable :class:`StoreUnavailable` naming the file.
    """
    if getattr(exc, "sqlite_errorname", "") == "SQLITE_BUSY_SNAPSHOT":
        return ConcurrencyConflict(
            "database", path, detail=f"{what}: another writer committed first"
        )
    error = StoreUnavailable(f"sqlite database {path!r}: {what} failed: {exc}")
    if not _busy(exc):
        error.retryable = False
    return error


@contextlib.contextmanager
def translate_errors(path: str, what: str) -> Iterator[None]:
    """Turn sqlite3 failures into orderkit's vocabulary (see :func:`translated`)."""
    try:
        yield
    except sqlite3.Error as exc:
        raise translated(exc, path, what) from exc


def connect(
    path: str, busy_timeout: float, on_statement: Callable[[str], None] | None
) -> sqlite3.Connection:
    """Open a connection configured the orderkit way (autocommit driver, explicit BEGINs).

    WAL lets readers and one writer work at once; ``synchronous=NORMAL`` is
    crash-safe in WAL mode (a power cut may lose the last commits, never
    half of one); the busy timeout makes a second writer wait, then fail
    with a retryable error.
    """
    with translate_errors(path, "connect"):
        conn = sqlite3.connect(
            path, timeout=busy_timeout, isolation_level=None, check_same_thread=False
        )
        try:
            conn.execute("PRAGMA journal_mode=WAL").fetchall()
            conn.execute("PRAGMA foreign_keys=ON")
            conn.execute("PRAGMA synchronous=NORMAL")
            conn.execute(f"PRAGMA busy_timeout={int(busy_timeout * 1000)}")
        except BaseException:
            conn.close()
            raise
    if on_statement is not None:
        conn.set_trace_callback(on_statement)
    return conn


class ConnectionPool:
    """Idle connections of this process, handed to one unit of work at a time.

    A connection never crosses a ``fork``: a child process that inherits the
    pool drops the parent's connections (without closing them, which would
    disturb the parent's locks) and opens its own.
    """

    def __init__(self, opener: Callable[[], sqlite3.Connection], size: int = 4) -> None:
        self._opener = opener
        self._size = size
        self._lock = threading.Lock()
        self._idle: list[sqlite3.Connection] = []
        self._pid = os.getpid()

    def acquire(self) -> sqlite3.Connection:
        """An idle connection, or a new one."""
        with self._lock:
            if self._pid != os.getpid():
                self._idle = []
                self._pid = os.getpid()
            if self._idle:
                return self._idle.pop()
        return self._opener()

    def release(self, conn: sqlite3.Connection) -> None:
        """Give a connection back (closed instead if it is in a bad state or the pool is full)."""
        try:
            reusable = not conn.in_transaction
        except sqlite3.Error:  # closed or broken
            reusable = False
        with self._lock:
            if reusable and self._pid == os.getpid() and len(self._idle) < self._size:
                self._idle.append(conn)
                return
        with contextlib.suppress(sqlite3.Error):
            conn.close()

    def close(self) -> None:
        """Close every idle connection."""
        with self._lock:
            idle: Sequence[sqlite3.Connection] = self._idle if self._pid == os.getpid() else []
            self._idle = []
        for conn in idle:
            with contextlib.suppress(sqlite3.Error):
                conn.close()
