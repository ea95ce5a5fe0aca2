"""Where connections come from: a DSN, a host's connection factory, or a psycopg pool.

Every connection orderkit uses is switched to autocommit and each unit of
work is one explicit ``conn.transaction()`` block. On a default psycopg 3
connection the first statement silently opens a transaction that stays open
until someone commits, and every later ``conn.transaction()`` is only a
savepoint inside it: nothing would be committed when the unit of work
thinks it is, and the connection would sit "idle in transaction", holding
its locks. With autocommit, ``transaction()`` is a real ``BEGIN`` ...
``COMMIT`` and the connection is idle between units of work.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Callable

import psycopg
from psycopg.pq import TransactionStatus
from psycopg.rows import TupleRow
from psycopg_pool import ConnectionPool

from orderkit.adapters.postgres._errors import translate_errors

__all__ = ["ConnectionFactory", "Connections", "FactoryConnections", "PoolConnections"]

#: A callable that opens a new connection (the host's, e.g. with its SSL settings).
ConnectionFactory = Callable[[], psycopg.Connection[TupleRow]]

#: Connections opened by a parent process: never used nor closed in a forked child
#: (closing would end the parent's sessions), only kept from the garbage collector.
_INHERITED: list[psycopg.Connection[TupleRow]] = []


def _idle(conn: psycopg.Connection[TupleRow]) -> bool:
    return not conn.closed and conn.info.transaction_status == TransactionStatus.IDLE


class Connections:
    """Hands out autocommit connections, one per unit of work, and takes them back."""

    def __init__(self, schema: str) -> None:
        self._schema = schema

    def acquire(self) -> psycopg.Connection[TupleRow]:
        """An idle autocommit connection."""
        raise NotImplementedError  # pragma: no cover - every source overrides it

    def release(self, conn: psycopg.Connection[TupleRow]) -> None:
        """Give a connection back; one not idle (broken, mid-transaction) is discarded."""
        raise NotImplementedError  # pragma: no cover - every source overrides it

    def close(self) -> None:
        """Close what this source owns."""

    def _autocommit(self, conn: psycopg.Connection[TupleRow]) -> None:
        with translate_errors(self._schema, "prepare connection"):
            if conn.info.transaction_status != TransactionStatus.IDLE:
                conn.rollback()  # a connection left mid-transaction by its previous user
            if not conn.autocommit:
                conn.autocommit = True


class FactoryConnections(Connections):
    """Connections from a factory, with a few idle ones kept per process for reuse."""

    def __init__(self, schema: str, factory: ConnectionFactory, idle: int) -> None:
        super().__init__(schema)
        self._factory = factory
        self._size = idle
        self._lock = threading.Lock()
        self._idle: list[psycopg.Connection[TupleRow]] = []
        self._pid = os.getpid()

    def _forget_inherited(self) -> None:
        if self._pid != os.getpid():
            _INHERITED.extend(self._idle)
            self._idle = []
            self._pid = os.getpid()

    def acquire(self) -> psycopg.Connection[TupleRow]:
        with self._lock:
            self._forget_inherited()
            while self._idle:
                conn = self._idle.pop()
                if _idle(conn):
                    return conn
                conn.close()
        with translate_errors(self._schema, "connect"):
            conn = self._factory()
        try:
            self._autocommit(conn)
        except BaseException:
            conn.close()
            raise
        return conn

    def release(self, conn: psycopg.Connection[TupleRow]) -> None:
        with self._lock:
            self._forget_inherited()
            if _idle(conn) and len(self._idle) < self._size:
                self._idle.append(conn)
                return
        conn.close()

    def close(self) -> None:
        with self._lock:
            self._forget_inherited()
            idle, self._idle = self._idle, []
        for conn in idle:
            conn.close()


class PoolConnections(Connections):
    """Connections borrowed from the host's :class:`psycopg_pool.ConnectionPool`.

    A borrowed connection is switched to autocommit if the pool did not
    configure it so, and switched back before it goes home.
    """

    def __init__(self, schema: str, pool: ConnectionPool[psycopg.Connection[TupleRow]]) -> None:
        super().__init__(schema)
        self._pool = pool
        self._restore: dict[int, bool] = {}
        self._lock = threading.Lock()

    def acquire(self) -> psycopg.Connection[TupleRow]:
        with translate_errors(self._schema, "get a pooled connection"):
            conn = self._pool.getconn()
        autocommit = conn.autocommit
        try:
            self._autocommit(conn)
        except BaseException:
            self._pool.putconn(conn)
            raise
        with self._lock:
            self._restore[id(conn)] = autocommit
        return conn

    def release(self, conn: psycopg.Connection[TupleRow]) -> None:
        with self._lock:
            autocommit = self._restore.pop(id(conn), True)
        if not autocommit and _idle(conn):
            try:
                conn.autocommit = False
            except psycopg.Error:
                conn.close()  # the pool discards a closed connection
        self._pool.putconn(conn)
