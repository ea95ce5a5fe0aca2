"""The SQLite record store: every port's reads and writes as few, indexed statements."""

from __future__ import annotations

import functools
import sqlite3
from collections.abc import Mapping, Sequence
from typing import Any

from orderkit.adapters._records import Column, OutboxRow, Record, RecordStore, TableSpec
from orderkit.adapters.sqlite._connection import translated
from orderkit.errors import OrderkitError
from orderkit.ports import OutboxMessage

__all__ = ["SqliteRecords"]

#: Keys or rows per statement, well under SQLite's bound-parameter limit.
_CHUNK = 500

#: ``UPDATE ... FROM ... RETURNING`` needs SQLite 3.35 (2021); older libraries use executemany.
_UPDATE_FROM = sqlite3.sqlite_version_info >= (3, 35, 0)

_OUTBOX_COLUMNS = "position, message_id, aggregate_type, aggregate_key, event_type, payload"


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Sequence[Sequence[Any]]:
    if len(items) <= size:  # the common case: one chunk, the items themselves
        return (items,) if items else ()
    return [items[start : start + size] for start in range(0, len(items), size)]


def _marks(count: int) -> str:
    return ", ".join("?" * count)


def _order_clause(spec: TableSpec) -> str:
    if spec.order_by:
        return ", ".join((*spec.order_by, spec.key_column))
    return "rowid"


def _check_column(spec: TableSpec, column: str) -> str:
    if column not in spec.columns:
        raise OrderkitError(f"table {spec.table!r} has no indexed column {column!r}")
    return column


def _verb(sql: str) -> str:
    return sql.split(None, 1)[0].lower()


# The statements of the hot paths, built once per table (and row count): sqlite3 then finds
# them in its statement cache by the same string, and no command formats SQL.


@functools.cache
def _get_sql(spec: TableSpec) -> str:
    return f"SELECT version, data FROM {spec.table} WHERE {spec.key_column} = ?"


@functools.cache
def _get_many_sql(spec: TableSpec, count: int) -> str:
    return (
        f"SELECT {spec.key_column}, version, data FROM {spec.table} "
        f"WHERE {spec.key_column} IN ({_marks(count)}) ORDER BY {spec.key_column}"
    )


@functools.cache
def _insert_sql(spec: TableSpec) -> str:
    names = (spec.key_column, "version", *spec.columns, "data")
    return (
        f"INSERT INTO {spec.table} ({', '.join(names)}) "
        f"VALUES ({_marks(len(names))}) ON CONFLICT ({spec.key_column}) DO NOTHING"
    )


@functools.cache
def _update_sql(spec: TableSpec) -> str:
    assignments = ", ".join(f"{name} = ?" for name in ("version", *spec.columns, "data"))
    return f"UPDATE {spec.table} SET {assignments} WHERE {spec.key_column} = ? AND version = ?"


@functools.cache
def _update_from_sql(spec: TableSpec, count: int) -> str:
    names = ("version", *spec.columns, "data")
    width = len(names) + 1  # key, expected version, the columns, data
    assignments = ", ".join(
        ["version = v.column2 + 1"]
        + [f"{name} = v.column{i + 3}" for i, name in enumerate(names[1:])]
    )
    values = ", ".join([f"({_marks(width)})"] * count)
    return (
        f"UPDATE {spec.table} SET {assignments} FROM (VALUES {values}) AS v "
        f"WHERE {spec.table}.{spec.key_column} = v.column1 "
        f"AND {spec.table}.version = v.column2 RETURNING {spec.table}.{spec.key_column}"
    )


@functools.cache
def _outbox_sql(count: int) -> str:
    values = ", ".join(["(?, ?, ?, ?, ?)"] * count)
    return (
        "INSERT INTO outbox (message_id, aggregate_type, aggregate_key, event_type, "
        f"payload) VALUES {values}"
    )


class SqliteRecords(RecordStore):
    """One open SQLite transaction (the caller began it with ``BEGIN IMMEDIATE``)."""

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        self._conn = conn
        self._path = path

    def _run(self, sql: str, params: Sequence[object] = ()) -> list[Any]:
        try:
            return self._conn.execute(sql, params).fetchall()
        except sqlite3.Error as exc:
            raise translated(exc, self._path, _verb(sql)) from exc

    def _change(self, sql: str, params: Sequence[object] = ()) -> int:
        try:
            return self._conn.execute(sql, params).rowcount
        except sqlite3.Error as exc:
            raise translated(exc, self._path, _verb(sql)) from exc

    # -- rows

    def get(self, spec: TableSpec, key: str) -> Record | None:
        rows = self._run(_get_sql(spec), (key,))
        return Record(key, rows[0][0], rows[0][1]) if rows else None

    def get_many(self, spec: TableSpec, keys: Sequence[str]) -> list[Record]:
        found: list[Record] = []
        for chunk in _chunks(sorted(set(keys))):
            rows = self._run(_get_many_sql(spec, len(chunk)), chunk)
            found.extend(Record(key, version, data) for key, version, data in rows)
        return found

    def insert(self, spec: TableSpec, key: str, data: str, columns: Mapping[str, Column]) -> bool:
        params = (key, 1, *map(columns.__getitem__, spec.columns), data)
        return self._change(_insert_sql(spec), params) == 1

    def update(
        self,
        spec: TableSpec,
        key: str,
        expected_version: int,
        data: str,
        columns: Mapping[str, Column],
    ) -> bool:
        params = (
            expected_version + 1,
            *map(columns.__getitem__, spec.columns),
            data,
            key,
            expected_version,
        )
        return self._change(_update_sql(spec), params) == 1

    def update_many(
        self, spec: TableSpec, rows: Sequence[tuple[str, int, str, Mapping[str, Column]]]
    ) -> list[str]:
        if len(rows) < 2 or len({row[0] for row in rows}) != len(rows):
            return super().update_many(spec, rows)  # one row, or a key twice: row by row
        if _UPDATE_FROM:
            written_keys: set[str] = set()
            for chunk in _chunks(rows):
                written_keys.update(self._update_from(spec, chunk))
            return [key for key, _, _, _ in rows if key not in written_keys]
        written = 0
        for chunk in _chunks(rows):
            written += self._update_each(spec, chunk)
        if written == len(rows):
            return []
        # Rare (a stale save): find which rows missed; the unit of work rolls back anyway.
        # A row counts as written only if it holds exactly what this batch wrote; if that
        # cannot tell the miss apart (a stale copy saved unchanged), every key is reported:
        # the conflict may then name the wrong sku, but it is a conflict and is retried.
        stored = {record.key: record for record in self.get_many(spec, [r[0] for r in rows])}
        missed = [
            key
            for key, expected, data, _ in rows
            if key not in stored or (stored[key].version, stored[key].data) != (expected + 1, data)
        ]
        return missed or [key for key, _, _, _ in rows]

    def _update_from(
        self, spec: TableSpec, rows: Sequence[tuple[str, int, str, Mapping[str, Column]]]
    ) -> list[str]:
        """One ``UPDATE ... FROM (VALUES ...) RETURNING`` statement; the keys it wrote."""
        params: list[object] = []
        names = spec.columns
        for key, expected, data, columns in rows:
            params += (key, expected, *map(columns.__getitem__, names), data)
        return [row[0] for row in self._run(_update_from_sql(spec, len(rows)), params)]

    def _update_each(
        self, spec: TableSpec, rows: Sequence[tuple[str, int, str, Mapping[str, Column]]]
    ) -> int:
        """One ``executemany`` (SQLite before 3.35); how many rows it wrote."""
        many = [
            (expected + 1, *map(columns.__getitem__, spec.columns), data, key, expected)
            for key, expected, data, columns in rows
        ]
        try:
            return self._conn.executemany(_update_sql(spec), many).rowcount
        except sqlite3.Error as exc:
            raise translated(exc, self._path, "update") from exc

    def version_of(self, spec: TableSpec, key: str) -> int:
        rows = self._run(f"SELECT version FROM {spec.table} WHERE {spec.key_column} = ?", (key,))
        return int(rows[0][0]) if rows else 0

    def select(
        self, spec: TableSpec, column: str, value: Column, limit: int | None
    ) -> list[Record]:
        sql = (
            f"SELECT {spec.key_column}, version, data FROM {spec.table} "
            f"WHERE {_check_column(spec, column)} = ? ORDER BY {_order_clause(spec)}"
        )
        params: tuple[object, ...] = (value,)
        if limit is not None:
            sql += " LIMIT ?"
            params = (value, limit)
        return [Record(key, version, data) for key, version, data in self._run(sql, params)]

    def select_range(
        self,
        spec: TableSpec,
        column: str,
        low: int,
        high: int,
        *,
        after: tuple[int, str] | None,
        limit: int,
    ) -> list[Record]:
        name = _check_column(spec, column)
        sql = (
            f"SELECT {spec.key_column}, version, data FROM {spec.table} "
            f"WHERE {name} >= ? AND {name} < ?"
        )
        params: list[object] = [low, high]
        if after is not None:
            sql += f" AND ({name}, {spec.key_column}) > (?, ?)"
            params.extend(after)
        sql += f" ORDER BY {name}, {spec.key_column} LIMIT ?"
        params.append(limit)
        return [Record(key, version, data) for key, version, data in self._run(sql, params)]

    # -- numbers

    def next_number(self, series: str, year: int) -> int:
        rows = self._run(
            "INSERT INTO number_sequences (series, year, last) VALUES (?, ?, 1) "
            "ON CONFLICT (series, year) DO UPDATE SET last = last + 1 RETURNING last",
            (series, year),
        )
        return int(rows[0][0])

    def current_number(self, series: str, year: int) -> int:
        rows = self._run(
            "SELECT last FROM number_sequences WHERE series = ? AND year = ?", (series, year)
        )
        return int(rows[0][0]) if rows else 0

    # -- idempotency

    def get_result(self, key: str) -> tuple[str, str] | None:
        rows = self._run("SELECT fingerprint, result FROM idempotency_keys WHERE key = ?", (key,))
        return (rows[0][0], rows[0][1]) if rows else None

    def insert_result(self, key: str, fingerprint: str, result: str) -> bool:
        sql = (
            "INSERT INTO idempotency_keys (key, fingerprint, result) VALUES (?, ?, ?) "
            "ON CONFLICT (key) DO NOTHING"
        )
        return self._change(sql, (key, fingerprint, result)) == 1

    # -- outbox

    def append_outbox(self, rows: Sequence[OutboxRow]) -> None:
        for chunk in _chunks(rows):
            params: list[object] = []
            for row in chunk:
                params += (
                    row.message_id,
                    row.aggregate_type,
                    row.aggregate_key,
                    row.event_type,
                    row.payload,
                )
            self._change(_outbox_sql(len(chunk)), params)

    def pending(self, limit: int | None) -> list[OutboxMessage]:
        sql = f"SELECT {_OUTBOX_COLUMNS} FROM outbox WHERE dispatched = 0 ORDER BY position"
        params: tuple[object, ...] = ()
        if limit is not None:
            sql += " LIMIT ?"
            params = (limit,)
        return [OutboxMessage(*row) for row in self._run(sql, params)]

    def mark_dispatched(self, message_ids: Sequence[str]) -> list[str]:
        known: set[str] = set()
        for chunk in _chunks(message_ids):
            rows = self._run(
                f"SELECT message_id FROM outbox WHERE message_id IN ({_marks(len(chunk))})", chunk
            )
            known.update(row[0] for row in rows)
        missing = [i for i in message_ids if i not in known]
        if missing:
            return missing
        for chunk in _chunks(message_ids):
            self._change(
                "UPDATE outbox SET dispatched = 1 "
                f"WHERE message_id IN ({_marks(len(chunk))}) AND dispatched = 0",
                chunk,
            )
        return []

    def count_outbox(self, *, pending_only: bool) -> int:
        where = " WHERE dispatched = 0" if pending_only else ""
        return int(self._run(f"SELECT count(*) FROM outbox{where}")[0][0])
