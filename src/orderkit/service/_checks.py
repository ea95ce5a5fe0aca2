"""Checks of ``OrderService``'s collaborators, so a wrong one fails at construction.

A wrong collaborator (a string for the carrier, ``None`` for the clock) used to
surface as a bare ``AttributeError``/``TypeError``/``ValueError`` in the
first command that touched it; it is refused up front with a
``ValidationError`` naming the argument.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from types import MappingProxyType
from typing import Any, get_args

from orderkit.errors import ValidationError
from orderkit.fulfillment import BusinessCalendar, CarrierPort, RetryPolicy
from orderkit.inventory import Allocator, StockLocation
from orderkit.pricing import Pricer, ShippingRule
from orderkit.service._values import InvoicingConfig, StockOnPlace

__all__ = [
    "check_calendars",
    "check_callable",
    "check_instance",
    "check_locations",
    "check_sequence",
    "check_stock_on_place",
]

_OPTIONAL_TYPES: dict[str, tuple[type, ...]] = {
    "pricer": (Pricer,),
    "shipping": tuple(get_args(ShippingRule)),
    "allocator": (Allocator,),
    "carrier": (CarrierPort,),
    "carrier_retries": (RetryPolicy,),
    "invoicing": (InvoicingConfig,),
}


def check_instance(name: str, value: object) -> None:
    """Refuse ``value`` for the optional collaborator ``name`` unless None or of its type."""
    expected = _OPTIONAL_TYPES[name]
    if value is not None and not isinstance(value, expected):
        wanted = " or ".join(t.__name__ for t in expected)
        raise ValidationError(f"{name} must be {wanted} or None, got {value!r}", path=name)


def check_callable(name: str, value: object) -> None:
    """Refuse a collaborator that must be called (``sleep``, ``unit_weight``, ``clock.now``)."""
    if not callable(value):
        raise ValidationError(f"{name} must be callable, got {value!r}", path=name)


def check_locations(value: object) -> tuple[StockLocation, ...]:
    """The stock locations as a tuple, each a ``StockLocation``."""
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise ValidationError(
            f"locations must be a collection of StockLocation, got {value!r}", path="locations"
        )
    found = tuple(value)
    for index, location in enumerate(found):
        if not isinstance(location, StockLocation):
            raise ValidationError(
                f"{location!r} is not a StockLocation", path=f"locations[{index}]"
            )
    return found


def check_sequence(name: str, value: object) -> tuple[Any, ...]:
    """A command's collection argument as a tuple (a string or ``None`` is refused)."""
    if value.__class__ is list or value.__class__ is tuple:  # the usual: no ABC check needed
        return tuple(value)
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise ValidationError(f"{name} must be a sequence, got {value!r}", path=name)
    return tuple(value)


def check_stock_on_place(value: object) -> StockOnPlace:
    """A ``StockOnPlace`` member (or its value)."""
    if isinstance(value, str) and value in {m.value for m in StockOnPlace}:
        return StockOnPlace(value)
    allowed = ", ".join(repr(m.value) for m in StockOnPlace)
    raise ValidationError(
        f"stock_on_place must be one of {allowed}, got {value!r}", path="stock_on_place"
    )


def check_calendars(
    value: object,
) -> tuple[BusinessCalendar | None, Mapping[str, BusinessCalendar]]:
    """The shipping calendars as (one for every location, or None; per location id)."""
    if value is None:
        return None, MappingProxyType({})
    if isinstance(value, BusinessCalendar):
        return value, MappingProxyType({})
    if not isinstance(value, Mapping):
        raise ValidationError(
            "calendars must be a BusinessCalendar or map location ids to BusinessCalendar, "
            f"got {value!r}",
            path="calendars",
        )
    found: dict[str, BusinessCalendar] = {}
    for location, calendar in value.items():
        if not isinstance(location, str) or not location:
            raise ValidationError(f"{location!r} is not a location id", path="calendars")
        if not isinstance(calendar, BusinessCalendar):
            raise ValidationError(
                f"{calendar!r} is not a BusinessCalendar", path=f"calendars[{location}]"
            )
        found[location] = calendar
    return None, MappingProxyType(found)
