"""Every storage contract in one class, for adapters that implement every port."""

from __future__ import annotations

from orderkit.testing.contracts._storage_machine import StorageStateMachineContract
from orderkit.testing.contracts._storage_repositories import (
    InvoiceRepositoryContract,
    OrderRepositoryContract,
    ShipmentRepositoryContract,
    StockRepositoryContract,
)
from orderkit.testing.contracts._storage_units import (
    IdempotencyStoreContract,
    NumberSequenceContract,
    OptimisticConcurrencyContract,
    OutboxContract,
    UnitOfWorkContract,
)

__all__ = ["StorageContract"]


class StorageContract(
    OrderRepositoryContract,
    StockRepositoryContract,
    InvoiceRepositoryContract,
    ShipmentRepositoryContract,
    UnitOfWorkContract,
    OptimisticConcurrencyContract,
    NumberSequenceContract,
    IdempotencyStoreContract,
    OutboxContract,
    StorageStateMachineContract,
):
    """The whole storage contract: subclass it and override ``fresh_storage``."""
