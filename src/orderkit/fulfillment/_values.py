"""Value objects of fulfilment: addresses, parcels, shipment items, tracking events, rates, labels.

Weights and dimensions are exact ``Decimal`` numbers in whatever unit the
host uses consistently (kilograms and centimetres by convention); floats are
refused so that a parcel weighing ``0.1 + 0.2`` never surprises a rate table.
"""

from __future__ import annotations

import datetime as dt
import enum
import re
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation

import attrs

from orderkit._time import is_aware
from orderkit.errors import InvalidQuantity, ValidationError
from orderkit.ids import LineId, LocationId, ShipmentId, Sku
from orderkit.money import Money

__all__ = [
    "Dimensions",
    "Label",
    "Parcel",
    "Rate",
    "RateRequest",
    "ShipmentItem",
    "ShipmentItemRequest",
    "ShipmentStatus",
    "ShippingAddress",
    "TrackingEvent",
]

_COUNTRY = re.compile(r"[A-Z]{2}")


class ShipmentStatus(enum.StrEnum):
    """Where a shipment is in its life; the legal moves are in :data:`SHIPMENT_TRANSITIONS`."""

    PENDING = "pending"
    LABEL_CREATED = "label_created"
    DISPATCHED = "dispatched"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    EXCEPTION = "exception"
    FAILED = "failed"
    RETURNED_TO_SENDER = "returned_to_sender"
    CANCELLED = "cancelled"


#: Statuses a carrier may report in a tracking event (the others are ours alone).
TRACKABLE_STATUSES = frozenset(
    {
        ShipmentStatus.DISPATCHED,
        ShipmentStatus.IN_TRANSIT,
        ShipmentStatus.OUT_FOR_DELIVERY,
        ShipmentStatus.DELIVERED,
        ShipmentStatus.EXCEPTION,
        ShipmentStatus.FAILED,
        ShipmentStatus.RETURNED_TO_SENDER,
    }
)


_STATUS_VALUES = frozenset(s.value for s in ShipmentStatus)

#: How far along a carrier status is, to order scans with equal timestamps.
_PROGRESS = {
    ShipmentStatus.PENDING: 0,
    ShipmentStatus.LABEL_CREATED: 0,
    ShipmentStatus.CANCELLED: 0,
    ShipmentStatus.DISPATCHED: 1,
    ShipmentStatus.IN_TRANSIT: 2,
    ShipmentStatus.EXCEPTION: 3,
    ShipmentStatus.OUT_FOR_DELIVERY: 4,
    ShipmentStatus.DELIVERED: 5,
    ShipmentStatus.FAILED: 5,
    ShipmentStatus.RETURNED_TO_SENDER: 5,
}


def to_measure(value: object, *, field: str = "weight") -> Decimal:
    """An exact, finite, non-negative measure from a str, int or Decimal; floats are refused."""
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise ValidationError(
            f"{type(value).__name__} {value!r} is not an exact number; use a str, int or Decimal",
            path=field,
        )
    try:
        result = Decimal(value.strip()) if isinstance(value, str) else Decimal(value)
    except InvalidOperation:
        raise ValidationError(f"{value!r} is not a decimal number", path=field) from None
    if not result.is_finite() or result < 0:
        raise ValidationError(f"{value!r} must be a finite number >= 0", path=field)
    return result


def to_status(value: object) -> ShipmentStatus:
    """A :class:`ShipmentStatus` from itself or its value; :class:`ValidationError` otherwise."""
    if isinstance(value, ShipmentStatus):
        return value
    if isinstance(value, str) and value in _STATUS_VALUES:
        return ShipmentStatus(value)
    known = ", ".join(s.value for s in ShipmentStatus)
    raise ValidationError(f"{value!r} is not a shipment status (one of {known})", path="status")


def _tracking_status(value: ShipmentStatus | str) -> ShipmentStatus:
    return to_status(value)


def _upper(value: object, field: str) -> str:
    return check_text(value, field, allow_empty=True).strip().upper()


def _country(value: str) -> str:
    return _upper(value, "country")


def _postal_code(value: str) -> str:
    return _upper(value, "postal_code")


def _length(value: Decimal | int | str) -> Decimal:
    return to_measure(value, field="length")


def _width(value: Decimal | int | str) -> Decimal:
    return to_measure(value, field="width")


def _height(value: Decimal | int | str) -> Decimal:
    return to_measure(value, field="height")


def _weight(value: Decimal | int | str) -> Decimal:
    return to_measure(value, field="weight")


def _unit_weight(value: Decimal | int | str) -> Decimal:
    return to_measure(value, field="unit_weight")


def check_quantity(value: object, *, field: str = "quantity", minimum: int = 1) -> int:
    """A whole number of units ``>= minimum``; :class:`InvalidQuantity` otherwise."""
    if isinstance(value, bool) or not isinstance(value, int) or value < minimum:
        raise InvalidQuantity(f"must be a whole number >= {minimum}, got {value!r}", path=field)
    return value


def check_text(value: object, field: str, *, allow_empty: bool = False) -> str:
    """A string, non-blank unless ``allow_empty``; :class:`ValidationError` otherwise."""
    if not isinstance(value, str) or (not allow_empty and not value.strip()):
        raise ValidationError(f"must be a non-empty string, got {value!r}", path=field)
    return value


def check_collection(value: object, field: str, what: str) -> None:
    """Refuse a non-iterable (or a string, which iterates characters) where values belong."""
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ValidationError(f"{value!r} is not a collection of {what}", path=field)


def check_aware(value: object, field: str) -> dt.datetime:
    """A timezone-aware datetime: domain time always carries its offset."""
    if is_aware(value):
        return value
    if not isinstance(value, dt.datetime):
        raise ValidationError(f"{value!r} is not a datetime", path=field)
    raise ValidationError(f"naive datetime {value.isoformat()} has no UTC offset", path=field)


@attrs.frozen
class ShippingAddress:
    """Where a shipment goes. Rate tables need only the country and the postal code.

    >>> ShippingAddress("de", " 10115 ").postal_code
    '10115'
    """

    country: str = attrs.field(converter=_country)
    postal_code: str = attrs.field(default="", converter=_postal_code)
    city: str = ""
    street: str = ""
    recipient: str = ""

    def __attrs_post_init__(self) -> None:
        if not _COUNTRY.fullmatch(self.country):
            raise ValidationError(
                f"{self.country!r} is not an ISO 3166 alpha-2 country code", path="country"
            )
        for name in ("city", "street", "recipient"):
            check_text(getattr(self, name), name, allow_empty=True)

    @property
    def normalized_postal_code(self) -> str:
        """The postal code without spaces or dashes ("SW1A 1AA" → "SW1A1AA"), for prefixes."""
        return self.postal_code.replace(" ", "").replace("-", "")


@attrs.frozen
class Dimensions:
    """Outer size of a parcel (length × width × height, in the host's length unit)."""

    length: Decimal = attrs.field(converter=_length)
    width: Decimal = attrs.field(converter=_width)
    height: Decimal = attrs.field(converter=_height)

    @property
    def volume(self) -> Decimal:
        """Length × width × height."""
        return self.length * self.width * self.height


@attrs.frozen
class Parcel:
    """One physical package: its gross weight and, when known, its dimensions."""

    weight: Decimal = attrs.field(converter=_weight)
    dimensions: Dimensions | None = None

    def __attrs_post_init__(self) -> None:
        if self.dimensions is not None and not isinstance(self.dimensions, Dimensions):
            raise ValidationError(f"{self.dimensions!r} is not Dimensions", path="dimensions")


@attrs.frozen
class ShipmentItem:
    """Units of one order line in a shipment."""

    line_id: LineId
    sku: Sku
    quantity: int

    def __attrs_post_init__(self) -> None:
        check_text(self.line_id, "line_id")
        check_text(self.sku, "sku")
        check_quantity(self.quantity)


@attrs.frozen
class ShipmentItemRequest:
    """What the planner needs about units to ship: where they are, which line, how heavy.

    The service layer maps an allocation plan onto these, so fulfilment never
    depends on the order or inventory aggregates.
    """

    location: LocationId
    line_id: LineId
    sku: Sku
    quantity: int
    unit_weight: Decimal = attrs.field(default=Decimal(0), converter=_unit_weight)

    def __attrs_post_init__(self) -> None:
        check_text(self.location, "location")
        check_text(self.line_id, "line_id")
        check_text(self.sku, "sku")
        check_quantity(self.quantity)


@attrs.frozen(order=False)
class TrackingEvent:
    """One scan reported by a carrier. Equal events are the same event (deduplicated)."""

    timestamp: dt.datetime
    status: ShipmentStatus = attrs.field(converter=_tracking_status)
    location: str = ""
    description: str = ""

    def __attrs_post_init__(self) -> None:
        check_aware(self.timestamp, "timestamp")
        if self.status not in TRACKABLE_STATUSES:
            allowed = ", ".join(sorted(s.value for s in TRACKABLE_STATUSES))
            raise ValidationError(
                f"{self.status!r} is not a status a carrier can report (one of {allowed})",
                path="status",
            )
        check_text(self.location, "location", allow_empty=True)
        check_text(self.description, "description", allow_empty=True)

    @property
    def sort_key(self) -> tuple[dt.datetime, int, str, str, str]:
        """Time order, with a total tie-break so the history order never depends on arrival.

        Scans with the same timestamp are ordered by how far along they are
        (a "delivered" scan sorts after an "out for delivery" scan of the same
        second), then by their text.
        """
        return (
            self.timestamp,
            _PROGRESS[self.status],
            self.status.value,
            self.location,
            self.description,
        )


def _parcel_tuple(value: Iterable[Parcel]) -> tuple[Parcel, ...]:
    parcels = tuple(value)
    for parcel in parcels:
        if not isinstance(parcel, Parcel):
            raise ValidationError(f"{parcel!r} is not a Parcel", path="parcels")
    return parcels


@attrs.frozen
class RateRequest:
    """What a carrier needs to quote: where from, where to, and the parcels."""

    destination: ShippingAddress
    parcels: tuple[Parcel, ...] = attrs.field(converter=_parcel_tuple)
    ship_from: LocationId | None = None

    def __attrs_post_init__(self) -> None:
        if not isinstance(self.destination, ShippingAddress):
            raise ValidationError(
                f"{self.destination!r} is not a ShippingAddress", path="destination"
            )
        if not self.parcels:
            raise ValidationError("a rate request needs at least one parcel", path="parcels")

    @property
    def total_weight(self) -> Decimal:
        """Sum of the parcel weights."""
        return sum((p.weight for p in self.parcels), Decimal(0))


@attrs.frozen
class Rate:
    """A carrier's quote for one service level."""

    carrier: str
    service: str
    price: Money
    transit_days: int

    def __attrs_post_init__(self) -> None:
        check_text(self.carrier, "carrier")
        check_text(self.service, "service")
        if not isinstance(self.price, Money):
            raise ValidationError(f"rate price {self.price!r} is not Money", path="price")
        if self.price.is_negative:
            raise ValidationError(f"rate price {self.price} is negative", path="price")
        check_quantity(self.transit_days, field="transit_days", minimum=0)


@attrs.frozen
class Label:
    """A bought shipping label: the carrier's reference, the tracking number and the price paid.

    ``idempotency_key`` is the key the label was bought under; asking the
    carrier again with the same key returns this same label.
    """

    shipment_id: ShipmentId
    carrier: str
    service: str
    tracking_number: str
    reference: str
    price: Money
    idempotency_key: str

    def __attrs_post_init__(self) -> None:
        for name in ("shipment_id", "carrier", "service", "tracking_number", "reference"):
            check_text(getattr(self, name), name)
        check_text(self.idempotency_key, "idempotency_key")
        if not isinstance(self.price, Money):
            raise ValidationError(f"label price {self.price!r} is not Money", path="price")
        if self.price.is_negative:
            raise ValidationError(f"label price {self.price} is negative", path="price")
