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
``errors`` map the path of every bad field to what is wrong with it. (For speed,
attrs classes go through code generated per class that does the same work
without the error bookkeeping; any input it does not accept is structured again
by cattrs' detailed hooks, which produce those errors. Domain constructors and
their validators run either way.)

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
import itertools
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
from cattrs.fns import identity
from cattrs.strategies import configure_tagged_union

from orderkit._codegen import define
from orderkit.errors import OrderkitError, ValidationError
from orderkit.events import DomainEvent, event_types
from orderkit.money import Currency, Money
from orderkit.orders import Attributes
from orderkit.pricing import Action, Condition, ShippingRule

__all__ = ["OrderkitConverter", "converter", "make_converter"]

T = TypeVar("T")

_TYPE_KEY = "type"
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}", re.ASCII)
# What a hook or a domain constructor may raise on bad input; reported as a field error.
_INPUT_ERRORS = (ValueError, TypeError, LookupError, AttributeError, ArithmeticError)


class OrderkitConverter(cattrs.Converter):
    """A cattrs converter whose ``structure`` raises only :class:`ValidationError`."""

    #: Each attrs class structured so far -> its fast structure function (for tests).
    _fast: dict[Any, Callable[[Any], Any]]
    _generator: _Generator

    def gen_unstructure_without(
        self, cls: type[Any], omit: AbstractSet[str]
    ) -> Callable[[Any], dict[str, Any]]:
        """An unstructure function for the attrs class ``cls`` leaving out the keys ``omit``.

        Gives ``{k: v for k, v in converter.unstructure(value).items() if k not in omit}``
        for a ``cls`` instance without unstructuring what is left out (storage drops an
        aggregate's pending events this way).
        """
        fn: Callable[[Any], dict[str, Any]] = self._generator.unstructure_fn(cls, omit=omit)
        return fn

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
    if isinstance(value, bool) and not any(isinstance(member.value, bool) for member in cls):
        raise ValidationError(f"{value!r} is not one of {[member.value for member in cls]!r}")
    try:
        return cls(value)
    except (ValueError, TypeError):
        raise ValidationError(
            f"{value!r} is not one of {[member.value for member in cls]!r}"
        ) from None


def _structure_money(value: dict[str, Any]) -> Money:
    """The wire form of Money, the common case only (else the generic hook decides)."""
    if len(value) == 2:
        amount, code = value["amount"], value["currency"]
        if amount.__class__ is str and code.__class__ is str:
            # Money checks the amount is finite and in range, and looks up the code.
            return Money(Decimal(amount), code)
    raise _Slow


def _unstructure_money(money: Money) -> dict[str, str]:
    return {"amount": str(money.amount), "currency": money.currency.code}


def _unstructure_currency(currency: Currency) -> str:
    return currency.code


def _unstructure_attributes(attributes: Attributes) -> dict[str, str]:
    # What cattrs' generic mapping hook gives for str -> str, without its per-item dispatch.
    return {key: attributes[key] for key in attributes}


def _unstructure_datetime(value: dt.datetime) -> str:
    offset = value.utcoffset()
    if offset is None:
        raise ValidationError(f"naive datetime {value.isoformat()} has no UTC offset")
    if offset.microseconds:
        # No real zone has one, and Python 3.11 cannot read it back from ISO text.
        raise ValidationError(f"UTC offset {offset} of {value.isoformat()} is finer than a second")
    return value.isoformat()


#: Hooks whose whole body generated code writes out in place of the call ({v}: the value).
_INLINE_UNSTRUCTURE: dict[Callable[..., Any], str] = {
    _unstructure_money: "{{'amount': _str({v}.amount), 'currency': {v}.currency.code}}",
    _unstructure_currency: "{v}.code",
    _unstructure_attributes: "{{k: {v}[k] for k in {v}}}",
    # In UTC (what orderkit itself writes and reads back) no offset check can fail.
    _unstructure_datetime: "({v}.isoformat() if {v}.tzinfo is _UTC else _dt_out({v}))",
}


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


class _Slow(Exception):
    """The fast path met input it does not handle; the cattrs hook decides."""


# cattrs' default hooks, recognised so that generated code may do their work inline.
_CATTRS_LIST = "list_structure_factory.<locals>.structure_list"
_CATTRS_NEWTYPE = "Converter.get_structure_newtype.<locals>.<lambda>"
_CATTRS_ITERABLE = "iterable_unstructure_factory.<locals>.unstructure_iterable"
_CATTRS_OPTIONAL = "Converter.gen_unstructure_optional.<locals>.unstructure_optional"


def _qualname(hook: object) -> str | None:
    return getattr(hook, "__qualname__", None)


def _is_cattrs_dict_hook(hook: object, args: tuple[Any, ...]) -> bool:
    """cattrs' generated ``dict[K, V]`` hook: a dict of each key and value structured."""
    names: Mapping[str, Any] = getattr(hook, "__globals__", {})
    return (
        _qualname(hook) == "structure_mapping"
        and len(args) == 2
        and names.get("__cattr_mapping_cl") is dict
        and names.get("__cattr_k_t") is args[0]
        and names.get("__cattr_v_t") is args[1]
    )


class _Generator:
    """Straight-line structure and unstructure functions for attrs classes.

    cattrs' generated hooks call one hook per field and, structuring, collect
    detailed errors on the way. The functions made here do the same work with
    the common hooks inlined: builtin values of exactly the declared class,
    ``None`` of optionals, JSON arrays of tuples and lists, nested attrs
    classes, Money. Anything else goes to the converter's own hook. A fast
    structure function raises on any trouble, and the caller then runs the
    cattrs hook on the same input, so errors and their paths are exactly as
    before; well-formed input never pays for the error bookkeeping.
    """

    def __init__(self, conv: OrderkitConverter, exact: Mapping[Any, type]) -> None:
        self.conv = conv
        #: structure hook -> the builtin class it returns unchanged when given exactly that class
        self.exact = exact
        #: the structure hook made for an attrs class -> its fast structure function
        self.fast: dict[Any, Callable[[Any], Any]] = {}
        #: the attrs class -> its fast structure function
        self.by_class: dict[Any, Callable[[Any], Any]] = {}
        self.names: dict[int, str] = {}
        self.counter = itertools.count()
        self.globs: dict[str, Any] = {
            "_Slow": _Slow,
            "_list": list,
            "_tuple": tuple,
            "_dict": dict,
            "_UTC": dt.UTC,
            "_dt_out": _unstructure_datetime,
            "_fromiso": dt.datetime.fromisoformat,
            "_str": str,
            "_int": int,
        }

    def _bind(self, value: object) -> str:
        """A global name for ``value`` in the generated code (one per object)."""
        name = self.names.get(id(value))  # bound objects stay alive, so ids stay theirs
        if name is None:
            # A counter, not len(globs): threads may generate at once, names stay unique.
            name = self.names[id(value)] = f"_g{next(self.counter)}"
            self.globs[name] = value
        return name

    def _compile(self, name: str, lines: list[str]) -> Callable[[Any], Any]:
        filename = f"<orderkit generated {name} {next(self.counter)}>"
        return define(name, "\n".join(lines), filename, self.globs)

    def _exact_class(self, hook: Any, type_: Any) -> type | None:
        """The class whose instances ``hook`` returns as they are, declared as ``type_``."""
        if self.exact.get(hook) is type_:  # not a StrEnum, say, which the str hook also gets
            return type_
        if _qualname(hook) == _CATTRS_NEWTYPE:
            base = type_.__supertype__
            return self._exact_class(self.conv.get_structure_hook(base), base)
        return None

    # -- structure ----------------------------------------------------------------------

    def structure_expr(self, type_: Any, v: str, depth: int) -> str:
        """An expression structuring the value named ``v`` as ``type_``."""
        hook = self.conv.get_structure_hook(type_)
        call = f"{self._bind(hook)}({v}, {self._bind(type_)})"
        exact = self._exact_class(hook, type_)
        if exact is not None:
            return f"({v} if {v}.__class__ is {self._bind(exact)} else {call})"
        if _is_enum(type_) and (hook is _structure_enum or self.exact.get(hook) in (str, int)):
            # What _structure_enum does with a plain str or int (never a bool): look it up.
            plain = f"{v}.__class__ is _str or {v}.__class__ is _int"
            return f"({self._bind(type_)}({v}) if {plain} else {call})"
        if hook is _structure_datetime:
            # The hook's work on a string, inline: parse, then insist on an offset.
            p = f"p{depth}"
            return (
                f"({p} if {v}.__class__ is _str and ({p} := _fromiso({v})).tzinfo is not None"
                f" else {call})"
            )
        if hook in self.fast:
            return f"{self._bind(self.fast[hook])}({v})"
        if hook == self.conv._structure_optional:
            inner = next(a for a in typing.get_args(type_) if a is not type(None))
            return f"(None if {v} is None else {self.structure_expr(inner, v, depth)})"
        args = typing.get_args(type_)
        e = f"e{depth}"
        # An empty array or object (stored records hold many) skips the comprehension.
        if _qualname(hook) == _CATTRS_LIST:
            items = f"[{self.structure_expr(args[0], e, depth + 1)} for {e} in {v}]"
            return f"(({items} if {v} else []) if {v}.__class__ is _list else {call})"
        if hook == self.conv._structure_tuple and len(args) == 2 and args[1] is Ellipsis:
            items = f"[{self.structure_expr(args[0], e, depth + 1)} for {e} in {v}]"
            return f"((_tuple({items}) if {v} else ()) if {v}.__class__ is _list else {call})"
        if _is_cattrs_dict_hook(hook, args):
            k, w = f"k{depth}", f"w{depth}"
            key = self.structure_expr(args[0], k, depth + 1)
            value = self.structure_expr(args[1], w, depth + 1)
            items = f"{{{key}: {value} for {k}, {w} in {v}.items()}}"
            return f"(({items} if {v} else {{}}) if {v}.__class__ is _dict else {call})"
        return call

    def structure_fn(self, cls: Any) -> Callable[[Any], Any]:
        """The fast structure function of ``cls`` (raises on anything unusual)."""
        fields = [a for a in attrs.fields(attrs.resolve_types(cls)) if a.init]
        name = f"structure_{cls.__name__}"
        local = {a.alias: f"a{index}" for index, a in enumerate(fields)}
        exprs = {
            a.alias: local[a.alias]
            if a.type is None
            else self.structure_expr(a.type, local[a.alias], 0)
            for a in fields
        }

        def convert(a: attrs.Attribute[Any], indent: str) -> list[str]:
            get = f"{indent}{local[a.alias]} = o[{a.alias!r}]"
            if exprs[a.alias] == local[a.alias]:
                return [get]
            return [get, f"{indent}{local[a.alias]} = {exprs[a.alias]}"]

        cl = self._bind(cls)
        args = ", ".join(
            f"{a.alias}={local[a.alias]}" if a.kw_only else local[a.alias] for a in fields
        )
        # Every key present (stored JSON has them all): N distinct keys all found, so
        # none is extra; one straight call.
        lines = [f"def {name}(o):", "  if o.__class__ is not dict:", "    raise _Slow"]
        lines.append(f"  if len(o) == {len(fields)}:")
        for a in fields:
            lines += convert(a, "    ")
        lines.append(f"    return {cl}({args})")
        required = [a for a in fields if a.default is attrs.NOTHING]
        optional = [a for a in fields if a.default is not attrs.NOTHING]
        if not optional:
            lines.append("  raise _Slow")
            return self._compile(name, lines)
        # Some left out: check for extra keys, pass only those given (attrs fills defaults).
        keys = self._bind(frozenset(local))
        lines += [f"  if not o.keys() <= {keys}:", "    raise _Slow"]
        for a in required:
            lines += convert(a, "  ")
        lines.append(f"  kw = {{{', '.join(f'{a.alias!r}: {local[a.alias]}' for a in required)}}}")
        for a in optional:
            lines += [
                f"  if {a.alias!r} in o:",
                *convert(a, "    "),
                f"    kw[{a.alias!r}] = {local[a.alias]}",
            ]
        lines.append(f"  return {cl}(**kw)")
        return self._compile(name, lines)

    # -- unstructure --------------------------------------------------------------------

    def unstructure_expr(self, type_: Any, v: str, depth: int) -> str:
        """An expression unstructuring the value named ``v`` declared as ``type_``."""
        hook = self.conv.get_unstructure_hook(type_)
        call = f"{self._bind(hook)}({v})"
        if hook == identity:
            return v
        if hook in _INLINE_UNSTRUCTURE:
            return _INLINE_UNSTRUCTURE[hook].format(v=v)
        if _qualname(hook) == _CATTRS_OPTIONAL:
            inner = next(a for a in typing.get_args(type_) if a is not type(None))
            return f"(None if {v} is None else {self.unstructure_expr(inner, v, depth)})"
        args = typing.get_args(type_)
        names: Mapping[str, Any] = getattr(hook, "__globals__", {})
        if (
            _qualname(hook) == "unstructure_mapping"
            and len(args) == 2
            and names.get("__cattr_k_u") is None
            and "__cattr_mapping_cl" not in names
            and names.get("__cattr_v_u") is self.conv.get_unstructure_hook(args[1])
        ):
            # cattrs' dict[K, V] hook with keys as they are: {k: handler(v) for k, v in items}
            # (an empty dict skips the comprehension)
            k, w = f"k{depth}", f"w{depth}"
            value = self.unstructure_expr(args[1], w, depth + 1)
            items = f"{{{k}: {value} for {k}, {w} in {v}.items()}}"
            return f"({{}} if {v}.__class__ is _dict and not {v} else {items})"
        homogeneous = len(args) == 1 or (len(args) == 2 and args[1] is Ellipsis)
        defaults = getattr(hook, "__defaults__", None) or (None,)
        if _qualname(hook) == _CATTRS_ITERABLE and homogeneous and defaults[0] is list:
            # cattrs: list(handler(item) for item in value), the handler of the declared item
            e = f"e{depth}"
            return f"[{self.unstructure_expr(args[0], e, depth + 1)} for {e} in {v}]"
        return call

    def unstructure_fn(
        self, cls: Any, tag: str | None = None, omit: AbstractSet[str] = frozenset()
    ) -> Callable[[Any], Any]:
        """The unstructure function of ``cls``: what cattrs builds, with hooks inlined.

        ``tag``: a first key naming the class (``{"type": "OrderPlaced", ...}``);
        ``omit``: keys to leave out (their fields are not even read).
        """
        fields = [a for a in attrs.fields(attrs.resolve_types(cls)) if a.init]
        fields = [a for a in fields if a.alias not in omit]
        name = f"unstructure_{cls.__name__}{'_without_' if omit else ''}{'_'.join(sorted(omit))}"
        lines = [f"def {name}(i):"]
        items = [] if tag is None else [f"{tag!r}: {cls.__name__!r}"]
        for index, a in enumerate(fields):
            v = f"a{index}"
            if a.type is None:
                expr = f"{self._bind(self.conv.unstructure)}({v})"
            else:
                expr = self.unstructure_expr(a.type, v, 0)
            if expr == v:
                expr = f"i.{a.name}"
            else:
                lines.append(f"  {v} = i.{a.name}")
            items.append(f"{a.alias!r}: {expr}")
        lines.append(f"  return {{{', '.join(items)}}}")
        return self._compile(name, lines)


def _configure_attrs(
    conv: OrderkitConverter, generator: _Generator
) -> Callable[[Any], Callable[[Any, Any], Any]]:
    """attrs classes: our straight-line functions, cattrs' hooks whenever input is unusual.

    Returns the structure hook factory (events use it for their classes).
    """

    def structure_factory(cls: Any) -> Callable[[Any, Any], Any]:
        fast = _structure_money if cls is Money else generator.structure_fn(cls)
        # cattrs' hook, generated on first need only: most classes never see bad input.
        detailed: list[Callable[[Any, Any], Any]] = []
        name = getattr(cls, "__name__", repr(cls))

        def structure(value: object, declared: Any) -> Any:
            if value.__class__ is dict:
                try:
                    return fast(value)
                except Exception:
                    pass
            elif not isinstance(value, Mapping):
                raise ValidationError(f"expected an object for {name}, got {value!r}")
            if not detailed:
                detailed.append(conv.gen_structure_attrs_fromdict(cls))
            return detailed[0](value, declared)

        generator.fast[structure] = generator.by_class[cls] = fast
        return structure

    conv.register_structure_hook_factory(attrs.has, structure_factory)
    conv.register_unstructure_hook_factory(attrs.has, generator.unstructure_fn)
    return structure_factory


def _configure_events(
    conv: OrderkitConverter,
    structure_factory: Callable[[Any], Callable[[Any, Any], Any]],
    unstructure_factory: Callable[[Any, str], Callable[[Any], Any]],
) -> None:
    unstructure_fns: dict[type[DomainEvent], Callable[[Any], dict[str, Any]]] = {}
    structure_fns: dict[type[DomainEvent], Callable[[Any, Any], Any]] = {}

    def unstructure(event: DomainEvent) -> dict[str, Any]:
        cls = type(event)
        fn = unstructure_fns.get(cls)
        if fn is None:
            fn = unstructure_fns[cls] = unstructure_factory(cls, _TYPE_KEY)
        return fn(event)

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
            fn = structure_fns[cls] = structure_factory(cls)
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
    exact = {_strict(str): str, _strict(int): int, _strict(float, accept=(int,)): float}
    exact[_strict(bool)] = bool
    for hook, kind in exact.items():
        conv.register_structure_hook(kind, hook)
    conv.register_unstructure_hook(Decimal, str)
    conv.register_structure_hook(Decimal, _structure_decimal)
    conv.register_unstructure_hook(Currency, _unstructure_currency)
    conv.register_unstructure_hook(Attributes, _unstructure_attributes)
    conv.register_structure_hook(Currency, _structure_currency)
    conv.register_unstructure_hook(Money, _unstructure_money)
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
    generator = _Generator(conv, exact)
    conv._fast = generator.by_class
    conv._generator = generator
    _configure_events(conv, _configure_attrs(conv, generator), generator.unstructure_fn)
    _configure_tagged_unions(conv)
    return conv


#: The shared converter. Build your own with :func:`make_converter` to customise.
converter: OrderkitConverter = make_converter()
