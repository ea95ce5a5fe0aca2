"""Strategies for inventory: locations, batches, reservations, stocks and allocation lines.

Stocks are built through their public methods (receive, expect a batch,
reserve, allocate), so every generated :class:`SkuStock` is one the domain
could really reach, with its recorded events.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable

import attrs
from hypothesis import strategies as st

from orderkit.ids import LineId, LocationId, Sku
from orderkit.inventory import (
    AllocationLine,
    AllocationPlan,
    AllocationPolicy,
    BackorderPolicy,
    ByPriority,
    EarliestEta,
    FewestShipments,
    IncomingBatch,
    LinePlan,
    PlannedAllocation,
    Reservation,
    SkuStock,
    StockEvent,
    StockLocation,
)

__all__ = [
    "BASE_TIME",
    "STOCK_EVENT_STRATEGIES",
    "allocation_line",
    "allocation_lines",
    "allocation_plans",
    "backorder_policies",
    "by_priority_strategies",
    "earliest_eta_strategies",
    "fewest_shipments_strategies",
    "incoming_batches",
    "line_plans",
    "location_ids",
    "planned_allocations",
    "reservations",
    "sku_stocks",
    "skus",
    "stock_events",
    "stock_locations",
    "stock_networks",
]

#: The moment generated stocks are built at; reservations expire after it.
BASE_TIME = dt.datetime(2026, 1, 1, 12, 0, tzinfo=dt.UTC)

_NAMES = st.text(alphabet="ABCDEFGHJKLMNPQRSTUVWXYZ0123456789-", min_size=1, max_size=8)


def location_ids() -> st.SearchStrategy[LocationId]:
    """Short location ids such as ``"WH-3"``."""
    return st.integers(0, 99).map(lambda n: LocationId(f"WH-{n}"))


def skus() -> st.SearchStrategy[Sku]:
    """Short SKUs such as ``"SKU-7"``."""
    return st.integers(0, 999).map(lambda n: Sku(f"SKU-{n}"))


def stock_locations(
    ids: st.SearchStrategy[LocationId] | None = None,
) -> st.SearchStrategy[StockLocation]:
    """Locations with any priority, a country code, mostly active."""
    return st.builds(
        StockLocation,
        id=ids if ids is not None else location_ids(),
        name=_NAMES,
        priority=st.integers(-5, 20),
        country=st.sampled_from(["DE", "FR", "NL", "US", "GB", "JP"]),
        active=st.booleans() | st.just(True),
    )


def stock_networks(
    *, min_size: int = 1, max_size: int = 6
) -> st.SearchStrategy[list[StockLocation]]:
    """Lists of locations with distinct ids (a host's warehouse network)."""
    return st.lists(
        stock_locations(), min_size=min_size, max_size=max_size, unique_by=lambda loc: loc.id
    )


def incoming_batches(
    destinations: st.SearchStrategy[LocationId] | None = None,
) -> st.SearchStrategy[IncomingBatch]:
    """Batches due between now and a month from :data:`BASE_TIME`."""
    return st.builds(
        IncomingBatch,
        reference=st.integers(0, 999).map(lambda n: f"PO-{n}"),
        quantity=st.integers(1, 50),
        eta=st.integers(0, 30 * 24).map(lambda h: BASE_TIME + dt.timedelta(hours=h)),
        destination=destinations if destinations is not None else location_ids(),
    )


def reservations(
    locations: st.SearchStrategy[LocationId] | None = None,
) -> st.SearchStrategy[Reservation]:
    """Reservations expiring within two days of :data:`BASE_TIME`, at a location or anywhere."""
    where = locations if locations is not None else location_ids()
    return st.builds(
        Reservation,
        reference=st.integers(0, 999).map(lambda n: f"cart-{n}"),
        quantity=st.integers(1, 10),
        expires_at=st.integers(1, 48 * 60).map(lambda m: BASE_TIME + dt.timedelta(minutes=m)),
        location=st.none() | where,
    )


def backorder_policies() -> st.SearchStrategy[BackorderPolicy]:
    """Mostly denying, sometimes allowing a few backorders."""
    return st.just(BackorderPolicy.deny()) | st.integers(1, 20).map(BackorderPolicy.allow)


_LOCATION_LISTS = st.lists(
    st.integers(0, 99).map(lambda n: LocationId(f"WH-{n}")), min_size=1, max_size=4, unique=True
)
_POLICIES = backorder_policies()
_THRESHOLDS = st.none() | st.integers(0, 10)


@st.composite
def sku_stocks(
    draw: st.DrawFn,
    *,
    sku: Sku | None = None,
    locations: list[LocationId] | None = None,
    max_units: int = 40,
) -> SkuStock:
    """A reachable :class:`SkuStock`: receipts, batches, reservations and allocations.

    Built at :data:`BASE_TIME` through public methods; events are kept.
    Draws plain numbers and builds the values itself, which keeps it fast.
    """
    where = locations or draw(_LOCATION_LISTS)
    stock = SkuStock(
        sku if sku is not None else draw(skus()),
        backorder=draw(_POLICIES),
        low_stock_threshold=draw(_THRESHOLDS),
    )

    def pick() -> LocationId:
        return where[draw(st.integers(0, len(where) - 1))]

    for location in where:
        units = draw(st.integers(0, max_units))
        if units:
            stock.receive(location, units)
    for n in range(draw(st.integers(0, 2))):
        hours = draw(st.integers(0, 30 * 24))
        units = draw(st.integers(1, 50))
        stock.expect_batch(
            IncomingBatch(f"PO-{n}", units, BASE_TIME + dt.timedelta(hours=hours), pick())
        )
    for n in range(draw(st.integers(0, 3))):
        anywhere = draw(st.booleans())
        held_at = None if anywhere else pick()
        free = min(stock.available(at=BASE_TIME, location=held_at), stock.available(at=BASE_TIME))
        if free > 0:
            minutes = draw(st.integers(1, 48 * 60))
            stock.reserve(
                f"cart-{n}",
                draw(st.integers(1, free)),
                expires_at=BASE_TIME + dt.timedelta(minutes=minutes),
                at=BASE_TIME,
                location=held_at,
            )
    for n in range(draw(st.integers(0, 3))):
        location = pick()
        free = min(stock.available(at=BASE_TIME, location=location), stock.available(at=BASE_TIME))
        if free > 0:
            stock.allocate(f"order-{n}", {location: draw(st.integers(1, free))}, at=BASE_TIME)
    return stock


def allocation_lines(
    skus_: st.SearchStrategy[Sku] | None = None,
    *,
    min_size: int = 1,
    max_size: int = 6,
    max_quantity: int = 30,
) -> st.SearchStrategy[list[AllocationLine]]:
    """An order's lines with distinct line ids (SKUs may repeat: they compete for stock)."""
    chosen = skus_ if skus_ is not None else skus()
    return st.lists(
        st.tuples(chosen, st.integers(1, max_quantity)),
        min_size=min_size,
        max_size=max_size,
    ).map(
        lambda pairs: [
            AllocationLine(LineId(f"L{i}"), sku, qty) for i, (sku, qty) in enumerate(pairs)
        ]
    )


def allocation_line() -> st.SearchStrategy[AllocationLine]:
    """One allocation line (what ``st.from_type(AllocationLine)`` draws)."""
    return st.builds(
        AllocationLine,
        line_id=st.integers(0, 99).map(lambda n: LineId(f"L{n}")),
        sku=skus(),
        quantity=st.integers(1, 30),
        reservation=st.none(),
    )


def planned_allocations() -> st.SearchStrategy[PlannedAllocation]:
    """Units of a line taken from one location, or from an incoming batch there."""
    return st.builds(
        PlannedAllocation,
        location=location_ids(),
        quantity=st.integers(1, 30),
        batch=st.none() | _NAMES.map(lambda name: f"PO-{name}"),
    )


@st.composite
def _line_plans(draw: st.DrawFn, line_id: LineId | None = None) -> LinePlan:
    allocations = tuple(draw(st.lists(planned_allocations(), max_size=3)))
    backordered = draw(st.integers(0, 20))
    if not allocations and not backordered:
        backordered = 1  # a line plans at least one unit
    return LinePlan(
        line_id=line_id if line_id is not None else LineId(f"L{draw(st.integers(0, 99))}"),
        sku=draw(skus()),
        quantity=sum(a.quantity for a in allocations) + backordered,
        allocations=allocations,
        backordered=backordered,
        backorder_recorded=draw(st.integers(0, backordered)),
        reservation=draw(st.none() | _NAMES.map(lambda name: f"R-{name}")),
    )


def line_plans() -> st.SearchStrategy[LinePlan]:
    """One line's plan: ``allocated + backordered == quantity`` by construction."""
    return _line_plans()


@st.composite
def _allocation_plans(draw: st.DrawFn) -> AllocationPlan:
    count = draw(st.integers(1, 4))
    lines = tuple(draw(_line_plans(LineId(f"L{i}"))) for i in range(count))
    return AllocationPlan(
        lines=lines,
        policy=draw(st.sampled_from(AllocationPolicy)),
        strategy=draw(st.sampled_from(["by-priority", "nearest-first", "fewest-shipments"])),
    )


def allocation_plans() -> st.SearchStrategy[AllocationPlan]:
    """A whole order's plan, lines with distinct ids (as an ``Allocator`` proposes it)."""
    return _allocation_plans()


def _field_strategy(name: str, type_: object) -> st.SearchStrategy[object]:
    """A strategy for one inventory event field, by its name and annotation."""
    text = st.integers(0, 99).map(str)
    moments = st.integers(0, 60 * 24 * 30).map(lambda m: BASE_TIME + dt.timedelta(minutes=m))
    by_name: dict[str, st.SearchStrategy[object]] = {
        "sku": skus(),
        "location": location_ids(),
        "source": location_ids(),
        "target": location_ids(),
        "destination": location_ids(),
        "order": text.map(lambda n: f"order-{n}"),
        "reference": text.map(lambda n: f"ref-{n}"),
        "batch": st.none() | text.map(lambda n: f"PO-{n}"),
        "reason": st.sampled_from(["cycle count", "damaged", "found"]),
        "delta": st.integers(-20, 20).filter(bool),
        "available": st.integers(0, 50),
        "threshold": st.integers(0, 50),
        "eta": moments,
        "expires_at": moments,
    }
    if name in by_name:
        chosen = by_name[name]
        if name == "location" and "None" in str(type_):
            return st.none() | chosen
        return chosen
    return st.integers(1, 50)  # quantities


def stock_events(kind: type[StockEvent] | None = None) -> st.SearchStrategy[StockEvent]:
    """Inventory events of ``kind`` (any inventory event when omitted)."""
    if kind is None:
        kinds = sorted(_concrete_stock_events(), key=lambda k: k.__name__)
        return st.sampled_from(kinds).flatmap(stock_events)
    attrs.resolve_types(kind)
    fields = {f.name: _field_strategy(f.name, f.type) for f in attrs.fields(kind)}
    return st.builds(kind, **fields)


def _concrete_stock_events() -> list[type[StockEvent]]:
    found: list[type[StockEvent]] = []
    pending: list[type[StockEvent]] = [StockEvent]
    while pending:
        for sub in pending.pop().__subclasses__():
            found.append(sub)
            pending.append(sub)
    return found


#: Every concrete inventory event class and a factory of its strategy, for ``_BY_TYPE``.
STOCK_EVENT_STRATEGIES: dict[type, Callable[[], st.SearchStrategy[StockEvent]]] = {
    kind: functools.partial(stock_events, kind)
    for kind in sorted(_concrete_stock_events(), key=lambda k: k.__name__)
}


def by_priority_strategies() -> st.SearchStrategy[ByPriority]:
    """The priority sourcing strategy, with and without batches."""
    return st.builds(ByPriority, st.booleans())


def fewest_shipments_strategies() -> st.SearchStrategy[FewestShipments]:
    """The fewest-shipments sourcing strategy, with small and default search budgets."""
    return st.builds(FewestShipments, st.booleans(), st.sampled_from([1, 100, 100_000]))


def earliest_eta_strategies() -> st.SearchStrategy[EarliestEta]:
    """The earliest-ETA sourcing strategy (it has no settings)."""
    return st.just(EarliestEta())
