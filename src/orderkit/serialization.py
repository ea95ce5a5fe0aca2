"""One cattrs converter for every public orderkit type.

Encoding choices, all made here and nowhere else:

- ``Decimal`` travels as a string (``"12.50"``), keeping every digit; JSON
  floats are refused on the way in, since they are not exact.
- :class:`~orderkit.money.Money` is ``{"amount": "12.50", "currency": "EUR"}``;
  :class:`~orderkit.money.Currency` is its alphabetic code.
- ``datetime`` is ISO 8601 with its UTC offset; naive datetimes are refused
  both ways. ``date`` is ISO 8601 (``2026-03-02``).
- Enums travel by value.
- Domain events are a union tagged by class name: ``{"type": "OrderPlaced", ...}``.
- attrs classes use their ``__init__`` argument names (private attributes
  lose their underscore), and extra keys are refused.
- ``str``, ``int`` and ``bool`` are strict: ``"5"`` is not an int, ``1`` is
  not a bool, ``5`` is not a str.

Structuring bad input raises :class:`~orderkit.errors.ValidationError` whose
``errors`` map the path of every bad field to what is wrong with it.

>>> from orderkit.money import Money
>>> converter.unstructure(Money.of("12.50", "EUR"))
{'amount': '12.50', 'currency': 'EUR'}
>>> converter.structure({"amount": "1.5", "currency": "XYZ"}, Money)
Traceback (most recent call last):
...
orderkit.errors.ValidationError: invalid Money: $: unknown ISO 4217 currency code 'XYZ'
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar, cast

import cattrs
from cattrs.errors import BaseValidationError
from cattrs.gen import make_dict_structure_fn, make_dict_unstructure_fn

from orderkit.errors import OrderkitError, ValidationError
from orderkit.events import DomainEvent, event_types
from orderkit.money import Currency, Money

__all__ = ["OrderkitConverter", "converter", "make_converter"]

T = TypeVar("T")

_TYPE_KEY = "type"


class OrderkitConverter(cattrs.Converter):
    """A cattrs converter whose ``structure`` raises only :class:`ValidationError`."""

    def structure(self, obj: Any, cl: Any) -> Any:  # noqa: ANN401 - mirrors cattrs
        name = getattr(cl, "__name__", str(cl))
        try:
            return super().structure(obj, cl)
        except BaseValidationError as exc:
            messages = cattrs.transform_error(exc, path="$", format_exception=_describe)
            errors = dict(_split(message) for message in messages)
            summary = "; ".join(f"{path}: {text}" for path, text in errors.items())
            raise ValidationError(f"invalid {name}: {summary}", errors=errors) from None
        except (
            OrderkitError,
            ValueError,
            TypeError,
            KeyError,
            AttributeError,
            InvalidOperation,
        ) as exc:
            message = _describe(exc, cl)
            raise ValidationError(f"invalid {name}: $: {message}", errors={"$": message}) from None


def _split(message: str) -> tuple[str, str]:
    """``"text @ $.a.b"`` → ``("$.a.b", "text")`` (cattrs' ``transform_error`` lines)."""
    text, _, path = message.rpartition(" @ ")
    return (path, text) if text else ("$", message)


def _describe(exc: BaseException, type_: Any) -> str:  # noqa: ANN401 - cattrs hook signature
    """One line for a bad field: our own message, or a plain one for builtins."""
    if isinstance(exc, ValidationError):
        return "; ".join(exc.errors.values()) if exc.errors else str(exc)
    if isinstance(exc, OrderkitError):
        return str(exc)
    if isinstance(exc, KeyError):
        return "required field missing"
    if isinstance(exc, cattrs.ForbiddenExtraKeysError):
        return f"extra fields {sorted(exc.extra_fields)!r}"
    name = getattr(type_, "__name__", repr(type_))
    detail = str(exc) or type(exc).__name__
    return f"expected {name}: {detail}"


def _strict(kind: type[T], *, refuse: tuple[type, ...] = ()) -> Callable[[object, type], T]:
    def structure(value: object, _: type) -> T:
        if not isinstance(value, kind) or isinstance(value, refuse):
            raise ValidationError(f"{value!r} is not a {kind.__name__}")
        return value

    return structure


def _structure_decimal(value: object, _: type) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, str | int | Decimal):
        raise ValidationError(f"{value!r} is not a decimal string")
    try:
        result = Decimal(value)
    except InvalidOperation:
        raise ValidationError(f"{value!r} is not a decimal number") from None
    if not result.is_finite():
        raise ValidationError(f"{value!r} is not a finite number")
    return result


def _structure_currency(value: object, _: type) -> Currency:
    if not isinstance(value, str):
        raise ValidationError(f"{value!r} is not a currency code")
    return Currency.of(value)


def _structure_money(value: object, _: type) -> Money:
    if not isinstance(value, dict):
        raise ValidationError(f"{value!r} is not a money object")
    extra = set(value) - {"amount", "currency"}
    if extra:
        raise ValidationError(f"extra fields {sorted(extra)!r}")
    if "amount" not in value or "currency" not in value:
        raise ValidationError("money needs both 'amount' and 'currency'")
    return Money(
        _structure_decimal(value["amount"], Decimal),
        _structure_currency(value["currency"], Currency),
    )


def _unstructure_datetime(value: dt.datetime) -> str:
    if value.utcoffset() is None:
        raise ValidationError(f"naive datetime {value.isoformat()} has no UTC offset")
    return value.isoformat()


def _structure_datetime(value: object, _: type) -> dt.datetime:
    if not isinstance(value, str):
        raise ValidationError(f"{value!r} is not an ISO 8601 datetime string")
    try:
        parsed = dt.datetime.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"{value!r} is not an ISO 8601 datetime") from None
    if parsed.utcoffset() is None:
        raise ValidationError(f"datetime {value!r} has no UTC offset")
    return parsed


def _structure_date(value: object, _: type) -> dt.date:
    if not isinstance(value, str):
        raise ValidationError(f"{value!r} is not an ISO 8601 date string")
    try:
        parsed = dt.datetime.strptime(value, "%Y-%m-%d")
    except ValueError:
        raise ValidationError(f"{value!r} is not an ISO 8601 date (YYYY-MM-DD)") from None
    return parsed.date()


def _is_event(type_: Any) -> bool:  # noqa: ANN401 - cattrs predicate signature
    return isinstance(type_, type) and issubclass(type_, DomainEvent)


def _configure_events(conv: OrderkitConverter) -> None:
    @functools.cache
    def unstructure_fn(cls: type[DomainEvent]) -> Callable[[Any], dict[str, Any]]:
        return cast(Callable[[Any], dict[str, Any]], make_dict_unstructure_fn(cls, conv))

    @functools.cache
    def structure_fn(cls: type[DomainEvent]) -> Callable[[Any, Any], Any]:
        return cast(
            Callable[[Any, Any], Any],
            make_dict_structure_fn(cls, conv, _cattrs_forbid_extra_keys=True),
        )

    def unstructure(event: DomainEvent) -> dict[str, Any]:
        return {_TYPE_KEY: type(event).__name__, **unstructure_fn(type(event))(event)}

    def structure(value: object, declared: type[DomainEvent]) -> DomainEvent:
        if not isinstance(value, dict) or not isinstance(value.get(_TYPE_KEY), str):
            raise ValidationError(f"an event needs a {_TYPE_KEY!r} string, got {value!r}")
        name = value[_TYPE_KEY]
        cls = event_types().get(name)
        if cls is None or not issubclass(cls, declared):
            raise ValidationError(f"unknown event type {name!r} for {declared.__name__}")
        fields = {k: v for k, v in value.items() if k != _TYPE_KEY}
        return cast(DomainEvent, structure_fn(cls)(fields, cls))

    conv.register_unstructure_hook_func(_is_event, unstructure)
    conv.register_structure_hook_func(_is_event, structure)


def make_converter() -> OrderkitConverter:
    """A new converter configured with every orderkit encoding (see the module docstring)."""
    conv = OrderkitConverter(forbid_extra_keys=True, use_alias=True)
    conv.register_structure_hook(str, _strict(str))
    conv.register_structure_hook(int, _strict(int, refuse=(bool,)))
    conv.register_structure_hook(bool, _strict(bool))
    conv.register_unstructure_hook(Decimal, str)
    conv.register_structure_hook(Decimal, _structure_decimal)
    conv.register_unstructure_hook(Currency, lambda c: c.code)
    conv.register_structure_hook(Currency, _structure_currency)
    conv.register_unstructure_hook(
        Money, lambda m: {"amount": str(m.amount), "currency": m.currency.code}
    )
    conv.register_structure_hook(Money, _structure_money)
    conv.register_unstructure_hook(dt.datetime, _unstructure_datetime)
    conv.register_structure_hook(dt.datetime, _structure_datetime)
    conv.register_unstructure_hook(dt.date, dt.date.isoformat)
    conv.register_structure_hook(dt.date, _structure_date)
    _configure_events(conv)
    return conv


#: The shared converter. Build your own with :func:`make_converter` to customise.
converter: OrderkitConverter = make_converter()
