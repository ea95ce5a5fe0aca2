"""Bounded retries with exponential backoff for carrier calls.

The policy is pure data; :func:`call_with_retries` takes the sleep function
as an argument, so the service passes :func:`time.sleep` and tests pass a
recorder, and nothing here reads a clock.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

import attrs

from orderkit.errors import CarrierError, ValidationError
from orderkit.fulfillment._values import check_quantity

__all__ = ["NO_RETRY", "RetryPolicy", "call_with_retries"]

T = TypeVar("T")


def _seconds(value: float) -> float:
    return _to_seconds(value)


def _to_seconds(value: object) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not value >= 0:
        raise ValidationError(f"{value!r} is not a number of seconds >= 0", path="delay")
    if value == float("inf"):
        raise ValidationError("delays must be finite", path="delay")
    return float(value)


@attrs.frozen
class RetryPolicy:
    """How often to try a call and how long to wait between tries.

    The wait before try ``n + 1`` is ``base_delay * multiplier ** (n - 1)``,
    capped at ``max_delay``.

    >>> RetryPolicy(attempts=4, base_delay=0.5, multiplier=2, max_delay=1.5).delays()
    (0.5, 1.0, 1.5)
    """

    attempts: int = 3
    base_delay: float = attrs.field(default=0.2, converter=_seconds)
    multiplier: float = attrs.field(default=2.0, converter=_seconds)
    max_delay: float = attrs.field(default=5.0, converter=_seconds)

    def __attrs_post_init__(self) -> None:
        check_quantity(self.attempts, field="attempts", minimum=1)
        if self.multiplier < 1:
            raise ValidationError(f"multiplier {self.multiplier} must be >= 1", path="multiplier")

    def delays(self) -> tuple[float, ...]:
        """The waits between tries: ``attempts - 1`` of them, never decreasing."""
        waits: list[float] = []
        delay = self.base_delay
        for _ in range(self.attempts - 1):
            waits.append(min(delay, self.max_delay))
            delay = min(delay * self.multiplier, self.max_delay)
        return tuple(waits)


#: One try only.
NO_RETRY = RetryPolicy(attempts=1)


def call_with_retries(
    call: Callable[[], T], policy: RetryPolicy, sleep: Callable[[float], object]
) -> T:
    """Run ``call``, retrying retryable :class:`CarrierError`s as ``policy`` allows.

    A non-retryable :class:`CarrierError` (and any other exception) propagates
    at once; when the tries run out the last retryable error propagates.
    Retrying a label purchase is safe only because the carrier keys it on the
    idempotency key: pass the same key on every try.

    >>> waits = []
    >>> outcomes = iter([CarrierError("busy", retryable=True), None])
    >>> def flaky() -> str:
    ...     error = next(outcomes)
    ...     if error:
    ...         raise error
    ...     return "label"
    >>> call_with_retries(flaky, RetryPolicy(attempts=3, base_delay=1), waits.append), waits
    ('label', [1.0])
    """
    delays = policy.delays()
    for attempt in range(policy.attempts):
        try:
            return call()
        except CarrierError as error:
            if not error.retryable or attempt == len(delays):
                raise
            sleep(delays[attempt])
    raise AssertionError("unreachable: the last attempt returns or raises")  # pragma: no cover
