"""Tax and the final breakdown: turns the pricer's working figures into values.

Tax is computed on what is left of each line and of shipping after
discounts. With prices excluding tax, each rate is ``base × percent``; with
prices including tax, the amount is gross and each rate's tax is
``gross × percent / (100 + sum of the percents that apply)``, so stacked
rates share one net base and the gross is never changed.
"""

from __future__ import annotations

from decimal import Decimal

from orderkit.money import Currency, Money, allocate
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

#: (kind, source, label, amount) of one discount while pricing.
Discount = tuple[DiscountKind, str, str, Decimal]


class Assembly:
    """Computes tax and builds the :class:`PriceBreakdown` (internal, one use)."""

    def __init__(self, policy: TaxPolicy, request: PricingRequest) -> None:
        self.policy = policy
        self.request = request
        self.currency = request.currency
        self._rates: dict[str, tuple[TaxRate, ...]] = {}

    def _rates_for(self, category: str) -> tuple[TaxRate, ...]:
        rates = self._rates.get(category)
        if rates is None:
            rates = (
                ()
                if self.request.tax_exempt
                else self.policy.rates_for(self.request.destination, category)
            )
            self._rates[category] = rates
        return rates

    def _taxes(
        self, amounts: list[Decimal], categories: list[str]
    ) -> list[list[tuple[TaxRate, Decimal]]]:
        """Per item, the tax of each rate that applies, rounded per the policy."""
        quantum = self.currency.quantum
        mode = self.policy.rounding.value
        inclusive = self.policy.prices_include_tax
        per_total = self.policy.rounding_level == TaxRounding.PER_TOTAL
        result: list[list[tuple[TaxRate, Decimal]]] = []
        exact_by_rate: dict[TaxRate, list[tuple[int, Decimal]]] = {}
        for j, (amount, category) in enumerate(zip(amounts, categories, strict=True)):
            rates = self._rates_for(category)
            divisor = HUNDRED + sum((r.percent for r in rates), ZERO) if inclusive else HUNDRED
            item: list[tuple[TaxRate, Decimal]] = []
            for rate in rates:
                exact = amount * rate.percent / divisor
                if per_total:
                    exact_by_rate.setdefault(rate, []).append((j, exact))
                    item.append((rate, ZERO))
                else:
                    item.append((rate, exact.quantize(quantum, rounding=mode)))
            result.append(item)
        for rate, parts in exact_by_rate.items():
            rounded = sum((e for _, e in parts), ZERO).quantize(quantum, rounding=mode)
            if not rounded:
                continue
            shares = allocate(Money(rounded, self.currency), [e for _, e in parts])
            for (j, _), share in zip(parts, shares, strict=True):
                item = result[j]
                position = next(k for k, (r, _) in enumerate(item) if r == rate)
                item[position] = (rate, share.amount)
        return result

    def _excluding_tax(
        self, gross: Decimal, category: str, net: Decimal
    ) -> tuple[Decimal, Decimal]:
        """Gross and discount without tax, so that ``gross - discount == net`` exactly.

        With tax-exclusive prices these are the gross and the discounts. With
        tax-inclusive prices the gross loses the tax it contains (same rates,
        mode and per-line rounding) and the discount is what remains to reach
        ``net``; an invoice, which shows amounts without tax, uses them.
        """
        if not self.policy.prices_include_tax:
            return gross, gross - net
        rates = self._rates_for(category)
        divisor = HUNDRED + sum((r.percent for r in rates), ZERO)
        quantum = self.currency.quantum
        mode = self.policy.rounding.value
        tax = sum(
            ((gross * r.percent / divisor).quantize(quantum, rounding=mode) for r in rates), ZERO
        )
        gross_ex = max(gross - tax, net)
        return gross_ex, gross_ex - net

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
        """Compute tax and assemble every figure."""
        cur = self.currency
        request = self.request
        inclusive = self.policy.prices_include_tax
        has_shipping = request.shipping is not None
        shipping_left = shipping_gross - sum((d[3] for d in shipping_discounts), ZERO)
        amounts = list(remaining)
        categories = [line.tax_category for line in request.lines]
        if has_shipping:
            amounts.append(shipping_left)
            categories.append(self.policy.shipping_category)
        taxes = self._taxes(amounts, categories)

        totals: dict[TaxRate, list[Decimal]] = {}  # rate -> [base, tax]
        built: list[tuple[Decimal, Decimal, tuple[TaxAmount, ...]]] = []
        for amount, item in zip(amounts, taxes, strict=True):
            tax = sum((t for _, t in item), ZERO)
            net, total = (amount - tax, amount) if inclusive else (amount, amount + tax)
            net_money = Money(net, cur)
            for rate, t in item:
                entry = totals.setdefault(rate, [ZERO, ZERO])
                entry[0] += net
                entry[1] += t
            built.append(
                (
                    net,
                    total,
                    tuple(
                        TaxAmount(r.name, r.category, r.percent, net_money, Money(t, cur))
                        for r, t in item
                    ),
                )
            )

        lines: list[LineBreakdown] = []
        for i, line in enumerate(request.lines):
            net, total, line_taxes = built[i]
            gross_ex, discount_ex = self._excluding_tax(gross[i], line.tax_category, net)
            lines.append(
                LineBreakdown(
                    line_id=line.line_id,
                    sku=line.sku,
                    quantity=line.quantity,
                    unit_price=Money(unit_prices[i], cur),
                    gross=Money(gross[i], cur),
                    discounts=_discounts(line_discounts[i], cur),
                    net=Money(net, cur),
                    gross_excluding_tax=Money(gross_ex, cur),
                    discount_excluding_tax=Money(discount_ex, cur),
                    taxes=line_taxes,
                    total=Money(total, cur),
                )
            )
        if has_shipping:
            ship_net, ship_total, ship_taxes = built[-1]
        else:
            ship_net, ship_total, ship_taxes = ZERO, ZERO, ()
        ship_gross_ex, ship_discount_ex = self._excluding_tax(
            shipping_gross, self.policy.shipping_category, ship_net
        )
        shipping = ShippingBreakdown(
            gross=Money(shipping_gross, cur),
            discounts=_discounts(shipping_discounts, cur),
            net=Money(ship_net, cur),
            gross_excluding_tax=Money(ship_gross_ex, cur),
            discount_excluding_tax=Money(ship_discount_ex, cur),
            taxes=ship_taxes,
            total=Money(ship_total, cur),
        )
        order = {rate: k for k, rate in enumerate(self.policy.rates)}
        tax_totals = tuple(
            TaxAmount(rate.name, rate.category, rate.percent, Money(base, cur), Money(tax, cur))
            for rate, (base, tax) in sorted(totals.items(), key=lambda kv: order[kv[0]])
        )
        discount_total = sum((d[3] for ds in line_discounts for d in ds), ZERO) + sum(
            (d[3] for d in shipping_discounts), ZERO
        )
        tax_total = sum((t.amount.amount for t in tax_totals), ZERO)
        grand_total = sum((b[1] for b in built), ZERO)
        return PriceBreakdown(
            currency=cur,
            prices_include_tax=inclusive,
            lines=tuple(lines),
            order_discounts=tuple(order_discounts),
            shipping=shipping,
            taxes=tax_totals,
            promotions=tuple(outcomes),
            lines_gross=Money(sum(gross, ZERO), cur),
            discount_total=Money(discount_total, cur),
            net_total=Money(sum((b[0] for b in built), ZERO), cur),
            tax_total=Money(tax_total, cur),
            grand_total=Money(grand_total, cur),
        )


def _discounts(items: list[Discount], currency: Currency) -> tuple[AppliedDiscount, ...]:
    return tuple(
        AppliedDiscount(kind, source, label, Money(amount, currency))
        for kind, source, label, amount in items
    )
