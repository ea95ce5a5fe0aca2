"""Events a shipment records. Each carries what a subscriber needs without a lookup."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

import attrs

from orderkit.events import DomainEvent
from orderkit.fulfillment._values import ShipmentItem, ShipmentStatus, TrackingEvent
from orderkit.ids import LocationId, OrderId, ShipmentId
from orderkit.money import Money

__all__ = [
    "SHIPMENT_EVENT_TYPES",
    "ShipmentCancelled",
    "ShipmentCreated",
    "ShipmentDelivered",
    "ShipmentDispatched",
    "ShipmentFailed",
    "ShipmentLabelCreated",
    "ShipmentReturnedToSender",
    "TrackingUpdated",
]


@attrs.frozen
class ShipmentCreated(DomainEvent):
    """A shipment was planned from a location; nothing has left the building yet."""

    aggregate_type: ClassVar[str] = "shipment"

    shipment_id: ShipmentId
    order_id: OrderId
    location: LocationId
    items: tuple[ShipmentItem, ...]

    @property
    def aggregate_key(self) -> str:
        """The shipment id."""
        return str(self.shipment_id)


@attrs.frozen
class ShipmentLabelCreated(DomainEvent):
    """A label was bought for the shipment."""

    aggregate_type: ClassVar[str] = "shipment"

    shipment_id: ShipmentId
    order_id: OrderId
    carrier: str
    service: str
    tracking_number: str
    label_reference: str
    price: Money

    @property
    def aggregate_key(self) -> str:
        """The shipment id."""
        return str(self.shipment_id)


@attrs.frozen
class ShipmentDispatched(DomainEvent):
    """The units left ``location``: subscribers consume allocations and update line ledgers."""

    aggregate_type: ClassVar[str] = "shipment"

    shipment_id: ShipmentId
    order_id: OrderId
    location: LocationId
    items: tuple[ShipmentItem, ...]
    carrier: str
    service: str
    tracking_number: str
    dispatched_at: dt.datetime
    promised_delivery: dt.date | None

    @property
    def aggregate_key(self) -> str:
        """The shipment id."""
        return str(self.shipment_id)


@attrs.frozen
class TrackingUpdated(DomainEvent):
    """A new carrier scan was added; ``status`` is the shipment status after it."""

    aggregate_type: ClassVar[str] = "shipment"

    shipment_id: ShipmentId
    order_id: OrderId
    event: TrackingEvent
    previous_status: ShipmentStatus
    status: ShipmentStatus

    @property
    def aggregate_key(self) -> str:
        """The shipment id."""
        return str(self.shipment_id)


@attrs.frozen
class ShipmentDelivered(DomainEvent):
    """The carrier delivered every unit of the shipment."""

    aggregate_type: ClassVar[str] = "shipment"

    shipment_id: ShipmentId
    order_id: OrderId
    location: LocationId
    items: tuple[ShipmentItem, ...]
    delivered_at: dt.datetime

    @property
    def aggregate_key(self) -> str:
        """The shipment id."""
        return str(self.shipment_id)


@attrs.frozen
class ShipmentFailed(DomainEvent):
    """The carrier gave up (lost, damaged, refused): the units will not arrive."""

    aggregate_type: ClassVar[str] = "shipment"

    shipment_id: ShipmentId
    order_id: OrderId
    location: LocationId
    items: tuple[ShipmentItem, ...]
    failed_at: dt.datetime
    reason: str

    @property
    def aggregate_key(self) -> str:
        """The shipment id."""
        return str(self.shipment_id)


@attrs.frozen
class ShipmentReturnedToSender(DomainEvent):
    """The carrier is bringing the units back to the sender."""

    aggregate_type: ClassVar[str] = "shipment"

    shipment_id: ShipmentId
    order_id: OrderId
    location: LocationId
    items: tuple[ShipmentItem, ...]
    returned_at: dt.datetime
    reason: str

    @property
    def aggregate_key(self) -> str:
        """The shipment id."""
        return str(self.shipment_id)


@attrs.frozen
class ShipmentCancelled(DomainEvent):
    """The shipment was cancelled before dispatch; its units never left ``location``."""

    aggregate_type: ClassVar[str] = "shipment"

    shipment_id: ShipmentId
    order_id: OrderId
    location: LocationId
    items: tuple[ShipmentItem, ...]
    label_reference: str | None

    @property
    def aggregate_key(self) -> str:
        """The shipment id."""
        return str(self.shipment_id)


#: Every shipment event class (for subscribers and strategies).
SHIPMENT_EVENT_TYPES: tuple[type[DomainEvent], ...] = (
    ShipmentCreated,
    ShipmentLabelCreated,
    ShipmentDispatched,
    TrackingUpdated,
    ShipmentDelivered,
    ShipmentFailed,
    ShipmentReturnedToSender,
    ShipmentCancelled,
)
