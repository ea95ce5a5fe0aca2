"""A small benchmark harness: warm-up, several runs, median and spread, ratios in one run.

Every row compares orderkit with a floor (plain code doing the same work) or a
peer library, both measured in the same process, in alternating runs, so
drift of the machine hits both sides alike. A ratio is always
``orderkit time / other time``: below 1 orderkit is faster. Numbers only ever
come from the runs made here; nothing is a constant.
"""

from __future__ import annotations

import gc
import math
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

#: A measurable body: run the operation ``n`` times, return the elapsed seconds.
Body = Callable[[int], float]

#: Seconds one run should last once calibrated; short, since the whole suite has a budget.
RUN_SECONDS = 0.02
RUNS = 15
#: Remarks a benchmark leaves for the report (a skipped section, say).
NOTES: list[str] = []


def loop(operation: Callable[[], object]) -> Body:
    """A body calling ``operation`` ``n`` times."""

    def body(n: int) -> float:
        start = time.perf_counter()
        for _ in range(n):
            operation()
        return time.perf_counter() - start

    return body


def batched(setup: Callable[[int], Sequence[Any]], operation: Callable[[Any], object]) -> Body:
    """A body applying ``operation`` to ``n`` fresh items made, untimed, by ``setup(n)``."""

    def body(n: int) -> float:
        items = setup(n)
        start = time.perf_counter()
        for item in items:
            operation(item)
        return time.perf_counter() - start

    return body


@dataclass(frozen=True)
class Timing:
    """Seconds per operation over several runs."""

    median: float
    low: float
    high: float
    runs: int

    q1: float = 0.0
    q3: float = 0.0
    samples: tuple[float, ...] = ()

    @property
    def spread(self) -> float:
        """Half the interquartile range, relative to the median (robust to a stray slow run)."""
        return (self.q3 - self.q1) / 2 / self.median if self.median else 0.0

    @classmethod
    def of(cls, samples: Sequence[float]) -> Timing:
        """Summarise per-operation samples."""
        if len(samples) >= 2:
            q1, _, q3 = statistics.quantiles(samples, n=4)
        else:
            q1 = q3 = samples[0]
        return cls(
            statistics.median(samples),
            min(samples),
            max(samples),
            len(samples),
            q1,
            q3,
            tuple(samples),
        )


def calibrate(body: Body, seconds: float = RUN_SECONDS, limit: int = 1_000_000) -> int:
    """How many operations make one run last about ``seconds`` (the first calls warm up)."""
    n = 1
    while True:
        elapsed = body(n)
        if elapsed >= seconds / 4 or n >= limit:
            break
        n *= 4
    per_op = max(elapsed / n, 1e-9)
    return max(1, min(limit, round(seconds / per_op)))


def measure_together(bodies: Sequence[Body], runs: int = RUNS) -> list[Timing]:
    """Time several bodies in alternating runs after a warm-up; one :class:`Timing` each."""
    counts = [calibrate(body) for body in bodies]
    samples: list[list[float]] = [[] for _ in bodies]
    gc_was_enabled = gc.isenabled()
    try:
        for _ in range(runs):
            for index, body in enumerate(bodies):
                gc.collect()
                gc.disable()
                try:
                    samples[index].append(body(counts[index]) / counts[index])
                finally:
                    if gc_was_enabled:
                        gc.enable()
    finally:
        if gc_was_enabled:
            gc.enable()
    return [Timing.of(s) for s in samples]


@dataclass(frozen=True)
class Target:
    """A goal for a ratio: met when ``ratio <= max_ratio``."""

    max_ratio: float
    text: str

    def met(self, ratio: float) -> bool:
        """Whether the measured ratio meets the goal."""
        return ratio <= self.max_ratio


@dataclass
class Row:
    """One line of the results table."""

    group: str
    name: str
    orderkit: float
    other_name: str
    other: float
    unit: str = "s/op"
    spread: float = 0.0
    other_spread: float = 0.0
    target: str = ""
    met: bool | None = None
    note: str = ""
    exponent: float | None = None
    paired: float | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float | None:
        """orderkit / other, in time (below 1: orderkit is faster); a growth row's exponent."""
        if self.exponent is not None:
            return self.exponent
        if self.paired is not None:
            return self.paired
        return self.orderkit / self.other if self.other else None

    def judge(self, target: Target | None) -> None:
        """Record the target and whether the measured ratio meets it."""
        ratio = self.ratio
        if target is not None:
            self.target = target.text
            self.met = ratio is not None and target.met(ratio)

    def as_json(self) -> dict[str, Any]:
        """The row as plain JSON data."""
        data = asdict(self)
        data["ratio"] = self.ratio
        return data


def compare(
    group: str,
    name: str,
    subject: Body,
    references: Sequence[tuple[str, Body, Target | None]],
    *,
    runs: int = RUNS,
    unit: str = "s/op",
) -> list[Row]:
    """Measure ``subject`` against each reference in one alternating series of runs."""
    timings = measure_together([subject, *(body for _, body, _ in references)], runs=runs)
    mine = timings[0]
    rows = []
    for (other_name, _, target), theirs in zip(references, timings[1:], strict=True):
        row = Row(
            group,
            name,
            mine.median,
            other_name,
            theirs.median,
            unit=unit,
            spread=mine.spread,
            other_spread=theirs.spread,
            # Each round times both sides back to back, so they share the machine's load
            # at that moment: the median of the per-round ratios resists bursts of load
            # from other processes better than the ratio of the two medians.
            paired=statistics.median(
                a / b for a, b in zip(mine.samples, theirs.samples, strict=True) if b
            ),
            extra={
                "runs": mine.runs,
                "orderkit_min": mine.low,
                "other_min": theirs.low,
                "ratio_of_minimums": mine.low / theirs.low if theirs.low else None,
            },
        )
        row.judge(target)
        rows.append(row)
    return rows


def single(group: str, name: str, subject: Body, *, runs: int = RUNS, unit: str = "s/op") -> Row:
    """Measure ``subject`` alone (a figure with no floor or peer)."""
    (timing,) = measure_together([subject], runs=runs)
    return Row(group, name, timing.median, "", 0.0, unit=unit, spread=timing.spread)


def fitted_exponent(sizes: Sequence[float], seconds: Sequence[float]) -> float:
    """Least-squares slope of log(time) against log(size): 1 linear, 2 quadratic."""
    xs = [math.log(n) for n in sizes]
    ys = [math.log(max(t, 1e-12)) for t in seconds]
    mx, my = sum(xs) / len(xs), sum(ys) / len(ys)
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sum(
        (x - mx) ** 2 for x in xs
    )


def best_of(operation: Callable[[], object], repeat: int = 3) -> float:
    """The fastest of ``repeat`` timed calls (after one warm-up call), in CPU seconds.

    CPU time of this process, not wall time: on a loaded machine a long call is
    preempted more often than a short one, so wall time inflates the large
    sizes of a growth fit (a linear planner fitted k ≈ 1.5 under load).
    """
    operation()
    best = math.inf
    for _ in range(repeat):
        start = time.process_time()
        operation()
        best = min(best, time.process_time() - start)
    return best


def growth(
    group: str,
    name: str,
    sizes: Sequence[int],
    make: Callable[[int], Callable[[], object]],
    *,
    variable: str,
    target: Target | None = None,
    repeat: int = 3,
    at: int | None = None,
) -> Row:
    """Time ``make(size)()`` at each size and report the fitted growth exponent.

    The row's ``orderkit`` figure is the time at size ``at`` (the largest by
    default) and its ratio is the exponent.
    """
    seconds = [best_of(make(size), repeat) for size in sizes]
    exponent = fitted_exponent(sizes, seconds)
    shown = sizes.index(at) if at is not None else len(sizes) - 1
    row = Row(
        group,
        name,
        seconds[shown],
        f"exponent over {variable} {'/'.join(map(str, sizes))}",
        0.0,
        unit="s",
        exponent=exponent,
        extra={"sizes": list(sizes), "seconds": seconds, "at": sizes[shown]},
    )
    row.judge(target)
    return row
