"""Business-day calendars and delivery-date estimates.

A :class:`BusinessCalendar` knows the working weekdays, the holidays the host
supplies and a daily cut-off time in the location's timezone. Business days
are a :mod:`dateutil.rrule` recurrence with the holidays excluded, so the
calendar follows the same rules a host uses for its own schedules.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs
from dateutil import rrule

from orderkit.errors import ValidationError
from orderkit.fulfillment._values import check_aware, check_quantity

__all__ = ["MONDAY_TO_FRIDAY", "BusinessCalendar", "estimate_delivery"]

#: ``date.weekday()`` numbers of Monday to Friday.
MONDAY_TO_FRIDAY = frozenset(range(5))


def _zone(value: ZoneInfo | str) -> ZoneInfo:
    return _to_zone(value)


def _to_zone(value: object) -> ZoneInfo:
    if isinstance(value, ZoneInfo):
        return value
    if not isinstance(value, str) or not value:
        raise ValidationError(f"{value!r} is not an IANA timezone name", path="timezone")
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"unknown timezone {value!r}", path="timezone") from None


def _weekdays(value: Iterable[int]) -> frozenset[int]:
    return _to_weekdays(value)


def _to_weekdays(value: Iterable[object]) -> frozenset[int]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ValidationError(f"weekdays {value!r} are not a collection of 0..6", path="weekdays")
    days = frozenset(value)
    if not days or any(isinstance(d, bool) or d not in range(7) for d in days):
        raise ValidationError(
            f"weekdays must be a non-empty set of 0 (Monday) .. 6 (Sunday), "
            f"got {sorted(days, key=repr)}",
            path="weekdays",
        )
    return frozenset(d for d in days if isinstance(d, int))


def _holidays(value: Iterable[dt.date]) -> frozenset[dt.date]:
    return _to_holidays(value)


def _to_holidays(value: Iterable[object]) -> frozenset[dt.date]:
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ValidationError(f"holidays {value!r} are not a collection of dates", path="holidays")
    days: set[dt.date] = set()
    for day in value:
        if not isinstance(day, dt.date) or isinstance(day, dt.datetime):
            raise ValidationError(f"holiday {day!r} is not a date", path="holidays")
        days.add(day)
    return frozenset(days)


def _day(value: object, field: str) -> dt.date:
    """A calendar date (a datetime's own date, since only the day matters here)."""
    if isinstance(value, dt.datetime):
        return value.date()
    if not isinstance(value, dt.date):
        raise ValidationError(f"{value!r} is not a date", path=field)
    return value


def _cutoff(value: dt.time | None) -> dt.time | None:
    return _to_cutoff(value)


def _to_cutoff(value: object) -> dt.time | None:
    if value is None:
        return None
    if not isinstance(value, dt.time) or value.tzinfo is not None:
        raise ValidationError(
            f"cut-off {value!r} must be a local time without tzinfo", path="cutoff"
        )
    return value


@attrs.frozen
class BusinessCalendar:
    """Working days, holidays and the daily dispatch cut-off of one location.

    A parcel handed over on a business day before ``cutoff`` (local time)
    leaves that day; later, or on a non-business day, it leaves on the next
    business day. ``cutoff=None`` means any time of a business day counts.

    >>> cal = BusinessCalendar(
    ...     "Europe/Berlin", cutoff=dt.time(15), holidays=[dt.date(2026, 12, 25)]
    ... )
    >>> cal.next_business_day(dt.date(2026, 12, 24)).isoformat()
    '2026-12-28'
    """

    timezone: ZoneInfo = attrs.field(converter=_zone)
    cutoff: dt.time | None = attrs.field(default=None, converter=_cutoff)
    weekdays: frozenset[int] = attrs.field(default=MONDAY_TO_FRIDAY, converter=_weekdays)
    holidays: frozenset[dt.date] = attrs.field(default=frozenset(), converter=_holidays)

    def is_business_day(self, day: dt.date) -> bool:
        """Whether ``day`` is a working weekday and not a holiday."""
        day = _day(day, "day")
        return day.weekday() in self.weekdays and day not in self.holidays

    def business_days(self, after: dt.date) -> Iterable[dt.date]:
        """The business days strictly after ``after``, in order (an endless iterator)."""
        after = _day(after, "after")
        start = dt.datetime.combine(after + dt.timedelta(days=1), dt.time())
        rules = rrule.rruleset()
        rules.rrule(rrule.rrule(rrule.DAILY, dtstart=start, byweekday=sorted(self.weekdays)))
        for holiday in self.holidays:
            if holiday > after:
                rules.exdate(dt.datetime.combine(holiday, dt.time()))
        return (moment.date() for moment in rules)

    def next_business_day(self, day: dt.date) -> dt.date:
        """The first business day strictly after ``day``."""
        return next(iter(self.business_days(day)))

    def add_business_days(self, day: dt.date, count: int) -> dt.date:
        """The ``count``-th business day after ``day`` (``day`` itself for 0)."""
        day = _day(day, "day")
        check_quantity(count, field="count", minimum=0)
        if count == 0:
            return day
        for index, business_day in enumerate(self.business_days(day), start=1):
            if index == count:
                return business_day
        raise AssertionError(
            "unreachable: a recurrence with weekdays never ends"
        )  # pragma: no cover

    def dispatch_day(self, moment: dt.datetime) -> dt.date:
        """The business day a parcel handed over at ``moment`` leaves on (after the cut-off)."""
        local = check_aware(moment, "moment").astimezone(self.timezone)
        day = local.date()
        if self.is_business_day(day) and (self.cutoff is None or local.time() < self.cutoff):
            return day
        return self.next_business_day(day)


def estimate_delivery(
    dispatch_moment: dt.datetime, transit_days: int, calendar: BusinessCalendar
) -> dt.date:
    """The date a parcel handed over at ``dispatch_moment`` should arrive.

    It leaves on :meth:`BusinessCalendar.dispatch_day` and then spends
    ``transit_days`` business days on the road.

    >>> cal = BusinessCalendar("Europe/Berlin", cutoff=dt.time(14), holidays=[dt.date(2026, 3, 9)])
    >>> friday_evening = dt.datetime(2026, 3, 6, 16, 0, tzinfo=cal.timezone)
    >>> estimate_delivery(friday_evening, 2, cal).strftime("%A %Y-%m-%d")
    'Thursday 2026-03-12'
    """
    check_quantity(transit_days, field="transit_days", minimum=0)
    if not isinstance(calendar, BusinessCalendar):
        raise ValidationError(f"{calendar!r} is not a BusinessCalendar", path="calendar")
    return calendar.add_business_days(calendar.dispatch_day(dispatch_moment), transit_days)
