"""Placing builds its pricing and order lines without re-running checks a request passed.

``pricing_request`` and ``order_lines`` once built every line through the checking
constructors; a plain ``LineRequest`` now skips the checks it already made. For
any request (well-formed or not, a subclass or not) and any priced line, the result
must be the line the checking constructor builds, or the same error.
"""

from __future__ import annotations

import types
from typing import Any

import attrs
from hypothesis import given, settings
from hypothesis import strategies as st

from orderkit.errors import OrderkitError
from orderkit.ids import Sku
from orderkit.money import Money
from orderkit.orders import Attributes, OrderLine
from orderkit.pricing import PricingLine
from orderkit.service import LineRequest
from orderkit.service._pricing import DESCRIPTION_KEY, _pricing_line, line_id, order_lines
from orderkit.testing.strategies import line_requests


class _Line(LineRequest):
    """A subclass: its fields are not trusted."""


def _odd(line: LineRequest, draw: Any) -> LineRequest:
    """``line`` with fields a LineRequest does not check (bypassing nothing it checks)."""
    changes: dict[str, Any] = {}
    if draw(st.booleans()):
        changes["tax_category"] = draw(st.sampled_from(["", "  ", "reduced", 7, None]))
    if draw(st.booleans()):
        changes["categories"] = draw(st.sampled_from([(), ("toys",), ("toys", 3), (None,)]))
    if draw(st.booleans()):
        changes["unit_price"] = draw(st.sampled_from([Money.of("-1", "EUR"), Money.of("0", "EUR")]))
    if draw(st.booleans()):
        changes["description"] = draw(st.sampled_from(["", "A mug", 5]))
    line = attrs.evolve(line, **changes)
    if draw(st.booleans()):
        line = _Line(
            line.sku,
            line.quantity,
            line.unit_price,
            line.tax_category,
            line.categories,
            line.description,
        )
    return line


@st.composite
def _requests(draw: Any) -> LineRequest:
    return _odd(draw(line_requests()), draw)


def _outcome(build: Any) -> tuple[str, str]:
    try:
        value = build()
    except OrderkitError as exc:
        return type(exc).__name__, str(exc)
    return "value", repr(value)


def _checked_pricing_line(index: int, line: LineRequest) -> PricingLine:
    return PricingLine(
        line_id(index),
        line.sku,
        line.quantity,
        unit_price=line.unit_price,
        categories=line.categories,
        tax_category=line.tax_category,
    )


@settings(max_examples=300, deadline=None)
@given(index=st.integers(0, 20), line=_requests())
def test_pricing_line_equals_the_checked_one(index: int, line: LineRequest) -> None:
    fast = _outcome(lambda: _pricing_line(index, line))
    assert fast == _outcome(lambda: _checked_pricing_line(index, line))
    if fast[0] == "value":
        built, checked = _pricing_line(index, line), _checked_pricing_line(index, line)
        assert built == checked
        assert hash(built) == hash(checked)


def _checked_order_lines(lines: list[LineRequest], priced: list[Any]) -> list[OrderLine]:
    """What ``order_lines`` built before: every line through the checking constructor."""
    return [
        OrderLine(
            line.line_id,
            Sku(request.sku),
            request.quantity,
            line.unit_price,
            tax_category=request.tax_category,
            attributes=(
                Attributes({DESCRIPTION_KEY: request.description})
                if request.description
                else Attributes()
            ),
        )
        for request, line in zip(lines, priced, strict=True)
    ]


_PRICED = st.builds(
    types.SimpleNamespace,
    line_id=st.sampled_from(["L1", "L2", "", " ", 3]),
    unit_price=st.sampled_from(
        [Money.of("9.50", "EUR"), Money.of("0", "EUR"), Money.of("-2", "EUR"), None, "9.50"]
    ),
)


@settings(max_examples=300, deadline=None)
@given(
    pairs=st.lists(st.tuples(_requests(), _PRICED), min_size=1, max_size=4),
)
def test_order_lines_equal_the_checked_ones(pairs: list[tuple[LineRequest, Any]]) -> None:
    lines = [request for request, _ in pairs]
    priced = [line for _, line in pairs]
    breakdown: Any = types.SimpleNamespace(lines=priced)
    fast = _outcome(lambda: order_lines(lines, breakdown))
    assert fast == _outcome(lambda: _checked_order_lines(lines, priced))
    if fast[0] == "value":
        built, checked = order_lines(lines, breakdown), _checked_order_lines(lines, priced)
        assert built == checked
        assert [hash(line) for line in built] == [hash(line) for line in checked]
