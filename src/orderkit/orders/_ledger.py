"""The quantity ledger of one order line.

A line's units move forward through six figures: ordered, allocated (stock
set aside), shipped, delivered and returned, plus cancelled. Each figure is
cumulative and bounded by the one before it::

    allocated <= ordered - cancelled
    shipped <= allocated
    delivered <= shipped
    returned <= delivered
    cancelled <= ordered - shipped

so no figure can go negative or exceed what precedes it. Every move returns a
new ledger or raises :class:`~orderkit.errors.InvalidQuantity` naming the
figures involved; the ledger itself never changes.

A move checks its own bounds, which keep every rule above, so it copies the
ledger with its new figures through :mod:`orderkit._drafts` (like
``attrs.evolve`` without re-running the full validation of ``__init__`` on
figures already known to be valid).
"""

from __future__ import annotations

from typing import Any, Final

import attrs

from orderkit._drafts import evolver
from orderkit.errors import InvalidQuantity

__all__ = ["QuantityLedger"]


def _count(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidQuantity(f"{what} must be a whole number, got {value!r}", path=what)
    if value < 0:
        raise InvalidQuantity(f"{what} must not be negative, got {value}", path=what)
    return value


def _check_move(quantity: object, what: str) -> int:
    if isinstance(quantity, bool) or not isinstance(quantity, int):
        raise InvalidQuantity(f"{what} quantity must be a whole number, got {quantity!r}")
    if quantity <= 0:
        raise InvalidQuantity(f"{what} quantity must be > 0, got {quantity}")
    return quantity


def _validate(ledger: QuantityLedger, _: Any, __: Any) -> None:
    for name in ("ordered", "allocated", "shipped", "delivered", "cancelled", "returned"):
        _count(getattr(ledger, name), name)
    if ledger.ordered == 0:
        raise InvalidQuantity("ordered must be > 0, got 0", path="ordered")
    checks = (
        ("allocated", ledger.allocated, "ordered - cancelled", ledger.ordered - ledger.cancelled),
        ("shipped", ledger.shipped, "allocated", ledger.allocated),
        ("delivered", ledger.delivered, "shipped", ledger.shipped),
        ("returned", ledger.returned, "delivered", ledger.delivered),
        ("cancelled", ledger.cancelled, "ordered - shipped", ledger.ordered - ledger.shipped),
    )
    for name, value, bound_name, bound in checks:
        if value > bound:
            raise InvalidQuantity(f"{name} {value} exceeds {bound_name} {bound}", path=name)


@attrs.frozen
class QuantityLedger:
    """Cumulative unit counts of one order line; see the module docstring for the rules.

    >>> ledger = QuantityLedger(ordered=3).allocate(2).ship(1)
    >>> ledger.allocated, ledger.shipped, ledger.unshipped
    (2, 1, 2)
    >>> ledger.ship(2)
    Traceback (most recent call last):
    ...
    orderkit.errors.InvalidQuantity: cannot ship 2: only 1 allocated and not yet shipped
    """

    ordered: int = attrs.field(validator=_validate)
    allocated: int = 0
    shipped: int = 0
    delivered: int = 0
    cancelled: int = 0
    returned: int = 0

    # -- derived figures ------------------------------------------------------

    @property
    def open(self) -> int:
        """Units still owed to the customer: ordered minus cancelled."""
        return self.ordered - self.cancelled

    @property
    def unallocated(self) -> int:
        """Open units with no stock set aside yet."""
        return self.open - self.allocated

    @property
    def allocated_unshipped(self) -> int:
        """Units holding stock that has not left yet (what a cancellation releases)."""
        return self.allocated - self.shipped

    @property
    def unshipped(self) -> int:
        """Open units not shipped yet (the most that can still be cancelled)."""
        return self.open - self.shipped

    @property
    def undelivered(self) -> int:
        """Shipped units not delivered yet."""
        return self.shipped - self.delivered

    @property
    def returnable(self) -> int:
        """Delivered units not returned yet."""
        return self.delivered - self.returned

    @property
    def is_pristine(self) -> bool:
        """Whether nothing has happened to the line yet."""
        return not (
            self.allocated or self.shipped or self.delivered or self.cancelled or self.returned
        )

    # -- moves ------------------------------------------------------------------

    def allocate(self, quantity: int) -> QuantityLedger:
        """Set stock aside for ``quantity`` more units."""
        _check_move(quantity, "allocate")
        if quantity > self.unallocated:
            raise InvalidQuantity(
                f"cannot allocate {quantity}: only {self.unallocated} open and unallocated"
            )
        return _with_allocated(self, self.allocated + quantity)

    def deallocate(self, quantity: int) -> QuantityLedger:
        """Give back stock set aside for ``quantity`` units that have not shipped."""
        _check_move(quantity, "deallocate")
        if quantity > self.allocated_unshipped:
            raise InvalidQuantity(
                f"cannot deallocate {quantity}: only {self.allocated_unshipped} "
                "allocated and not yet shipped"
            )
        return _with_allocated(self, self.allocated - quantity)

    def ship(self, quantity: int) -> QuantityLedger:
        """Record ``quantity`` allocated units as shipped."""
        _check_move(quantity, "ship")
        if quantity > self.allocated_unshipped:
            raise InvalidQuantity(
                f"cannot ship {quantity}: only {self.allocated_unshipped} "
                "allocated and not yet shipped"
            )
        return _with_shipped(self, self.shipped + quantity)

    def deliver(self, quantity: int) -> QuantityLedger:
        """Record ``quantity`` shipped units as delivered."""
        _check_move(quantity, "deliver")
        if quantity > self.undelivered:
            raise InvalidQuantity(
                f"cannot deliver {quantity}: only {self.undelivered} shipped and not yet delivered"
            )
        return _with_delivered(self, self.delivered + quantity)

    def return_units(self, quantity: int) -> QuantityLedger:
        """Record ``quantity`` delivered units as returned by the customer."""
        _check_move(quantity, "return")
        if quantity > self.returnable:
            raise InvalidQuantity(
                f"cannot return {quantity}: only {self.returnable} delivered and not yet returned"
            )
        return _with_returned(self, self.returned + quantity)

    def cancel(self, quantity: int) -> tuple[QuantityLedger, int]:
        """Cancel ``quantity`` unshipped units; returns the new ledger and the units released.

        Unallocated units are cancelled first; only the rest comes out of the
        allocation, and that many units of stock are released.
        """
        _check_move(quantity, "cancel")
        if quantity > self.unshipped:
            raise InvalidQuantity(
                f"cannot cancel {quantity}: only {self.unshipped} not yet shipped"
            )
        released = max(0, quantity - self.unallocated)
        moved = _with_allocated_cancelled(
            self, self.allocated - released, self.cancelled + quantity
        )
        return moved, released


# What each move changes, copied through a draft (module docstring).
_with_allocated: Final = evolver(QuantityLedger, "allocated")
_with_shipped: Final = evolver(QuantityLedger, "shipped")
_with_delivered: Final = evolver(QuantityLedger, "delivered")
_with_returned: Final = evolver(QuantityLedger, "returned")
_with_allocated_cancelled: Final = evolver(QuantityLedger, "allocated", "cancelled")
