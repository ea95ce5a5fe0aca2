"""Worked examples of the pricing issue and the behaviour around them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from orderkit.errors import (
    CurrencyMismatch,
    InvalidQuantity,
    NotFound,
    PriceNotFound,
    ValidationError,
)
from orderkit.ids import LineId, Sku
from orderkit.money import Currency, Money, Rounding
from orderkit.pricing import (
    BuyXGetY,
    CarrierRate,
    CouponCode,
    DiscountKind,
    FixedOffLines,
    FixedOffOrder,
    FixedPriceLines,
    FlatRate,
    FreeAbove,
    FreeShipping,
    Jurisdiction,
    LineAdjustment,
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
    SubtotalTier,
    TaxPolicy,
    TaxRate,
    TaxRounding,
    TieredPercentOffOrder,
    WeightBracket,
    WeightTable,
)

EUR = Currency.of("EUR")
USD = Currency.of("USD")
NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
DE = Jurisdiction("DE")
VAT = TaxPolicy(
    rates=[
        TaxRate("DE VAT 19%", DE, "standard", Decimal(19)),
        TaxRate("DE VAT 7%", DE, "reduced", Decimal(7)),
        TaxRate("DE VAT shipping", DE, "shipping", Decimal(19)),
    ],
    prices_include_tax=True,
    default_jurisdiction=DE,
)
US_TAX = TaxPolicy(
    rates=[
        TaxRate("TX state", Jurisdiction("US", "TX"), "standard", Decimal("6.25")),
        TaxRate("Travis county", Jurisdiction("US", "TX/Travis"), "standard", Decimal(1)),
    ],
    prices_include_tax=False,
)


def eur(amount: str) -> Money:
    return Money.of(amount, EUR)


def usd(amount: str) -> Money:
    return Money.of(amount, USD)


def line(
    n: int,
    price: Money | None,
    quantity: int = 1,
    *,
    sku: str | None = None,
    categories: tuple[str, ...] = (),
    tax: str = "standard",
    weight: str = "0",
) -> PricingLine:
    return PricingLine(
        LineId(f"L{n}"),
        Sku(sku or f"SKU-{n}"),
        quantity,
        price,
        categories,
        tax,
        Decimal(weight),
    )


def request(*lines: PricingLine, currency: Currency = EUR, **context: object) -> PricingRequest:
    return PricingRequest(currency, NOW, lines, **context)  # type: ignore[arg-type]


def ten_percent(**extra: object) -> Promotion:
    return Promotion("TEN", "10% off", [PercentOffOrder(Decimal(10))], **extra)  # type: ignore[arg-type]


# -- the worked examples of the issue --------------------------------------------------


def test_european_tax_inclusive_line_with_ten_percent_off() -> None:
    b = Pricer(promotions=[ten_percent()], tax_policy=VAT).price(request(line(1, eur("19.99"), 3)))
    (priced,) = b.lines
    assert priced.gross == eur("59.97")
    assert priced.discount_total == eur("6.00")
    assert priced.total == eur("53.97")
    assert priced.net == eur("45.35")
    assert priced.tax_total == eur("8.62")
    assert b.grand_total == eur("53.97")
    # Without tax, as an invoice shows it: 59.97 - 9.58 (19/119 of it) = 50.39, less 5.04.
    assert priced.gross_excluding_tax == eur("50.39")
    assert priced.discount_excluding_tax == eur("5.04")
    assert [(t.name, t.base, t.amount) for t in b.taxes] == [
        ("DE VAT 19%", eur("45.35"), eur("8.62"))
    ]


def test_order_discount_spread_over_lines_sums_exactly() -> None:
    b = Pricer(promotions=[ten_percent()]).price(
        request(line(1, eur("19.99")), line(2, eur("5.00")), line(3, eur("0.01")))
    )
    (discount,) = b.order_discounts
    assert discount.amount == eur("2.50")
    assert [s.amount for s in discount.shares] == [eur("2.00"), eur("0.50"), eur("0.00")]
    assert Money.sum((line.discount_total for line in b.lines), EUR) == discount.amount


def test_buy_two_get_one_free_takes_the_cheapest() -> None:
    promo = Promotion("B2G1", "Buy 2 get 1 free", [BuyXGetY(buy=2, get=1)])
    b = Pricer(promotions=[promo]).price(
        request(line(1, eur("10")), line(2, eur("20")), line(3, eur("30")))
    )
    assert b.discount_total == eur("10.00")
    assert b.line("L1").discount_total == eur("10.00")
    assert b.promotions[0].applied
    assert b.promotions[0].amount == eur("10.00")


def test_a_tier_at_ten_units_changes_an_eleven_unit_line() -> None:
    entry = PriceEntry(Sku("PEN"), eur("2.00"), [PriceTier(10, eur("1.50"))])
    book = PriceBook([PriceList("base", EUR, [entry])])
    pricer = Pricer(price_book=book)
    b = pricer.price(request(line(1, None, 11, sku="PEN"), line(2, None, 9, sku="PEN")))
    assert b.line("L1").unit_price == eur("1.50")
    assert b.line("L1").gross == eur("16.50")
    assert b.line("L2").unit_price == eur("2.00")


def test_us_state_and_county_rates_on_the_same_base() -> None:
    b = Pricer(tax_policy=US_TAX).price(
        request(
            line(1, usd("49.99"), 2),
            line(2, usd("10.00")),
            currency=USD,
            destination=Jurisdiction("US", "TX/Travis"),
        )
    )
    state, county = b.taxes
    assert state.base == county.base == usd("109.98")
    assert state.amount == usd("6.88")  # 6.25 % of 99.98 = 6.24875 -> 6.25; of 10.00 = 0.63
    assert county.amount == usd("1.10")  # 1 % of 99.98 = 0.9998 -> 1.00; of 10.00 = 0.10
    assert b.grand_total == usd("117.96")
    # Outside the county only the state rate applies.
    elsewhere = Pricer(tax_policy=US_TAX).price(
        request(line(1, usd("100")), currency=USD, destination=Jurisdiction("US", "TX/Harris"))
    )
    assert [t.name for t in elsewhere.taxes] == ["TX state"]


# -- tax --------------------------------------------------------------------------------


def test_rounding_per_line_and_per_total_differ_by_a_cent() -> None:
    rates = [TaxRate("VAT", DE, "standard", Decimal(19))]
    lines = [line(n, eur("0.99")) for n in range(3)]
    per_line = TaxPolicy(rates, prices_include_tax=False, default_jurisdiction=DE)
    per_total = TaxPolicy(
        rates,
        prices_include_tax=False,
        rounding_level=TaxRounding.PER_TOTAL,
        default_jurisdiction=DE,
    )
    assert Pricer(tax_policy=per_line).price(request(*lines)).tax_total == eur("0.57")
    b = Pricer(tax_policy=per_total).price(request(*lines))
    assert b.tax_total == eur("0.56")
    assert [li.tax_total for li in b.lines] == [eur("0.19"), eur("0.19"), eur("0.18")]


@pytest.mark.parametrize(
    ("mode", "expected"),
    [(Rounding.HALF_UP, "0.08"), (Rounding.HALF_EVEN, "0.08"), (Rounding.DOWN, "0.07")],
)
def test_tax_rounding_mode_is_part_of_the_policy(mode: Rounding, expected: str) -> None:
    policy = TaxPolicy(
        [TaxRate("5%", DE, "standard", Decimal(5))],
        prices_include_tax=False,
        rounding=mode,
        default_jurisdiction=DE,
    )
    assert Pricer(tax_policy=policy).price(request(line(1, eur("1.50")))).tax_total == eur(expected)


def test_half_even_rounds_ties_to_even() -> None:
    policy = TaxPolicy(
        [TaxRate("5%", DE, "standard", Decimal(5))],
        prices_include_tax=False,
        rounding=Rounding.HALF_EVEN,
        default_jurisdiction=DE,
    )
    b = Pricer(tax_policy=policy).price(request(line(1, eur("0.50"))))  # 0.025
    assert b.tax_total == eur("0.02")


def test_tax_inclusive_keeps_the_shelf_price() -> None:
    b = Pricer(tax_policy=VAT).price(
        request(line(1, eur("9.99")), line(2, eur("4.49"), tax="reduced"))
    )
    assert [li.total for li in b.lines] == [eur("9.99"), eur("4.49")]
    assert b.grand_total == eur("14.48")
    assert b.line("L1").tax_total == eur("1.60")  # 9.99 * 19 / 119 = 1.595...
    assert b.line("L2").tax_total == eur("0.29")  # 4.49 * 7 / 107 = 0.2937...
    assert b.net_total == eur("12.59")


def test_zero_rated_is_reported_and_exempt_is_not() -> None:
    policy = TaxPolicy(
        [
            TaxRate("VAT", DE, "standard", Decimal(19)),
            TaxRate("VAT zero", DE, "books", Decimal(0)),
        ],
        prices_include_tax=False,
        exempt_categories=["medical"],
        default_jurisdiction=DE,
    )
    b = Pricer(tax_policy=policy).price(
        request(line(1, eur("10"), tax="books"), line(2, eur("20"), tax="medical"))
    )
    assert [(t.name, t.base, t.amount) for t in b.taxes] == [("VAT zero", eur("10"), eur("0"))]
    assert b.line("L2").taxes == ()
    assert b.grand_total == eur("30")


def test_shipping_is_taxed_by_its_own_category() -> None:
    b = Pricer(tax_policy=VAT).price(
        request(line(1, eur("10"), tax="reduced"), shipping=FlatRate(eur("5.95")))
    )
    assert [t.name for t in b.shipping.taxes] == ["DE VAT shipping"]
    assert b.shipping.taxes[0].amount == eur("0.95")  # 5.95 * 19 / 119
    assert b.grand_total == eur("15.95")


def test_tax_exempt_buyer_and_unknown_place_pay_no_tax() -> None:
    pricer = Pricer(tax_policy=US_TAX)
    exempt = pricer.price(
        request(
            line(1, usd("10")),
            currency=USD,
            destination=Jurisdiction("US", "TX"),
            tax_exempt=True,
        )
    )
    abroad = pricer.price(request(line(1, usd("10")), currency=USD, destination=DE))
    assert exempt.tax_total == abroad.tax_total == usd("0")
    assert exempt.grand_total == usd("10")


# -- promotions -------------------------------------------------------------------------


def test_manual_adjustments_apply_before_promotions() -> None:
    b = Pricer(promotions=[ten_percent()]).price(
        request(
            line(1, eur("100")),
            line(2, eur("50")),
            adjustments=[
                LineAdjustment(LineId("L1"), "price match", percent=Decimal(20)),
                LineAdjustment(LineId("L2"), "damaged box", amount=eur("80")),
            ],
        )
    )
    first, second = b.lines
    assert [(d.kind, d.label, d.amount) for d in first.discounts] == [
        (DiscountKind.MANUAL, "price match", eur("20.00")),
        (DiscountKind.ORDER_PROMOTION, "10% off", eur("8.00")),
    ]
    assert second.discounts[0].amount == eur("50.00")  # capped at the line
    assert second.total == eur("0.00")
    assert b.order_discounts[0].amount == eur("8.00")  # 10 % of 80 left


def test_fixed_order_discount_never_goes_below_zero() -> None:
    promo = Promotion("BIG", "Big voucher", [FixedOffOrder(eur("500"))])
    b = Pricer(promotions=[promo]).price(request(line(1, eur("30")), line(2, eur("20"))))
    assert b.discount_total == eur("50")
    assert b.grand_total == eur("0")
    assert [s.amount for s in b.order_discounts[0].shares] == [eur("30"), eur("20")]


def test_line_actions_target_skus_and_categories() -> None:
    promos = [
        Promotion("BOOKS", "Books -25%", [PercentOffLines(Decimal(25), categories=["books"])]),
        Promotion("TOY", "2 off toys", [FixedOffLines(eur("2"), skus=["SKU-2"])], priority=1),
        Promotion("MUG", "Mugs at 3", [FixedPriceLines(eur("3"), skus=["SKU-3"])]),
    ]
    b = Pricer(promotions=promos).price(
        request(
            line(1, eur("20"), categories=("books",)),
            line(2, eur("5"), 3),
            line(3, eur("4.50"), 2),
        )
    )
    assert b.line("L1").discount_total == eur("5.00")
    assert b.line("L2").discount_total == eur("6.00")
    assert b.line("L3").total == eur("6.00")


def test_tiered_percentage_picks_the_highest_tier_reached() -> None:
    tiers = TieredPercentOffOrder(
        [SubtotalTier(eur("100"), Decimal(5)), SubtotalTier(eur("200"), Decimal(10))]
    )
    pricer = Pricer(promotions=[Promotion("TIER", "Spend more", [tiers])])
    assert pricer.price(request(line(1, eur("150")))).discount_total == eur("7.50")
    assert pricer.price(request(line(1, eur("250")))).discount_total == eur("25.00")
    below = pricer.price(request(line(1, eur("50"))))
    assert not below.promotions[0].applied
    assert "nothing off" in below.promotions[0].reason


def test_exclusive_and_priority() -> None:
    exclusive_low = Promotion(
        "EXCL", "Exclusive", [PercentOffOrder(Decimal(50))], priority=0, exclusive=True
    )
    combinable_high = ten_percent(priority=5)
    b = Pricer(promotions=[exclusive_low, combinable_high]).price(request(line(1, eur("100"))))
    outcome = {p.code: p for p in b.promotions}
    assert outcome["TEN"].applied
    assert not outcome["EXCL"].applied
    assert "'TEN' already applied" in outcome["EXCL"].reason
    top = attrs_evolve_priority(exclusive_low, 9)
    b = Pricer(promotions=[top, combinable_high]).price(request(line(1, eur("100"))))
    assert [p.code for p in b.promotions if p.applied] == ["EXCL"]
    assert "exclusive promotion 'EXCL' applied" in b.promotions[1].reason


def attrs_evolve_priority(promotion: Promotion, priority: int) -> Promotion:
    return Promotion(
        promotion.code,
        promotion.name,
        promotion.actions,
        promotion.conditions,
        priority,
        promotion.exclusive,
        promotion.usage_limit,
    )


def test_promotion_usage_limit_uses_the_callers_count() -> None:
    pricer = Pricer(promotions=[ten_percent(usage_limit=3)])
    assert (
        pricer.price(request(line(1, eur("10")), promotion_uses={"TEN": 2})).promotions[0].applied
    )
    refused = pricer.price(request(line(1, eur("10")), promotion_uses={"TEN": 3})).promotions[0]
    assert not refused.applied
    assert refused.reason == "used 3 of 3 times"


def test_a_foreign_currency_amount_does_not_apply_and_says_why() -> None:
    promo = Promotion("USD5", "5 dollars off", [FixedOffOrder(usd("5"))])
    outcome = Pricer(promotions=[promo]).price(request(line(1, eur("10")))).promotions[0]
    assert not outcome.applied
    assert outcome.reason == "its amounts are in USD, not EUR"


# -- shipping ---------------------------------------------------------------------------


def test_shipping_rules() -> None:
    table = WeightTable(
        [WeightBracket(Decimal(5), eur("6.90")), WeightBracket(Decimal(1), eur("4.90"))],
        above=eur("14.90"),
    )
    pricer = Pricer()

    def charge(rule: object, weight: str, price: str = "10") -> Money:
        r = request(line(1, eur(price), 2, weight=weight), shipping=rule)
        return pricer.price(r).shipping.gross

    assert charge(table, "0.5") == eur("4.90")
    assert charge(table, "2") == eur("6.90")
    assert charge(table, "3") == eur("14.90")
    assert charge(CarrierRate(eur("7.31")), "1") == eur("7.31")
    free = FreeAbove(eur("50"), FlatRate(eur("4.95")))
    assert charge(free, "1", "24.99") == eur("4.95")
    assert charge(free, "1", "25.00") == eur("0")
    no_above = WeightTable([WeightBracket(Decimal(1), eur("4.90"))])
    with pytest.raises(ValidationError, match="exceeds the heaviest bracket"):
        charge(no_above, "1")


def test_free_shipping_promotion_waives_the_charge_as_a_discount() -> None:
    promo = Promotion("SHIP", "Free shipping", [FreeShipping()])
    b = Pricer(promotions=[promo], tax_policy=VAT).price(
        request(line(1, eur("10")), shipping=FlatRate(eur("4.95")))
    )
    assert b.shipping.gross == eur("4.95")
    assert b.shipping.discount_total == eur("4.95")
    assert b.shipping.total == eur("0")
    assert b.shipping.discounts[0].kind == DiscountKind.SHIPPING_PROMOTION
    assert b.promotions[0].amount == eur("4.95")
    assert b.grand_total == eur("10")


# -- price lists ------------------------------------------------------------------------


def test_price_book_prefers_the_customer_group_then_priority_then_falls_back() -> None:
    general = PriceList(
        "base", EUR, [PriceEntry(Sku("A"), eur("10")), PriceEntry(Sku("B"), eur("5"))]
    )
    promo = PriceList("promo", EUR, [PriceEntry(Sku("A"), eur("9"))], priority=1)
    wholesale = PriceList("b2b", EUR, [PriceEntry(Sku("A"), eur("7"))], customer_group="wholesale")
    later = PriceList(
        "next-year",
        EUR,
        [PriceEntry(Sku("A"), eur("1"))],
        priority=9,
        starts_at=NOW + dt.timedelta(days=1),
    )
    book = PriceBook([general, promo, wholesale, later])

    def price(sku: str, group: str | None) -> Money:
        return book.unit_price(sku, 1, currency="EUR", customer_group=group, moment=NOW)

    assert price("A", "wholesale") == eur("7")
    assert price("A", None) == eur("9")
    assert price("B", "wholesale") == eur("5")
    with pytest.raises(PriceNotFound, match="'C'"):
        price("C", None)
    with pytest.raises(PriceNotFound, match="'A' in USD"):
        book.unit_price("A", 1, currency="USD", customer_group=None, moment=NOW)


# -- bad input --------------------------------------------------------------------------


def test_bad_input_raises_clear_errors() -> None:
    with pytest.raises(InvalidQuantity, match="quantity must be a whole number >= 1, got 0"):
        line(1, eur("1"), 0)
    with pytest.raises(ValidationError, match="naive datetime"):
        PricingRequest(EUR, dt.datetime(2026, 1, 1), [])
    with pytest.raises(ValidationError, match="line id 'L1' appears twice"):
        request(line(1, eur("1")), line(1, eur("2")))
    with pytest.raises(ValidationError, match="unknown line 'L9'"):
        request(line(1, eur("1")), adjustments=[LineAdjustment(LineId("L9"), "x", Decimal(1))])
    with pytest.raises(ValidationError, match="exactly one of percent or amount"):
        LineAdjustment(LineId("L1"), "x", Decimal(1), eur("1"))
    with pytest.raises(ValidationError, match="not between 0 and 100"):
        PercentOffOrder(Decimal(101))
    with pytest.raises(CurrencyMismatch):
        Pricer().price(request(line(1, usd("1"))))
    with pytest.raises(CurrencyMismatch):
        Pricer().price(request(line(1, eur("1")), shipping=FlatRate(usd("1"))))
    with pytest.raises(ValidationError, match="duplicate promotion codes"):
        Pricer(promotions=[ten_percent(), ten_percent()])
    with pytest.raises(ValidationError, match="sku A appears twice"):
        PriceList("x", EUR, [PriceEntry(Sku("A"), eur("1")), PriceEntry(Sku("A"), eur("2"))])
    with pytest.raises(ValidationError, match="is not in EUR"):
        PriceList("x", EUR, [PriceEntry(Sku("A"), usd("1"))])
    with pytest.raises(ValidationError, match="has no action"):
        Promotion("X", "x", [])
    with pytest.raises(NotFound):
        Pricer().price(request(line(1, eur("1")))).line("nope")


def test_coupons_match_in_any_case_and_respect_their_limit() -> None:
    promo = Promotion(
        "SAVE", "Save 10", [FixedOffOrder(eur("10"))], [CouponCode("SAVE10", usage_limit=2)]
    )
    pricer = Pricer(promotions=[promo])
    entered = pricer.price(request(line(1, eur("50")), coupon_codes=[" save10 "]))
    assert entered.promotions[0].applied
    missing = pricer.price(request(line(1, eur("50")))).promotions[0]
    assert missing.reason == "coupon 'SAVE10' was not entered"
    used_up = pricer.price(
        request(line(1, eur("50")), coupon_codes=["SAVE10"], coupon_uses={"save10": 2})
    ).promotions[0]
    assert not used_up.applied
    assert used_up.reason == "coupon 'SAVE10' used 2 of 2 times"


def test_rounding_modes_are_parsed_or_refused() -> None:
    assert TaxPolicy((), prices_include_tax=False, rounding="half_even").rounding is (
        Rounding.HALF_EVEN
    )
    assert Pricer(rounding="DOWN").rounding is Rounding.DOWN
    with pytest.raises(ValidationError, match="unknown rounding mode 'sideways'"):
        Pricer(rounding="sideways")
    with pytest.raises(ValidationError, match="unknown tax rounding level"):
        TaxPolicy((), prices_include_tax=False, rounding_level="per_order")


def test_pricer_rounding_applies_to_fractional_tier_prices_and_percentages() -> None:
    entry = PriceEntry(Sku("BOLT"), eur("0.125"))
    book = PriceBook([PriceList("base", EUR, [entry])])
    half_up = Pricer(price_book=book).price(request(line(1, None, 3, sku="BOLT")))
    down = Pricer(price_book=book, rounding=Rounding.DOWN).price(
        request(line(1, None, 3, sku="BOLT"))
    )
    assert half_up.lines[0].gross == eur("0.38")  # 0.375
    assert down.lines[0].gross == eur("0.37")


def test_free_shipping_without_a_charge_says_so() -> None:
    promos = [
        Promotion("SHIP1", "Free shipping", [FreeShipping()], priority=2),
        Promotion("SHIP2", "Also free shipping", [FreeShipping()]),
    ]
    pricer = Pricer(promotions=promos)
    none = pricer.price(request(line(1, eur("10"))))
    assert none.promotions[0].reason == "applied; there is no shipping charge to waive"
    charged = pricer.price(request(line(1, eur("10")), shipping=FlatRate(eur("3"))))
    assert [p.amount for p in charged.promotions] == [eur("3"), eur("0")]
    assert charged.promotions[1].reason == "applied; shipping already waived by 'SHIP1'"
