"""Shipping commands: ship (plan, buy labels, dispatch, consume stock), tracking, delivery."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable

from orderkit.errors import CarrierError, InvalidQuantity, NotFound, ValidationError
from orderkit.fulfillment import (
    CarrierPort,
    Label,
    Shipment,
    ShipmentItemRequest,
    ShipmentStatus,
    ShippingAddress,
    TrackingEvent,
    call_with_retries,
    plan_shipments,
)
from orderkit.ids import LineId, OrderId, ShipmentId
from orderkit.invoicing import InvoicingPolicy
from orderkit.orders import Address
from orderkit.ports import UnitOfWork
from orderkit.service._context import Context
from orderkit.service._invoicing import auto_invoice
from orderkit.service._stock import load_stocks, shippable
from orderkit.service._values import ShipOutcome, TrackingOutcome

__all__ = ["deliver", "record_tracking", "ship", "void_labels"]


def _destination(address: Address | None, order_id: OrderId) -> ShippingAddress:
    if address is None:
        raise ValidationError(
            f"order {order_id} has no shipping address to ship to", path="shipping_address"
        )
    return ShippingAddress(
        address.country,
        address.postal_code,
        city=address.city,
        street=address.line1,
        recipient=address.name,
    )


def _label_call(carrier: CarrierPort, shipment: Shipment) -> Callable[[], Label]:
    """Buy the shipment's label, keyed on the shipment id so every retry gets the same one."""
    return lambda: carrier.create_label(shipment, idempotency_key=str(shipment.id))


def void_labels(ctx: Context, bought: list[Label]) -> None:
    """Void (cancel with the carrier) the labels of an attempt that did not commit."""
    carrier = ctx.carrier
    if carrier is not None:
        for label in bought:
            with contextlib.suppress(CarrierError, NotFound):
                carrier.cancel(label)
    bought.clear()


def ship(
    ctx: Context,
    uow: UnitOfWork,
    at: dt.datetime,
    order_id: OrderId,
    bought: list[Label] | None = None,
) -> ShipOutcome:
    """Ship every allocated, unshipped unit: one shipment per location (split by weight).

    Labels are bought through the carrier with retries; the shipment id is the
    label's idempotency key, so a retry after a time-out never buys a second
    label. If anything fails, labels bought by this call are voided and the
    unit of work rolls back: order and stock stay as they were. The labels
    bought are also appended to ``bought``, so that the caller can void them if
    the unit of work fails to commit after this returns (a conflict at commit).

    Raises:
        InvalidQuantity: nothing allocated is left to ship.
        CarrierError: the carrier refused, or kept failing after the retries.
        ValidationError: no carrier is configured, or the order has no shipping address.
    """
    carrier = ctx.carrier
    if carrier is None:
        raise ValidationError("no carrier is configured: pass carrier= to OrderService")
    order = uow.orders.get(order_id)
    destination = _destination(order.shipping_address, order.id)
    stocks = load_stocks(uow, (line.sku for line in order.lines))
    units = shippable(order, stocks.by_sku)
    if not units:
        raise InvalidQuantity(f"order {order.id}: nothing allocated is left to ship")
    plans = plan_shipments(
        [
            ShipmentItemRequest(location, line_id, sku, qty, ctx.unit_weight(sku))
            for location, line_id, sku, qty in units
        ],
        max_parcel_weight=ctx.max_parcel_weight,
    )
    bought = [] if bought is None else bought
    try:
        shipments: list[Shipment] = []
        for plan in plans:
            shipment = Shipment.create(
                ShipmentId(ctx.ids()),
                order_id=order.id,
                location=plan.location,
                destination=destination,
                items=plan.items,
                parcels=plan.parcels,
            )
            label = call_with_retries(
                _label_call(carrier, shipment), ctx.carrier_retries, ctx.sleep
            )
            bought.append(label)
            shipment.attach_label(label)
            shipment.dispatch(at)
            shipments.append(shipment)
        shipped: dict[LineId, int] = {}
        for shipment in shipments:
            for item in shipment.items:
                stocks.by_sku[item.sku].consume(order.id, shipment.location, item.quantity)
                stocks.changed.add(item.sku)
                shipped[item.line_id] = shipped.get(item.line_id, 0) + item.quantity
        order.ship(shipped, at=at, lifecycle=ctx.lifecycle)
        uow.orders.save(order)
        stocks.save(uow)
        for shipment in shipments:
            uow.shipments.add(shipment)
        invoiced = auto_invoice(ctx, uow, at, order, InvoicingPolicy.ON_SHIPMENT)
    except BaseException:
        void_labels(ctx, bought)
        raise
    return ShipOutcome(
        order.id,
        order.status.value,
        tuple(s.id for s in shipments),
        tuple(s.tracking_number or "" for s in shipments),
        sum(s.units for s in shipments),
        invoiced,
    )


def record_tracking(
    ctx: Context, uow: UnitOfWork, shipment_id: ShipmentId, event: TrackingEvent
) -> TrackingOutcome:
    """Add a carrier scan to the shipment (a known scan changes nothing).

    A scan that delivers the shipment records its units as delivered on the order.
    """
    if not isinstance(event, TrackingEvent):
        raise ValidationError(f"expected a TrackingEvent, got {event!r}", path="event")
    return _record(ctx, uow, uow.shipments.get(shipment_id), event)


def _record(
    ctx: Context, uow: UnitOfWork, shipment: Shipment, event: TrackingEvent
) -> TrackingOutcome:
    order = uow.orders.get(shipment.order_id)
    before = shipment.status
    recorded = shipment.record_tracking(event)
    if recorded:
        if shipment.status is ShipmentStatus.DELIVERED and before is not ShipmentStatus.DELIVERED:
            order.deliver(
                dict(shipment.quantity_by_line), at=event.timestamp, lifecycle=ctx.lifecycle
            )
            uow.orders.save(order)
        uow.shipments.save(shipment)
    return TrackingOutcome(
        shipment.id, order.id, shipment.status.value, order.status.value, recorded
    )


def deliver(
    ctx: Context, uow: UnitOfWork, at: dt.datetime, shipment_id: ShipmentId
) -> TrackingOutcome:
    """Record delivery reported outside the carrier feed (a driver app, a signed note).

    The confirmation is stamped no earlier than the shipment's newest scan: only
    the newest scan moves a shipment's status, so a confirmation stamped before
    a scan the carrier already sent (clock skew between systems) would join the
    history and deliver nothing.
    """
    shipment = uow.shipments.get(shipment_id)
    newest = shipment.tracking[-1].timestamp if shipment.tracking else at
    event = TrackingEvent(max(at, newest), ShipmentStatus.DELIVERED, "", "delivered")
    return _record(ctx, uow, shipment, event)
