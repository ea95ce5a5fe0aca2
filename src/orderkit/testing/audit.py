"""Cross-checks of a store: do stock, orders and outbox tell the same story?

:func:`audit_store` is the ledger check the service's stateful and
concurrency tests run after every step. It counts allocations from the orders
themselves (their line ledgers), not only from the stock records, because a
lost update can leave stock looking healthy (never negative, even exactly
zero) while two orders hold the same units.

Checks, per sku (and location where the stock knows it):

- the units the orders hold (allocated, not shipped) equal the stock's
  allocated figure, order by order and in total;
- no location has more allocated than on hand;
- with ``initial_on_hand`` (and no receipts since), the units the orders
  were ever allocated never exceed what there was;
- every order has exactly one ``OrderPlaced`` in the outbox, and every
  ``OrderPlaced`` belongs to a stored order;
- with ``check_usage``, every promotion and coupon code recorded in an
  order's price snapshot was claimed once per order that recorded it and
  released once per such order that was cancelled (and likewise each
  customer's first-order claim), so usage limits count live orders only.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Iterable, Mapping

import attrs

from orderkit.ids import LocationId, OrderId, Sku
from orderkit.orders import Order
from orderkit.ports import UnitOfWork
from orderkit.service._usage import uses

__all__ = ["AuditReport", "audit_store"]

_EVER = (
    dt.datetime(1970, 1, 1, tzinfo=dt.UTC),
    dt.datetime(9999, 1, 1, tzinfo=dt.UTC),
)


@attrs.frozen
class AuditReport:
    """What an audit found: the problems (empty when consistent) and the figures it counted.

    Attributes:
        problems: one sentence per disagreement.
        orders: orders stored.
        held: per sku, units the orders hold (allocated, not shipped).
        ever_allocated: per sku, units the orders were ever allocated (shipped included).
    """

    problems: tuple[str, ...]
    orders: int
    held: Mapping[Sku, int]
    ever_allocated: Mapping[Sku, int]

    @property
    def ok(self) -> bool:
        """Whether nothing disagreed."""
        return not self.problems


def _order_figures(orders: list[Order]) -> tuple[dict[tuple[OrderId, Sku], int], dict[Sku, int]]:
    held: dict[tuple[OrderId, Sku], int] = {}
    ever: dict[Sku, int] = {}
    for order in orders:
        for line in order.lines:
            key = (order.id, line.sku)
            held[key] = held.get(key, 0) + line.ledger.allocated_unshipped
            ever[line.sku] = ever.get(line.sku, 0) + line.ledger.allocated
    return held, ever


def audit_store(
    uow: UnitOfWork,
    skus: Iterable[Sku],
    *,
    initial_on_hand: Mapping[Sku, int] | None = None,
    check_outbox: bool = True,
    check_usage: bool = True,
    cancelled_state: str = "cancelled",
) -> AuditReport:
    """Audit the store through an open unit of work (see the module docstring).

    Args:
        uow: an open unit of work (the audit only reads).
        skus: the skus to check (the stock port cannot list them).
        initial_on_hand: units of each sku on hand before any order, if
            nothing was received since: the most that can ever be allocated.
        check_outbox: also check one ``OrderPlaced`` per order, unique message ids and
            strictly increasing positions (of the pending messages).
        check_usage: also check the usage counters against the orders' snapshots.
        cancelled_state: the lifecycle state of a cancelled order.
    """
    problems: list[str] = []
    orders = list(uow.orders.placed_between(*_EVER))
    known = {order.id for order in orders}
    held, ever = _order_figures(orders)
    wanted = sorted(set(skus))
    stocks = uow.stock.get_many(wanted)
    total_held: dict[Sku, int] = {}
    for (_, sku), units in held.items():
        total_held[sku] = total_held.get(sku, 0) + units
    for sku in wanted:
        stock = stocks.get(sku)
        if stock is None:
            if total_held.get(sku, 0):
                problems.append(f"sku {sku}: orders hold {total_held[sku]} units, no stock record")
            continue
        if stock.allocated() != total_held.get(sku, 0):
            problems.append(
                f"sku {sku}: orders hold {total_held.get(sku, 0)} units, "
                f"stock says {stock.allocated()} allocated"
            )
        for order_id in stock.orders:
            at_stock = sum(stock.allocations_of(order_id).values())
            at_order = held.get((OrderId(order_id), sku), 0)
            if order_id not in known:
                problems.append(
                    f"sku {sku}: {at_stock} units allocated to unknown order {order_id}"
                )
            elif at_stock != at_order:
                problems.append(
                    f"sku {sku}: order {order_id} holds {at_order} units, stock gives it {at_stock}"
                )
        for (order_id, held_sku), units in held.items():
            if held_sku == sku and units and order_id not in stock.orders:
                problems.append(
                    f"sku {sku}: order {order_id} holds {units} units the stock does not know"
                )
        for location in stock.locations:
            _location_check(
                problems, sku, location, stock.allocated(location), stock.on_hand(location)
            )
        limit = None if initial_on_hand is None else initial_on_hand.get(sku)
        if limit is not None and ever.get(sku, 0) > limit:
            problems.append(
                f"sku {sku}: orders were allocated {ever.get(sku, 0)} units, "
                f"only {limit} existed (oversold)"
            )
    if check_outbox:
        placed: dict[str, int] = {}
        messages = uow.outbox.pending()
        ids = [message.message_id for message in messages]
        if len(set(ids)) != len(ids):
            problems.append(f"outbox: {len(ids) - len(set(ids))} duplicate message ids")
        positions = [message.position for message in messages]
        if any(later <= earlier for earlier, later in itertools.pairwise(positions)):
            problems.append("outbox: pending messages are not in strictly increasing position")
        for message in messages:
            if message.event_type == "OrderPlaced":
                placed[message.aggregate_key] = placed.get(message.aggregate_key, 0) + 1
        problems.extend(
            f"order {order_id}: {placed.get(order_id, 0)} OrderPlaced events in the outbox"
            for order_id in sorted(known)
            if placed.get(order_id, 0) != 1
        )
        problems.extend(
            f"OrderPlaced in the outbox for unknown order {key}"
            for key in sorted(set(placed) - set(known))
        )
    if check_usage:
        _usage_check(problems, uow, orders, cancelled_state)
    return AuditReport(tuple(problems), len(orders), dict(total_held), dict(ever))


def _usage_check(
    problems: list[str], uow: UnitOfWork, orders: list[Order], cancelled_state: str
) -> None:
    expected: dict[tuple[str, str], tuple[int, int]] = {}
    for order in orders:
        pricing = order.pricing
        if pricing is None:
            continue
        cancelled = int(order.status.value == cancelled_state)
        subjects = [("promotion", code) for code in set(pricing.promotion_codes)]
        subjects += [("coupon", code) for code in set(pricing.coupon_codes)]
        if pricing.first_order:
            subjects.append(("first-order", str(order.customer.id)))
        for subject in subjects:
            claimed, released = expected.get(subject, (0, 0))
            expected[subject] = (claimed + 1, released + cancelled)
    for (kind, code), want in sorted(expected.items()):
        found = uses(uow, kind, code)
        if found != want:
            problems.append(f"{kind} {code}: claimed/released {found}, the orders say {want}")


def _location_check(
    problems: list[str], sku: Sku, location: LocationId, allocated: int, on_hand: int
) -> None:
    if allocated > on_hand:
        problems.append(f"sku {sku} at {location}: {allocated} allocated > {on_hand} on hand")
