"""Review of inventory: no oversell, reservations, strategies and policies on hand-computed plans.

Every expected plan below is worked out by hand from the strategy's rule and
written next to the case; properties check the invariants the issue names
(no oversell, conservation, allocated + backordered == ordered, minimal
shipments against a brute-force search).
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
from collections.abc import Sequence

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orderkit.errors import InsufficientStock, OrderkitError, OutOfStock, ValidationError
from orderkit.ids import LineId, LocationId, Sku
from orderkit.inventory import (
    AllocationLine,
    AllocationPlan,
    AllocationPolicy,
    AllocationStrategy,
    Allocator,
    BackorderPolicy,
    ByPriority,
    EarliestEta,
    FewestShipments,
    IncomingBatch,
    NearestFirst,
    ReservationConverted,
    SkuStock,
    StockLocation,
    apply_plan,
    same_country_first,
)

NOW = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
A, B, C = LocationId("A"), LocationId("B"), LocationId("C")
NETWORK = [
    StockLocation(A, priority=1, country="DE"),
    StockLocation(B, priority=2, country="FR"),
    StockLocation(C, priority=3, country="FR"),
]


def _stock(sku: str, **on_hand: int) -> SkuStock:
    stock = SkuStock(Sku(sku))
    for where, units in on_hand.items():
        stock.receive(LocationId(where), units)
    return stock


def _line(line_id: str, sku: str, quantity: int, reservation: str | None = None) -> AllocationLine:
    return AllocationLine(LineId(line_id), Sku(sku), quantity, reservation=reservation)


def _sources(plan: AllocationPlan) -> list[tuple[str, str, int, str | None]]:
    return [
        (line.line_id, part.location, part.quantity, part.batch)
        for line in plan.lines
        for part in line.allocations
    ]


# -- availability and reservations ---------------------------------------------


def test_available_is_never_negative_after_using_an_expired_hold() -> None:
    # 5 on hand, a cart holds all 5 until 09:05; at 09:10 the hold is dead (not yet
    # dropped) and an order takes the 5. Readings without a moment, or at 09:00 when
    # the hold was still live, used to say -5.
    stock = _stock("X", A=5)
    stock.reserve("cart", 5, expires_at=NOW + dt.timedelta(minutes=5), at=NOW)
    later = NOW + dt.timedelta(minutes=10)
    stock.allocate("o-1", {A: 5}, at=later)
    assert stock.available() == 0
    assert stock.available(location=A) == 0
    assert stock.available(at=NOW) == 0
    assert stock.availability(at=NOW) == {A: 0}
    assert stock.available(at=later) == 0
    with pytest.raises(InsufficientStock):
        stock.reserve("cart-2", 1, expires_at=later + dt.timedelta(minutes=1), at=later)


def test_a_reservation_is_live_strictly_before_its_expiry() -> None:
    stock = _stock("X", A=5)
    expiry = NOW + dt.timedelta(minutes=30)
    stock.reserve("cart", 2, expires_at=expiry, at=NOW)
    assert stock.available(at=expiry - dt.timedelta(microseconds=1)) == 3
    assert stock.available(at=expiry) == 5
    with pytest.raises(ValidationError):
        stock.reserve("cart-2", 1, expires_at=NOW, at=NOW)  # dead on arrival
    assert stock.expire_reservations(at=expiry - dt.timedelta(microseconds=1)) == ()
    assert stock.expire_reservations(at=expiry) == ("cart",)


def test_converting_a_cart_reservation_does_not_count_it_twice() -> None:
    # 5 on hand: the cart holds 3 on any location, another cart 2 at A.
    # The order of 3 with its cart uses the cart's 3 units; another order finds 0.
    stock = _stock("X", A=3, B=2)
    stock.reserve("cart", 3, expires_at=NOW + dt.timedelta(minutes=30), at=NOW)
    stock.reserve("other", 2, expires_at=NOW + dt.timedelta(minutes=30), at=NOW, location=A)
    assert stock.available(at=NOW) == 0
    refused = Allocator(ByPriority(), AllocationPolicy.BACKORDER).allocate(
        [_line("1", "X", 3)], [stock], locations=NETWORK, at=NOW
    )
    assert refused.allocated == 0
    plan = Allocator(ByPriority(), AllocationPolicy.REFUSE).allocate(
        [_line("1", "X", 3, reservation="cart")], [stock], locations=NETWORK, at=NOW
    )
    # A has 3 - 2 (other's hold) = 1 free, B 2: priority takes A 1, B 2.
    assert _sources(plan) == [("1", "A", 1, None), ("1", "B", 2, None)]
    apply_plan(plan, [stock], order="order-1", at=NOW)
    assert stock.allocations_of("order-1") == {A: 1, B: 2}
    assert stock.reservation("cart") is None
    assert stock.available(at=NOW) == 0
    assert stock.available() == 0
    assert any(isinstance(e, ReservationConverted) for e in stock.pull_events())


def test_allocate_refuses_a_reservations_argument_that_is_not_a_collection() -> None:
    stock = _stock("X", A=3)
    with pytest.raises(ValidationError, match="reservations"):
        stock.allocate("o-1", {A: 1}, reservations=None)  # type: ignore[arg-type]
    assert stock.orders == ()


# -- strategies against hand-computed plans -----------------------------------


def test_by_priority_walks_locations_in_priority_order() -> None:
    # A(p1) 2, B(p2) 5: 4 units -> A 2, then B 2.
    plan = Allocator(ByPriority()).allocate(
        [_line("1", "X", 4)], [_stock("X", A=2, B=5)], locations=NETWORK
    )
    assert _sources(plan) == [("1", "A", 2, None), ("1", "B", 2, None)]


def test_fewest_shipments_beats_the_greedy_cover() -> None:
    # Demand X2 Y2 Z2. A (first by priority) holds one of each, B holds X2 Y1,
    # C holds Y1 Z2. Greedy (and priority) starts with A and needs all three
    # locations; {B, C} covers everything with two: X 2 B, Y 1 B + 1 C, Z 2 C.
    stocks = [_stock("X", A=1, B=2), _stock("Y", A=1, B=1, C=1), _stock("Z", A=1, C=2)]
    lines = [_line("x", "X", 2), _line("y", "Y", 2), _line("z", "Z", 2)]
    fewest = Allocator(FewestShipments()).allocate(lines, stocks, locations=NETWORK)
    assert fewest.locations == {B, C}
    assert _sources(fewest) == [
        ("x", "B", 2, None),
        ("y", "B", 1, None),
        ("y", "C", 1, None),
        ("z", "C", 2, None),
    ]
    priority = Allocator(ByPriority()).allocate(lines, stocks, locations=NETWORK)
    assert len(priority.locations) == 3
    greedy = Allocator(FewestShipments(exact_budget=0)).allocate(lines, stocks, locations=NETWORK)
    assert len(greedy.locations) <= len(priority.locations)


def test_fewest_shipments_prefers_one_location_and_breaks_ties_by_priority() -> None:
    # A 2, B 5, C 5: 4 units fit in B or C alone; B has the better priority.
    plan = Allocator(FewestShipments()).allocate(
        [_line("1", "X", 4)], [_stock("X", A=2, B=5, C=5)], locations=NETWORK
    )
    assert _sources(plan) == [("1", "B", 4, None)]


def test_earliest_eta_uses_the_shelf_then_the_earlier_batch() -> None:
    # 1 on the shelf at A; batch "late" (A, +9 days, 5), batch "early" (B, +2 days, 5).
    # 7 units: 1 shelf, 5 early, 1 late.
    stock = _stock("X", A=1)
    stock.expect_batch(IncomingBatch("late", 5, NOW + dt.timedelta(days=9), A))
    stock.expect_batch(IncomingBatch("early", 5, NOW + dt.timedelta(days=2), B))
    plan = Allocator(EarliestEta()).allocate(
        [_line("1", "X", 7)], [stock], locations=NETWORK, at=NOW
    )
    assert _sources(plan) == [("1", "A", 1, None), ("1", "B", 5, "early"), ("1", "A", 1, "late")]
    apply_plan(plan, [stock], order="o-1", at=NOW)
    assert stock.batch_available("early") == 0
    assert stock.batch_available("late") == 4


def test_nearest_first_follows_the_host_ranking_then_priority() -> None:
    def ranking(destination: str, locations: Sequence[StockLocation]) -> list[LocationId]:
        assert destination == "Lyon"
        return [C, LocationId("unknown"), C]  # unknown and repeated ids are ignored

    # C first (ranked), then A, B by priority: 6 units -> C 2, A 3, B 1.
    plan = Allocator(NearestFirst(ranking)).allocate(
        [_line("1", "X", 6)], [_stock("X", A=3, B=3, C=2)], locations=NETWORK, destination="Lyon"
    )
    assert _sources(plan) == [("1", "C", 2, None), ("1", "A", 3, None), ("1", "B", 1, None)]


def test_nearest_first_refuses_a_ranking_that_returns_no_sequence() -> None:
    def broken(destination: object, locations: Sequence[StockLocation]) -> list[LocationId]:
        return None  # type: ignore[return-value]

    with pytest.raises(ValidationError, match="ranking"):
        Allocator(NearestFirst(broken)).allocate([_line("1", "X", 1)], [_stock("X", A=1)])


def test_inactive_locations_and_their_batches_are_never_used() -> None:
    stock = _stock("X", A=9, B=2)
    stock.expect_batch(IncomingBatch("po", 9, NOW + dt.timedelta(days=1), A))
    network = [StockLocation(A, priority=0, active=False), StockLocation(B, priority=5)]
    for strategy in (ByPriority(batches=True), FewestShipments(batches=True), EarliestEta()):
        plan = Allocator(strategy).allocate(
            [_line("1", "X", 5)], [stock], locations=network, at=NOW
        )
        assert _sources(plan) == [("1", "B", 2, None)]
        assert plan.lines[0].backordered == 3


def test_two_lines_of_one_sku_share_its_stock_in_order() -> None:
    # A 3, B 2; lines of 2 and 4: line 1 takes A 2, line 2 takes A 1 + B 2 and lacks 1.
    stocks = [_stock("X", A=3, B=2)]
    lines = [_line("1", "X", 2), _line("2", "X", 4)]
    plan = Allocator(ByPriority()).allocate(lines, stocks, locations=NETWORK)
    assert _sources(plan) == [("1", "A", 2, None), ("2", "A", 1, None), ("2", "B", 2, None)]
    assert [ln.backordered for ln in plan.lines] == [0, 1]
    with pytest.raises(OutOfStock) as raised:
        Allocator(ByPriority(), AllocationPolicy.REFUSE).allocate(lines, stocks)
    assert raised.value.shortfalls == {"X": 1}
    complete = Allocator(ByPriority(), AllocationPolicy.SHIP_COMPLETE).allocate(lines, stocks)
    assert complete.allocated == 0
    assert [ln.backordered for ln in complete.lines] == [2, 4]


def test_ship_complete_allocates_nothing_when_part_would_be_backordered() -> None:
    # 3 on hand, 5 ordered, up to 10 may be backordered. BACKORDER takes the 3 and
    # records 2; SHIP_COMPLETE cannot ship the 2 with the rest, so it takes nothing.
    stock = SkuStock(Sku("X"), backorder=BackorderPolicy.allow(10))
    stock.receive(A, 3)
    lines = [_line("1", "X", 5)]
    partial = Allocator(ByPriority(), AllocationPolicy.BACKORDER).allocate(lines, [stock])
    assert (partial.allocated, partial.lines[0].backorder_recorded) == (3, 2)
    complete = Allocator(ByPriority(), AllocationPolicy.SHIP_COMPLETE).allocate(lines, [stock])
    assert (complete.allocated, complete.backordered) == (0, 5)
    assert complete.lines[0].backorder_recorded == 0
    apply_plan(complete, [stock], order="o-1")
    assert (stock.available(), stock.backordered(), stock.orders) == (3, 0, ())
    # REFUSE counts the allowance as cover: nothing to refuse.
    refused = Allocator(ByPriority(), AllocationPolicy.REFUSE).allocate(lines, [stock])
    assert refused.lines == partial.lines


def test_a_backorder_is_filled_only_by_units_allocated_and_otherwise_cancelled() -> None:
    # o-1 holds 4 backordered units. 1 unit arrives: a re-plan allocating 1 and recording
    # 3 fills 1. A re-plan recording 0 and allocating nothing withdraws the other 3.
    stock = SkuStock(Sku("X"), backorder=BackorderPolicy.allow(5))
    stock.allocate("o-1", {}, backorder=4)
    stock.receive(A, 1)
    stock.pull_events()
    stock.allocate("o-1", {A: 1}, backorder=3, replace_backorder=True)
    assert [type(e).__name__ for e in stock.pull_events()] == ["StockAllocated", "BackorderFilled"]
    stock.allocate("o-1", {}, backorder=0, replace_backorder=True)
    events = stock.pull_events()
    assert [(type(e).__name__, getattr(e, "quantity", None)) for e in events] == [
        ("BackorderCancelled", 3)
    ]
    assert stock.backordered("o-1") == 0


# -- properties -------------------------------------------------------------------


@st.composite
def _networks(draw: st.DrawFn) -> tuple[list[StockLocation], list[SkuStock], list[AllocationLine]]:
    count = draw(st.integers(1, 4))
    network = [
        StockLocation(LocationId(f"L{i}"), priority=draw(st.integers(0, 2))) for i in range(count)
    ]
    stocks: list[SkuStock] = []
    lines: list[AllocationLine] = []
    for k in range(draw(st.integers(1, 3))):
        stock = SkuStock(Sku(f"S{k}"))
        for location in network:
            units = draw(st.integers(0, 4))
            if units:
                stock.receive(location.id, units)
        stocks.append(stock)
        lines.extend(
            _line(f"{k}-{j}", f"S{k}", draw(st.integers(1, 6)))
            for j in range(draw(st.integers(1, 2)))
        )
    return network, stocks, lines


@settings(max_examples=150, deadline=None)
@given(_networks(), st.sampled_from(list(AllocationPolicy)))
def test_fewest_shipments_is_minimal_against_brute_force(
    case: tuple[list[StockLocation], list[SkuStock], list[AllocationLine]],
    policy: AllocationPolicy,
) -> None:
    network, stocks, lines = case
    demand: dict[str, int] = {}
    for line in lines:
        demand[line.sku] = demand.get(line.sku, 0) + line.quantity

    def covered(locations: Sequence[LocationId]) -> int:
        return sum(min(demand[s.sku], sum(s.on_hand(where) for where in locations)) for s in stocks)

    ids = [location.id for location in network]
    best = covered(ids)
    smallest = next(
        size
        for size in range(len(ids) + 1)
        if any(covered(combo) == best for combo in itertools.combinations(ids, size))
    )
    try:
        plan = Allocator(FewestShipments(), policy).allocate(lines, stocks, locations=network)
    except OutOfStock:
        assert policy is AllocationPolicy.REFUSE
        assert best < sum(demand.values())
        return
    for line_plan in plan.lines:
        assert line_plan.allocated + line_plan.backordered == line_plan.quantity
    if policy is AllocationPolicy.SHIP_COMPLETE and best < sum(demand.values()):
        assert plan.allocated == 0  # no partial plan
        return
    assert plan.allocated == best
    assert len(plan.locations) == smallest
    priority = Allocator(ByPriority(), policy).allocate(lines, stocks, locations=network)
    assert len(plan.locations) <= len(priority.locations)


_OPS = st.one_of(
    st.tuples(st.just("receive"), st.sampled_from([A, B]), st.integers(1, 6)),
    st.tuples(st.just("adjust"), st.sampled_from([A, B]), st.integers(-6, 6).filter(bool)),
    st.tuples(st.just("move"), st.sampled_from([A, B]), st.integers(1, 6)),
    st.tuples(st.just("allocate"), st.sampled_from([A, B]), st.integers(1, 6)),
    st.tuples(st.just("consume"), st.sampled_from([A, B]), st.integers(1, 6)),
    st.tuples(st.just("deallocate"), st.sampled_from([A, B]), st.just(1)),
)


@settings(max_examples=150, deadline=None)
@given(st.lists(_OPS, max_size=30))
def test_units_are_conserved_under_move_adjust_and_consume(
    ops: list[tuple[str, LocationId, int]],
) -> None:
    stock = SkuStock(Sku("X"))
    for name, where, units in ops:
        other = B if where == A else A
        before = (stock.on_hand(), stock.received, stock.shipped, stock.written_off)
        snapshot = (stock.on_hand(A), stock.on_hand(B), stock.allocated(), stock.pending_events)
        try:
            if name == "receive":
                stock.receive(where, units)
            elif name == "adjust":
                stock.adjust(where, units, reason="count", at=NOW)
            elif name == "move":
                stock.move(where, other, units, at=NOW)
                assert stock.on_hand() == before[0]  # a move never creates or loses units
            elif name == "allocate":
                stock.allocate(f"o-{where}", {where: units}, at=NOW)
            elif name == "consume":
                stock.consume(f"o-{where}", where, units)
            else:
                stock.deallocate(f"o-{where}")
        except OrderkitError:
            after = (stock.on_hand(A), stock.on_hand(B), stock.allocated(), stock.pending_events)
            assert after == snapshot  # a refused operation changes nothing
        assert stock.received == stock.on_hand() + stock.shipped + stock.written_off
        for location in (A, B):
            assert 0 <= stock.allocated(location) <= stock.on_hand(location)
            assert stock.available(location=location) >= 0


@st.composite
def _markets(draw: st.DrawFn) -> tuple[list[StockLocation], list[SkuStock], list[AllocationLine]]:
    """Networks with inactive locations, holds (any location or one), batches, backorders."""
    network = [
        StockLocation(
            LocationId(f"L{i}"),
            priority=draw(st.integers(0, 2)),
            country=draw(st.sampled_from(["DE", "FR"])),
            active=draw(st.booleans() | st.just(True)),
        )
        for i in range(draw(st.integers(1, 4)))
    ]
    ids = [location.id for location in network]
    stocks: list[SkuStock] = []
    lines: list[AllocationLine] = []
    for k in range(draw(st.integers(1, 3))):
        stock = SkuStock(Sku(f"S{k}"), backorder=BackorderPolicy(draw(st.integers(0, 3))))
        for where in ids:
            units = draw(st.integers(0, 5))
            if units:
                stock.receive(where, units)
        for cart in ("c0", "c1"):
            if draw(st.booleans()):
                minutes = draw(st.integers(1, 40))
                place = draw(st.sampled_from([None, *ids]))
                with contextlib.suppress(OrderkitError):
                    stock.reserve(
                        cart,
                        draw(st.integers(1, 4)),
                        expires_at=NOW + dt.timedelta(minutes=minutes),
                        at=NOW,
                        location=place,
                    )
        if draw(st.booleans()):
            days = draw(st.integers(1, 9))
            stock.expect_batch(
                IncomingBatch("po", draw(st.integers(1, 5)), NOW + dt.timedelta(days=days), ids[0])
            )
        stocks.append(stock)
        lines.extend(
            _line(
                f"{k}-{j}",
                f"S{k}",
                draw(st.integers(1, 8)),
                reservation=draw(st.sampled_from([None, "c0", "c1"])),
            )
            for j in range(draw(st.integers(1, 2)))
        )
    return network, stocks, lines


_STRATEGIES = [
    ByPriority(),
    ByPriority(batches=True),
    FewestShipments(),
    FewestShipments(batches=True),
    NearestFirst(same_country_first),
    EarliestEta(),
]


@settings(max_examples=200, deadline=None)
@given(
    _markets(),
    st.sampled_from(_STRATEGIES),
    st.sampled_from(list(AllocationPolicy)),
    st.integers(0, 45),
)
def test_any_plan_applies_and_never_oversells(
    market: tuple[list[StockLocation], list[SkuStock], list[AllocationLine]],
    strategy: AllocationStrategy,
    policy: AllocationPolicy,
    minutes: int,
) -> None:
    network, stocks, lines = market
    at = NOW + dt.timedelta(minutes=minutes)
    active = {location.id for location in network if location.active}
    try:
        plan = Allocator(strategy, policy).allocate(
            lines, stocks, locations=network, at=at, destination="FR"
        )
    except OutOfStock:
        assert policy is AllocationPolicy.REFUSE
        return
    for line_plan, line in zip(plan.lines, lines, strict=True):
        assert line_plan.allocated + line_plan.backordered == line.quantity
        assert line_plan.locations <= active
    if policy is AllocationPolicy.SHIP_COMPLETE:
        assert plan.complete or plan.allocated == 0  # all or nothing, never a partial plan
    apply_plan(plan, stocks, order="ORDER", at=at)  # planned on this very state: must fit
    for stock in stocks:
        assert stock.available(at=at) >= 0
        assert stock.available() >= 0
        assert stock.backordered() <= stock.backorder.limit
        for where in stock.locations:
            assert 0 <= stock.allocated(where) <= stock.on_hand(where)
            assert stock.available(at=at, location=where) >= 0
