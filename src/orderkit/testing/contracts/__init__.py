"""Contract suites shipped for adapter authors: subclass one and override its fixture."""

from orderkit.testing.contracts._carrier import CarrierContract
from orderkit.testing.contracts._storage import StorageFactory
from orderkit.testing.contracts._storage_machine import StorageMachine, StorageStateMachineContract
from orderkit.testing.contracts._storage_repositories import (
    InvoiceRepositoryContract,
    OrderRepositoryContract,
    ShipmentRepositoryContract,
    StockRepositoryContract,
)
from orderkit.testing.contracts._storage_suite import StorageContract
from orderkit.testing.contracts._storage_units import (
    IdempotencyStoreContract,
    NumberSequenceContract,
    OptimisticConcurrencyContract,
    OutboxContract,
    UnitOfWorkContract,
)

__all__ = [
    "CarrierContract",
    "IdempotencyStoreContract",
    "InvoiceRepositoryContract",
    "NumberSequenceContract",
    "OptimisticConcurrencyContract",
    "OrderRepositoryContract",
    "OutboxContract",
    "ShipmentRepositoryContract",
    "StockRepositoryContract",
    "StorageContract",
    "StorageFactory",
    "StorageMachine",
    "StorageStateMachineContract",
    "UnitOfWorkContract",
]
