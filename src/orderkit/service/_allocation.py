"""The allocate command: run the allocator and apply its plan to stock and order at once."""

from __future__ import annotations

import datetime as dt

from orderkit.errors import InvalidTransition
from orderkit.ids import OrderId
from orderkit.ports import UnitOfWork
from orderkit.service._context import Context
from orderkit.service._stock import allocate_order, load_stocks
from orderkit.service._values import AllocationOutcome

__all__ = ["allocate"]


def allocate(
    ctx: Context, uow: UnitOfWork, at: dt.datetime, order_id: OrderId
) -> AllocationOutcome:
    """Allocate the order's unallocated units; the plan reaches every sku and the order, or none."""
    order = uow.orders.get(order_id)
    state = order.status.value
    if state not in ctx.lifecycle.fulfillable:
        where = ", ".join(ctx.lifecycle.fulfillable)
        raise InvalidTransition(
            state,
            "allocate",
            ctx.lifecycle.allowed_events(state),
            f"allocate is only possible in states {where}",
        )
    stocks = load_stocks(uow, (line.sku for line in order.lines))
    allocated, waiting = allocate_order(
        order,
        stocks,
        allocator=ctx.allocator,
        locations=ctx.locations,
        at=at,
        lifecycle=ctx.lifecycle,
    )
    if allocated:
        uow.orders.save(order)
    stocks.save(uow)
    return AllocationOutcome(order.id, order.status.value, allocated, waiting)
