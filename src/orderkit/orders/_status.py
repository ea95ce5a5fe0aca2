"""The three statuses of an order and the records behind them.

``status`` is the lifecycle state, stored and changed only by firing events.
``fulfillment_status`` and ``payment_status`` are derived on every read from
the line ledgers and the recorded payments, so they can never disagree with
them.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Iterable, Sequence
from typing import Final

import attrs

from orderkit._drafts import builder
from orderkit.errors import ValidationError
from orderkit.money import Money
from orderkit.orders._ledger import QuantityLedger

__all__ = [
    "FulfillmentStatus",
    "OrderStatus",
    "Payment",
    "PaymentKind",
    "PaymentStatus",
    "StandardState",
    "StatusChange",
    "fulfillment_status_of",
    "new_status_change",
    "payment_status_of",
    "payment_totals",
]


class OrderStatus(str):
    """A lifecycle state name, as returned by ``Order.status``.

    A ``str`` (so it compares equal to ``"confirmed"`` and to
    :class:`StandardState` members) with a StrEnum-like ``.value``; unlike an
    enum it can hold the states a host adds to its own lifecycle.

    >>> status = OrderStatus("awaiting_approval")
    >>> status.value, status == "awaiting_approval"
    ('awaiting_approval', True)
    """

    __slots__ = ()

    @property
    def value(self) -> str:
        """The state name as a plain ``str``."""
        return str.__str__(self)

    def __repr__(self) -> str:
        return f"OrderStatus({self.value!r})"


class StandardState(OrderStatus, enum.Enum):
    """The states of ``STANDARD_LIFECYCLE`` (a host's lifecycle may add more).

    Members are :class:`OrderStatus` values, so ``order.status ==
    StandardState.CONFIRMED`` reads (and type-checks) naturally.

    >>> OrderStatus("confirmed") == StandardState.CONFIRMED, str(StandardState.ON_HOLD)
    (True, 'on_hold')
    """

    DRAFT = "draft"
    PLACED = "placed"
    CONFIRMED = "confirmed"
    IN_FULFILLMENT = "in_fulfillment"
    FULFILLED = "fulfilled"
    COMPLETED = "completed"
    CANCELLED = "cancelled"
    ON_HOLD = "on_hold"

    def __str__(self) -> str:
        return str.__str__(self)


class FulfillmentStatus(enum.StrEnum):
    """How far the order's non-cancelled units have travelled (derived)."""

    UNFULFILLED = "unfulfilled"
    PARTIALLY_ALLOCATED = "partially_allocated"
    ALLOCATED = "allocated"
    PARTIALLY_SHIPPED = "partially_shipped"
    SHIPPED = "shipped"
    PARTIALLY_DELIVERED = "partially_delivered"
    DELIVERED = "delivered"
    PARTIALLY_RETURNED = "partially_returned"
    RETURNED = "returned"


class PaymentStatus(enum.StrEnum):
    """Where the money stands (derived from the recorded payments)."""

    UNPAID = "unpaid"
    AUTHORIZED = "authorized"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    PARTIALLY_REFUNDED = "partially_refunded"
    REFUNDED = "refunded"


class PaymentKind(enum.StrEnum):
    """What a payment provider reported."""

    AUTHORIZATION = "authorization"
    CAPTURE = "capture"
    REFUND = "refund"


@attrs.frozen
class Payment:
    """One recorded payment movement (authorization, capture or refund)."""

    kind: PaymentKind
    amount: Money
    at: dt.datetime
    reference: str | None = None


@attrs.frozen
class StatusChange:
    """One entry of the status history: which event moved the order from where to where.

    Replaying the events of the history from the lifecycle's initial state
    reaches the order's current state (``Lifecycle.replay``).
    """

    event: str
    source: str
    target: str
    at: dt.datetime
    actor: str | None = None
    reason: str | None = None


#: A StatusChange built through a draft (orderkit._drafts), for the engine: one per transition.
new_status_change: Final = builder(StatusChange)


def fulfillment_status_of(ledgers: Iterable[QuantityLedger]) -> FulfillmentStatus:
    """The fulfilment status of lines with these ledgers, counting non-cancelled units.

    The furthest stage any unit reached wins; it is complete ("shipped") when
    every non-cancelled unit reached it and partial otherwise. An order whose
    units are all cancelled is "unfulfilled".

    >>> fulfillment_status_of([QuantityLedger(2, allocated=2, shipped=1)])
    <FulfillmentStatus.PARTIALLY_SHIPPED: 'partially_shipped'>
    """
    items = list(ledgers)
    open_units = sum(item.open for item in items)
    stages: Sequence[tuple[int, FulfillmentStatus, FulfillmentStatus]] = (
        (
            sum(i.returned for i in items),
            FulfillmentStatus.RETURNED,
            FulfillmentStatus.PARTIALLY_RETURNED,
        ),
        (
            sum(i.delivered for i in items),
            FulfillmentStatus.DELIVERED,
            FulfillmentStatus.PARTIALLY_DELIVERED,
        ),
        (
            sum(i.shipped for i in items),
            FulfillmentStatus.SHIPPED,
            FulfillmentStatus.PARTIALLY_SHIPPED,
        ),
        (
            sum(i.allocated for i in items),
            FulfillmentStatus.ALLOCATED,
            FulfillmentStatus.PARTIALLY_ALLOCATED,
        ),
    )
    for reached, complete, partial in stages:
        if reached:
            return complete if reached == open_units else partial
    return FulfillmentStatus.UNFULFILLED


def payment_status_of(payments: Iterable[Payment], total: Money) -> PaymentStatus:
    """The payment status of an order with this grand total and these payments.

    Refunds outrank captures, captures outrank authorizations. An order whose
    total is zero counts as paid: there is nothing to collect.

    >>> from orderkit.money import Money
    >>> t = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)
    >>> pay = [Payment(PaymentKind.CAPTURE, Money.of("4", "EUR"), t)]
    >>> payment_status_of(pay, Money.of("10", "EUR"))
    <PaymentStatus.PARTIALLY_PAID: 'partially_paid'>
    """
    sums = payment_totals(payments, total.currency.code)
    authorized, captured, refunded = sums
    if refunded.amount > 0:
        return PaymentStatus.REFUNDED if refunded == captured else PaymentStatus.PARTIALLY_REFUNDED
    if captured >= total:
        return PaymentStatus.PAID
    if captured.amount > 0:
        return PaymentStatus.PARTIALLY_PAID
    if authorized.amount > 0:
        return PaymentStatus.AUTHORIZED
    return PaymentStatus.UNPAID


def payment_totals(payments: Iterable[Payment], currency: str) -> tuple[Money, Money, Money]:
    """Authorized, captured and refunded sums, in that order."""
    by_kind: dict[PaymentKind, list[Money]] = {kind: [] for kind in PaymentKind}
    for payment in payments:
        if payment.amount.currency.code != currency:
            raise ValidationError(
                f"payment of {payment.amount} is not in the order currency {currency}",
                path="payments",
            )
        by_kind[payment.kind].append(payment.amount)
    return (
        Money.sum(by_kind[PaymentKind.AUTHORIZATION], currency),
        Money.sum(by_kind[PaymentKind.CAPTURE], currency),
        Money.sum(by_kind[PaymentKind.REFUND], currency),
    )
