"""Strategies for pricing: price lists, promotions, tax policies, shipping rules, requests.

Everything money-valued is drawn in one currency per example (the cart's),
so generated promotions and rules can actually apply; ``pricing_cases``
draws a coherent pricer and request together. Without an explicit currency
one of EUR, USD, JPY and KWD is drawn (minor-unit exponents 2, 0 and 3);
the strategies for each currency are built once and cached, which keeps
generation fast.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import TypeVar

from hypothesis import strategies as st

from orderkit.errors import OrderkitError
from orderkit.ids import LineId, Sku
from orderkit.money import Currency, Money, Rounding
from orderkit.pricing import (
    Action,
    AppliedDiscount,
    BuyXGetY,
    CarrierRate,
    Condition,
    ContainsItems,
    CouponCode,
    CustomerGroupIs,
    DiscountShare,
    FirstOrder,
    FixedOffLines,
    FixedOffOrder,
    FixedPriceLines,
    FlatRate,
    FreeAbove,
    FreeShipping,
    Jurisdiction,
    LineAdjustment,
    LineBreakdown,
    MinimumQuantity,
    MinimumSubtotal,
    OrderDiscount,
    PercentOffLines,
    PercentOffOrder,
    PriceBook,
    PriceBreakdown,
    PriceEntry,
    PriceList,
    Pricer,
    PriceTier,
    PricingLine,
    PricingRequest,
    Promotion,
    PromotionOutcome,
    ShippingBreakdown,
    ShippingRule,
    SubtotalTier,
    TaxAmount,
    TaxPolicy,
    TaxRate,
    TaxRounding,
    TieredPercentOffOrder,
    ValidDuring,
    WeightBracket,
    WeightTable,
)

__all__ = [
    "applied_discounts",
    "buy_x_get_y_actions",
    "carrier_rate_rules",
    "contains_items_conditions",
    "coupon_codes",
    "customer_group_conditions",
    "discount_shares",
    "first_order_conditions",
    "fixed_off_lines",
    "fixed_off_orders",
    "fixed_price_lines",
    "flat_rate_rules",
    "free_above_rules",
    "free_shipping_actions",
    "jurisdictions",
    "line_adjustments",
    "line_breakdowns",
    "minimum_quantities",
    "minimum_subtotals",
    "order_discounts",
    "percent_off_lines",
    "percent_off_orders",
    "price_books",
    "price_breakdowns",
    "price_entries",
    "price_lists",
    "price_tiers",
    "pricers",
    "pricing_cases",
    "pricing_line_values",
    "pricing_lines",
    "pricing_requests",
    "promotion_actions",
    "promotion_conditions",
    "promotion_outcomes",
    "promotions",
    "shipping_breakdowns",
    "shipping_rules",
    "subtotal_tiers",
    "tax_amounts",
    "tax_policies",
    "tax_rates",
    "tiered_percent_off_orders",
    "valid_during_conditions",
    "weight_brackets",
    "weight_tables",
]

_T = TypeVar("_T")

SKUS = tuple(Sku(f"SKU-{n}") for n in range(6))
CATEGORIES = ("books", "toys", "food")
GROUPS = ("retail", "wholesale")
COUPONS = ("SAVE10", "WELCOME")
TAX_CATEGORIES = ("standard", "reduced", "exempt")
_PLACES = (Jurisdiction("DE"), Jurisdiction("US", "TX"), Jurisdiction("US", "TX/Travis"))
_BASE = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


_POOL = tuple(Currency.of(code) for code in ("EUR", "USD", "JPY", "KWD"))


def _currency(currency: Currency | str | None) -> st.SearchStrategy[Currency]:
    return st.just(Currency.of(currency)) if currency is not None else st.sampled_from(_POOL)


def _money(cur: Currency, low: int = 0, high: int = 10**6) -> st.SearchStrategy[Money]:
    return st.integers(low, high).map(lambda n: Money.from_minor_units(n, cur))


_PERCENTS = st.sampled_from([Decimal(p) for p in ("0", "5", "10", "12.5", "33.33", "50", "100")])
_ROUNDINGS = st.sampled_from([Rounding.HALF_UP, Rounding.HALF_EVEN, Rounding.DOWN])
_MOMENTS = st.integers(0, 400).map(lambda d: _BASE + dt.timedelta(days=d))
_SELECTORS = st.tuples(
    st.lists(st.sampled_from(SKUS), max_size=2, unique=True).map(tuple),
    st.lists(st.sampled_from(CATEGORIES), max_size=1).map(tuple),
)
_WINDOWS = st.tuples(st.none() | _MOMENTS, st.integers(1, 200)).map(
    lambda pair: (pair[0], pair[0] + dt.timedelta(days=pair[1]) if pair[0] else None)
)


def jurisdictions() -> st.SearchStrategy[Jurisdiction]:
    """A few places, nested so regional rates stack."""
    return st.sampled_from(_PLACES)


@functools.cache
def _price_tiers(cur: Currency) -> st.SearchStrategy[PriceTier]:
    return st.builds(PriceTier, st.integers(2, 20), _money(cur))


def price_tiers(currency: Currency | str | None = None) -> st.SearchStrategy[PriceTier]:
    """A quantity break and its unit price."""
    return _currency(currency).flatmap(_price_tiers)


@functools.cache
def _price_entries(cur: Currency) -> st.SearchStrategy[PriceEntry]:
    tiers = st.lists(_price_tiers(cur), max_size=2, unique_by=lambda t: t.min_quantity)
    return st.builds(PriceEntry, st.sampled_from(SKUS), _money(cur), tiers)


def price_entries(currency: Currency | str | None = None) -> st.SearchStrategy[PriceEntry]:
    """A SKU's unit price with up to two quantity breaks."""
    return _currency(currency).flatmap(_price_entries)


@functools.cache
def _price_lists(cur: Currency) -> st.SearchStrategy[PriceList]:
    entries = st.lists(_price_entries(cur), max_size=len(SKUS), unique_by=lambda e: e.sku)
    return st.builds(
        lambda name, entries, group, window, priority: PriceList(
            name, cur, entries, group, window[0], window[1], priority
        ),
        st.sampled_from(("base", "sale", "vip", "b2b")),
        entries,
        st.none() | st.sampled_from(GROUPS),
        _WINDOWS,
        st.integers(-3, 3),
    )


def price_lists(currency: Currency | str | None = None) -> st.SearchStrategy[PriceList]:
    """Price lists over a few skus, with tiers, optional group and window."""
    return _currency(currency).flatmap(_price_lists)


@functools.cache
def _price_books(cur: Currency) -> st.SearchStrategy[PriceBook]:
    return st.lists(_price_lists(cur), max_size=3, unique_by=lambda p: p.name).map(PriceBook)


def price_books(currency: Currency | str | None = None) -> st.SearchStrategy[PriceBook]:
    """Price books of up to three lists in one currency."""
    return _currency(currency).flatmap(_price_books)


@functools.cache
@functools.cache
def _minimum_subtotals(cur: Currency) -> st.SearchStrategy[MinimumSubtotal]:
    return st.builds(MinimumSubtotal, _money(cur, 0, 10**5))


def minimum_subtotals(currency: Currency | str | None = None) -> st.SearchStrategy[MinimumSubtotal]:
    """Subtotal thresholds in the cart's currency."""
    return _currency(currency).flatmap(_minimum_subtotals)


@functools.cache
def _minimum_quantities(cur: Currency) -> st.SearchStrategy[MinimumQuantity]:
    return st.builds(
        lambda q, sel: MinimumQuantity(q, sel[0], sel[1]), st.integers(1, 6), _SELECTORS
    )


def minimum_quantities(
    currency: Currency | str | None = None,
) -> st.SearchStrategy[MinimumQuantity]:
    """Quantity thresholds over sample SKU/category selectors."""
    return _currency(currency).flatmap(_minimum_quantities)


@functools.cache
def _contains_items_conditions(cur: Currency) -> st.SearchStrategy[ContainsItems]:
    return st.builds(ContainsItems, st.just((SKUS[0],)), st.sampled_from([(), ("toys",)]))


def contains_items_conditions(
    currency: Currency | str | None = None,
) -> st.SearchStrategy[ContainsItems]:
    """Required-item conditions on the sample catalogue."""
    return _currency(currency).flatmap(_contains_items_conditions)


@functools.cache
def _customer_group_conditions(cur: Currency) -> st.SearchStrategy[CustomerGroupIs]:
    return st.builds(CustomerGroupIs, st.lists(st.sampled_from(GROUPS), max_size=2).map(tuple))


def customer_group_conditions(
    currency: Currency | str | None = None,
) -> st.SearchStrategy[CustomerGroupIs]:
    """Customer-group conditions, including the empty group set."""
    return _currency(currency).flatmap(_customer_group_conditions)


@functools.cache
def _coupon_codes(cur: Currency) -> st.SearchStrategy[CouponCode]:
    return st.builds(CouponCode, st.sampled_from(COUPONS), st.none() | st.integers(0, 3))


def coupon_codes(currency: Currency | str | None = None) -> st.SearchStrategy[CouponCode]:
    """Coupon conditions, with and without a per-customer limit."""
    return _currency(currency).flatmap(_coupon_codes)


@functools.cache
def _valid_during_conditions(cur: Currency) -> st.SearchStrategy[ValidDuring]:
    return _WINDOWS.map(lambda w: ValidDuring(w[0], w[1]))


def valid_during_conditions(
    currency: Currency | str | None = None,
) -> st.SearchStrategy[ValidDuring]:
    """Validity windows, open-ended or bounded."""
    return _currency(currency).flatmap(_valid_during_conditions)


@functools.cache
def _first_order_conditions(cur: Currency) -> st.SearchStrategy[FirstOrder]:
    return st.just(FirstOrder())


def first_order_conditions(currency: Currency | str | None = None) -> st.SearchStrategy[FirstOrder]:
    """The first-order condition (it has no fields)."""
    return _currency(currency).flatmap(_first_order_conditions)


def _conditions(cur: Currency) -> st.SearchStrategy[Condition]:
    return st.one_of(
        _minimum_subtotals(cur),
        _minimum_quantities(cur),
        _contains_items_conditions(cur),
        _customer_group_conditions(cur),
        _coupon_codes(cur),
        _valid_during_conditions(cur),
        _first_order_conditions(cur),
    )


def promotion_conditions(currency: Currency | str) -> st.SearchStrategy[Condition]:
    """Every kind of condition, amounts in ``currency``."""
    return _conditions(Currency.of(currency))


@functools.cache
def _percent_off_orders(cur: Currency) -> st.SearchStrategy[PercentOffOrder]:
    return st.builds(PercentOffOrder, _PERCENTS)


def percent_off_orders(
    currency: Currency | str | None = None,
) -> st.SearchStrategy[PercentOffOrder]:
    """Order-level percentage discounts."""
    return _currency(currency).flatmap(_percent_off_orders)


@functools.cache
def _fixed_off_orders(cur: Currency) -> st.SearchStrategy[FixedOffOrder]:
    return st.builds(FixedOffOrder, _money(cur, 0, 10**5))


def fixed_off_orders(currency: Currency | str | None = None) -> st.SearchStrategy[FixedOffOrder]:
    """Order-level fixed discounts in the cart's currency."""
    return _currency(currency).flatmap(_fixed_off_orders)


@functools.cache
def _tiered_percent_off_orders(cur: Currency) -> st.SearchStrategy[TieredPercentOffOrder]:
    return st.lists(
        st.builds(SubtotalTier, _money(cur, 0, 10**5), _PERCENTS), min_size=1, max_size=3
    ).map(TieredPercentOffOrder)


def tiered_percent_off_orders(
    currency: Currency | str | None = None,
) -> st.SearchStrategy[TieredPercentOffOrder]:
    """Tiered order discounts with 1-3 subtotal tiers."""
    return _currency(currency).flatmap(_tiered_percent_off_orders)


@functools.cache
def _subtotal_tiers(cur: Currency) -> st.SearchStrategy[SubtotalTier]:
    return st.builds(SubtotalTier, _money(cur, 0, 10**5), _PERCENTS)


def subtotal_tiers(currency: Currency | str | None = None) -> st.SearchStrategy[SubtotalTier]:
    """One subtotal threshold and its percentage."""
    return _currency(currency).flatmap(_subtotal_tiers)


@functools.cache
def _percent_off_lines(cur: Currency) -> st.SearchStrategy[PercentOffLines]:
    return st.builds(lambda p, sel: PercentOffLines(p, sel[0], sel[1]), _PERCENTS, _SELECTORS)


def percent_off_lines(currency: Currency | str | None = None) -> st.SearchStrategy[PercentOffLines]:
    """Line percentage discounts over sample selectors."""
    return _currency(currency).flatmap(_percent_off_lines)


@functools.cache
def _fixed_off_lines(cur: Currency) -> st.SearchStrategy[FixedOffLines]:
    return st.builds(
        lambda a, sel: FixedOffLines(a, sel[0], sel[1]), _money(cur, 0, 10**5), _SELECTORS
    )


def fixed_off_lines(currency: Currency | str | None = None) -> st.SearchStrategy[FixedOffLines]:
    """Fixed amounts off each selected line."""
    return _currency(currency).flatmap(_fixed_off_lines)


@functools.cache
def _fixed_price_lines(cur: Currency) -> st.SearchStrategy[FixedPriceLines]:
    return st.builds(
        lambda a, sel: FixedPriceLines(a, sel[0], sel[1]), _money(cur, 0, 10**5), _SELECTORS
    )


def fixed_price_lines(currency: Currency | str | None = None) -> st.SearchStrategy[FixedPriceLines]:
    """Fixed unit prices for selected lines."""
    return _currency(currency).flatmap(_fixed_price_lines)


@functools.cache
def _buy_x_get_y_actions(cur: Currency) -> st.SearchStrategy[BuyXGetY]:
    return st.builds(
        lambda b, g, p, sel: BuyXGetY(b, g, sel[0], sel[1], p),
        st.integers(1, 3),
        st.integers(1, 2),
        _PERCENTS,
        _SELECTORS,
    )


def buy_x_get_y_actions(currency: Currency | str | None = None) -> st.SearchStrategy[BuyXGetY]:
    """Buy-X-get-Y deals over sample selectors."""
    return _currency(currency).flatmap(_buy_x_get_y_actions)


@functools.cache
def _free_shipping_actions(cur: Currency) -> st.SearchStrategy[FreeShipping]:
    return st.just(FreeShipping())


def free_shipping_actions(
    currency: Currency | str | None = None,
) -> st.SearchStrategy[FreeShipping]:
    """The free-shipping action (it has no fields)."""
    return _currency(currency).flatmap(_free_shipping_actions)


@functools.cache
def _actions(cur: Currency) -> st.SearchStrategy[Action]:
    return st.one_of(
        _percent_off_orders(cur),
        _fixed_off_orders(cur),
        _tiered_percent_off_orders(cur),
        _percent_off_lines(cur),
        _fixed_off_lines(cur),
        _fixed_price_lines(cur),
        _buy_x_get_y_actions(cur),
        _free_shipping_actions(cur),
    )


def promotion_actions(currency: Currency | str) -> st.SearchStrategy[Action]:
    """Every kind of action, amounts in ``currency``."""
    return _actions(Currency.of(currency))


@functools.cache
def _promotions(cur: Currency) -> st.SearchStrategy[Promotion]:
    return st.builds(
        Promotion,
        code=st.sampled_from(("A10", "B20", "C30", "D40", "E50", "F60")),
        name=st.sampled_from(("Summer sale", "Welcome", "Bulk deal")),
        actions=st.lists(_actions(cur), min_size=1, max_size=2),
        conditions=st.lists(_conditions(cur), max_size=2),
        priority=st.integers(-2, 5),
        exclusive=st.booleans(),
        usage_limit=st.none() | st.integers(0, 5),
    )


def promotions(currency: Currency | str | None = None) -> st.SearchStrategy[Promotion]:
    """Promotions with 0–2 conditions and 1–2 actions."""
    return _currency(currency).flatmap(_promotions)


_TAX_RATES = st.builds(
    lambda name, place, category, percent: TaxRate(
        f"{name} {place.country} {place.region or ''} {category}", place, category, percent
    ),
    st.sampled_from(("VAT", "state", "county")),
    st.sampled_from(_PLACES),
    st.sampled_from(("standard", "reduced", "shipping")),
    st.sampled_from([Decimal(p) for p in ("0", "1", "6.25", "7", "8.875", "19", "20")]),
)
_TAX_POLICIES = st.builds(
    TaxPolicy,
    rates=st.lists(_TAX_RATES, max_size=4, unique_by=lambda r: r.name),
    prices_include_tax=st.booleans(),
    rounding=_ROUNDINGS,
    rounding_level=st.sampled_from(TaxRounding),
    exempt_categories=st.sampled_from([(), ("exempt",)]),
    shipping_category=st.sampled_from(("shipping", "standard")),
    default_jurisdiction=st.none() | st.sampled_from(_PLACES),
)


def tax_rates() -> st.SearchStrategy[TaxRate]:
    """Rates for the sample places and categories, including zero-rated ones."""
    return _TAX_RATES


def tax_policies() -> st.SearchStrategy[TaxPolicy]:
    """Inclusive and exclusive policies, every rounding mode and level."""
    return _TAX_POLICIES


def _charge(cur: Currency) -> st.SearchStrategy[Money]:
    return _money(cur, 0, 5 * 10**4)


@functools.cache
def _flat_rate_rules(cur: Currency) -> st.SearchStrategy[FlatRate]:
    return st.builds(FlatRate, _charge(cur))


def flat_rate_rules(currency: Currency | str | None = None) -> st.SearchStrategy[FlatRate]:
    """One shipping charge whatever the cart holds."""
    return _currency(currency).flatmap(_flat_rate_rules)


@functools.cache
def _carrier_rate_rules(cur: Currency) -> st.SearchStrategy[CarrierRate]:
    return st.builds(CarrierRate, _charge(cur))


def carrier_rate_rules(currency: Currency | str | None = None) -> st.SearchStrategy[CarrierRate]:
    """Carrier-quoted shipping with its fallback charge."""
    return _currency(currency).flatmap(_carrier_rate_rules)


@functools.cache
def _weight_brackets(cur: Currency) -> st.SearchStrategy[WeightBracket]:
    return st.builds(WeightBracket, st.integers(0, 50).map(Decimal), _charge(cur))


def weight_brackets(currency: Currency | str | None = None) -> st.SearchStrategy[WeightBracket]:
    """One weight limit and its shipping charge."""
    return _currency(currency).flatmap(_weight_brackets)


@functools.cache
def _weight_tables(cur: Currency) -> st.SearchStrategy[WeightTable]:
    brackets = st.lists(_weight_brackets(cur), min_size=1, max_size=3, unique_by=lambda b: b.up_to)
    return st.builds(WeightTable, brackets, st.none() | _charge(cur))


def weight_tables(currency: Currency | str | None = None) -> st.SearchStrategy[WeightTable]:
    """Weight tables with 1-3 brackets, with or without a charge above the last."""
    return _currency(currency).flatmap(_weight_tables)


@functools.cache
def _simple_rules(cur: Currency) -> st.SearchStrategy[ShippingRule]:
    simple: st.SearchStrategy[ShippingRule] = st.one_of(
        _flat_rate_rules(cur), _carrier_rate_rules(cur), _weight_tables(cur)
    )
    return simple


@functools.cache
def _free_above_rules(cur: Currency) -> st.SearchStrategy[FreeAbove]:
    return st.builds(FreeAbove, _money(cur, 0, 10**6), _simple_rules(cur))


def free_above_rules(currency: Currency | str | None = None) -> st.SearchStrategy[FreeAbove]:
    """Free shipping above a subtotal, another rule below it."""
    return _currency(currency).flatmap(_free_above_rules)


@functools.cache
def _shipping_rules(cur: Currency) -> st.SearchStrategy[ShippingRule]:
    return _simple_rules(cur) | _free_above_rules(cur)


def shipping_rules(currency: Currency | str | None = None) -> st.SearchStrategy[ShippingRule]:
    """Flat, weight-table, carrier-quoted and free-above rules in one currency."""
    return _currency(currency).flatmap(_shipping_rules)


@functools.cache
def _lines(cur: Currency, with_prices: bool) -> st.SearchStrategy[list[PricingLine]]:
    given = _money(cur, 0, 10**5)
    price: st.SearchStrategy[Money | None] = given if with_prices else st.none() | given
    line = st.tuples(
        st.sampled_from(SKUS),
        st.integers(1, 12),
        price,
        st.lists(st.sampled_from(CATEGORIES), max_size=2, unique=True).map(tuple),
        st.sampled_from(TAX_CATEGORIES),
        st.integers(0, 5).map(Decimal),
    )
    return st.lists(line, max_size=6).map(
        lambda rows: [
            PricingLine(LineId(f"L{i}"), sku, qty, price, cats, tax, weight)
            for i, (sku, qty, price, cats, tax, weight) in enumerate(rows)
        ]
    )


def pricing_lines(
    currency: Currency | str, *, with_prices: bool = True
) -> st.SearchStrategy[list[PricingLine]]:
    """Up to six lines with unique ids (unit prices given unless ``with_prices=False``)."""
    return _lines(Currency.of(currency), with_prices)


def pricing_line_values(currency: Currency | str | None = None) -> st.SearchStrategy[PricingLine]:
    """One pricing line, unit price given or left to the price book."""
    return _currency(currency).flatmap(
        lambda cur: _lines(cur, False).filter(bool).map(lambda lines: lines[0])
    )


def _ships_any_weight(rule: ShippingRule | None) -> bool:
    inner = rule.otherwise if isinstance(rule, FreeAbove) else rule
    return not isinstance(inner, WeightTable) or inner.above is not None


def _adjustment(
    lines: list[PricingLine], template: tuple[int, str, Decimal | None, Money | None]
) -> LineAdjustment | None:
    index, reason, percent, amount = template
    if index >= len(lines):
        return None
    return LineAdjustment(lines[index].line_id, reason, percent, amount)


@functools.cache
def _requests(cur: Currency, with_prices: bool) -> st.SearchStrategy[PricingRequest]:
    template = st.tuples(
        st.integers(0, 5),
        st.sampled_from(("goodwill", "price match")),
        _PERCENTS,
        st.none(),
    ) | st.tuples(st.integers(0, 5), st.just("negotiated"), st.none(), _money(cur, 0, 10**5))
    counts = st.dictionaries(st.sampled_from(COUPONS), st.integers(0, 5), max_size=2)

    def build(
        lines: list[PricingLine],
        templates: list[tuple[int, str, Decimal | None, Money | None]],
        **context: object,
    ) -> PricingRequest:
        adjustments = [a for a in (_adjustment(lines, t) for t in templates) if a is not None]
        return PricingRequest(
            cur,
            lines=lines,
            adjustments=adjustments,
            **context,  # type: ignore[arg-type]
        )

    return st.builds(
        build,
        _lines(cur, with_prices),
        st.lists(template, max_size=2),
        moment=_MOMENTS,
        customer_group=st.none() | st.sampled_from(GROUPS),
        coupon_codes=st.lists(st.sampled_from([*COUPONS, "save10"]), max_size=2),
        is_first_order=st.booleans(),
        destination=st.none() | st.sampled_from(_PLACES),
        shipping=st.none() | _shipping_rules(cur).filter(_ships_any_weight),
        promotion_uses=counts,
        coupon_uses=counts,
        tax_exempt=st.booleans(),
    )


def pricing_requests(
    currency: Currency | str | None = None, *, with_prices: bool = True
) -> st.SearchStrategy[PricingRequest]:
    """Requests with lines, context, adjustments, usage counts and maybe shipping."""
    return _currency(currency).flatmap(lambda cur: _requests(cur, with_prices))


@functools.cache
def _pricers(cur: Currency, with_book: bool) -> st.SearchStrategy[Pricer]:
    return st.builds(
        Pricer,
        price_book=_price_books(cur) if with_book else st.just(PriceBook(())),
        promotions=st.lists(_promotions(cur), max_size=4, unique_by=lambda p: p.code),
        tax_policy=_TAX_POLICIES,
        rounding=_ROUNDINGS,
    )


def pricers(
    currency: Currency | str | None = None, *, with_book: bool = True
) -> st.SearchStrategy[Pricer]:
    """Pricers with up to four promotions, a tax policy and a price book (or an empty one)."""
    return _currency(currency).flatmap(lambda cur: _pricers(cur, with_book))


@functools.cache
def _cases(cur: Currency) -> st.SearchStrategy[tuple[Pricer, PricingRequest]]:
    return st.tuples(_pricers(cur, False), _requests(cur, True))


def pricing_cases(
    currency: Currency | str | None = None,
) -> st.SearchStrategy[tuple[Pricer, PricingRequest]]:
    """A pricer and a request in the same currency, every line priced by the caller."""
    return _currency(currency).flatmap(_cases)


def line_adjustments(currency: Currency | str | None = None) -> st.SearchStrategy[LineAdjustment]:
    """Manual line adjustments: a percentage or an amount, never both."""
    return _currency(currency).flatmap(
        lambda cur: st.builds(
            lambda line, reason, pick, percent, amount: LineAdjustment(
                LineId(f"L{line}"),
                reason,
                percent if pick else None,
                None if pick else amount,
            ),
            st.integers(0, 5),
            st.sampled_from(("price match", "damaged box", "goodwill")),
            st.booleans(),
            _PERCENTS,
            _money(cur, 0, 10**4),
        )
    )


def _priced(case: tuple[Pricer, PricingRequest]) -> list[PriceBreakdown]:
    pricer, request = case
    try:
        return [pricer.price(request)]
    except OrderkitError:
        return []


def price_breakdowns(currency: Currency | str | None = None) -> st.SearchStrategy[PriceBreakdown]:
    """Breakdowns a real :class:`Pricer` run produced for a drawn pricing case.

    Cases the pricer refuses (a shipping rule that cannot charge the order)
    are skipped, so every value is one the library itself can produce.
    """
    return pricing_cases(currency).map(_priced).filter(bool).map(lambda found: found[0])


def _parts(extract: Callable[[PriceBreakdown], Sequence[_T]]) -> st.SearchStrategy[_T]:
    return price_breakdowns().map(extract).filter(bool).flatmap(st.sampled_from)


def line_breakdowns() -> st.SearchStrategy[LineBreakdown]:
    """Line breakdowns taken from priced carts."""
    return _parts(lambda b: b.lines)


def shipping_breakdowns() -> st.SearchStrategy[ShippingBreakdown]:
    """Shipping breakdowns taken from priced carts."""
    return price_breakdowns().map(lambda b: b.shipping)


def tax_amounts() -> st.SearchStrategy[TaxAmount]:
    """Order-level tax amounts taken from priced carts."""
    return _parts(lambda b: b.taxes)


def promotion_outcomes() -> st.SearchStrategy[PromotionOutcome]:
    """Applied and skipped promotion outcomes taken from priced carts."""
    return _parts(lambda b: b.promotions)


def order_discounts() -> st.SearchStrategy[OrderDiscount]:
    """Order discounts, with their per-line shares, taken from priced carts."""
    return _parts(lambda b: b.order_discounts)


def discount_shares() -> st.SearchStrategy[DiscountShare]:
    """Per-line shares of order discounts taken from priced carts."""
    return _parts(lambda b: [s for d in b.order_discounts for s in d.shares])


def applied_discounts() -> st.SearchStrategy[AppliedDiscount]:
    """Line and shipping discounts taken from priced carts."""
    return _parts(
        lambda b: [d for line in b.lines for d in line.discounts] + list(b.shipping.discounts)
    )
