"""Review of money, allocate and the converter: properties and edge cases.

Expected figures are worked out by hand in the comments.
"""

from __future__ import annotations

import enum
import json
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderkit.errors import CurrencyMismatch, ValidationError
from orderkit.money import Currency, Money, Rounding, allocate
from orderkit.pricing import (
    Action,
    AppliedDiscount,
    DiscountKind,
    Promotion,
    TaxPolicy,
    TaxRounding,
)
from orderkit.serialization import converter

_CURRENCIES = st.sampled_from([Currency.of(c) for c in ("EUR", "JPY", "KWD", "CLF", "USD")])


@st.composite
def _totals(draw: st.DrawFn) -> Money:
    cur = draw(_CURRENCIES)
    return Money.from_minor_units(draw(st.integers(-(10**15), 10**15)), cur)


_WEIGHTS = st.lists(st.integers(0, 10**6), min_size=1, max_size=12).filter(any)


# -- allocate ------------------------------------------------------------------------


@given(_totals(), _WEIGHTS)
def test_allocate_sums_exactly_and_is_whole(total: Money, weights: list[int]) -> None:
    parts = allocate(total, weights)
    assert Money.sum(parts, total.currency) == total
    assert all(p.is_rounded for p in parts)
    assert all(p.is_zero for p, w in zip(parts, weights, strict=True) if w == 0)


@given(_totals(), _WEIGHTS)
def test_each_part_is_within_one_minor_unit_of_its_exact_share(
    total: Money, weights: list[int]
) -> None:
    parts = allocate(total, weights)
    exact = [Decimal(total.minor_units) * w / sum(weights) for w in weights]
    assert all(abs(p.minor_units - e) < 1 for p, e in zip(parts, exact, strict=True))


@given(_totals(), _WEIGHTS)
def test_a_negative_total_mirrors_the_positive_split(total: Money, weights: list[int]) -> None:
    assert allocate(-total, weights) == [-p for p in allocate(total, weights)]


@given(_totals(), _WEIGHTS, st.integers(1, 1000))
def test_scaling_the_weights_changes_nothing(total: Money, weights: list[int], k: int) -> None:
    # Only the proportions matter: weights as money (line totals) or scaled give one split.
    scaled = [Decimal(w * k).scaleb(-3) for w in weights]
    assert allocate(total, weights) == allocate(total, scaled)
    as_money = [Money.from_minor_units(w, total.currency) for w in weights]
    assert allocate(total, weights) == allocate(total, as_money)


@given(_totals(), st.integers(1, 30))
def test_equal_weights_differ_by_at_most_one_unit_and_earlier_parts_get_more(
    total: Money, n: int
) -> None:
    units = [p.minor_units for p in allocate(abs(total), [1] * n)]
    assert max(units) - min(units) <= 1
    assert units == sorted(units, reverse=True)


def test_allocate_examples_by_hand() -> None:
    # 100 / 3 = 33.333...: one cent left, to the first of the tied remainders.
    assert allocate(Money.of(100, "EUR"), [1, 1, 1]) == [
        Money.of("33.34", "EUR"),
        Money.of("33.33", "EUR"),
        Money.of("33.33", "EUR"),
    ]
    # 5 JPY / 2 = 2.5 each: the extra yen to the first.
    assert allocate(Money.of(5, "JPY"), [1, 1]) == [Money.of(3, "JPY"), Money.of(2, "JPY")]
    # 1.000 KWD by 1:2 = 0.3333 / 0.6667 fils-exact: 333 + 667 fils (larger remainder second).
    assert allocate(Money.of(1, "KWD"), [1, 2]) == [
        Money.of("0.333", "KWD"),
        Money.of("0.667", "KWD"),
    ]
    # A tie in remainders goes to the larger weight: 0.10 by 1:3 = 0.025 / 0.075 -> 0.02 + 0.08.
    assert allocate(Money.of("0.10", "EUR"), [1, 3]) == [
        Money.of("0.02", "EUR"),
        Money.of("0.08", "EUR"),
    ]
    assert allocate(Money.zero("EUR"), [1, 2]) == [Money.zero("EUR"), Money.zero("EUR")]


@pytest.mark.parametrize(
    ("total", "weights"),
    [
        (Money.of(1, "EUR"), []),
        (Money.of(1, "EUR"), [0, 0]),
        (Money.of(1, "EUR"), [1, -1]),
        (Money.of(1, "EUR"), [1.5]),
        (Money.of(1, "EUR"), [True]),
        (Money.of(1, "EUR"), [Decimal("NaN")]),
        (Money.of("0.005", "EUR"), [1]),
        (Money.of(1, "EUR"), "11"),
    ],
)
def test_allocate_refuses_bad_input(total: Money, weights: list[int]) -> None:
    with pytest.raises(ValidationError):
        allocate(total, weights)


def test_allocate_refuses_weights_in_two_currencies() -> None:
    with pytest.raises(CurrencyMismatch):
        allocate(Money.of(1, "EUR"), [Money.of(1, "EUR"), Money.of(1, "USD")])


# -- Money -------------------------------------------------------------------------


def test_acceptance_examples() -> None:
    assert Money.of("0.1", "EUR") + Money.of("0.2", "EUR") == Money.of("0.3", "EUR")
    with pytest.raises(ValidationError):
        Money.of(0.1, "EUR")  # type: ignore[arg-type]
    with pytest.raises(CurrencyMismatch):
        Money.of(1, "EUR") + Money.of(1, "USD")


@pytest.mark.parametrize(
    ("amount", "code", "text"),
    [
        ("12.5", "EUR", "12.50 EUR"),
        ("1E+2", "EUR", "100.00 EUR"),
        ("1E+1", "JPY", "10 JPY"),
        ("0.5", "KWD", "0.500 KWD"),
        ("-0", "EUR", "0.00 EUR"),
        ("1.2345", "EUR", "1.2345 EUR"),
    ],
)
def test_str_shows_at_least_the_minor_unit(amount: str, code: str, text: str) -> None:
    assert str(Money.of(amount, code)) == text


@given(_totals(), st.sampled_from(list(Rounding)))
def test_round_is_idempotent_at_every_exponent(total: Money, mode: Rounding) -> None:
    finer = Money.of(total.amount + Decimal("0.00000001"), total.currency)
    once = finer.round(mode)
    assert once.round(mode) == once
    assert once.is_rounded


# -- the converter -------------------------------------------------------------------


@given(_totals())
def test_money_round_trips_through_json(total: Money) -> None:
    wire = json.loads(json.dumps(converter.unstructure(total)))
    assert converter.structure(wire, Money) == total


def test_enums_unstructure_to_plain_values() -> None:
    # StrEnum members used to come out as members (str subclasses), which YAML dumpers,
    # msgpack and exact type checks refuse; the wire carries plain values.
    wire = converter.unstructure(TaxPolicy([], prices_include_tax=True))
    assert type(wire["rounding"]) is str
    assert wire["rounding"] == "ROUND_HALF_UP"
    assert type(wire["rounding_level"]) is str
    assert wire["rounding_level"] == TaxRounding.PER_LINE.value
    applied = AppliedDiscount(DiscountKind.MANUAL, "1", "price match", Money.of(1, "EUR"))
    assert type(converter.unstructure(applied)["kind"]) is str

    class Level(enum.IntEnum):
        LOW = 1

    assert type(converter.unstructure(Level.LOW)) is int
    assert converter.structure(converter.unstructure(Level.LOW), Level) is Level.LOW


@pytest.mark.parametrize(
    ("wire", "path"),
    [
        ({"type": "Nope"}, "$.type"),
        ({"percent": "5"}, "$.type"),
        ([1], "$"),
    ],
)
def test_a_bad_union_tag_is_reported_at_its_path(wire: object, path: str) -> None:
    with pytest.raises(ValidationError) as caught:
        converter.structure(wire, Action)  # type: ignore[arg-type]
    assert list(caught.value.errors) == [path]


def test_a_bad_tag_inside_a_promotion_names_its_position() -> None:
    wire = {"code": "A", "name": "a", "actions": [{"type": "FreeShipping"}, {"type": "X"}]}
    with pytest.raises(ValidationError) as caught:
        converter.structure(wire, Promotion)
    assert "$.actions[1].type" in caught.value.errors
