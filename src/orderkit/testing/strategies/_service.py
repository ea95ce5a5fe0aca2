"""Strategies for the service layer's plain values (what a host passes in)."""

from __future__ import annotations

from hypothesis import strategies as st

from orderkit.ids import Sku
from orderkit.money import Money
from orderkit.service import LineRequest

__all__ = ["line_requests"]


def line_requests() -> st.SearchStrategy[LineRequest]:
    """Lines a customer asks for, priced by the book or quoted in EUR."""
    return st.builds(
        LineRequest,
        st.integers(0, 5).map(lambda n: Sku(f"SKU-{n}")),
        st.integers(1, 12),
        st.none() | st.integers(0, 10**5).map(lambda n: Money.from_minor_units(n, "EUR")),
        st.sampled_from(["standard", "reduced"]),
        st.lists(st.sampled_from(["books", "toys", "food"]), max_size=2, unique=True).map(tuple),
        st.sampled_from(["", "A book", "A toy"]),
    )
