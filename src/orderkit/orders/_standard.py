"""The standard order lifecycle and ready-made guards for hosts' own lifecycles.

``STANDARD_LIFECYCLE``::

    draft → placed → confirmed → in_fulfillment → fulfilled → completed

- ``cancel`` from draft, placed, confirmed and in_fulfillment while nothing
  has shipped; it cancels every unit and releases their stock.
- ``hold`` from placed, confirmed and in_fulfillment; ``release`` goes back to
  the state the hold was placed from.
- ``start_fulfillment`` (automatic): confirmed → in_fulfillment as soon as
  any unit has stock allocated (or has shipped).
- ``fulfill`` (automatic): in_fulfillment → fulfilled as soon as every
  non-cancelled unit has shipped.
- Stock may be allocated and units shipped in confirmed and in_fulfillment.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Final

from orderkit.events import DomainEvent
from orderkit.orders._events import (
    OrderCompleted,
    OrderConfirmed,
    OrderFulfilled,
    OrderPlaced,
    PlacedLine,
)
from orderkit.orders._lifecycle import PREVIOUS_STATE, Lifecycle, Transition, TransitionContext
from orderkit.orders._status import PaymentStatus, StandardState

if TYPE_CHECKING:
    from orderkit.orders._order import Order

__all__ = [
    "STANDARD_LIFECYCLE",
    "actor_required",
    "all_units_shipped",
    "any_unit_allocated",
    "nothing_shipped",
    "payment_required",
]


def nothing_shipped(order: Order, context: TransitionContext) -> str | None:
    """Refuses once any unit has shipped (cancelling would strand goods in transit)."""
    shipped = [f"{line.sku} × {line.shipped}" for line in order.lines if line.shipped]
    return f"units have already shipped ({', '.join(shipped)})" if shipped else None


def any_unit_allocated(order: Order, context: TransitionContext) -> str | None:
    """Passes once any unit has stock allocated."""
    if any(line.allocated for line in order.lines):
        return None
    return "no unit has stock allocated yet"


def all_units_shipped(order: Order, context: TransitionContext) -> str | None:
    """Passes once every non-cancelled unit has shipped (and there is at least one)."""
    remaining = sum(line.ledger.unshipped for line in order.lines)
    if remaining:
        return f"{remaining} units still to ship"
    if not any(line.ledger.open for line in order.lines):
        return "every unit is cancelled"
    return None


def payment_required(
    *, unless_groups: Iterable[str] = ()
) -> Callable[[Order, TransitionContext], str | None]:
    """A guard refusing an unpaid order unless its customer group is on payment terms.

    "Unpaid" means nothing authorized or captured yet.

    Args:
        unless_groups: Customer groups that buy on account (net 30, ...).
    """
    on_terms = frozenset(unless_groups)

    def guard(order: Order, context: TransitionContext) -> str | None:
        if order.payment_status is not PaymentStatus.UNPAID:
            return None
        if order.customer.group is not None and order.customer.group in on_terms:
            return None
        group = order.customer.group
        return f"order is unpaid and customer group {group!r} is not on payment terms"

    return guard


def actor_required(role: str = "approver") -> Callable[[Order, TransitionContext], str | None]:
    """A guard refusing the event unless an actor (the ``role``) is named.

    >>> guard = actor_required("approver")
    """

    def guard(order: Order, context: TransitionContext) -> str | None:
        if context.actor and context.actor.strip():
            return None
        return f"an {role} must be named" if role[:1] in "aeiou" else f"a {role} must be named"

    return guard


def _placed(order: Order, context: TransitionContext) -> Iterable[DomainEvent]:
    lines = tuple(
        PlacedLine(
            line_id=line.line_id,
            sku=line.sku,
            quantity=line.quantity,
            unit_price=line.unit_price,
            tax_category=line.tax_category,
        )
        for line in order.lines
    )
    return (
        OrderPlaced(
            order_id=order.id,
            at=context.at,
            customer_id=order.customer.id,
            customer_group=order.customer.group,
            total=order.total,
            lines=lines,
        ),
    )


def _confirmed(order: Order, context: TransitionContext) -> Iterable[DomainEvent]:
    return (OrderConfirmed(order_id=order.id, at=context.at, actor=context.actor),)


def _fulfilled(order: Order, context: TransitionContext) -> Iterable[DomainEvent]:
    return (OrderFulfilled(order_id=order.id, at=context.at),)


def _completed(order: Order, context: TransitionContext) -> Iterable[DomainEvent]:
    return (OrderCompleted(order_id=order.id, at=context.at, actor=context.actor),)


_S = StandardState

#: draft → placed → confirmed → in_fulfillment → fulfilled → completed, with cancel and hold.
STANDARD_LIFECYCLE: Final = Lifecycle(
    states=[str(state) for state in _S],
    initial=_S.DRAFT,
    terminal=[_S.COMPLETED, _S.CANCELLED],
    transitions=[
        Transition("place", [_S.DRAFT], _S.PLACED, effects=[_placed]),
        Transition("confirm", [_S.PLACED], _S.CONFIRMED, effects=[_confirmed]),
        Transition(
            "start_fulfillment",
            [_S.CONFIRMED],
            _S.IN_FULFILLMENT,
            guards=[any_unit_allocated],
            automatic=True,
        ),
        Transition(
            "fulfill",
            [_S.IN_FULFILLMENT],
            _S.FULFILLED,
            guards=[all_units_shipped],
            effects=[_fulfilled],
            automatic=True,
        ),
        Transition("complete", [_S.FULFILLED], _S.COMPLETED, effects=[_completed]),
        Transition(
            "cancel",
            [_S.DRAFT, _S.PLACED, _S.CONFIRMED, _S.IN_FULFILLMENT],
            _S.CANCELLED,
            guards=[nothing_shipped],
            cancels_units=True,
        ),
        Transition(
            "hold",
            [_S.PLACED, _S.CONFIRMED, _S.IN_FULFILLMENT],
            _S.ON_HOLD,
            remembers_source=True,
        ),
        Transition("release", [_S.ON_HOLD], PREVIOUS_STATE),
    ],
    fulfillable=[_S.CONFIRMED, _S.IN_FULFILLMENT],
)
