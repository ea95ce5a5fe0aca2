"""Hypothesis strategies for every public orderkit type.

Installing orderkit with the ``testing`` extra registers them with
hypothesis through its entry point, so ``st.from_type(Money)`` works in a
host's own tests.

>>> from hypothesis import find, strategies as st
>>> from orderkit.money import Money
>>> find(st.from_type(Money), lambda m: m.currency.code == "JPY").currency.exponent
0
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from hypothesis import strategies as st

from orderkit.fulfillment import (
    BusinessCalendar,
    Dimensions,
    Label,
    Parcel,
    Rate,
    RateRequest,
    RetryPolicy,
    Shipment,
    ShipmentCancelled,
    ShipmentCreated,
    ShipmentDelivered,
    ShipmentDispatched,
    ShipmentFailed,
    ShipmentItem,
    ShipmentItemRequest,
    ShipmentLabelCreated,
    ShipmentReturnedToSender,
    ShippingAddress,
    TrackingEvent,
    TrackingUpdated,
)
from orderkit.inventory import (
    AllocationLine,
    BackorderPolicy,
    IncomingBatch,
    Reservation,
    SkuStock,
    StockLocation,
)
from orderkit.invoicing import (
    CreditNote,
    CreditNoteIssued,
    Invoice,
    InvoiceableLine,
    InvoiceIssued,
    InvoicingLedger,
    NumberFormat,
    Party,
    PaymentTerms,
    PostalAddress,
)
from orderkit.money import Currency, Money
from orderkit.orders import (
    Address,
    Attributes,
    CustomerRef,
    Lifecycle,
    Order,
    OrderLine,
    Payment,
    PriceSnapshot,
    QuantityLedger,
)
from orderkit.pricing import (
    Jurisdiction,
    PriceBook,
    PriceList,
    Pricer,
    PricingRequest,
    Promotion,
    TaxPolicy,
    TaxRate,
)
from orderkit.testing.strategies._fulfillment import (
    business_calendars,
    dimensions,
    labels,
    parcels,
    rate_requests,
    retry_policies,
    shipment_events,
    shipment_item_request_lists,
    shipment_item_requests,
    shipment_items,
    shipments,
    shipping_addresses,
    shipping_rates,
    tracking_events,
    weights,
)
from orderkit.testing.strategies._inventory import (
    STOCK_EVENT_STRATEGIES,
    allocation_line,
    allocation_lines,
    backorder_policies,
    incoming_batches,
    location_ids,
    reservations,
    sku_stocks,
    stock_events,
    stock_locations,
    stock_networks,
)
from orderkit.testing.strategies._invoicing import (
    credit_note_issued_events,
    credit_notes,
    invoice_issued_events,
    invoiceable_lines,
    invoices,
    invoicing_ledgers,
    line_taxes,
    number_formats,
    parties,
    payment_terms,
    postal_addresses,
)
from orderkit.testing.strategies._money import amounts, currencies, money, positive_money
from orderkit.testing.strategies._orders import (
    ORDER_EVENT_STRATEGIES,
    ORDER_VALUE_STRATEGIES,
    addresses,
    approval_lifecycle,
    customers,
    lifecycles,
    line_attributes,
    order_events,
    order_lines,
    orders,
    payments,
    quantity_ledgers,
    utc_datetimes,
)
from orderkit.testing.strategies._price_snapshots import price_snapshots
from orderkit.testing.strategies._pricing import (
    jurisdictions,
    price_books,
    price_lists,
    pricers,
    pricing_cases,
    pricing_lines,
    pricing_requests,
    promotion_actions,
    promotion_conditions,
    promotions,
    shipping_rules,
    tax_policies,
    tax_rates,
)

__all__ = [
    "addresses",
    "allocation_line",
    "allocation_lines",
    "amounts",
    "approval_lifecycle",
    "backorder_policies",
    "business_calendars",
    "credit_note_issued_events",
    "credit_notes",
    "currencies",
    "customers",
    "dimensions",
    "incoming_batches",
    "invoice_issued_events",
    "invoiceable_lines",
    "invoices",
    "invoicing_ledgers",
    "jurisdictions",
    "labels",
    "lifecycles",
    "line_attributes",
    "line_taxes",
    "location_ids",
    "money",
    "number_formats",
    "order_events",
    "order_lines",
    "orders",
    "parcels",
    "parties",
    "payment_terms",
    "payments",
    "positive_money",
    "postal_addresses",
    "price_books",
    "price_lists",
    "price_snapshots",
    "pricers",
    "pricing_cases",
    "pricing_lines",
    "pricing_requests",
    "promotion_actions",
    "promotion_conditions",
    "promotions",
    "quantity_ledgers",
    "rate_requests",
    "register_type_strategies",
    "reservations",
    "retry_policies",
    "shipment_events",
    "shipment_item_request_lists",
    "shipment_item_requests",
    "shipment_items",
    "shipments",
    "shipping_addresses",
    "shipping_rates",
    "shipping_rules",
    "sku_stocks",
    "stock_events",
    "stock_locations",
    "stock_networks",
    "tax_policies",
    "tax_rates",
    "tracking_events",
    "utc_datetimes",
    "weights",
]

#: Each public type and the strategy ``st.from_type`` should use for it.
_BY_TYPE: dict[type, Callable[[], st.SearchStrategy[Any]]] = {
    Currency: currencies,
    Money: money,
    PriceSnapshot: price_snapshots,
    Jurisdiction: jurisdictions,
    PriceBook: price_books,
    PriceList: price_lists,
    Pricer: pricers,
    PricingRequest: pricing_requests,
    Promotion: promotions,
    TaxPolicy: tax_policies,
    TaxRate: tax_rates,
    CreditNote: credit_notes,
    CreditNoteIssued: credit_note_issued_events,
    Invoice: invoices,
    InvoiceableLine: invoiceable_lines,
    InvoiceIssued: invoice_issued_events,
    InvoicingLedger: invoicing_ledgers,
    NumberFormat: number_formats,
    Party: parties,
    PaymentTerms: payment_terms,
    PostalAddress: postal_addresses,
    AllocationLine: allocation_line,
    BackorderPolicy: backorder_policies,
    IncomingBatch: incoming_batches,
    Reservation: reservations,
    SkuStock: sku_stocks,
    StockLocation: stock_locations,
    **STOCK_EVENT_STRATEGIES,
    Address: addresses,
    Attributes: line_attributes,
    CustomerRef: customers,
    Lifecycle: lifecycles,
    Order: orders,
    OrderLine: order_lines,
    **ORDER_EVENT_STRATEGIES,
    **ORDER_VALUE_STRATEGIES,
    Payment: payments,
    QuantityLedger: quantity_ledgers,
    BusinessCalendar: business_calendars,
    Dimensions: dimensions,
    Label: labels,
    Parcel: parcels,
    Rate: shipping_rates,
    RateRequest: rate_requests,
    RetryPolicy: retry_policies,
    Shipment: shipments,
    ShipmentItem: shipment_items,
    ShipmentItemRequest: shipment_item_requests,
    ShippingAddress: shipping_addresses,
    TrackingEvent: tracking_events,
    ShipmentCreated: lambda: shipment_events(ShipmentCreated),
    ShipmentLabelCreated: lambda: shipment_events(ShipmentLabelCreated),
    ShipmentDispatched: lambda: shipment_events(ShipmentDispatched),
    TrackingUpdated: lambda: shipment_events(TrackingUpdated),
    ShipmentDelivered: lambda: shipment_events(ShipmentDelivered),
    ShipmentFailed: lambda: shipment_events(ShipmentFailed),
    ShipmentReturnedToSender: lambda: shipment_events(ShipmentReturnedToSender),
    ShipmentCancelled: lambda: shipment_events(ShipmentCancelled),
}


def register_type_strategies() -> None:
    """Register every orderkit type with ``st.register_type_strategy``."""
    for type_, factory in _BY_TYPE.items():
        st.register_type_strategy(type_, factory())


# Idempotent; also covers the case where this package is what first imports
# hypothesis, when the entry-point hook cannot (see orderkit.testing._entry).
register_type_strategies()
