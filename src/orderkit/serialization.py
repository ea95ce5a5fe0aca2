"""One cattrs converter for every public orderkit type.

Encoding choices, all made here and nowhere else:

- ``Decimal`` travels as a string (``"12.50"``), keeping every digit; JSON
  floats are refused on the way in, since they are not exact.
- :class:`~orderkit.money.Money` is ``{"amount": "12.50", "currency": "EUR"}``;
  :class:`~orderkit.money.Currency` is its alphabetic code.
- ``datetime`` is ISO 8601 with its UTC offset; naive datetimes (and offsets
  finer than a second) are refused both ways. ``date`` is ISO 8601 (``2026-03-02``).
- Enums travel by value (``StrEnum`` and ``IntEnum`` too, never as plain str/int).
- Domain events are a union tagged by class name: ``{"type": "OrderPlaced", ...}``;
  so are pricing actions, conditions and shipping rules (``{"type": "FlatRate", ...}``).
- attrs classes use their ``__init__`` argument names (private attributes
  lose their underscore), and extra keys are refused.
- ``str``, ``int``, ``float`` and ``bool`` are strict: ``"5"`` is not an
  int, ``1`` is not a bool, ``5`` is not a str.
- An event field named ``type`` would clash with the tag: do not define one.

Structuring bad input raises :class:`~orderkit.errors.ValidationError` whose
``errors`` map the path of every bad field to what is wrong with it.

>>> from orderkit.money import Money
>>> converter.unstructure(Money.of("12.50", "EUR"))
{'amount': '12.50', 'currency': 'EUR'}
>>> converter.structure({"amount": "1.5", "currency": "XYZ"}, Money)
Traceback (most recent call last):
...
orderkit.errors.ValidationError: invalid Money: $.currency: unknown ISO 4217 currency code 'XYZ'
"""

from __future__ import annotations

import datetime as dt
import enum
import re
import types
import typing
from collections.abc import Callable, Mapping
from collections.abc import Set as AbstractSet
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs
import cattrs
from cattrs.errors import (
    BaseValidationError,
    ClassValidationError,
    ForbiddenExtraKeysError,
    IterableValidationError,
)
from cattrs.strategies import configure_tagged_union

from orderkit.errors import OrderkitError, ValidationError
from orderkit.events import DomainEvent, event_types
from orderkit.money import Currency, Money
from orderkit.pricing import Action, Condition, ShippingRule

__all__ = ["OrderkitConverter", "converter", "make_converter"]

T = TypeVar("T")

_TYPE_KEY = "type"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
# What a hook or a domain constructor may raise on bad input; reported as a field error.
_INPUT_ERRORS = (ValueError, TypeError, LookupError, AttributeError, ArithmeticError)


class OrderkitConverter(cattrs.Converter):
    """A cattrs converter whose ``structure`` raises only :class:`ValidationError`."""

    def structure(self, obj: object, cl: type[T]) -> T:
        """Structure ``obj`` as ``cl``; bad input raises :class:`ValidationError`.

        The error's ``errors`` map the path of every bad field (``$.lines[2].quantity``)
        to what is wrong with it.
        """
        try:
            return super().structure(obj, cl)
        except (BaseValidationError, OrderkitError, *_INPUT_ERRORS) as exc:
            errors: dict[str, str] = {}
            _collect(exc, "$", errors)
            name = getattr(cl, "__name__", str(cl))
            summary = "; ".join(f"{path}: {text}" for path, text in errors.items())
            raise ValidationError(f"invalid {name}: {summary}", errors=errors) from None


def _join(path: str, key: object) -> str:
    if isinstance(key, int):
        return f"{path}[{key}]"
    text = str(key)
    if not text:
        return path
    return f"{path}{text}" if text.startswith("[") else f"{path}.{text}"


def _collect(exc: BaseException, path: str, out: dict[str, str]) -> None:
    """Walk a cattrs error tree, recording one message per bad field path."""
    if isinstance(exc, IterableValidationError):
        with_index, without = exc.group_exceptions()
        for inner, note in with_index:
            _collect(inner, f"{path}[{note.index!r}]", out)
        for inner in without:
            _collect(inner, path, out)
    elif isinstance(exc, ClassValidationError):
        with_name, without_name = exc.group_exceptions()
        for inner, attr_note in with_name:
            if isinstance(inner, KeyError):
                out[_join(path, attr_note.name)] = "required field missing"
            else:
                _collect(inner, _join(path, attr_note.name), out)
        for inner in without_name:
            _collect(inner, path, out)
    elif isinstance(exc, ForbiddenExtraKeysError):
        for key in sorted(exc.extra_fields):
            out[_join(path, key)] = "unexpected field"
    elif isinstance(exc, BaseValidationError):
        for inner in exc.exceptions:
            _collect(inner, path, out)
    elif isinstance(exc, ValidationError):
        for key, text in exc.errors.items():
            # A nested structure() call already reports paths from its own "$".
            out[path + key[1:] if key.startswith("$") else _join(path, key)] = text
    elif isinstance(exc, OrderkitError):
        out[path] = str(exc)
    else:
        out[path] = f"{type(exc).__name__}: {exc}" if str(exc) else type(exc).__name__


def _strict(kind: type[T], *, accept: tuple[type, ...] = ()) -> Callable[[object, type], T]:
    def structure(value: object, declared: type) -> T:
        if value.__class__ is kind and declared is kind:
            # The common case, answered first: exactly the builtin type that was asked for
            # (never a bool for an int: bool is its own class). Every other case below.
            return value
        if declared is not kind and _is_enum(declared):
            # StrEnum and IntEnum dispatch here (str and int come first in their MRO).
            return _structure_enum(value, declared)  # type: ignore[return-value]
        if isinstance(value, bool) and kind is not bool:
            raise ValidationError(f"{value!r} is not a {kind.__name__}")
        if isinstance(value, kind):
            return value
        if isinstance(value, accept):
            return kind(value)  # type: ignore[call-arg]
        raise ValidationError(f"{value!r} is not a {kind.__name__}")

    return structure


def _structure_decimal(value: object, _: type) -> Decimal:
    if value.__class__ is str:  # the wire form, checked first
        try:
            result = Decimal(value)
        except InvalidOperation:
            raise ValidationError(f"{value!r} is not a decimal number") from None
        if not result.is_finite():
            raise ValidationError(f"{value!r} is not a finite number")
        return result
    if isinstance(value, float):
        raise ValidationError(f"float {value!r} is not exact; send a decimal string")
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
    try:
        return Currency.of(value)
    except ValidationError as exc:
        raise ValidationError("; ".join(exc.errors.values())) from None


def _is_enum(type_: Any) -> bool:
    return isinstance(type_, type) and issubclass(type_, enum.Enum)


def _structure_enum(value: object, cls: type[enum.Enum]) -> enum.Enum:
    values = [member.value for member in cls]
    if isinstance(value, bool) and not any(isinstance(v, bool) for v in values):
        raise ValidationError(f"{value!r} is not one of {values!r}")
    try:
        return cls(value)
    except (ValueError, TypeError):
        raise ValidationError(f"{value!r} is not one of {values!r}") from None


def _unstructure_datetime(value: dt.datetime) -> str:
    offset = value.utcoffset()
    if offset is None:
        raise ValidationError(f"naive datetime {value.isoformat()} has no UTC offset")
    if offset.microseconds:
        # No real zone has one, and Python 3.11 cannot read it back from ISO text.
        raise ValidationError(f"UTC offset {offset} of {value.isoformat()} is finer than a second")
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
    if not isinstance(value, str) or not _DATE.fullmatch(value):
        raise ValidationError(f"{value!r} is not an ISO 8601 date (YYYY-MM-DD)")
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"{value!r} is not a valid date") from None


def _structure_time(value: object, _: type) -> dt.time:
    if not isinstance(value, str):
        raise ValidationError(f"{value!r} is not an ISO 8601 time string")
    try:
        return dt.time.fromisoformat(value)
    except ValueError:
        raise ValidationError(f"{value!r} is not an ISO 8601 time (HH:MM[:SS])") from None


def _structure_zone(value: object, _: type) -> ZoneInfo:
    if not isinstance(value, str) or not value:
        raise ValidationError(f"{value!r} is not an IANA timezone name")
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"unknown timezone {value!r}") from None


def _is_event(type_: Any) -> bool:
    return isinstance(type_, type) and issubclass(type_, DomainEvent)


def _event_members(type_: Any) -> tuple[type[DomainEvent], ...] | None:
    """The members of a union made only of event classes, else ``None``."""
    if typing.get_origin(type_) not in (typing.Union, types.UnionType):
        return None
    members = typing.get_args(type_)
    if members and all(_is_event(member) for member in members):
        return members
    return None


def _configure_attrs(conv: OrderkitConverter) -> None:
    """attrs classes: generated by cattrs, after checking the input is an object at all."""

    def factory(cls: Any) -> Callable[[Any, Any], Any]:
        generated = conv.gen_structure_attrs_fromdict(cls)
        name = getattr(cls, "__name__", repr(cls))

        def structure(value: object, declared: Any) -> Any:
            # A plain dict (what JSON gives) skips the slower ABC check.
            if value.__class__ is not dict and not isinstance(value, Mapping):
                raise ValidationError(f"expected an object for {name}, got {value!r}")
            return generated(value, declared)

        return structure

    conv.register_structure_hook_factory(attrs.has, factory)


def _configure_events(conv: OrderkitConverter) -> None:
    unstructure_fns: dict[type[DomainEvent], Callable[[Any], dict[str, Any]]] = {}
    structure_fns: dict[type[DomainEvent], Callable[[Any, Any], Any]] = {}

    def unstructure(event: DomainEvent) -> dict[str, Any]:
        cls = type(event)
        fn = unstructure_fns.get(cls)
        if fn is None:
            fn = unstructure_fns[cls] = conv.gen_unstructure_attrs_fromdict(cls)
        return {_TYPE_KEY: cls.__name__, **fn(event)}

    def structure_tagged(value: object, allowed: tuple[type[DomainEvent], ...]) -> DomainEvent:
        if not isinstance(value, dict):
            raise ValidationError(f"an event must be an object, got {value!r}")
        name = value.get(_TYPE_KEY)
        if not isinstance(name, str):
            raise ValidationError(f"an event needs a {_TYPE_KEY!r} string", path=_TYPE_KEY)
        cls = event_types().get(name)
        if cls is None or not issubclass(cls, allowed):
            expected = ", ".join(sorted(c.__name__ for c in allowed))
            raise ValidationError(f"unknown event type {name!r} for {expected}", path=_TYPE_KEY)
        fn = structure_fns.get(cls)
        if fn is None:
            fn = structure_fns[cls] = conv.gen_structure_attrs_fromdict(cls)
        fields = {k: v for k, v in value.items() if k != _TYPE_KEY}
        result: DomainEvent = fn(fields, cls)
        return result

    def structure_union(value: object, declared: Any) -> DomainEvent:
        return structure_tagged(value, _event_members(declared) or ())

    conv.register_unstructure_hook_func(_is_event, unstructure)
    conv.register_structure_hook_func(_is_event, lambda v, t: structure_tagged(v, (t,)))
    conv.register_structure_hook_func(lambda t: _event_members(t) is not None, structure_union)


def _configure_tagged_unions(conv: OrderkitConverter) -> None:
    """Unions of value classes (pricing actions, conditions, shipping rules): tagged like events."""
    for union in (Action, Condition, ShippingRule):
        configure_tagged_union(union, conv, tag_name=_TYPE_KEY)
        _check_tag(conv, union)
        _register_optional(conv, union)


def _check_tag(conv: OrderkitConverter, union: Any) -> None:
    """Refuse a missing or unknown tag by name (cattrs reported ``KeyError: 'Nope'`` at ``$``)."""
    tagged = conv.get_structure_hook(union)
    names = sorted(member.__name__ for member in typing.get_args(union))

    def structure(value: object, _: Any) -> Any:
        if not isinstance(value, Mapping):
            raise ValidationError(f"expected an object with a {_TYPE_KEY!r} tag, got {value!r}")
        tag = value.get(_TYPE_KEY)
        if not isinstance(tag, str) or tag not in names:
            raise ValidationError(
                f"unknown {_TYPE_KEY} {tag!r}; expected one of {', '.join(names)}", path=_TYPE_KEY
            )
        return tagged(value, union)

    conv.register_structure_hook(union, structure)


def _register_optional(conv: OrderkitConverter, union: Any) -> None:
    """``union | None``: ``None`` as is, anything else through the tagged ``union`` hooks."""
    structure_fn, unstructure_fn = conv.get_structure_hook(union), conv.get_unstructure_hook(union)

    def structure(value: object, _: Any) -> Any:
        return None if value is None else structure_fn(value, union)

    def unstructure(value: object) -> Any:
        return None if value is None else unstructure_fn(value)

    conv.register_structure_hook(union | None, structure)
    conv.register_unstructure_hook(union | None, unstructure)


def make_converter() -> OrderkitConverter:
    """A new converter configured with every orderkit encoding (see the module docstring)."""
    # Sets and frozensets travel as JSON arrays (structuring builds the set again).
    conv = OrderkitConverter(
        forbid_extra_keys=True, use_alias=True, unstruct_collection_overrides={AbstractSet: list}
    )
    conv.register_structure_hook(str, _strict(str))
    conv.register_structure_hook(int, _strict(int))
    conv.register_structure_hook(float, _strict(float, accept=(int,)))
    conv.register_structure_hook(bool, _strict(bool))
    conv.register_unstructure_hook(Decimal, str)
    conv.register_structure_hook(Decimal, _structure_decimal)
    conv.register_unstructure_hook(Currency, lambda c: c.code)
    conv.register_structure_hook(Currency, _structure_currency)
    conv.register_unstructure_hook(
        Money, lambda m: {"amount": str(m.amount), "currency": m.currency.code}
    )
    conv.register_structure_hook_func(_is_enum, _structure_enum)
    conv.register_unstructure_hook_func(_is_enum, lambda member: member.value)
    # cattrs dispatches on the MRO first, where str/int (identity) come before Enum:
    # without these, StrEnum/IntEnum members left unstructure as members, not values.
    for mixed in (enum.StrEnum, enum.IntEnum, enum.IntFlag):
        conv.register_unstructure_hook(mixed, lambda member: member.value)
    conv.register_unstructure_hook(dt.datetime, _unstructure_datetime)
    conv.register_structure_hook(dt.datetime, _structure_datetime)
    conv.register_unstructure_hook(dt.date, dt.date.isoformat)
    conv.register_structure_hook(dt.date, _structure_date)
    conv.register_unstructure_hook(dt.time, dt.time.isoformat)
    conv.register_structure_hook(dt.time, _structure_time)
    conv.register_unstructure_hook(ZoneInfo, lambda zone: zone.key)
    conv.register_structure_hook(ZoneInfo, _structure_zone)
    _configure_attrs(conv)
    _configure_events(conv)
    _configure_tagged_unions(conv)
    return conv


#: The shared converter. Build your own with :func:`make_converter` to customise.
converter: OrderkitConverter = make_converter()
