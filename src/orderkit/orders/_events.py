"""Domain events recorded by the :class:`~orderkit.orders.Order` aggregate.

Each carries the order id and the time, plus what a subscriber needs without
loading the order: line ids, skus and unit counts. They serialise through
:mod:`orderkit.serialization` as a union tagged by class name.

Stock, shipment and invoice events belong to the inventory, fulfilment and
invoicing packages; the ``OrderItems*`` events here are the order's own view
of its line ledgers.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

import attrs

from orderkit.events import DomainEvent
from orderkit.ids import CustomerId, LineId, OrderId, Sku
from orderkit.money import Money
from orderkit.orders._status import PaymentKind, PaymentStatus

__all__ = [
    "CancelledLine",
    "LineQuantity",
    "OrderCancelled",
    "OrderCompleted",
    "OrderConfirmed",
    "OrderDelivered",
    "OrderEvent",
    "OrderFulfilled",
    "OrderHeld",
    "OrderItemsAllocated",
    "OrderItemsCancelled",
    "OrderItemsDeallocated",
    "OrderItemsDelivered",
    "OrderItemsReturned",
    "OrderItemsShipped",
    "OrderPlaced",
    "OrderReleased",
    "OrderStatusChanged",
    "PaymentRecorded",
    "PlacedLine",
]


@attrs.frozen
class LineQuantity:
    """Units of one line moved by a ledger command."""

    line_id: LineId
    sku: Sku
    quantity: int


@attrs.frozen
class CancelledLine:
    """Units of one line cancelled, and how many of them held stock to release."""

    line_id: LineId
    sku: Sku
    cancelled: int
    release: int


@attrs.frozen
class PlacedLine:
    """A line as placed: what a warehouse or a pricing subscriber needs."""

    line_id: LineId
    sku: Sku
    quantity: int
    unit_price: Money
    tax_category: str


@attrs.frozen(kw_only=True)
class OrderEvent(DomainEvent):
    """Base of the order's events: the order id and when it happened."""

    aggregate_type: ClassVar[str] = "order"

    order_id: OrderId
    at: dt.datetime

    @property
    def aggregate_key(self) -> str:
        """The order id."""
        return self.order_id


@attrs.frozen(kw_only=True)
class OrderPlaced(OrderEvent):
    """An order was placed: its customer, currency, grand total and lines."""

    customer_id: CustomerId
    customer_group: str | None
    total: Money
    lines: tuple[PlacedLine, ...]


@attrs.frozen(kw_only=True)
class OrderConfirmed(OrderEvent):
    """The order was accepted for fulfilment."""

    actor: str | None = None


@attrs.frozen(kw_only=True)
class OrderCancelled(OrderEvent):
    """The order was cancelled; ``lines`` lists per line the units to give back to stock."""

    lines: tuple[CancelledLine, ...]
    actor: str | None = None
    reason: str | None = None


@attrs.frozen(kw_only=True)
class OrderHeld(OrderEvent):
    """The order was put on hold from state ``held_from``."""

    held_from: str
    actor: str | None = None
    reason: str | None = None


@attrs.frozen(kw_only=True)
class OrderReleased(OrderEvent):
    """A hold was lifted; the order went back to ``state``."""

    state: str
    actor: str | None = None


@attrs.frozen(kw_only=True)
class OrderFulfilled(OrderEvent):
    """Every non-cancelled unit has shipped."""


@attrs.frozen(kw_only=True)
class OrderCompleted(OrderEvent):
    """The order is closed."""

    actor: str | None = None


@attrs.frozen(kw_only=True)
class OrderDelivered(OrderEvent):
    """Every non-cancelled unit has been delivered."""


@attrs.frozen(kw_only=True)
class OrderStatusChanged(OrderEvent):
    """A transition whose effects record no event of their own (e.g. a host-added step)."""

    event: str
    source: str
    target: str
    actor: str | None = None
    reason: str | None = None


@attrs.frozen(kw_only=True)
class PaymentRecorded(OrderEvent):
    """A payment movement was recorded; ``payment_status`` is the status after it."""

    kind: PaymentKind
    amount: Money
    reference: str | None
    payment_status: PaymentStatus


@attrs.frozen(kw_only=True)
class OrderItemsAllocated(OrderEvent):
    """Stock was set aside for these units."""

    lines: tuple[LineQuantity, ...]


@attrs.frozen(kw_only=True)
class OrderItemsDeallocated(OrderEvent):
    """Stock set aside for these units was given back."""

    lines: tuple[LineQuantity, ...]


@attrs.frozen(kw_only=True)
class OrderItemsShipped(OrderEvent):
    """These units left the warehouse."""

    lines: tuple[LineQuantity, ...]


@attrs.frozen(kw_only=True)
class OrderItemsDelivered(OrderEvent):
    """These units reached the customer."""

    lines: tuple[LineQuantity, ...]


@attrs.frozen(kw_only=True)
class OrderItemsReturned(OrderEvent):
    """The customer sent these units back."""

    lines: tuple[LineQuantity, ...]


@attrs.frozen(kw_only=True)
class OrderItemsCancelled(OrderEvent):
    """Some units were cancelled while the order goes on; ``release`` is stock to give back."""

    lines: tuple[CancelledLine, ...]
    actor: str | None = None
    reason: str | None = None
