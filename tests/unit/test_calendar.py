"""Business-day calendar and delivery estimates: the issue's examples and the invariants."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderkit.errors import InvalidQuantity, ValidationError
from orderkit.fulfillment import BusinessCalendar, estimate_delivery
from orderkit.testing.strategies import business_calendars

BERLIN = ZoneInfo("Europe/Berlin")


def test_friday_after_cutoff_with_monday_holiday_lands_on_thursday() -> None:
    calendar = BusinessCalendar("Europe/Berlin", cutoff=dt.time(14), holidays=[dt.date(2026, 3, 9)])
    friday_evening = dt.datetime(2026, 3, 6, 15, 30, tzinfo=BERLIN)
    assert friday_evening.strftime("%A") == "Friday"
    estimate = estimate_delivery(friday_evening, 2, calendar)
    assert estimate == dt.date(2026, 3, 12)
    assert estimate.strftime("%A") == "Thursday"


def test_friday_before_cutoff_leaves_the_same_day() -> None:
    calendar = BusinessCalendar("Europe/Berlin", cutoff=dt.time(14), holidays=[dt.date(2026, 3, 9)])
    friday_morning = dt.datetime(2026, 3, 6, 9, 0, tzinfo=BERLIN)
    # Leaves Friday; Monday is a holiday, so Tuesday and Wednesday are the transit days.
    assert estimate_delivery(friday_morning, 2, calendar) == dt.date(2026, 3, 11)


def test_exactly_at_the_cutoff_is_too_late() -> None:
    calendar = BusinessCalendar("Europe/Berlin", cutoff=dt.time(14))
    at_cutoff = dt.datetime(2026, 3, 4, 14, 0, tzinfo=BERLIN)
    assert calendar.dispatch_day(at_cutoff) == dt.date(2026, 3, 5)


def test_cutoff_is_read_in_the_location_timezone() -> None:
    calendar = BusinessCalendar("America/New_York", cutoff=dt.time(17))
    # 21:30 UTC on Wednesday is 16:30 in New York (EST): still before the cut-off there.
    moment = dt.datetime(2026, 1, 7, 21, 30, tzinfo=dt.UTC)
    assert calendar.dispatch_day(moment) == dt.date(2026, 1, 7)
    # 23:30 UTC is 18:30 in New York: the next day.
    assert calendar.dispatch_day(moment + dt.timedelta(hours=2)) == dt.date(2026, 1, 8)


def test_crossing_the_year_end_skips_the_given_holidays() -> None:
    holidays = [dt.date(2026, 12, 25), dt.date(2026, 12, 26), dt.date(2027, 1, 1)]
    calendar = BusinessCalendar("Europe/Berlin", cutoff=dt.time(12), holidays=holidays)
    dispatched = dt.datetime(2026, 12, 30, 10, 0, tzinfo=BERLIN)  # Wednesday, before cut-off
    # Transit: Thu 31 Dec, (Fri 1 Jan holiday, weekend), Mon 4 Jan, Tue 5 Jan.
    assert estimate_delivery(dispatched, 3, calendar) == dt.date(2027, 1, 5)


def test_christmas_week() -> None:
    holidays = [dt.date(2026, 12, 24), dt.date(2026, 12, 25)]
    calendar = BusinessCalendar("Europe/Berlin", holidays=holidays)
    dispatched = dt.datetime(2026, 12, 23, 18, 0, tzinfo=BERLIN)  # no cut-off: leaves Wednesday
    assert estimate_delivery(dispatched, 1, calendar) == dt.date(2026, 12, 28)


def test_zero_transit_days_is_the_dispatch_day() -> None:
    calendar = BusinessCalendar("UTC", cutoff=dt.time(12))
    saturday = dt.datetime(2026, 3, 7, 8, 0, tzinfo=dt.UTC)
    assert estimate_delivery(saturday, 0, calendar) == dt.date(2026, 3, 9)


def test_custom_weekdays() -> None:
    six_days = BusinessCalendar("UTC", weekdays={0, 1, 2, 3, 4, 5})
    assert six_days.is_business_day(dt.date(2026, 3, 7))
    assert not six_days.is_business_day(dt.date(2026, 3, 8))
    assert six_days.add_business_days(dt.date(2026, 3, 6), 2) == dt.date(2026, 3, 9)


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"timezone": "Mars/Olympus"}, "timezone"),
        ({"timezone": ""}, "timezone"),
        ({"timezone": "UTC", "weekdays": set()}, "weekdays"),
        ({"timezone": "UTC", "weekdays": {7}}, "weekdays"),
        ({"timezone": "UTC", "holidays": [dt.datetime(2026, 1, 1, tzinfo=dt.UTC)]}, "holidays"),
        ({"timezone": "UTC", "cutoff": dt.time(12, tzinfo=dt.UTC)}, "cutoff"),
        ({"timezone": "UTC", "cutoff": "12:00"}, "cutoff"),
    ],
)
def test_bad_calendars_are_refused(kwargs: dict[str, object], path: str) -> None:
    with pytest.raises(ValidationError) as caught:
        BusinessCalendar(**kwargs)  # type: ignore[arg-type]
    assert path in caught.value.errors


def test_naive_dispatch_moment_is_refused() -> None:
    with pytest.raises(ValidationError, match="naive"):
        estimate_delivery(dt.datetime(2026, 3, 6, 12), 1, BusinessCalendar("UTC"))


def test_negative_transit_days_are_refused() -> None:
    moment = dt.datetime(2026, 3, 6, 12, tzinfo=dt.UTC)
    with pytest.raises(InvalidQuantity, match="-1"):
        estimate_delivery(moment, -1, BusinessCalendar("UTC"))


_moments = st.datetimes(
    min_value=dt.datetime(2025, 12, 1),
    max_value=dt.datetime(2027, 1, 31),
    timezones=st.just(dt.UTC),
)


@given(business_calendars(), _moments, st.integers(0, 15))
def test_estimate_is_a_business_day_never_before_dispatch(
    calendar: BusinessCalendar, moment: dt.datetime, transit: int
) -> None:
    estimate = estimate_delivery(moment, transit, calendar)
    assert calendar.is_business_day(estimate)
    assert estimate >= moment.astimezone(calendar.timezone).date()


@given(business_calendars(), _moments, st.integers(0, 10), st.integers(0, 10))
def test_estimate_is_monotonic_in_transit_days(
    calendar: BusinessCalendar, moment: dt.datetime, a: int, b: int
) -> None:
    shorter, longer = sorted((a, b))
    early = estimate_delivery(moment, shorter, calendar)
    late = estimate_delivery(moment, longer, calendar)
    assert early <= late
    if shorter < longer:
        assert early < late


@given(business_calendars(), _moments, st.integers(0, 10))
def test_each_transit_day_is_exactly_one_business_day(
    calendar: BusinessCalendar, moment: dt.datetime, transit: int
) -> None:
    start = calendar.dispatch_day(moment)
    estimate = estimate_delivery(moment, transit, calendar)
    days = [start + dt.timedelta(n) for n in range(1, (estimate - start).days + 1)]
    assert sum(calendar.is_business_day(d) for d in days) == transit


@given(business_calendars(), _moments, st.integers(0, 48 * 60))
def test_later_dispatch_never_arrives_earlier(
    calendar: BusinessCalendar, moment: dt.datetime, minutes: int
) -> None:
    later = moment + dt.timedelta(minutes=minutes)
    assert estimate_delivery(moment, 2, calendar) <= estimate_delivery(later, 2, calendar)
