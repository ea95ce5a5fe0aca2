"""The storage core an adapter implements: rows of JSON plus indexed columns.

Every repository of :mod:`orderkit.ports` is built once, in
:mod:`orderkit.adapters._repositories`, on top of a :class:`RecordStore`:
a transaction's access to versioned rows (key, version, converter JSON,
indexed columns), the number counters, the idempotency records and the
outbox. An adapter implements this small interface and the transaction
control of :class:`~orderkit.adapters.BaseUnitOfWork`; encoding, version
rules, event collection and error vocabulary are shared.
"""

from __future__ import annotations

import abc
import re
from collections.abc import Mapping, Sequence
from typing import Any

import attrs

from orderkit.errors import OrderkitError
from orderkit.ports import OutboxMessage

__all__ = ["Column", "OutboxRow", "ReadOnlyRecords", "Record", "RecordStore", "TableSpec"]

_IDENTIFIER = re.compile(r"^[a-z_][a-z0-9_]*$")

#: A value of an indexed column.
Column = str | int


def _identifiers(_: object, attribute: attrs.Attribute[Any], value: Any) -> None:
    names: tuple[object, ...] = (value,) if isinstance(value, str) else tuple(value)
    for name in names:
        if not isinstance(name, str) or not _IDENTIFIER.match(name):
            raise ValueError(f"{attribute.name}: {name!r} is not a plain SQL identifier")


@attrs.frozen(cache_hash=True)  # adapters key their prepared SQL by spec
class TableSpec:
    """Where one aggregate type is stored.

    Attributes:
        table: the table name.
        kind: the aggregate's name in error messages ("order").
        key_column: the primary-key column (text).
        columns: the indexed columns queries filter on, besides the key.
        order_by: how query results are ordered (the key breaks ties; insertion order if empty).
    """

    table: str = attrs.field(validator=_identifiers)
    kind: str
    key_column: str = attrs.field(validator=_identifiers)
    columns: tuple[str, ...] = attrs.field(validator=_identifiers)
    order_by: tuple[str, ...] = attrs.field(default=(), validator=_identifiers)


@attrs.frozen
class Record:
    """One stored row: its key, its version and its converter JSON."""

    key: str
    version: int
    data: str


@attrs.frozen
class OutboxRow:
    """An event on its way into the outbox (the store assigns the position)."""

    message_id: str
    aggregate_type: str
    aggregate_key: str
    event_type: str
    payload: str


class RecordStore(abc.ABC):
    """One open transaction's reads and writes.

    Translate driver failures into a (retryable) ``StoreUnavailable`` or a
    ``ConcurrencyConflict``; every expected outcome (a missing row, a taken
    key, a stale version) is a return value, and the shared layer turns it
    into the port's error. Nothing here validates input: the shared layer
    already did. Writes are visible to this transaction at once and to others
    only after the unit of work commits.
    """

    @abc.abstractmethod
    def get(self, spec: TableSpec, key: str) -> Record | None:
        """The row with ``key``, or None."""

    @abc.abstractmethod
    def get_many(self, spec: TableSpec, keys: Sequence[str]) -> list[Record]:
        """The rows with these (distinct, sorted) keys that exist, locked/read in key order."""

    @abc.abstractmethod
    def insert(self, spec: TableSpec, key: str, data: str, columns: Mapping[str, Column]) -> bool:
        """Insert ``key`` as version 1; False (nothing written) if the key exists."""

    @abc.abstractmethod
    def update(
        self,
        spec: TableSpec,
        key: str,
        expected_version: int,
        data: str,
        columns: Mapping[str, Column],
    ) -> bool:
        """Write ``expected_version + 1`` if the stored version is ``expected_version``;
        False (nothing written) otherwise."""

    def update_many(
        self, spec: TableSpec, rows: Sequence[tuple[str, int, str, Mapping[str, Column]]]
    ) -> list[str]:
        """:meth:`update` for several ``(key, expected_version, data, columns)`` rows at once.

        A store overrides it to send them as one batch (SQLite's ``executemany``),
        so saving the stock of N skus costs one statement call, not N.

        Returns:
            The keys whose version did not match (empty when every row was written).
            Rows after a mismatch may have been written: the caller rolls back.
        """
        return [
            key
            for key, expected, data, columns in rows
            if not self.update(spec, key, expected, data, columns)
        ]

    @abc.abstractmethod
    def version_of(self, spec: TableSpec, key: str) -> int:
        """The stored version of ``key`` (0 if absent); used to explain a failed write."""

    @abc.abstractmethod
    def select(
        self, spec: TableSpec, column: str, value: Column, limit: int | None
    ) -> list[Record]:
        """Rows whose ``column`` equals ``value``, ordered by ``spec.order_by`` then key
        (insertion order when ``order_by`` is empty), at most ``limit``."""

    @abc.abstractmethod
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
        """Rows with ``low <= column < high`` ordered by (column, key), strictly after the
        (column value, key) pair ``after`` if given, at most ``limit`` (keyset paging)."""

    @abc.abstractmethod
    def next_number(self, series: str, year: int) -> int:
        """Advance and return the counter of (series, year); the first value is 1."""

    @abc.abstractmethod
    def current_number(self, series: str, year: int) -> int:
        """The counter of (series, year), 0 if never advanced."""

    @abc.abstractmethod
    def get_result(self, key: str) -> tuple[str, str] | None:
        """(fingerprint, result JSON) stored under the idempotency ``key``, or None."""

    @abc.abstractmethod
    def insert_result(self, key: str, fingerprint: str, result: str) -> bool:
        """Store an idempotency record; False (nothing written) if the key exists."""

    @abc.abstractmethod
    def append_outbox(self, rows: Sequence[OutboxRow]) -> None:
        """Append rows to the outbox in this order. Positions must increase in commit order
        across transactions (true of any sequence when writers are serialised, as in
        SQLite; a server database must make sure a later position never commits first)."""

    @abc.abstractmethod
    def pending(self, limit: int | None) -> list[OutboxMessage]:
        """Undispatched outbox messages by position, at most ``limit``."""

    @abc.abstractmethod
    def mark_dispatched(self, message_ids: Sequence[str]) -> list[str]:
        """Mark these (distinct) messages dispatched; return the ids that do not exist
        (and then mark nothing)."""

    @abc.abstractmethod
    def count_outbox(self, *, pending_only: bool) -> int:
        """Number of outbox messages (undispatched only if ``pending_only``)."""


class ReadOnlyRecords(RecordStore):
    """Wraps a record store and refuses every write (read-only units of work)."""

    def __init__(self, inner: RecordStore) -> None:
        self._inner = inner

    @staticmethod
    def _refuse(what: str) -> OrderkitError:
        return OrderkitError(f"a read-only unit of work cannot {what}")

    def get(self, spec: TableSpec, key: str) -> Record | None:
        return self._inner.get(spec, key)

    def get_many(self, spec: TableSpec, keys: Sequence[str]) -> list[Record]:
        return self._inner.get_many(spec, keys)

    def insert(self, spec: TableSpec, key: str, data: str, columns: Mapping[str, Column]) -> bool:
        raise self._refuse(f"store {spec.kind} {key!r}")

    def update(
        self,
        spec: TableSpec,
        key: str,
        expected_version: int,
        data: str,
        columns: Mapping[str, Column],
    ) -> bool:
        raise self._refuse(f"store {spec.kind} {key!r}")

    def update_many(
        self, spec: TableSpec, rows: Sequence[tuple[str, int, str, Mapping[str, Column]]]
    ) -> list[str]:
        raise self._refuse(f"store {spec.kind} {', '.join(repr(row[0]) for row in rows)}")

    def version_of(self, spec: TableSpec, key: str) -> int:
        return self._inner.version_of(spec, key)

    def select(
        self, spec: TableSpec, column: str, value: Column, limit: int | None
    ) -> list[Record]:
        return self._inner.select(spec, column, value, limit)

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
        return self._inner.select_range(spec, column, low, high, after=after, limit=limit)

    def next_number(self, series: str, year: int) -> int:
        raise self._refuse(f"draw a number in {series!r}")

    def current_number(self, series: str, year: int) -> int:
        return self._inner.current_number(series, year)

    def get_result(self, key: str) -> tuple[str, str] | None:
        return self._inner.get_result(key)

    def insert_result(self, key: str, fingerprint: str, result: str) -> bool:
        raise self._refuse(f"record idempotency key {key!r}")

    def append_outbox(self, rows: Sequence[OutboxRow]) -> None:
        if rows:
            raise self._refuse("append to the outbox")

    def pending(self, limit: int | None) -> list[OutboxMessage]:
        return self._inner.pending(limit)

    def mark_dispatched(self, message_ids: Sequence[str]) -> list[str]:
        raise self._refuse("mark outbox messages dispatched")

    def count_outbox(self, *, pending_only: bool) -> int:
        return self._inner.count_outbox(pending_only=pending_only)
