"""Shipment planning: which units leave from where, in which parcels.

The planner takes its own small input (:class:`ShipmentItemRequest`), so it
never depends on orders or inventory. It makes one shipment per location and,
given a maximum parcel weight, splits a location's units over as many
shipments as needed, each of one parcel no heavier than the maximum. A unit
heavier than the maximum travels alone. Packing is deterministic: heaviest
units first, each into the first parcel with room (first-fit decreasing).
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import attrs

from orderkit.errors import ValidationError
from orderkit.fulfillment._values import (
    Parcel,
    ShipmentItem,
    ShipmentItemRequest,
    check_collection,
    to_measure,
)
from orderkit.ids import LineId, LocationId, Sku

__all__ = ["ShipmentPlan", "plan_shipments"]


def _items(value: Iterable[ShipmentItem]) -> tuple[ShipmentItem, ...]:
    return tuple(value)


def _parcels(value: Iterable[Parcel]) -> tuple[Parcel, ...]:
    return tuple(value)


@attrs.frozen
class ShipmentPlan:
    """One planned shipment: a location, its units by order line, and its parcels."""

    location: LocationId
    items: tuple[ShipmentItem, ...] = attrs.field(converter=_items)
    parcels: tuple[Parcel, ...] = attrs.field(converter=_parcels)

    @property
    def weight(self) -> Decimal:
        """Total weight of the parcels."""
        return sum((p.weight for p in self.parcels), Decimal(0))

    @property
    def units(self) -> int:
        """Total number of units."""
        return sum(item.quantity for item in self.items)


@attrs.define
class _Box:
    """A parcel being packed: remaining capacity and units per (line, sku)."""

    weight: Decimal = Decimal(0)
    contents: dict[tuple[LineId, Sku], int] = attrs.Factory(dict)

    def add(self, key: tuple[LineId, Sku], count: int, unit_weight: Decimal) -> None:
        self.weight += unit_weight * count
        self.contents[key] = self.contents.get(key, 0) + count


def plan_shipments(
    requests: Iterable[ShipmentItemRequest],
    *,
    max_parcel_weight: Decimal | int | str | None = None,
) -> list[ShipmentPlan]:
    """Plan shipments: one per location, split further by ``max_parcel_weight``.

    Requests for the same location, line and sku are merged (their unit
    weights must agree). Locations and lines keep their first-seen order.
    Every requested unit is in exactly one plan.

    >>> from orderkit.fulfillment import ShipmentItemRequest as R
    >>> plans = plan_shipments(
    ...     [
    ...         R(LocationId("WH1"), LineId("L1"), Sku("A"), 3, "4"),
    ...         R(LocationId("WH2"), LineId("L2"), Sku("B"), 1, "1"),
    ...     ],
    ...     max_parcel_weight="10",
    ... )
    >>> [(p.location, p.units, str(p.weight)) for p in plans]
    [('WH1', 2, '8'), ('WH1', 1, '4'), ('WH2', 1, '1')]
    """
    limit = None
    if max_parcel_weight is not None:
        limit = to_measure(max_parcel_weight, field="max_parcel_weight")
        if limit <= 0:
            raise ValidationError(
                f"max parcel weight must be > 0, got {max_parcel_weight!r}",
                path="max_parcel_weight",
            )
    check_collection(requests, "requests", "shipment item requests")
    grouped: dict[LocationId, dict[tuple[LineId, Sku], list[ShipmentItemRequest]]] = {}
    sku_of: dict[LineId, Sku] = {}
    for request in requests:
        if not isinstance(request, ShipmentItemRequest):
            raise ValidationError(f"{request!r} is not a ShipmentItemRequest", path="requests")
        known = sku_of.setdefault(request.line_id, request.sku)
        if known != request.sku:
            raise ValidationError(
                f"line {request.line_id!r} is requested with skus {known!r} and {request.sku!r}",
                path="sku",
            )
        key = (request.line_id, request.sku)
        grouped.setdefault(request.location, {}).setdefault(key, []).append(request)
    plans: list[ShipmentPlan] = []
    for location, lines in grouped.items():
        merged = [(key, _merge(location, key, reqs)) for key, reqs in lines.items()]
        order = {key: index for index, (key, _) in enumerate(merged)}
        boxes = _pack(merged, limit)
        for box in boxes:
            items = [
                ShipmentItem(line_id, sku, count)
                for (line_id, sku), count in sorted(
                    box.contents.items(), key=lambda kv: order[kv[0]]
                )
            ]
            plans.append(ShipmentPlan(location, items, [Parcel(box.weight)]))
    return plans


def _merge(
    location: LocationId, key: tuple[LineId, Sku], requests: list[ShipmentItemRequest]
) -> tuple[int, Decimal]:
    if len(requests) == 1:  # the usual case: one request per line and location
        return requests[0].quantity, requests[0].unit_weight
    weights = {r.unit_weight for r in requests}
    if len(weights) > 1:
        raise ValidationError(
            f"line {key[0]!r} sku {key[1]!r} at {location!r} has differing unit weights "
            f"{sorted(str(w) for w in weights)}",
            path="unit_weight",
        )
    return sum(r.quantity for r in requests), requests[0].unit_weight


def _pack(
    lines: list[tuple[tuple[LineId, Sku], tuple[int, Decimal]]], limit: Decimal | None
) -> list[_Box]:
    if limit is None:
        box = _Box()
        for key, (quantity, unit_weight) in lines:
            box.add(key, quantity, unit_weight)
        return [box]
    boxes: list[_Box] = []
    heaviest_first = sorted(lines, key=lambda line: -line[1][1])  # stable: ties keep line order
    for key, (quantity, unit_weight) in heaviest_first:
        left = quantity
        if unit_weight > limit:  # too heavy for any parcel: each unit travels alone
            for _ in range(left):
                lone = _Box()
                lone.add(key, 1, unit_weight)
                boxes.append(lone)
            continue
        for box in boxes:
            if left == 0:
                break
            room = limit - box.weight
            if room < 0 or (unit_weight > room):
                continue
            fits = left if unit_weight == 0 else min(left, int(room // unit_weight))
            box.add(key, fits, unit_weight)
            left -= fits
        per_box = left if unit_weight == 0 else int(limit // unit_weight)
        while left > 0:
            fresh = _Box()
            count = min(left, per_box)
            fresh.add(key, count, unit_weight)
            boxes.append(fresh)
            left -= count
    return boxes
