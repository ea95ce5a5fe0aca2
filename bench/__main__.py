"""Run every benchmark, print the table and write bench/results/latest.json.

Usage: ``python -m bench [--only GROUP ...] [--docs] [--output PATH]``.
``--docs`` also rewrites the generated table in docs/performance.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench._harness import NOTES, Row
from bench._report import render_docs, render_table

ROOT = Path(__file__).resolve().parent.parent
MODULES = (
    "micro_money",
    "micro_lifecycle",
    "micro_serialization",
    "micro_import",
    "domain_pricing",
    "domain_flow",
    "e2e_sqlite",
    "e2e_postgres",
)


def machine() -> dict[str, Any]:
    """What the numbers were measured on."""
    cpu = platform.processor() or ""
    with_cpuinfo = Path("/proc/cpuinfo")
    if with_cpuinfo.exists():
        for line in with_cpuinfo.read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = ""
    return {
        "python": platform.python_version(),
        "implementation": platform.python_implementation(),
        "system": f"{platform.system()} {platform.release()}",
        "machine": platform.machine(),
        "cpu": cpu,
        "cpus": os.cpu_count(),
        "commit": commit,
    }


def main(argv: list[str] | None = None) -> int:
    """Run the benchmarks; exit status 0 whether or not targets are met (1 if one crashed)."""
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__.splitlines()[0])
    parser.add_argument("--only", nargs="*", choices=MODULES, help="run only these modules")
    parser.add_argument("--output", type=Path, default=ROOT / "bench" / "results" / "latest.json")
    parser.add_argument(
        "--docs", action="store_true", help="rewrite the table in docs/performance.md"
    )
    args = parser.parse_args(argv)
    started = time.perf_counter()
    rows: list[Row] = []
    for name in args.only or MODULES:
        module_started = time.perf_counter()
        try:
            module = importlib.import_module(f"bench.{name}")
            found: list[Row] = module.run()
        except Exception as exc:  # one broken benchmark must not hide the others
            NOTES.append(f"{name} failed: {type(exc).__name__}: {exc}")
            print(f"# {name}: FAILED: {exc!r}", file=sys.stderr, flush=True)
            continue
        rows += found
        print(
            f"# {name}: {len(found)} rows in {time.perf_counter() - module_started:.1f} s",
            file=sys.stderr,
            flush=True,
        )
    result = {
        "when": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "seconds": round(time.perf_counter() - started, 1),
        "machine": machine(),
        "rows": [row.as_json() for row in rows],
        "notes": list(NOTES),
    }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    print(render_table(result))
    print(f"\nwrote {args.output} ({result['seconds']} s)")
    if args.docs:
        render_docs(result, ROOT / "docs" / "performance.md")
        print("rewrote the table in docs/performance.md")
    return 1 if any("failed" in note for note in NOTES) else 0


if __name__ == "__main__":
    raise SystemExit(main())
