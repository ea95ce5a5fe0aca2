"""``ship`` promises delivery dates from the location's calendar; ``late_shipments`` reports."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from service_shop import ADDRESS, CUSTOMER, MUG, NORTH, SOUTH, Shop, make_shop

from orderkit.errors import ValidationError
from orderkit.fulfillment import (
    BusinessCalendar,
    Rate,
    Shipment,
    ShipmentDispatched,
    ShipmentStatus,
    TrackingEvent,
    estimate_delivery,
)
from orderkit.ids import OrderId, ShipmentId
from orderkit.money import Money
from orderkit.service import LateShipment, LineRequest, OrderService

BERLIN = ZoneInfo("Europe/Berlin")
#: Monday 9 March 2026 is a holiday; parcels handed over from 14:00 leave the next business day.
CALENDAR = BusinessCalendar("Europe/Berlin", cutoff=dt.time(14), holidays=[dt.date(2026, 3, 9)])
FRIDAY_EVENING = dt.datetime(2026, 3, 6, 16, 0, tzinfo=BERLIN)
THURSDAY = dt.date(2026, 3, 12)


def _service(shop: Shop, transit_days: int = 2, **options: object) -> OrderService:
    shop.carrier.set_rates(
        [
            Rate("fake", "express", Money.of("9.00", "EUR"), 1),
            Rate("fake", "road", Money.of("5.00", "EUR"), transit_days),
        ]
    )
    options.setdefault("calendars", CALENDAR)
    return shop.make(**options)


def _ship(shop: Shop, service: OrderService, units: int = 1) -> tuple[OrderId, list[Shipment]]:
    order = service.place(
        CUSTOMER, [LineRequest(MUG, units)], currency="EUR", shipping_address=ADDRESS
    ).order_id
    service.confirm(order)
    service.allocate(order)
    shipped = service.ship(order)
    with shop.store.unit_of_work() as uow:
        return order, [uow.shipments.get(s) for s in shipped.shipment_ids]


def test_friday_after_cutoff_with_two_days_and_a_monday_holiday_is_promised_thursday(
    shop: Shop,
) -> None:
    service = _service(shop)
    shop.clock.set(FRIDAY_EVENING)
    _, (shipment,) = _ship(shop, service)
    assert shipment.service == "road"  # the cheapest quote, booked before the label is bought
    assert shipment.promised_delivery == THURSDAY
    assert shipment.dispatched_at == FRIDAY_EVENING
    with shop.store.unit_of_work() as uow:
        events = [m.event() for m in uow.outbox.pending()]
    dispatched = [e for e in events if isinstance(e, ShipmentDispatched)]
    assert [e.promised_delivery for e in dispatched] == [THURSDAY]


def test_a_location_without_a_calendar_promises_nothing(shop: Shop) -> None:
    service = _service(shop, calendars={SOUTH: CALENDAR})
    shop.clock.set(FRIDAY_EVENING)
    _, (shipment,) = _ship(shop, service)
    assert shipment.location == NORTH
    assert shipment.promised_delivery is None
    assert service.late_shipments(at=FRIDAY_EVENING + dt.timedelta(days=60)) == ()
    assert len(shop.carrier.calls_to("rates")) == 0  # no quote needed without a promise


def test_an_undelivered_shipment_past_its_promise_is_late_and_a_delivered_one_is_not(
    shop: Shop,
) -> None:
    service = _service(shop)
    shop.clock.set(FRIDAY_EVENING)
    order, (shipment,) = _ship(shop, service)
    end_of_thursday = dt.datetime(2026, 3, 12, 23, 59, tzinfo=BERLIN)
    assert service.late_shipments(at=end_of_thursday) == ()
    friday_after = dt.datetime(2026, 3, 13, 0, 30, tzinfo=BERLIN)  # still Thursday in UTC
    expected = LateShipment(
        shipment.id, order, NORTH, "dispatched", THURSDAY, 1, shipment.tracking_number
    )
    assert service.late_shipments(at=friday_after) == (expected,)
    shop.clock.set(friday_after + dt.timedelta(days=2))
    assert [s.days_late for s in service.late_shipments()] == [3]  # the clock's now
    scan = TrackingEvent(
        friday_after, ShipmentStatus.EXCEPTION, "Hub", "address unclear"
    )  # still on its way, still late
    service.record_tracking(shipment.id, scan)
    assert [s.status for s in service.late_shipments()] == ["exception"]
    service.deliver(shipment.id)
    assert service.late_shipments() == ()


def test_late_shipments_lists_most_overdue_first_across_orders(shop: Shop) -> None:
    service = _service(shop)
    shop.clock.set(FRIDAY_EVENING)
    _, (first,) = _ship(shop, service)
    shop.clock.set(FRIDAY_EVENING + dt.timedelta(days=7))
    _, (second,) = _ship(shop, service)
    late = service.late_shipments(at=FRIDAY_EVENING + dt.timedelta(days=30))
    assert [s.shipment_id for s in late] == [first.id, second.id]
    # The second Friday has no Monday holiday: promised Wednesday, six days later.
    assert [s.promised_delivery for s in late] == [THURSDAY, dt.date(2026, 3, 18)]
    assert [s.days_late for s in late] == [24, 18]


def test_bad_calendars_and_moments_are_refused(shop: Shop) -> None:
    with pytest.raises(ValidationError, match="calendars"):
        shop.make(calendars="Europe/Berlin")
    with pytest.raises(ValidationError, match="BusinessCalendar"):
        shop.make(calendars={NORTH: "Europe/Berlin"})
    service = _service(shop)
    with pytest.raises(ValidationError, match="aware"):
        service.late_shipments(at=dt.datetime(2026, 3, 6, 12))


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    dispatched=st.datetimes(
        min_value=dt.datetime(2026, 1, 1),
        max_value=dt.datetime(2027, 12, 31),
        timezones=st.just(dt.UTC),
    ),
    transit_days=st.integers(0, 6),
    zone=st.sampled_from(["Europe/Berlin", "America/Los_Angeles", "Pacific/Auckland"]),
    after=st.timedeltas(min_value=dt.timedelta(0), max_value=dt.timedelta(days=20)),
    delivered=st.booleans(),
)
def test_the_promise_is_the_estimate_and_lateness_follows_it(
    dispatched: dt.datetime,
    transit_days: int,
    zone: str,
    after: dt.timedelta,
    delivered: bool,
) -> None:
    shop = make_shop()
    calendar = BusinessCalendar(
        zone, cutoff=dt.time(15), holidays=[dt.date(2026, 12, 25), dt.date(2027, 1, 1)]
    )
    service = _service(shop, transit_days, calendars={NORTH: calendar, SOUTH: calendar})
    shop.clock.set(dispatched)
    _, shipments = _ship(shop, service)
    (shipment,) = shipments
    promised = estimate_delivery(dispatched, transit_days, calendar)
    assert shipment.promised_delivery == promised
    assert promised >= dispatched.astimezone(calendar.timezone).date()
    at = dispatched + after
    if delivered:
        shop.clock.set(dispatched + dt.timedelta(minutes=1))
        service.deliver(shipment.id)
    late = service.late_shipments(at=at)
    overdue = at.astimezone(calendar.timezone).date() > promised
    assert [s.shipment_id for s in late] == (
        [ShipmentId(shipment.id)] if overdue and not delivered else []
    )
