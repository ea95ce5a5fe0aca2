"""Fulfilment values: validation, retry policy delays, and the late-shipment report."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orderkit.errors import InvalidQuantity, ValidationError
from orderkit.events import DomainEvent
from orderkit.fulfillment import (
    SHIPMENT_EVENT_TYPES,
    BusinessCalendar,
    Dimensions,
    Label,
    Parcel,
    Rate,
    RateRequest,
    RetryPolicy,
    Shipment,
    ShipmentItem,
    ShipmentItemRequest,
    ShipmentStatus,
    ShippingAddress,
    TrackingEvent,
    late_shipments,
)
from orderkit.ids import LineId, LocationId, OrderId, ShipmentId, Sku
from orderkit.money import Money
from orderkit.serialization import converter
from orderkit.testing.strategies import retry_policies, shipments

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_address_is_normalised() -> None:
    address = ShippingAddress(" gb ", "sw1a 1aa")
    assert (address.country, address.postal_code) == ("GB", "SW1A 1AA")
    assert address.normalized_postal_code == "SW1A1AA"


@pytest.mark.parametrize("country", ["GBR", "", "1A", 44])
def test_bad_country_is_refused(country: object) -> None:
    with pytest.raises(ValidationError) as caught:
        ShippingAddress(country)  # type: ignore[arg-type]
    assert "country" in caught.value.errors


def test_measures_are_exact_and_non_negative() -> None:
    assert Parcel("1.250").weight == Decimal("1.250")
    assert Dimensions(10, "20", Decimal(30)).volume == Decimal(6000)
    for bad in (-1, "x", 1.5, True, None, "NaN"):
        with pytest.raises(ValidationError, match="weight"):
            Parcel(bad)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="height"):
        Dimensions(1, 1, -1)


def test_items_need_whole_positive_quantities() -> None:
    for bad in (0, -1, 1.0, True):
        with pytest.raises(InvalidQuantity, match="quantity"):
            ShipmentItem(LineId("L1"), Sku("A"), bad)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="sku"):
        ShipmentItem(LineId("L1"), Sku(""), 1)


def test_tracking_events_need_aware_times_and_carrier_statuses() -> None:
    with pytest.raises(ValidationError, match="naive"):
        TrackingEvent(dt.datetime(2026, 1, 1), ShipmentStatus.IN_TRANSIT)
    with pytest.raises(ValidationError, match="pending"):
        TrackingEvent(T0, ShipmentStatus.PENDING)
    with pytest.raises(ValidationError, match="teleported"):
        TrackingEvent(T0, "teleported")
    assert TrackingEvent(T0, "delivered").status is ShipmentStatus.DELIVERED


def test_rates_and_labels_are_checked() -> None:
    with pytest.raises(ValidationError, match="negative"):
        Rate("c", "s", Money.of("-1", "EUR"), 1)
    with pytest.raises(InvalidQuantity, match="transit_days"):
        Rate("c", "s", Money.of("1", "EUR"), -1)
    with pytest.raises(ValidationError, match="tracking_number"):
        Label(ShipmentId("S1"), "c", "s", "", "ref", Money.of("1", "EUR"), "S1")
    with pytest.raises(ValidationError, match="parcel"):
        RateRequest(ShippingAddress("DE"), [])


@given(retry_policies())
def test_retry_delays_grow_up_to_the_cap(policy: RetryPolicy) -> None:
    delays = policy.delays()
    assert len(delays) == policy.attempts - 1
    assert all(0 <= d <= max(policy.max_delay, 0) for d in delays)
    assert list(delays) == sorted(delays)
    if delays:
        assert delays[0] == min(policy.base_delay, policy.max_delay)


def test_retry_delays_example() -> None:
    assert RetryPolicy(attempts=5, base_delay=1, multiplier=3, max_delay=10).delays() == (
        1.0,
        3.0,
        9.0,
        10.0,
    )
    assert RetryPolicy(attempts=1).delays() == ()


# -- late shipments -----------------------------------------------------------------------


def _promised(shipment_id: str, promise: dt.date) -> Shipment:
    shipment = Shipment.create(
        ShipmentId(shipment_id),
        order_id=OrderId("O1"),
        location=LocationId("WH1"),
        destination=ShippingAddress("DE", "10115"),
        items=[ShipmentItem(LineId("L1"), Sku("A"), 1)],
        parcels=[Parcel("1")],
    )
    label = Label(
        ShipmentId(shipment_id), "c", "s", f"T{shipment_id}", "r", Money.of("1", "EUR"), "k"
    )
    shipment.attach_label(label)
    shipment.dispatch(T0, promised_delivery=promise)
    return shipment


def test_late_report_lists_undelivered_shipments_past_their_promise() -> None:
    on_time = _promised("S1", dt.date(2026, 3, 6))
    late = _promised("S2", dt.date(2026, 3, 4))
    later = _promised("S3", dt.date(2026, 3, 3))
    delivered_late = _promised("S4", dt.date(2026, 3, 3))
    delivered_late.mark_delivered(T0 + dt.timedelta(days=3))
    moment = dt.datetime(2026, 3, 5, 12, tzinfo=dt.UTC)
    report = late_shipments([on_time, late, later, delivered_late], moment)
    assert [s.id for s in report] == ["S3", "S2"]


def test_promise_holds_until_the_end_of_the_day_in_its_timezone() -> None:
    shipment = _promised("S1", dt.date(2026, 3, 4))
    # 23:30 UTC on the 4th is already the 5th in Berlin.
    moment = dt.datetime(2026, 3, 4, 23, 30, tzinfo=dt.UTC)
    assert late_shipments([shipment], moment) == []
    assert late_shipments([shipment], moment, tz=ZoneInfo("Europe/Berlin")) == [shipment]


@given(shipments(), st.integers(0, 30))
def test_late_means_promised_passed_and_not_delivered(shipment: Shipment, days: int) -> None:
    moment = T0 + dt.timedelta(days=days)
    late = late_shipments([shipment], moment) == [shipment]
    promise = shipment.promised_delivery
    expected = (
        promise is not None
        and moment.date() > promise
        and shipment.status not in {ShipmentStatus.DELIVERED, ShipmentStatus.CANCELLED}
    )
    assert late is expected


_ROUND_TRIP_TYPES: list[type] = [
    Dimensions,
    Label,
    Parcel,
    Rate,
    RateRequest,
    Shipment,
    ShipmentItem,
    ShippingAddress,
    TrackingEvent,
    *SHIPMENT_EVENT_TYPES,
]


@pytest.mark.parametrize("type_", _ROUND_TRIP_TYPES, ids=lambda t: t.__name__)
def test_every_fulfilment_type_has_a_strategy_and_round_trips(type_: type) -> None:
    declared: type = DomainEvent if issubclass(type_, DomainEvent) else type_

    @settings(max_examples=20)
    @given(st.from_type(type_))
    def round_trip(value: object) -> None:
        assert isinstance(value, type_)
        assert converter.structure(converter.unstructure(value, declared), declared) == value

    round_trip()


@pytest.mark.parametrize("type_", [BusinessCalendar, RetryPolicy, ShipmentItemRequest])
def test_input_types_have_strategies(type_: type) -> None:
    @settings(max_examples=10)
    @given(st.from_type(type_))
    def generated(value: object) -> None:
        assert isinstance(value, type_)

    generated()
