"""The :class:`Order` aggregate.

Every command runs on the order itself under a small journal (see
``Order._apply``): if anything fails, the command or the automatic
transitions after it, the order is put back as it was, so a refused command
changes nothing: not the state, the ledgers, the history, the events nor the
version.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar, TypeVarTuple

import attrs

from orderkit.errors import CurrencyMismatch, ValidationError
from orderkit.events import DomainEvent
from orderkit.ids import LineId, OrderId
from orderkit.money import Currency, Money
from orderkit.orders import _engine
from orderkit.orders._engine import Quantities, aware
from orderkit.orders._lifecycle import Lifecycle
from orderkit.orders._pricing import PriceSnapshot
from orderkit.orders._standard import STANDARD_LIFECYCLE
from orderkit.orders._status import (
    FulfillmentStatus,
    OrderStatus,
    Payment,
    PaymentKind,
    PaymentStatus,
    StatusChange,
    fulfillment_status_of,
    payment_status_of,
    payment_totals,
)
from orderkit.orders._values import NO_ATTRIBUTES, Address, Attributes, CustomerRef, OrderLine

__all__ = ["Order"]

_Args = TypeVarTuple("_Args")
_R = TypeVar("_R")


@attrs.define
class Order:
    """An order: customer, lines with their ledgers, payments, lifecycle state and history.

    Build one with :meth:`place` (or :meth:`draft`), never from a storage row;
    the converter rebuilds stored orders. Lifecycle methods take the lifecycle
    as an argument (default ``STANDARD_LIFECYCLE``), so an order stores only
    data. ``version`` is storage metadata: repositories set it, commands do not.
    """

    id: OrderId
    customer: CustomerRef
    currency: Currency
    _lines: tuple[OrderLine, ...]
    placed_at: dt.datetime
    total: Money
    _state: str
    billing_address: Address | None = None
    shipping_address: Address | None = None
    notes: str = ""
    pricing: PriceSnapshot | None = None
    _held_from: str | None = None
    _history: list[StatusChange] = attrs.Factory(list)
    _payments: list[Payment] = attrs.Factory(list)
    _events: list[DomainEvent] = attrs.Factory(list)
    version: int = 0

    def __attrs_post_init__(self) -> None:
        _engine.validate(self)
        _check_pricing(self)

    # -- named constructors -------------------------------------------------

    @classmethod
    def draft(
        cls,
        *,
        id: OrderId,
        customer: CustomerRef,
        currency: Currency | str,
        lines: Iterable[OrderLine],
        at: dt.datetime,
        total: Money | None = None,
        billing_address: Address | None = None,
        shipping_address: Address | None = None,
        notes: str = "",
        lifecycle: Lifecycle = STANDARD_LIFECYCLE,
        pricing: PriceSnapshot | None = None,
    ) -> Order:
        """An order in the lifecycle's initial state; nothing is recorded yet.

        ``placed_at`` holds ``at`` until the order first leaves the initial
        state, when it becomes the time of that event.

        Args:
            total: The priced grand total (discounts, shipping, tax); defaults
                to the snapshot's grand total, else to the sum of quantity ×
                unit price. Captures are capped by it.
            pricing: What the order was priced at (see :class:`PriceSnapshot`);
                invoices bill from it. One entry per line, same line ids, and
                its grand total is the order total.

        Raises:
            ValidationError: no lines, a duplicate line id, a line whose ledger
                is not pristine, a naive ``at``, a negative total, or a
                snapshot that does not match the lines or the total.
            CurrencyMismatch: a line or the total in another currency.
        """
        cur = Currency.of(currency)
        given: object = lines
        if isinstance(given, str | bytes) or not isinstance(given, Iterable):
            raise ValidationError(
                f"lines must be an iterable of OrderLine, got {given!r}", path="lines"
            )
        items = tuple(lines)
        for index, line in enumerate(items):
            item: object = line
            if isinstance(item, OrderLine) and not line.ledger.is_pristine:
                raise ValidationError(
                    f"line {line.line_id} of a new order must have an empty ledger",
                    path=f"lines[{index}].ledger",
                )
        if total is None and isinstance(pricing, PriceSnapshot):
            total = pricing.grand_total
        if total is None:
            total = Money.zero(cur)
            for line in items:
                if isinstance(line, OrderLine):
                    if line.unit_price.currency != cur:
                        raise CurrencyMismatch(
                            cur.code,
                            line.unit_price.currency.code,
                            f"put line {line.line_id} in an order in",
                        )
                    total = total + line.total
        return cls(
            id=id,
            customer=customer,
            currency=cur,
            lines=items,
            placed_at=aware(at),
            total=total,
            state=_engine.require_lifecycle(lifecycle).initial,
            billing_address=billing_address,
            shipping_address=shipping_address,
            notes=notes,
            pricing=pricing,
        )

    @classmethod
    def place(
        cls,
        *,
        id: OrderId,
        customer: CustomerRef,
        currency: Currency | str,
        lines: Iterable[OrderLine],
        at: dt.datetime,
        total: Money | None = None,
        billing_address: Address | None = None,
        shipping_address: Address | None = None,
        notes: str = "",
        actor: str | None = None,
        lifecycle: Lifecycle = STANDARD_LIFECYCLE,
        pricing: PriceSnapshot | None = None,
    ) -> Order:
        """A new order, placed at ``at``: a draft on which the ``place`` event has fired.

        Records ``OrderPlaced``. Arguments and errors as for :meth:`draft`.
        """
        order = cls.draft(
            id=id,
            customer=customer,
            currency=currency,
            lines=lines,
            at=at,
            total=total,
            billing_address=billing_address,
            shipping_address=shipping_address,
            notes=notes,
            lifecycle=lifecycle,
            pricing=pricing,
        )
        order.fire("place", at=at, actor=actor, lifecycle=lifecycle)
        return order

    # -- queries ------------------------------------------------------------

    @property
    def status(self) -> OrderStatus:
        """The lifecycle state (``.value`` is its name)."""
        return OrderStatus(self._state)

    @property
    def held_from(self) -> str | None:
        """The state a hold was placed from while the order is on hold, else ``None``."""
        return self._held_from

    @property
    def lines(self) -> tuple[OrderLine, ...]:
        """The lines, in the order they were placed, with their current ledgers."""
        return self._lines

    def line(self, line_id: LineId | str) -> OrderLine:
        """The line with this id (``ValidationError`` naming it if there is none)."""
        for line in self._lines:
            if line.line_id == line_id:
                return line
        known = ", ".join(line.line_id for line in self._lines)
        raise ValidationError(
            f"order {self.id} has no line {line_id!r} (lines: {known})", path=f"lines.{line_id}"
        )

    @property
    def history(self) -> tuple[StatusChange, ...]:
        """Every state change, oldest first."""
        return tuple(self._history)

    @property
    def payments(self) -> tuple[Payment, ...]:
        """Every recorded payment movement, oldest first."""
        return tuple(self._payments)

    @property
    def pending_events(self) -> tuple[DomainEvent, ...]:
        """Events recorded and not pulled yet, oldest first."""
        return tuple(self._events)

    def pull_events(self) -> list[DomainEvent]:
        """Hand over the recorded events (oldest first) and forget them."""
        events, self._events = self._events, []
        return events

    @property
    def fulfillment_status(self) -> FulfillmentStatus:
        """Derived from the line ledgers (see :func:`fulfillment_status_of`)."""
        return fulfillment_status_of(line.ledger for line in self._lines)

    @property
    def payment_status(self) -> PaymentStatus:
        """Derived from the recorded payments and the total (see :func:`payment_status_of`)."""
        return payment_status_of(self._payments, self.total)

    @property
    def authorized(self) -> Money:
        """Sum of recorded authorizations."""
        return payment_totals(self._payments, self.currency.code)[0]

    @property
    def captured(self) -> Money:
        """Sum of recorded captures."""
        return payment_totals(self._payments, self.currency.code)[1]

    @property
    def refunded(self) -> Money:
        """Sum of recorded refunds."""
        return payment_totals(self._payments, self.currency.code)[2]

    # -- lifecycle commands -------------------------------------------------

    def fire(
        self,
        event: str,
        *,
        at: dt.datetime,
        actor: str | None = None,
        reason: str | None = None,
        context: Mapping[str, str] | None = None,
        lifecycle: Lifecycle = STANDARD_LIFECYCLE,
    ) -> None:
        """Fire a lifecycle event, then any automatic transitions that now apply.

        Args:
            context: Free-form ``str → str`` data for guards and effects.

        Raises:
            InvalidTransition: the event is unknown or not allowed from the
                current state (names the allowed events), or a guard refused
                it (with the guard's reason).
        """
        data = Attributes(context) if context else NO_ATTRIBUTES
        self._apply(_engine.fire, lifecycle, at, event, actor, reason, data)

    def confirm(
        self,
        *,
        at: dt.datetime,
        actor: str | None = None,
        lifecycle: Lifecycle = STANDARD_LIFECYCLE,
    ) -> None:
        """Accept the order for fulfilment (``confirm``)."""
        self._apply(_engine.fire, lifecycle, at, "confirm", actor)

    def cancel(
        self,
        *,
        at: dt.datetime,
        actor: str | None = None,
        reason: str | None = None,
        lifecycle: Lifecycle = STANDARD_LIFECYCLE,
    ) -> None:
        """Cancel the order: every unshipped unit is cancelled and its stock released.

        Records ``OrderCancelled`` listing, per line, the units to give back
        to stock. Refused (``InvalidTransition``) once anything has shipped.
        """
        self._apply(_engine.fire, lifecycle, at, "cancel", actor, reason)

    def hold(
        self,
        *,
        at: dt.datetime,
        actor: str | None = None,
        reason: str | None = None,
        lifecycle: Lifecycle = STANDARD_LIFECYCLE,
    ) -> None:
        """Put the order on hold, remembering the current state."""
        self._apply(_engine.fire, lifecycle, at, "hold", actor, reason)

    def release(
        self,
        *,
        at: dt.datetime,
        actor: str | None = None,
        lifecycle: Lifecycle = STANDARD_LIFECYCLE,
    ) -> None:
        """Lift a hold: back to the state the hold was placed from."""
        self._apply(_engine.fire, lifecycle, at, "release", actor)

    def complete(
        self,
        *,
        at: dt.datetime,
        actor: str | None = None,
        lifecycle: Lifecycle = STANDARD_LIFECYCLE,
    ) -> None:
        """Close a fulfilled order."""
        self._apply(_engine.fire, lifecycle, at, "complete", actor)

    # -- ledger commands ------------------------------------------------------

    def allocate(
        self, quantities: Quantities, *, at: dt.datetime, lifecycle: Lifecycle = STANDARD_LIFECYCLE
    ) -> None:
        """Record stock set aside for units of these lines (line id → units).

        All lines or none; only in the lifecycle's fulfillable states. In
        ``STANDARD_LIFECYCLE`` the first allocation moves a confirmed order to
        in_fulfillment.

        Raises:
            InvalidTransition: not in a fulfillable state.
            InvalidQuantity: more than a line's open, unallocated units.
            ValidationError: an unknown line id.
        """
        self._ledger("allocate", quantities, at, lifecycle)

    def deallocate(
        self, quantities: Quantities, *, at: dt.datetime, lifecycle: Lifecycle = STANDARD_LIFECYCLE
    ) -> None:
        """Record allocated, unshipped units given back to stock."""
        self._ledger("deallocate", quantities, at, lifecycle)

    def ship(
        self, quantities: Quantities, *, at: dt.datetime, lifecycle: Lifecycle = STANDARD_LIFECYCLE
    ) -> None:
        """Record allocated units as shipped; the order becomes fulfilled once all have."""
        self._ledger("ship", quantities, at, lifecycle)

    def deliver(
        self, quantities: Quantities, *, at: dt.datetime, lifecycle: Lifecycle = STANDARD_LIFECYCLE
    ) -> None:
        """Record shipped units as delivered (and ``OrderDelivered`` once all are)."""
        self._ledger("deliver", quantities, at, lifecycle)

    def return_items(
        self, quantities: Quantities, *, at: dt.datetime, lifecycle: Lifecycle = STANDARD_LIFECYCLE
    ) -> None:
        """Record delivered units as returned by the customer."""
        self._ledger("return", quantities, at, lifecycle)

    def cancel_items(
        self,
        quantities: Quantities,
        *,
        at: dt.datetime,
        actor: str | None = None,
        reason: str | None = None,
        lifecycle: Lifecycle = STANDARD_LIFECYCLE,
    ) -> None:
        """Cancel some unshipped units while the order goes on.

        Unallocated units go first; the rest come out of the allocation and
        are listed as ``release`` in ``OrderItemsCancelled``. Allowed in the
        states the whole order could be cancelled from; cancelling every
        remaining unit is refused (cancel the order instead). If what is left
        has all shipped, the order becomes fulfilled.
        """
        self._apply(_engine.cancel_units, lifecycle, at, quantities, actor, reason)

    # -- payments -------------------------------------------------------------

    def record_payment(
        self,
        kind: PaymentKind | str,
        amount: Money,
        at: dt.datetime,
        *,
        reference: str | None = None,
        lifecycle: Lifecycle = STANDARD_LIFECYCLE,
    ) -> Payment:
        """Record an authorization, capture or refund reported by a payment provider.

        Authorizations and captures never exceed the order total; refunds
        never exceed what was captured. Records ``PaymentRecorded``, then
        fires any automatic transition of ``lifecycle`` that now applies (a
        host may, say, confirm paid orders automatically).

        Raises:
            ValidationError: an unknown kind, a non-positive amount, an amount
                not in whole minor units, or a cap exceeded.
            CurrencyMismatch: an amount in another currency.
        """
        aware(at)  # before the reference, as ever
        _engine.optional_text(reference, "reference")
        return self._apply(_engine.record_payment, lifecycle, at, kind, amount, reference)

    # -- internals ------------------------------------------------------------

    def _ledger(
        self, command: str, quantities: Quantities, at: dt.datetime, lifecycle: Lifecycle
    ) -> None:
        self._apply(_engine.move_units, lifecycle, at, command, quantities)

    def _apply(
        self,
        command: Callable[[Order, Lifecycle, dt.datetime, *_Args], _R],
        lifecycle: Lifecycle,
        at: dt.datetime,
        *args: *_Args,
    ) -> _R:
        """Run ``command(self, lifecycle, at, *args)`` then the automatic transitions.

        ``at`` and ``lifecycle`` are checked first. On any error, whether in the
        command or in the automatic transitions, what they did is undone.

        Commands change only the state, the hold, ``placed_at`` and the lines (by
        replacing them) and append to the history, payments and events, so
        remembering those and the three lengths is enough to restore the order.
        """
        aware(at)
        given: object = lifecycle  # require_lifecycle() inlined: this runs on every command
        if not isinstance(given, Lifecycle):
            _engine.require_lifecycle(given)
        state, held_from, placed_at, lines = (
            self._state,
            self._held_from,
            self.placed_at,
            self._lines,
        )
        history, payments, events = self._history, self._payments, self._events
        marks = len(history), len(payments), len(events)
        try:
            result = command(self, lifecycle, at, *args)
            if self._state in lifecycle._automatic:
                _engine.advance(self, lifecycle, at)
        except BaseException:
            self._state, self._held_from, self.placed_at, self._lines = (
                state,
                held_from,
                placed_at,
                lines,
            )
            del history[marks[0] :], payments[marks[1] :], events[marks[2] :]
            self._history, self._payments, self._events = history, payments, events
            raise
        return result


def _check_pricing(order: Order) -> None:
    """The snapshot prices exactly the order's lines, in its currency, to its total."""
    pricing: object = order.pricing
    if pricing is None:
        return
    if not isinstance(pricing, PriceSnapshot):
        raise ValidationError(f"pricing must be a PriceSnapshot, got {pricing!r}", path="pricing")
    if pricing.currency != order.currency:
        raise CurrencyMismatch(order.currency.code, pricing.currency.code, "price an order in")
    priced = [line.line_id for line in pricing.lines]
    ordered = [line.line_id for line in order.lines]
    if priced != ordered:
        raise ValidationError(
            f"order {order.id}: the snapshot prices lines {priced}, the order has {ordered}",
            path="pricing.lines",
        )
    if pricing.grand_total != order.total:
        raise ValidationError(
            f"order {order.id}: total {order.total} != priced grand total {pricing.grand_total}",
            path="total",
        )
