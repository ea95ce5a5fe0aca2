"""Usage limits and first orders: the service counts uses in the order's unit of work."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from service_shop import ADDRESS, CUSTOMER, MUG, PRICER, Shop, make_shop

from orderkit.errors import ConcurrencyConflict
from orderkit.ids import CustomerId
from orderkit.orders import CustomerRef
from orderkit.ports import NumberSequence, UnitOfWork
from orderkit.pricing import (
    CouponCode,
    FirstOrder,
    PercentOffOrder,
    Pricer,
    PricingRequest,
    Promotion,
)
from orderkit.service import LineRequest, OrderService, StockOnPlace
from orderkit.service._usage import (
    UsageRules,
    claim_uses,
    coupon_key,
    promotion_uses,
    used_coupons,
)
from orderkit.testing.audit import audit_store
from orderkit.testing.strategies import pricing_cases

COUPON = Promotion(
    "SPRING",
    "Spring coupon",
    (PercentOffOrder(Decimal(20)),),
    conditions=(CouponCode("spring10", usage_limit=3),),
)
CAPPED = Promotion("FIRST50", "First fifty buyers", (PercentOffOrder(Decimal(5)),), usage_limit=2)
WELCOME = Promotion(
    "WELCOME", "Welcome", (PercentOffOrder(Decimal(15)),), conditions=(FirstOrder(),)
)


def _pricer(*promotions: Promotion) -> Pricer:
    return Pricer(price_book=PRICER.price_book, promotions=promotions, tax_policy=PRICER.tax_policy)


def _applied(
    shop: Shop,
    service: OrderService,
    customer: CustomerRef = CUSTOMER,
    coupon_codes: tuple[str, ...] = (),
) -> tuple[str, ...]:
    """Place a one-mug order; the promotion codes that applied to it."""
    placed = service.place(
        customer,
        [LineRequest(MUG, 1)],
        currency="EUR",
        shipping_address=ADDRESS,
        coupon_codes=coupon_codes,
    )
    with shop.store.unit_of_work(read_only=True) as uow:
        pricing = uow.orders.get(placed.order_id).pricing
    assert pricing is not None
    return pricing.promotion_codes


def _service(shop: Shop, *promotions: Promotion) -> OrderService:
    return shop.make(pricer=_pricer(*promotions), stock_on_place=StockOnPlace.NONE)


def test_a_usage_limited_coupon_stops_applying_after_its_uses(shop: Shop) -> None:
    service = _service(shop, COUPON)
    used = [_applied(shop, service, coupon_codes=("Spring10",)) for _ in range(4)]
    assert used == [("SPRING",)] * 3 + [()]
    with shop.store.unit_of_work(read_only=True) as uow:
        orders = uow.orders.list_by_customer(CUSTOMER.id)
    assert [o.pricing.coupon_codes for o in orders if o.pricing] == [("spring10",)] * 3 + [()]
    # A coupon that was not entered is neither applied nor counted.
    assert _applied(shop, service) == ()


def test_cancelling_before_shipping_gives_the_use_back(shop: Shop) -> None:
    service = _service(shop, COUPON)
    first = service.place(
        CUSTOMER, [LineRequest(MUG, 1)], currency="EUR", coupon_codes=["SPRING10"]
    ).order_id
    for _ in range(2):
        _applied(shop, service, coupon_codes=("spring10",))
    assert _applied(shop, service, coupon_codes=("spring10",)) == ()
    service.cancel(first)
    assert _applied(shop, service, coupon_codes=("spring10",)) == ("SPRING",)
    assert _applied(shop, service, coupon_codes=("spring10",)) == ()


def test_a_promotion_usage_limit_counts_across_customers(shop: Shop) -> None:
    service = _service(shop, CAPPED)
    buyers = [CustomerRef(CustomerId(f"c-{n}"), f"b{n}@example.com") for n in range(3)]
    assert [_applied(shop, service, buyer) for buyer in buyers] == [("FIRST50",), ("FIRST50",), ()]


def test_a_first_order_promotion_applies_only_to_a_customers_first_order(shop: Shop) -> None:
    service = _service(shop, WELCOME)
    other = CustomerRef(CustomerId("c-2"), "bob@example.com")
    assert _applied(shop, service) == ("WELCOME",)
    assert _applied(shop, service) == ()
    assert _applied(shop, service, other) == ("WELCOME",)


def test_a_cancelled_first_order_does_not_count_as_an_order(shop: Shop) -> None:
    service = _service(shop, WELCOME)
    first = service.place(CUSTOMER, [LineRequest(MUG, 1)], currency="EUR").order_id
    service.cancel(first)
    assert _applied(shop, service) == ("WELCOME",)
    assert _applied(shop, service) == ()


@settings(max_examples=15, deadline=None)
@given(st.lists(st.sampled_from(["place", "cancel"]), max_size=10), st.integers(1, 3))
def test_live_orders_never_use_a_coupon_more_than_its_limit(steps: list[str], limit: int) -> None:
    shop = make_shop()
    promotion = Promotion(
        "SPRING",
        "Spring",
        (PercentOffOrder(Decimal(20)),),
        conditions=(CouponCode("spring10", usage_limit=limit),),
    )
    service = _service(shop, promotion)
    live: list[tuple[str, bool]] = []
    for step in steps:
        if step == "place":
            placed = service.place(
                CUSTOMER, [LineRequest(MUG, 1)], currency="EUR", coupon_codes=["spring10"]
            )
            with shop.store.unit_of_work(read_only=True) as uow:
                pricing = uow.orders.get(placed.order_id).pricing
            assert pricing is not None
            using = bool(pricing.coupon_codes)
            # A use is free exactly when fewer than `limit` live orders hold one.
            assert using == (sum(u for _, u in live) < limit)
            live.append((placed.order_id, using))
        elif live:
            order_id, _ = live.pop(0)
            service.cancel(order_id)  # type: ignore[arg-type]
        assert sum(u for _, u in live) <= limit
    with shop.store.unit_of_work(read_only=True) as uow:
        report = audit_store(uow, [MUG])
    assert report.ok, report.problems


class _StaleCounts(NumberSequence):
    """Reads usage counts as they were before a concurrent placement committed."""

    def __init__(self, inner: NumberSequence) -> None:
        self._inner = inner

    def next(self, series: str, year: int) -> int:
        return self._inner.next(series, year)

    def current(self, series: str, year: int) -> int:
        if series.startswith("orderkit.usage/claimed/"):
            return 0
        return self._inner.current(series, year)


def test_a_use_taken_concurrently_reruns_the_placement_without_the_promotion(shop: Shop) -> None:
    service = _service(shop, CAPPED)
    for _ in range(2):
        _applied(shop, service)
    attempts: list[UnitOfWork] = []

    def factory(**options: bool) -> UnitOfWork:
        uow = shop.store.unit_of_work(**options)
        if not attempts:  # the first attempt reads stale counts
            uow.numbers = _StaleCounts(uow.numbers)
        attempts.append(uow)
        return uow

    stale = OrderService(
        factory,
        clock=shop.clock,
        ids=lambda: f"race-{len(attempts)}",
        pricer=_pricer(CAPPED),
        stock_on_place=StockOnPlace.NONE,
        sleep=shop.sleeps.append,
    )
    placed = stale.place(CUSTOMER, [LineRequest(MUG, 1)], currency="EUR")
    assert len(attempts) == 2
    with shop.store.unit_of_work(read_only=True) as uow:
        pricing = uow.orders.get(placed.order_id).pricing
        assert pricing is not None
        assert pricing.promotion_codes == ()
        assert promotion_uses(uow, UsageRules.of(_pricer(CAPPED))) == {"FIRST50": 2}


def test_claiming_past_the_limit_conflicts_and_the_rollback_keeps_the_count(shop: Shop) -> None:
    service = _service(shop, CAPPED)
    for _ in range(2):
        _applied(shop, service)
    with shop.store.unit_of_work() as uow:
        order = uow.orders.list_by_customer(CUSTOMER.id)[0]
        assert order.pricing is not None
        with pytest.raises(ConcurrencyConflict, match="FIRST50"):
            claim_uses(uow, UsageRules.of(_pricer(CAPPED)), order.pricing, CUSTOMER.id, first=False)
    with shop.store.unit_of_work(read_only=True) as uow:
        assert promotion_uses(uow, UsageRules.of(_pricer(CAPPED))) == {"FIRST50": 2}


@settings(max_examples=60, suppress_health_check=list(HealthCheck), deadline=None)
@given(pricing_cases())
def test_usage_rules_say_what_the_pricers_promotions_say(
    case: tuple[Pricer, PricingRequest],
) -> None:
    """The rules worked out once per service match the promotions, read directly."""
    pricer, request = case
    rules = UsageRules.of(pricer)
    coupons = [
        (p.code, c) for p in pricer.promotions for c in p.conditions if isinstance(c, CouponCode)
    ]
    limits: dict[str, int] = {}
    for _, coupon in coupons:
        if coupon.usage_limit is not None:
            key = coupon_key(coupon.code)
            limits[key] = min(limits.get(key, coupon.usage_limit), coupon.usage_limit)
    assert dict(rules.promotion_limits) == {
        p.code: p.usage_limit for p in pricer.promotions if p.usage_limit is not None
    }
    assert dict(rules.coupon_limits) == limits
    assert rules.first_order == any(
        isinstance(c, FirstOrder) for p in pricer.promotions for c in p.conditions
    )
    breakdown = pricer.price(request)
    applied = {o.code for o in breakdown.promotions if o.applied}
    assert used_coupons(rules, breakdown) == tuple(
        sorted({coupon_key(c.code) for code, c in coupons if code in applied})
    )
