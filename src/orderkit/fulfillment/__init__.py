"""Fulfilment: shipments, carriers behind a port, tracking and delivery dates.

- :func:`plan_shipments` turns units to ship (:class:`ShipmentItemRequest`)
  into :class:`ShipmentPlan`\\ s: one per location, split by parcel weight.
- :class:`Shipment` is the aggregate: a label, dispatch, carrier scans, and
  a status machine declared as data (:data:`SHIPMENT_TRANSITIONS`).
- :class:`CarrierPort` is what a carrier adapter implements;
  :class:`FlatRateCarrier` and :class:`TableRateCarrier` are reference
  carriers; :func:`call_with_retries` retries retryable carrier failures.
- :class:`BusinessCalendar` and :func:`estimate_delivery` promise dates;
  :func:`late_shipments` reports broken promises.

This package never imports orders or inventory: the service layer maps an
order and its allocation onto the small input types here.
"""

from orderkit.fulfillment._calendar import MONDAY_TO_FRIDAY, BusinessCalendar, estimate_delivery
from orderkit.fulfillment._carrier import (
    CarrierPort,
    InMemoryCarrier,
    buy_label,
    choose_rate,
    rate_request,
)
from orderkit.fulfillment._events import (
    SHIPMENT_EVENT_TYPES,
    ShipmentCancelled,
    ShipmentCreated,
    ShipmentDelivered,
    ShipmentDispatched,
    ShipmentFailed,
    ShipmentLabelCreated,
    ShipmentReturnedToSender,
    TrackingUpdated,
)
from orderkit.fulfillment._lifecycle import (
    FINAL_STATUSES,
    SHIPMENT_TRANSITIONS,
    ShipmentTransitions,
)
from orderkit.fulfillment._planning import ShipmentPlan, plan_shipments
from orderkit.fulfillment._reference import (
    FlatRate,
    FlatRateCarrier,
    TableRateCarrier,
    TableService,
    WeightBracket,
    ZoneRate,
    ZoneRule,
)
from orderkit.fulfillment._reports import late_shipments
from orderkit.fulfillment._retry import NO_RETRY, RetryPolicy, call_with_retries
from orderkit.fulfillment._shipment import Shipment
from orderkit.fulfillment._values import (
    TRACKABLE_STATUSES,
    Dimensions,
    Label,
    Parcel,
    Rate,
    RateRequest,
    ShipmentItem,
    ShipmentItemRequest,
    ShipmentStatus,
    ShippingAddress,
    TrackingEvent,
)

__all__ = [
    "FINAL_STATUSES",
    "MONDAY_TO_FRIDAY",
    "NO_RETRY",
    "SHIPMENT_EVENT_TYPES",
    "SHIPMENT_TRANSITIONS",
    "TRACKABLE_STATUSES",
    "BusinessCalendar",
    "CarrierPort",
    "Dimensions",
    "FlatRate",
    "FlatRateCarrier",
    "InMemoryCarrier",
    "Label",
    "Parcel",
    "Rate",
    "RateRequest",
    "RetryPolicy",
    "Shipment",
    "ShipmentCancelled",
    "ShipmentCreated",
    "ShipmentDelivered",
    "ShipmentDispatched",
    "ShipmentFailed",
    "ShipmentItem",
    "ShipmentItemRequest",
    "ShipmentLabelCreated",
    "ShipmentPlan",
    "ShipmentReturnedToSender",
    "ShipmentStatus",
    "ShipmentTransitions",
    "ShippingAddress",
    "TableRateCarrier",
    "TableService",
    "TrackingEvent",
    "TrackingUpdated",
    "WeightBracket",
    "ZoneRate",
    "ZoneRule",
    "buy_label",
    "call_with_retries",
    "choose_rate",
    "estimate_delivery",
    "late_shipments",
    "plan_shipments",
    "rate_request",
]
