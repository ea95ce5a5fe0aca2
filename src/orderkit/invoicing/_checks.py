"""Runtime checks of values that may come from untyped callers or JSON."""

from __future__ import annotations

import enum
from decimal import Decimal
from typing import TypeVar

from orderkit.errors import ValidationError

__all__: list[str] = []

E = TypeVar("E", bound=enum.Enum)


def is_int(value: object) -> bool:
    """A real ``int`` (``True`` is not a quantity)."""
    return isinstance(value, int) and not isinstance(value, bool)


def is_decimal(value: object) -> bool:
    """A finite ``Decimal``."""
    return isinstance(value, Decimal) and value.is_finite()


def require(value: object, kind: type | tuple[type, ...], path: str) -> None:
    """Refuse a value of the wrong type with a :class:`ValidationError` naming it."""
    if not isinstance(value, kind) or (isinstance(value, bool) and kind is not bool):
        names = " or ".join(k.__name__ for k in kind) if isinstance(kind, tuple) else kind.__name__
        raise ValidationError(f"{value!r} is not a {names}", path=path)


def as_enum(kind: type[E], value: object, path: str) -> E:
    """``kind(value)``, or a :class:`ValidationError` listing the allowed values."""
    try:
        return kind(value)
    except ValueError:
        allowed = ", ".join(repr(member.value) for member in kind)
        raise ValidationError(f"{value!r} is not one of {allowed}", path=path) from None
