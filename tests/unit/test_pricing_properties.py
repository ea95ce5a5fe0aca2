"""Pricing invariants, as hypothesis properties over generated pricers and requests."""

from __future__ import annotations

import re
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderkit.errors import PriceNotFound
from orderkit.money import Money
from orderkit.pricing import (
    FreeShipping,
    LineBreakdown,
    PercentOffOrder,
    PriceBreakdown,
    Pricer,
    PricingRequest,
    Promotion,
    ShippingBreakdown,
    TaxRounding,
)
from orderkit.serialization import converter
from orderkit.testing.strategies import pricers, pricing_cases, pricing_requests


def _whole(money: Money) -> bool:
    scaled = money.amount.scaleb(money.currency.exponent)
    return scaled == scaled.to_integral_value()


def _all_money(breakdown: PriceBreakdown) -> list[Money]:
    found: list[Money] = []

    def walk(value: object) -> None:
        if isinstance(value, Money):
            found.append(value)
        elif isinstance(value, tuple):
            for item in value:
                walk(item)
        elif attrs.has(cls := type(value)):
            for field in attrs.fields(cls):
                walk(getattr(value, field.name))

    walk(breakdown)
    return found


@given(pricing_cases())
def test_grand_total_adds_up_to_the_minor_unit(case: tuple[Pricer, PricingRequest]) -> None:
    pricer, request = case
    b = pricer.price(request)
    assert b.lines_gross + b.shipping.gross + b.tax_added - b.discount_total == b.grand_total
    assert b.net_total + b.tax_total == b.grand_total
    line_totals = Money.sum((line.total for line in b.lines), b.currency)
    assert line_totals + b.shipping.total == b.grand_total
    assert all(_whole(m) for m in _all_money(b))


@given(pricing_cases())
def test_each_line_adds_up(case: tuple[Pricer, PricingRequest]) -> None:
    pricer, request = case
    b = pricer.price(request)
    for line in b.lines:
        after = line.gross - line.discount_total
        if b.prices_include_tax:
            assert line.total == after
            assert line.net + line.tax_total == line.total
        else:
            assert line.net == after
            assert line.total == line.net + line.tax_total
        assert all(d.amount.amount > 0 for d in line.discounts)
    items: list[LineBreakdown | ShippingBreakdown] = [*b.lines, b.shipping]
    for item in items:
        assert item.gross_excluding_tax - item.discount_excluding_tax == item.net
        assert not item.discount_excluding_tax.is_negative
        if not b.prices_include_tax:
            assert item.gross_excluding_tax == item.gross
            assert item.discount_excluding_tax == item.discount_total
    shipping = b.shipping
    assert shipping.gross - shipping.discount_total == (
        shipping.total if b.prices_include_tax else shipping.net
    )


@given(pricing_cases())
def test_order_discount_shares_sum_exactly(case: tuple[Pricer, PricingRequest]) -> None:
    pricer, request = case
    b = pricer.price(request)
    for discount in b.order_discounts:
        assert Money.sum((s.amount for s in discount.shares), b.currency) == discount.amount
        assert [s.line_id for s in discount.shares] == [line.line_id for line in b.lines]
    # Every non-zero share shows on its line, attributed to the promotion.
    for discount in b.order_discounts:
        for share in discount.shares:
            if share.amount.amount:
                line = b.line(share.line_id)
                assert any(
                    d.source == discount.source and d.amount == share.amount for d in line.discounts
                )


@given(pricing_cases())
def test_no_line_and_no_order_goes_below_zero(case: tuple[Pricer, PricingRequest]) -> None:
    pricer, request = case
    b = pricer.price(request)
    for line in b.lines:
        assert not line.total.is_negative
        assert not line.net.is_negative
        assert line.discount_total <= line.gross
    assert not b.shipping.total.is_negative
    assert not b.grand_total.is_negative


@given(pricing_cases())
def test_tax_totals_are_the_sum_of_line_and_shipping_taxes(
    case: tuple[Pricer, PricingRequest],
) -> None:
    pricer, request = case
    b = pricer.price(request)
    items = [*(line.taxes for line in b.lines), b.shipping.taxes]
    for total in b.taxes:
        parts = [t for taxes in items for t in taxes if t.name == total.name]
        assert Money.sum((t.amount for t in parts), b.currency) == total.amount
        assert Money.sum((t.base for t in parts), b.currency) == total.base
    assert Money.sum((t.amount for t in b.taxes), b.currency) == b.tax_total


@given(pricing_cases())
def test_same_input_same_breakdown(case: tuple[Pricer, PricingRequest]) -> None:
    pricer, request = case
    first = pricer.price(request)
    again = pricer.price(converter.structure(converter.unstructure(request), PricingRequest))
    rebuilt = Pricer(
        pricer.price_book,
        tuple(reversed(pricer.promotions)),
        pricer.tax_policy,
        pricer.rounding,
    )
    assert first == again == rebuilt.price(request)


@given(
    pricing_cases(),
    st.sampled_from([(FreeShipping(),), (FreeShipping(), PercentOffOrder(Decimal(5)))]),
)
def test_a_higher_priority_exclusive_promotion_leaves_only_itself(
    case: tuple[Pricer, PricingRequest], actions: tuple[FreeShipping | PercentOffOrder, ...]
) -> None:
    pricer, request = case
    top = max((p.priority for p in pricer.promotions), default=0) + 1
    boss = Promotion("ZZ-BOSS", "only me", actions, priority=top, exclusive=True)
    b = attrs.evolve(pricer, promotions=(*pricer.promotions, boss)).price(request)
    applied = [p.code for p in b.promotions if p.applied]
    assert applied == ["ZZ-BOSS"]
    assert {d.source for line in b.lines for d in line.discounts} <= {"ZZ-BOSS"} | {
        line.line_id for line in request.lines
    }
    assert len(b.promotions) == len(pricer.promotions) + 1


@given(pricing_cases())
def test_every_promotion_is_explained(case: tuple[Pricer, PricingRequest]) -> None:
    pricer, request = case
    b = pricer.price(request)
    assert [p.code for p in b.promotions] == [p.code for p in pricer.promotions]
    for outcome in b.promotions:
        assert outcome.reason
        if not outcome.applied:
            assert outcome.amount.is_zero
    discounts = [d for line in b.lines for d in line.discounts] + list(b.shipping.discounts)
    promoted = Money.sum((d.amount for d in discounts if d.kind != "manual"), b.currency)
    assert Money.sum((p.amount for p in b.promotions), b.currency) == promoted


@given(st.data())
def test_price_book_lookup_prices_or_names_the_sku(data: st.DataObject) -> None:
    pricer = data.draw(pricers("EUR"))
    request = data.draw(pricing_requests("EUR", with_prices=False))
    lists = pricer.price_book.applicable("EUR", request.customer_group, request.moment)

    def expected(sku: str, quantity: int) -> Money | None:
        for price_list in lists:  # best first: group lists, then priority, then name
            entry = price_list.entry(sku)
            if entry is not None:
                return entry.unit_price_for(quantity)
        return None

    looked_up = [line for line in request.lines if line.unit_price is None]
    missing = [line.sku for line in looked_up if expected(line.sku, line.quantity) is None]
    if missing:
        with pytest.raises(PriceNotFound, match=re.escape(repr(missing[0]))):
            pricer.price(request)
        return
    b = pricer.price(request)
    for line, priced in zip(request.lines, b.lines, strict=True):
        want = line.unit_price or expected(line.sku, line.quantity)
        assert priced.unit_price == want


@given(pricing_cases())
def test_tax_matches_a_direct_computation(case: tuple[Pricer, PricingRequest]) -> None:
    """Tax recomputed from each taxed amount, independently of the pricer's bookkeeping."""
    pricer, request = case
    policy = pricer.tax_policy
    b = pricer.price(request)
    quantum = request.currency.quantum
    mode = policy.rounding.value
    items = [(line.total if b.prices_include_tax else line.net, line.taxes) for line in b.lines]
    items.append((b.shipping.total if b.prices_include_tax else b.shipping.net, b.shipping.taxes))
    exact_by_rate: dict[str, Decimal] = {}
    for amount, taxes in items:
        combined = sum((t.percent for t in taxes), Decimal(0))
        divisor = Decimal(100) + combined if b.prices_include_tax else Decimal(100)
        for tax in taxes:
            exact = amount.amount * tax.percent / divisor
            exact_by_rate[tax.name] = exact_by_rate.get(tax.name, Decimal(0)) + exact
            if policy.rounding_level == TaxRounding.PER_LINE:
                assert tax.amount.amount == exact.quantize(quantum, rounding=mode)
    if policy.rounding_level == TaxRounding.PER_TOTAL:
        for total in b.taxes:
            assert total.amount.amount == exact_by_rate[total.name].quantize(quantum, rounding=mode)
