"""Money: addition, rounding and allocation against plain Decimal code and peer libraries."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal

import attrs
import moneyed
import prices  # type: ignore[import-untyped]

from bench._harness import Row, Target, compare, loop
from orderkit.money import Money, allocate

GROUP = "money"


@attrs.frozen
class _MinimalMoney:
    """The floor of the addition target: a bare frozen attrs class with a currency check."""

    amount: Decimal
    currency: str

    def __add__(self, other: _MinimalMoney) -> _MinimalMoney:
        if other.currency != self.currency:
            raise ValueError(f"currency mismatch: {self.currency} vs {other.currency}")
        return _MinimalMoney(self.amount + other.amount, self.currency)


def _decimal_allocate(units: int, weights: list[int]) -> list[Decimal]:
    """Largest-remainder split in plain integer/Decimal code (what ``allocate`` must do)."""
    total = sum(weights)
    parts = []
    remainders = []
    for weight in weights:
        whole, remainder = divmod(units * weight, total)
        parts.append(whole)
        remainders.append(remainder)
    order = sorted(range(len(weights)), key=lambda i: (-remainders[i], -weights[i], i))
    for index in order[: units - sum(parts)]:
        parts[index] += 1
    return [Decimal(part).scaleb(-2) for part in parts]


def run() -> list[Row]:
    """Every money row."""
    rows: list[Row] = []
    a, b = Money.of("10.50", "EUR"), Money.of("2.25", "EUR")
    da, db = Decimal("10.50"), Decimal("2.25")
    ma, mb = _MinimalMoney(da, "EUR"), _MinimalMoney(db, "EUR")
    pa, pb = prices.Money("10.50", "EUR"), prices.Money("2.25", "EUR")
    ya, yb = moneyed.Money("10.50", "EUR"), moneyed.Money("2.25", "EUR")
    rows += compare(
        GROUP,
        "Money + Money",
        loop(lambda: a + b),
        [
            ("minimal frozen attrs class", loop(lambda: ma + mb), Target(1.5, "≤ 1.5×")),
            ("plain Decimal +", loop(lambda: da + db), None),
            ("prices", loop(lambda: pa + pb), Target(1.0, "< 1× (faster)")),
            ("py-moneyed", loop(lambda: ya + yb), Target(1.0, "< 1× (faster)")),
        ],
    )
    raw = Money.of("2.345", "EUR")
    draw = Decimal("2.345")
    cent = Decimal("0.01")
    praw, yraw = prices.Money("2.345", "EUR"), moneyed.Money("2.345", "EUR")
    rows += compare(
        GROUP,
        "Money.round() half-up",
        loop(raw.round),
        [
            ("Decimal.quantize", loop(lambda: draw.quantize(cent, ROUND_HALF_UP)), None),
            ("prices quantize", loop(praw.quantize), None),
            ("py-moneyed round", loop(lambda: yraw.round(2)), None),
        ],
    )
    total = Money.of("100.00", "EUR")
    weights = [3, 1, 1, 2, 5]
    rows += compare(
        GROUP,
        "allocate(100 EUR, 5 weights)",
        loop(lambda: allocate(total, weights)),
        [("plain largest-remainder", loop(lambda: _decimal_allocate(10000, weights)), None)],
    )
    return rows
