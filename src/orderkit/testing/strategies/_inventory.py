"""Strategies for inventory: locations, batches, reservations, stocks and allocation lines.

Stocks are built through their public methods (receive, expect a batch,
reserve, allocate), so every generated :class:`SkuStock` is one the domain
could really reach, with its recorded events.
"""

from __future__ import annotations

import datetime as dt

from hypothesis import strategies as st

from orderkit.ids import LineId, LocationId, Sku
from orderkit.inventory import (
    AllocationLine,
    BackorderPolicy,
    IncomingBatch,
    Reservation,
    SkuStock,
    StockLocation,
)

__all__ = [
    "BASE_TIME",
    "allocation_line",
    "allocation_lines",
    "backorder_policies",
    "incoming_batches",
    "location_ids",
    "reservations",
    "sku_stocks",
    "skus",
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
