"""Pricing types through the converter: exact round trips and tagged unions."""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderkit.errors import ValidationError
from orderkit.pricing import (
    Action,
    Condition,
    Jurisdiction,
    PriceBook,
    PriceBreakdown,
    PriceList,
    Pricer,
    PricingRequest,
    Promotion,
    ShippingRule,
    TaxPolicy,
    TaxRate,
)
from orderkit.serialization import converter
from orderkit.testing.strategies import (
    price_books,
    pricing_cases,
    promotion_actions,
    promotion_conditions,
    shipping_rules,
)


def _round_trip(value: object, type_: Any) -> object:
    wire = json.loads(json.dumps(converter.unstructure(value, unstructure_as=type_)))
    return converter.structure(wire, type_)


@pytest.mark.parametrize(
    "type_",
    [Jurisdiction, PriceList, PriceBook, Promotion, TaxPolicy, TaxRate, PricingRequest, Pricer],
)
@given(data=st.data())
def test_registered_types_round_trip(type_: type, data: st.DataObject) -> None:
    value = data.draw(st.from_type(type_))
    assert _round_trip(value, type_) == value


@given(price_books())
def test_price_books_round_trip(book: PriceBook) -> None:
    assert _round_trip(book, PriceBook) == book


@given(st.sampled_from(["EUR", "JPY"]).flatmap(promotion_actions))
def test_actions_round_trip_as_a_tagged_union(action: Action) -> None:
    wire = converter.unstructure(action, unstructure_as=Action)
    assert wire["type"] == type(action).__name__
    assert _round_trip(action, Action) == action


@given(st.sampled_from(["EUR", "KWD"]).flatmap(promotion_conditions))
def test_conditions_round_trip_as_a_tagged_union(condition: Condition) -> None:
    assert _round_trip(condition, Condition) == condition


@given(shipping_rules())
def test_shipping_rules_round_trip(rule: ShippingRule) -> None:
    assert _round_trip(rule, ShippingRule) == rule
    assert _round_trip(rule, ShippingRule | None) == rule


@given(pricing_cases())
def test_breakdowns_round_trip(case: tuple[Pricer, PricingRequest]) -> None:
    pricer, request = case
    breakdown = pricer.price(request)
    assert _round_trip(breakdown, PriceBreakdown) == breakdown
    assert _round_trip(pricer, Pricer) == pricer


def test_bad_promotion_input_names_the_field() -> None:
    wire = {
        "code": "X",
        "name": "x",
        "actions": [{"type": "PercentOffOrder", "percent": "150"}],
    }
    with pytest.raises(ValidationError) as info:
        converter.structure(wire, Promotion)
    assert "not between 0 and 100" in str(info.value)
    with pytest.raises(ValidationError):
        converter.structure({**wire, "actions": [{"type": "NoSuchAction"}]}, Promotion)
    with pytest.raises(ValidationError):
        converter.structure({**wire, "actions": ["PercentOffOrder"]}, Promotion)
