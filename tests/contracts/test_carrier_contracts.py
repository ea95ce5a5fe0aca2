"""The carrier contract suite against both reference carriers and the fake."""

from __future__ import annotations

import pytest

from orderkit.fulfillment import (
    CarrierPort,
    FlatRate,
    FlatRateCarrier,
    TableRateCarrier,
    TableService,
    WeightBracket,
    ZoneRate,
    ZoneRule,
)
from orderkit.money import Money
from orderkit.testing.carriers import FakeCarrier
from orderkit.testing.contracts import CarrierContract


def _eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


class TestFlatRateCarrier(CarrierContract):
    @pytest.fixture
    def carrier(self) -> CarrierPort:
        return FlatRateCarrier(
            "flatpost",
            [FlatRate("economy", _eur("3.90"), 5), FlatRate("express", _eur("12.00"), 1)],
        )


class TestTableRateCarrier(CarrierContract):
    @pytest.fixture
    def carrier(self) -> CarrierPort:
        return TableRateCarrier(
            "tableco",
            zones=[ZoneRule("de", "DE"), ZoneRule("berlin", "DE", "10"), ZoneRule("at", "AT")],
            services=[
                TableService(
                    "standard",
                    [
                        ZoneRate(
                            "de", 2, [WeightBracket("2", _eur("5")), WeightBracket("20", _eur("9"))]
                        ),
                        ZoneRate("berlin", 1, [WeightBracket("5", _eur("4.50"))]),
                        ZoneRate("at", 3, [WeightBracket("10", _eur("11"))]),
                    ],
                ),
                TableService("freight", [ZoneRate("de", 4, [WeightBracket("1000", _eur("60"))])]),
            ],
        )


class TestFakeCarrier(CarrierContract):
    @pytest.fixture
    def carrier(self) -> CarrierPort:
        return FakeCarrier()
