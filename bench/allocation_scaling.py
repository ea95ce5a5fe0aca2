"""How allocation time grows with order size, per strategy.

Builds orders of 250 to 4,000 lines over 50 locations (every line a
distinct SKU stocked at a handful of locations, some with incoming
batches), plans each with every strategy, and prints the best-of-N time and
the exponent fitted to time ~ lines**k. Linear planning shows k close to 1;
a quadratic blow-up shows k close to 2.

Run: ``.venv/bin/python bench/allocation_scaling.py [--repeat N]``.
Never a timed test: numbers depend on the machine.
"""

from __future__ import annotations

import argparse
import datetime as dt
import math
import random
import time
from collections.abc import Sequence

from orderkit.ids import LineId, LocationId, Sku
from orderkit.inventory import (
    AllocationLine,
    AllocationStrategy,
    Allocator,
    ByPriority,
    EarliestEta,
    FewestShipments,
    IncomingBatch,
    NearestFirst,
    SkuStock,
    StockLocation,
    same_country_first,
)

AT = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
SIZES = (250, 500, 1000, 2000, 4000)
LOCATIONS = 50
COUNTRIES = ("DE", "FR", "NL", "BE", "AT")


def network() -> list[StockLocation]:
    return [
        StockLocation(LocationId(f"WH-{i:02d}"), priority=i, country=COUNTRIES[i % len(COUNTRIES)])
        for i in range(LOCATIONS)
    ]


def scenario(lines: int, seed: int = 7) -> tuple[list[AllocationLine], list[SkuStock]]:
    rng = random.Random(seed)
    order: list[AllocationLine] = []
    stocks: list[SkuStock] = []
    for n in range(lines):
        sku = Sku(f"SKU-{n}")
        stock = SkuStock(sku)
        for where in rng.sample(range(LOCATIONS), 5):
            stock.receive(LocationId(f"WH-{where:02d}"), rng.randint(1, 6))
        if rng.random() < 0.3:
            eta = AT + dt.timedelta(days=rng.randint(1, 30))
            stock.expect_batch(
                IncomingBatch(f"PO-{n}", 20, eta, LocationId(f"WH-{rng.randrange(LOCATIONS):02d}"))
            )
        stocks.append(stock)
        order.append(AllocationLine(LineId(f"L{n}"), sku, rng.randint(1, 8)))
    return order, stocks


def best_time(
    strategy: AllocationStrategy,
    lines: list[AllocationLine],
    stocks: list[SkuStock],
    locations: list[StockLocation],
    repeat: int,
) -> float:
    allocator = Allocator(strategy)
    best = math.inf
    for _ in range(repeat):
        start = time.perf_counter()
        allocator.allocate(lines, stocks, locations=locations, at=AT, destination="FR")
        best = min(best, time.perf_counter() - start)
    return best


def fitted_exponent(sizes: Sequence[int], seconds: Sequence[float]) -> float:
    """Least-squares slope of log(time) against log(size)."""
    xs = [math.log(n) for n in sizes]
    ys = [math.log(t) for t in seconds]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3, help="runs per size (best is kept)")
    args = parser.parse_args()
    locations = network()
    strategies: list[AllocationStrategy] = [
        ByPriority(),
        FewestShipments(),
        NearestFirst(same_country_first),
        EarliestEta(),
    ]
    scenarios = {n: scenario(n) for n in SIZES}
    header = "strategy".ljust(18) + "".join(f"{n:>10}" for n in SIZES) + "   exponent"
    print(f"allocation plan time in ms, {LOCATIONS} locations, best of {args.repeat}")
    print(header)
    for strategy in strategies:
        seconds = [best_time(strategy, *scenarios[n], locations, args.repeat) for n in SIZES]
        cells = "".join(f"{t * 1000:>10.1f}" for t in seconds)
        print(f"{strategy.name:<18}{cells}   {fitted_exponent(SIZES, seconds):8.2f}")


if __name__ == "__main__":
    main()
