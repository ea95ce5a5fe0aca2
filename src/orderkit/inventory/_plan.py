"""Allocation input and output: lines to allocate, and the plan an allocator proposes."""

from __future__ import annotations

import enum

import attrs

from orderkit.errors import ValidationError
from orderkit.ids import LineId, LocationId, Sku
from orderkit.inventory._values import _check_text, check_quantity

__all__ = [
    "AllocationLine",
    "AllocationPlan",
    "AllocationPolicy",
    "LinePlan",
    "PlannedAllocation",
]


class AllocationPolicy(enum.StrEnum):
    """What to do when stock or incoming batches cannot cover an order.

    ``BACKORDER`` and ``REFUSE`` count the SKU's backorder allowance as cover;
    ``SHIP_COMPLETE`` does not, since backordered units cannot ship now.

    .. versionadded:: 0.1
    """

    #: Allocate what there is; the rest of each line is backordered.
    BACKORDER = "backorder"
    #: All or nothing: unless stock and batches cover every unit, allocate nothing at
    #: all (every line fully backordered, none recorded against the allowance).
    SHIP_COMPLETE = "ship_complete"
    #: Raise :class:`~orderkit.errors.OutOfStock` naming each short SKU.
    REFUSE = "refuse"


@attrs.frozen
class AllocationLine:
    """One order line as the allocator sees it (the service maps an order onto these).

    ``reservation`` names a cart reservation made for this order; its units
    are used for the line instead of being counted twice.

    .. versionadded:: 0.1
    """

    line_id: LineId
    sku: Sku
    quantity: int
    reservation: str | None = None

    def __attrs_post_init__(self) -> None:
        _check_text(self.line_id, "line.line_id")
        _check_text(self.sku, "line.sku")
        check_quantity(self.quantity, f"line {self.line_id}.quantity")
        if self.reservation is not None:
            _check_text(self.reservation, "line.reservation")


@attrs.frozen
class PlannedAllocation:
    """Units of a line to take from a location's stock, or from an incoming batch there."""

    location: LocationId
    quantity: int
    batch: str | None = None


@attrs.frozen
class LinePlan:
    """The plan for one line: where its units come from and how many are backordered.

    ``allocated + backordered == quantity`` always. ``backorder_recorded``
    of the backordered units are recorded against the SKU's backorder
    allowance when the plan is applied; the others stay unallocated.

    .. versionadded:: 0.1
    """

    line_id: LineId
    sku: Sku
    quantity: int
    allocations: tuple[PlannedAllocation, ...] = ()
    backordered: int = 0
    backorder_recorded: int = 0
    reservation: str | None = None

    def __attrs_post_init__(self) -> None:
        if self.allocated + self.backordered != self.quantity:
            raise ValidationError(
                f"line {self.line_id}: allocated {self.allocated} + backordered "
                f"{self.backordered} != quantity {self.quantity}",
                path="line.backordered",
            )
        if not 0 <= self.backorder_recorded <= self.backordered:
            raise ValidationError(
                f"line {self.line_id}: backorder_recorded {self.backorder_recorded} "
                f"outside 0..{self.backordered}",
                path="line.backorder_recorded",
            )

    @property
    def allocated(self) -> int:
        """Units coming from stock or incoming batches."""
        return sum(a.quantity for a in self.allocations)

    @property
    def unallocated(self) -> int:
        """Backordered units not recorded against the SKU (the order must wait for them)."""
        return self.backordered - self.backorder_recorded

    @property
    def locations(self) -> frozenset[LocationId]:
        """Locations the line ships from (a batch ships from its destination)."""
        return frozenset(a.location for a in self.allocations)


@attrs.frozen
class AllocationPlan:
    """A proposal for allocating a whole order; nothing is changed until it is applied.

    .. versionadded:: 0.1
    """

    lines: tuple[LinePlan, ...]
    policy: AllocationPolicy
    strategy: str

    @property
    def complete(self) -> bool:
        """Whether every unit is allocated from stock or batches (nothing backordered)."""
        return all(line.backordered == 0 for line in self.lines)

    @property
    def locations(self) -> frozenset[LocationId]:
        """Every location the order ships from: the number of shipments, at most."""
        return frozenset().union(*(line.locations for line in self.lines))

    @property
    def allocated(self) -> int:
        """Units allocated over all lines."""
        return sum(line.allocated for line in self.lines)

    @property
    def backordered(self) -> int:
        """Units backordered over all lines."""
        return sum(line.backordered for line in self.lines)

    @property
    def shortfalls(self) -> dict[Sku, int]:
        """Per SKU, the units neither allocated nor recorded as backorders."""
        short: dict[Sku, int] = {}
        for line in self.lines:
            if line.unallocated:
                short[line.sku] = short.get(line.sku, 0) + line.unallocated
        return short

    def line(self, line_id: LineId) -> LinePlan:
        """The plan of the line ``line_id``."""
        for line in self.lines:
            if line.line_id == line_id:
                return line
        raise ValidationError(f"no line {line_id!r} in the plan", path="line_id")
