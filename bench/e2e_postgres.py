"""PostgreSQL end to end (placeholder until written below)."""

from __future__ import annotations

from bench._harness import Row


def run() -> list[Row]:
    """No rows yet."""
    return []
