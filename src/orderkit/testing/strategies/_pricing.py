"""Strategies for pricing: price lists, promotions, tax policies, shipping rules, requests.

Everything money-valued is drawn in one currency per example (the cart's),
so generated promotions and rules can actually apply; ``pricing_cases``
draws a coherent pricer and request together.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import strategies as st

from orderkit.ids import LineId, Sku
from orderkit.money import Currency, Money, Rounding
from orderkit.pricing import (
    Action,
    BuyXGetY,
    CarrierRate,
    Condition,
    ContainsItems,
    CouponCode,
    CustomerGroupIs,
    FirstOrder,
    FixedOffLines,
    FixedOffOrder,
    FixedPriceLines,
    FlatRate,
    FreeAbove,
    FreeShipping,
    Jurisdiction,
    LineAdjustment,
    MinimumQuantity,
    MinimumSubtotal,
    PercentOffLines,
    PercentOffOrder,
    PriceBook,
    PriceEntry,
    PriceList,
    Pricer,
    PriceTier,
    PricingLine,
    PricingRequest,
    Promotion,
    ShippingRule,
    SubtotalTier,
    TaxPolicy,
    TaxRate,
    TaxRounding,
    TieredPercentOffOrder,
    ValidDuring,
    WeightBracket,
    WeightTable,
)
from orderkit.testing.strategies._money import currencies

__all__ = [
    "jurisdictions",
    "price_books",
    "price_lists",
    "pricers",
    "pricing_cases",
    "pricing_lines",
    "pricing_requests",
    "promotion_actions",
    "promotion_conditions",
    "promotions",
    "shipping_rules",
    "tax_policies",
    "tax_rates",
]

SKUS = tuple(Sku(f"SKU-{n}") for n in range(6))
CATEGORIES = ("books", "toys", "food")
GROUPS = ("retail", "wholesale")
COUPONS = ("SAVE10", "WELCOME")
TAX_CATEGORIES = ("standard", "reduced", "exempt")
_PLACES = (Jurisdiction("DE"), Jurisdiction("US", "TX"), Jurisdiction("US", "TX/Travis"))
_BASE = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)


def _currency(currency: Currency | str | None) -> st.SearchStrategy[Currency]:
    return st.just(Currency.of(currency)) if currency is not None else currencies()


def _money(cur: Currency, low: int = 0, high: int = 10**6) -> st.SearchStrategy[Money]:
    return st.integers(low, high).map(lambda n: Money.from_minor_units(n, cur))


_PERCENTS = st.sampled_from([Decimal(p) for p in ("0", "5", "10", "12.5", "33.33", "50", "100")])
_MOMENTS = st.integers(0, 400).map(lambda d: _BASE + dt.timedelta(days=d))
_SELECTORS = st.tuples(
    st.lists(st.sampled_from(SKUS), max_size=2, unique=True).map(tuple),
    st.lists(st.sampled_from(CATEGORIES), max_size=1).map(tuple),
)


def _window() -> st.SearchStrategy[tuple[dt.datetime | None, dt.datetime | None]]:
    return st.tuples(st.none() | _MOMENTS, st.integers(1, 200)).map(
        lambda pair: (pair[0], pair[0] + dt.timedelta(days=pair[1]) if pair[0] else None)
    )


def jurisdictions() -> st.SearchStrategy[Jurisdiction]:
    """A few places, nested so regional rates stack."""
    return st.sampled_from(_PLACES)


def price_lists(currency: Currency | str | None = None) -> st.SearchStrategy[PriceList]:
    """Price lists over a few skus, with tiers, optional group and window."""

    def build(cur: Currency) -> st.SearchStrategy[PriceList]:
        tiers = st.lists(
            st.builds(PriceTier, st.integers(2, 20), _money(cur)),
            max_size=2,
            unique_by=lambda t: t.min_quantity,
        )
        entries = st.lists(
            st.builds(PriceEntry, st.sampled_from(SKUS), _money(cur), tiers),
            max_size=len(SKUS),
            unique_by=lambda e: e.sku,
        )
        return st.builds(
            lambda name, entries, group, window, priority: PriceList(
                name, cur, entries, group, window[0], window[1], priority
            ),
            st.text("abcdefgh", min_size=1, max_size=6),
            entries,
            st.none() | st.sampled_from(GROUPS),
            _window(),
            st.integers(-3, 3),
        )

    return _currency(currency).flatmap(build)


def price_books(currency: Currency | str | None = None) -> st.SearchStrategy[PriceBook]:
    """Price books of up to three lists in one currency."""
    return _currency(currency).flatmap(
        lambda cur: st.lists(price_lists(cur), max_size=3, unique_by=lambda p: p.name).map(
            PriceBook
        )
    )


def promotion_conditions(currency: Currency | str) -> st.SearchStrategy[Condition]:
    """Every kind of condition, amounts in ``currency``."""
    cur = Currency.of(currency)
    return st.one_of(
        st.builds(MinimumSubtotal, _money(cur, 0, 10**5)),
        st.builds(lambda q, sel: MinimumQuantity(q, sel[0], sel[1]), st.integers(1, 6), _SELECTORS),
        st.builds(ContainsItems, st.just((SKUS[0],)), st.sampled_from([(), ("toys",)])),
        st.builds(CustomerGroupIs, st.lists(st.sampled_from(GROUPS), max_size=2).map(tuple)),
        st.builds(CouponCode, st.sampled_from(COUPONS), st.none() | st.integers(0, 3)),
        _window().map(lambda w: ValidDuring(w[0], w[1])),
        st.just(FirstOrder()),
    )


def promotion_actions(currency: Currency | str) -> st.SearchStrategy[Action]:
    """Every kind of action, amounts in ``currency``."""
    cur = Currency.of(currency)
    small = _money(cur, 0, 10**5)
    return st.one_of(
        st.builds(PercentOffOrder, _PERCENTS),
        st.builds(FixedOffOrder, small),
        st.lists(st.builds(SubtotalTier, small, _PERCENTS), min_size=1, max_size=3).map(
            TieredPercentOffOrder
        ),
        st.builds(lambda p, sel: PercentOffLines(p, sel[0], sel[1]), _PERCENTS, _SELECTORS),
        st.builds(lambda a, sel: FixedOffLines(a, sel[0], sel[1]), small, _SELECTORS),
        st.builds(lambda a, sel: FixedPriceLines(a, sel[0], sel[1]), small, _SELECTORS),
        st.builds(
            lambda b, g, p, sel: BuyXGetY(b, g, sel[0], sel[1], p),
            st.integers(1, 3),
            st.integers(1, 2),
            _PERCENTS,
            _SELECTORS,
        ),
        st.just(FreeShipping()),
    )


def promotions(currency: Currency | str | None = None) -> st.SearchStrategy[Promotion]:
    """Promotions with 0–2 conditions and 1–2 actions."""

    def build(cur: Currency) -> st.SearchStrategy[Promotion]:
        return st.builds(
            Promotion,
            code=st.text("ABCDEFGHIJ", min_size=1, max_size=5),
            name=st.text("abcdefgh ", min_size=1, max_size=10),
            actions=st.lists(promotion_actions(cur), min_size=1, max_size=2),
            conditions=st.lists(promotion_conditions(cur), max_size=2),
            priority=st.integers(-2, 5),
            exclusive=st.booleans(),
            usage_limit=st.none() | st.integers(0, 5),
        )

    return _currency(currency).flatmap(build)


def tax_rates() -> st.SearchStrategy[TaxRate]:
    """Rates for the sample places and categories, including zero-rated ones."""
    return st.builds(
        lambda name, place, category, percent: TaxRate(
            f"{name} {place.country} {place.region or ''} {category}", place, category, percent
        ),
        st.text("abcdef", min_size=1, max_size=4),
        jurisdictions(),
        st.sampled_from(("standard", "reduced", "shipping")),
        st.sampled_from([Decimal(p) for p in ("0", "1", "6.25", "7", "8.875", "19", "20")]),
    )


def tax_policies() -> st.SearchStrategy[TaxPolicy]:
    """Inclusive and exclusive policies, every rounding mode and level."""
    return st.builds(
        TaxPolicy,
        rates=st.lists(tax_rates(), max_size=4, unique_by=lambda r: r.name),
        prices_include_tax=st.booleans(),
        rounding=st.sampled_from([Rounding.HALF_UP, Rounding.HALF_EVEN, Rounding.DOWN]),
        rounding_level=st.sampled_from(TaxRounding),
        exempt_categories=st.sampled_from([(), ("exempt",)]),
        shipping_category=st.sampled_from(("shipping", "standard")),
        default_jurisdiction=st.none() | jurisdictions(),
    )


def shipping_rules(currency: Currency | str | None = None) -> st.SearchStrategy[ShippingRule]:
    """Flat, weight-table, carrier-quoted and free-above rules in one currency."""

    def build(cur: Currency) -> st.SearchStrategy[ShippingRule]:
        charge = _money(cur, 0, 5 * 10**4)
        table = st.lists(
            st.builds(WeightBracket, st.integers(0, 50).map(Decimal), charge),
            min_size=1,
            max_size=3,
            unique_by=lambda b: b.up_to,
        ).flatmap(lambda brackets: st.builds(WeightTable, st.just(brackets), charge))
        simple: st.SearchStrategy[ShippingRule] = st.one_of(
            st.builds(FlatRate, charge), st.builds(CarrierRate, charge), table
        )
        return simple | st.builds(FreeAbove, _money(cur, 0, 10**6), simple)

    return _currency(currency).flatmap(build)


def pricing_lines(
    currency: Currency | str, *, with_prices: bool = True
) -> st.SearchStrategy[list[PricingLine]]:
    """Up to six lines with unique ids (unit prices given unless ``with_prices=False``)."""
    cur = Currency.of(currency)
    given = _money(cur, 0, 10**5)
    price: st.SearchStrategy[Money | None] = given if with_prices else st.none() | given
    line = st.builds(
        lambda sku, qty, price, cats, tax, weight: (sku, qty, price, cats, tax, weight),
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


def pricing_requests(
    currency: Currency | str | None = None, *, with_prices: bool = True
) -> st.SearchStrategy[PricingRequest]:
    """Requests with lines, context, adjustments, usage counts and maybe shipping."""

    def build(cur: Currency) -> st.SearchStrategy[PricingRequest]:
        def with_lines(lines: list[PricingLine]) -> st.SearchStrategy[PricingRequest]:
            ids = [line.line_id for line in lines]
            adjustment = st.builds(
                LineAdjustment,
                st.sampled_from(ids),
                st.sampled_from(("goodwill", "price match")),
                _PERCENTS,
            ) | st.builds(
                lambda line_id, amount: LineAdjustment(line_id, "negotiated", amount=amount),
                st.sampled_from(ids),
                _money(cur, 0, 10**5),
            )
            adjustments = st.lists(adjustment, max_size=2) if ids else st.just([])
            counts = st.dictionaries(st.sampled_from(COUPONS), st.integers(0, 5), max_size=2)
            return st.builds(
                PricingRequest,
                currency=st.just(cur),
                moment=_MOMENTS,
                lines=st.just(lines),
                customer_group=st.none() | st.sampled_from(GROUPS),
                coupon_codes=st.lists(st.sampled_from([*COUPONS, "save10"]), max_size=2),
                is_first_order=st.booleans(),
                destination=st.none() | jurisdictions(),
                shipping=st.none() | shipping_rules(cur).filter(_ships_any_weight),
                adjustments=adjustments,
                promotion_uses=counts,
                coupon_uses=counts,
                tax_exempt=st.booleans(),
            )

        return pricing_lines(cur, with_prices=with_prices).flatmap(with_lines)

    return _currency(currency).flatmap(build)


def _ships_any_weight(rule: ShippingRule) -> bool:
    inner = rule.otherwise if isinstance(rule, FreeAbove) else rule
    return not isinstance(inner, WeightTable) or inner.above is not None


def pricers(currency: Currency | str | None = None) -> st.SearchStrategy[Pricer]:
    """Pricers with a price book, up to four promotions and a tax policy."""

    def build(cur: Currency) -> st.SearchStrategy[Pricer]:
        return st.builds(
            Pricer,
            price_book=price_books(cur),
            promotions=st.lists(promotions(cur), max_size=4, unique_by=lambda p: p.code),
            tax_policy=tax_policies(),
            rounding=st.sampled_from([Rounding.HALF_UP, Rounding.HALF_EVEN, Rounding.DOWN]),
        )

    return _currency(currency).flatmap(build)


def pricing_cases(
    currency: Currency | str | None = None,
) -> st.SearchStrategy[tuple[Pricer, PricingRequest]]:
    """A pricer and a request in the same currency, every line priced by the caller."""
    return _currency(currency).flatmap(lambda cur: st.tuples(pricers(cur), pricing_requests(cur)))
