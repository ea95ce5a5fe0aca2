"""Tax and the final breakdown: turns the pricer's working figures into values.

Tax is computed on what is left of each line and of shipping after
discounts. With prices excluding tax, each rate is ``base × percent``; with
prices including tax, the amount is gross and each rate's tax is
``gross × percent / (100 + sum of the percents that apply)``, so stacked
rates share one net base and the gross is never changed.

Every line is taxed and built in one pass; only ``PER_TOTAL`` rounding needs
a pass before it, to round each rate's exact total and spread it back.
"""

from __future__ import annotations

from decimal import Decimal

from orderkit.money import Money, _exact, allocate
from orderkit.pricing._breakdown import (
    AppliedDiscount,
    LineBreakdown,
    OrderDiscount,
    PriceBreakdown,
    PromotionOutcome,
    ShippingBreakdown,
    TaxAmount,
    new_line_breakdown,
    new_tax_amount,
)
from orderkit.pricing._common import HUNDRED, ZERO
from orderkit.pricing._request import PricingRequest
from orderkit.pricing._tax import TaxPolicy, TaxRate, TaxRounding

#: What one taxed item (a line or shipping) comes to: net, total, net as Money, taxes.
_Item = tuple[Decimal, Decimal, Money, tuple[TaxAmount, ...]]


class Assembly:
    """Computes tax and builds the :class:`PriceBreakdown` (internal, one use)."""

    def __init__(self, policy: TaxPolicy, request: PricingRequest) -> None:
        self.policy = policy
        self.request = request
        self.currency = request.currency
        self.inclusive = policy.prices_include_tax
        self.mode = policy.rounding.value
        self._rates: dict[str, tuple[tuple[TaxRate, ...], Decimal]] = {}
        #: Per rate (by identity: a policy's rates are distinct, and hashing one is
        #: slow): the rate, its taxable base and its tax so far.
        self._totals: dict[int, tuple[TaxRate, list[Decimal]]] = {}
        #: With PER_TOTAL rounding, each item's share of a rate's rounded total.
        self._shares: dict[tuple[int, int], Decimal] | None = None

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
            divisor = HUNDRED + sum((r.percent for r in rates), ZERO) if self.inclusive else HUNDRED
            found = self._rates[category] = (rates, divisor)
        return found

    def _share_totals(self, amounts: list[Decimal], categories: list[str]) -> None:
        """PER_TOTAL: round each rate's exact total once and spread it over its items."""
        quantum = self.currency.quantum
        exact_by_rate: dict[int, tuple[TaxRate, list[tuple[int, Decimal]]]] = {}
        for j, (amount, category) in enumerate(zip(amounts, categories, strict=True)):
            rates, divisor = self._rates_for(category)
            for rate in rates:
                parts = exact_by_rate.setdefault(id(rate), (rate, []))[1]
                parts.append((j, amount * rate.percent / divisor))
        shares: dict[tuple[int, int], Decimal] = {}
        for key, (_, parts) in exact_by_rate.items():
            rounded = sum((e for _, e in parts), ZERO).quantize(quantum, self.mode)
            if rounded:
                split = allocate(Money(rounded, self.currency), [e for _, e in parts])
                for (j, _), share in zip(parts, split, strict=True):
                    shares[j, key] = share.amount
        self._shares = shares

    def _item(self, j: int, amount: Decimal, category: str) -> _Item:
        """Tax item ``j`` (rates in policy order, rounded per the policy); count it per rate."""
        cur = self.currency
        rates, divisor = self._rates.get(category) or self._rates_for(category)
        shares = self._shares
        quantum = cur.quantum
        mode = self.mode
        found: list[tuple[TaxRate, Decimal]] = []
        tax = ZERO
        for rate in rates:
            t = (
                (amount * rate.percent / divisor).quantize(quantum, mode)
                if shares is None
                else shares.get((j, id(rate)), ZERO)
            )
            tax += t
            found.append((rate, t))
        net, total = (amount - tax, amount) if self.inclusive else (amount, amount + tax)
        net_money = _exact(net, cur)
        totals = self._totals
        taxes: list[TaxAmount] = []
        for rate, t in found:
            entry = totals.get(id(rate))
            if entry is None:
                totals[id(rate)] = (rate, [ZERO + net, ZERO + t])
            else:
                entry[1][0] += net
                entry[1][1] += t
            taxes.append(
                new_tax_amount(rate.name, rate.category, rate.percent, net_money, _exact(t, cur))
            )
        return net, total, net_money, tuple(taxes)

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
        if not self.inclusive:
            return gross_money, _exact(gross - net, cur)
        return self._excluding_included_tax(gross, category, net)

    def _excluding_included_tax(
        self, gross: Decimal, category: str, net: Decimal
    ) -> tuple[Money, Money]:
        """:meth:`_excluding_tax` with tax-inclusive prices."""
        cur = self.currency
        rates, divisor = self._rates_for(category)
        quantum = cur.quantum
        mode = self.mode
        tax = sum(((gross * r.percent / divisor).quantize(quantum, mode) for r in rates), ZERO)
        gross_ex = max(gross - tax, net)
        return _exact(gross_ex, cur), _exact(gross_ex - net, cur)

    def build(
        self,
        *,
        unit_prices: list[Decimal],
        gross: list[Decimal],
        remaining: list[Decimal],
        line_discounts: list[list[AppliedDiscount]],
        order_discounts: list[OrderDiscount],
        shipping_gross: Decimal,
        shipping_discounts: list[AppliedDiscount],
        outcomes: list[PromotionOutcome],
    ) -> PriceBreakdown:
        """Compute tax and assemble every figure, one pass over the lines.

        Each ``Money`` is built once from an amount already computed here (results
        of exact arithmetic on valid amounts: only their range is checked), and a
        figure equal to another one reuses it.
        """
        cur = self.currency
        request = self.request
        policy = self.policy
        inclusive = self.inclusive
        has_shipping = request.shipping is not None
        shipping_left = shipping_gross - sum([d.amount.amount for d in shipping_discounts], ZERO)
        if policy.rounding_level == TaxRounding.PER_TOTAL:
            amounts = list(remaining)
            categories = [line.tax_category for line in request.lines]
            if has_shipping:
                amounts.append(shipping_left)
                categories.append(policy.shipping_category)
            self._share_totals(amounts, categories)

        lines: list[LineBreakdown] = []
        net_total = total_total = discount_total = ZERO
        for j, line in enumerate(request.lines):
            line_gross = gross[j]
            category = line.tax_category
            net, total, net_money, line_taxes = self._item(j, remaining[j], category)
            gross_money = _exact(line_gross, cur)
            gross_ex, discount_ex = (
                self._excluding_included_tax(line_gross, category, net)
                if inclusive
                else (gross_money, _exact(line_gross - net, cur))
            )
            given = line.unit_price
            discounts = line_discounts[j]
            if discounts:  # all of them, as the pricer took them off (whole minor units)
                discount_total += line_gross - remaining[j]
            lines.append(
                new_line_breakdown(
                    line.line_id,
                    line.sku,
                    line.quantity,
                    given
                    if given is not None and given.currency is cur
                    else _exact(unit_prices[j], cur),
                    gross_money,
                    tuple(discounts),
                    net_money,
                    line_taxes,
                    _exact(total, cur),
                    gross_ex,
                    discount_ex,
                )
            )
            net_total += net
            total_total += total
        if has_shipping:
            ship_net, ship_total, ship_net_money, ship_taxes = self._item(
                len(lines), shipping_left, policy.shipping_category
            )
            net_total += ship_net
            total_total += ship_total
        else:
            ship_net, ship_total, ship_taxes = ZERO, ZERO, ()
            ship_net_money = _exact(ship_net, cur)
        ship_gross_money = _exact(shipping_gross, cur)
        ship_gross_ex, ship_discount_ex = self._excluding_tax(
            shipping_gross, ship_gross_money, policy.shipping_category, ship_net
        )
        shipping = ShippingBreakdown(
            ship_gross_money,
            tuple(shipping_discounts),
            ship_net_money,
            ship_taxes,
            _exact(ship_total, cur),
            ship_gross_ex,
            ship_discount_ex,
        )
        rates = policy.rates
        by_rate = sorted(self._totals.values(), key=lambda entry: rates.index(entry[0]))
        tax_totals = tuple(
            [
                new_tax_amount(
                    rate.name, rate.category, rate.percent, _exact(base, cur), _exact(tax, cur)
                )
                for rate, (base, tax) in by_rate
            ]
        )
        for d in shipping_discounts:
            discount_total += d.amount.amount
        return PriceBreakdown(
            cur,
            self.inclusive,
            tuple(lines),
            tuple(order_discounts),
            shipping,
            tax_totals,
            tuple(outcomes),
            _exact(sum(gross, ZERO), cur),
            _exact(discount_total, cur),
            _exact(net_total, cur),
            _exact(sum([tax for _, (_, tax) in by_rate], ZERO), cur),
            _exact(total_total, cur),
        )
