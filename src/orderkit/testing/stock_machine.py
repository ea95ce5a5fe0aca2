"""A reusable stateful test of :class:`~orderkit.inventory.SkuStock`.

``SkuStockMachine`` drives one SKU through random sequences of receive,
adjust, move, batches, reserve, release, expire, allocate, deallocate and
ship, and checks after every step that nothing is oversold, units are
conserved, and a refused operation changed nothing (not even its events).
Run it in a test module with::

    from orderkit.testing.stock_machine import SkuStockMachine

    TestSkuStock = SkuStockMachine.TestCase

Subclass it and override :meth:`SkuStockMachine.load_and_save` to push the
stock through a repository between steps, so the same checks exercise an
adapter's round trip.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from orderkit.errors import OrderkitError
from orderkit.ids import LocationId, Sku
from orderkit.inventory import BackorderPolicy, IncomingBatch, SkuStock
from orderkit.serialization import converter

__all__ = ["LOCATIONS", "SkuStockMachine"]

#: The locations the machine moves stock between.
LOCATIONS: tuple[LocationId, ...] = (LocationId("A"), LocationId("B"), LocationId("C"))

_START = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
_where = st.sampled_from(LOCATIONS)
_orders = st.sampled_from(["o1", "o2", "o3", "o4"])
_carts = st.sampled_from(["c1", "c2", "c3"])
_batches = st.sampled_from(["PO1", "PO2"])


class SkuStockMachine(RuleBasedStateMachine):
    """Random operations on one SKU against a tiny model of what must hold."""

    def __init__(self) -> None:
        super().__init__()
        self.stock = SkuStock(Sku("MACHINE"))
        self.now = _START
        self.received = 0
        self.shipped = 0
        self.written_off = 0
        self.allocations: dict[str, dict[LocationId, int]] = {}

    def load_and_save(self, stock: SkuStock) -> SkuStock:
        """Hook between steps; the default returns ``stock`` unchanged."""
        return stock

    # ----------------------------------------------------------- helpers

    def _snapshot(self) -> Any:
        return converter.unstructure(self.stock)

    def _attempt(self, name: str, operation: Callable[[], object]) -> bool:
        """Run ``operation``; if refused, prove nothing changed. Return whether it ran."""
        before = self._snapshot()
        try:
            operation()
        except OrderkitError:
            assert self._snapshot() == before, f"a refused {name} changed the stock"
            event(f"{name}: refused")
            return False
        event(f"{name}: done")
        self.stock = self.load_and_save(self.stock)
        return True

    # ------------------------------------------------------------- rules

    @initialize(limit=st.integers(0, 6), threshold=st.none() | st.integers(0, 5))
    def configure(self, limit: int, threshold: int | None) -> None:
        """Start with a random backorder allowance and low-stock threshold."""
        self.stock = SkuStock(
            Sku("MACHINE"), backorder=BackorderPolicy(limit), low_stock_threshold=threshold
        )

    @rule(location=_where, quantity=st.integers(1, 20))
    def receive(self, location: LocationId, quantity: int) -> None:
        """Stock arrives."""
        if self._attempt("receive", lambda: self.stock.receive(location, quantity)):
            self.received += quantity

    @rule(location=_where, delta=st.integers(-8, 8).filter(bool))
    def adjust(self, location: LocationId, delta: int) -> None:
        """A count correction, up or down."""
        done = self._attempt(
            "adjust", lambda: self.stock.adjust(location, delta, reason="cycle count", at=self.now)
        )
        if done and delta > 0:
            self.received += delta
        elif done:
            self.written_off -= delta

    @rule(source=_where, destination=_where, quantity=st.integers(1, 10))
    def move(self, source: LocationId, destination: LocationId, quantity: int) -> None:
        """Stock moves between locations (to itself is refused)."""
        self._attempt("move", lambda: self.stock.move(source, destination, quantity, at=self.now))

    @rule(reference=_batches, location=_where, quantity=st.integers(1, 15))
    def expect_batch(self, reference: str, location: LocationId, quantity: int) -> None:
        """A purchase order is announced."""
        batch = IncomingBatch(reference, quantity, self.now + dt.timedelta(days=2), location)
        self._attempt("expect_batch", lambda: self.stock.expect_batch(batch))

    @rule(reference=_batches, shortfall=st.integers(0, 5))
    def batch_arrives(self, reference: str, shortfall: int) -> None:
        """A batch arrives, possibly short of what was announced."""
        batch = next((b for b in self.stock.batches if b.reference == reference), None)
        quantity = max(batch.quantity - shortfall, 1) if batch is not None else 1
        moved = {
            order: per.get(reference, 0)
            for order in self.stock.orders
            if (per := self.stock.batch_allocations_of(order))
        }
        if self._attempt(
            "batch_arrives", lambda: self.stock.receive_batch(reference, quantity=quantity)
        ):
            self.received += quantity
            assert batch is not None
            for order, units in moved.items():
                if units:
                    per_location = self.allocations.setdefault(order, {})
                    per_location[batch.destination] = per_location.get(batch.destination, 0) + units

    @rule(
        reference=_carts,
        quantity=st.integers(1, 10),
        location=st.none() | _where,
        minutes=st.integers(1, 120),
    )
    def reserve(
        self, reference: str, quantity: int, location: LocationId | None, minutes: int
    ) -> None:
        """A cart holds stock for a while."""
        expires = self.now + dt.timedelta(minutes=minutes)
        self._attempt(
            "reserve",
            lambda: self.stock.reserve(
                reference, quantity, expires_at=expires, at=self.now, location=location
            ),
        )

    @rule(reference=_carts)
    def release(self, reference: str) -> None:
        """A cart gives its hold back."""
        self._attempt("release", lambda: self.stock.release(reference))

    @rule(minutes=st.integers(0, 90))
    def expire(self, minutes: int) -> None:
        """Time passes and expired holds are dropped."""
        self.now += dt.timedelta(minutes=minutes)
        self._attempt("expire", lambda: self.stock.expire_reservations(at=self.now))
        assert all(r.is_live(self.now) for r in self.stock.reservations)

    @rule(order=_orders, cart=st.none() | _carts, data=st.data())
    def allocate(self, order: str, cart: str | None, data: st.DataObject) -> None:
        """An order is allocated (from the shelf, a batch, a backorder, a converted cart).

        Quantities are drawn around what is available, so both allocations
        that fit and ones that would oversell by a unit or two are tried.
        """
        location = data.draw(_where)
        free = self.stock.available(at=self.now, location=location)
        quantity = data.draw(st.integers(0, max(free, 0) + 2))
        quantities = {location: quantity} if quantity else {}
        backorder = data.draw(st.just(0) | st.integers(0, self.stock.backorder.limit + 1))
        batches: dict[str, int] = {}
        known = [b.reference for b in self.stock.batches]
        use_batch: bool = data.draw(st.booleans())
        if known and use_batch:
            reference = data.draw(st.sampled_from(known))
            units = data.draw(st.integers(1, self.stock.batch_available(reference) + 1))
            batches[reference] = units
        carts = (cart,) if cart is not None else ()
        replace: bool = data.draw(st.booleans())
        done = self._attempt(
            "allocate",
            lambda: self.stock.allocate(
                order,
                quantities,
                at=self.now,
                batches=batches,
                backorder=backorder,
                replace_backorder=replace,
                reservations=carts,
            ),
        )
        if done and quantity:
            per_location = self.allocations.setdefault(order, {})
            per_location[location] = per_location.get(location, 0) + quantity
        if done and cart is not None:
            hold = self.stock.reservation(cart)
            assert hold is None or not hold.is_live(self.now), "a converted cart still holds stock"

    @rule(order=_orders)
    def deallocate(self, order: str) -> None:
        """An order is cancelled."""
        if self._attempt("deallocate", lambda: self.stock.deallocate(order)):
            self.allocations.pop(order, None)
            assert order not in self.stock.orders

    @precondition(lambda self: bool(self.allocations))
    @rule(data=st.data())
    def ship(self, data: st.DataObject) -> None:
        """Part of an order's allocation leaves in a shipment (sometimes too much)."""
        order = data.draw(st.sampled_from(sorted(self.allocations)))
        location = data.draw(st.sampled_from(sorted(self.allocations[order])))
        held = self.allocations[order][location]
        quantity = data.draw(st.integers(1, held + 2))
        if self._attempt("ship", lambda: self.stock.consume(order, location, quantity)):
            self.shipped += quantity
            remaining = held - quantity
            if remaining:
                self.allocations[order][location] = remaining
            else:
                del self.allocations[order][location]
                if not self.allocations[order]:
                    del self.allocations[order]

    # -------------------------------------------------------- invariants

    @invariant()
    def never_oversold(self) -> None:
        """Allocated never exceeds on hand; available never goes below zero."""
        for location in LOCATIONS:
            assert self.stock.allocated(location) <= self.stock.on_hand(location)
            assert self.stock.available(at=self.now, location=location) >= 0
        assert self.stock.available(at=self.now) >= 0
        assert self.stock.available() >= 0  # the clock-free reading too
        assert self.stock.backordered() <= self.stock.backorder.limit
        for batch in self.stock.batches:
            assert 0 <= self.stock.batch_available(batch.reference) <= batch.quantity

    @invariant()
    def units_are_conserved(self) -> None:
        """Received = on hand + shipped + written off, in the stock and in the model."""
        stock = self.stock
        assert self.received == stock.on_hand() + self.shipped + self.written_off
        assert (stock.received, stock.shipped, stock.written_off) == (
            self.received,
            self.shipped,
            self.written_off,
        )

    @invariant()
    def allocations_match_the_model(self) -> None:
        """Each order holds exactly what was allocated to it and not shipped."""
        for order in {*self.allocations, *self.stock.orders}:
            assert self.stock.allocations_of(order) == self.allocations.get(order, {})

    @invariant()
    def round_trips(self) -> None:
        """The converter restores an equal stock, events included."""
        assert converter.structure(converter.unstructure(self.stock), SkuStock) == self.stock
