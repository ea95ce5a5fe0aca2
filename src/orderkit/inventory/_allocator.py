"""The allocator: plans an order's allocation without changing anything, then applies it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

import attrs

from orderkit.errors import NotFound, OutOfStock, ValidationError
from orderkit.ids import LineId, LocationId, Sku
from orderkit.inventory._plan import (
    AllocationLine,
    AllocationPlan,
    AllocationPolicy,
    LinePlan,
    PlannedAllocation,
)
from orderkit.inventory._stock import SkuStock
from orderkit.inventory._strategies import AllocationStrategy, ByPriority, SourcingRequest
from orderkit.inventory._values import StockLocation, _check_moment, _check_text

__all__ = ["Allocator", "apply_plan"]

_Take = tuple[LocationId, int, str | None]


def _listed(values: object, what: str) -> list[object]:
    """``values`` as a list, or a ValidationError naming ``what`` (never a bare TypeError)."""
    if isinstance(values, str | bytes) or not isinstance(values, Iterable):
        raise ValidationError(f"{what} must be an iterable, got {values!r}", path=what)
    return list(values)


def _check_strategy(_: object, __: object, strategy: object) -> None:
    for member in ("name", "uses_batches", "rank"):
        if not hasattr(strategy, member):
            raise ValidationError(
                f"strategy {strategy!r} has no {member!r}: not an AllocationStrategy",
                path="strategy",
            )


def _policy(value: object) -> AllocationPolicy:
    """Accept a policy or its value (``"refuse"``); name the known ones otherwise."""
    if isinstance(value, AllocationPolicy):
        return value
    if isinstance(value, str) and value in {p.value for p in AllocationPolicy}:
        return AllocationPolicy(value)
    known = ", ".join(p.value for p in AllocationPolicy)
    raise ValidationError(f"unknown allocation policy {value!r} (known: {known})", path="policy")


def _optional_locations(value: object) -> tuple[StockLocation, ...] | None:
    if value is None:
        return None
    listed = _listed(value, "locations")
    for location in listed:
        if not isinstance(location, StockLocation):
            raise ValidationError(f"expected StockLocation, got {location!r}", path="locations")
    return tuple(location for location in listed if isinstance(location, StockLocation))


def _locations_of(stocks: Iterable[SkuStock]) -> list[StockLocation]:
    """Every location the stocks mention, all active with equal priority (ordered by id)."""
    ids: set[LocationId] = set()
    for stock in stocks:
        ids.update(stock.locations)
        ids.update(batch.destination for batch in stock.batches)
    return [StockLocation(location) for location in sorted(ids)]


def _index_stocks(stocks: Iterable[SkuStock] | Mapping[Sku, SkuStock]) -> dict[Sku, SkuStock]:
    values = _listed(stocks.values() if isinstance(stocks, Mapping) else stocks, "stocks")
    indexed: dict[Sku, SkuStock] = {}
    for stock in values:
        if not isinstance(stock, SkuStock):
            raise ValidationError(f"expected SkuStock, got {stock!r}", path="stocks")
        if stock.sku in indexed:
            raise ValidationError(f"sku {stock.sku!r} given twice", path="stocks")
        indexed[stock.sku] = stock
    return indexed


def _active_locations(locations: Iterable[StockLocation]) -> tuple[StockLocation, ...]:
    seen: set[LocationId] = set()
    active = []
    for location in _listed(locations, "locations"):
        if not isinstance(location, StockLocation):
            raise ValidationError(f"expected StockLocation, got {location!r}", path="locations")
        if location.id in seen:
            raise ValidationError(f"location {location.id!r} given twice", path="locations")
        seen.add(location.id)
        if location.active:
            active.append(location)
    return tuple(sorted(active, key=lambda loc: (loc.priority, loc.id)))


@attrs.frozen
class Allocator:
    """Plans where an order's units come from: a strategy ranks, a policy decides on shortage.

    :meth:`allocate` reads the stocks and changes nothing; :func:`apply_plan`
    then commits a plan to every SKU at once or not at all. ``locations``
    (the host's network, with priorities and active flags) may be given
    here or per call; without either, every location the stocks mention is
    used, active and of equal priority, in id order.

    .. versionadded:: 0.1
    """

    strategy: AllocationStrategy = attrs.field(factory=ByPriority, validator=_check_strategy)
    policy: AllocationPolicy = attrs.field(default=AllocationPolicy.BACKORDER, converter=_policy)
    locations: tuple[StockLocation, ...] | None = attrs.field(
        default=None, converter=_optional_locations
    )

    def allocate(
        self,
        lines: Iterable[AllocationLine],
        stocks: Iterable[SkuStock] | Mapping[Sku, SkuStock],
        *,
        locations: Iterable[StockLocation] | None = None,
        at: dt.datetime | None = None,
        destination: object = None,
        order: str | None = None,
    ) -> AllocationPlan:
        """Plan the allocation of ``lines`` from ``stocks`` at the moment ``at``.

        Lines of the same SKU compete for the same stock, in the order given.
        Inactive locations, and locations not listed, are never used
        (``locations`` defaults to the allocator's, then to every location
        the stocks mention). Without ``at`` every stored reservation counts
        as live, which never oversells but may under-allocate: pass the
        moment. ``destination`` is passed to the strategy (see
        :class:`NearestFirst`).
        When re-planning an order that already holds backorders, pass its
        reference as ``order``: its own backorders then count as allowance
        for it (applying the plan replaces them).

        Raises:
            OutOfStock: under :attr:`AllocationPolicy.REFUSE`, naming every
                SKU that cannot be covered and by how much.
            ValidationError: duplicate line ids, SKUs or locations.
        """
        _check_moment(at, "at")
        order_lines: list[AllocationLine] = []
        ids: set[LineId] = set()
        for line in _listed(lines, "lines"):
            if not isinstance(line, AllocationLine):
                raise ValidationError(f"expected AllocationLine, got {line!r}", path="lines")
            order_lines.append(line)
            if line.line_id in ids:
                raise ValidationError(f"line {line.line_id!r} given twice", path="lines")
            ids.add(line.line_id)
        by_sku = _index_stocks(stocks)
        active = _active_locations(
            locations
            if locations is not None
            else self.locations
            if self.locations is not None
            else _locations_of(by_sku.values())
        )
        request = self._request(order_lines, by_sku, active, at, destination)
        takes = self._takes(request, by_sku, active)
        if order is not None:
            _check_text(order, "order")
        plans = _distribute(order_lines, takes, by_sku, order)
        shortfalls: dict[Sku, int] = {}
        for plan in plans:
            if plan.unallocated:
                shortfalls[plan.sku] = shortfalls.get(plan.sku, 0) + plan.unallocated
        if shortfalls and self.policy is AllocationPolicy.REFUSE:
            raise OutOfStock({str(sku): units for sku, units in shortfalls.items()})
        if self.policy is AllocationPolicy.SHIP_COMPLETE and any(p.backordered for p in plans):
            # All or nothing: units promised against the backorder allowance cannot ship
            # now either, so a plan needing any of them would be a partial shipment.
            plans = [
                LinePlan(p.line_id, p.sku, p.quantity, (), p.quantity, 0, p.reservation)
                for p in plans
            ]
        return AllocationPlan(tuple(plans), self.policy, self.strategy.name)

    @staticmethod
    def _request(
        lines: list[AllocationLine],
        by_sku: Mapping[Sku, SkuStock],
        active: tuple[StockLocation, ...],
        at: dt.datetime | None,
        destination: object,
    ) -> SourcingRequest:
        demand: dict[Sku, int] = {}
        holds: dict[Sku, set[str]] = {}
        for line in lines:
            demand[line.sku] = demand.get(line.sku, 0) + line.quantity
            if line.reservation is not None:
                holds.setdefault(line.sku, set()).add(line.reservation)
        active_ids = {loc.id for loc in active}
        stock: dict[Sku, dict[LocationId, int]] = {}
        caps: dict[Sku, int] = {}
        for sku in demand:
            found = by_sku.get(sku)
            if found is None:
                stock[sku], caps[sku] = {}, 0
                continue
            per_location, total = found._availability(at)  # one pass, the stock's own rule
            usable = {loc: max(q, 0) for loc, q in per_location.items() if loc in active_ids}
            cap = max(total, 0)
            for reference in sorted(holds.get(sku, ())):
                hold = found.reservation(reference)
                if hold is None or (at is not None and not hold.is_live(at)):
                    continue
                cap += hold.quantity
                if hold.location is not None and hold.location in active_ids:
                    usable[hold.location] = usable.get(hold.location, 0) + hold.quantity
            stock[sku], caps[sku] = usable, cap
        return SourcingRequest(demand, stock, caps, active, destination)

    def _takes(
        self,
        request: SourcingRequest,
        by_sku: Mapping[Sku, SkuStock],
        active: tuple[StockLocation, ...],
    ) -> dict[Sku, list[_Take]]:
        """Per SKU, the units to take from each source, in the strategy's order.

        Each SKU visits only the locations holding it (sorted by rank), so the
        cost follows the stock entries rather than SKUs x locations.
        """
        known = {loc.id for loc in active}
        rank: dict[LocationId, int] = {}
        for location in self.strategy.rank(request):
            if location in known and location not in rank:
                rank[location] = len(rank)
        position = {loc.id: i for i, loc in enumerate(active)}
        takes: dict[Sku, list[_Take]] = {}
        for sku, wanted in request.demand.items():
            remaining = wanted
            cap = request.caps.get(sku, 0)
            chosen: list[_Take] = []
            walk = sorted(
                (rank[location], location, qty)
                for location, qty in request.stock.get(sku, {}).items()
                if qty > 0 and location in rank
            )
            for _, location, qty in walk:
                if remaining <= 0 or cap <= 0:
                    break
                take = min(qty, remaining, cap)
                chosen.append((location, take, None))
                remaining -= take
                cap -= take
            found = by_sku.get(sku)
            if remaining > 0 and found is not None and self.strategy.uses_batches:
                batches = sorted(
                    (b for b in found.batches if b.destination in position),
                    key=lambda b: (b.eta, position[b.destination], b.reference),
                )
                for batch in batches:
                    take = min(found.batch_available(batch.reference), remaining)
                    if take > 0:
                        chosen.append((batch.destination, take, batch.reference))
                        remaining -= take
                    if remaining == 0:
                        break
            takes[sku] = chosen
        return takes


def _allowance(stock: SkuStock | None, order: str | None) -> int:
    """Units the SKU may still backorder (the order's own backorders count for it)."""
    if stock is None:
        return 0
    own = stock.backordered(order) if order is not None else 0
    return max(stock.backorder.limit - stock.backordered() + own, 0)


def _distribute(
    lines: list[AllocationLine],
    takes: Mapping[Sku, list[_Take]],
    by_sku: Mapping[Sku, SkuStock],
    order: str | None,
) -> list[LinePlan]:
    """Hand each SKU's takes to its lines in order; record backorders within the allowance."""
    queues = {sku: list(chosen) for sku, chosen in takes.items()}
    allowance: dict[Sku, int] = {}  # read only for SKUs some line cannot get from stock
    plans: list[LinePlan] = []
    for line in lines:
        queue = queues[line.sku]
        need = line.quantity
        merged: dict[tuple[LocationId, str | None], int] = {}
        while need and queue:
            location, qty, batch = queue[0]
            take = min(qty, need)
            merged[(location, batch)] = merged.get((location, batch), 0) + take
            need -= take
            if take == qty:
                queue.pop(0)
            else:
                queue[0] = (location, qty - take, batch)
        recorded = 0
        if need:
            left = allowance.get(line.sku)
            if left is None:
                left = _allowance(by_sku.get(line.sku), order)
            recorded = min(need, left)
            allowance[line.sku] = left - recorded
        allocations = tuple(PlannedAllocation(loc, q, b) for (loc, b), q in merged.items())
        plans.append(
            LinePlan(
                line.line_id, line.sku, line.quantity, allocations, need, recorded, line.reservation
            )
        )
    return plans


def apply_plan(
    plan: AllocationPlan,
    stocks: Iterable[SkuStock] | Mapping[Sku, SkuStock],
    *,
    order: str,
    at: dt.datetime | None = None,
) -> None:
    """Commit ``plan`` for ``order`` to the stocks: every SKU or none.

    Each SKU is checked first (:meth:`SkuStock.check_allocation`); only when
    all pass is anything changed. Cart reservations named by the lines are
    converted into the allocation. The plan is taken to cover everything the
    order still lacks of each SKU it allocates: the order's backorder for
    that SKU becomes what the plan records (``replace_backorder``), so a
    re-plan after stock arrived fills earlier backorders instead of adding.

    Raises:
        InsufficientStock: the stock changed since the plan was made.
        NotFound: a SKU or batch the plan uses is not among ``stocks``.
    """
    _check_text(order, "order")
    if not isinstance(plan, AllocationPlan):
        raise ValidationError(f"expected an AllocationPlan, got {plan!r}", path="plan")
    by_sku = _index_stocks(stocks)
    calls: list[tuple[SkuStock, dict[LocationId, int], dict[str, int], int, set[str]]] = []
    grouped: dict[Sku, tuple[dict[LocationId, int], dict[str, int], list[int], set[str]]] = {}
    for line in plan.lines:
        quantities, batches, backorder, holds = grouped.setdefault(line.sku, ({}, {}, [0], set()))
        for part in line.allocations:
            if part.batch is None:
                quantities[part.location] = quantities.get(part.location, 0) + part.quantity
            else:
                batches[part.batch] = batches.get(part.batch, 0) + part.quantity
        backorder[0] += line.backorder_recorded
        if line.reservation is not None:
            holds.add(line.reservation)
    for sku, (quantities, batches, backorder, holds) in grouped.items():
        stock = by_sku.get(sku)
        held = stock.backordered(order) if stock is not None else 0
        if not quantities and not batches and backorder[0] == held:
            continue  # nothing changes for this sku
        if stock is None:
            raise NotFound("stock of sku", sku)
        calls.append((stock, quantities, batches, backorder[0], holds))
    # Check every SKU first, then commit what was checked: all or nothing, one check each.
    prepared = [
        (
            stock,
            stock._prepare_allocation(
                order,
                quantities,
                at=at,
                batches=batches,
                backorder=backorder_units,
                replace_backorder=True,
                reservations=holds,
            ),
            backorder_units,
        )
        for stock, quantities, batches, backorder_units, holds in calls
    ]
    for stock, checked, backorder_units in prepared:
        before = stock._low_stock_base(at)
        stock._commit_allocation(
            order, checked, backorder=backorder_units, replace_backorder=True, at=at, before=before
        )
