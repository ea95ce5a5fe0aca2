"""Money, Currency and allocate: the issue's examples and their invariants as properties."""

from __future__ import annotations

import decimal
import pickle
import random
from decimal import Decimal
from fractions import Fraction

import attrs
import pytest
from hypothesis import assume, given
from hypothesis import strategies as st

from orderkit import (
    Currency,
    CurrencyMismatch,
    Money,
    OrderkitError,
    Rounding,
    UnknownCurrency,
    ValidationError,
    allocate,
)
from orderkit.money import DEFAULT_ROUNDING, MAX_AMOUNT_DIGITS, _exact
from orderkit.testing.strategies import currencies, money

# -- the acceptance examples -------------------------------------------------


def test_decimal_addition_is_exact() -> None:
    assert Money.of("0.1", "EUR") + Money.of("0.2", "EUR") == Money.of("0.3", "EUR")


def test_float_amount_is_refused() -> None:
    with pytest.raises(ValidationError, match=r"float 0\.1"):
        Money.of(0.1, "EUR")  # type: ignore[arg-type]


def test_mixing_currencies_raises_currency_mismatch() -> None:
    with pytest.raises(CurrencyMismatch, match="EUR and USD"):
        Money.of("1", "EUR") + Money.of("1", "USD")


def test_allocate_hundred_euros_three_ways() -> None:
    parts = allocate(Money.of("100", "EUR"), [1, 1, 1])
    assert parts == [Money.of("33.34", "EUR"), Money.of("33.33", "EUR"), Money.of("33.33", "EUR")]


def test_allocate_five_yen_two_ways() -> None:
    assert allocate(Money.of("5", "JPY"), [1, 1]) == [Money.of("3", "JPY"), Money.of("2", "JPY")]


# -- currencies ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "numeric", "exponent"),
    [
        ("EUR", "978", 2),
        ("USD", "840", 2),
        ("JPY", "392", 0),
        ("KRW", "410", 0),
        ("CLP", "152", 0),
        ("ISK", "352", 0),
        ("VND", "704", 0),
        ("BHD", "048", 3),
        ("KWD", "414", 3),
        ("TND", "788", 3),
        ("IQD", "368", 3),
        ("JOD", "400", 3),
        ("LYD", "434", 3),
        ("OMR", "512", 3),
        ("CLF", "990", 4),
        ("UYW", "927", 4),
    ],
)
def test_iso_table_entries(code: str, numeric: str, exponent: int) -> None:
    currency = Currency.of(code)
    assert (currency.code, currency.numeric, currency.exponent) == (code, numeric, exponent)
    assert currency.quantum == Decimal(1).scaleb(-exponent)
    assert str(currency) == code


def test_table_is_complete_and_well_formed() -> None:
    table = Currency.all()
    codes = [c.code for c in table]
    assert codes == sorted(codes)
    assert len(codes) == len(set(codes)) >= 150
    assert all(len(c.numeric) == 3 and c.numeric.isdigit() for c in table)
    assert {c.exponent for c in table} == {0, 2, 3, 4}


@pytest.mark.parametrize("code", ["XYZ", "eur", "", "EURO", None, 978, ["EUR"]])
def test_unknown_currency_codes_are_refused(code: object) -> None:
    with pytest.raises(UnknownCurrency) as info:
        Currency.of(code)  # type: ignore[arg-type]
    assert repr(code) in str(info.value)
    assert info.value.errors == {"currency": str(info.value).removeprefix("currency: ")}


@pytest.mark.parametrize("code", ["XAU", "XTS", "XXX", "XDR"])
def test_codes_without_minor_unit_are_refused_with_the_reason(code: str) -> None:
    with pytest.raises(UnknownCurrency, match="no minor unit"):
        Currency.of(code)


def test_currency_of_is_shared_and_accepts_a_currency() -> None:
    eur = Currency.of("EUR")
    assert Currency.of("EUR") is eur
    assert Currency.of(eur) is eur
    assert repr(eur) == "Currency.of('EUR')"


def test_currency_constructor_validates() -> None:
    with pytest.raises(ValidationError, match="three-letter"):
        Currency("eu", "978", 2, "Euro")
    with pytest.raises(ValidationError, match="exponent"):
        Currency("EUR", "978", -1, "Euro")


# -- construction --------------------------------------------------------------------


@pytest.mark.parametrize(
    "amount", [0.5, float("nan"), True, "abc", "NaN", "Infinity", "-inf", None, [1], b"1"]
)
def test_bad_amounts_are_refused(amount: object) -> None:
    with pytest.raises(ValidationError) as info:
        Money.of(amount, "EUR")  # type: ignore[arg-type]
    assert info.value.path == "amount"


def test_direct_construction_is_validated_too() -> None:
    with pytest.raises(ValidationError):
        Money(0.1, "EUR")  # type: ignore[arg-type]
    assert Money(Decimal("1.5"), "EUR") == Money.of("1.5", Currency.of("EUR"))


def test_absurd_amounts_are_refused() -> None:
    with pytest.raises(ValidationError, match="out of range"):
        Money.of("1e999999999", "EUR")
    with pytest.raises(ValidationError, match="out of range"):
        Money.of("1e-999999999", "EUR")
    with pytest.raises(ValidationError, match="out of range"):
        _ = Money.of("1", "EUR") * Decimal("1e-999999")
    assert Money.of(10 ** (MAX_AMOUNT_DIGITS - 1), "EUR").round().is_positive


def test_constructors_and_queries() -> None:
    assert Money.of(12, "EUR") == Money.of("12.00", "EUR") == Money.of(Decimal("12"), "EUR")
    assert Money.zero("JPY").is_zero
    assert str(Money.zero("KWD")) == "0.000 KWD"
    assert str(Money.of("-0", "EUR")) == "0.00 EUR"
    assert Money.of("-1", "EUR").is_negative
    assert not Money.of("-1", "EUR").is_positive
    assert Money.of("1.999", "EUR").is_rounded is False
    assert Money.of("1.990", "EUR").is_rounded is True
    assert repr(Money.of("12.50", "EUR")) == "Money.of('12.50', 'EUR')"
    assert Money.of("1", "EUR").with_amount(Decimal("2")) == Money.of("2", "EUR")


def test_str_pads_to_the_minor_unit_but_keeps_extra_digits() -> None:
    assert str(Money.of("12.5", "EUR")) == "12.50 EUR"
    assert str(Money.of("12", "JPY")) == "12 JPY"
    assert str(Money.of("1E+3", "EUR")) == "1000.00 EUR"
    assert str(Money.of("1.005", "EUR")) == "1.005 EUR"


def test_minor_units_round_trip_and_refusal() -> None:
    assert Money.of("1.234", "KWD").minor_units == 1234
    assert Money.from_minor_units(-5, "JPY") == Money.of("-5", "JPY")
    with pytest.raises(ValidationError, match="round it first"):
        _ = Money.of("1.005", "EUR").minor_units
    with pytest.raises(ValidationError):
        Money.from_minor_units(1.5, "EUR")  # type: ignore[arg-type]


def test_sum() -> None:
    items = [Money.of("1.10", "USD"), Money.of("2", "USD")]
    assert Money.sum(items) == Money.sum(items, "USD") == Money.of("3.10", "USD")
    assert Money.sum([], "EUR") == Money.zero("EUR")
    assert sum(items, Money.zero("USD")) == Money.of("3.10", "USD")
    assert sum(items) == Money.of("3.10", "USD")
    with pytest.raises(ValidationError, match="needs a currency"):
        Money.sum([])
    with pytest.raises(CurrencyMismatch):
        Money.sum([Money.of("1", "EUR"), Money.of("1", "USD")])
    with pytest.raises(CurrencyMismatch):
        Money.sum(items, "EUR")
    with pytest.raises(ValidationError, match=r"items\[1\]"):
        Money.sum([Money.of("1", "EUR"), 1])  # type: ignore[list-item]


# -- arithmetic and comparison -------------------------------------------------------


def test_arithmetic() -> None:
    a, b = Money.of("10.50", "EUR"), Money.of("0.75", "EUR")
    assert a - b == Money.of("9.75", "EUR")
    assert -a == Money.of("-10.50", "EUR")
    assert +a is a
    assert abs(-a) == a
    assert a * 3 == 3 * a == Money.of("31.50", "EUR")
    assert a * Decimal("0.19") == Money.of("1.995", "EUR")


def test_arithmetic_never_rounds_large_amounts() -> None:
    big = Money.of("12345678901234567890123456789.01", "EUR")
    assert (big + Money.of("0.01", "EUR")).amount == Decimal("12345678901234567890123456789.02")
    assert (big * 10).minor_units == 1234567890123456789012345678901 * 10


@pytest.mark.parametrize("factor", [0.5, float("inf")])
def test_multiplying_by_float_is_refused(factor: float) -> None:
    with pytest.raises(ValidationError, match="float"):
        _ = Money.of("1", "EUR") * factor  # type: ignore[operator]


@pytest.mark.parametrize("factor", [Decimal("NaN"), Decimal("Infinity")])
def test_multiplying_by_non_finite_decimal_is_refused(factor: Decimal) -> None:
    with pytest.raises(ValidationError, match="finite"):
        _ = Money.of("1", "EUR") * factor


def test_operations_with_non_money_are_type_errors() -> None:
    m = Money.of("1", "EUR")
    with pytest.raises(TypeError):
        _ = m + 1  # type: ignore[operator]
    with pytest.raises(TypeError):
        _ = m * m  # type: ignore[operator]
    with pytest.raises(TypeError):
        _ = m < 2  # type: ignore[operator]
    assert m != Decimal(1)


def test_ordering_needs_one_currency() -> None:
    with pytest.raises(CurrencyMismatch, match="compare"):
        _ = Money.of("1", "EUR") < Money.of("2", "USD")
    with pytest.raises(CurrencyMismatch):
        sorted([Money.of("1", "EUR"), Money.of("2", "USD")])
    assert Money.of("1", "EUR") != Money.of("1", "USD")


def test_round_modes() -> None:
    m = Money.of("2.345", "EUR")
    assert DEFAULT_ROUNDING is Rounding.HALF_UP
    assert m.round() == Money.of("2.35", "EUR")
    assert m.round(Rounding.HALF_EVEN) == Money.of("2.34", "EUR")
    assert m.round("HALF_EVEN") == m.round(decimal.ROUND_HALF_EVEN) == Money.of("2.34", "EUR")
    assert Money.of("-2.345", "EUR").round(Rounding.FLOOR) == Money.of("-2.35", "EUR")
    assert Money.of("2.5", "JPY").round() == Money.of("3", "JPY")
    with pytest.raises(ValidationError, match="rounding mode"):
        m.round("sideways")


# -- properties ----------------------------------------------------------------------


@st.composite
def same_currency(draw: st.DrawFn, n: int, *, extra_digits: int = 0) -> list[Money]:
    currency = draw(currencies())
    return [draw(money(currency, extra_digits=extra_digits)) for _ in range(n)]


@given(same_currency(3, extra_digits=3))
def test_addition_is_associative_and_commutative(triple: list[Money]) -> None:
    a, b, c = triple
    assert (a + b) + c == a + (b + c)
    assert a + b == b + a
    assert a + Money.zero(a.currency) == a
    assert a - a == Money.zero(a.currency)
    negated = -a
    assert -negated == a


@given(money(extra_digits=4), st.sampled_from(list(Rounding)))
def test_round_is_idempotent(m: Money, mode: Rounding) -> None:
    once = m.round(mode)
    assert once.round(mode) == once
    assert once.round() == once
    assert once.is_rounded
    assert abs(once - m) < Money.from_minor_units(1, m.currency)


@given(money(extra_digits=2))
def test_half_up_rounds_ties_away_from_zero(m: Money) -> None:
    assert (-m).round() == -(m.round())


@given(same_currency(2))
def test_ordering_is_consistent_with_subtraction(pair: list[Money]) -> None:
    a, b = pair
    assert (a < b) == (b - a).is_positive
    assert (a <= b) == (not (a - b).is_positive)
    assert (a > b) == (b < a)
    assert (a >= b) == (b <= a)


@given(currencies(), currencies())
def test_arithmetic_and_ordering_refuse_two_currencies(x: Currency, y: Currency) -> None:
    assume(x != y)
    a, b = Money.of("1", x), Money.of("1", y)
    for operation in (a.__add__, a.__sub__, a.__lt__, a.__le__, a.__gt__, a.__ge__):
        with pytest.raises(CurrencyMismatch):
            operation(b)


@given(money())
def test_minor_units_round_trip(m: Money) -> None:
    assert Money.from_minor_units(m.minor_units, m.currency) == m


@given(st.floats(allow_nan=True, allow_infinity=True), currencies())
def test_float_is_refused_everywhere(value: float, currency: Currency) -> None:
    with pytest.raises(ValidationError):
        Money.of(value, currency)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        Money(value, currency)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        _ = Money.of("1", currency) * value  # type: ignore[operator]
    with pytest.raises(ValidationError):
        allocate(Money.of("1", currency), [value])  # type: ignore[list-item]


# -- allocate ------------------------------------------------------------------------

weights_lists = st.lists(st.integers(0, 10**6), min_size=1, max_size=12).filter(any)


@given(money(), weights_lists)
def test_allocation_sums_exactly_to_the_total(total: Money, weights: list[int]) -> None:
    parts = allocate(total, weights)
    assert len(parts) == len(weights)
    assert Money.sum(parts, total.currency) == total
    assert all(part.is_rounded and part.currency == total.currency for part in parts)


@given(money(), weights_lists)
def test_parts_are_within_one_unit_of_the_exact_share(total: Money, weights: list[int]) -> None:
    parts = allocate(total, weights)
    units, weight_sum = total.minor_units, sum(weights)
    for part, weight in zip(parts, weights, strict=True):
        exact = Fraction(units * weight, weight_sum)
        assert abs(part.minor_units - exact) < 1


@given(money(), st.integers(1, 20))
def test_equal_weights_give_parts_differing_by_at_most_one_unit(total: Money, n: int) -> None:
    units = [part.minor_units for part in allocate(total, [7] * n)]
    assert max(units) - min(units) <= 1
    # The larger parts come first, so the split is stable and predictable.
    assert units == sorted(units, key=abs, reverse=True)


@given(money(), weights_lists, st.integers(0, 5))
def test_zero_weights_get_zero(total: Money, weights: list[int], at: int) -> None:
    with_zero = [*weights[:at], 0, *weights[at:]]
    parts = allocate(total, with_zero)
    assert parts[min(at, len(weights))].is_zero


@given(money(), weights_lists)
def test_allocation_is_deterministic_and_sign_symmetric(total: Money, weights: list[int]) -> None:
    assert allocate(total, weights) == allocate(total, list(weights))
    assert allocate(-total, weights) == [-part for part in allocate(total, weights)]


@given(money(), st.lists(st.integers(1, 10**6), min_size=1, max_size=10, unique=True), st.randoms())
def test_permuting_distinct_weights_permutes_the_parts(
    total: Money, weights: list[int], rnd: random.Random
) -> None:
    order = list(range(len(weights)))
    rnd.shuffle(order)
    parts = allocate(total, weights)
    shuffled = allocate(total, [weights[i] for i in order])
    assert shuffled == [parts[i] for i in order]


@given(money(), st.lists(money("EUR", min_units=0, max_units=10**9), min_size=1, max_size=8))
def test_decimal_and_money_weights_agree_with_integer_weights(
    total: Money, weights: list[Money]
) -> None:
    assume(any(not w.is_zero for w in weights))
    by_money = allocate(total, weights)
    assert by_money == allocate(total, [w.amount for w in weights])
    assert by_money == allocate(total, [w.minor_units for w in weights])


def test_allocation_examples_with_remainders() -> None:
    eur = "EUR"
    assert allocate(Money.of("0.05", eur), [1, 3]) == [Money.of("0.01", eur), Money.of("0.04", eur)]
    # A tie between remainders goes to the larger weight, whatever its position.
    assert allocate(Money.of("0.02", eur), [1, 3]) == [Money.of("0.00", eur), Money.of("0.02", eur)]
    assert allocate(Money.of("0.02", eur), [3, 1]) == [Money.of("0.02", eur), Money.of("0.00", eur)]
    assert allocate(Money.of("1.000", "KWD"), [Decimal("0.5"), Decimal("0.25")]) == [
        Money.of("0.667", "KWD"),
        Money.of("0.333", "KWD"),
    ]
    assert allocate(Money.of("-100", "EUR"), [1, 1, 1])[0] == Money.of("-33.34", eur)


@pytest.mark.parametrize(
    ("weights", "match"),
    [
        ([], "at least one weight"),
        ([0, 0], "all weights are zero"),
        ([1, -1], r"negative"),
        ([1, "2"], "not an int"),
        ([True], "not an int"),
        ([Decimal("NaN")], "not finite"),
        ([Decimal("1e999999")], "out of range"),
        ([Money.of("-1", "EUR")], "negative"),
        ("12", "not a sequence"),
    ],
)
def test_allocate_refuses_bad_weights(weights: object, match: str) -> None:
    with pytest.raises(ValidationError, match=match):
        allocate(Money.of("1", "EUR"), weights)  # type: ignore[arg-type]


def test_allocate_refuses_bad_totals_and_mixed_money_weights() -> None:
    with pytest.raises(ValidationError, match="round it first"):
        allocate(Money.of("1.005", "EUR"), [1, 1])
    with pytest.raises(ValidationError, match="not Money"):
        allocate(Decimal(1), [1])  # type: ignore[arg-type]
    with pytest.raises(CurrencyMismatch):
        allocate(Money.of("1", "EUR"), [Money.of("1", "EUR"), Money.of("1", "USD")])


def test_every_refusal_is_an_orderkit_error() -> None:
    assert issubclass(ValidationError, OrderkitError)
    assert issubclass(ValidationError, ValueError)
    assert issubclass(CurrencyMismatch, OrderkitError)


# -- fast paths against the plain rules ----------------------------------------------

#: Amounts of any scale, many near the 1E-60 / 1E+60 bounds and zeros of any exponent.
_ANY_SCALE = st.builds(
    lambda digits, exponent: Decimal(digits).scaleb(exponent),
    st.integers(-(10**6), 10**6) | st.sampled_from([0, 1, -1, 9, 99, 999999]),
    st.integers(-2 * MAX_AMOUNT_DIGITS, 2 * MAX_AMOUNT_DIGITS),
).filter(lambda d: not d or -MAX_AMOUNT_DIGITS <= d.adjusted() < MAX_AMOUNT_DIGITS)

_WIDE = decimal.Context(prec=decimal.MAX_PREC, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN)


@given(_ANY_SCALE, _ANY_SCALE, st.sampled_from(["add", "subtract"]))
def test_sums_agree_with_money_of_the_exact_result(x: Decimal, y: Decimal, op: str) -> None:
    """+ and - trap out-of-range results in a narrow context; Money.of checks them itself."""
    exact = getattr(_WIDE, op)(x, y)
    a, b = Money.of(x, "EUR"), Money.of(y, "EUR")
    expected: Money | str
    try:
        expected = Money.of(exact, "EUR")
    except ValidationError as error:
        expected = str(error)
    if isinstance(expected, str):
        with pytest.raises(ValidationError) as raised:
            _ = a + b if op == "add" else a - b
        assert str(raised.value) == expected
        return
    got = a + b if op == "add" else a - b
    assert type(got) is Money
    assert got == expected
    assert str(got.amount) == str(expected.amount)  # same digits and exponent, never -0


def test_results_of_arithmetic_are_plain_frozen_money() -> None:
    total = Money.of("1.10", "EUR") + Money.of("2", "EUR")
    for value in (total, total - total, allocate(total, [1, 2])[0], total.round()):
        assert type(value) is Money
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            value.amount = Decimal(1)  # type: ignore[misc]
        assert pickle.loads(pickle.dumps(value)) == value
        assert hash(value) == hash(Money.of(value.amount, "EUR"))


@given(
    st.one_of(_ANY_SCALE, _ANY_SCALE.map(lambda d: -d), st.just(Decimal("-0.00")))
    | st.builds(lambda d, e: d.scaleb(e), _ANY_SCALE, st.integers(-5, 5)),
    currencies(),
)
def test_money_of_computed_amounts_agrees_with_the_checked_constructor(
    amount: Decimal, currency: Currency
) -> None:
    """The pricer builds results of exact arithmetic with _exact (range and -0 only)."""
    try:
        expected: Money | str = Money(amount, currency)
    except ValidationError as error:
        expected = str(error)
    if isinstance(expected, str):
        with pytest.raises(ValidationError) as raised:
            _exact(amount, currency)
        assert str(raised.value) == expected
        return
    got = _exact(amount, currency)
    assert type(got) is Money
    assert got == expected
    assert str(got.amount) == str(expected.amount)
