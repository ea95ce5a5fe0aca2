"""Review: wrong collaborators and arguments are refused with a ValidationError naming them.

They used to escape as bare ``ValueError`` (``stock_on_place="bogus"``),
``TypeError`` (``locations=None``, ``lines=None``) or ``AttributeError``
(``clock=None``, ``carrier="ups"``, ``customer=None``), some only at the
first command that touched them.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from orderkit.adapters import FixedClock
from orderkit.adapters.memory import MemoryStore
from orderkit.errors import ValidationError
from orderkit.ids import CustomerId, Sku
from orderkit.money import Money
from orderkit.orders import CustomerRef
from orderkit.service import LineRequest, OrderService, StockOnPlace

CUSTOMER = CustomerRef(CustomerId("c-1"), "ann@example.com")


def _make(**options: Any) -> OrderService:
    settings: dict[str, Any] = {
        "clock": FixedClock(dt.datetime(2026, 3, 2, tzinfo=dt.UTC)),
        "ids": lambda: "o-1",
        "stock_on_place": StockOnPlace.NONE,
    }
    settings.update(options)
    return OrderService(MemoryStore().unit_of_work, **settings)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("stock_on_place", "bogus"),
        ("stock_on_place", 3),
        ("locations", None),
        ("locations", "NORTH"),
        ("locations", ["NORTH"]),
        ("clock", None),
        ("sleep", 3),
        ("unit_weight", 5),
        ("carrier", "ups"),
        ("allocator", "x"),
        ("pricer", 3),
        ("shipping", "flat"),
        ("carrier_retries", 2),
        ("invoicing", {}),
    ],
)
def test_a_wrong_collaborator_is_refused_at_construction(name: str, value: object) -> None:
    with pytest.raises(ValidationError, match=name):
        _make(**{name: value})


def test_stock_on_place_accepts_its_values_as_strings() -> None:
    _make(stock_on_place="allocate")


@pytest.mark.parametrize(
    ("arguments", "path"),
    [
        ({"customer": None}, "customer"),
        ({"lines": None}, "lines"),
        ({"lines": "MUG"}, "lines"),
        ({"coupon_codes": "SAVE10"}, "coupon_codes"),
        ({"coupon_codes": None}, "coupon_codes"),
    ],
)
def test_place_refuses_wrong_arguments_by_name(arguments: dict[str, Any], path: str) -> None:
    service = _make()
    call: dict[str, Any] = {
        "customer": CUSTOMER,
        "lines": [LineRequest(Sku("MUG"), 1, Money.of("1.00", "EUR"))],
        "currency": "EUR",
    }
    call.update(arguments)
    with pytest.raises(ValidationError) as raised:
        service.place(**call)
    assert raised.value.path == path
