"""The in-memory adapter: the reference implementation of every storage port.

It is real product code, not a mock: transactional (changes are invisible to
other units of work until commit and discarded on rollback), thread-safe (a
unit of work holds the store's lock from ``begin`` to commit or rollback, like
SQLite's ``BEGIN IMMEDIATE``), and it stores converter JSON like the database
adapters, so a loaded aggregate is a fresh copy and a type that does not
round-trip fails here first.

>>> store = MemoryStore()
>>> with store.unit_of_work() as uow:
...     uow.numbers.next("INV", 2026)
...     uow.commit()
1
>>> with store.unit_of_work() as uow:
...     uow.numbers.next("INV", 2026)  # rolled back: consumes nothing
2
>>> with store.unit_of_work() as uow:
...     uow.numbers.current("INV", 2026)
1
"""

from __future__ import annotations

import itertools
import threading
from collections.abc import Callable, Iterator, Mapping, Sequence

import attrs

from orderkit.adapters._records import Column, OutboxRow, Record, RecordStore, TableSpec
from orderkit.adapters._unit_of_work import BaseUnitOfWork, new_message_id
from orderkit.errors import OrderkitError, StoreUnavailable
from orderkit.ports import OutboxMessage

__all__ = ["MemoryStore", "MemoryUnitOfWork"]


@attrs.frozen
class _Row:
    version: int
    data: str
    columns: Mapping[str, Column]
    seq: int


@attrs.define
class _State:
    """Committed data (or the changes of one transaction, with the same shape).

    ``index`` and ``undispatched`` are kept on the committed state only, so that a
    query or a relay poll costs what it returns, not the size of the store.
    """

    tables: dict[str, dict[str, _Row]] = attrs.Factory(dict)
    numbers: dict[tuple[str, int], int] = attrs.Factory(dict)
    results: dict[str, tuple[str, str]] = attrs.Factory(dict)
    outbox: list[OutboxMessage] = attrs.Factory(list)
    dispatched: set[str] = attrs.Factory(set)
    message_ids: set[str] = attrs.Factory(set)
    seq: int = 0
    #: (table, column) → column value → keys of the committed rows holding it.
    index: dict[tuple[str, str], dict[Column, set[str]]] = attrs.Factory(dict)
    #: Committed outbox messages not dispatched yet, in outbox order, by message id.
    undispatched: dict[str, OutboxMessage] = attrs.Factory(dict)


class MemoryStore:
    """Every port's data in memory, shared by the units of work it makes.

    Args:
        lock_timeout: seconds a unit of work waits for another to finish before
            raising a retryable :class:`~orderkit.errors.StoreUnavailable`.
        message_ids: makes outbox message ids (random UUIDs by default).
    """

    def __init__(
        self,
        *,
        lock_timeout: float = 5.0,
        message_ids: Callable[[], str] = new_message_id,
    ) -> None:
        self._lock = threading.Lock()
        self._owner: int | None = None
        self._lock_timeout = lock_timeout
        self._message_ids = message_ids
        self._state = _State()

    def unit_of_work(self, *, read_only: bool = False) -> MemoryUnitOfWork:
        """A new unit of work on this store (pass ``store.unit_of_work`` as a factory).

        A ``read_only`` one refuses writes; it still waits for the store's lock.
        """
        return MemoryUnitOfWork(self, message_ids=self._message_ids, read_only=read_only)

    def _acquire(self) -> None:
        if self._owner == threading.get_ident():
            raise StoreUnavailable("this thread already has a unit of work open on this store")
        if not self._lock.acquire(timeout=self._lock_timeout):
            raise StoreUnavailable(
                f"memory store busy: no unit of work finished within {self._lock_timeout}s"
            )
        self._owner = threading.get_ident()

    def _release(self) -> None:
        self._owner = None
        self._lock.release()


class MemoryUnitOfWork(BaseUnitOfWork):
    """A unit of work on a :class:`MemoryStore`."""

    def __init__(
        self,
        store: MemoryStore,
        *,
        message_ids: Callable[[], str] = new_message_id,
        read_only: bool = False,
    ) -> None:
        super().__init__(message_ids=message_ids, read_only=read_only)
        self._memory = store
        self._changes: _MemoryRecords | None = None

    def _begin(self) -> RecordStore:
        self._memory._acquire()
        self._changes = _MemoryRecords(self._memory._state)
        return self._changes

    def _commit(self) -> None:
        changes = self._changes
        if changes is None:  # pragma: no cover - BaseUnitOfWork checks first
            raise OrderkitError("no open transaction")
        changes.apply()
        self._changes = None
        self._memory._release()

    def _rollback(self) -> None:
        if self._changes is not None:
            self._changes = None
            self._memory._release()


class _MemoryRecords(RecordStore):
    """One transaction: reads see the committed state plus this transaction's changes."""

    def __init__(self, committed: _State) -> None:
        self._committed = committed
        self._new = _State(seq=committed.seq)

    def apply(self) -> None:
        base, new = self._committed, self._new
        for table, rows in new.tables.items():
            stored = base.tables.setdefault(table, {})
            for key, row in rows.items():
                _reindex(base.index, table, key, stored.get(key), row)
            stored.update(rows)
        base.numbers.update(new.numbers)
        base.results.update(new.results)
        base.outbox.extend(new.outbox)
        base.undispatched.update((message.message_id, message) for message in new.outbox)
        for message_id in new.dispatched:
            base.undispatched.pop(message_id, None)
        base.dispatched.update(new.dispatched)
        base.message_ids.update(new.message_ids)
        base.seq = new.seq

    # -- rows

    def _row(self, spec: TableSpec, key: str) -> _Row | None:
        row = self._new.tables.get(spec.table, {}).get(key)
        if row is None:
            row = self._committed.tables.get(spec.table, {}).get(key)
        return row

    def _matching(self, spec: TableSpec, column: str, value: Column) -> list[tuple[str, _Row]]:
        """Rows whose ``column`` is ``value``: indexed committed rows and this transaction's."""
        committed = self._committed.index.get((spec.table, column), {}).get(value, set())
        candidates = committed.union(self._new.tables.get(spec.table, {}))
        found = ((key, self._row(spec, key)) for key in candidates)
        return [
            (key, row) for key, row in found if row is not None and row.columns[column] == value
        ]

    def _rows(self, spec: TableSpec) -> dict[str, _Row]:
        merged = dict(self._committed.tables.get(spec.table, {}))
        merged.update(self._new.tables.get(spec.table, {}))
        return merged

    def _write(self, spec: TableSpec, key: str, row: _Row) -> None:
        self._new.tables.setdefault(spec.table, {})[key] = row

    def get(self, spec: TableSpec, key: str) -> Record | None:
        row = self._row(spec, key)
        return None if row is None else Record(key, row.version, row.data)

    def get_many(self, spec: TableSpec, keys: Sequence[str]) -> list[Record]:
        found = (self.get(spec, key) for key in sorted(set(keys)))
        return [record for record in found if record is not None]

    def insert(self, spec: TableSpec, key: str, data: str, columns: Mapping[str, Column]) -> bool:
        if self._row(spec, key) is not None:
            return False
        self._new.seq += 1
        self._write(spec, key, _Row(1, data, dict(columns), self._new.seq))
        return True

    def update(
        self,
        spec: TableSpec,
        key: str,
        expected_version: int,
        data: str,
        columns: Mapping[str, Column],
    ) -> bool:
        row = self._row(spec, key)
        if row is None or row.version != expected_version:
            return False
        self._write(spec, key, _Row(expected_version + 1, data, dict(columns), row.seq))
        return True

    def version_of(self, spec: TableSpec, key: str) -> int:
        row = self._row(spec, key)
        return 0 if row is None else row.version

    def select(
        self, spec: TableSpec, column: str, value: Column, limit: int | None
    ) -> list[Record]:
        rows = self._matching(spec, column, value)
        if spec.order_by:
            rows.sort(key=lambda item: (*(item[1].columns[c] for c in spec.order_by), item[0]))
        else:
            rows.sort(key=lambda item: item[1].seq)
        chosen = rows if limit is None else rows[:limit]
        return [Record(key, row.version, row.data) for key, row in chosen]

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
        rows: list[tuple[int, str, _Row]] = []
        for key, row in self._rows(spec).items():
            value = row.columns[column]
            assert isinstance(value, int)
            if low <= value < high and (after is None or (value, key) > after):
                rows.append((value, key, row))
        rows.sort(key=lambda item: (item[0], item[1]))
        return [Record(key, row.version, row.data) for _, key, row in rows[:limit]]

    # -- numbers

    def current_number(self, series: str, year: int) -> int:
        key = (series, year)
        if key in self._new.numbers:
            return self._new.numbers[key]
        return self._committed.numbers.get(key, 0)

    def next_number(self, series: str, year: int) -> int:
        value = self.current_number(series, year) + 1
        self._new.numbers[(series, year)] = value
        return value

    # -- idempotency

    def get_result(self, key: str) -> tuple[str, str] | None:
        found = self._new.results.get(key)
        return found if found is not None else self._committed.results.get(key)

    def insert_result(self, key: str, fingerprint: str, result: str) -> bool:
        if self.get_result(key) is not None:
            return False
        self._new.results[key] = (fingerprint, result)
        return True

    # -- outbox

    def append_outbox(self, rows: Sequence[OutboxRow]) -> None:
        start = len(self._committed.outbox) + len(self._new.outbox)
        known = self._new.message_ids
        for offset, row in enumerate(rows, start=1):
            if row.message_id in known or row.message_id in self._committed.message_ids:
                raise OrderkitError(f"outbox message id {row.message_id!r} is not unique")
            known.add(row.message_id)
            self._new.outbox.append(
                OutboxMessage(
                    position=start + offset,
                    message_id=row.message_id,
                    aggregate_type=row.aggregate_type,
                    aggregate_key=row.aggregate_key,
                    event_type=row.event_type,
                    payload=row.payload,
                )
            )

    def _pending(self) -> Iterator[OutboxMessage]:
        dispatched = self._new.dispatched
        for message in (*self._committed.undispatched.values(), *self._new.outbox):
            if message.message_id not in dispatched:
                yield message

    def pending(self, limit: int | None) -> list[OutboxMessage]:
        return list(itertools.islice(self._pending(), limit))

    def mark_dispatched(self, message_ids: Sequence[str]) -> list[str]:
        missing = [
            i
            for i in message_ids
            if i not in self._committed.message_ids and i not in self._new.message_ids
        ]
        if not missing:
            self._new.dispatched.update(message_ids)
        return missing

    def count_outbox(self, *, pending_only: bool) -> int:
        if not pending_only:
            return len(self._committed.outbox) + len(self._new.outbox)
        return sum(1 for _ in self._pending())


def _reindex(
    index: dict[tuple[str, str], dict[Column, set[str]]],
    table: str,
    key: str,
    old: _Row | None,
    new: _Row,
) -> None:
    """Move ``key`` from its old column values to its new ones in the committed index."""
    for column, value in new.columns.items():
        by_value = index.setdefault((table, column), {})
        if old is not None and column in old.columns:
            before = old.columns[column]
            if before == value:
                continue
            keys = by_value.get(before, set())
            keys.discard(key)
            if not keys:
                by_value.pop(before, None)
        by_value.setdefault(value, set()).add(key)
