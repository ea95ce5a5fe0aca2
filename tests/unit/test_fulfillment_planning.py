"""Shipment planning: one shipment per location, split by parcel weight, no unit lost."""

from __future__ import annotations

from collections import Counter
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderkit.errors import InvalidQuantity, ValidationError
from orderkit.fulfillment import ShipmentItemRequest, ShipmentPlan, plan_shipments
from orderkit.ids import LineId, LocationId, Sku
from orderkit.testing.strategies import shipment_item_request_lists, weights


def _req(location: str, line: str, quantity: int, weight: str = "1") -> ShipmentItemRequest:
    return ShipmentItemRequest(
        LocationId(location), LineId(line), Sku(f"SKU-{line}"), quantity, weight
    )


def _units(plans: list[ShipmentPlan]) -> Counter[tuple[str, str, str]]:
    counted: Counter[tuple[str, str, str]] = Counter()
    for plan in plans:
        for item in plan.items:
            counted[(plan.location, item.line_id, item.sku)] += item.quantity
    return counted


def _requested(requests: list[ShipmentItemRequest]) -> Counter[tuple[str, str, str]]:
    counted: Counter[tuple[str, str, str]] = Counter()
    for request in requests:
        counted[(request.location, request.line_id, request.sku)] += request.quantity
    return counted


def test_one_shipment_per_location_without_a_limit() -> None:
    plans = plan_shipments(
        [_req("WH1", "L1", 2), _req("WH2", "L2", 1), _req("WH1", "L3", 4, "0.5")]
    )
    assert [p.location for p in plans] == ["WH1", "WH2"]
    assert [(i.line_id, i.quantity) for i in plans[0].items] == [("L1", 2), ("L3", 4)]
    assert plans[0].parcels[0].weight == Decimal("4.0")


def test_same_line_requested_twice_is_merged() -> None:
    plans = plan_shipments([_req("WH1", "L1", 2), _req("WH1", "L1", 3)])
    assert [(i.line_id, i.quantity) for i in plans[0].items] == [("L1", 5)]


def test_split_by_parcel_weight() -> None:
    plans = plan_shipments([_req("WH1", "L1", 5, "3")], max_parcel_weight=Decimal("10"))
    assert [p.units for p in plans] == [3, 2]
    assert [p.weight for p in plans] == [Decimal(9), Decimal(6)]


def test_lighter_units_fill_room_left_by_heavier_ones() -> None:
    requests = [_req("WH1", "L1", 2, "1"), _req("WH1", "L2", 2, "4")]
    assert [p.weight for p in plan_shipments(requests, max_parcel_weight="10")] == [Decimal(10)]
    plans = plan_shipments(requests, max_parcel_weight="9")
    assert [p.weight for p in plans] == [Decimal(9), Decimal(1)]
    assert [(i.line_id, i.quantity) for i in plans[0].items] == [("L1", 1), ("L2", 2)]


def test_unit_heavier_than_the_limit_travels_alone() -> None:
    plans = plan_shipments(
        [_req("WH1", "L1", 2, "25"), _req("WH1", "L2", 1, "1")], max_parcel_weight="20"
    )
    assert sorted((p.units, p.weight) for p in plans) == [
        (1, Decimal(1)),
        (1, Decimal(25)),
        (1, Decimal(25)),
    ]


def test_weightless_units_share_one_parcel() -> None:
    plans = plan_shipments([_req("WH1", "L1", 1000, "0")], max_parcel_weight="1")
    assert [p.units for p in plans] == [1000]


def test_differing_unit_weights_for_one_line_are_refused() -> None:
    with pytest.raises(ValidationError, match="L1"):
        plan_shipments([_req("WH1", "L1", 1, "1"), _req("WH1", "L1", 1, "2")])


@pytest.mark.parametrize("limit", ["0", "-1", 0.5, "abc"])
def test_bad_limit_is_refused(limit: object) -> None:
    with pytest.raises(ValidationError) as caught:
        plan_shipments([_req("WH1", "L1", 1)], max_parcel_weight=limit)  # type: ignore[arg-type]
    assert "max_parcel_weight" in caught.value.errors


def test_bad_requests_are_refused() -> None:
    with pytest.raises(InvalidQuantity, match="0"):
        _req("WH1", "L1", 0)
    with pytest.raises(ValidationError, match="unit_weight"):
        _req("WH1", "L1", 1, "-1")
    with pytest.raises(ValidationError, match="float"):
        ShipmentItemRequest(LocationId("W"), LineId("L"), Sku("S"), 1, 0.1)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="ShipmentItemRequest"):
        plan_shipments(["not a request"])  # type: ignore[list-item]


def test_nothing_to_ship_plans_nothing() -> None:
    assert plan_shipments([]) == []


@given(shipment_item_request_lists(), st.none() | weights(min_value=Decimal("0.001")))
def test_no_unit_is_lost_or_duplicated(
    requests: list[ShipmentItemRequest], limit: Decimal | None
) -> None:
    plans = plan_shipments(requests, max_parcel_weight=limit)
    assert _units(plans) == _requested(requests)


@given(shipment_item_request_lists(), weights(min_value=Decimal("0.001")))
def test_parcels_respect_the_limit_unless_one_unit_exceeds_it(
    requests: list[ShipmentItemRequest], limit: Decimal
) -> None:
    weight_of = {(r.line_id, r.sku): r.unit_weight for r in requests}
    for plan in plan_shipments(requests, max_parcel_weight=limit):
        (parcel,) = plan.parcels
        expected = sum(weight_of[(i.line_id, i.sku)] * i.quantity for i in plan.items)
        assert parcel.weight == expected
        assert parcel.weight <= limit or plan.units == 1
        assert len({i.line_id for i in plan.items}) == len(plan.items)


@given(shipment_item_request_lists())
def test_without_a_limit_exactly_one_plan_per_location(requests: list[ShipmentItemRequest]) -> None:
    plans = plan_shipments(requests)
    locations = [p.location for p in plans]
    assert sorted(locations) == sorted({r.location for r in requests})


@given(shipment_item_request_lists(), weights(min_value=Decimal("0.001")))
def test_planning_is_deterministic(requests: list[ShipmentItemRequest], limit: Decimal) -> None:
    assert plan_shipments(requests, max_parcel_weight=limit) == plan_shipments(
        list(requests), max_parcel_weight=limit
    )


def test_one_line_with_two_skus_is_refused() -> None:
    other = ShipmentItemRequest(LocationId("WH2"), LineId("L1"), Sku("OTHER"), 1, "1")
    with pytest.raises(ValidationError, match="OTHER"):
        plan_shipments([_req("WH1", "L1", 1), other])
