"""Strategies for fulfilment: addresses, parcels, shipment items, shipments, calendars, carriers.

Shipments are driven through their public methods along legal transitions
(label, dispatch, scans, cancellation), so every generated :class:`Shipment`
is one the domain could reach, with its recorded events.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import strategies as st

from orderkit.events import DomainEvent
from orderkit.fulfillment import (
    SHIPMENT_TRANSITIONS,
    TRACKABLE_STATUSES,
    BusinessCalendar,
    Dimensions,
    FlatRate,
    Label,
    Parcel,
    Rate,
    RateRequest,
    RetryPolicy,
    Shipment,
    ShipmentCancelled,
    ShipmentCreated,
    ShipmentDelivered,
    ShipmentDispatched,
    ShipmentFailed,
    ShipmentItem,
    ShipmentItemRequest,
    ShipmentLabelCreated,
    ShipmentPlan,
    ShipmentReturnedToSender,
    ShipmentStatus,
    ShippingAddress,
    TableService,
    TrackingEvent,
    TrackingUpdated,
    WeightBracket,
    ZoneRate,
    ZoneRule,
)
from orderkit.ids import LineId, LocationId, OrderId, ShipmentId, Sku
from orderkit.money import Money

__all__ = [
    "SHIPMENT_BASE_TIME",
    "SHIPMENT_STAGES",
    "business_calendars",
    "dimensions",
    "flat_rates",
    "labels",
    "parcels",
    "rate_requests",
    "retry_policies",
    "shipment_events",
    "shipment_item_request_lists",
    "shipment_item_requests",
    "shipment_items",
    "shipment_plans",
    "shipments",
    "shipping_addresses",
    "shipping_rates",
    "table_services",
    "table_weight_brackets",
    "tracking_events",
    "weights",
    "zone_rates",
    "zone_rules",
]

#: The moment generated shipments are created at; dispatch and scans follow it.
SHIPMENT_BASE_TIME = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)

_COUNTRIES = ("DE", "AT", "FR", "NL", "GB", "US", "CH", "PL")
_ZONES = ("UTC", "Europe/Berlin", "Europe/London", "America/New_York", "Asia/Tokyo")
_SCAN_PLACES = ("", "Hub Leipzig", "Depot Berlin", "Gateway Frankfurt", "Customs")


def weights(
    *, min_value: Decimal = Decimal(0), max_value: Decimal = Decimal(50)
) -> st.SearchStrategy[Decimal]:
    """Exact weights with up to three decimals (grams, when the unit is kilograms)."""
    return st.integers(int(min_value * 1000), int(max_value * 1000)).map(
        lambda grams: Decimal(grams).scaleb(-3)
    )


def shipping_addresses() -> st.SearchStrategy[ShippingAddress]:
    """Addresses in a handful of countries with numeric or alphanumeric postal codes."""
    return st.builds(
        ShippingAddress,
        country=st.sampled_from(_COUNTRIES),
        postal_code=st.text(alphabet="0123456789ABC -", min_size=0, max_size=8),
        city=st.sampled_from(["", "Berlin", "Wien", "Paris"]),
    )


def dimensions() -> st.SearchStrategy[Dimensions]:
    """Parcel sizes from 1 to 200 units per side."""
    side = st.integers(1, 200).map(Decimal)
    return st.builds(Dimensions, length=side, width=side, height=side)


def parcels() -> st.SearchStrategy[Parcel]:
    """Parcels up to 50 weight units, with or without dimensions."""
    return st.builds(Parcel, weight=weights(), dimensions=st.none() | dimensions())


def _line_ids() -> st.SearchStrategy[LineId]:
    return st.integers(1, 30).map(lambda n: LineId(f"L{n}"))


def _skus() -> st.SearchStrategy[Sku]:
    return st.integers(1, 99).map(lambda n: Sku(f"SKU-{n}"))


def _locations() -> st.SearchStrategy[LocationId]:
    return st.integers(1, 5).map(lambda n: LocationId(f"WH-{n}"))


def shipment_items() -> st.SearchStrategy[ShipmentItem]:
    """One order line's units in a shipment."""
    return st.builds(ShipmentItem, _line_ids(), _skus(), st.integers(1, 20))


def shipment_item_requests() -> st.SearchStrategy[ShipmentItemRequest]:
    """One request to ship units of a line from a location."""
    return st.builds(
        ShipmentItemRequest,
        location=_locations(),
        line_id=_line_ids(),
        sku=_skus(),
        quantity=st.integers(1, 20),
        unit_weight=weights(max_value=Decimal(25)),
    )


@st.composite
def shipment_item_request_lists(
    draw: st.DrawFn, *, max_size: int = 12
) -> list[ShipmentItemRequest]:
    """Requests as an allocation plan produces them: a line's unit weight is the same everywhere.

    A line may ship from several locations, and a location may be named more
    than once for the same line.
    """
    count = draw(st.integers(1, 6))
    lines = [
        (LineId(f"L{i}"), Sku(f"SKU-{i}"), draw(weights(max_value=Decimal(25))))
        for i in range(1, count + 1)
    ]
    picks = draw(
        st.lists(
            st.tuples(st.sampled_from(lines), _locations(), st.integers(1, 15)),
            min_size=1,
            max_size=max_size,
        )
    )
    return [
        ShipmentItemRequest(location, line_id, sku, quantity, weight)
        for (line_id, sku, weight), location, quantity in picks
    ]


def _scan_times(after: dt.datetime) -> st.SearchStrategy[dt.datetime]:
    return st.integers(0, 14 * 24 * 60).map(lambda minutes: after + dt.timedelta(minutes=minutes))


def tracking_events(
    *, statuses: frozenset[ShipmentStatus] = TRACKABLE_STATUSES, after: dt.datetime | None = None
) -> st.SearchStrategy[TrackingEvent]:
    """Carrier scans with the given statuses, within two weeks after ``after``."""
    return st.builds(
        TrackingEvent,
        timestamp=_scan_times(after or SHIPMENT_BASE_TIME),
        status=st.sampled_from(sorted(statuses)),
        location=st.sampled_from(_SCAN_PLACES),
        description=st.sampled_from(["", "scanned", "attempted", "left with neighbour"]),
    )


def shipping_rates(carrier: str = "fake") -> st.SearchStrategy[Rate]:
    """Quotes in EUR from one carrier."""
    return st.builds(
        Rate,
        carrier=st.just(carrier),
        service=st.sampled_from(["economy", "standard", "express"]),
        price=st.integers(0, 10_000).map(lambda cents: Money.from_minor_units(cents, "EUR")),
        transit_days=st.integers(0, 10),
    )


def rate_requests() -> st.SearchStrategy[RateRequest]:
    """Requests for one to four parcels."""
    return st.builds(
        RateRequest,
        destination=shipping_addresses(),
        parcels=st.lists(parcels(), min_size=1, max_size=4).map(tuple),
        ship_from=st.none() | _locations(),
    )


def labels(shipment_id: ShipmentId | None = None) -> st.SearchStrategy[Label]:
    """Labels as a carrier sells them (for ``shipment_id`` when given)."""
    return st.builds(
        lambda sid, number, rate: Label(
            shipment_id=sid,
            carrier=rate.carrier,
            service=rate.service,
            tracking_number=f"TRK{number:08d}",
            reference=f"label-{number}",
            price=rate.price,
            idempotency_key=sid,
        ),
        st.just(shipment_id)
        if shipment_id
        else st.integers(1, 999).map(lambda n: ShipmentId(f"S{n}")),
        st.integers(0, 10**8 - 1),
        shipping_rates(),
    )


#: The stages :func:`shipments` can take a shipment to.
SHIPMENT_STAGES = (
    "pending",
    "labelled",
    "cancelled",
    "dispatched",
    "delivered",
    "failed",
    "returned_to_sender",
)
_OUTCOME = {
    "delivered": ShipmentStatus.DELIVERED,
    "failed": ShipmentStatus.FAILED,
    "returned_to_sender": ShipmentStatus.RETURNED_TO_SENDER,
}


@st.composite
def shipments(draw: st.DrawFn, *, stage: str | None = None, max_scans: int = 5) -> Shipment:
    """A shipment taken through a random legal history, events not yet pulled.

    ``stage`` (one of :data:`SHIPMENT_STAGES`) fixes how far it gets; by
    default any stage. "dispatched" means dispatched with any scans since.
    """
    chosen = stage if stage is not None else draw(st.sampled_from(SHIPMENT_STAGES))
    if chosen not in SHIPMENT_STAGES:
        raise ValueError(f"unknown shipment stage {chosen!r}; one of {SHIPMENT_STAGES}")
    shipment_id = ShipmentId(f"S{draw(st.integers(1, 9999))}")
    items = draw(st.lists(shipment_items(), min_size=1, max_size=4, unique_by=lambda i: i.line_id))
    shipment = Shipment.create(
        shipment_id,
        order_id=OrderId(f"O{draw(st.integers(1, 9999))}"),
        location=draw(_locations()),
        destination=draw(shipping_addresses()),
        items=items,
        parcels=draw(st.lists(parcels(), min_size=1, max_size=3)),
    )
    if chosen == "pending":
        return shipment
    if chosen != "cancelled" or draw(st.booleans()):
        shipment.attach_label(draw(labels(shipment_id)))
    if chosen == "cancelled":
        shipment.cancel()
        return shipment
    if chosen == "labelled":
        return shipment
    dispatched_at = SHIPMENT_BASE_TIME + dt.timedelta(hours=draw(st.integers(0, 72)))
    promise = draw(
        st.none() | st.integers(0, 10).map(lambda d: dispatched_at.date() + dt.timedelta(d))
    )
    shipment.dispatch(dispatched_at, promised_delivery=promise)
    moment = dispatched_at
    outcome = _OUTCOME.get(chosen)
    for _ in range(draw(st.integers(0, max_scans))):
        allowed = SHIPMENT_TRANSITIONS.allowed(shipment.status) & TRACKABLE_STATUSES
        if outcome is not None:
            allowed -= {outcome}  # the outcome comes last
        allowed -= {s for s in allowed if SHIPMENT_TRANSITIONS.is_final(s)}
        if not allowed:
            break
        moment += dt.timedelta(minutes=draw(st.integers(1, 3 * 24 * 60)))
        status = draw(st.sampled_from(sorted(allowed)))
        place = draw(st.sampled_from(_SCAN_PLACES))
        shipment.record_tracking(TrackingEvent(moment, status, place, "scan"))
    if outcome is not None:
        moment += dt.timedelta(minutes=draw(st.integers(1, 3 * 24 * 60)))
        shipment.record_tracking(TrackingEvent(moment, outcome, "", chosen.replace("_", " ")))
    return shipment


_STAGE_FOR: dict[type[DomainEvent], tuple[str, ...]] = {
    ShipmentCreated: SHIPMENT_STAGES,
    ShipmentLabelCreated: ("labelled", "dispatched"),
    ShipmentDispatched: ("dispatched", "delivered"),
    TrackingUpdated: ("delivered", "failed", "returned_to_sender"),
    ShipmentDelivered: ("delivered",),
    ShipmentFailed: ("failed",),
    ShipmentReturnedToSender: ("returned_to_sender",),
    ShipmentCancelled: ("cancelled",),
}


def shipment_events(kind: type[DomainEvent] | None = None) -> st.SearchStrategy[DomainEvent]:
    """Events a shipment records (only of class ``kind`` when given), from real histories."""
    if kind is None:
        return st.sampled_from(list(_STAGE_FOR)).flatmap(shipment_events)
    stages = _STAGE_FOR.get(kind)
    if stages is None:
        raise ValueError(f"{kind.__name__} is not a shipment event")
    return st.sampled_from(stages).flatmap(
        lambda stage: shipments(stage=stage).map(
            lambda s: next(e for e in s.pending_events if isinstance(e, kind))
        )
    )


def business_calendars() -> st.SearchStrategy[BusinessCalendar]:
    """Calendars in a few timezones, with or without cut-off, with holidays around a year end."""
    holiday_days = st.dates(dt.date(2025, 12, 1), dt.date(2027, 1, 31))
    return st.builds(
        BusinessCalendar,
        timezone=st.sampled_from(_ZONES),
        cutoff=st.none() | st.times(),
        weekdays=st.frozensets(st.integers(0, 6), min_size=1),
        holidays=st.frozensets(holiday_days, max_size=30),
    )


def retry_policies() -> st.SearchStrategy[RetryPolicy]:
    """Policies of one to six attempts with millisecond-precision delays."""
    seconds = st.integers(0, 10_000).map(lambda ms: ms / 1000)
    return st.builds(
        RetryPolicy,
        attempts=st.integers(1, 6),
        base_delay=seconds,
        multiplier=st.sampled_from([1.0, 1.5, 2.0, 3.0]),
        max_delay=seconds,
    )


def _eur(low: int = 0, high: int = 10_000) -> st.SearchStrategy[Money]:
    return st.integers(low, high).map(lambda cents: Money.from_minor_units(cents, "EUR"))


_SERVICES = st.sampled_from(["economy", "standard", "express"])
_ZONE_NAMES = st.sampled_from(["domestic", "eu", "world"])


def flat_rates() -> st.SearchStrategy[FlatRate]:
    """Services of a flat-rate carrier: a price per parcel in EUR and a transit time."""
    return st.builds(FlatRate, _SERVICES, _eur(), st.integers(0, 10))


def zone_rules() -> st.SearchStrategy[ZoneRule]:
    """Zone destinations: a country, with or without a postal-code prefix."""
    return st.builds(
        ZoneRule,
        _ZONE_NAMES,
        st.sampled_from(_COUNTRIES),
        st.sampled_from(["", "10", "8", "SW1"]),
    )


def table_weight_brackets() -> st.SearchStrategy[WeightBracket]:
    """One weight limit of a table-rate carrier and its EUR price."""
    return st.builds(WeightBracket, weights(min_value=Decimal("0.001")), _eur())


def zone_rates() -> st.SearchStrategy[ZoneRate]:
    """A zone's transit time and 1-3 weight brackets with distinct limits."""
    return st.builds(
        ZoneRate,
        _ZONE_NAMES,
        st.integers(0, 10),
        st.lists(table_weight_brackets(), min_size=1, max_size=3, unique_by=lambda b: b.max_weight),
    )


def table_services() -> st.SearchStrategy[TableService]:
    """A table-rate service with up to three zones, all priced in EUR."""
    return st.builds(
        TableService,
        _SERVICES,
        st.lists(zone_rates(), max_size=3, unique_by=lambda r: r.zone),
    )


def shipment_plans() -> st.SearchStrategy[ShipmentPlan]:
    """Planned shipments: a location, its items and parcels."""
    return st.builds(
        ShipmentPlan,
        _locations(),
        st.lists(shipment_items(), min_size=1, max_size=4, unique_by=lambda i: i.line_id),
        st.lists(parcels(), min_size=1, max_size=3),
    )
