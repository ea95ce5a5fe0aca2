"""``orderkit._time.is_aware`` says what ``utcoffset()`` says, for every kind of value."""

from __future__ import annotations

import datetime as dt

from hypothesis import given
from hypothesis import strategies as st

from orderkit._time import is_aware


class _NoOffset(dt.tzinfo):
    """A tzinfo that gives no offset: a datetime carrying it is still naive."""

    def utcoffset(self, moment: dt.datetime | None) -> None:
        return None

    def dst(self, moment: dt.datetime | None) -> None:
        return None

    def tzname(self, moment: dt.datetime | None) -> str:
        return "none"


ZONES = st.one_of(
    st.none(),
    st.just(dt.UTC),
    st.timedeltas(min_value=dt.timedelta(hours=-23), max_value=dt.timedelta(hours=23)).map(
        dt.timezone
    ),
    st.timezones(),
    st.just(_NoOffset()),
)


@given(st.datetimes(timezones=ZONES) | st.dates() | st.text() | st.none() | st.integers())
def test_is_aware_agrees_with_utcoffset(value: object) -> None:
    expected = isinstance(value, dt.datetime) and value.utcoffset() is not None
    assert is_aware(value) is expected
