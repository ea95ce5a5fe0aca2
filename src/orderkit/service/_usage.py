"""Promotion, coupon and first-order usage: counted in the order's own unit of work.

The pricer never stores state: the service supplies how often each
promotion and coupon was used, and whether this is the customer's first
order, and records the uses of a placed order in the same transaction.

Counts live in the unit of work's gapless counters (``uow.numbers``), so
every adapter has them with no schema of its own: a promotion's uses are
``claimed - released``, two counters that only ever go up (a counter is
an atomic increment, locked by the store until commit). ``place`` claims a
use of every promotion that applied and every coupon it used, reading the
new count back; a count past the limit means a concurrent placement took
the last use, and the command reruns on fresh state (``ConcurrencyConflict``),
where the promotion no longer applies. Cancelling an order releases its
uses, as a voucher's usage drops when its order is cancelled. A customer's
first order is one with no earlier uncancelled order; the order priced as
first claims the customer's single first-order use, so two concurrent
"first" orders cannot both get a first-order promotion.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

import attrs

from orderkit.errors import ConcurrencyConflict
from orderkit.ids import CustomerId
from orderkit.orders import Lifecycle, Order, PriceSnapshot
from orderkit.ports import UnitOfWork
from orderkit.pricing import CouponCode, FirstOrder, PriceBreakdown, Pricer

__all__ = [
    "USAGE_YEAR",
    "UsageRules",
    "claim_uses",
    "coupon_key",
    "coupon_uses",
    "is_first_order",
    "promotion_uses",
    "release_uses",
    "used_coupons",
    "uses",
]

#: The counters' year slot (usage counts do not restart each year).
USAGE_YEAR = 1
_CLAIMED = "orderkit.usage/claimed/"
_RELEASED = "orderkit.usage/released/"


def coupon_key(code: str) -> str:
    """How coupon codes are matched and counted: trimmed and case-folded."""
    return code.strip().casefold()


def _subject(kind: str, code: str) -> str:
    return f"{kind}/{code}"


def _count(uow: UnitOfWork, subject: str) -> int:
    return uow.numbers.current(_CLAIMED + subject, USAGE_YEAR) - uow.numbers.current(
        _RELEASED + subject, USAGE_YEAR
    )


def uses(uow: UnitOfWork, kind: str, code: str) -> tuple[int, int]:
    """(claimed, released) uses of a ``"promotion"``, ``"coupon"`` or ``"first-order"`` code."""
    subject = _subject(kind, code)
    return (
        uow.numbers.current(_CLAIMED + subject, USAGE_YEAR),
        uow.numbers.current(_RELEASED + subject, USAGE_YEAR),
    )


def _claim(uow: UnitOfWork, subject: str) -> int:
    claimed = uow.numbers.next(_CLAIMED + subject, USAGE_YEAR)
    return claimed - uow.numbers.current(_RELEASED + subject, USAGE_YEAR)


def _coupons(pricer: Pricer) -> Iterable[tuple[str, CouponCode]]:
    for promotion in pricer.promotions:
        for condition in promotion.conditions:
            if isinstance(condition, CouponCode):
                yield promotion.code, condition


@attrs.frozen
class UsageRules:
    """What usage counting needs from a pricer's promotions, worked out once per service.

    Attributes:
        promotion_limits: usage limit of each limited promotion, by code.
        coupon_limits: the lowest usage limit of each limited coupon, by case-folded code.
        coupons: the case-folded coupon codes each promotion requires, by promotion code.
        first_order: whether any promotion depends on the customer's first order.
    """

    promotion_limits: Mapping[str, int]
    coupon_limits: Mapping[str, int]
    coupons: Mapping[str, frozenset[str]]
    first_order: bool

    @classmethod
    def of(cls, pricer: Pricer) -> UsageRules:
        """The rules of ``pricer``'s promotions."""
        promotions = {p.code: p.usage_limit for p in pricer.promotions if p.usage_limit is not None}
        coupon_limits: dict[str, int] = {}
        coupons: dict[str, frozenset[str]] = {}
        for code, coupon in _coupons(pricer):
            key = coupon_key(coupon.code)
            coupons[code] = coupons.get(code, frozenset()) | {key}
            if coupon.usage_limit is not None:
                limit = min(coupon_limits.get(key, coupon.usage_limit), coupon.usage_limit)
                coupon_limits[key] = limit
        first = any(
            isinstance(condition, FirstOrder)
            for promotion in pricer.promotions
            for condition in promotion.conditions
        )
        return cls(promotions, coupon_limits, coupons, first)


def promotion_uses(uow: UnitOfWork, rules: UsageRules) -> dict[str, int]:
    """Uses so far of every promotion that has a usage limit."""
    return {code: _count(uow, _subject("promotion", code)) for code in rules.promotion_limits}


def coupon_uses(uow: UnitOfWork, rules: UsageRules, entered: Iterable[str]) -> dict[str, int]:
    """Uses so far of every usage-limited coupon the buyer entered (keys case-folded)."""
    limited = {coupon_key(code) for code in entered} & rules.coupon_limits.keys()
    return {key: _count(uow, _subject("coupon", key)) for key in sorted(limited)}


def used_coupons(rules: UsageRules, breakdown: PriceBreakdown) -> tuple[str, ...]:
    """The coupons (case-folded, sorted) that a promotion which applied required."""
    used: set[str] = set()
    for outcome in breakdown.promotions:
        if outcome.applied:
            used.update(rules.coupons.get(outcome.code, ()))
    return tuple(sorted(used))


def _cancelled_state(lifecycle: Lifecycle) -> str | None:
    cancel = lifecycle.transition("cancel")
    return None if cancel is None else cancel.target


def is_first_order(uow: UnitOfWork, customer: CustomerId, lifecycle: Lifecycle) -> bool:
    """Whether the customer has no stored order that was not cancelled."""
    cancelled = _cancelled_state(lifecycle)
    return all(order.status.value == cancelled for order in uow.orders.list_by_customer(customer))


def claim_uses(
    uow: UnitOfWork,
    rules: UsageRules,
    snapshot: PriceSnapshot,
    customer: CustomerId,
    *,
    first: bool,
) -> None:
    """Count the uses of a placed order: its promotions, its coupons, its first-order claim.

    Raises:
        ConcurrencyConflict: a concurrent placement took the last use (rerun the command).
    """
    promotion_limits, coupon_limits = rules.promotion_limits, rules.coupon_limits
    for code in sorted(set(snapshot.promotion_codes)):
        count = _claim(uow, _subject("promotion", code))
        limit = promotion_limits.get(code)
        if limit is not None and count > limit:
            raise ConcurrencyConflict("promotion", code, detail=f"{count} uses of {limit}")
    for key in sorted(set(snapshot.coupon_codes)):
        count = _claim(uow, _subject("coupon", key))
        limit = coupon_limits.get(key)
        if limit is not None and count > limit:
            raise ConcurrencyConflict("coupon", key, detail=f"{count} uses of {limit}")
    if first:
        count = _claim(uow, _subject("first-order", customer))
        if count > 1:
            raise ConcurrencyConflict("customer", customer, detail="two first orders")


def release_uses(uow: UnitOfWork, order: Order) -> None:
    """Give back the uses a cancelled order claimed."""
    snapshot = order.pricing
    if snapshot is None:
        return
    subjects = [_subject("promotion", code) for code in sorted(set(snapshot.promotion_codes))]
    subjects += [_subject("coupon", key) for key in sorted(set(snapshot.coupon_codes))]
    if snapshot.first_order:
        subjects.append(_subject("first-order", order.customer.id))
    for subject in subjects:
        uow.numbers.next(_RELEASED + subject, USAGE_YEAR)
