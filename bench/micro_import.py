"""``import orderkit`` in a fresh interpreter against importing its dependencies alone."""

from __future__ import annotations

import subprocess
import sys

from bench._harness import Row, Target, Timing

GROUP = "import"
_PROGRAM = (
    "import time; start = time.perf_counter(); import {modules}; print(time.perf_counter() - start)"
)


def _import_seconds(modules: str) -> float:
    result = subprocess.run(
        [sys.executable, "-c", _PROGRAM.format(modules=modules)],
        check=True,
        capture_output=True,
        text=True,
    )
    return float(result.stdout.strip())


def _compare(name: str, mine: str, theirs: str, target: Target | None, runs: int) -> Row:
    a: list[float] = []
    b: list[float] = []
    _import_seconds(mine)  # warm the file-system cache and the bytecode
    for _ in range(runs):
        a.append(_import_seconds(mine))
        b.append(_import_seconds(theirs))
    mine_timing, their_timing = Timing.of(a), Timing.of(b)
    row = Row(
        GROUP,
        name,
        mine_timing.median,
        f"import {theirs}",
        their_timing.median,
        unit="s",
        spread=mine_timing.spread,
        other_spread=their_timing.spread,
    )
    row.judge(target)
    return row


def run(runs: int = 7) -> list[Row]:
    """The import rows (each import in its own fresh interpreter)."""
    deps = "attrs, cattrs, dateutil"
    return [
        _compare("import orderkit", "orderkit", deps, Target(1.5, "≤ 1.5×"), runs),
        _compare(
            "import every orderkit package",
            "orderkit.service, orderkit.adapters.sqlite, orderkit.serialization",
            deps,
            None,
            runs,
        ),
    ]
