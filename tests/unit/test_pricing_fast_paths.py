"""The pricer's fast paths against the slow paths they replace, on drawn values.

- Breakdown values built through drafts (``new_*``) equal, and behave like,
  the same values built by attrs' ``__init__``.
- An order discount is split by each line's minor units (int weights), which
  must split exactly as the line amounts themselves (Decimal weights) do.
"""

from __future__ import annotations

import pickle
from decimal import Decimal

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from orderkit.money import Currency, Money, allocate
from orderkit.pricing import (
    AppliedDiscount,
    DiscountShare,
    LineBreakdown,
    PriceBreakdown,
    TaxAmount,
)
from orderkit.testing.strategies import amounts, currencies, price_breakdowns


def _drafted(
    b: PriceBreakdown,
) -> list[LineBreakdown | AppliedDiscount | TaxAmount | DiscountShare]:
    found: list[LineBreakdown | AppliedDiscount | TaxAmount | DiscountShare] = []
    for line in b.lines:
        found += [line, *line.discounts, *line.taxes]
    found += [*b.shipping.discounts, *b.shipping.taxes, *b.taxes]
    for discount in b.order_discounts:
        found += discount.shares
    return found


@given(price_breakdowns())
def test_drafted_values_are_the_values_attrs_builds(b: PriceBreakdown) -> None:
    for value in _drafted(b):
        cls = type(value)
        assert cls in {LineBreakdown, AppliedDiscount, TaxAmount, DiscountShare}
        rebuilt = cls(**attrs.asdict(value, recurse=False))
        assert rebuilt == value
        assert hash(rebuilt) == hash(value)
        assert repr(rebuilt) == repr(value)
        assert pickle.loads(pickle.dumps(value)) == value
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            setattr(value, attrs.fields(cls)[0].name, None)


@st.composite
def _splits(draw: st.DrawFn) -> tuple[Money, list[Decimal]]:
    cur: Currency = draw(currencies())
    left = draw(st.lists(amounts(cur, min_units=0, max_units=10**12), min_size=1, max_size=8))
    # Amounts of one value may carry different exponents (5 and 5.00 EUR).
    left = [a.quantize(cur.quantum) if draw(st.booleans()) else a.normalize() for a in left]
    units = sum(int(a.scaleb(cur.exponent)) for a in left)
    total = draw(st.integers(0, units)) if units else 0
    return Money.from_minor_units(total, cur), left


@given(_splits())
def test_minor_unit_weights_split_like_the_amounts(case: tuple[Money, list[Decimal]]) -> None:
    total, left = case
    exponent = total.currency.exponent
    assume(any(left))  # all-zero weights are refused, by either kind
    by_units = allocate(total, [int(a.scaleb(exponent)) for a in left])
    by_amounts = allocate(total, left)
    assert by_units == by_amounts
    assert [p.amount.as_tuple() for p in by_units] == [p.amount.as_tuple() for p in by_amounts]
