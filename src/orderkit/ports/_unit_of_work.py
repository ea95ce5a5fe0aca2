"""The unit of work port: one atomic transaction over every repository."""

from __future__ import annotations

import abc
from collections.abc import Callable
from types import TracebackType
from typing import Protocol, Self, TypeAlias

from orderkit.events import DomainEvent
from orderkit.ports._repositories import (
    InvoiceRepository,
    OrderRepository,
    ShipmentRepository,
    StockRepository,
)
from orderkit.ports._stores import IdempotencyStore, NumberSequence, Outbox

__all__ = ["Aggregate", "UnitOfWork", "UnitOfWorkFactory"]


class Aggregate(Protocol):
    """What a unit of work needs from an aggregate: a version and its recorded events."""

    version: int

    def pull_events(self) -> list[DomainEvent]:
        """Return the recorded events, in order, and forget them."""
        ...


class UnitOfWork(abc.ABC):
    """A transaction over the repositories, used as a context manager.

    ``with uow:`` begins it; :meth:`commit` makes every change visible at once
    and writes the events of every aggregate added or saved through it to the
    outbox in the same transaction; leaving the block without committing (or
    by an exception) rolls everything back, outbox included. A unit of work
    object runs one transaction at a time and may be entered again afterwards.

    Attributes:
        orders: the orders of this transaction.
        stock: the stock records of this transaction.
        invoices: the invoices and credit notes of this transaction.
        shipments: the shipments of this transaction.
        numbers: the gapless number sequences (a rollback consumes no number).
        idempotency: results stored by idempotency key.
        outbox: committed events waiting for dispatch.
    """

    orders: OrderRepository
    stock: StockRepository
    invoices: InvoiceRepository
    shipments: ShipmentRepository
    numbers: NumberSequence
    idempotency: IdempotencyStore
    outbox: Outbox

    def __enter__(self) -> Self:
        self.begin()
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self.active:
            self.rollback()

    @property
    @abc.abstractmethod
    def active(self) -> bool:
        """Whether a transaction is open (between :meth:`begin` and commit or rollback)."""

    @abc.abstractmethod
    def begin(self) -> None:
        """Open the transaction (``with`` does it). A writing store takes its write lock here.

        Raises:
            OrderkitError: this unit of work already has an open transaction.
            StoreUnavailable: the store is locked by another writer for too long or
                cannot be reached (retryable).
        """

    @abc.abstractmethod
    def commit(self) -> None:
        """Pull the events of every aggregate added or saved, append them to the outbox and
        commit, all in one transaction. The unit of work is closed afterwards.

        Raises:
            OrderkitError: no transaction is open.
            StoreUnavailable: the commit failed (retryable); nothing was written.
            ConcurrencyConflict: the store detected a conflicting write; nothing was written.
        """

    @abc.abstractmethod
    def rollback(self) -> None:
        """Discard every change of the transaction (outbox and numbers included) and close it.

        Aggregates written through it get their previous ``version`` back; their
        recorded events stay pending. Rolling back a closed unit of work does nothing.
        """

    @abc.abstractmethod
    def publish(self, *events: DomainEvent) -> None:
        """Queue events that belong to no stored aggregate (an issued invoice) for the outbox.

        They are written on commit, after the events pulled from the aggregates,
        and dropped on rollback.

        Raises:
            OrderkitError: no transaction is open.
        """


#: What the service layer takes: a way to get a fresh unit of work per command.
UnitOfWorkFactory: TypeAlias = Callable[[], UnitOfWork]
