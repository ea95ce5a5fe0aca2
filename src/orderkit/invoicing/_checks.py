"""Runtime checks of values that may come from untyped callers or JSON."""

from __future__ import annotations

from decimal import Decimal

__all__: list[str] = []


def is_int(value: object) -> bool:
    """A real ``int`` (``True`` is not a quantity)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_decimal(value: object) -> bool:
    """A finite ``Decimal``."""
    return isinstance(value, Decimal) and value.is_finite()
