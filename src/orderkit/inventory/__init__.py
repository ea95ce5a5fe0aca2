"""Inventory: stock per SKU across locations, reservations, and allocation that never oversells.

- :class:`StockLocation`, :class:`IncomingBatch`, :class:`Reservation`,
  :class:`BackorderPolicy`: the values.
- :class:`SkuStock`: the per-SKU aggregate (the consistency boundary).
- :class:`Allocator` with a strategy (:class:`ByPriority`,
  :class:`FewestShipments`, :class:`NearestFirst`, :class:`EarliestEta`) and an
  :class:`AllocationPolicy` plans an order as an :class:`AllocationPlan`;
  :func:`apply_plan` commits it to every SKU or to none.

See ``docs/inventory.md`` for a walk-through.
"""

from orderkit.inventory._allocator import Allocator, apply_plan
from orderkit.inventory._events import (
    BackorderCancelled,
    BackorderCreated,
    BackorderFilled,
    BatchExpected,
    LowStock,
    ReservationConverted,
    ReservationExpired,
    ReservationReleased,
    StockAdjusted,
    StockAllocated,
    StockConsumed,
    StockDeallocated,
    StockEvent,
    StockMoved,
    StockReceived,
    StockReserved,
)
from orderkit.inventory._plan import (
    AllocationLine,
    AllocationPlan,
    AllocationPolicy,
    LinePlan,
    PlannedAllocation,
)
from orderkit.inventory._stock import SkuStock
from orderkit.inventory._strategies import (
    AllocationStrategy,
    ByPriority,
    EarliestEta,
    FewestShipments,
    NearestFirst,
    SourcingRequest,
)
from orderkit.inventory._values import (
    BackorderPolicy,
    IncomingBatch,
    LocationRanking,
    Reservation,
    StockLocation,
    same_country_first,
)

__all__ = [
    "AllocationLine",
    "AllocationPlan",
    "AllocationPolicy",
    "AllocationStrategy",
    "Allocator",
    "BackorderCancelled",
    "BackorderCreated",
    "BackorderFilled",
    "BackorderPolicy",
    "BatchExpected",
    "ByPriority",
    "EarliestEta",
    "FewestShipments",
    "IncomingBatch",
    "LinePlan",
    "LocationRanking",
    "LowStock",
    "NearestFirst",
    "PlannedAllocation",
    "Reservation",
    "ReservationConverted",
    "ReservationExpired",
    "ReservationReleased",
    "SkuStock",
    "SourcingRequest",
    "StockAdjusted",
    "StockAllocated",
    "StockConsumed",
    "StockDeallocated",
    "StockEvent",
    "StockLocation",
    "StockMoved",
    "StockReceived",
    "StockReserved",
    "apply_plan",
    "same_country_first",
]
