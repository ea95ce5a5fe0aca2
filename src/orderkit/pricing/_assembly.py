"""Tax and the final breakdown: turns the pricer's working figures into values.

Tax is computed on what is left of each line and of shipping after
discounts. With prices excluding tax, each rate is ``base × percent``; with
prices including tax, the amount is gross and each rate's tax is
``gross × percent / (100 + sum of the percents that apply)``, so stacked
rates share one net base and the gross is never changed.
"""

from __future__ import annotations

from decimal import Decimal

from orderkit.money import Currency, Money, _exact, allocate
from orderkit.pricing._breakdown import (
    AppliedDiscount,
    DiscountKind,
    LineBreakdown,
    OrderDiscount,
    PriceBreakdown,
    PromotionOutcome,
    ShippingBreakdown,
    TaxAmount,
)
from orderkit.pricing._common import HUNDRED, ZERO
from orderkit.pricing._request import PricingRequest
from orderkit.pricing._tax import TaxPolicy, TaxRate, TaxRounding

#: (kind, source, label, amount, and the amount's Money when it exists already: an order
#: discount's share from allocate) of one discount while pricing.
Discount = tuple[DiscountKind, str, str, Decimal, Money | None]


class Assembly:
    """Computes tax and builds the :class:`PriceBreakdown` (internal, one use)."""

    def __init__(self, policy: TaxPolicy, request: PricingRequest) -> None:
        self.policy = policy
        self.request = request
        self.currency = request.currency
        self._rates: dict[str, tuple[tuple[TaxRate, ...], Decimal]] = {}

    def _rates_for(self, category: str) -> tuple[tuple[TaxRate, ...], Decimal]:
        """The rates of a category and what their exact tax divides by.

        The divisor is 100, or 100 plus the percents that apply when prices
        include tax (stacked rates share one net base).
        """
        found = self._rates.get(category)
        if found is None:
            rates = (
                ()
                if self.request.tax_exempt
                else self.policy.rates_for(self.request.destination, category)
            )
            inclusive = self.policy.prices_include_tax
            divisor = HUNDRED + sum((r.percent for r in rates), ZERO) if inclusive else HUNDRED
            found = self._rates[category] = (rates, divisor)
        return found

    def _taxes(
        self, amounts: list[Decimal], categories: list[str]
    ) -> list[list[tuple[TaxRate, Decimal]]]:
        """Per item, the tax of each rate that applies, rounded per the policy."""
        quantum = self.currency.quantum
        mode = self.policy.rounding.value
        per_total = self.policy.rounding_level == TaxRounding.PER_TOTAL
        result: list[list[tuple[TaxRate, Decimal]]] = []
        exact_by_rate: dict[TaxRate, list[tuple[int, Decimal]]] = {}
        for j, (amount, category) in enumerate(zip(amounts, categories, strict=True)):
            rates, divisor = self._rates_for(category)
            item: list[tuple[TaxRate, Decimal]] = []
            for rate in rates:
                exact = amount * rate.percent / divisor
                if per_total:
                    exact_by_rate.setdefault(rate, []).append((j, exact))
                    item.append((rate, ZERO))
                else:
                    item.append((rate, exact.quantize(quantum, mode)))
            result.append(item)
        for rate, parts in exact_by_rate.items():
            rounded = sum((e for _, e in parts), ZERO).quantize(quantum, mode)
            if not rounded:
                continue
            shares = allocate(Money(rounded, self.currency), [e for _, e in parts])
            for (j, _), share in zip(parts, shares, strict=True):
                item = result[j]
                position = next(k for k, (r, _) in enumerate(item) if r == rate)
                item[position] = (rate, share.amount)
        return result

    def _excluding_tax(
        self, gross: Decimal, gross_money: Money, category: str, net: Decimal
    ) -> tuple[Money, Money]:
        """Gross and discount without tax, so that ``gross - discount == net`` exactly.

        With tax-exclusive prices these are the gross and the discounts. With
        tax-inclusive prices the gross loses the tax it contains (same rates,
        mode and per-line rounding) and the discount is what remains to reach
        ``net``; an invoice, which shows amounts without tax, uses them.
        """
        cur = self.currency
        if not self.policy.prices_include_tax:
            return gross_money, _exact(gross - net, cur)
        rates, divisor = self._rates_for(category)
        quantum = cur.quantum
        mode = self.policy.rounding.value
        tax = sum(((gross * r.percent / divisor).quantize(quantum, mode) for r in rates), ZERO)
        gross_ex = max(gross - tax, net)
        return _exact(gross_ex, cur), _exact(gross_ex - net, cur)

    def build(
        self,
        *,
        unit_prices: list[Decimal],
        gross: list[Decimal],
        remaining: list[Decimal],
        line_discounts: list[list[Discount]],
        order_discounts: list[OrderDiscount],
        shipping_gross: Decimal,
        shipping_discounts: list[Discount],
        outcomes: list[PromotionOutcome],
    ) -> PriceBreakdown:
        """Compute tax and assemble every figure.

        Each ``Money`` is built once from an amount already computed here (results
        of exact arithmetic on valid amounts: only their range is checked), and a
        figure equal to another one reuses it.
        """
        cur = self.currency
        request = self.request
        inclusive = self.policy.prices_include_tax
        has_shipping = request.shipping is not None
        shipping_left = shipping_gross - sum([d[3] for d in shipping_discounts], ZERO)
        amounts = list(remaining)
        categories = [line.tax_category for line in request.lines]
        if has_shipping:
            amounts.append(shipping_left)
            categories.append(self.policy.shipping_category)
        taxes = self._taxes(amounts, categories)

        # Per rate (by identity: a policy's rates are distinct, and hashing one is slow).
        totals: dict[int, tuple[TaxRate, list[Decimal]]] = {}  # id -> (rate, [base, tax])
        built: list[tuple[Decimal, Decimal, Money, tuple[TaxAmount, ...]]] = []
        for amount, item in zip(amounts, taxes, strict=True):
            tax = sum([t for _, t in item], ZERO)
            net, total = (amount - tax, amount) if inclusive else (amount, amount + tax)
            net_money = _exact(net, cur)
            for rate, t in item:
                found = totals.get(id(rate))
                if found is None:
                    totals[id(rate)] = (rate, [ZERO + net, ZERO + t])
                else:
                    entry = found[1]
                    entry[0] += net
                    entry[1] += t
            line_taxes = tuple(
                [
                    TaxAmount(r.name, r.category, r.percent, net_money, _exact(t, cur))
                    for r, t in item
                ]
            )
            built.append((net, total, net_money, line_taxes))

        lines: list[LineBreakdown] = []
        for line, line_gross, unit_price, (net, total, net_money, line_taxes), discounts in zip(
            request.lines, gross, unit_prices, built, line_discounts, strict=False
        ):
            given = line.unit_price
            gross_money = _exact(line_gross, cur)
            gross_ex, discount_ex = self._excluding_tax(
                line_gross, gross_money, line.tax_category, net
            )
            lines.append(
                LineBreakdown(
                    line.line_id,
                    line.sku,
                    line.quantity,
                    given
                    if given is not None and given.currency is cur
                    else _exact(unit_price, cur),
                    gross_money,
                    _discounts(discounts, cur),
                    net_money,
                    line_taxes,
                    _exact(total, cur),
                    gross_ex,
                    discount_ex,
                )
            )
        if has_shipping:
            ship_net, ship_total, ship_net_money, ship_taxes = built[-1]
        else:
            ship_net, ship_total, ship_taxes = ZERO, ZERO, ()
            ship_net_money = _exact(ship_net, cur)
        ship_gross_money = _exact(shipping_gross, cur)
        ship_gross_ex, ship_discount_ex = self._excluding_tax(
            shipping_gross, ship_gross_money, self.policy.shipping_category, ship_net
        )
        shipping = ShippingBreakdown(
            ship_gross_money,
            _discounts(shipping_discounts, cur),
            ship_net_money,
            ship_taxes,
            _exact(ship_total, cur),
            ship_gross_ex,
            ship_discount_ex,
        )
        rates = self.policy.rates
        by_rate = sorted(totals.values(), key=lambda found: rates.index(found[0]))
        tax_totals = tuple(
            [
                TaxAmount(
                    rate.name, rate.category, rate.percent, _exact(base, cur), _exact(tax, cur)
                )
                for rate, (base, tax) in by_rate
            ]
        )
        discount_total = sum([d[3] for ds in line_discounts for d in ds], ZERO) + sum(
            [d[3] for d in shipping_discounts], ZERO
        )
        return PriceBreakdown(
            cur,
            inclusive,
            tuple(lines),
            tuple(order_discounts),
            shipping,
            tax_totals,
            tuple(outcomes),
            _exact(sum(gross, ZERO), cur),
            _exact(discount_total, cur),
            _exact(sum([b[0] for b in built], ZERO), cur),
            _exact(sum([tax for _, (_, tax) in by_rate], ZERO), cur),
            _exact(sum([b[1] for b in built], ZERO), cur),
        )


def _discounts(items: list[Discount], currency: Currency) -> tuple[AppliedDiscount, ...]:
    return tuple(
        [
            AppliedDiscount(
                kind, source, label, _exact(amount, currency) if money is None else money
            )
            for kind, source, label, amount, money in items
        ]
    )
