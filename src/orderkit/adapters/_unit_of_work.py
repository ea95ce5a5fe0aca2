"""The unit of work shared by the shipped adapters: state, tracking, events to outbox."""

from __future__ import annotations

import abc
import os
from collections.abc import Callable

from orderkit.adapters._codecs import encode_event
from orderkit.adapters._records import OutboxRow, ReadOnlyRecords, RecordStore
from orderkit.adapters._repositories import (
    RecordIdempotencyStore,
    RecordInvoiceRepository,
    RecordNumberSequence,
    RecordOrderRepository,
    RecordOutbox,
    RecordShipmentRepository,
    RecordStockRepository,
)
from orderkit.errors import OrderkitError
from orderkit.events import DomainEvent
from orderkit.ports import Aggregate, UnitOfWork

__all__ = ["BaseUnitOfWork", "new_message_id"]


#: The bits ``uuid.UUID(..., version=4)`` clears and sets: the version and the variant.
_V4_CLEAR = ~((0xC000 << 48) | (0xF000 << 64)) & ((1 << 128) - 1)
_V4_SET = (0x8000 << 48) | (4 << 76)


def v4_hex(random: bytes) -> str:
    """``uuid.UUID(bytes=random, version=4).hex``, without building the UUID (per event)."""
    return f"{int.from_bytes(random) & _V4_CLEAR | _V4_SET:032x}"


def new_message_id() -> str:
    """A random, unique outbox message id (32 hex digits: a random version-4 UUID)."""
    return v4_hex(os.urandom(16))


class BaseUnitOfWork(UnitOfWork):
    """A :class:`~orderkit.ports.UnitOfWork` whose adapter supplies only transaction control.

    Subclasses implement :meth:`_begin` (open a transaction, return its
    :class:`~orderkit.adapters._records.RecordStore`), :meth:`_commit` and
    :meth:`_rollback`. Everything else (the repositories, the version rule,
    collecting events into the outbox on commit, restoring versions on
    rollback) is shared, so adapters agree on it by construction.
    """

    def __init__(
        self, *, message_ids: Callable[[], str] = new_message_id, read_only: bool = False
    ) -> None:
        self._message_ids = message_ids
        self._read_only = read_only
        self._store: RecordStore | None = None
        self._tracked: dict[int, tuple[Aggregate, int]] = {}
        #: Published events, already encoded for the outbox (publish checks them by encoding).
        self._published: list[tuple[str, str, str, str]] = []
        self.orders = RecordOrderRepository(self)
        self.stock = RecordStockRepository(self)
        self.invoices = RecordInvoiceRepository(self)
        self.shipments = RecordShipmentRepository(self)
        self.numbers = RecordNumberSequence(self)
        self.idempotency = RecordIdempotencyStore(self)
        self.outbox = RecordOutbox(self)

    # -- what subclasses provide

    @abc.abstractmethod
    def _begin(self) -> RecordStore:
        """Open a transaction (taking the write lock if the store has one)."""

    @abc.abstractmethod
    def _commit(self) -> None:
        """Commit the open transaction; on failure leave nothing written and raise."""

    @abc.abstractmethod
    def _rollback(self) -> None:
        """Roll the open transaction back (must not raise for a broken connection)."""

    # -- the port

    @property
    def active(self) -> bool:
        return self._store is not None

    @property
    def read_only(self) -> bool:
        """Whether this unit of work refuses writes (and takes no write lock where it can)."""
        return self._read_only

    def begin(self) -> None:
        if self._store is not None:
            raise OrderkitError("this unit of work already has an open transaction")
        self._tracked.clear()
        self._published.clear()
        store = self._begin()
        self._store = ReadOnlyRecords(store) if self._read_only else store

    def records(self) -> RecordStore:
        """The open transaction's record store (what the repositories use)."""
        if self._store is None:
            raise OrderkitError("no open transaction: use the unit of work in a `with` block")
        return self._store

    def track(self, aggregate: Aggregate) -> None:
        """Remember an aggregate written in this transaction, and its version before."""
        self._tracked.setdefault(id(aggregate), (aggregate, aggregate.version))

    def publish(self, *events: DomainEvent) -> None:
        self.records()
        if self._read_only:
            raise OrderkitError("a read-only unit of work cannot publish events")
        encoded = [encode_event(event) for event in events]  # refuse a bad event now
        self._published.extend(encoded)

    def commit(self) -> None:
        store = self.records()
        try:
            encoded = [
                encode_event(event)
                for aggregate, _ in self._tracked.values()
                for event in aggregate.pull_events()
            ]
            encoded.extend(self._published)
            rows = [OutboxRow(self._message_ids(), *fields) for fields in encoded]
            if rows:
                store.append_outbox(rows)
            self._commit()
        except BaseException:
            self._abandon()
            raise
        self._close()

    def rollback(self) -> None:
        if self._store is None:
            return
        self._abandon()

    def _abandon(self) -> None:
        try:
            self._rollback()
        finally:
            for aggregate, version in self._tracked.values():
                aggregate.version = version
            self._close()

    def _close(self) -> None:
        self._store = None
        self._tracked.clear()
        self._published.clear()
