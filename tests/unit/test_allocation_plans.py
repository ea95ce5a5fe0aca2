"""Allocator plans: strategies, policies, combined demand, reservations, all-or-nothing apply."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderkit.errors import InsufficientStock, OutOfStock, ValidationError
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
    PlannedAllocation,
    SkuStock,
    StockLocation,
    apply_plan,
    same_country_first,
)
from orderkit.serialization import converter
from orderkit.testing.strategies import allocation_lines, sku_stocks, stock_locations
from orderkit.testing.strategies._inventory import BASE_TIME

T0 = BASE_TIME
SKUS = [Sku("RED"), Sku("BLUE"), Sku("GREEN")]


def loc(name: str, priority: int, country: str = "DE", *, active: bool = True) -> StockLocation:
    return StockLocation(
        LocationId(name), name=name, priority=priority, country=country, active=active
    )


def line(line_id: str, sku: str, quantity: int, reservation: str | None = None) -> AllocationLine:
    return AllocationLine(LineId(line_id), Sku(sku), quantity, reservation)


def stock(sku: str, **on_hand: int) -> SkuStock:
    result = SkuStock(Sku(sku))
    for where, units in on_hand.items():
        result.receive(LocationId(where), units)
    return result


@st.composite
def scenarios(draw: st.DrawFn) -> tuple[list[StockLocation], list[SkuStock], list[AllocationLine]]:
    ids = [LocationId(f"L{i}") for i in range(draw(st.integers(1, 5)))]
    network = [draw(stock_locations(st.just(location_id))) for location_id in ids]
    stocked = draw(st.lists(st.sampled_from(SKUS), unique=True, max_size=3))
    stocks = [draw(sku_stocks(sku=sku, locations=ids, max_units=25)) for sku in stocked]
    lines = draw(allocation_lines(st.sampled_from(SKUS), max_size=5, max_quantity=25))
    return network, stocks, lines


STRATEGIES: list[AllocationStrategy] = [
    ByPriority(),
    FewestShipments(),
    NearestFirst(same_country_first),
    EarliestEta(),
    ByPriority(batches=True),
]


def used_per_source(plan: AllocationPlan) -> dict[tuple[Sku, LocationId, str | None], int]:
    used: dict[tuple[Sku, LocationId, str | None], int] = {}
    for line_plan in plan.lines:
        for part in line_plan.allocations:
            key = (line_plan.sku, part.location, part.batch)
            used[key] = used.get(key, 0) + part.quantity
    return used


@given(scenarios(), st.sampled_from(STRATEGIES), st.sampled_from(["DE", "FR", None]))
def test_every_plan_is_sound_and_mutates_nothing(
    scenario: Any, strategy: Any, destination: Any
) -> None:
    network, stocks, lines = scenario
    before = [converter.unstructure(s) for s in stocks]
    plan = Allocator(strategy).allocate(
        lines, stocks, locations=network, at=T0, destination=destination
    )
    assert [converter.unstructure(s) for s in stocks] == before
    assert [p.line_id for p in plan.lines] == [ln.line_id for ln in lines]
    active = {location.id for location in network if location.active}
    by_sku = {s.sku: s for s in stocks}
    for line_plan, wanted in zip(plan.lines, lines, strict=True):
        assert line_plan.allocated + line_plan.backordered == wanted.quantity
        assert line_plan.locations <= active
    for (sku, where, batch), units in used_per_source(plan).items():
        found = by_sku[sku]
        if batch is None:
            assert units <= found.available(at=T0, location=where)
        else:
            assert strategy.uses_batches
            assert units <= found.batch_available(batch)
    for sku in {ln.sku for ln in lines}:
        on_shelf = sum(
            u for (s, _, b), u in used_per_source(plan).items() if s == sku and b is None
        )
        assert on_shelf <= (by_sku[sku].available(at=T0) if sku in by_sku else 0)


@given(scenarios())
def test_fewest_shipments_never_uses_more_locations_than_priority(scenario: Any) -> None:
    network, stocks, lines = scenario
    by_priority = Allocator(ByPriority()).allocate(lines, stocks, locations=network, at=T0)
    fewest = Allocator(FewestShipments()).allocate(lines, stocks, locations=network, at=T0)
    greedy = Allocator(FewestShipments(exact_budget=0)).allocate(
        lines, stocks, locations=network, at=T0
    )
    assert len(fewest.locations) <= len(greedy.locations) <= len(by_priority.locations)
    assert fewest.allocated == greedy.allocated == by_priority.allocated


@given(scenarios())
def test_ship_complete_is_all_or_nothing_and_refuse_names_the_shortfalls(scenario: Any) -> None:
    network, stocks, lines = scenario
    partial = Allocator(ByPriority(), AllocationPolicy.BACKORDER).allocate(
        lines, stocks, locations=network, at=T0
    )
    complete = Allocator(ByPriority(), AllocationPolicy.SHIP_COMPLETE).allocate(
        lines, stocks, locations=network, at=T0
    )
    if not partial.complete:  # anything backordered, even within the allowance
        assert complete.allocated == 0
        assert all(
            p.backordered == p.quantity and p.backorder_recorded == 0 for p in complete.lines
        )
    else:
        assert complete == attrs.evolve(partial, policy=AllocationPolicy.SHIP_COMPLETE)
    if partial.shortfalls:
        with pytest.raises(OutOfStock) as raised:
            Allocator(ByPriority(), AllocationPolicy.REFUSE).allocate(
                lines, stocks, locations=network, at=T0
            )
        assert raised.value.shortfalls == {str(k): v for k, v in partial.shortfalls.items()}
    else:
        refused = Allocator(ByPriority(), AllocationPolicy.REFUSE).allocate(
            lines, stocks, locations=network, at=T0
        )
        assert refused.lines == partial.lines


@given(scenarios(), st.sampled_from(STRATEGIES))
def test_applying_a_plan_allocates_exactly_it(scenario: Any, strategy: Any) -> None:
    network, stocks, lines = scenario
    by_sku = {s.sku: s for s in stocks}
    lines = [ln for ln in lines if ln.sku in by_sku]
    plan = Allocator(strategy).allocate(lines, stocks, locations=network, at=T0)
    apply_plan(plan, stocks, order="ORDER", at=T0)
    for sku, found in by_sku.items():
        shelf: dict[LocationId, int] = {}
        batches: dict[str, int] = {}
        for (s, where, batch), units in used_per_source(plan).items():
            if s != sku:
                continue
            if batch is None:
                shelf[where] = shelf.get(where, 0) + units
            else:
                batches[batch] = batches.get(batch, 0) + units
        assert found.allocations_of("ORDER") == shelf
        assert found.batch_allocations_of("ORDER") == batches
        recorded = sum(p.backorder_recorded for p in plan.lines if p.sku == sku)
        assert found.backordered("ORDER") == recorded
        assert found.backordered() <= found.backorder.limit
        for where in found.locations:
            assert found.allocated(where) <= found.on_hand(where)
        assert found.available(at=T0) >= 0


def test_applying_is_all_or_nothing() -> None:
    network = [loc("A", 1)]
    red, blue = stock("RED", A=2), stock("BLUE", A=2)
    plan = Allocator().allocate(
        [line("1", "RED", 2), line("2", "BLUE", 2)], [red, blue], locations=network, at=T0
    )
    blue.allocate("someone", {LocationId("A"): 1}, at=T0)
    before = converter.unstructure(red)
    with pytest.raises(InsufficientStock):
        apply_plan(plan, [red, blue], order="o1", at=T0)
    assert converter.unstructure(red) == before
    assert "o1" not in blue.orders


def test_lines_of_the_same_sku_compete_for_the_same_stock() -> None:
    plan = Allocator().allocate(
        [line("1", "RED", 3), line("2", "RED", 3)],
        [stock("RED", A=4)],
        locations=[loc("A", 1)],
        at=T0,
    )
    assert [(p.allocated, p.backordered) for p in plan.lines] == [(3, 0), (1, 2)]
    assert plan.shortfalls == {"RED": 2}


def test_priority_order_and_inactive_locations() -> None:
    network = [loc("far", 5), loc("near", 1), loc("closed", 0, active=False)]
    stocks = [stock("RED", far=5, near=2, closed=10)]
    plan = Allocator(ByPriority()).allocate([line("1", "RED", 4)], stocks, locations=network, at=T0)
    assert plan.lines[0].allocations == (
        PlannedAllocation(LocationId("near"), 2),
        PlannedAllocation(LocationId("far"), 2),
    )


def test_fewest_shipments_prefers_one_location_covering_everything() -> None:
    network = [loc("A", 1), loc("B", 2), loc("C", 3)]
    stocks = [stock("RED", A=1, B=1, C=2), stock("BLUE", A=1, B=1, C=1)]
    lines = [line("1", "RED", 2), line("2", "BLUE", 1)]
    assert Allocator(ByPriority()).allocate(lines, stocks, locations=network, at=T0).locations == {
        "A",
        "B",
    }
    assert Allocator(FewestShipments()).allocate(
        lines, stocks, locations=network, at=T0
    ).locations == {"C"}


def test_nearest_first_follows_the_hosts_ranking() -> None:
    network = [loc("berlin", 1, "DE"), loc("paris", 2, "FR")]
    stocks = [stock("RED", berlin=5, paris=5)]
    allocator = Allocator(NearestFirst(same_country_first))
    to_france = allocator.allocate(
        [line("1", "RED", 6)], stocks, locations=network, at=T0, destination="FR"
    )
    assert to_france.lines[0].allocations[0] == PlannedAllocation(LocationId("paris"), 5)

    def nowhere(destination: object, locations: Sequence[StockLocation]) -> Sequence[LocationId]:
        return [LocationId("atlantis")]

    fallback = Allocator(NearestFirst(nowhere)).allocate(
        [line("1", "RED", 1)], stocks, locations=network, at=T0
    )
    assert fallback.lines[0].allocations == (PlannedAllocation(LocationId("berlin"), 1),)


def test_earliest_eta_takes_the_shelf_then_the_earlier_batch() -> None:
    red = stock("RED", A=2)
    red.expect_batch(IncomingBatch("late", 10, T0 + dt.timedelta(days=9), LocationId("A")))
    red.expect_batch(IncomingBatch("soon", 3, T0 + dt.timedelta(days=2), LocationId("A")))
    plan = Allocator(EarliestEta()).allocate(
        [line("1", "RED", 7)], [red], locations=[loc("A", 1)], at=T0
    )
    assert plan.lines[0].allocations == (
        PlannedAllocation(LocationId("A"), 2),
        PlannedAllocation(LocationId("A"), 3, "soon"),
        PlannedAllocation(LocationId("A"), 2, "late"),
    )
    shelf_only = Allocator(ByPriority()).allocate(
        [line("1", "RED", 7)], [red], locations=[loc("A", 1)], at=T0
    )
    assert shelf_only.lines[0].backordered == 5


@given(st.integers(0, 5), st.integers(1, 20), st.integers(1, 20), st.integers(1, 10))
def test_earliest_eta_property(on_hand: int, first: int, second: int, wanted: int) -> None:
    red = stock("RED", A=on_hand) if on_hand else SkuStock(Sku("RED"))
    red.expect_batch(IncomingBatch("b2", 50, T0 + dt.timedelta(days=second + 20), LocationId("A")))
    red.expect_batch(IncomingBatch("b1", 50, T0 + dt.timedelta(days=first), LocationId("A")))
    plan = Allocator(EarliestEta()).allocate(
        [line("1", "RED", wanted)], [red], locations=[loc("A", 1)], at=T0
    )
    parts = plan.lines[0].allocations
    assert parts[0].batch is None or on_hand == 0
    assert "b2" not in {p.batch for p in parts}
    assert sum(p.quantity for p in parts if p.batch is None) == min(on_hand, wanted)


def test_a_cart_reservation_pays_for_its_own_order() -> None:
    red = stock("RED", A=3)
    red.reserve("cart-1", 3, expires_at=T0 + dt.timedelta(minutes=20), at=T0)
    network = [loc("A", 1)]
    stranger = Allocator().allocate([line("1", "RED", 1)], [red], locations=network, at=T0)
    assert stranger.lines[0].backordered == 1
    own = Allocator().allocate([line("1", "RED", 3, "cart-1")], [red], locations=network, at=T0)
    assert own.complete
    apply_plan(own, [red], order="o1", at=T0)
    assert red.allocations_of("o1") == {LocationId("A"): 3}
    assert red.reservation("cart-1") is None
    assert red.available(at=T0) == 0


def test_backorder_allowance_is_recorded_and_counts_for_refuse() -> None:
    pre = SkuStock(Sku("PRE"), backorder=BackorderPolicy.allow(4))
    pre.receive(LocationId("A"), 1)
    network = [loc("A", 1)]
    plan = Allocator(policy=AllocationPolicy.REFUSE).allocate(
        [line("1", "PRE", 5)], [pre], locations=network, at=T0
    )
    assert (
        plan.lines[0].allocated,
        plan.lines[0].backordered,
        plan.lines[0].backorder_recorded,
    ) == (1, 4, 4)
    apply_plan(plan, [pre], order="o1", at=T0)
    assert pre.backordered("o1") == 4
    with pytest.raises(OutOfStock, match="PRE short by 1"):
        Allocator(policy=AllocationPolicy.REFUSE).allocate(
            [line("1", "PRE", 1)], [pre], locations=network, at=T0
        )


def test_unknown_skus_are_short_and_bad_input_is_named() -> None:
    plan = Allocator().allocate([line("1", "GHOST", 2)], [], locations=[loc("A", 1)], at=T0)
    assert plan.shortfalls == {"GHOST": 2}
    with pytest.raises(ValidationError, match="given twice"):
        Allocator().allocate([line("1", "RED", 1), line("1", "RED", 1)], [], locations=[], at=T0)
    with pytest.raises(ValidationError, match="given twice"):
        Allocator().allocate([], [stock("RED"), stock("RED")], locations=[], at=T0)
    with pytest.raises(ValidationError, match="given twice"):
        Allocator().allocate([], [], locations=[loc("A", 1), loc("A", 2)], at=T0)
    with pytest.raises(ValidationError):
        line("1", "RED", 0)
    with pytest.raises(ValidationError):
        Allocator().allocate([], [], locations=[], at=dt.datetime(2026, 1, 1))


def test_plans_round_trip_through_the_converter() -> None:
    plan = Allocator(FewestShipments()).allocate(
        [line("1", "RED", 3, "cart")], [stock("RED", A=2)], locations=[loc("A", 1)], at=T0
    )
    assert converter.structure(converter.unstructure(plan), AllocationPlan) == plan


@pytest.mark.parametrize(
    "call",
    [
        lambda: Allocator(policy="bogus"),
        lambda: Allocator(strategy=object()),  # type: ignore[arg-type]
        lambda: Allocator().allocate(None, [], locations=[], at=T0),  # type: ignore[arg-type]
        lambda: Allocator().allocate([], 5, locations=[], at=T0),  # type: ignore[arg-type]
        lambda: Allocator().allocate([], [], locations="A", at=T0),  # type: ignore[arg-type]
        lambda: Allocator().allocate(["x"], [], locations=[], at=T0),  # type: ignore[list-item]
        lambda: apply_plan(None, [], order="o", at=T0),  # type: ignore[arg-type]
        lambda: StockLocation(LocationId("A"), name=3),  # type: ignore[arg-type]
        lambda: StockLocation(LocationId(""), priority=1),
        lambda: StockLocation(LocationId("A"), priority=True),
    ],
)
def test_bad_allocator_input_raises_validation_errors(call: Any) -> None:
    with pytest.raises(ValidationError):
        call()


def test_a_policy_may_be_given_by_value() -> None:
    assert Allocator(policy="refuse").policy is AllocationPolicy.REFUSE


@attrs.frozen
class _Address:
    country: str


def test_same_country_first_reads_an_address_country() -> None:
    network = [loc("berlin", 1, "DE"), loc("paris", 2, "FR")]
    assert list(same_country_first(_Address("fr"), network)) == ["paris"]
    assert list(same_country_first(42, network)) == []
    plan = Allocator(NearestFirst(same_country_first)).allocate(
        [line("1", "RED", 1)],
        [stock("RED", berlin=1, paris=1)],
        locations=network,
        at=T0,
        destination=_Address("FR"),
    )
    assert plan.locations == {"paris"}


def test_replanning_after_stock_arrives_fills_the_backorder() -> None:
    pre = SkuStock(Sku("PRE"), backorder=BackorderPolicy.allow(4))
    pre.receive(LocationId("A"), 1)
    network = [loc("A", 1)]
    refuse = Allocator(policy=AllocationPolicy.REFUSE)
    first = refuse.allocate([line("1", "PRE", 5)], [pre], locations=network, at=T0, order="o1")
    apply_plan(first, [pre], order="o1", at=T0)
    assert (pre.allocations_of("o1"), pre.backordered("o1")) == ({LocationId("A"): 1}, 4)
    pre.receive(LocationId("A"), 2)
    # the order still lacks 4 units: 2 from the new stock, 2 stay backordered
    again = refuse.allocate([line("1", "PRE", 4)], [pre], locations=network, at=T0, order="o1")
    assert (again.lines[0].allocated, again.lines[0].backorder_recorded) == (2, 2)
    pre.pull_events()
    apply_plan(again, [pre], order="o1", at=T0)
    assert (pre.allocations_of("o1"), pre.backordered("o1")) == ({LocationId("A"): 3}, 2)
    assert [type(e).__name__ for e in pre.pull_events()] == ["StockAllocated", "BackorderFilled"]
    # without the order reference its own backorder does not count as allowance
    with pytest.raises(OutOfStock, match="PRE short by 1"):
        refuse.allocate([line("1", "PRE", 3)], [pre], locations=network, at=T0)
    refuse.allocate([line("1", "PRE", 3)], [pre], locations=network, at=T0, order="o1")


def test_allocate_can_replace_an_orders_backorder() -> None:
    pre = SkuStock(Sku("PRE"), backorder=BackorderPolicy.allow(3))
    pre.allocate("o1", {}, at=T0, backorder=3)
    before = converter.unstructure(pre)
    with pytest.raises(ValidationError, match="nothing to allocate"):
        pre.allocate("o1", {}, at=T0, backorder=3, replace_backorder=True)
    with pytest.raises(InsufficientStock):
        pre.allocate("o1", {}, at=T0, backorder=4, replace_backorder=True)
    assert converter.unstructure(pre) == before
    pre.allocate("o1", {}, at=T0, backorder=1, replace_backorder=True)
    assert pre.backordered() == 1


def test_a_typed_host_ranking_fits_nearest_first() -> None:
    def by_country(address: _Address, locations: Sequence[StockLocation]) -> list[LocationId]:
        return [location.id for location in locations if location.country == address.country]

    strategy: NearestFirst[_Address] = NearestFirst(by_country)
    plan = Allocator(strategy).allocate(
        [line("1", "RED", 2)],
        [stock("RED", berlin=1, paris=1)],
        locations=[loc("berlin", 1, "DE"), loc("paris", 2, "FR")],
        at=T0,
        destination=_Address("FR"),
    )
    assert plan.lines[0].allocations[0].location == "paris"


def test_fewest_shipments_beats_greedy_on_small_networks() -> None:
    # greedy would take "wide" (4 SKUs) first and then need two more locations
    network = [loc("wide", 1), loc("left", 2), loc("right", 3)]
    holdings = {
        "wide": ["S1", "S2", "S4", "S5"],
        "left": ["S1", "S2", "S3"],
        "right": ["S4", "S5", "S6"],
    }
    stocks = [
        stock(sku, **{where: 1 for where, held in holdings.items() if sku in held})
        for sku in ["S1", "S2", "S3", "S4", "S5", "S6"]
    ]
    lines = [line(str(n), f"S{n}", 1) for n in range(1, 7)]
    by_priority = Allocator(ByPriority()).allocate(lines, stocks, locations=network, at=T0)
    fewest = Allocator(FewestShipments()).allocate(lines, stocks, locations=network, at=T0)
    greedy_only = Allocator(FewestShipments(exact_budget=0)).allocate(
        lines, stocks, locations=network, at=T0
    )
    assert len(by_priority.locations) == 3
    assert len(greedy_only.locations) == 3
    assert fewest.locations == {"left", "right"}
    assert fewest.complete


def test_fewest_shipments_breaks_ties_by_priority() -> None:
    network = [loc("c", 3), loc("a", 1), loc("b", 2)]
    stocks = [stock("RED", a=5, b=5, c=5)]
    plan = Allocator(FewestShipments()).allocate(
        [line("1", "RED", 4)], stocks, locations=network, at=T0
    )
    assert plan.locations == {"a"}


def test_locations_and_moment_have_safe_defaults() -> None:
    red = stock("RED", b=2, a=2)
    red.reserve("cart", 1, expires_at=T0 + dt.timedelta(minutes=5), at=T0)
    plan = Allocator().allocate([line("1", "RED", 4)], [red])
    # every location the stock mentions, by id; the hold counts without a moment
    assert plan.lines[0].allocations == (
        PlannedAllocation(LocationId("a"), 2),
        PlannedAllocation(LocationId("b"), 1),
    )
    later_plan = Allocator().allocate([line("1", "RED", 4)], [red], at=T0 + dt.timedelta(hours=1))
    assert later_plan.complete
    configured = Allocator(locations=[loc("b", 1), loc("a", 2)])
    assert configured.allocate([line("1", "RED", 1)], [red], at=T0).lines[0].allocations == (
        PlannedAllocation(LocationId("b"), 1),
    )
    assert red.available() == 3
    assert red.available(at=T0 + dt.timedelta(hours=1)) == 4
    apply_plan(plan, [red], order="o1")
    assert red.allocated() == 3
    with pytest.raises(ValidationError):
        Allocator(locations=["a"])
