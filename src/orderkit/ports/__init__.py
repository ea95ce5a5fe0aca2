"""Ports: the abstract storage and clock that a host (or a shipped adapter) implements.

Repositories, number sequences, the idempotency store and the outbox are
reached through a :class:`UnitOfWork`, so every command is one transaction.
Each abstract method documents the errors it raises; adapters translate their
driver's failures into that small vocabulary (``NotFound``,
``ConcurrencyConflict``, ``DuplicateRequest``, a retryable ``StoreUnavailable``).
:class:`CarrierPort` is defined in :mod:`orderkit.fulfillment` (the domain may
not import ports) and re-exported here. See ``docs/adapters.md`` for writing an
adapter and running the contract suite.
"""

from orderkit.fulfillment import CarrierPort
from orderkit.ports._clock import Clock
from orderkit.ports._repositories import (
    InvoiceDocument,
    InvoiceRepository,
    OrderRepository,
    ShipmentRepository,
    StockRepository,
)
from orderkit.ports._stores import (
    IdempotencyStore,
    JsonValue,
    NumberSequence,
    Outbox,
    OutboxMessage,
    StoredResult,
)
from orderkit.ports._unit_of_work import Aggregate, UnitOfWork, UnitOfWorkFactory

__all__ = [
    "Aggregate",
    "CarrierPort",
    "Clock",
    "IdempotencyStore",
    "InvoiceDocument",
    "InvoiceRepository",
    "JsonValue",
    "NumberSequence",
    "OrderRepository",
    "Outbox",
    "OutboxMessage",
    "ShipmentRepository",
    "StockRepository",
    "StoredResult",
    "UnitOfWork",
    "UnitOfWorkFactory",
]
