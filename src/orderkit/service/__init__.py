"""The application layer: order commands that each run in one unit of work.

:class:`OrderService` turns the domain packages into commands a host runs:
``place``, ``confirm``, ``allocate``, ``cancel``, ``ship``,
``record_tracking``, ``deliver`` and ``invoice`` (and the ``late_shipments``
report). Each takes an optional idempotency key and returns a small frozen
result. See ``docs/service.md``.
"""

from orderkit.service._service import OrderService
from orderkit.service._values import (
    AllocationOutcome,
    IdGenerator,
    InvoiceOutcome,
    InvoicingConfig,
    LateShipment,
    LineRequest,
    OrderOutcome,
    PlacedOrder,
    ShipOutcome,
    StockOnPlace,
    TrackingOutcome,
    UnitWeight,
    default_unit_weight,
)

__all__ = [
    "AllocationOutcome",
    "IdGenerator",
    "InvoiceOutcome",
    "InvoicingConfig",
    "LateShipment",
    "LineRequest",
    "OrderOutcome",
    "OrderService",
    "PlacedOrder",
    "ShipOutcome",
    "StockOnPlace",
    "TrackingOutcome",
    "UnitWeight",
    "default_unit_weight",
]
