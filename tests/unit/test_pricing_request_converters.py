"""``PricingRequest``'s converters take their common inputs without the ABC checks.

A list or tuple of exact ``PricingLine`` values, and the empty defaults of the
adjustments and coupon codes, skip ``items_of``; anything else still goes
through it. For any input, the result (or the error) is the one ``items_of`` and
``str_tuple`` give.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from orderkit.errors import OrderkitError
from orderkit.ids import LineId, Sku
from orderkit.pricing import LineAdjustment, PricingLine
from orderkit.pricing._common import items_of, str_tuple
from orderkit.pricing._request import _adjustment_tuple, _code_tuple, _line_tuple


@attrs.frozen
class _Line(PricingLine):
    """A subclass: accepted by items_of, so by the converter too."""


_ITEMS = st.sampled_from(
    [
        PricingLine(LineId("L1"), Sku("A"), 1),
        PricingLine(LineId("L2"), Sku("B"), 2),
        _Line(LineId("L3"), Sku("C"), 3),
        LineAdjustment(LineId("L1"), "desk", percent=Decimal(1)),
        "L1",
        None,
        3,
    ]
)


#: Ways to hand the items over: each call makes a fresh container (an iterator is used once).
_CONTAINERS: list[Any] = [
    list,
    tuple,
    iter,
    lambda items: dict.fromkeys(range(len(items))),
    lambda _: "ab",
    lambda _: 5,
    lambda _: None,
]


def _outcome(convert: Any, value: object) -> tuple[str, str]:
    try:
        return "value", repr(convert(value))
    except (OrderkitError, TypeError) as exc:
        return type(exc).__name__, str(exc)


@settings(max_examples=300, deadline=None)
@given(make=st.sampled_from(_CONTAINERS), items=st.lists(_ITEMS, max_size=4))
def test_converters_equal_items_of(make: Any, items: list[Any]) -> None:
    assert _outcome(_line_tuple, make(items)) == _outcome(
        lambda v: items_of(v, PricingLine, "PricingLine", "lines"), make(items)
    )


@settings(max_examples=200, deadline=None)
@given(value=st.sampled_from([(), [], ("A",), ["A", "b"], "code", (1,), None, {"A": 1}]))
def test_default_converters_equal_items_of(value: object) -> None:
    assert _outcome(_code_tuple, value) == _outcome(str_tuple, value)
    assert _outcome(_adjustment_tuple, value) == _outcome(
        lambda v: items_of(v, LineAdjustment, "LineAdjustment", "adjustments"), value
    )
