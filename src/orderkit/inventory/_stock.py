"""The per-SKU aggregate: stock levels per location, batches, reservations, allocations.

The SKU is the consistency boundary: every rule that stops an oversell is
checked inside one :class:`SkuStock`, so concurrent orders for different SKUs
never conflict, and a repository's optimistic ``version`` check on one SKU is
enough to make concurrent allocations of the same SKU safe.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping

import attrs

from orderkit.errors import DuplicateRequest, InsufficientStock, NotFound, ValidationError
from orderkit.events import DomainEvent
from orderkit.ids import LocationId, Sku
from orderkit.inventory._events import (
    BackorderCancelled,
    BackorderCreated,
    BackorderFilled,
    BatchExpected,
    LowStock,
    ReservationConverted,
    ReservationExpired,
    ReservationReleased,
    StockAdjusted,
    StockAllocated,
    StockConsumed,
    StockDeallocated,
    StockMoved,
    StockReceived,
    StockReserved,
)
from orderkit.inventory._values import (
    BackorderPolicy,
    IncomingBatch,
    Reservation,
    _check_aware,
    _check_moment,
    _check_text,
    check_quantity,
)

__all__ = ["SkuStock"]


@attrs.define
class SkuStock:
    """All stock of one SKU: what is where, what is promised, what is coming.

    ``available`` at a location is on hand − allocated − live reservations
    held there; for the SKU as a whole it also subtracts reservations held on
    "any location". Neither ever goes below zero: every method checks first
    and changes nothing when it refuses. Units promised beyond stock are
    *backorders*, bounded by :attr:`backorder` and kept apart from
    allocations, so allocated never exceeds on hand at any location.

    Conservation: :attr:`received` (receipts, batch arrivals, upward count
    corrections) == on hand + :attr:`shipped` + :attr:`written_off`.

    .. versionadded:: 0.1
    """

    sku: Sku
    backorder: BackorderPolicy = attrs.field(factory=BackorderPolicy.deny)
    low_stock_threshold: int | None = None
    _on_hand: dict[LocationId, int] = attrs.field(factory=dict)
    _allocations: dict[str, dict[LocationId, int]] = attrs.field(factory=dict)
    _batches: dict[str, IncomingBatch] = attrs.field(factory=dict)
    _batch_allocations: dict[str, dict[str, int]] = attrs.field(factory=dict)
    _reservations: dict[str, Reservation] = attrs.field(factory=dict)
    _backorders: dict[str, int] = attrs.field(factory=dict)
    _received: int = 0
    _shipped: int = 0
    _written_off: int = 0
    version: int = 0
    _events: list[DomainEvent] = attrs.field(factory=list)

    def __attrs_post_init__(self) -> None:
        _check_text(self.sku, "sku")
        if not isinstance(self.backorder, BackorderPolicy):
            raise ValidationError(
                f"backorder must be a BackorderPolicy, got {self.backorder!r}", path="backorder"
            )
        if self.low_stock_threshold is not None:
            check_quantity(self.low_stock_threshold, "low_stock_threshold", allow_zero=True)
        self._check_state()

    # ------------------------------------------------------------------ queries

    @property
    def locations(self) -> tuple[LocationId, ...]:
        """Every location this SKU has stock or allocations at, sorted."""
        seen = set(self._on_hand)
        for per_location in self._allocations.values():
            seen.update(per_location)
        return tuple(sorted(seen))

    def on_hand(self, location: LocationId | None = None) -> int:
        """Units physically at ``location`` (all locations when ``None``)."""
        if location is None:
            return sum(self._on_hand.values())
        return self._on_hand.get(location, 0)

    def allocated(self, location: LocationId | None = None) -> int:
        """On-hand units allocated to orders at ``location`` (all when ``None``)."""
        return sum(
            qty
            for per_location in self._allocations.values()
            for loc, qty in per_location.items()
            if location is None or loc == location
        )

    def reserved(self, *, at: dt.datetime | None = None, location: LocationId | None = None) -> int:
        """Units held by reservations live at ``at``; ``location`` None counts every hold.

        Without ``at`` every stored reservation counts (see :meth:`available`).
        """
        _check_moment(at, "at")
        return sum(
            r.quantity
            for r in self._reservations.values()
            if (at is None or r.is_live(at)) and (location is None or r.location == location)
        )

    def available(
        self, *, at: dt.datetime | None = None, location: LocationId | None = None
    ) -> int:
        """Units that can still be allocated or reserved at the moment ``at``.

        For one location: on hand − allocated − live reservations held there.
        For the SKU (``location`` None): the sum over locations minus live
        reservations held on any location.

        Without ``at``, every stored reservation counts as live: the
        conservative answer, needing no clock. Pass the moment to let
        reservations past their expiry free their units.

        Never negative: units an operation took from a hold that had expired
        at its moment (but was not dropped with :meth:`expire_reservations`)
        would otherwise be counted twice by a reading without ``at``, or at
        an earlier moment; such a reading is 0.
        """
        _check_moment(at, "at")
        per_location, total = self._availability(at)
        if location is None:
            return max(total, 0)
        _check_text(location, "location")
        return max(per_location.get(location, 0), 0)

    def availability(self, *, at: dt.datetime | None = None) -> dict[LocationId, int]:
        """Available units per location at ``at`` (one pass; never below 0)."""
        _check_moment(at, "at")
        return {loc: max(units, 0) for loc, units in self._availability(at)[0].items()}

    def allocations_of(self, order: str) -> dict[LocationId, int]:
        """The on-hand units allocated to ``order``, by location."""
        return dict(self._allocations.get(order, {}))

    def batch_allocations_of(self, order: str) -> dict[str, int]:
        """The units allocated to ``order`` against incoming batches, by batch reference."""
        return dict(self._batch_allocations.get(order, {}))

    def backordered(self, order: str | None = None) -> int:
        """Units promised beyond stock to ``order`` (to every order when ``None``)."""
        if order is None:
            return sum(self._backorders.values())
        return self._backorders.get(order, 0)

    @property
    def orders(self) -> tuple[str, ...]:
        """References of every order holding an allocation or a backorder, sorted."""
        return tuple(
            sorted(set(self._allocations) | set(self._batch_allocations) | set(self._backorders))
        )

    @property
    def batches(self) -> tuple[IncomingBatch, ...]:
        """Incoming batches still expected, by ETA then reference."""
        return tuple(sorted(self._batches.values(), key=lambda b: (b.eta, b.reference)))

    def batch_available(self, reference: str) -> int:
        """Units of the incoming batch ``reference`` not yet allocated to any order."""
        batch = self._batch(reference)
        taken = sum(per.get(reference, 0) for per in self._batch_allocations.values())
        return batch.quantity - taken

    @property
    def reservations(self) -> tuple[Reservation, ...]:
        """Every stored reservation (live or not yet expired by :meth:`expire_reservations`)."""
        return tuple(self._reservations[k] for k in sorted(self._reservations))

    def reservation(self, reference: str) -> Reservation | None:
        """The reservation stored under ``reference``, if any."""
        return self._reservations.get(reference)

    @property
    def received(self) -> int:
        """Units that ever entered the books (receipts, arrivals, upward corrections)."""
        return self._received

    @property
    def shipped(self) -> int:
        """Units that left in shipments."""
        return self._shipped

    @property
    def written_off(self) -> int:
        """Units removed by downward count corrections."""
        return self._written_off

    @property
    def pending_events(self) -> tuple[DomainEvent, ...]:
        """Events recorded since the last :meth:`pull_events`, in order."""
        return tuple(self._events)

    def pull_events(self) -> list[DomainEvent]:
        """Hand over the recorded events (oldest first) and forget them."""
        events, self._events = self._events, []
        return events

    # ------------------------------------------------------------ receiving

    def receive(self, location: LocationId, quantity: int, *, reference: str | None = None) -> None:
        """Book ``quantity`` units arriving at ``location`` (a delivery, a return to stock)."""
        _check_text(location, "location")
        check_quantity(quantity, "quantity")
        self._on_hand[location] = self._on_hand.get(location, 0) + quantity
        self._received += quantity
        self._events.append(StockReceived(self.sku, location, quantity, reference))

    def adjust(
        self, location: LocationId, delta: int, *, reason: str, at: dt.datetime | None = None
    ) -> None:
        """Correct the count at ``location`` by ``delta`` units, saying why.

        A negative delta is a write-off; it may only remove units that are
        available (allocated or reserved units must be released first).
        """
        _check_text(location, "location")
        _check_text(reason, "reason")
        given: object = delta
        if isinstance(given, bool) or not isinstance(given, int) or given == 0:
            raise ValidationError(f"delta must be a non-zero int, got {delta!r}", path="delta")
        before = self._low_stock_base(at)
        if delta < 0:
            self._require_after(at, -delta, {location: delta})
        self._on_hand[location] = self._on_hand.get(location, 0) + delta
        if self._on_hand[location] == 0:
            del self._on_hand[location]
        if delta > 0:
            self._received += delta
        else:
            self._written_off -= delta
        self._events.append(StockAdjusted(self.sku, location, delta, reason))
        self._check_low_stock(before, at)

    def move(
        self,
        source: LocationId,
        target: LocationId,
        quantity: int,
        *,
        at: dt.datetime | None = None,
    ) -> None:
        """Transfer available units from ``source`` to ``target``."""
        _check_text(source, "source")
        _check_text(target, "target")
        check_quantity(quantity, "quantity")
        if source == target:
            raise ValidationError(f"cannot move stock from {source!r} to itself", path="target")
        self._require_after(at, quantity, {source: -quantity, target: quantity})
        remaining = self._on_hand[source] - quantity
        if remaining:
            self._on_hand[source] = remaining
        else:
            del self._on_hand[source]
        self._on_hand[target] = self._on_hand.get(target, 0) + quantity
        self._events.append(StockMoved(self.sku, source, target, quantity))

    def expect_batch(self, batch: IncomingBatch) -> None:
        """Announce an incoming batch, so orders can be allocated against it."""
        if not isinstance(batch, IncomingBatch):
            raise ValidationError(f"expected an IncomingBatch, got {batch!r}", path="batch")
        if batch.reference in self._batches:
            raise DuplicateRequest(batch.reference, f"batch already expected for sku {self.sku}")
        self._batches[batch.reference] = batch
        self._events.append(
            BatchExpected(self.sku, batch.reference, batch.quantity, batch.eta, batch.destination)
        )

    def receive_batch(self, reference: str, *, quantity: int | None = None) -> None:
        """An incoming batch arrived: its units become on hand at its destination.

        ``quantity`` is what actually arrived (the announced quantity when
        omitted); it may not be below what orders were allocated against the
        batch. Those allocations become allocations at the destination.
        """
        batch = self._batch(reference)
        arrived = batch.quantity if quantity is None else check_quantity(quantity, "quantity")
        promised = batch.quantity - self.batch_available(reference)
        if arrived < promised:
            raise InsufficientStock(self.sku, batch.destination, promised, arrived)
        del self._batches[reference]
        where = batch.destination
        self._on_hand[where] = self._on_hand.get(where, 0) + arrived
        self._received += arrived
        for order in list(self._batch_allocations):
            per_batch = self._batch_allocations[order]
            moved = per_batch.pop(reference, 0)
            if not per_batch:
                del self._batch_allocations[order]
            if moved:
                per_location = self._allocations.setdefault(order, {})
                per_location[where] = per_location.get(where, 0) + moved
        self._events.append(StockReceived(self.sku, where, arrived, reference))

    # ---------------------------------------------------------- reservations

    def reserve(
        self,
        reference: str,
        quantity: int,
        *,
        expires_at: dt.datetime,
        at: dt.datetime,
        location: LocationId | None = None,
    ) -> None:
        """Hold ``quantity`` units for ``reference`` (a cart) until ``expires_at``.

        Reserving again under the same reference replaces the earlier hold
        (a cart changing its quantity), checked as if the old hold were gone.
        """
        _check_text(reference, "reference")
        _check_aware(at, "at")
        hold = Reservation(reference, quantity, expires_at, location)
        if not at < hold.expires_at:  # hold.is_live(at), ``at`` checked above
            raise ValidationError(
                f"reservation {reference!r} expires at {expires_at.isoformat()}, "
                f"not after {at.isoformat()}",
                path="expires_at",
            )
        before = None if self.low_stock_threshold is None else self._availability(at)[1]
        delta = {location: 0} if location is not None else {}
        self._require_after(at, quantity, delta, drop=(reference,), add=hold)
        self._reservations[reference] = hold
        self._events.append(StockReserved(self.sku, reference, quantity, expires_at, location))
        self._check_low_stock(before, at)

    def release(self, reference: str) -> None:
        """Give back the reservation ``reference`` (a cart abandoned or checked out)."""
        _check_text(reference, "reference")
        hold = self._reservations.get(reference)
        if hold is None:
            raise NotFound(f"reservation of sku {self.sku}", reference)
        del self._reservations[reference]
        self._events.append(ReservationReleased(self.sku, reference, hold.quantity))

    def expire_reservations(self, *, at: dt.datetime) -> tuple[str, ...]:
        """Drop every reservation no longer live at ``at``; return their references."""
        _check_aware(at, "at")
        gone = sorted(k for k, r in self._reservations.items() if not r.is_live(at))
        for reference in gone:
            hold = self._reservations.pop(reference)
            self._events.append(
                ReservationExpired(self.sku, reference, hold.quantity, hold.expires_at)
            )
        return tuple(gone)

    # ----------------------------------------------------------- allocations

    def check_allocation(
        self,
        order: str,
        quantities: Mapping[LocationId, int],
        *,
        at: dt.datetime | None = None,
        batches: Mapping[str, int] | None = None,
        backorder: int = 0,
        replace_backorder: bool = False,
        reservations: Collection[str] = (),
    ) -> None:
        """Raise what :meth:`allocate` would raise with these arguments; change nothing."""
        self._prepare_allocation(
            order,
            quantities,
            at=at,
            batches=batches or {},
            backorder=backorder,
            replace_backorder=replace_backorder,
            reservations=reservations,
        )

    def allocate(
        self,
        order: str,
        quantities: Mapping[LocationId, int],
        *,
        at: dt.datetime | None = None,
        batches: Mapping[str, int] | None = None,
        backorder: int = 0,
        replace_backorder: bool = False,
        reservations: Collection[str] = (),
    ) -> None:
        """Allocate units to ``order``: on hand per location, against batches, or backordered.

        ``reservations`` made for the same order (its cart) are converted:
        their units pay for this allocation instead of being counted twice,
        and the reservations are gone afterwards (the cart became the order).
        An order may be allocated more than once; amounts add up, and so do
        backorders, unless ``replace_backorder`` is set: then the order's
        backorder becomes ``backorder`` (a re-plan of everything the order
        still lacks, where stock that arrived fills the earlier backorder).
        """
        before = self._low_stock_base(at)
        prepared = self._prepare_allocation(
            order,
            quantities,
            at=at,
            batches=batches or {},
            backorder=backorder,
            replace_backorder=replace_backorder,
            reservations=reservations,
        )
        self._commit_allocation(
            order,
            prepared,
            backorder=backorder,
            replace_backorder=replace_backorder,
            at=at,
            before=before,
        )

    def _commit_allocation(
        self,
        order: str,
        prepared: tuple[dict[LocationId, int], dict[str, int], tuple[str, ...]],
        *,
        backorder: int,
        replace_backorder: bool,
        at: dt.datetime | None,
        before: int | None,
    ) -> None:
        """Apply what :meth:`_prepare_allocation` checked (``before``: :meth:`_low_stock_base`)."""
        quantities, batch_qty, holds = prepared
        for reference in holds:
            hold = self._reservations.pop(reference)
            self._events.append(ReservationConverted(self.sku, reference, order, hold.quantity))
        if quantities:
            per_location = self._allocations.setdefault(order, {})
            for location, qty in quantities.items():
                per_location[location] = per_location.get(location, 0) + qty
                self._events.append(StockAllocated(self.sku, order, location, qty))
        if batch_qty:
            per_batch = self._batch_allocations.setdefault(order, {})
            for reference, qty in batch_qty.items():
                per_batch[reference] = per_batch.get(reference, 0) + qty
                where = self._batches[reference].destination
                self._events.append(StockAllocated(self.sku, order, where, qty, reference))
        old = self._backorders.get(order, 0)
        new = backorder if replace_backorder else old + backorder
        if new:
            self._backorders[order] = new
        else:
            self._backorders.pop(order, None)
        if new > old:
            self._events.append(BackorderCreated(self.sku, order, new - old))
        elif new < old:
            # Only units this call allocates fill a backorder; the rest were withdrawn
            # (a re-plan that no longer records them, such as a ship-complete plan).
            filled = min(old - new, sum(quantities.values()) + sum(batch_qty.values()))
            if filled:
                self._events.append(BackorderFilled(self.sku, order, filled))
            if old - new > filled:
                self._events.append(BackorderCancelled(self.sku, order, old - new - filled))
        self._check_low_stock(before, at)

    def deallocate(self, order: str) -> None:
        """Give back everything held for ``order``: allocations, batch allocations, backorders."""
        _check_text(order, "order")
        if order not in self.orders:
            raise NotFound(f"allocation of sku {self.sku} for order", order)
        for location, qty in sorted(self._allocations.pop(order, {}).items()):
            self._events.append(StockDeallocated(self.sku, order, location, qty))
        for reference, qty in sorted(self._batch_allocations.pop(order, {}).items()):
            where = self._batches[reference].destination
            self._events.append(StockDeallocated(self.sku, order, where, qty, reference))
        backordered = self._backorders.pop(order, 0)
        if backordered:
            self._events.append(BackorderCancelled(self.sku, order, backordered))

    def consume(self, order: str, location: LocationId, quantity: int) -> None:
        """Units allocated to ``order`` at ``location`` left in a shipment."""
        _check_text(order, "order")
        _check_text(location, "location")
        check_quantity(quantity, "quantity")
        held = self._allocations.get(order, {}).get(location, 0)
        if quantity > held:
            raise InsufficientStock(self.sku, location, quantity, held)
        per_location = self._allocations[order]
        if held == quantity:
            del per_location[location]
            if not per_location:
                del self._allocations[order]
        else:
            per_location[location] = held - quantity
        remaining = self._on_hand[location] - quantity
        if remaining:
            self._on_hand[location] = remaining
        else:
            del self._on_hand[location]
        self._shipped += quantity
        self._events.append(StockConsumed(self.sku, order, location, quantity))

    # -------------------------------------------------------------- private

    def _check_state(self) -> None:
        """Refuse a stored state that breaks an invariant (the converter builds through here).

        Every stored record passes through here, so the common case is cheap: a whole
        number of exactly ``int`` above its bound needs no call, and a path naming the
        value is formatted only for the check that refuses it (the same check as before).
        """
        on_hand = self._on_hand
        for location, qty in on_hand.items():
            if location.__class__ is not str or not location.strip():
                _check_text(location, "on_hand")
            if qty.__class__ is not int or qty <= 0:
                check_quantity(qty, f"on_hand[{location}]")
        if self._allocations:
            self._check_allocations()
        for reference, batch in self._batches.items():
            if batch.reference != reference:
                raise ValidationError(f"batch stored under {reference!r}", path="batches")
        for order, per_batch in self._batch_allocations.items():
            for reference, qty in per_batch.items():
                if qty.__class__ is not int or qty <= 0:
                    check_quantity(qty, f"batch_allocations[{order}][{reference}]")
                if reference not in self._batches:
                    raise ValidationError(
                        f"allocation of {order!r} against unknown batch {reference!r}",
                        path="batch_allocations",
                    )
        for reference in self._batches:
            if self.batch_available(reference) < 0:
                raise ValidationError(f"batch {reference!r} over-allocated", path="batches")
        for reference, hold in self._reservations.items():
            if hold.reference != reference:
                raise ValidationError(
                    f"reservation stored under {reference!r}", path="reservations"
                )
        for order, qty in self._backorders.items():
            if qty.__class__ is not int or qty <= 0:
                check_quantity(qty, f"backorders[{order}]")
        if self._backorders and self.backordered() > self.backorder.limit:
            raise ValidationError(
                f"sku {self.sku}: {self.backordered()} backordered exceeds the limit "
                f"{self.backorder.limit}",
                path="backorders",
            )
        received, shipped, written_off = self._received, self._shipped, self._written_off
        for name, value in (
            ("received", received),
            ("shipped", shipped),
            ("written_off", written_off),
        ):
            if value.__class__ is not int or value < 0:
                check_quantity(value, name, allow_zero=True)
        if received != sum(on_hand.values()) + shipped + written_off:
            raise ValidationError(
                f"sku {self.sku}: received {received} != on hand {self.on_hand()} + "
                f"shipped {shipped} + written off {written_off}",
                path="received",
            )

    def _check_allocations(self) -> None:
        """Every allocation a whole number > 0, and none over the stock on hand where it is."""
        allocated: dict[LocationId, int] = {}  # per location, in one pass over every order
        for order, per_location in self._allocations.items():
            for location, qty in per_location.items():
                if qty.__class__ is not int or qty <= 0:  # the path is formatted only to refuse
                    check_quantity(qty, f"allocations[{order}][{location}]")
                allocated[location] = allocated.get(location, 0) + qty
        for location in self.locations:
            if allocated.get(location, 0) > self.on_hand(location):
                raise ValidationError(
                    f"sku {self.sku}: allocated {allocated[location]} exceeds on hand "
                    f"{self.on_hand(location)} at {location}",
                    path=f"allocations.{location}",
                )

    def _batch(self, reference: str) -> IncomingBatch:
        _check_text(reference, "batch reference")
        batch = self._batches.get(reference)
        if batch is None:
            raise NotFound(f"incoming batch of sku {self.sku}", reference)
        return batch

    def _availability(
        self,
        at: dt.datetime | None,
        *,
        delta: Mapping[LocationId, int] | None = None,
        drop: Collection[str] = (),
        add: Reservation | None = None,
    ) -> tuple[dict[LocationId, int], int]:
        """Availability per location and in total, optionally after a hypothetical change.

        ``delta`` changes on hand − allocated per location, ``drop`` removes
        reservations and ``add`` adds one: enough to check any operation
        before it happens.
        """
        per_location = dict(self._on_hand)
        for allocation in self._allocations.values():
            for location, qty in allocation.items():
                per_location[location] = per_location.get(location, 0) - qty
        for location, change in (delta or {}).items():
            per_location[location] = per_location.get(location, 0) + change
        anywhere = 0
        holds = [r for k, r in self._reservations.items() if k not in drop]
        if add is not None:
            holds.append(add)
        for hold in holds:
            if at is not None and not hold.is_live(at):
                continue
            if hold.location is None:
                anywhere += hold.quantity
            else:
                per_location[hold.location] = per_location.get(hold.location, 0) - hold.quantity
        return per_location, sum(per_location.values()) - anywhere

    def _require_after(
        self,
        at: dt.datetime | None,
        requested: int,
        delta: Mapping[LocationId, int],
        *,
        drop: Collection[str] = (),
        add: Reservation | None = None,
    ) -> None:
        """Refuse with InsufficientStock unless nothing would be over-committed afterwards."""
        _check_moment(at, "at")
        after, total = self._availability(at, delta=delta, drop=drop, add=add)
        short = [loc for loc in delta if after.get(loc, 0) < 0]
        if short or total < 0:
            now, now_total = self._availability(at, drop=drop)
            if short:
                where = short[0]
                have = now.get(where, 0)
            else:  # the SKU as a whole is short (holds on "any location")
                where, have = None, now_total
            raise InsufficientStock(self.sku, where, requested, max(have, 0))

    def _prepare_allocation(
        self,
        order: str,
        quantities: Mapping[LocationId, int],
        *,
        at: dt.datetime | None,
        batches: Mapping[str, int],
        backorder: int,
        replace_backorder: bool,
        reservations: Collection[str],
    ) -> tuple[dict[LocationId, int], dict[str, int], tuple[str, ...]]:
        _check_text(order, "order")
        _check_moment(at, "at")
        if isinstance(reservations, str) or not isinstance(reservations, Collection):
            raise ValidationError(
                f"reservations must be a collection of references, got {reservations!r}",
                path="reservations",
            )
        for name, given in (("quantities", quantities), ("batches", batches)):
            if not isinstance(given, Mapping):
                raise ValidationError(f"{name} must be a mapping, got {given!r}", path=name)
        wanted: dict[LocationId, int] = {}
        for location, qty in dict(quantities).items():
            _check_text(location, "location")
            wanted[location] = check_quantity(qty, f"quantities[{location}]")
        per_batch: dict[str, int] = {}
        for reference, qty in dict(batches).items():
            self._batch(reference)
            per_batch[reference] = check_quantity(qty, f"batches[{reference}]")
        check_quantity(backorder, "backorder", allow_zero=True)
        if not isinstance(replace_backorder, bool):
            raise ValidationError(
                f"replace_backorder must be a bool, got {replace_backorder!r}",
                path="replace_backorder",
            )
        own = self._backorders.get(order, 0) if replace_backorder else 0
        if not wanted and not per_batch and backorder == own:
            raise ValidationError(f"nothing to allocate to order {order!r}", path="quantities")
        holds = tuple(
            sorted(
                k
                for k in set(reservations)
                if (r := self._reservations.get(k)) is not None and (at is None or r.is_live(at))
            )
        )
        delta = {location: -qty for location, qty in wanted.items()}
        self._require_after(at, sum(wanted.values()), delta, drop=holds)
        for reference, qty in per_batch.items():
            free = self.batch_available(reference)
            if qty > free:
                raise InsufficientStock(self.sku, f"incoming batch {reference}", qty, max(free, 0))
        room = self.backorder.limit - self.backordered() + own
        if backorder > room:
            raise InsufficientStock(self.sku, "backorder", backorder, max(room, 0))
        return wanted, per_batch, holds

    def _low_stock_base(self, at: dt.datetime | None) -> int | None:
        _check_moment(at, "at")
        if self.low_stock_threshold is None:
            return None
        return self._availability(at)[1]

    def _check_low_stock(self, before: int | None, at: dt.datetime | None) -> None:
        """Record LowStock when availability crosses the threshold downwards."""
        threshold = self.low_stock_threshold
        if before is None or threshold is None:
            return
        after = self._availability(at)[1]
        if after <= threshold < before:
            self._events.append(LowStock(self.sku, after, threshold))
