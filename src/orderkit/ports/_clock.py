"""The clock port: where the service layer gets "now" from."""

from __future__ import annotations

import datetime as dt
from typing import Protocol, runtime_checkable

__all__ = ["Clock"]


@runtime_checkable
class Clock(Protocol):
    """Anything with a ``now()`` that returns a timezone-aware datetime.

    The domain never reads the clock: the service asks a :class:`Clock` once per
    command and passes the time in, so tests pin time with a fixed clock and a
    host can plug in its own (a request timestamp, a simulated calendar).
    """

    def now(self) -> dt.datetime:
        """The current instant, timezone-aware (naive datetimes are refused downstream)."""
        ...
