"""Stock work shared by the commands: load in sku order, reserve, allocate, release, ship."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping, Sequence

import attrs

from orderkit.errors import OutOfStock
from orderkit.ids import LineId, LocationId, Sku
from orderkit.inventory import AllocationLine, Allocator, SkuStock, StockLocation, apply_plan
from orderkit.orders import Lifecycle, Order
from orderkit.ports import UnitOfWork

__all__ = [
    "Stocks",
    "allocate_order",
    "load_stocks",
    "release_order",
    "release_units",
    "reserve_order",
    "shippable",
]


@attrs.define
class Stocks:
    """The stock records a command loaded, and which of them it changed."""

    by_sku: dict[Sku, SkuStock]
    changed: set[Sku] = attrs.Factory(set)

    def save(self, uow: UnitOfWork) -> None:
        """Save the changed records in sku order (the order they were locked in)."""
        uow.stock.save_many(self.by_sku[sku] for sku in sorted(self.changed))


def load_stocks(uow: UnitOfWork, skus: Iterable[Sku]) -> Stocks:
    """The stock of ``skus``, read in sorted sku order so lock waits never form a cycle."""
    return Stocks(dict(uow.stock.get_many(sorted(set(skus)))))


def _demand(order: Order) -> dict[Sku, int]:
    demand: dict[Sku, int] = {}
    for line in order.lines:
        demand[line.sku] = demand.get(line.sku, 0) + line.ledger.open
    return demand


def reserve_order(
    order: Order, stocks: Stocks, *, at: dt.datetime, expires_at: dt.datetime
) -> None:
    """Hold every sku's combined demand under a reservation named after the order.

    Raises:
        OutOfStock: a sku has no stock record (naming every such sku).
        InsufficientStock: a sku has too few units available.
    """
    demand = _demand(order)
    missing = {sku: units for sku, units in demand.items() if sku not in stocks.by_sku}
    if missing:
        raise OutOfStock({str(sku): units for sku, units in missing.items()})
    for sku in sorted(demand):
        stocks.by_sku[sku].reserve(order.id, demand[sku], expires_at=expires_at, at=at)
        stocks.changed.add(sku)


def allocate_order(
    order: Order,
    stocks: Stocks,
    *,
    allocator: Allocator,
    locations: Sequence[StockLocation],
    at: dt.datetime,
    lifecycle: Lifecycle,
) -> tuple[int, int]:
    """Allocate every unallocated unit the stock can cover: stock and order, all or nothing.

    A reservation named after the order (made by ``place``) is converted.
    Returns (units allocated now, units still unallocated).

    Raises:
        OutOfStock: under a refusing allocation policy.
        InvalidTransition: the order's state does not allow allocation.
    """
    wanted = [line for line in order.lines if line.ledger.unallocated > 0]
    if not wanted:
        return 0, 0
    for sku in sorted({line.sku for line in wanted}):
        stock = stocks.by_sku.get(sku)
        if stock is not None and any(not r.is_live(at) for r in stock.reservations):
            stock.expire_reservations(at=at)
            stocks.changed.add(sku)
    lines = []
    for line in wanted:
        stock = stocks.by_sku.get(line.sku)
        hold = None if stock is None else stock.reservation(order.id)
        lines.append(
            AllocationLine(
                line.line_id,
                line.sku,
                line.ledger.unallocated,
                reservation=None if hold is None else order.id,
            )
        )
    plan = allocator.allocate(
        lines,
        stocks.by_sku,
        locations=locations,
        at=at,
        destination=order.shipping_address,
        order=order.id,
    )
    planned = {line.sku for line in plan.lines if line.sku in stocks.by_sku}
    apply_plan(plan, {sku: stocks.by_sku[sku] for sku in planned}, order=order.id, at=at)
    stocks.changed.update(sku for sku in planned if stocks.by_sku[sku].pending_events)
    quantities = {line.line_id: line.allocated for line in plan.lines if line.allocated}
    if quantities:
        order.allocate(quantities, at=at, lifecycle=lifecycle)
    return plan.allocated, sum(line.ledger.unallocated for line in order.lines)


def release_order(order: Order, stocks: Stocks) -> None:
    """Give back every allocation, backorder and reservation the stock holds for the order."""
    for sku, stock in sorted(stocks.by_sku.items()):
        if order.id in stock.orders:
            stock.deallocate(order.id)
            stocks.changed.add(sku)
        if stock.reservation(order.id) is not None:
            stock.release(order.id)
            stocks.changed.add(sku)


def _shrink(amounts: Sequence[int], units: int) -> tuple[list[int], int]:
    """``amounts`` less ``units``, taken from the first first; (what is kept, units not found)."""
    kept: list[int] = []
    for amount in amounts:
        take = min(units, amount)
        kept.append(amount - take)
        units -= take
    return kept, units


def release_units(
    order: Order,
    stocks: Stocks,
    *,
    released: Mapping[Sku, int],
    unallocated_cancelled: Mapping[Sku, int],
    locations: Sequence[StockLocation],
    at: dt.datetime,
) -> None:
    """Give back the stock of units cancelled from an order that goes on.

    Per sku, ``released`` allocated units leave the order's allocation (the
    least preferred locations first, then incoming batches), its backorder
    shrinks to what the order still lacks, and ``unallocated_cancelled``
    units leave its reservation. Stock has no partial release, so the
    order's holding of a sku is given back whole and the rest taken again
    in the same unit of work (the freed units always cover it).
    """
    rank = {location.id: location.priority for location in locations}
    for sku in sorted(set(released) | set(unallocated_cancelled)):
        stock = stocks.by_sku.get(sku)
        if stock is None:
            continue
        still_lacking = sum(line.ledger.unallocated for line in order.lines if line.sku == sku)
        backorder = stock.backordered(order.id)
        release = released.get(sku, 0)
        if release or backorder > still_lacking:
            held = stock.allocations_of(order.id)
            least_preferred: list[LocationId] = sorted(
                held, key=lambda loc: (-rank.get(loc, 1 << 30), loc)
            )
            kept, left = _shrink([held[loc] for loc in least_preferred], release)
            keep = {loc: n for loc, n in zip(least_preferred, kept, strict=True) if n}
            batches = stock.batch_allocations_of(order.id)
            references = sorted(batches, reverse=True)
            kept, _ = _shrink([batches[ref] for ref in references], left)
            keep_batches = {ref: n for ref, n in zip(references, kept, strict=True) if n}
            if order.id in stock.orders:
                stock.deallocate(order.id)
            new_backorder = min(backorder, still_lacking)
            if keep or keep_batches or new_backorder:
                stock.allocate(
                    order.id,
                    keep,
                    at=at,
                    batches=keep_batches,
                    backorder=new_backorder,
                )
            stocks.changed.add(sku)
        hold = stock.reservation(order.id)
        fewer = unallocated_cancelled.get(sku, 0)
        if hold is not None and fewer:
            if hold.quantity > fewer and hold.is_live(at):
                stock.reserve(
                    order.id,
                    hold.quantity - fewer,
                    expires_at=hold.expires_at,
                    at=at,
                    location=hold.location,
                )
            else:
                stock.release(order.id)
            stocks.changed.add(sku)


def shippable(
    order: Order, stocks: Mapping[Sku, SkuStock]
) -> list[tuple[LocationId, LineId, Sku, int]]:
    """Units that can leave now: allocated on hand, shared out over the lines of each sku.

    Stock allocates per order and sku; the lines of one sku take the sku's
    allocations location by location, in line order.
    """
    pools: dict[Sku, list[tuple[LocationId, int]]] = {}
    for sku, stock in stocks.items():
        pools[sku] = sorted(stock.allocations_of(order.id).items())
    result: list[tuple[LocationId, LineId, Sku, int]] = []
    for line in order.lines:
        need = line.ledger.allocated_unshipped
        pool = pools.get(line.sku, [])
        while need > 0 and pool:
            location, have = pool[0]
            take = min(need, have)
            result.append((location, line.line_id, line.sku, take))
            need -= take
            if take == have:
                pool.pop(0)
            else:
                pool[0] = (location, have - take)
    return result
