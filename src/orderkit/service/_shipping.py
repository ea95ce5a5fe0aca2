"""Shipping commands: ship (plan, buy labels, dispatch, consume stock), tracking, delivery."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Callable

from orderkit.errors import CarrierError, InvalidQuantity, NotFound, ValidationError
from orderkit.fulfillment import (
    BusinessCalendar,
    CarrierPort,
    Label,
    Rate,
    Shipment,
    ShipmentItemRequest,
    ShipmentStatus,
    ShippingAddress,
    TrackingEvent,
    call_with_retries,
    choose_rate,
    estimate_delivery,
    late_shipments,
    plan_shipments,
    rate_request,
)
from orderkit.ids import LineId, OrderId, ShipmentId
from orderkit.invoicing import InvoicingPolicy
from orderkit.orders import Address
from orderkit.ports import UnitOfWork
from orderkit.service._context import Context
from orderkit.service._invoicing import auto_invoice
from orderkit.service._stock import load_stocks, shippable
from orderkit.service._values import LateShipment, ShipOutcome, TrackingOutcome

__all__ = ["deliver", "late", "record_tracking", "ship", "void_labels"]

#: Statuses of a shipment that has left and is not yet delivered (or cancelled).
_OPEN = tuple(
    s
    for s in ShipmentStatus
    if s
    not in {
        ShipmentStatus.PENDING,
        ShipmentStatus.LABEL_CREATED,
        ShipmentStatus.DELIVERED,
        ShipmentStatus.CANCELLED,
    }
)


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


def _quote(ctx: Context, carrier: CarrierPort, shipment: Shipment) -> list[Rate]:
    """Quote the shipment and book the cheapest service, so the promise is the label's."""
    quotes = call_with_retries(
        lambda: carrier.rates(rate_request(shipment)), ctx.carrier_retries, ctx.sleep
    )
    chosen = choose_rate(quotes)
    shipment.choose_service(chosen.carrier, chosen.service)
    return quotes


def _dispatch(
    shipment: Shipment,
    at: dt.datetime,
    calendar: BusinessCalendar | None,
    label: Label,
    quotes: list[Rate],
) -> None:
    """Dispatch, promising a delivery date when the location has a calendar.

    The promise is ``estimate_delivery`` of the dispatch moment with the transit
    days quoted for the label's service. The moment is given in the calendar's
    timezone, so the promise (a local date) is never "before" the dispatch day
    because UTC has already moved on to the next date.
    """
    if calendar is None:
        shipment.dispatch(at)
        return
    quoted = [r for r in quotes if (r.carrier, r.service) == (label.carrier, label.service)]
    if not quoted:
        # The carrier sold another service than the one quoted: promise nothing rather
        # than a date for a service the parcel does not travel with.
        shipment.dispatch(at)
        return
    transit = min(r.transit_days for r in quoted)
    shipment.dispatch(
        at.astimezone(calendar.timezone),
        promised_delivery=estimate_delivery(at, transit, calendar),
    )


def late(ctx: Context, uow: UnitOfWork, at: dt.datetime) -> tuple[LateShipment, ...]:
    """Dispatched, undelivered shipments whose promised date has passed at ``at``.

    A promise is kept until the end of its date in the timezone of the
    shipping location's calendar (UTC for a location without one).
    """
    found: dict[ShipmentId, Shipment] = {}
    for status in _OPEN:
        for shipment in uow.shipments.list_by_status(status.value):
            found.setdefault(shipment.id, shipment)
    late_ones: list[LateShipment] = []
    for shipment in found.values():
        calendar = ctx.calendar_for(shipment.location)
        tz: dt.tzinfo = calendar.timezone if calendar is not None else dt.UTC
        for overdue in late_shipments([shipment], at, tz=tz):
            promised = overdue.promised_delivery
            assert promised is not None  # a shipment without a promise is never late
            late_ones.append(
                LateShipment(
                    overdue.id,
                    overdue.order_id,
                    overdue.location,
                    overdue.status.value,
                    promised,
                    (at.astimezone(tz).date() - promised).days,
                    overdue.tracking_number,
                )
            )
    return tuple(sorted(late_ones, key=lambda s: (s.promised_delivery, s.shipment_id)))


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
            calendar = ctx.calendar_for(plan.location)
            quotes = _quote(ctx, carrier, shipment) if calendar is not None else []
            label = call_with_retries(
                _label_call(carrier, shipment), ctx.carrier_retries, ctx.sleep
            )
            bought.append(label)
            shipment.attach_label(label)
            _dispatch(shipment, at, calendar, label, quotes)
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
