"""Pricing: a 10-line order against the Decimal work it must do, and growth with size.

The floor for the target row does, in plain ``Decimal``, the arithmetic the
pricer cannot avoid for that order: gross per line, a 10 % line discount
rounded per line, a 5 % order discount split over the lines by largest
remainder, 19 % tax rounded per line, and the totals. The run checks that the
floor's grand total equals the pricer's, so both do the same sum.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import ROUND_HALF_UP, Decimal

from bench._harness import Row, Target, compare, growth, loop, single
from orderkit.ids import LineId, Sku
from orderkit.money import Currency, Money
from orderkit.pricing import (
    BuyXGetY,
    ContainsItems,
    CouponCode,
    FixedOffLines,
    FixedOffOrder,
    Jurisdiction,
    MinimumQuantity,
    MinimumSubtotal,
    PercentOffLines,
    PercentOffOrder,
    Pricer,
    PricingLine,
    PricingRequest,
    Promotion,
    TaxPolicy,
    TaxRate,
)

GROUP = "pricing"
AT = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
EUR = Currency.of("EUR")
DE = Jurisdiction("DE")
CENT = Decimal("0.01")
CATEGORIES = ("standard", "reduced", "zero")
THREE_RATES = TaxPolicy(
    (
        TaxRate("DE VAT 19", DE, "standard", Decimal(19)),
        TaxRate("DE VAT 7", DE, "reduced", Decimal(7)),
        TaxRate("DE VAT 0", DE, "zero", Decimal(0)),
    ),
    prices_include_tax=False,
)


def lines(count: int) -> list[PricingLine]:
    """``count`` lines over the three tax categories."""
    return [
        PricingLine(
            LineId(f"L{n}"),
            Sku(f"SKU-{n}"),
            1 + n % 4,
            unit_price=Money.of(f"{3 + n % 17}.{n % 100:02d}", "EUR"),
            categories=(f"cat-{n % 5}",),
            tax_category=CATEGORIES[n % 3],
        )
        for n in range(count)
    ]


def promotions(count: int) -> list[Promotion]:
    """``count`` promotions of every kind, mostly combinable, some not applicable."""
    eur = "EUR"
    found: list[Promotion] = []
    for n in range(count):
        kind = n % 8
        code = f"P{n}"
        if kind == 0:
            found.append(
                Promotion(code, code, (PercentOffLines(Decimal(5), categories=(f"cat-{n % 5}",)),))
            )
        elif kind == 1:
            found.append(
                Promotion(code, code, (FixedOffLines(Money.of("0.50", eur), skus=(f"SKU-{n}",)),))
            )
        elif kind == 2:
            found.append(
                Promotion(
                    code,
                    code,
                    (PercentOffOrder(Decimal(2)),),
                    conditions=(MinimumSubtotal(Money.of("50", eur)),),
                )
            )
        elif kind == 3:
            found.append(
                Promotion(code, code, (BuyXGetY(2, 1, skus=(f"SKU-{n}", f"SKU-{n + 1}")),))
            )
        elif kind == 4:
            found.append(
                Promotion(
                    code,
                    code,
                    (FixedOffOrder(Money.of("1.00", eur)),),
                    conditions=(CouponCode(f"C{n}"),),
                )
            )
        elif kind == 5:
            found.append(
                Promotion(
                    code,
                    code,
                    (PercentOffLines(Decimal(3), skus=(f"SKU-{n}",)),),
                    conditions=(MinimumQuantity(2, skus=(f"SKU-{n}",)),),
                )
            )
        elif kind == 6:
            found.append(
                Promotion(
                    code,
                    code,
                    (PercentOffLines(Decimal(1)),),
                    conditions=(ContainsItems(categories=("cat-3",)),),
                    priority=n,
                )
            )
        else:
            found.append(
                Promotion(
                    code, code, (PercentOffOrder(Decimal(50)),), conditions=(CouponCode("NEVER"),)
                )
            )
    return found


def request(count: int, coupons: tuple[str, ...] = ("C4", "C12")) -> PricingRequest:
    """A request of ``count`` lines shipped to Germany."""
    return PricingRequest(
        currency=EUR, moment=AT, lines=lines(count), coupon_codes=coupons, destination=DE
    )


# -- the 10-line target and its floor ---------------------------------------------------


SMALL_PRICER = Pricer(
    promotions=(
        Promotion(
            "LINES10", "10 % off cat-1", (PercentOffLines(Decimal(10), categories=("cat-1",)),)
        ),
        Promotion("ORDER5", "5 % off the order", (PercentOffOrder(Decimal(5)),)),
    ),
    tax_policy=TaxPolicy(
        (TaxRate("DE VAT 19", DE, "standard", Decimal(19)),), prices_include_tax=False
    ),
)


def small_request() -> PricingRequest:
    """10 lines, all standard-rated."""
    return PricingRequest(
        currency=EUR,
        moment=AT,
        lines=[
            PricingLine(
                LineId(f"L{n}"),
                Sku(f"SKU-{n}"),
                1 + n % 4,
                unit_price=Money.of(f"{3 + n % 17}.{n % 100:02d}", "EUR"),
                categories=(f"cat-{n % 5}",),
            )
            for n in range(10)
        ],
        destination=DE,
    )


def decimal_floor(
    rows: list[tuple[int, Decimal, bool]], line_pct: Decimal, order_pct: Decimal, tax_pct: Decimal
) -> Decimal:
    """The arithmetic of the small order in plain Decimal/int code; returns the grand total."""
    gross = [qty * price for qty, price, _ in rows]
    line_off = [
        (g * line_pct / 100).quantize(CENT, ROUND_HALF_UP) if hit else Decimal(0)
        for g, (_, _, hit) in zip(gross, rows, strict=True)
    ]
    after = [g - d for g, d in zip(gross, line_off, strict=True)]
    subtotal = sum(after)
    order_off = int((subtotal * order_pct / 100).quantize(CENT, ROUND_HALF_UP) * 100)
    weights = [int(a * 100) for a in after]
    total_weight = sum(weights)
    parts, remainders = [], []
    for w in weights:
        whole, remainder = divmod(order_off * w, total_weight)
        parts.append(whole)
        remainders.append(remainder)
    ranked = sorted(range(len(weights)), key=lambda i: (-remainders[i], -weights[i], i))
    for i in ranked[: order_off - sum(parts)]:
        parts[i] += 1
    nets = [a - Decimal(p).scaleb(-2) for a, p in zip(after, parts, strict=True)]
    taxes = [(n * tax_pct / 100).quantize(CENT, ROUND_HALF_UP) for n in nets]
    return sum(nets, Decimal(0)) + sum(taxes, Decimal(0))


def run() -> list[Row]:
    """The pricing rows: the 10-line target, the 50-line order and growth exponents."""
    rows: list[Row] = []
    small = small_request()
    floor_input = [
        (line.quantity, line.unit_price.amount, "cat-1" in line.categories)  # type: ignore[union-attr]
        for line in small.lines
    ]
    expected = SMALL_PRICER.price(small).grand_total.amount
    got = decimal_floor(floor_input, Decimal(10), Decimal(5), Decimal(19))
    if got != expected:
        raise AssertionError(f"the Decimal floor gives {got}, the pricer {expected}")
    rows += compare(
        GROUP,
        "price 10 lines, 2 discounts, tax",
        loop(lambda: SMALL_PRICER.price(small)),
        [
            (
                "the Decimal operations",
                loop(lambda: decimal_floor(floor_input, Decimal(10), Decimal(5), Decimal(19))),
                Target(2.0, "≤ 2×"),
            )
        ],
    )
    big = Pricer(promotions=promotions(20), tax_policy=THREE_RATES)
    big_request = request(50)
    rows.append(
        single(
            GROUP,
            "price 50 lines, 20 promotions, 3 rates",
            loop(lambda: big.price(big_request)),
            runs=3,
        )
    )

    def by_lines(n: int) -> Callable[[], object]:
        req = request(n)
        return lambda: big.price(req)

    def by_promotions(n: int) -> Callable[[], object]:
        pricer = Pricer(promotions=promotions(n), tax_policy=THREE_RATES)
        return lambda: pricer.price(big_request)

    rows.append(
        growth(
            GROUP,
            "price 50 lines, 20 promotions, 3 rates",
            (25, 50, 100, 200),
            by_lines,
            variable="lines",
            at=50,
        )
    )
    rows.append(
        growth(
            GROUP,
            "price 50 lines, 20 promotions, 3 rates",
            (5, 10, 20, 40),
            by_promotions,
            variable="promotions",
            at=20,
        )
    )
    return rows
