"""How each aggregate becomes a row: its key, its indexed columns and its converter JSON.

The JSON is the converter's form of the aggregate minus storage metadata: the
``version`` lives in its own column (and is put back on load) and pending
events are never stored (they go to the outbox on commit), so a loaded
aggregate has none.
"""

from __future__ import annotations

import datetime as dt
import json
import json.scanner
from collections.abc import Callable, Iterable, Mapping
from typing import Any, Generic, Protocol, TypeVar

import attrs

from orderkit._time import is_aware
from orderkit.adapters._records import Column, Record, TableSpec
from orderkit.errors import ValidationError
from orderkit.events import DomainEvent
from orderkit.fulfillment import Shipment
from orderkit.inventory import SkuStock
from orderkit.invoicing import CreditNote, Invoice
from orderkit.orders import Order
from orderkit.ports import InvoiceDocument
from orderkit.serialization import converter

__all__ = [
    "DOCUMENTS",
    "ORDERS",
    "SHIPMENTS",
    "STOCK",
    "AggregateCodec",
    "Codec",
    "dump_json",
    "encode_event",
    "epoch_microseconds",
]

T = TypeVar("T")

_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)
_METADATA = frozenset({"version", "events"})
#: Each aggregate class -> its converter dict without _METADATA, made on first use.
_UNSTRUCTURE: dict[type, Callable[[Any], dict[str, Any]]] = {}


class Codec(Protocol[T]):
    """Maps one stored type to a row and back."""

    @property
    def spec(self) -> TableSpec:
        """The table the type lives in."""
        ...

    def key(self, value: T) -> str:
        """The primary key of ``value``."""
        ...

    def columns(self, value: T) -> dict[str, Column]:
        """The indexed columns of ``value``."""
        ...

    def encode(self, value: T) -> str:
        """``value`` as JSON text (no version, no pending events)."""
        ...

    def decode(self, record: Record) -> T:
        """The stored value rebuilt, with ``version`` from the row where it has one."""
        ...


#: What ``json.dumps(value, separators=(",", ":"), sort_keys=True, allow_nan=False)`` builds
#: on every call, built once.
_ENCODER = json.JSONEncoder(separators=(",", ":"), sort_keys=True, allow_nan=False)
#: Its C core where CPython has one, also built once (``encode`` builds one per call),
#: without the markers that catch a circular value: a cycle recurses until RecursionError,
#: and then ``_ENCODER`` runs again to raise what it raises (a ValueError naming the cycle).
_C_MAKE_ENCODER: Any = getattr(json.encoder, "c_make_encoder", None)
_ENCODE: Callable[[object, int], Iterable[str]] = (
    _C_MAKE_ENCODER(
        None,
        _ENCODER.default,
        json.encoder.encode_basestring_ascii,
        None,
        ":",
        ",",
        True,
        False,
        False,
    )
    if _C_MAKE_ENCODER is not None
    else lambda value, _level: _ENCODER.iterencode(value)
)


def dump_json(value: object, what: str) -> str:
    """Compact, deterministic JSON, or a ValidationError naming ``what``."""
    try:
        try:
            return "".join(_ENCODE(value, 0))
        except RecursionError:
            return _ENCODER.encode(value)
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"{what} is not JSON-serialisable: {exc}", path=what) from None


#: The C scanner ``json.loads`` ends in, called straight: a stored row is one JSON value
#: with nothing around it, so the checks ``loads`` makes around the scan (a BOM, leading
#: and trailing whitespace) are left to ``loads`` itself for any other text.
_SCAN = json.scanner.make_scanner(json.JSONDecoder())  # type: ignore[arg-type]  # its context


def _load_json(text: str, what: str) -> Any:
    if text.__class__ is str:
        try:
            value, end = _SCAN(text, 0)
        except (StopIteration, ValueError, RecursionError):
            pass  # json.loads below raises what it raises for this text
        else:
            if end == len(text):
                return value
    try:
        return json.loads(text)
    except ValueError as exc:
        raise ValidationError(f"stored {what} is not valid JSON: {exc}", path=what) from None


def epoch_microseconds(value: object, what: str = "datetime") -> int:
    """An aware datetime as whole microseconds since 1970-01-01 UTC: exact and sortable."""
    if not is_aware(value):
        raise ValidationError(f"{what} must be a timezone-aware datetime, got {value!r}", path=what)
    return (value - _EPOCH) // _MICROSECOND


def _takes_events(cls: type) -> bool:
    """Whether ``cls`` takes its pending events as an ``events`` argument defaulting to []."""
    for field in attrs.fields(cls):
        if field.init and field.alias == "events":
            return bool(field.default == attrs.Factory(list))
    return False


def _strip_metadata(raw: object) -> object:
    if isinstance(raw, dict):
        return {k: v for k, v in raw.items() if k not in _METADATA}
    return raw


@attrs.frozen
class AggregateCodec(Generic[T]):
    """The codec of an attrs aggregate with a ``version`` attribute."""

    spec: TableSpec
    cls: type[T]
    key_of: Callable[[T], str]
    columns_of: Callable[[T], dict[str, Column]] = lambda _: {}
    #: Whether ``cls`` takes an ``events`` argument (stored rows leave it out).
    takes_events: bool = attrs.field(
        init=False, default=attrs.Factory(lambda self: _takes_events(self.cls), takes_self=True)
    )

    def key(self, value: T) -> str:
        """The primary key of ``value``."""
        return self.key_of(value)

    def columns(self, value: T) -> dict[str, Column]:
        """The indexed columns of ``value``."""
        return self.columns_of(value)

    def encode(self, value: T) -> str:
        """``value`` as converter JSON without version and pending events."""
        if value.__class__ is self.cls:
            # The same dict as below, without unstructuring what is dropped (pending events).
            return dump_json(self._unstructure()(value), self.spec.kind)
        if not isinstance(value, self.cls):
            raise ValidationError(
                f"expected a {self.cls.__name__}, got {type(value).__name__}", path=self.spec.kind
            )
        return dump_json(_strip_metadata(converter.unstructure(value)), self.spec.kind)

    def _unstructure(self) -> Callable[[T], dict[str, Any]]:
        fn = _UNSTRUCTURE.get(self.cls)
        if fn is None:
            fn = _UNSTRUCTURE[self.cls] = converter.gen_unstructure_without(self.cls, _METADATA)
        return fn

    def decode(self, record: Record) -> T:
        """Rebuild the aggregate; its ``version`` is the row's."""
        raw = _load_json(record.data, self.spec.kind)
        if isinstance(raw, dict):
            raw["version"] = record.version  # a dict of our own, fresh from the JSON text
            if self.takes_events:
                # No pending events, as the default would give; with every field present
                # the converter takes its straight path instead of the one for left-out keys.
                raw.setdefault("events", [])
        result: T = converter.structure(raw, self.cls)
        return result


@attrs.frozen
class _DocumentCodec:
    """Invoices and credit notes share a table; the JSON says which one a row is."""

    spec: TableSpec

    def key(self, value: InvoiceDocument) -> str:
        return value.number

    def columns(self, value: InvoiceDocument) -> dict[str, Column]:
        return {"order_id": str(value.order_id), "series": value.series}

    def encode(self, value: InvoiceDocument) -> str:
        if isinstance(value, Invoice):
            kind = "invoice"
        elif isinstance(value, CreditNote):
            kind = "credit_note"
        else:
            raise ValidationError(
                f"expected an Invoice or a CreditNote, got {type(value).__name__}", path="document"
            )
        return dump_json({"kind": kind, "document": converter.unstructure(value)}, "document")

    def decode(self, record: Record) -> InvoiceDocument:
        raw = _load_json(record.data, "document")
        kinds: Mapping[str, type[InvoiceDocument]] = {
            "invoice": Invoice,
            "credit_note": CreditNote,
        }
        if not isinstance(raw, dict) or raw.get("kind") not in kinds:
            raise ValidationError(f"stored document {record.key!r} has no known kind", path="kind")
        result: InvoiceDocument = converter.structure(raw.get("document"), kinds[raw["kind"]])
        return result


def _status(aggregate: Order | Shipment) -> str:
    status = aggregate.status
    return str(getattr(status, "value", status))


ORDERS: AggregateCodec[Order] = AggregateCodec(
    spec=TableSpec(
        table="orders",
        kind="order",
        key_column="id",
        columns=("customer_id", "status", "placed_at_us"),
        order_by=("placed_at_us",),
    ),
    cls=Order,
    key_of=lambda order: str(order.id),
    columns_of=lambda order: {
        "customer_id": str(order.customer.id),
        "status": _status(order),
        "placed_at_us": epoch_microseconds(order.placed_at, "placed_at"),
    },
)

STOCK: AggregateCodec[SkuStock] = AggregateCodec(
    spec=TableSpec(table="stock", kind="stock", key_column="sku", columns=()),
    cls=SkuStock,
    key_of=lambda stock: str(stock.sku),
)

SHIPMENTS: AggregateCodec[Shipment] = AggregateCodec(
    spec=TableSpec(
        table="shipments", kind="shipment", key_column="id", columns=("order_id", "status")
    ),
    cls=Shipment,
    key_of=lambda shipment: str(shipment.id),
    columns_of=lambda shipment: {"order_id": str(shipment.order_id), "status": _status(shipment)},
)

DOCUMENTS = _DocumentCodec(
    spec=TableSpec(
        table="invoices", kind="invoice", key_column="number", columns=("order_id", "series")
    )
)


#: Each event class -> the converter's unstructure hook for it (what ``converter.unstructure``
#: dispatches to), looked up once per class.
_EVENT_HOOKS: dict[type, Callable[[Any], Any]] = {}


def encode_event(event: DomainEvent) -> tuple[str, str, str, str]:
    """(aggregate type, aggregate key, event type, payload JSON) of an event for the outbox."""
    cls = type(event)
    hook = _EVENT_HOOKS.get(cls)
    if hook is None:
        if not isinstance(event, DomainEvent):
            raise ValidationError(f"expected a DomainEvent, got {cls.__name__}", path="event")
        hook = _EVENT_HOOKS[cls] = converter.get_unstructure_hook(cls)
    payload = dump_json(hook(event), cls.__name__)
    return cls.aggregate_type, str(event.aggregate_key), cls.__name__, payload
