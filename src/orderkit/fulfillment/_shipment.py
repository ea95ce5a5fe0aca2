"""The ``Shipment`` aggregate: units of one order leaving one location under one label."""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Iterable, Mapping
from typing import cast

import attrs

from orderkit.errors import InvalidTransition, ValidationError
from orderkit.events import DomainEvent
from orderkit.fulfillment._events import (
    ShipmentCancelled,
    ShipmentCreated,
    ShipmentDelivered,
    ShipmentDispatched,
    ShipmentFailed,
    ShipmentLabelCreated,
    ShipmentReturnedToSender,
    TrackingUpdated,
)
from orderkit.fulfillment._lifecycle import SHIPMENT_TRANSITIONS
from orderkit.fulfillment._values import (
    Label,
    Parcel,
    ShipmentItem,
    ShipmentStatus,
    ShippingAddress,
    TrackingEvent,
    check_aware,
    check_collection,
    check_text,
    to_status,
)
from orderkit.ids import LineId, LocationId, OrderId, ShipmentId

__all__ = ["Shipment"]

S = ShipmentStatus
_NOT_YET_SENT = frozenset({S.PENDING, S.LABEL_CREATED, S.CANCELLED})


def _all(value: Iterable[object], kind: type, path: str) -> tuple[object, ...]:
    """The values as a tuple, each checked to be a ``kind`` (the error names the bad one)."""
    check_collection(value, path, kind.__name__)
    values = tuple(value)
    for index, item in enumerate(values):
        if not isinstance(item, kind):
            raise ValidationError(f"{item!r} is not a {kind.__name__}", path=f"{path}[{index}]")
    return values


def _items(value: Iterable[ShipmentItem]) -> tuple[ShipmentItem, ...]:
    return cast(tuple[ShipmentItem, ...], _all(value, ShipmentItem, "items"))


def _parcels(value: Iterable[Parcel]) -> tuple[Parcel, ...]:
    return cast(tuple[Parcel, ...], _all(value, Parcel, "parcels"))


def _status(value: ShipmentStatus | str) -> ShipmentStatus:
    return to_status(value)


def _tracking(value: Iterable[TrackingEvent]) -> tuple[TrackingEvent, ...]:
    return cast(tuple[TrackingEvent, ...], _all(value, TrackingEvent, "tracking"))


@attrs.define
class Shipment:
    """Units of one order sent from one location: items, parcels, label, status and tracking.

    Build one with :meth:`create` (or :meth:`from_plan`); the plain constructor
    is the storage form the converter uses. State changes only through the
    methods below, each of which checks everything before changing anything,
    so a refused call leaves the shipment as it was.

    >>> from orderkit.fulfillment import Parcel, ShipmentItem, ShippingAddress
    >>> from orderkit.ids import Sku
    >>> shipment = Shipment.create(
    ...     ShipmentId("S1"),
    ...     order_id=OrderId("O1"),
    ...     location=LocationId("WH1"),
    ...     destination=ShippingAddress("DE", "10115"),
    ...     items=[ShipmentItem(LineId("L1"), Sku("A"), 2)],
    ...     parcels=[Parcel("1.5")],
    ... )
    >>> shipment.status.value, [type(e).__name__ for e in shipment.pull_events()]
    ('pending', ['ShipmentCreated'])
    """

    _id: ShipmentId
    _order_id: OrderId
    _location: LocationId
    _destination: ShippingAddress
    _items: tuple[ShipmentItem, ...] = attrs.field(converter=_items)
    _parcels: tuple[Parcel, ...] = attrs.field(converter=_parcels)
    _status: ShipmentStatus = attrs.field(default=S.PENDING, converter=_status)
    _carrier: str | None = None
    _service: str | None = None
    _label: Label | None = None
    _promised_delivery: dt.date | None = None
    _dispatched_at: dt.datetime | None = None
    _delivered_at: dt.datetime | None = None
    _tracking: tuple[TrackingEvent, ...] = attrs.field(default=(), converter=_tracking)
    #: Storage metadata for optimistic concurrency (0 = never stored), not domain state.
    version: int = 0
    _events: list[DomainEvent] = attrs.field(factory=list, init=False, repr=False, eq=False)

    def __attrs_post_init__(self) -> None:
        check_text(self._id, "id")
        check_text(self._order_id, "order_id")
        check_text(self._location, "location")
        destination: object = self._destination
        if not isinstance(destination, ShippingAddress):
            raise ValidationError(f"{destination!r} is not a ShippingAddress", path="destination")
        label: object = self._label
        if label is not None and not isinstance(label, Label):
            raise ValidationError(f"{label!r} is not a Label", path="label")
        if not self._items:
            raise ValidationError("a shipment needs at least one item", path="items")
        lines = [item.line_id for item in self._items]
        duplicates = sorted({line for line in lines if lines.count(line) > 1})
        if duplicates:
            raise ValidationError(f"order lines listed twice: {duplicates}", path="items")
        if not self._parcels:
            raise ValidationError("a shipment needs at least one parcel", path="parcels")
        if self._label is not None and self._label.shipment_id != self._id:
            raise ValidationError(
                f"label {self._label.reference!r} belongs to shipment "
                f"{self._label.shipment_id!r}, not {self._id!r}",
                path="label",
            )
        if self._status not in _NOT_YET_SENT and self._dispatched_at is None:
            raise ValidationError(
                f"a {self._status.value} shipment needs dispatched_at", path="dispatched_at"
            )
        if self._status not in {S.PENDING, S.CANCELLED} and self._label is None:
            raise ValidationError(f"a {self._status.value} shipment needs a label", path="label")
        ordered = sorted(set(self._tracking), key=lambda e: e.sort_key)
        if list(self._tracking) != ordered:
            raise ValidationError(
                "tracking events must be unique and in time order", path="tracking"
            )

    # -- construction -----------------------------------------------------------------

    @classmethod
    def create(
        cls,
        shipment_id: ShipmentId,
        *,
        order_id: OrderId,
        location: LocationId,
        destination: ShippingAddress,
        items: Iterable[ShipmentItem],
        parcels: Iterable[Parcel],
        carrier: str | None = None,
        service: str | None = None,
    ) -> Shipment:
        """A new pending shipment; records :class:`ShipmentCreated`."""
        if carrier is not None:
            check_text(carrier, "carrier")
        if service is not None:
            check_text(service, "service")
        shipment = cls(
            id=shipment_id,
            order_id=order_id,
            location=location,
            destination=destination,
            items=items,
            parcels=parcels,
            carrier=carrier,
            service=service,
        )
        shipment._record(
            ShipmentCreated(shipment_id, order_id, location=location, items=shipment._items)
        )
        return shipment

    # -- read access ------------------------------------------------------------------

    @property
    def id(self) -> ShipmentId:
        """The shipment id (also the idempotency key for buying its label)."""
        return self._id

    @property
    def order_id(self) -> OrderId:
        """The order the units belong to."""
        return self._order_id

    @property
    def location(self) -> LocationId:
        """The location the units ship from."""
        return self._location

    @property
    def destination(self) -> ShippingAddress:
        """Where the units go."""
        return self._destination

    @property
    def items(self) -> tuple[ShipmentItem, ...]:
        """Units by order line."""
        return self._items

    @property
    def quantity_by_line(self) -> Mapping[LineId, int]:
        """Units per order line."""
        return {item.line_id: item.quantity for item in self._items}

    @property
    def units(self) -> int:
        """Total number of units in the shipment."""
        return sum(item.quantity for item in self._items)

    @property
    def parcels(self) -> tuple[Parcel, ...]:
        """The physical packages."""
        return self._parcels

    @property
    def status(self) -> ShipmentStatus:
        """Current status."""
        return self._status

    @property
    def carrier(self) -> str | None:
        """Carrier name, once chosen."""
        return self._carrier

    @property
    def service(self) -> str | None:
        """Carrier service level, once chosen."""
        return self._service

    @property
    def label(self) -> Label | None:
        """The label bought for the shipment, if any."""
        return self._label

    @property
    def tracking_number(self) -> str | None:
        """The carrier's tracking number, once a label is bought."""
        return self._label.tracking_number if self._label else None

    @property
    def label_reference(self) -> str | None:
        """The carrier's label reference, once a label is bought."""
        return self._label.reference if self._label else None

    @property
    def promised_delivery(self) -> dt.date | None:
        """The delivery date promised to the customer, set at dispatch."""
        return self._promised_delivery

    @property
    def dispatched_at(self) -> dt.datetime | None:
        """When the units left the location."""
        return self._dispatched_at

    @property
    def delivered_at(self) -> dt.datetime | None:
        """When the carrier reported delivery."""
        return self._delivered_at

    @property
    def tracking(self) -> tuple[TrackingEvent, ...]:
        """Carrier scans, deduplicated, oldest first."""
        return self._tracking

    @property
    def is_final(self) -> bool:
        """Whether the shipment can no longer change status."""
        return SHIPMENT_TRANSITIONS.is_final(self._status)

    @property
    def has_left(self) -> bool:
        """Whether the units have been dispatched (whatever happened to them since)."""
        return self._status not in _NOT_YET_SENT

    @property
    def pending_events(self) -> tuple[DomainEvent, ...]:
        """Events recorded and not yet pulled, in order."""
        return tuple(self._events)

    def pull_events(self) -> list[DomainEvent]:
        """Hand over the recorded events, in order, and forget them."""
        events, self._events = self._events, []
        return events

    # -- intentions --------------------------------------------------------------------

    def choose_service(self, carrier: str, service: str) -> None:
        """Pick the carrier and service level to buy a label with (only while pending)."""
        check_text(carrier, "carrier")
        check_text(service, "service")
        if self._status is not S.PENDING:
            raise self._refuse("choose_service", "the label is already chosen")
        self._carrier, self._service = carrier, service

    def attach_label(self, label: Label) -> None:
        """Record the label bought for this shipment: pending → label_created.

        Attaching the very same label again is a no-op, so a retried call is safe.
        """
        if not isinstance(label, Label):
            raise ValidationError(f"{label!r} is not a Label", path="label")
        if self._status is S.LABEL_CREATED and label == self._label:
            return
        SHIPMENT_TRANSITIONS.check(self._status, S.LABEL_CREATED, action="attach_label")
        if label.shipment_id != self._id:
            raise ValidationError(
                f"label {label.reference!r} is for shipment {label.shipment_id!r}, "
                f"not {self._id!r}",
                path="label.shipment_id",
            )
        for field, chosen in (("carrier", self._carrier), ("service", self._service)):
            offered = getattr(label, field)
            if chosen is not None and offered != chosen:
                raise ValidationError(
                    f"label {field} {offered!r} differs from the chosen {chosen!r}",
                    path=f"label.{field}",
                )
        self._label = label
        self._carrier, self._service = label.carrier, label.service
        self._status = S.LABEL_CREATED
        self._record(
            ShipmentLabelCreated(
                self._id,
                self._order_id,
                carrier=label.carrier,
                service=label.service,
                tracking_number=label.tracking_number,
                label_reference=label.reference,
                price=label.price,
            )
        )

    def dispatch(self, at: dt.datetime, *, promised_delivery: dt.date | None = None) -> None:
        """The units left the location: label_created → dispatched.

        Records :class:`ShipmentDispatched` with the items, so subscribers can
        consume allocations without loading the shipment.
        """
        check_aware(at, "at")
        SHIPMENT_TRANSITIONS.check(self._status, S.DISPATCHED, action="dispatch")
        promised: object = promised_delivery
        if promised is not None and (
            not isinstance(promised, dt.date) or isinstance(promised, dt.datetime)
        ):
            raise ValidationError(
                f"promised delivery {promised_delivery!r} is not a date", path="promised_delivery"
            )
        if promised_delivery is not None and promised_delivery < at.date():
            raise ValidationError(
                f"promised delivery {promised_delivery.isoformat()} is before dispatch "
                f"{at.isoformat()}",
                path="promised_delivery",
            )
        assert self._label is not None  # guaranteed by the transition table
        self._status = S.DISPATCHED
        self._dispatched_at = at
        self._promised_delivery = promised_delivery
        self._record(
            ShipmentDispatched(
                self._id,
                self._order_id,
                location=self._location,
                items=self._items,
                carrier=self._label.carrier,
                service=self._label.service,
                tracking_number=self._label.tracking_number,
                dispatched_at=at,
                promised_delivery=promised_delivery,
            )
        )

    def cancel(self) -> None:
        """Call the shipment off before dispatch: pending | label_created → cancelled.

        Cancel the label with the carrier first (:meth:`CarrierPort.cancel`);
        the event names the label reference so a subscriber can check.
        """
        SHIPMENT_TRANSITIONS.check(self._status, S.CANCELLED, action="cancel")
        self._status = S.CANCELLED
        self._record(
            ShipmentCancelled(
                self._id,
                self._order_id,
                location=self._location,
                items=self._items,
                label_reference=self.label_reference,
            )
        )

    def record_tracking(self, event: TrackingEvent) -> bool:
        """Add a carrier scan; returns whether it was new.

        A scan already recorded is ignored (idempotent per event). Scans are
        kept in time order whatever order they arrive in; only the newest scan
        moves the status, and only along a legal transition. A late-arriving
        older scan joins the history without changing the status.
        """
        if not isinstance(event, TrackingEvent):
            raise ValidationError(f"{event!r} is not a TrackingEvent", path="event")
        if event in self._tracking:
            return False
        self._check_sent(event)
        keys = [e.sort_key for e in self._tracking]
        position = bisect.bisect(keys, event.sort_key)
        newest = position == len(keys)
        previous = self._status
        target = event.status if newest else previous
        if target is not previous:
            SHIPMENT_TRANSITIONS.check(
                previous, target, reason=f"tracking scan at {event.timestamp.isoformat()}"
            )
        self._tracking = (*self._tracking[:position], event, *self._tracking[position:])
        self._status = target
        self._record(TrackingUpdated(self._id, self._order_id, event, previous, target))
        if target is not previous:
            self._record_outcome(event)
        return True

    def record_scans(self, events: Iterable[TrackingEvent]) -> int:
        """Add a batch of scans (as ``CarrierPort.track`` returns them); returns how many are new.

        New scans are applied oldest first. The whole batch is checked before
        any scan is recorded, so a batch containing an illegal move changes
        nothing.
        """
        check_collection(events, "events", "scans")
        batch = list(events)
        for index, event in enumerate(batch):
            if not isinstance(event, TrackingEvent):
                raise ValidationError(f"{event!r} is not a TrackingEvent", path=f"events[{index}]")
        fresh = sorted({e for e in batch if e not in self._tracking}, key=lambda e: e.sort_key)
        if not fresh:
            return 0
        self._check_sent(fresh[0])
        status = self._status
        newest = self._tracking[-1].sort_key if self._tracking else None
        for event in fresh:
            if newest is not None and event.sort_key < newest:
                continue
            newest = event.sort_key
            if event.status is not status:
                SHIPMENT_TRANSITIONS.check(
                    status, event.status, reason=f"tracking scan at {event.timestamp.isoformat()}"
                )
                status = event.status
        for event in fresh:
            self.record_tracking(event)
        return len(fresh)

    def mark_delivered(
        self, at: dt.datetime, *, location: str = "", description: str = "delivered"
    ) -> bool:
        """Record delivery reported outside the carrier feed (a driver app, a signed note)."""
        return self.record_tracking(TrackingEvent(at, S.DELIVERED, location, description))

    def is_late(self, at: dt.datetime, *, tz: dt.tzinfo = dt.UTC) -> bool:
        """Whether the promised date has passed at ``at`` (in ``tz``) without delivery."""
        check_aware(at, "at")
        if not isinstance(tz, dt.tzinfo):
            raise ValidationError(f"{tz!r} is not a tzinfo (e.g. a ZoneInfo)", path="tz")
        if self._promised_delivery is None or self._status in {S.DELIVERED, S.CANCELLED}:
            return False
        return at.astimezone(tz).date() > self._promised_delivery

    # -- internals -------------------------------------------------------------------

    def _record_outcome(self, event: TrackingEvent) -> None:
        common = (self._id, self._order_id)
        if event.status is S.DELIVERED:
            self._delivered_at = event.timestamp
            self._record(ShipmentDelivered(*common, self._location, self._items, event.timestamp))
        elif event.status is S.FAILED:
            self._record(
                ShipmentFailed(
                    *common, self._location, self._items, event.timestamp, event.description
                )
            )
        elif event.status is S.RETURNED_TO_SENDER:
            self._record(
                ShipmentReturnedToSender(
                    *common, self._location, self._items, event.timestamp, event.description
                )
            )

    def _check_sent(self, event: TrackingEvent) -> None:
        if self._status in _NOT_YET_SENT:
            raise InvalidTransition(
                self._status.value,
                event.status.value,
                [s.value for s in SHIPMENT_TRANSITIONS.allowed(self._status)],
                "tracking scans start after dispatch",
            )

    def _refuse(self, action: str, reason: str) -> InvalidTransition:
        allowed = [s.value for s in SHIPMENT_TRANSITIONS.allowed(self._status)]
        return InvalidTransition(self._status.value, action, allowed, reason)

    def _record(self, event: DomainEvent) -> None:
        self._events.append(event)
