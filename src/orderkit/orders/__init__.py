"""Orders and their lifecycle.

The :class:`Order` aggregate keeps its lines' quantity ledgers, recorded
payments, lifecycle state and history, and records domain events. Its
lifecycle is a :class:`Lifecycle` declaration passed to each command
(``STANDARD_LIFECYCLE`` by default), which hosts extend with their own
states and guards.

>>> import datetime as dt
>>> from orderkit.ids import CustomerId, LineId, OrderId, Sku
>>> from orderkit.money import Money
>>> at = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
>>> order = Order.place(
...     id=OrderId("o-1"),
...     customer=CustomerRef(CustomerId("c-1"), "ann@example.com"),
...     currency="EUR",
...     lines=[OrderLine(LineId("l1"), Sku("MUG"), 2, Money.of("9.50", "EUR"))],
...     at=at,
... )
>>> order.status.value, order.fulfillment_status.value, order.payment_status.value
('placed', 'unfulfilled', 'unpaid')
>>> [type(event).__name__ for event in order.pull_events()]
['OrderPlaced']
"""

from orderkit.orders._countries import COUNTRY_CODES
from orderkit.orders._engine import Quantities
from orderkit.orders._events import (
    CancelledLine,
    LineQuantity,
    OrderCancelled,
    OrderCompleted,
    OrderConfirmed,
    OrderDelivered,
    OrderEvent,
    OrderFulfilled,
    OrderHeld,
    OrderItemsAllocated,
    OrderItemsCancelled,
    OrderItemsDeallocated,
    OrderItemsDelivered,
    OrderItemsReturned,
    OrderItemsShipped,
    OrderPlaced,
    OrderReleased,
    OrderStatusChanged,
    PaymentRecorded,
    PlacedLine,
)
from orderkit.orders._ledger import QuantityLedger
from orderkit.orders._lifecycle import (
    PREVIOUS_STATE,
    Effect,
    Guard,
    Lifecycle,
    Transition,
    TransitionContext,
)
from orderkit.orders._order import Order
from orderkit.orders._pricing import PricedLine, PricedShipping, PricedTax, PriceSnapshot
from orderkit.orders._standard import (
    STANDARD_LIFECYCLE,
    actor_required,
    all_units_shipped,
    any_unit_allocated,
    nothing_shipped,
    payment_required,
)
from orderkit.orders._status import (
    FulfillmentStatus,
    OrderStatus,
    Payment,
    PaymentKind,
    PaymentStatus,
    StandardState,
    StatusChange,
    fulfillment_status_of,
    payment_status_of,
)
from orderkit.orders._values import Address, Attributes, CustomerRef, OrderLine

__all__ = [
    "COUNTRY_CODES",
    "PREVIOUS_STATE",
    "STANDARD_LIFECYCLE",
    "Address",
    "Attributes",
    "CancelledLine",
    "CustomerRef",
    "Effect",
    "FulfillmentStatus",
    "Guard",
    "Lifecycle",
    "LineQuantity",
    "Order",
    "OrderCancelled",
    "OrderCompleted",
    "OrderConfirmed",
    "OrderDelivered",
    "OrderEvent",
    "OrderFulfilled",
    "OrderHeld",
    "OrderItemsAllocated",
    "OrderItemsCancelled",
    "OrderItemsDeallocated",
    "OrderItemsDelivered",
    "OrderItemsReturned",
    "OrderItemsShipped",
    "OrderLine",
    "OrderPlaced",
    "OrderReleased",
    "OrderStatus",
    "OrderStatusChanged",
    "Payment",
    "PaymentKind",
    "PaymentRecorded",
    "PaymentStatus",
    "PlacedLine",
    "PriceSnapshot",
    "PricedLine",
    "PricedShipping",
    "PricedTax",
    "Quantities",
    "QuantityLedger",
    "StandardState",
    "StatusChange",
    "Transition",
    "TransitionContext",
    "actor_required",
    "all_units_shipped",
    "any_unit_allocated",
    "fulfillment_status_of",
    "nothing_shipped",
    "payment_required",
    "payment_status_of",
]
