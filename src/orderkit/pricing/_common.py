"""Small validators and helpers shared by the pricing modules."""

from __future__ import annotations

import datetime as dt
import types
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any, Final

import attrs

from orderkit._time import is_aware
from orderkit.errors import ValidationError
from orderkit.money import Currency, Money, Rounding

ZERO: Final = Decimal(0)
HUNDRED: Final = Decimal(100)


def percent_field(value: object, name: str) -> Decimal:
    """Check a percentage is a finite Decimal in [0, 100]."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise ValidationError(f"percentage {value!r} is not a Decimal", path=name)
    result = Decimal(value)
    if not result.is_finite() or result < 0 or result > HUNDRED:
        raise ValidationError(f"percentage {value!r} is not between 0 and 100", path=name)
    return result


def validate_percent(instance: object, attribute: attrs.Attribute[Decimal], value: object) -> None:
    """attrs validator: a percentage between 0 and 100."""
    percent_field(value, attribute.name)


def validate_rate_percent(
    instance: object, attribute: attrs.Attribute[Decimal], value: object
) -> None:
    """attrs validator: a non-negative finite percentage (tax rates may exceed 100)."""
    if isinstance(value, bool) or not isinstance(value, Decimal | int):
        raise ValidationError(f"rate {value!r} is not a Decimal", path=attribute.name)
    if not Decimal(value).is_finite() or value < 0:
        raise ValidationError(f"rate {value!r} is not a non-negative number", path=attribute.name)


def validate_non_negative_money(
    instance: object, attribute: attrs.Attribute[Money], value: object
) -> None:
    """attrs validator: money that is zero or more."""
    if not isinstance(value, Money):
        raise ValidationError(f"{value!r} is not Money", path=attribute.name)
    if value.is_negative:
        raise ValidationError(f"amount {value} is negative", path=attribute.name)


def validate_optional_aware(
    instance: object, attribute: attrs.Attribute[dt.datetime | None], value: dt.datetime | None
) -> None:
    """attrs validator: ``None`` or a timezone-aware datetime."""
    if value is not None:
        require_aware(value, attribute.name)


def require_aware(value: object, name: str) -> dt.datetime:
    """Refuse anything but a timezone-aware datetime."""
    if is_aware(value):
        return value
    if not isinstance(value, dt.datetime):
        raise ValidationError(f"{value!r} is not a datetime", path=name)
    raise ValidationError(f"naive datetime {value.isoformat()} has no UTC offset", path=name)


def validate_positive_int(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    """attrs validator: a whole number of at least one."""
    if isinstance(value, bool) or not isinstance(value, int) or value < 1:
        raise ValidationError(f"{value!r} is not a positive whole number", path=attribute.name)


def validate_int(instance: object, attribute: attrs.Attribute[int], value: object) -> None:
    """attrs validator: a whole number (a priority); ``bool`` is refused."""
    if isinstance(value, bool) or not isinstance(value, int):
        raise ValidationError(f"{value!r} is not a whole number", path=attribute.name)


def validate_optional_limit(
    instance: object, attribute: attrs.Attribute[int | None], value: object
) -> None:
    """attrs validator: ``None`` (no limit) or a whole number of at least zero."""
    if value is not None and (isinstance(value, bool) or not isinstance(value, int) or value < 0):
        raise ValidationError(
            f"usage limit {value!r} is not a whole number >= 0", path=attribute.name
        )


def validate_window(instance: object, start: dt.datetime | None, end: dt.datetime | None) -> None:
    """Refuse a validity window that ends before it starts."""
    if start is not None and end is not None and end <= start:
        raise ValidationError(
            f"window ends {end.isoformat()} at or before it starts {start.isoformat()}",
            path="ends_at",
        )


def in_window(moment: dt.datetime, start: dt.datetime | None, end: dt.datetime | None) -> bool:
    """Whether ``start <= moment < end`` (open ends when ``None``)."""
    return (start is None or start <= moment) and (end is None or moment < end)


def str_tuple(values: Iterable[str]) -> tuple[str, ...]:
    """attrs converter: any iterable of strings as a tuple (a lone str is one value)."""
    if isinstance(values, str):
        return (values,)
    result: tuple[str, ...] = items_of(values, str, "str", "values")
    return result


def items_of(values: object, kind: type[Any] | types.UnionType, what: str, path: str) -> Any:
    """``values`` as a tuple whose every item is a ``kind``; :class:`ValidationError` else.

    The converters of the value classes use it so that a wrong item is refused
    at construction with its position, not met later as an ``AttributeError``.
    """
    if isinstance(values, str | bytes | Mapping) or not isinstance(values, Iterable):
        raise ValidationError(f"{values!r} is not a list of {what}", path=path)
    result = tuple(values)
    for index, item in enumerate(result):
        if not isinstance(item, kind):
            raise ValidationError(f"{item!r} is not a {what}", path=f"{path}[{index}]")
    return result


def instance_of(
    kind: type[Any] | types.UnionType, what: str, *, optional: bool = False
) -> Callable[[object, attrs.Attribute[Any], object], None]:
    """attrs validator: ``value`` is a ``kind`` (or ``None`` when optional); ValidationError else.

    ``attrs.validators.instance_of`` raises a bare ``TypeError``, which must not
    escape the public API.
    """

    def check(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
        if value is None and optional:
            return
        if not isinstance(value, kind):
            raise ValidationError(f"{value!r} is not a {what}", path=attribute.name)

    return check


def to_currency(value: Currency | str) -> Currency:
    """attrs converter: a currency or its ISO code (:class:`UnknownCurrency` else)."""
    return Currency.of(value)


def matches(
    sku: str, categories: tuple[str, ...], skus: tuple[str, ...], wanted: tuple[str, ...]
) -> bool:
    """Whether a line (sku, categories) is selected by ``skus`` or ``wanted`` categories.

    Both selectors empty select every line.
    """
    if not skus and not wanted:
        return True
    if sku in skus:
        return True
    # A loop, not any(): the generator cost more than the test, once per line and selector.
    for category in categories:  # noqa: SIM110
        if category in wanted:
            return True
    return False


def parse_rounding(value: Rounding | str) -> Rounding:
    """attrs converter: a rounding mode by member, name or value (``ValidationError`` else)."""
    return Rounding.parse(value)
