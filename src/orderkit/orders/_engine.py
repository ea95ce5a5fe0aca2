"""The workings of :class:`~orderkit.orders.Order` commands.

Every function here runs on the order itself, inside ``Order._apply``: it
checks, raises, or changes the order. If the command or an automatic
transition after it raises, ``Order._apply`` puts back what changed, so a
refused command leaves the order untouched.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Final

from orderkit._time import is_aware
from orderkit.errors import CurrencyMismatch, InvalidQuantity, InvalidTransition, ValidationError
from orderkit.events import DomainEvent
from orderkit.ids import LineId
from orderkit.money import Currency, Money
from orderkit.orders._events import (
    CancelledLine,
    LineQuantity,
    OrderCancelled,
    OrderDelivered,
    OrderHeld,
    OrderItemsAllocated,
    OrderItemsCancelled,
    OrderItemsDeallocated,
    OrderItemsDelivered,
    OrderItemsReturned,
    OrderItemsShipped,
    OrderReleased,
    OrderStatusChanged,
    PaymentRecorded,
)
from orderkit.orders._ledger import QuantityLedger
from orderkit.orders._lifecycle import (
    PREVIOUS_STATE,
    Lifecycle,
    Transition,
    TransitionContext,
    new_context,
)
from orderkit.orders._status import Payment, PaymentKind, new_status_change, payment_totals
from orderkit.orders._values import (
    NO_ATTRIBUTES,
    Address,
    Attributes,
    CustomerRef,
    OrderLine,
    with_ledger,
)

if TYPE_CHECKING:
    from orderkit.orders._order import Order

__all__ = [
    "Quantities",
    "advance",
    "aware",
    "cancel_units",
    "check_payment",
    "fire",
    "move_units",
    "optional_text",
    "record_payment",
    "require_lifecycle",
    "validate",
]

#: Units per line id, as the ledger commands take them.
Quantities = Mapping[LineId, int] | Mapping[str, int]

_LedgerEvent = (
    type[OrderItemsAllocated]
    | type[OrderItemsDeallocated]
    | type[OrderItemsShipped]
    | type[OrderItemsDelivered]
    | type[OrderItemsReturned]
)

#: Ledger command → (ledger move, event recorded, only in fulfillable states).
_Move = Callable[[QuantityLedger, int], QuantityLedger]
_MOVES: Final[dict[str, tuple[_Move, _LedgerEvent, bool]]] = {
    "allocate": (QuantityLedger.allocate, OrderItemsAllocated, True),
    "deallocate": (QuantityLedger.deallocate, OrderItemsDeallocated, False),
    "ship": (QuantityLedger.ship, OrderItemsShipped, True),
    "deliver": (QuantityLedger.deliver, OrderItemsDelivered, False),
    "return": (QuantityLedger.return_units, OrderItemsReturned, False),
}


def aware(at: object, what: str = "at") -> dt.datetime:
    """``at`` if it is a timezone-aware datetime; ``ValidationError`` otherwise."""
    if not is_aware(at):
        raise ValidationError(f"{what} must be a timezone-aware datetime, got {at!r}", path=what)
    return at


def require_lifecycle(lifecycle: object) -> Lifecycle:
    """``lifecycle`` if it is a :class:`Lifecycle`; ``ValidationError`` otherwise."""
    if not isinstance(lifecycle, Lifecycle):
        raise ValidationError(f"expected a Lifecycle, got {lifecycle!r}", path="lifecycle")
    return lifecycle


def optional_text(value: object, what: str) -> str | None:
    """``value`` if it is ``None`` or a string; ``ValidationError`` otherwise."""
    if value is not None and not isinstance(value, str):
        raise ValidationError(f"{what} must be a string or None, got {value!r}", path=what)
    return value


def validate(order: Order) -> None:
    """Check what an order must always satisfy, however it was built."""
    raw: dict[str, object] = {
        "id": order.id,
        "customer": order.customer,
        "currency": order.currency,
        "total": order.total,
        "notes": order.notes,
    }
    expected: dict[str, type] = {
        "id": str,
        "customer": CustomerRef,
        "currency": Currency,
        "total": Money,
        "notes": str,
    }
    for name, kind in expected.items():
        if not isinstance(raw[name], kind):
            raise ValidationError(f"{name} must be a {kind.__name__}, got {raw[name]!r}", path=name)
    if not order.id.strip():
        raise ValidationError(f"order id must not be blank, got {order.id!r}", path="id")
    if not order.lines:
        raise ValidationError(f"order {order.id} needs at least one line", path="lines")
    seen: set[str] = set()
    for index, line in enumerate(order.lines):
        item: object = line
        if not isinstance(item, OrderLine):
            raise ValidationError(f"{line!r} is not an OrderLine", path=f"lines[{index}]")
        if line.line_id in seen:
            raise ValidationError(
                f"line id {line.line_id!r} is used twice", path=f"lines[{index}].line_id"
            )
        seen.add(line.line_id)
        if line.unit_price.currency != order.currency:
            raise CurrencyMismatch(
                order.currency.code,
                line.unit_price.currency.code,
                f"put line {line.line_id} in an order in",
            )
    aware(order.placed_at, "placed_at")
    if order.total.currency != order.currency:
        raise CurrencyMismatch(order.currency.code, order.total.currency.code, "total")
    if order.total.is_negative:
        raise ValidationError(f"total must not be negative, got {order.total}", path="total")
    for name in ("billing_address", "shipping_address"):
        value = getattr(order, name)
        if value is not None and not isinstance(value, Address):
            raise ValidationError(f"{name} must be an Address, got {value!r}", path=name)
    # Without payments every total is zero and the caps hold (the total is >= 0, checked
    # above), so the sums are skipped: they were most of the cost of this check, which
    # runs on every command (bench/micro_lifecycle).
    payments = order.payments
    if payments:
        authorized, captured, refunded = payment_totals(payments, order.currency.code)
        if any(payment.amount.amount <= 0 for payment in payments):
            raise ValidationError("every recorded payment must be > 0", path="payments")
        if authorized > order.total or captured > order.total or refunded > captured:
            raise ValidationError(
                f"payments exceed their caps: authorized {authorized}, captured {captured}, "
                f"refunded {refunded}, total {order.total}",
                path="payments",
            )
    version: object = order.version
    if isinstance(version, bool) or not isinstance(version, int) or version < 0:
        raise ValidationError(
            f"version must be a whole number >= 0, got {version!r}", path="version"
        )


def _require(order: Order, lifecycle: Lifecycle, command: str, ok: bool, reason: str) -> None:
    if not ok:
        state = order.status.value
        raise InvalidTransition(state, command, lifecycle.allowed_events(state), reason)


def fire(  # noqa: PLR0917 (Order._apply passes arguments positionally)
    order: Order,
    lifecycle: Lifecycle,
    at: dt.datetime,
    event: str,
    actor: str | None = None,
    reason: str | None = None,
    data: Attributes = NO_ATTRIBUTES,
) -> None:
    """Fire ``event``: check sources and guards, run effects, move the state."""
    who: object = actor
    why: object = reason
    if not (who is None or isinstance(who, str)) or not (why is None or isinstance(why, str)):
        optional_text(actor, "actor")
        optional_text(reason, "reason")
    state = order._state
    transition = lifecycle.transition(event)
    # The allowed events only name what a refusal offers instead: computed on refusal.
    if transition is None:
        allowed = lifecycle.allowed_events(state)
        raise InvalidTransition(state, event, allowed, f"unknown event {event!r}")
    if state not in transition.sources:
        raise InvalidTransition(state, event, lifecycle.allowed_events(state))
    returns = transition.target == PREVIOUS_STATE
    target = order._held_from if returns else transition.target
    if target is None:
        allowed = lifecycle.allowed_events(state)
        raise InvalidTransition(state, event, allowed, "no state to return to")
    context = new_context(event, state, target, at, actor, reason, data)
    for guard in transition.guards:
        refusal = guard(order, context)
        if refusal is not None:
            raise InvalidTransition(state, event, lifecycle.allowed_events(state), refusal)
    cancels, remembers = transition.cancels_units, transition.remembers_source
    events = (
        _structural_events(order, transition, context) if cancels or remembers or returns else []
    )
    for effect in transition.effects:
        events.extend(effect(order, context))
    if not events:
        events.append(
            OrderStatusChanged(
                order_id=order.id,
                at=at,
                event=event,
                source=state,
                target=target,
                actor=actor,
                reason=reason,
            )
        )
    if cancels:
        order._lines = tuple(
            with_ledger(line, line.ledger.cancel(line.ledger.unshipped)[0])
            if line.ledger.unshipped
            else line
            for line in order._lines
        )
    if remembers:
        order._held_from = state
    elif returns:
        order._held_from = None
    history = order._history
    if not history and state == lifecycle.initial:
        order.placed_at = at
    history.append(new_status_change(event, state, target, at, actor, reason))
    order._state = target
    order._events.extend(events)


def _structural_events(
    order: Order, transition: Transition, context: TransitionContext
) -> list[DomainEvent]:
    """The events the transition's flags imply: cancelled, held, released."""
    found: list[DomainEvent] = []
    if transition.cancels_units:
        lines = tuple(
            CancelledLine(
                line.line_id, line.sku, line.ledger.unshipped, line.ledger.allocated_unshipped
            )
            for line in order.lines
            if line.ledger.unshipped
        )
        found.append(
            OrderCancelled(
                order_id=order.id,
                at=context.at,
                lines=lines,
                actor=context.actor,
                reason=context.reason,
            )
        )
    if transition.remembers_source:
        found.append(
            OrderHeld(
                order_id=order.id,
                at=context.at,
                held_from=context.source,
                actor=context.actor,
                reason=context.reason,
            )
        )
    if transition.target == PREVIOUS_STATE:
        found.append(
            OrderReleased(
                order_id=order.id, at=context.at, state=context.target, actor=context.actor
            )
        )
    return found


def advance(order: Order, lifecycle: Lifecycle, at: dt.datetime) -> None:
    """Fire automatic transitions whose guards pass, until none does."""
    for _ in range(len(lifecycle.states) + 1):
        state = order._state
        for transition in lifecycle._automatic.get(state, ()):
            target = order._held_from if transition.target == PREVIOUS_STATE else transition.target
            event = transition.event
            context = new_context(event, state, target or state, at, None, None, NO_ATTRIBUTES)
            if all(guard(order, context) is None for guard in transition.guards):
                fire(order, lifecycle, at, event)
                break
        else:
            return


def _moves(order: Order, quantities: Quantities) -> list[tuple[int, int]]:
    raw: object = quantities
    if not isinstance(raw, Mapping) or not raw:
        raise InvalidQuantity(f"expected a non-empty mapping of line id to units, got {raw!r}")
    index: dict[str, int] = {line.line_id: position for position, line in enumerate(order.lines)}
    moves: list[tuple[int, int]] = []
    for line_id, quantity in quantities.items():
        if line_id not in index:
            order.line(line_id)  # raises, naming the line
        moves.append((index[line_id], quantity))
    return sorted(moves)


def _wrap(line: OrderLine, exc: InvalidQuantity) -> InvalidQuantity:
    return InvalidQuantity(f"line {line.line_id} ({line.sku}): {exc}", path=f"lines.{line.line_id}")


def _all_delivered(lines: tuple[OrderLine, ...]) -> bool:
    open_units = sum(line.ledger.open for line in lines)
    return open_units > 0 and sum(line.delivered for line in lines) == open_units


def move_units(
    order: Order, lifecycle: Lifecycle, at: dt.datetime, command: str, quantities: Quantities
) -> None:
    """Apply one ledger command (allocate, deallocate, ship, deliver, return) to every line."""
    move, event_type, fulfillable_only = _MOVES[command]
    if fulfillable_only:
        state = order.status.value
        where = ", ".join(lifecycle.fulfillable) or "(none)"
        _require(
            order,
            lifecycle,
            command,
            state in lifecycle.fulfillable,
            f"{command} is only possible in states {where}",
        )
    lines = list(order.lines)
    moved: list[LineQuantity] = []
    for index, quantity in _moves(order, quantities):
        line = lines[index]
        try:
            lines[index] = with_ledger(line, move(line.ledger, quantity))
        except InvalidQuantity as exc:
            raise _wrap(line, exc) from None
        moved.append(LineQuantity(line.line_id, line.sku, quantity))
    delivered_before = _all_delivered(order.lines)
    order._lines = tuple(lines)
    order._events.append(event_type(order_id=order.id, at=at, lines=tuple(moved)))
    if command == "deliver" and not delivered_before and _all_delivered(order.lines):
        order._events.append(OrderDelivered(order_id=order.id, at=at))


def cancel_units(  # noqa: PLR0917 (Order._apply passes arguments positionally)
    order: Order,
    lifecycle: Lifecycle,
    at: dt.datetime,
    quantities: Quantities,
    actor: str | None,
    reason: str | None,
) -> None:
    """Cancel some unshipped units, releasing allocated ones, without cancelling the order."""
    optional_text(actor, "actor")
    optional_text(reason, "reason")
    _require(
        order,
        lifecycle,
        "cancel_items",
        lifecycle.cancellable_from(order.status.value),
        "units can only be cancelled in a state the whole order could be cancelled from",
    )
    cancelled: list[CancelledLine] = []
    lines = list(order.lines)
    for index, quantity in _moves(order, quantities):
        line = lines[index]
        try:
            ledger, released = line.ledger.cancel(quantity)
        except InvalidQuantity as exc:
            raise _wrap(line, exc) from None
        lines[index] = with_ledger(line, ledger)
        cancelled.append(CancelledLine(line.line_id, line.sku, quantity, released))
    if not any(line.ledger.open for line in lines):
        raise InvalidQuantity(
            f"cancelling these units would cancel all of order {order.id}; cancel the order"
        )
    order._lines = tuple(lines)
    order._events.append(
        OrderItemsCancelled(
            order_id=order.id, at=at, lines=tuple(cancelled), actor=actor, reason=reason
        )
    )


def check_payment(order: Order, kind: PaymentKind | str, amount: Money) -> PaymentKind:
    """The payment kind, once the amount is known to fit under its cap."""
    try:
        payment_kind = PaymentKind(kind)
    except ValueError:
        raise ValidationError(f"unknown payment kind {kind!r}", path="kind") from None
    raw: object = amount
    if not isinstance(raw, Money):
        raise ValidationError(f"amount must be Money, got {raw!r}", path="amount")
    if amount.currency != order.currency:
        raise CurrencyMismatch(order.currency.code, amount.currency.code, "record a payment of")
    if amount.amount <= 0:
        raise ValidationError(f"payment amount must be > 0, got {amount}", path="amount")
    if amount.minor_units * amount.currency.quantum != amount.amount:  # raises if fractional
        raise ValidationError(f"{amount} is not in whole minor units", path="amount")
    authorized, captured, refunded = payment_totals(order.payments, order.currency.code)
    caps = {
        PaymentKind.AUTHORIZATION: (authorized, order.total, "the order total"),
        PaymentKind.CAPTURE: (captured, order.total, "the order total"),
        PaymentKind.REFUND: (refunded, captured, "what was captured"),
    }
    so_far, cap, cap_name = caps[payment_kind]
    if so_far + amount > cap:
        raise ValidationError(
            f"{payment_kind.value} of {amount} would exceed {cap_name} ({cap}); "
            f"{so_far} recorded so far",
            path="amount",
        )
    return payment_kind


def record_payment(  # noqa: PLR0917 (Order._apply passes arguments positionally)
    order: Order,
    lifecycle: Lifecycle,
    at: dt.datetime,
    kind: PaymentKind | str,
    amount: Money,
    reference: str | None,
) -> Payment:
    """Record one payment movement (checked against its cap) and ``PaymentRecorded``."""
    payment_kind = check_payment(order, kind, amount)
    payment = Payment(payment_kind, amount, at, reference)
    order._payments.append(payment)
    order._events.append(
        PaymentRecorded(
            order_id=order.id,
            at=at,
            kind=payment_kind,
            amount=amount,
            reference=reference,
            payment_status=order.payment_status,
        )
    )
    return payment
