"""Domain events recorded by :class:`~orderkit.inventory.SkuStock`.

Every event names the SKU (the aggregate key) and carries what a subscriber
needs without loading the stock: locations, quantities, references.
"""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

import attrs

from orderkit.events import DomainEvent
from orderkit.ids import LocationId, Sku

__all__ = [
    "BackorderCancelled",
    "BackorderCreated",
    "BackorderFilled",
    "BatchExpected",
    "LowStock",
    "ReservationConverted",
    "ReservationExpired",
    "ReservationReleased",
    "StockAdjusted",
    "StockAllocated",
    "StockConsumed",
    "StockDeallocated",
    "StockEvent",
    "StockMoved",
    "StockReceived",
    "StockReserved",
]


@attrs.frozen
class StockEvent(DomainEvent):
    """Base of the inventory events: keyed by SKU."""

    aggregate_type: ClassVar[str] = "stock"

    sku: Sku

    @property
    def aggregate_key(self) -> str:
        """The SKU whose stock recorded the event."""
        return str(self.sku)


@attrs.frozen
class StockReceived(StockEvent):
    """Units entered the books at a location (a receipt or an arriving batch)."""

    location: LocationId
    quantity: int
    reference: str | None = None


@attrs.frozen
class StockAdjusted(StockEvent):
    """A count correction: ``delta`` units (negative for a write-off), with its reason."""

    location: LocationId
    delta: int
    reason: str


@attrs.frozen
class StockMoved(StockEvent):
    """Units moved from one location to another."""

    source: LocationId
    target: LocationId
    quantity: int


@attrs.frozen
class BatchExpected(StockEvent):
    """An incoming batch was announced."""

    reference: str
    quantity: int
    eta: dt.datetime
    destination: LocationId


@attrs.frozen
class StockReserved(StockEvent):
    """Units were held for a cart or quote until ``expires_at`` (``location`` None: any)."""

    reference: str
    quantity: int
    expires_at: dt.datetime
    location: LocationId | None = None


@attrs.frozen
class ReservationReleased(StockEvent):
    """A reservation was given back before it expired."""

    reference: str
    quantity: int


@attrs.frozen
class ReservationExpired(StockEvent):
    """A reservation ran out at ``expires_at`` and its units became available again."""

    reference: str
    quantity: int
    expires_at: dt.datetime


@attrs.frozen
class ReservationConverted(StockEvent):
    """A reservation was turned into the allocation of ``order`` (counted once)."""

    reference: str
    order: str
    quantity: int


@attrs.frozen
class StockAllocated(StockEvent):
    """Units were allocated to an order, at a location or against an incoming batch."""

    order: str
    location: LocationId
    quantity: int
    batch: str | None = None


@attrs.frozen
class StockDeallocated(StockEvent):
    """An order's allocation was given back (cancellation or re-planning)."""

    order: str
    location: LocationId
    quantity: int
    batch: str | None = None


@attrs.frozen
class StockConsumed(StockEvent):
    """Allocated units left ``location`` in a shipment."""

    order: str
    location: LocationId
    quantity: int


@attrs.frozen
class BackorderCreated(StockEvent):
    """Units were promised to an order beyond the stock there is."""

    order: str
    quantity: int


@attrs.frozen
class BackorderCancelled(StockEvent):
    """An order's backordered units were withdrawn."""

    order: str
    quantity: int


@attrs.frozen
class BackorderFilled(StockEvent):
    """Fewer units of an order are backordered: stock now covers them (re-planned)."""

    order: str
    quantity: int


@attrs.frozen
class LowStock(StockEvent):
    """Available units fell to or below the SKU's low-stock threshold."""

    available: int
    threshold: int
