"""Commands that create an order and move it through its lifecycle: place, confirm, cancel."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from orderkit.errors import ValidationError
from orderkit.ids import LineId, OrderId, Sku
from orderkit.invoicing import InvoicingPolicy
from orderkit.money import Currency
from orderkit.orders import Address, CustomerRef, Order
from orderkit.ports import UnitOfWork
from orderkit.pricing import Pricer
from orderkit.service._context import Context
from orderkit.service._invoicing import auto_invoice, credit_cancelled, credit_cancelled_units
from orderkit.service._pricing import order_lines, price_snapshot, pricing_request
from orderkit.service._stock import (
    allocate_order,
    load_stocks,
    release_order,
    release_units,
    reserve_order,
)
from orderkit.service._usage import (
    claim_uses,
    coupon_uses,
    is_first_order,
    promotion_uses,
    release_uses,
    used_coupons,
)
from orderkit.service._values import LineRequest, OrderOutcome, PlacedOrder, StockOnPlace

__all__ = ["cancel", "cancel_items", "confirm", "place"]


def place(
    ctx: Context,
    uow: UnitOfWork,
    at: dt.datetime,
    *,
    order_id: OrderId,
    customer: CustomerRef,
    currency: Currency,
    lines: Sequence[LineRequest],
    shipping_address: Address | None,
    billing_address: Address | None,
    coupon_codes: Sequence[str],
    notes: str,
) -> PlacedOrder:
    """Price, create and store the order; reserve or allocate its stock as configured."""
    if not lines:
        raise ValidationError("an order needs at least one line", path="lines")
    for index, line in enumerate(lines):
        if not isinstance(line, LineRequest):
            raise ValidationError(f"expected a LineRequest, got {line!r}", path=f"lines[{index}]")
    rules = ctx.usage
    first = rules.first_order and is_first_order(uow, customer.id, ctx.lifecycle)
    request = pricing_request(
        currency=currency,
        at=at,
        lines=lines,
        customer=customer,
        shipping_address=shipping_address,
        coupon_codes=coupon_codes,
        shipping=ctx.shipping,
        is_first_order=first,
        promotion_uses=promotion_uses(uow, rules),
        coupon_uses=coupon_uses(uow, rules, coupon_codes),
    )
    breakdown = ctx.pricer.price(request)
    snapshot = price_snapshot(
        breakdown,
        coupon_codes=used_coupons(rules, breakdown),
        first_order=first,
        checked=type(ctx.pricer) is not Pricer,  # a subclass's figures are checked
    )
    order = Order.place(
        id=order_id,
        customer=customer,
        currency=currency,
        lines=order_lines(lines, breakdown),
        at=at,
        pricing=snapshot,
        billing_address=billing_address,
        shipping_address=shipping_address,
        notes=notes,
        lifecycle=ctx.lifecycle,
    )
    allocated = 0
    backordered = 0
    invoiced = None
    confirmed = False
    if ctx.stock_on_place is not StockOnPlace.NONE:
        stocks = load_stocks(uow, (line.sku for line in order.lines))
        if ctx.stock_on_place is StockOnPlace.RESERVE:
            reserve_order(order, stocks, at=at, expires_at=at + ctx.reservation_ttl)
        else:
            if order.status.value not in ctx.lifecycle.fulfillable:
                order.confirm(at=at, lifecycle=ctx.lifecycle)
                confirmed = True
            allocated, backordered = allocate_order(
                order,
                stocks,
                allocator=ctx.allocator,
                locations=ctx.locations,
                at=at,
                lifecycle=ctx.lifecycle,
            )
        uow.orders.add(order)
        stocks.save(uow)
    else:
        uow.orders.add(order)
    # Locks in one order for every command: stock rows, then usage counters, then numbers.
    claim_uses(uow, rules, snapshot, customer.id, first=first)
    if confirmed:
        invoiced = auto_invoice(ctx, uow, at, order, InvoicingPolicy.ON_CONFIRMATION)
    return PlacedOrder(order.id, order.status.value, order.total, allocated, backordered, invoiced)


def confirm(ctx: Context, uow: UnitOfWork, at: dt.datetime, order_id: OrderId) -> OrderOutcome:
    """Accept the order for fulfilment."""
    order = uow.orders.get(order_id)
    order.confirm(at=at, lifecycle=ctx.lifecycle)
    uow.orders.save(order)
    invoiced = auto_invoice(ctx, uow, at, order, InvoicingPolicy.ON_CONFIRMATION)
    return OrderOutcome(order.id, order.status.value, (invoiced,) if invoiced else ())


def cancel(
    ctx: Context, uow: UnitOfWork, at: dt.datetime, order_id: OrderId, reason: str | None
) -> OrderOutcome:
    """Cancel the order, give its stock back and credit what its invoices billed."""
    order = uow.orders.get(order_id)
    order.cancel(at=at, reason=reason, lifecycle=ctx.lifecycle)
    stocks = load_stocks(uow, (line.sku for line in order.lines))
    release_order(order, stocks)
    uow.orders.save(order)
    stocks.save(uow)
    release_uses(uow, order)
    notes = credit_cancelled(ctx, uow, at, order)
    return OrderOutcome(order.id, order.status.value, tuple(notes))


def cancel_items(
    ctx: Context,
    uow: UnitOfWork,
    at: dt.datetime,
    order_id: OrderId,
    *,
    quantities: Mapping[LineId, int],
    reason: str | None,
) -> OrderOutcome:
    """Cancel some units of an order that goes on: release exactly their stock, credit them."""
    order = uow.orders.get(order_id)
    before = {line.line_id: line.ledger for line in order.lines}
    order.cancel_items(quantities, at=at, reason=reason, lifecycle=ctx.lifecycle)
    released: dict[Sku, int] = {}
    unallocated: dict[Sku, int] = {}
    for line in order.lines:
        old = before[line.line_id]
        freed = old.allocated_unshipped - line.ledger.allocated_unshipped
        cancelled = line.ledger.cancelled - old.cancelled
        if freed:
            released[line.sku] = released.get(line.sku, 0) + freed
        if cancelled - freed:
            unallocated[line.sku] = unallocated.get(line.sku, 0) + cancelled - freed
    stocks = load_stocks(uow, set(released) | set(unallocated))
    release_units(
        order,
        stocks,
        released=released,
        unallocated_cancelled=unallocated,
        locations=ctx.locations,
        at=at,
    )
    uow.orders.save(order)
    stocks.save(uow)
    notes = credit_cancelled_units(ctx, uow, at, order)
    return OrderOutcome(order.id, order.status.value, tuple(notes))
