"""Clocks: the system clock for production and a fixed, hand-advanced one for tests."""

from __future__ import annotations

import datetime as dt
import threading

from orderkit._time import is_aware
from orderkit.errors import ValidationError

__all__ = ["FixedClock", "SystemClock"]


class SystemClock:
    """The real time, in UTC.

    >>> SystemClock().now().tzinfo is dt.UTC
    True
    """

    def now(self) -> dt.datetime:
        """The current UTC time."""
        return dt.datetime.now(dt.UTC)


class FixedClock:
    """A clock that only moves when told to: deterministic tests and replays.

    >>> clock = FixedClock(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC))
    >>> clock.advance(dt.timedelta(minutes=30))
    >>> clock.now().isoformat()
    '2026-03-02T09:30:00+00:00'
    """

    def __init__(self, now: dt.datetime) -> None:
        self._lock = threading.Lock()
        self._now = _aware(now)

    def now(self) -> dt.datetime:
        """The instant the clock was last set to."""
        with self._lock:
            return self._now

    def set(self, now: dt.datetime) -> None:
        """Jump to ``now`` (backwards too: a test may need it).

        Raises:
            ValidationError: ``now`` is naive.
        """
        value = _aware(now)
        with self._lock:
            self._now = value

    def advance(self, delta: dt.timedelta) -> None:
        """Move the clock by ``delta``."""
        with self._lock:
            self._now = self._now + delta


def _aware(value: object) -> dt.datetime:
    if not is_aware(value):
        raise ValidationError(f"a clock needs a timezone-aware datetime, got {value!r}", path="now")
    return value
