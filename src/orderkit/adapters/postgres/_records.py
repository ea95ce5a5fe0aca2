"""The PostgreSQL record store: every port's reads and writes as single, indexed statements.

Aggregates are ``jsonb`` plus the indexed columns their queries use. The
statements carry the concurrency rules themselves:

- a save is ``UPDATE ... SET version = version + 1 ... WHERE key = %s AND
  version = %s``: under READ COMMITTED a concurrent writer's row lock makes it
  wait, then the condition is checked on the committed row, so a stale save
  updates nothing (→ ``ConcurrencyConflict``) and never overwrites;
- the stock of several skus is read ``FOR UPDATE`` in one statement ordered by
  sku, so two units of work lock shared skus in the same order and never
  deadlock on them;
- a number is ``INSERT ... ON CONFLICT DO UPDATE SET last = last + 1 RETURNING
  last``: the counter row stays locked until the unit of work ends, so numbers
  are handed out one transaction at a time and a rollback gives its number back.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from typing import Any

import psycopg
from psycopg.rows import TupleRow

from orderkit.adapters._records import Column, OutboxRow, Record, RecordStore, TableSpec
from orderkit.adapters.postgres._errors import translate_errors
from orderkit.adapters.postgres._schema import quote
from orderkit.errors import OrderkitError, ValidationError
from orderkit.ports import OutboxMessage

__all__ = ["OUTBOX_COLUMNS", "PostgresRecords"]

#: The outbox columns an :class:`~orderkit.ports.OutboxMessage` is built from, in order.
OUTBOX_COLUMNS = "position, message_id, aggregate_type, aggregate_key, event_type, payload::text"


def _check_column(spec: TableSpec, column: str) -> str:
    if column not in spec.columns:
        raise OrderkitError(f"table {spec.table!r} has no indexed column {column!r}")
    return column


def _order_clause(spec: TableSpec) -> str:
    return ", ".join((*spec.order_by, spec.key_column)) if spec.order_by else "seq"


# Arrays of JSON text go as binary parameters (``%b``): psycopg's text form of an array
# escapes every quote of every element with a regex substitution, milliseconds per command
# for stock rows of a few kilobytes; the binary form copies each element as it is.

#: A JSON escape of the NUL character: ``\u0000`` after an even number of backslashes
#: (``\\u0000`` is a backslash followed by the text "u0000", which jsonb stores fine).
_NUL_ESCAPE = re.compile(r"(?<!\\)(?:\\\\)*\\u0000")


def _jsonb(data: str, what: str) -> str:
    # jsonb refuses the NUL character; refusing it here keeps the transaction usable.
    # The substring tests are fast scans; the regex (slow on long text) runs only when
    # the text holds a ``\u0000`` that may be an escaped NUL.
    if "\x00" in data or ("\\u0000" in data and _NUL_ESCAPE.search(data)):
        raise ValidationError(f"PostgreSQL jsonb cannot store a NUL character in {what}", path=what)
    return data


class PostgresRecords(RecordStore):
    """One open PostgreSQL transaction on an autocommit connection (the caller began it).

    A ``read_only`` one reads stock without locking it (it will not write it back).
    """

    def __init__(
        self, conn: psycopg.Connection[TupleRow], schema: str, *, read_only: bool = False
    ) -> None:
        self._conn = conn
        self._schema = schema
        self._s = quote(schema)
        self._lock = "" if read_only else " FOR UPDATE"

    def _run(self, sql: str, params: Sequence[object] = ()) -> list[Any]:
        with translate_errors(self._schema, sql.split(None, 1)[0].lower()):
            return self._conn.execute(sql, params).fetchall()

    def _change(self, sql: str, params: Sequence[object] = ()) -> int:
        with translate_errors(self._schema, sql.split(None, 1)[0].lower()):
            return self._conn.execute(sql, params).rowcount

    # -- rows

    def get(self, spec: TableSpec, key: str) -> Record | None:
        rows = self._run(
            f"SELECT version, data::text FROM {self._s}.{spec.table} WHERE {spec.key_column} = %s",
            (key,),
        )
        return Record(key, rows[0][0], rows[0][1]) if rows else None

    def get_many(self, spec: TableSpec, keys: Sequence[str]) -> list[Record]:
        rows = self._run(
            f"SELECT {spec.key_column}, version, data::text FROM {self._s}.{spec.table} "
            f"WHERE {spec.key_column} = ANY(%s) ORDER BY {spec.key_column}{self._lock}",
            (sorted(set(keys)),),
        )
        return [Record(key, version, data) for key, version, data in rows]

    def insert(self, spec: TableSpec, key: str, data: str, columns: Mapping[str, Column]) -> bool:
        names = [_check_column(spec, name) for name in spec.columns]
        values = ", ".join(["%s", "1", *(["%s"] * len(names)), "%s::jsonb"])
        sql = (
            f"INSERT INTO {self._s}.{spec.table} "
            f"({', '.join((spec.key_column, 'version', *names, 'data'))}) "
            f"VALUES ({values}) ON CONFLICT ({spec.key_column}) DO NOTHING"
        )
        params = (key, *(columns[name] for name in names), _jsonb(data, spec.kind))
        return self._change(sql, params) == 1

    def update(
        self,
        spec: TableSpec,
        key: str,
        expected_version: int,
        data: str,
        columns: Mapping[str, Column],
    ) -> bool:
        names = [_check_column(spec, name) for name in spec.columns]
        assignments = ", ".join(["version = version + 1", *(f"{n} = %s" for n in names)])
        sql = (
            f"UPDATE {self._s}.{spec.table} SET {assignments}, data = %s::jsonb "
            f"WHERE {spec.key_column} = %s AND version = %s"
        )
        params = (
            *(columns[name] for name in names),
            _jsonb(data, spec.kind),
            key,
            expected_version,
        )
        return self._change(sql, params) == 1

    def update_many(
        self, spec: TableSpec, rows: Sequence[tuple[str, int, str, Mapping[str, Column]]]
    ) -> list[str]:
        # One UPDATE ... FROM unnest(...) for all the rows (one round trip while they are
        # locked), with the version rule of :meth:`update`. Batched for tables without
        # indexed columns (stock, the only batch saved); the rest go row by row.
        if spec.columns or len(rows) < 2 or len({row[0] for row in rows}) != len(rows):
            return super().update_many(spec, rows)  # a key twice: row by row, as specified
        written = self._run(
            f"UPDATE {self._s}.{spec.table} AS t SET version = t.version + 1, data = u.d::jsonb "
            "FROM unnest(%b::text[], %b::integer[], %b::text[]) AS u(k, v, d) "
            f"WHERE t.{spec.key_column} = u.k AND t.version = u.v RETURNING t.{spec.key_column}",
            (
                [key for key, _, _, _ in rows],
                [expected for _, expected, _, _ in rows],
                [_jsonb(data, spec.kind) for _, _, data, _ in rows],
            ),
        )
        keys = {key for (key,) in written}
        return [key for key, _, _, _ in rows if key not in keys]

    def version_of(self, spec: TableSpec, key: str) -> int:
        rows = self._run(
            f"SELECT version FROM {self._s}.{spec.table} WHERE {spec.key_column} = %s", (key,)
        )
        return int(rows[0][0]) if rows else 0

    def select(
        self, spec: TableSpec, column: str, value: Column, limit: int | None
    ) -> list[Record]:
        sql = (
            f"SELECT {spec.key_column}, version, data::text FROM {self._s}.{spec.table} "
            f"WHERE {_check_column(spec, column)} = %s ORDER BY {_order_clause(spec)}"
        )
        params: tuple[object, ...] = (value,)
        if limit is not None:
            sql += " LIMIT %s"
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
            f"SELECT {spec.key_column}, version, data::text FROM {self._s}.{spec.table} "
            f"WHERE {name} >= %s AND {name} < %s"
        )
        params: list[object] = [low, high]
        if after is not None:
            sql += f" AND ({name}, {spec.key_column}) > (%s, %s)"
            params.extend(after)
        sql += f" ORDER BY {name}, {spec.key_column} LIMIT %s"
        params.append(limit)
        return [Record(key, version, data) for key, version, data in self._run(sql, params)]

    # -- numbers

    def next_number(self, series: str, year: int) -> int:
        rows = self._run(
            f"INSERT INTO {self._s}.number_sequences AS n (series, year, last) "
            "VALUES (%s, %s, 1) ON CONFLICT (series, year) DO UPDATE SET last = n.last + 1 "
            "RETURNING last",
            (series, year),
        )
        return int(rows[0][0])

    def current_number(self, series: str, year: int) -> int:
        rows = self._run(
            f"SELECT last FROM {self._s}.number_sequences WHERE series = %s AND year = %s",
            (series, year),
        )
        return int(rows[0][0]) if rows else 0

    # -- idempotency (the fingerprint is kept JSON-encoded: any text, NUL included, survives)

    def get_result(self, key: str) -> tuple[str, str] | None:
        rows = self._run(
            f"SELECT fingerprint, result FROM {self._s}.idempotency_keys WHERE key = %s", (key,)
        )
        if not rows:
            return None
        fingerprint: str = json.loads(rows[0][0])
        return fingerprint, rows[0][1]

    def insert_result(self, key: str, fingerprint: str, result: str) -> bool:
        sql = (
            f"INSERT INTO {self._s}.idempotency_keys (key, fingerprint, result) "
            "VALUES (%s, %s, %s) ON CONFLICT (key) DO NOTHING"
        )
        return self._change(sql, (key, json.dumps(fingerprint), result)) == 1

    # -- outbox

    def append_outbox(self, rows: Sequence[OutboxRow]) -> None:
        # One statement for all the rows, whatever their number (one prepared plan);
        # positions follow the order of the rows.
        self._change(
            f"INSERT INTO {self._s}.outbox (message_id, aggregate_type, aggregate_key, "
            "event_type, payload) SELECT m, t, k, e, p::jsonb FROM unnest(%b::text[], "
            "%b::text[], %b::text[], %b::text[], %b::text[]) "
            "WITH ORDINALITY AS u(m, t, k, e, p, n) ORDER BY n",
            (
                [row.message_id for row in rows],
                [row.aggregate_type for row in rows],
                [row.aggregate_key for row in rows],
                [row.event_type for row in rows],
                [_jsonb(row.payload, row.event_type) for row in rows],
            ),
        )

    def pending(self, limit: int | None) -> list[OutboxMessage]:
        sql = (
            f"SELECT {OUTBOX_COLUMNS} FROM {self._s}.outbox "
            "WHERE dispatched_at IS NULL ORDER BY position"
        )
        params: tuple[object, ...] = ()
        if limit is not None:
            sql += " LIMIT %s"
            params = (limit,)
        return [OutboxMessage(*row) for row in self._run(sql, params)]

    def mark_dispatched(self, message_ids: Sequence[str]) -> list[str]:
        ids = list(message_ids)
        rows = self._run(
            f"SELECT message_id FROM {self._s}.outbox WHERE message_id = ANY(%s)", (ids,)
        )
        known = {row[0] for row in rows}
        missing = [i for i in ids if i not in known]
        if missing:
            return missing
        self._change(
            f"UPDATE {self._s}.outbox SET dispatched_at = now() "
            "WHERE message_id = ANY(%s) AND dispatched_at IS NULL",
            (ids,),
        )
        return []

    def count_outbox(self, *, pending_only: bool) -> int:
        where = " WHERE dispatched_at IS NULL" if pending_only else ""
        return int(self._run(f"SELECT count(*) FROM {self._s}.outbox{where}")[0][0])
