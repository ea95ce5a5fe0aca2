"""Review of orderkit.pricing: adversarial examples and properties the authors' tests missed.

Every expected figure is computed by hand in the comment next to it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderkit.errors import OrderkitError, PriceNotFound, ValidationError
from orderkit.ids import LineId, Sku
from orderkit.money import Currency, Money
from orderkit.pricing import (
    BuyXGetY,
    CouponCode,
    FixedOffLines,
    FixedOffOrder,
    FlatRate,
    FreeAbove,
    FreeShipping,
    Jurisdiction,
    LineAdjustment,
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
    SubtotalTier,
    TaxPolicy,
    TaxRate,
    TaxRounding,
    TieredPercentOffOrder,
    ValidDuring,
    WeightBracket,
    WeightTable,
)
from orderkit.testing.strategies import pricing_cases

EUR, USD, JPY, KWD = (Currency.of(c) for c in ("EUR", "USD", "JPY", "KWD"))
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)
DE = Jurisdiction("DE")


def _line(n: int, price: str, quantity: int = 1, currency: str = "EUR", **kw: Any) -> PricingLine:
    return PricingLine(LineId(str(n)), Sku(f"S{n}"), quantity, Money.of(price, currency), **kw)


def _whole(money: Money) -> bool:
    scaled = money.amount.scaleb(money.currency.exponent)
    return scaled == scaled.to_integral_value()


def _all_money(value: object) -> list[Money]:
    if isinstance(value, Money):
        return [value]
    if isinstance(value, tuple):
        return [m for item in value for m in _all_money(item)]
    if attrs.has(cls := type(value)):
        # A unit price may be finer than the minor unit (0.125 EUR a screw); the rest may not.
        names = [f.name for f in attrs.fields(cls) if f.name != "unit_price"]
        return [m for name in names for m in _all_money(getattr(value, name))]
    return []


def _check_invariants(b: PriceBreakdown) -> None:
    assert b.lines_gross + b.shipping.gross + b.tax_added - b.discount_total == b.grand_total
    assert b.net_total + b.tax_total == b.grand_total
    assert all(_whole(m) for m in _all_money(b))
    for line in b.lines:
        assert not line.total.is_negative
        assert not line.net.is_negative
    for discount in b.order_discounts:
        assert Money.sum((s.amount for s in discount.shares), b.currency) == discount.amount


# -- exact arithmetic on large amounts -----------------------------------------


def test_large_amounts_keep_every_minor_unit() -> None:
    # 99999999999999999999999999.99 × 2 = 199999999999999999999999999.98 (29 digits:
    # the default 28-digit context rounded it to ...000.00 and lost two cents).
    big = "9" * 26 + ".99"
    b = Pricer().price(PricingRequest(EUR, NOW, [_line(1, big), _line(2, big)]))
    assert b.grand_total == Money.of("1" + "9" * 26 + ".98", "EUR")


def test_a_price_above_the_default_precision_is_priced_not_crashed() -> None:
    # 1E+40 EUR needs 43 digits at cent precision; quantizing used to raise InvalidOperation.
    b = Pricer().price(PricingRequest(EUR, NOW, [_line(1, "1E+40", 3)]))
    assert b.grand_total == Money.of("3E+40", "EUR")


def test_amounts_beyond_any_money_raise_validation_error() -> None:
    huge_rate = TaxPolicy(
        [TaxRate("absurd", DE, "standard", Decimal("1E+999999999"))],
        prices_include_tax=False,
        default_jurisdiction=DE,
    )
    with pytest.raises(ValidationError):
        Pricer(tax_policy=huge_rate).price(PricingRequest(EUR, NOW, [_line(1, "1")]))
    with pytest.raises(ValidationError):
        Pricer().price(PricingRequest(EUR, NOW, [_line(1, "19.99", 10**300)]))


# -- fixed amounts finer than the minor unit -------------------------------------


def test_fixed_off_order_finer_than_a_cent_is_rounded_not_refused() -> None:
    # 1.005 EUR off rounds half-up to 1.01; 15.00 - 1.01 = 13.99, split 10:5 as 0.67 + 0.34.
    promo = Promotion("F", "fixed", [FixedOffOrder(Money.of("1.005", "EUR"))])
    b = Pricer(promotions=[promo]).price(PricingRequest(EUR, NOW, [_line(1, "10"), _line(2, "5")]))
    assert b.grand_total == Money.of("13.99", "EUR")
    (discount,) = b.order_discounts
    assert [s.amount for s in discount.shares] == [Money.of("0.67", "EUR"), Money.of("0.34", "EUR")]


def test_fixed_off_lines_finer_than_a_cent_keeps_lines_whole() -> None:
    # 0.333 off each of 3 units = 0.999, rounded once per line to 1.00: 30.00 - 1.00 = 29.00.
    promo = Promotion("F", "fixed", [FixedOffLines(Money.of("0.333", "EUR"))])
    b = Pricer(promotions=[promo]).price(PricingRequest(EUR, NOW, [_line(1, "10", 3)]))
    assert b.lines[0].total == Money.of("29.00", "EUR")
    _check_invariants(b)


_CURRENCIES = st.sampled_from([EUR, JPY, KWD])


@st.composite
def _fine_cases(draw: st.DrawFn) -> tuple[Pricer, PricingRequest]:
    """Prices and fixed amounts with up to two digits more than the currency has."""
    cur = draw(_CURRENCIES)
    fine = cur.exponent + 2

    def amount(high: int) -> Money:
        return Money.of(Decimal(draw(st.integers(0, high * 10**fine))).scaleb(-fine), cur)

    lines = [
        PricingLine(
            LineId(str(n)),
            Sku(f"S{n % 3}"),
            draw(st.integers(1, 12)),
            amount(50),
            tax_category=draw(st.sampled_from(["standard", "reduced", "none"])),
        )
        for n in range(draw(st.integers(1, 4)))
    ]
    actions = draw(
        st.lists(
            st.sampled_from(["pct_order", "fixed_order", "fixed_lines", "pct_lines", "b2g1"]),
            min_size=1,
            max_size=3,
        )
    )
    built: list[Any] = []
    for kind in actions:
        if kind == "pct_order":
            built.append(PercentOffOrder(Decimal(draw(st.integers(0, 100)))))
        elif kind == "fixed_order":
            built.append(FixedOffOrder(amount(30)))
        elif kind == "fixed_lines":
            built.append(FixedOffLines(amount(5), skus=("S0",)))
        elif kind == "pct_lines":
            built.append(PercentOffLines(Decimal("33.33")))
        else:
            built.append(BuyXGetY(2, 1))
    policy = TaxPolicy(
        [
            TaxRate("std", DE, "standard", Decimal(19)),
            TaxRate("red", DE, "reduced", Decimal(7)),
            TaxRate("extra", DE, "reduced", Decimal("2.5")),
            TaxRate("ship", DE, "shipping", Decimal(19)),
        ],
        prices_include_tax=draw(st.booleans()),
        default_jurisdiction=DE,
        rounding_level=draw(st.sampled_from(list(TaxRounding))),
    )
    pricer = Pricer(promotions=[Promotion("P", "promo", built)], tax_policy=policy)
    shipping = FlatRate(amount(10)) if draw(st.booleans()) else None
    return pricer, PricingRequest(cur, NOW, lines, shipping=shipping)


@given(_fine_cases())
def test_amounts_finer_than_the_minor_unit_still_add_up(
    case: tuple[Pricer, PricingRequest],
) -> None:
    pricer, request = case
    _check_invariants(pricer.price(request))


# -- bad input never escapes as a bare builtin error -------------------------------

_R = PricingRequest(EUR, NOW, [_line(1, "1")])


@pytest.mark.parametrize(
    "build",
    [
        lambda: PricingRequest("XYZ", NOW, [_line(1, "1")]),
        lambda: PricingRequest(EUR, NOW, ["not a line"]),  # type: ignore[list-item]
        lambda: PricingRequest(EUR, NOW, [_line(1, "1")], coupon_codes=None),  # type: ignore[arg-type]
        lambda: PricingRequest(EUR, NOW, [_line(1, "1")], coupon_codes=[1]),  # type: ignore[list-item]
        lambda: PricingRequest(EUR, NOW, [_line(1, "1")], promotion_uses=[1]),  # type: ignore[arg-type]
        lambda: PricingRequest(EUR, NOW, [_line(1, "1")], destination="DE"),  # type: ignore[arg-type]
        lambda: PricingRequest(EUR, NOW, [_line(1, "1")], shipping="free"),  # type: ignore[arg-type]
        lambda: PricingLine(["x"], Sku("A"), 1),  # type: ignore[arg-type]
        lambda: LineAdjustment(LineId("1"), "r", amount="5"),  # type: ignore[arg-type]
        lambda: WeightTable([WeightBracket(Decimal(1), Money.of(1, "EUR"))], Money.of(-5, "EUR")),
        lambda: WeightTable([WeightBracket(Decimal(1), Money.of(1, "EUR"))], "x"),  # type: ignore[arg-type]
        lambda: FreeAbove(Money.of(50, "EUR"), "x"),  # type: ignore[arg-type]
        lambda: Promotion("P", "p", ["x"]),  # type: ignore[list-item]
        lambda: Promotion("P", "p", [FreeShipping()], conditions=["x"]),  # type: ignore[list-item]
        lambda: Pricer(promotions=["x"]),  # type: ignore[list-item]
        lambda: Pricer(price_book="x"),  # type: ignore[arg-type]
        lambda: Pricer(tax_policy="x"),  # type: ignore[arg-type]
        lambda: Pricer().price("x"),  # type: ignore[arg-type]
        lambda: PriceBook(["x"]),  # type: ignore[list-item]
        lambda: PriceList("l", EUR, ["x"]),  # type: ignore[list-item]
        lambda: PriceEntry(Sku("A"), Money.of(1, "EUR"), tiers=["x"]),  # type: ignore[list-item]
        lambda: TaxPolicy(["x"], prices_include_tax=False),  # type: ignore[list-item]
        lambda: TaxRate("t", "DE", "standard", Decimal(1)),  # type: ignore[arg-type]
        lambda: TieredPercentOffOrder(["x"]),  # type: ignore[list-item]
    ],
)
def test_bad_input_raises_an_orderkit_error(build: Any) -> None:
    with pytest.raises(OrderkitError):
        build()


def test_request_currency_may_be_a_code() -> None:
    request = PricingRequest("JPY", NOW, [_line(1, "100", 2, "JPY")])
    assert request.currency is JPY
    assert Pricer().price(request).grand_total == Money.of(200, "JPY")


def test_country_codes_match_in_any_case() -> None:
    # "de" is Germany: 10.00 × 19 % = 1.90 tax, not silently none.
    policy = TaxPolicy([TaxRate("VAT", DE, "standard", Decimal(19))], prices_include_tax=False)
    request = PricingRequest(EUR, NOW, [_line(1, "10")], destination=Jurisdiction(" de "))
    assert Pricer(tax_policy=policy).price(request).tax_total == Money.of("1.90", "EUR")
    assert Jurisdiction("US", " ") == Jurisdiction("US")


# -- price lists: group first, then priority, windows at their boundaries ---------

_START = dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
_END = dt.datetime(2026, 7, 1, tzinfo=dt.UTC)


def _book() -> PriceBook:
    def entry(price: str) -> list[PriceEntry]:
        return [PriceEntry(Sku("PEN"), Money.of(price, "EUR"))]

    return PriceBook(
        [
            PriceList("general", EUR, entry("2.00"), priority=100),
            PriceList("summer", EUR, entry("1.80"), starts_at=_START, ends_at=_END, priority=200),
            PriceList("b2b-low", EUR, entry("1.50"), customer_group="b2b", priority=1),
            PriceList("b2b-high", EUR, entry("1.40"), customer_group="b2b", priority=2),
        ]
    )


def _pen(group: str | None, moment: dt.datetime) -> Money:
    return _book().unit_price("PEN", 1, currency="EUR", customer_group=group, moment=moment)


def test_a_group_list_beats_a_general_list_of_higher_priority() -> None:
    assert _pen("b2b", NOW) == Money.of("1.40", "EUR")  # group first, then priority 2 > 1
    assert _pen("retail", NOW) == Money.of("1.80", "EUR")  # another group: general lists only


def test_window_starts_inclusive_and_ends_exclusive() -> None:
    second = dt.timedelta(microseconds=1)
    assert _pen(None, _START) == Money.of("1.80", "EUR")
    assert _pen(None, _START - second) == Money.of("2.00", "EUR")
    assert _pen(None, _END - second) == Money.of("1.80", "EUR")
    assert _pen(None, _END) == Money.of("2.00", "EUR")
    # The same instant written in another zone is the same boundary.
    tokyo = _END.astimezone(dt.timezone(dt.timedelta(hours=9)))
    assert _pen(None, tokyo) == Money.of("2.00", "EUR")


def test_promotion_window_has_the_same_boundaries() -> None:
    promo = Promotion(
        "SUMMER", "summer", [PercentOffOrder(Decimal(10))], [ValidDuring(_START, _END)]
    )
    pricer = Pricer(promotions=[promo])

    def applied(moment: dt.datetime) -> bool:
        request = PricingRequest(EUR, moment, [_line(1, "10")])
        return pricer.price(request).promotions[0].applied

    assert applied(_START)
    assert not applied(_END)
    assert applied(_END - dt.timedelta(microseconds=1))


def test_a_missing_sku_names_the_sku() -> None:
    with pytest.raises(PriceNotFound, match="INK"):
        _book().unit_price("INK", 1, currency="EUR", customer_group=None, moment=NOW)


def test_tier_applies_from_its_exact_quantity() -> None:
    entry = PriceEntry(
        Sku("PEN"),
        Money.of("2.00", "EUR"),
        tiers=[PriceTier(10, Money.of("1.50", "EUR")), PriceTier(100, Money.of("1.00", "EUR"))],
    )
    got = [entry.unit_price_for(q) for q in (1, 9, 10, 11, 99, 100, 10**6)]
    assert got == [Money.of(p, "EUR") for p in ("2", "2", "1.5", "1.5", "1.5", "1", "1")]


# -- tax ----------------------------------------------------------------------------


def test_us_state_and_county_rates_on_the_same_base() -> None:
    # 3 × 19.99 = 59.97; state 6.25 % = 3.748125 -> 3.75; county 1 % = 0.5997 -> 0.60;
    # total 59.97 + 4.35 = 64.32. Both rates report the same base 59.97.
    policy = TaxPolicy(
        [
            TaxRate("state", Jurisdiction("US", "TX"), "standard", Decimal("6.25")),
            TaxRate("county", Jurisdiction("US", "TX/Travis"), "standard", Decimal(1)),
        ],
        prices_include_tax=False,
    )
    request = PricingRequest(
        USD, NOW, [_line(1, "19.99", 3, "USD")], destination=Jurisdiction("us", "TX/Travis")
    )
    b = Pricer(tax_policy=policy).price(request)
    assert [(t.base, t.amount) for t in b.taxes] == [
        (Money.of("59.97", "USD"), Money.of("3.75", "USD")),
        (Money.of("59.97", "USD"), Money.of("0.60", "USD")),
    ]
    assert b.grand_total == Money.of("64.32", "USD")


def test_jpy_inclusive_basket_end_to_end() -> None:
    # 3 × 333 = 999 JPY, 10 % off = 99.9 -> 100 JPY; 899 JPY at 10 % included:
    # tax 899 × 10 / 110 = 81.7 -> 82, net 817. Shipping 500 JPY at 10 %: tax 45.45 -> 45.
    policy = TaxPolicy(
        [
            TaxRate("JP", Jurisdiction("JP"), "standard", Decimal(10)),
            TaxRate("JP ship", Jurisdiction("JP"), "shipping", Decimal(10)),
        ],
        prices_include_tax=True,
        default_jurisdiction=Jurisdiction("JP"),
    )
    pricer = Pricer(
        promotions=[Promotion("T", "10%", [PercentOffOrder(Decimal(10))])], tax_policy=policy
    )
    request = PricingRequest(
        JPY, NOW, [_line(1, "333", 3, "JPY")], shipping=FlatRate(Money.of(500, "JPY"))
    )
    b = pricer.price(request)
    line = b.lines[0]
    assert (line.gross, line.discount_total, line.total) == (
        Money.of(999, "JPY"),
        Money.of(100, "JPY"),
        Money.of(899, "JPY"),
    )
    assert (line.net, line.tax_total) == (Money.of(817, "JPY"), Money.of(82, "JPY"))
    assert b.shipping.taxes[0].amount == Money.of(45, "JPY")
    assert b.grand_total == Money.of(1399, "JPY")
    _check_invariants(b)


def test_kwd_exclusive_basket_end_to_end() -> None:
    # 3 × 1.999 = 5.997 and 0.125 KWD; 12.5 % off 6.122 = 0.76525 -> 0.765, split by
    # 5.997 : 0.125 as 0.749 + 0.016. Tax 5 %: 5.248 × 5 % = 0.2624 -> 0.262;
    # 0.109 × 5 % = 0.00545 -> 0.005. Grand total 5.357 + 0.267 = 5.624 KWD.
    policy = TaxPolicy(
        [TaxRate("KW", Jurisdiction("KW"), "standard", Decimal(5))],
        prices_include_tax=False,
        default_jurisdiction=Jurisdiction("KW"),
    )
    promo = Promotion("T", "12.5%", [PercentOffOrder(Decimal("12.5"))])
    request = PricingRequest(KWD, NOW, [_line(1, "1.999", 3, "KWD"), _line(2, "0.125", 1, "KWD")])
    b = Pricer(promotions=[promo], tax_policy=policy).price(request)
    assert [s.amount for s in b.order_discounts[0].shares] == [
        Money.of("0.749", "KWD"),
        Money.of("0.016", "KWD"),
    ]
    assert [t.amount for line in b.lines for t in line.taxes] == [
        Money.of("0.262", "KWD"),
        Money.of("0.005", "KWD"),
    ]
    assert b.grand_total == Money.of("5.624", "KWD")


@given(
    st.lists(st.integers(0, 10**6), min_size=1, max_size=5),
    st.sampled_from([EUR, JPY, KWD]),
    st.sampled_from(list(TaxRounding)),
)
def test_inclusive_prices_reproduce_the_shelf_price(
    cents: list[int], cur: Currency, level: TaxRounding
) -> None:
    policy = TaxPolicy(
        [TaxRate("a", DE, "standard", Decimal(19)), TaxRate("b", DE, "standard", Decimal("2.5"))],
        prices_include_tax=True,
        default_jurisdiction=DE,
        rounding_level=level,
    )
    lines = [
        PricingLine(LineId(str(i)), Sku("A"), 1, Money.from_minor_units(c, cur))
        for i, c in enumerate(cents)
    ]
    b = Pricer(tax_policy=policy).price(PricingRequest(cur, NOW, lines))
    assert [line.total for line in b.lines] == [line.unit_price for line in lines]
    assert b.grand_total == Money.sum((line.gross for line in b.lines), cur)
    _check_invariants(b)


# -- promotions -------------------------------------------------------------------


def test_buy_two_get_one_takes_the_cheapest_units_across_lines() -> None:
    # 4 × 10.00 + 2 × 3.00 = 6 units -> 2 free, the two 3.00 units: 6.00 off.
    promo = Promotion("B2G1", "b2g1", [BuyXGetY(2, 1)])
    b = Pricer(promotions=[promo]).price(
        PricingRequest(EUR, NOW, [_line(1, "10", 4), _line(2, "3", 2)])
    )
    assert [line.discount_total for line in b.lines] == [Money.of(0, "EUR"), Money.of(6, "EUR")]


def test_tiered_percent_uses_the_highest_tier_reached_at_its_threshold() -> None:
    tiers = TieredPercentOffOrder(
        [
            SubtotalTier(Money.of(100, "EUR"), Decimal(10)),
            SubtotalTier(Money.of(50, "EUR"), Decimal(5)),
        ]
    )
    pricer = Pricer(promotions=[Promotion("T", "tiers", [tiers])])

    def off(price: str) -> Money:
        return pricer.price(PricingRequest(EUR, NOW, [_line(1, price)])).discount_total

    # 49.99: no tier; 50.00: 5 % = 2.50; 100.00: 10 % = 10.00.
    assert [off(p) for p in ("49.99", "50", "100")] == [
        Money.of(0, "EUR"),
        Money.of("2.50", "EUR"),
        Money.of(10, "EUR"),
    ]


def test_free_shipping_explains_itself_when_waived_twice() -> None:
    promos = [
        Promotion("A", "free", [FreeShipping()], priority=2),
        Promotion("B", "also free", [FreeShipping()], priority=1),
    ]
    request = PricingRequest(EUR, NOW, [_line(1, "10")], shipping=FlatRate(Money.of(5, "EUR")))
    b = Pricer(promotions=promos).price(request)
    assert b.shipping.total == Money.of(0, "EUR")
    assert [(p.code, p.amount) for p in b.promotions] == [
        ("A", Money.of(5, "EUR")),
        ("B", Money.of(0, "EUR")),
    ]
    assert "already waived by 'A'" in b.promotions[1].reason


@pytest.mark.parametrize("quantity", [0, -3, True, "3", 2.0])
def test_price_lookup_refuses_a_quantity_that_is_not_a_whole_number(quantity: Any) -> None:
    entry = PriceEntry(
        Sku("PEN"), Money.of("2.00", "EUR"), tiers=[PriceTier(10, Money.of("1.50", "EUR"))]
    )
    with pytest.raises(ValidationError, match="quantity"):
        entry.unit_price_for(quantity)
    with pytest.raises(ValidationError, match="quantity"):
        _book().unit_price("PEN", quantity, currency="EUR", customer_group=None, moment=NOW)


def test_price_lookup_refuses_a_sku_that_is_not_a_str() -> None:
    with pytest.raises(ValidationError, match="sku"):
        _book().unit_price(["PEN"], 1, currency="EUR", customer_group=None, moment=NOW)  # type: ignore[arg-type]


# -- differential properties against a direct computation ----------------------------


@given(
    st.lists(st.tuples(st.integers(0, 10**5), st.integers(1, 9)), min_size=1, max_size=6),
    st.sampled_from([EUR, JPY, KWD]),
    st.booleans(),
)
def test_per_total_tax_is_the_rounded_sum_of_exact_taxes(
    items: list[tuple[int, int]], cur: Currency, inclusive: bool
) -> None:
    # ERPNext-style: per rate, add the unrounded tax of every line, round once (half-up).
    rates = [Decimal("6.25"), Decimal(1)]
    policy = TaxPolicy(
        [
            TaxRate("state", Jurisdiction("US", "TX"), "standard", rates[0]),
            TaxRate("county", Jurisdiction("US", "TX/Travis"), "standard", rates[1]),
        ],
        prices_include_tax=inclusive,
        rounding_level=TaxRounding.PER_TOTAL,
    )
    lines = [
        PricingLine(LineId(str(i)), Sku("A"), q, Money.from_minor_units(units, cur))
        for i, (units, q) in enumerate(items)
    ]
    request = PricingRequest(cur, NOW, lines, destination=Jurisdiction("US", "TX/Travis"))
    b = Pricer(tax_policy=policy).price(request)
    divisor = Decimal(100) + sum(rates) if inclusive else Decimal(100)
    amounts = [line.gross.amount for line in b.lines]
    expected = [Money(sum(a * r / divisor for a in amounts), cur).round() for r in rates]
    assert [t.amount for t in b.taxes] == expected
    _check_invariants(b)


@given(
    st.lists(st.tuples(st.integers(0, 10**5), st.integers(1, 9)), min_size=1, max_size=6),
    st.sampled_from([EUR, JPY, KWD]),
)
def test_per_line_exclusive_tax_is_each_line_rounded(
    items: list[tuple[int, int]], cur: Currency
) -> None:
    # Saleor/prices-style: each line's tax is quantized on its own, on the same base per rate.
    rates = [Decimal("6.25"), Decimal(1)]
    policy = TaxPolicy(
        [
            TaxRate("state", Jurisdiction("US", "TX"), "standard", rates[0]),
            TaxRate("county", Jurisdiction("US", "TX/Travis"), "standard", rates[1]),
        ],
        prices_include_tax=False,
    )
    lines = [
        PricingLine(LineId(str(i)), Sku("A"), q, Money.from_minor_units(units, cur))
        for i, (units, q) in enumerate(items)
    ]
    request = PricingRequest(cur, NOW, lines, destination=Jurisdiction("US", "TX/Travis"))
    b = Pricer(tax_policy=policy).price(request)
    for line, (units, q) in zip(b.lines, items, strict=True):
        base = Money.from_minor_units(units * q, cur)
        assert [t.base for t in line.taxes] == [base, base]
        assert [t.amount for t in line.taxes] == [(base * (r / 100)).round() for r in rates]


@given(pricing_cases())
def test_a_promotion_that_does_not_qualify_changes_no_figure(
    case: tuple[Pricer, PricingRequest],
) -> None:
    pricer, request = case
    never = Promotion(
        "ZZ-NEVER", "never", [PercentOffOrder(Decimal(50))], [CouponCode("NOT-ENTERED-EVER")]
    )
    before = pricer.price(request)
    after = attrs.evolve(pricer, promotions=[*pricer.promotions, never]).price(request)
    others = tuple(p for p in after.promotions if p.code != "ZZ-NEVER")
    (mine,) = (p for p in after.promotions if p.code == "ZZ-NEVER")
    assert not mine.applied
    assert others == before.promotions
    assert attrs.evolve(after, promotions=others) == before


@pytest.mark.parametrize(
    "build",
    [
        lambda: Promotion("A", "a", [FreeShipping()], priority="1"),  # type: ignore[arg-type]
        lambda: Promotion("A", None, [FreeShipping()]),  # type: ignore[arg-type]
        lambda: PriceList("a", EUR, [], priority=1.5),  # type: ignore[arg-type]
        lambda: PriceList(None, EUR, []),  # type: ignore[arg-type]
    ],
)
def test_names_and_priorities_are_checked_where_they_are_sorted(build: Any) -> None:
    # Both are sort keys (Pricer, PriceBook): a str priority raised a bare TypeError there.
    with pytest.raises(ValidationError):
        build()


@pytest.mark.parametrize("weight", [Decimal("NaN"), Decimal("sNaN"), Decimal("Infinity")])
def test_a_weight_that_is_not_finite_is_refused(weight: Decimal) -> None:
    # Decimal("NaN") < 0 raised a bare InvalidOperation inside the validators.
    with pytest.raises(ValidationError, match="weight"):
        _line(1, "1", weight=weight)
    with pytest.raises(ValidationError, match="weight"):
        WeightBracket(weight, Money.of(1, "EUR"))
