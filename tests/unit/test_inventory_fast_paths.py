"""The allocator's fast paths equal the straightforward code they replaced, on drawn inputs.

Each reference below walks every location for every SKU (SKUs x locations),
as the allocator and the fewest-shipments strategy once did; the library
now visits only the locations holding each SKU. Same units, same locations,
same order, same tie-breaks.
"""

from __future__ import annotations

import itertools
import math
from collections import Counter
from collections.abc import Mapping, Sequence

from hypothesis import given
from hypothesis import strategies as st

from orderkit.ids import LocationId, Sku
from orderkit.inventory import (
    AllocationLine,
    AllocationStrategy,
    Allocator,
    ByPriority,
    EarliestEta,
    FewestShipments,
    LinePlan,
    NearestFirst,
    PlannedAllocation,
    SkuStock,
    SourcingRequest,
    StockLocation,
    same_country_first,
)
from orderkit.inventory._allocator import _active_locations, _distribute, _index_stocks
from orderkit.inventory._strategies import _greedy_cover
from orderkit.testing.strategies import (
    allocation_lines,
    fewest_shipments_strategies,
    sku_stocks,
    stock_locations,
)
from orderkit.testing.strategies._inventory import BASE_TIME

_Take = tuple[LocationId, int, str | None]
IDS = [LocationId(f"L{i}") for i in range(6)]
SKUS = [Sku(f"S{i}") for i in range(4)]


def reference_fill(
    request: SourcingRequest, order: Sequence[LocationId]
) -> tuple[int, list[LocationId]]:
    covered = 0
    used: list[LocationId] = []
    for sku, wanted in request.demand.items():
        remaining = min(wanted, request.caps.get(sku, 0))
        at_sku = request.stock.get(sku, {})
        for location in order:
            if remaining <= 0:
                break
            take = min(at_sku.get(location, 0), remaining)
            if take > 0:
                remaining -= take
                covered += take
                if location not in used:
                    used.append(location)
    return covered, used


def reference_greedy(request: SourcingRequest, order: list[LocationId]) -> list[LocationId]:
    rank = {loc: i for i, loc in enumerate(order)}
    remaining = {sku: min(q, request.caps.get(sku, 0)) for sku, q in request.demand.items()}
    gains: dict[LocationId, int] = {}
    picked: list[LocationId] = []
    while True:
        gains = {
            loc: sum(
                min(request.stock.get(sku, {}).get(loc, 0), left)
                for sku, left in remaining.items()
                if request.stock.get(sku, {}).get(loc, 0) > 0
            )
            for loc in order
            if loc not in picked
        }
        best = max(((g, -rank[loc], loc) for loc, g in gains.items() if g > 0), default=None)
        if best is None:
            return picked
        location = best[2]
        picked.append(location)
        for sku, left in remaining.items():
            qty = request.stock.get(sku, {}).get(location, 0)
            if qty > 0:
                remaining[sku] = left - min(qty, left)


def reference_exact(
    request: SourcingRequest, order: list[LocationId], at_most: int, budget: int
) -> list[LocationId] | None:
    wanted = {sku: min(q, request.caps.get(sku, 0)) for sku, q in request.demand.items()}
    held = [
        (sku, location, qty)
        for sku, need in wanted.items()
        if need > 0
        for location, qty in request.stock.get(sku, {}).items()
        if qty > 0
    ]
    candidates = [loc for loc in order if any(where == loc for _, where, _ in held)]
    combos = sum(math.comb(len(candidates), k) for k in range(1, at_most + 1))
    if combos * max(len(held), 1) > budget or not candidates:
        return None
    best = sum(
        min(need, sum(q * candidates.count(where) for s, where, q in held if s == sku))
        for sku, need in wanted.items()
    )
    for combo in itertools.chain.from_iterable(
        itertools.combinations(candidates, k) for k in range(1, at_most + 1)
    ):
        units = sum(
            min(need, sum(q * combo.count(where) for s, where, q in held if s == sku))
            for sku, need in wanted.items()
        )
        if units == best:
            return list(combo)
    return None


def reference_rank(strategy: FewestShipments, request: SourcingRequest) -> list[LocationId]:
    order = [loc.id for loc in request.locations]
    rank_of = {loc: i for i, loc in enumerate(order)}
    best: tuple[int, int, list[int]] | None = None
    chosen: list[LocationId] = order
    for candidate in (reference_greedy(request, order), order):
        covered, used = reference_fill(request, candidate)
        key = (-covered, len(used), sorted(rank_of[loc] for loc in used))
        if best is None or key < best:
            best = key
            chosen = sorted(used, key=rank_of.__getitem__)
    exact = reference_exact(request, order, len(chosen), strategy.exact_budget)
    if exact is not None:
        chosen = exact
    return [*chosen, *(loc for loc in order if loc not in chosen)]


def reference_shelf_takes(
    strategy: AllocationStrategy, request: SourcingRequest, active: tuple[StockLocation, ...]
) -> dict[Sku, list[_Take]]:
    """On-hand takes only: the batch part that follows them is unchanged code."""
    ranked = list(strategy.rank(request))
    known = {loc.id for loc in active}
    order = [loc for i, loc in enumerate(ranked) if loc in known and loc not in ranked[:i]]
    takes: dict[Sku, list[_Take]] = {}
    for sku, wanted in request.demand.items():
        remaining = wanted
        cap = request.caps.get(sku, 0)
        at_sku = request.stock.get(sku, {})
        takes[sku] = []
        for location in order:
            take = min(at_sku.get(location, 0), remaining, cap)
            if take > 0:
                takes[sku].append((location, take, None))
                remaining -= take
                cap -= take
    return takes


def reference_distribute(
    lines: list[AllocationLine],
    takes: Mapping[Sku, list[_Take]],
    by_sku: Mapping[Sku, SkuStock],
    order: str | None,
) -> list[LinePlan]:
    """Unit by unit: each line takes its SKU's next units; the rest is backordered if allowed."""
    units = {
        sku: [(location, batch) for location, qty, batch in chosen for _ in range(qty)]
        for sku, chosen in takes.items()
    }
    recorded_so_far: dict[Sku, int] = {}
    plans: list[LinePlan] = []
    for line in lines:
        mine, units[line.sku] = (
            units[line.sku][: line.quantity],
            units[line.sku][line.quantity :],
        )
        counts = Counter(mine)
        short = line.quantity - len(mine)
        stock = by_sku.get(line.sku)
        allowed = 0
        if stock is not None:
            own = stock.backordered(order) if order is not None else 0
            allowed = max(stock.backorder.limit - stock.backordered() + own, 0)
        recorded = min(short, allowed - recorded_so_far.get(line.sku, 0))
        recorded_so_far[line.sku] = recorded_so_far.get(line.sku, 0) + recorded
        plans.append(
            LinePlan(
                line.line_id,
                line.sku,
                line.quantity,
                tuple(PlannedAllocation(loc, n, batch) for (loc, batch), n in counts.items()),
                short,
                recorded,
                line.reservation,
            )
        )
    return plans


@st.composite
def sourcing_requests(draw: st.DrawFn) -> SourcingRequest:
    """Raw requests, as a host's own strategy might see them: any stock, caps, locations.

    Locations may even repeat (the allocator never sends that; a host might).
    """
    ids = draw(st.lists(st.sampled_from(IDS), min_size=1, max_size=5, unique=draw(st.booleans())))
    locations = tuple(draw(stock_locations(st.just(location_id))) for location_id in ids)
    skus = draw(st.lists(st.sampled_from(SKUS), min_size=1, max_size=4, unique=True))
    demand = {sku: draw(st.integers(1, 12)) for sku in skus}
    stock = {
        sku: draw(st.dictionaries(st.sampled_from(IDS), st.integers(-2, 8), max_size=6))
        for sku in draw(st.lists(st.sampled_from(SKUS), unique=True))
    }
    caps = {sku: draw(st.integers(0, 20)) for sku in draw(st.lists(st.sampled_from(SKUS)))}
    return SourcingRequest(demand, stock, caps, locations)


@given(sourcing_requests(), st.lists(st.sampled_from(IDS), max_size=8))
def test_fill_matches_the_reference(request: SourcingRequest, order: list[LocationId]) -> None:
    assert request.fill(order) == reference_fill(request, order)


@given(sourcing_requests())
def test_greedy_cover_picks_as_the_reference(request: SourcingRequest) -> None:
    order = [loc.id for loc in request.locations]
    assert _greedy_cover(request, order) == reference_greedy(request, order)


@given(sourcing_requests(), fewest_shipments_strategies())
def test_fewest_shipments_ranks_as_the_reference(
    request: SourcingRequest, strategy: FewestShipments
) -> None:
    assert list(strategy.rank(request)) == reference_rank(strategy, request)


@st.composite
def allocations(
    draw: st.DrawFn,
) -> tuple[list[StockLocation], list[SkuStock], list[AllocationLine], str | None]:
    ids = draw(st.lists(st.sampled_from(IDS), min_size=1, max_size=5, unique=True))
    network = [draw(stock_locations(st.just(location_id))) for location_id in ids]
    stocked = draw(st.lists(st.sampled_from(SKUS), unique=True, max_size=4))
    stocks = [draw(sku_stocks(sku=sku, locations=ids, max_units=25)) for sku in stocked]
    lines = draw(allocation_lines(st.sampled_from(SKUS), max_size=6, max_quantity=25))
    order = draw(st.none() | st.sampled_from(["order-0", "order-1", "new"]))
    return network, stocks, lines, order


STRATEGIES: list[AllocationStrategy] = [
    ByPriority(),
    ByPriority(batches=True),
    FewestShipments(),
    FewestShipments(batches=True, exact_budget=0),
    NearestFirst(same_country_first),
    EarliestEta(),
]


@given(allocations(), st.sampled_from(STRATEGIES), st.sampled_from(["DE", "FR", None]))
def test_allocator_takes_and_distributes_as_the_reference(
    case: tuple[list[StockLocation], list[SkuStock], list[AllocationLine], str | None],
    strategy: AllocationStrategy,
    destination: str | None,
) -> None:
    network, stocks, lines, order = case
    allocator = Allocator(strategy)
    by_sku = _index_stocks(stocks)
    active = _active_locations(network)
    request = allocator._request(lines, by_sku, active, BASE_TIME, destination)
    takes = allocator._takes(request, by_sku, active)
    shelf = {sku: [take for take in chosen if take[2] is None] for sku, chosen in takes.items()}
    assert shelf == reference_shelf_takes(strategy, request, active)
    expected = reference_distribute(lines, takes, by_sku, order)
    assert _distribute(lines, takes, by_sku, order) == expected
    plan = allocator.allocate(
        lines, stocks, locations=network, at=BASE_TIME, destination=destination, order=order
    )
    assert list(plan.lines) == expected


def test_the_references_on_a_hand_computed_cover() -> None:
    """B covers most (5 units), then C the rest; no single location covers all 8."""
    a, b, c = order = [LocationId(n) for n in "ABC"]
    locations = tuple(StockLocation(loc, priority=i) for i, loc in enumerate(order))
    request = SourcingRequest(
        {Sku("X"): 4, Sku("Y"): 4},
        {Sku("X"): {a: 2, b: 4}, Sku("Y"): {b: 1, c: 4}},
        {Sku("X"): 9, Sku("Y"): 9},
        locations,
    )
    assert reference_greedy(request, order) == [b, c]
    assert reference_fill(request, [b, c]) == (8, [b, c])
    assert list(FewestShipments().rank(request)) == [b, c, a]


def test_a_repeated_location_is_ranked_as_the_reference() -> None:
    """Listed twice, a location's stock counts twice in the exact search: no shortcut then."""
    a = LocationId("A")
    request = SourcingRequest(
        {Sku("X"): 2}, {Sku("X"): {a: 1}}, {Sku("X"): 2}, (StockLocation(a), StockLocation(a))
    )
    strategy = FewestShipments()
    assert list(strategy.rank(request)) == reference_rank(strategy, request) == [a]
