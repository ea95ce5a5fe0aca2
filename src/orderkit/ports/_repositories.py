"""Repository ports: where the aggregates live between units of work.

Every repository follows one versioning rule (optimistic concurrency):
an aggregate's ``version`` is 0 until it is stored; ``add`` stores version 1;
``save`` succeeds only if the stored version equals ``aggregate.version`` and
then stores the next one; the repository sets ``aggregate.version`` after the
write. ``save`` of a version-0 aggregate inserts it, so two processes creating
the same aggregate race like two processes updating it.
"""

from __future__ import annotations

import abc
import datetime as dt
from collections.abc import Iterable, Iterator, Mapping
from typing import TypeAlias

from orderkit.fulfillment import Shipment
from orderkit.ids import CustomerId, OrderId, ShipmentId, Sku
from orderkit.inventory import SkuStock
from orderkit.invoicing import CreditNote, Invoice
from orderkit.orders import Order

__all__ = [
    "InvoiceDocument",
    "InvoiceRepository",
    "OrderRepository",
    "ShipmentRepository",
    "StockRepository",
]

#: What the invoice repository stores: invoices and the credit notes correcting them.
InvoiceDocument: TypeAlias = Invoice | CreditNote


class OrderRepository(abc.ABC):
    """Orders by id, with the queries a back office needs."""

    @abc.abstractmethod
    def get(self, order_id: OrderId) -> Order:
        """The stored order, with ``version`` set to the stored version.

        Raises:
            NotFound: no order has this id.
            StoreUnavailable: the store could not be reached (retryable).
        """

    @abc.abstractmethod
    def add(self, order: Order) -> None:
        """Store a new order as version 1 (sets ``order.version`` to 1).

        Raises:
            DuplicateRequest: an order with this id is already stored.
            StoreUnavailable: the store could not be reached (retryable).
        """

    @abc.abstractmethod
    def save(self, order: Order) -> None:
        """Store the order if nobody else changed it since it was read (sets the new version).

        Raises:
            ConcurrencyConflict: the stored version is not ``order.version``; nothing is written.
            NotFound: ``order.version`` > 0 but no order with this id is stored.
            StoreUnavailable: the store could not be reached (retryable).
        """

    @abc.abstractmethod
    def list_by_customer(self, customer_id: CustomerId, *, limit: int | None = None) -> list[Order]:
        """The customer's orders by placement time (then id), oldest first.

        Raises:
            ValidationError: ``limit`` is negative.
            StoreUnavailable: the store could not be reached (retryable).
        """

    @abc.abstractmethod
    def list_by_status(self, status: str, *, limit: int | None = None) -> list[Order]:
        """Orders whose ``status.value`` is ``status``, by placement time (then id).

        Raises:
            ValidationError: ``limit`` is negative.
            StoreUnavailable: the store could not be reached (retryable).
        """

    @abc.abstractmethod
    def placed_between(self, start: dt.datetime, end: dt.datetime) -> Iterator[Order]:
        """Orders placed in ``[start, end)``, by placement time (then id), read lazily.

        Raises:
            ValidationError: ``start`` or ``end`` is naive.
            StoreUnavailable: the store could not be reached (retryable).
        """


class StockRepository(abc.ABC):
    """Stock records (:class:`~orderkit.inventory.SkuStock`) by sku."""

    @abc.abstractmethod
    def get(self, sku: Sku) -> SkuStock:
        """The stored stock of ``sku``.

        Raises:
            NotFound: no stock is stored for this sku.
            StoreUnavailable: the store could not be reached (retryable).
        """

    @abc.abstractmethod
    def get_many(self, skus: Iterable[Sku]) -> Mapping[Sku, SkuStock]:
        """The stored stock of several skus, read (and locked, where the store locks) in sorted
        sku order so that two units of work never wait on each other in a cycle.

        Skus with no stored stock are absent from the result (duplicates are ignored).

        Raises:
            StoreUnavailable: the store could not be reached (retryable).
        """

    @abc.abstractmethod
    def add(self, stock: SkuStock) -> None:
        """Store new stock as version 1.

        Raises:
            DuplicateRequest: stock for this sku is already stored.
            StoreUnavailable: the store could not be reached (retryable).
        """

    @abc.abstractmethod
    def save(self, stock: SkuStock) -> None:
        """Store the stock if unchanged since read (version 0 inserts it).

        Raises:
            ConcurrencyConflict: the stored version is not ``stock.version``; nothing is written.
            NotFound: ``stock.version`` > 0 but no stock is stored for this sku.
            StoreUnavailable: the store could not be reached (retryable).
        """

    def save_many(self, stocks: Iterable[SkuStock]) -> None:
        """:meth:`save` each record, in sorted sku order (the order they were locked in).

        An adapter may override it to write them in one round trip; the default
        saves one at a time. On an error the unit of work must be rolled back
        (some records may already be written in it).

        Raises:
            ConcurrencyConflict, NotFound, StoreUnavailable: as :meth:`save`.
        """
        unique = {id(stock): stock for stock in stocks}  # the same object twice saves once
        for stock in sorted(unique.values(), key=lambda item: str(item.sku)):
            self.save(stock)


class InvoiceRepository(abc.ABC):
    """Issued invoices and credit notes by number. Issued documents are never changed."""

    @abc.abstractmethod
    def add(self, document: InvoiceDocument) -> None:
        """Store an issued invoice or credit note.

        Raises:
            DuplicateRequest: a document with this number is already stored.
            StoreUnavailable: the store could not be reached (retryable).
        """

    @abc.abstractmethod
    def get(self, number: str) -> InvoiceDocument:
        """The document with this number.

        Raises:
            NotFound: no document has this number.
            StoreUnavailable: the store could not be reached (retryable).
        """

    @abc.abstractmethod
    def list_by_order(self, order_id: OrderId) -> list[InvoiceDocument]:
        """The order's invoices and credit notes in the order they were added.

        Raises:
            StoreUnavailable: the store could not be reached (retryable).
        """


class ShipmentRepository(abc.ABC):
    """Shipments (:class:`~orderkit.fulfillment.Shipment`) by id and by order."""

    @abc.abstractmethod
    def get(self, shipment_id: ShipmentId) -> Shipment:
        """The stored shipment.

        Raises:
            NotFound: no shipment has this id.
            StoreUnavailable: the store could not be reached (retryable).
        """

    @abc.abstractmethod
    def add(self, shipment: Shipment) -> None:
        """Store a new shipment as version 1.

        Raises:
            DuplicateRequest: a shipment with this id is already stored.
            StoreUnavailable: the store could not be reached (retryable).
        """

    @abc.abstractmethod
    def save(self, shipment: Shipment) -> None:
        """Store the shipment if unchanged since read (version 0 inserts it).

        Raises:
            ConcurrencyConflict: the stored version is not ``shipment.version``; nothing is written.
            NotFound: ``shipment.version`` > 0 but no shipment with this id is stored.
            StoreUnavailable: the store could not be reached (retryable).
        """

    @abc.abstractmethod
    def list_by_order(self, order_id: OrderId) -> list[Shipment]:
        """The order's shipments in the order they were first stored.

        Raises:
            StoreUnavailable: the store could not be reached (retryable).
        """

    @abc.abstractmethod
    def list_by_status(self, status: str, *, limit: int | None = None) -> list[Shipment]:
        """Shipments whose ``status.value`` is ``status``, in the order they were first stored.

        Reports such as late shipments read the open statuses with it.

        Raises:
            ValidationError: ``limit`` is negative.
            StoreUnavailable: the store could not be reached (retryable).
        """
