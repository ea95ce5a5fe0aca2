"""The ports implemented once, on top of any :class:`~orderkit.adapters._records.RecordStore`.

Encoding, the version rule, input checks and the error vocabulary live here,
so the memory, SQLite and PostgreSQL adapters cannot disagree on them.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator, Mapping
from typing import Generic, Protocol, TypeVar

from orderkit.adapters._codecs import (
    DOCUMENTS,
    ORDERS,
    SHIPMENTS,
    STOCK,
    AggregateCodec,
    Codec,
    dump_json,
    epoch_microseconds,
)
from orderkit.adapters._records import Column, Record, RecordStore, TableSpec
from orderkit.errors import ConcurrencyConflict, DuplicateRequest, NotFound, ValidationError
from orderkit.fulfillment import Shipment
from orderkit.ids import CustomerId, OrderId, ShipmentId, Sku
from orderkit.inventory import SkuStock
from orderkit.orders import Order
from orderkit.ports import (
    Aggregate,
    IdempotencyStore,
    InvoiceDocument,
    InvoiceRepository,
    JsonValue,
    NumberSequence,
    OrderRepository,
    Outbox,
    OutboxMessage,
    ShipmentRepository,
    StockRepository,
    StoredResult,
)

__all__ = [
    "RecordIdempotencyStore",
    "RecordInvoiceRepository",
    "RecordNumberSequence",
    "RecordOrderRepository",
    "RecordOutbox",
    "RecordShipmentRepository",
    "RecordStockRepository",
    "Session",
]

A = TypeVar("A", bound=Aggregate)
T = TypeVar("T")

#: Rows fetched per page when iterating a time window.
PAGE_SIZE = 500


class Session(Protocol):
    """What the repositories need from their unit of work."""

    def records(self) -> RecordStore:
        """The open transaction's record store (raises if no transaction is open)."""
        ...

    def track(self, aggregate: Aggregate) -> None:
        """Remember an aggregate written in this transaction (its events go out on commit)."""
        ...


def check_key(value: object, what: str) -> str:
    """A key must be a non-empty string."""
    if not isinstance(value, str) or not value:
        raise ValidationError(f"{what} must be a non-empty string, got {value!r}", path=what)
    return value


def check_limit(limit: object) -> int | None:
    """``None`` or a whole number ≥ 0."""
    if limit is None:
        return None
    if isinstance(limit, bool) or not isinstance(limit, int) or limit < 0:
        raise ValidationError(f"limit must be a whole number >= 0, got {limit!r}", path="limit")
    return limit


class _Aggregates(Generic[A]):
    """get / add / save of one versioned aggregate type."""

    def __init__(self, session: Session, codec: AggregateCodec[A]) -> None:
        self._session = session
        self._codec = codec

    def _get(self, key: object) -> A:
        spec = self._codec.spec
        record = self._session.records().get(spec, check_key(key, spec.key_column))
        if record is None:
            raise NotFound(spec.kind, key)
        return self._codec.decode(record)

    def _add(self, aggregate: A) -> None:
        spec, key, data, columns = self._encode(aggregate)
        if not self._session.records().insert(spec, key, data, columns):
            raise DuplicateRequest(key, f"{spec.kind} {key!r} is already stored")
        self._session.track(aggregate)
        aggregate.version = 1

    def _save(self, aggregate: A) -> None:
        spec, key, data, columns = self._encode(aggregate)
        records = self._session.records()
        expected: object = aggregate.version
        if isinstance(expected, bool) or not isinstance(expected, int) or expected < 0:
            raise ValidationError(f"version must be a whole number >= 0, got {expected!r}")
        written = (
            records.insert(spec, key, data, columns)
            if expected == 0
            else records.update(spec, key, expected, data, columns)
        )
        if not written:
            actual = records.version_of(spec, key)
            if actual == 0:
                raise NotFound(spec.kind, key)
            raise ConcurrencyConflict(spec.kind, key, expected, actual)
        self._session.track(aggregate)
        aggregate.version = expected + 1

    def _encode(self, aggregate: A) -> tuple[TableSpec, str, str, dict[str, Column]]:
        codec = self._codec
        data = codec.encode(aggregate)
        key = check_key(codec.key(aggregate), codec.spec.key_column)
        return codec.spec, key, data, codec.columns(aggregate)

    def _decode_all(self, records: Iterable[Record]) -> list[A]:
        return [self._codec.decode(record) for record in records]


class RecordOrderRepository(_Aggregates[Order], OrderRepository):
    """:class:`~orderkit.ports.OrderRepository` over a record store."""

    def __init__(self, session: Session) -> None:
        super().__init__(session, ORDERS)

    def get(self, order_id: OrderId) -> Order:
        return self._get(order_id)

    def add(self, order: Order) -> None:
        self._add(order)

    def save(self, order: Order) -> None:
        self._save(order)

    def list_by_customer(self, customer_id: CustomerId, *, limit: int | None = None) -> list[Order]:
        records = self._session.records().select(
            ORDERS.spec, "customer_id", check_key(customer_id, "customer_id"), check_limit(limit)
        )
        return self._decode_all(records)

    def list_by_status(self, status: str, *, limit: int | None = None) -> list[Order]:
        value = str(getattr(status, "value", status))
        records = self._session.records().select(
            ORDERS.spec, "status", check_key(value, "status"), check_limit(limit)
        )
        return self._decode_all(records)

    def placed_between(self, start: dt.datetime, end: dt.datetime) -> Iterator[Order]:
        low = epoch_microseconds(start, "start")
        high = epoch_microseconds(end, "end")
        return self._window(low, high)

    def _window(self, low: int, high: int) -> Iterator[Order]:
        after: tuple[int, str] | None = None
        while True:
            page = self._session.records().select_range(
                ORDERS.spec, "placed_at_us", low, high, after=after, limit=PAGE_SIZE
            )
            for record in page:
                order = ORDERS.decode(record)
                yield order
                after = (epoch_microseconds(order.placed_at), record.key)
            if len(page) < PAGE_SIZE:
                return


class RecordStockRepository(_Aggregates[SkuStock], StockRepository):
    """:class:`~orderkit.ports.StockRepository` over a record store."""

    def __init__(self, session: Session) -> None:
        super().__init__(session, STOCK)

    def get(self, sku: Sku) -> SkuStock:
        return self._get(sku)

    def get_many(self, skus: Iterable[Sku]) -> Mapping[Sku, SkuStock]:
        keys = sorted({check_key(sku, "sku") for sku in skus})
        if not keys:
            return {}
        records = self._session.records().get_many(STOCK.spec, keys)
        found = {record.key: STOCK.decode(record) for record in records}
        return {Sku(key): found[key] for key in keys if key in found}

    def add(self, stock: SkuStock) -> None:
        self._add(stock)

    def save(self, stock: SkuStock) -> None:
        self._save(stock)

    def save_many(self, stocks: Iterable[SkuStock]) -> None:
        """Save several records as one batch of updates (one statement on SQLite)."""
        unique = {id(stock): stock for stock in stocks}  # the same object twice saves once
        ordered = sorted(unique.values(), key=lambda item: str(item.sku))
        updates: list[tuple[SkuStock, int, tuple[str, int, str, dict[str, Column]]]] = []
        for stock in ordered:
            expected: object = stock.version
            if isinstance(expected, bool) or not isinstance(expected, int) or expected <= 0:
                self._save(stock)  # new records (and bad versions) take the one-row path
                continue
            _, key, data, columns = self._encode(stock)
            updates.append((stock, expected, (key, expected, data, columns)))
        if not updates:
            return
        records = self._session.records()
        missed = records.update_many(STOCK.spec, [row for _, _, row in updates])
        if missed:
            key = missed[0]
            actual = records.version_of(STOCK.spec, key)
            if actual == 0:
                raise NotFound(STOCK.spec.kind, key)
            expected_version = next(e for s, e, _ in updates if str(s.sku) == key)
            raise ConcurrencyConflict(STOCK.spec.kind, key, expected_version, actual)
        for stock, expected, _ in updates:
            self._session.track(stock)
            stock.version = expected + 1


class RecordShipmentRepository(_Aggregates[Shipment], ShipmentRepository):
    """:class:`~orderkit.ports.ShipmentRepository` over a record store."""

    def __init__(self, session: Session) -> None:
        super().__init__(session, SHIPMENTS)

    def get(self, shipment_id: ShipmentId) -> Shipment:
        return self._get(shipment_id)

    def add(self, shipment: Shipment) -> None:
        self._add(shipment)

    def save(self, shipment: Shipment) -> None:
        self._save(shipment)

    def list_by_order(self, order_id: OrderId) -> list[Shipment]:
        records = self._session.records().select(
            SHIPMENTS.spec, "order_id", check_key(order_id, "order_id"), None
        )
        return self._decode_all(records)

    def list_by_status(self, status: str, *, limit: int | None = None) -> list[Shipment]:
        value = str(getattr(status, "value", status))
        records = self._session.records().select(
            SHIPMENTS.spec, "status", check_key(value, "status"), check_limit(limit)
        )
        return self._decode_all(records)


class RecordInvoiceRepository(InvoiceRepository):
    """:class:`~orderkit.ports.InvoiceRepository` over a record store (insert-only)."""

    def __init__(self, session: Session, codec: Codec[InvoiceDocument] = DOCUMENTS) -> None:
        self._session = session
        self._codec = codec

    def add(self, document: InvoiceDocument) -> None:
        data = self._codec.encode(document)
        key = check_key(self._codec.key(document), "number")
        spec = self._codec.spec
        if not self._session.records().insert(spec, key, data, self._codec.columns(document)):
            raise DuplicateRequest(key, f"document number {key!r} is already stored")

    def get(self, number: str) -> InvoiceDocument:
        record = self._session.records().get(self._codec.spec, check_key(number, "number"))
        if record is None:
            raise NotFound("invoice", number)
        return self._codec.decode(record)

    def list_by_order(self, order_id: OrderId) -> list[InvoiceDocument]:
        records = self._session.records().select(
            self._codec.spec, "order_id", check_key(order_id, "order_id"), None
        )
        return [self._codec.decode(record) for record in records]


def _check_series(series: object, year: object) -> tuple[str, int]:
    name = check_key(series, "series")
    if isinstance(year, bool) or not isinstance(year, int) or not 1 <= year <= 9999:
        raise ValidationError(f"year must be a whole number in 1..9999, got {year!r}", path="year")
    return name, year


class RecordNumberSequence(NumberSequence):
    """:class:`~orderkit.ports.NumberSequence` over a record store."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def next(self, series: str, year: int) -> int:
        return self._session.records().next_number(*_check_series(series, year))

    def current(self, series: str, year: int) -> int:
        return self._session.records().current_number(*_check_series(series, year))


class RecordIdempotencyStore(IdempotencyStore):
    """:class:`~orderkit.ports.IdempotencyStore` over a record store."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def get(self, key: str, fingerprint: str | None = None) -> StoredResult | None:
        found = self._session.records().get_result(check_key(key, "idempotency key"))
        if found is None:
            return None
        stored_fingerprint, text = found
        if fingerprint is not None and fingerprint != stored_fingerprint:
            raise DuplicateRequest(key, "used before for a different request")
        result: JsonValue = json.loads(text)
        return StoredResult(key=key, fingerprint=stored_fingerprint, result=result)

    def put(self, key: str, result: JsonValue, *, fingerprint: str = "") -> None:
        check_key(key, "idempotency key")
        if not isinstance(fingerprint, str):
            raise ValidationError(f"fingerprint must be a string, got {fingerprint!r}")
        text = dump_json(result, "result")
        if not self._session.records().insert_result(key, fingerprint, text):
            raise DuplicateRequest(key, "already recorded")


class RecordOutbox(Outbox):
    """:class:`~orderkit.ports.Outbox` over a record store."""

    def __init__(self, session: Session) -> None:
        self._session = session

    def pending(self, limit: int | None = None) -> list[OutboxMessage]:
        return self._session.records().pending(check_limit(limit))

    def mark_dispatched(self, message_ids: Iterable[str]) -> None:
        ids = list(dict.fromkeys(check_key(i, "message id") for i in message_ids))
        if not ids:
            return
        missing = self._session.records().mark_dispatched(ids)
        if missing:
            raise NotFound("outbox message", missing[0])

    def count(self, *, pending_only: bool = False) -> int:
        return self._session.records().count_outbox(pending_only=pending_only)
