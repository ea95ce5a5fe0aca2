"""Placement pricing: the order keeps a typed price snapshot and invoices bill from it."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import attrs
import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from service_shop import ADDRESS, CUSTOMER, MUG, PRICER, TEE, Shop

from orderkit.errors import ValidationError
from orderkit.ids import CustomerId, OrderId, Sku
from orderkit.money import Money
from orderkit.orders import CustomerRef, Order, OrderLine, PriceSnapshot
from orderkit.pricing import PriceBreakdown, Pricer, PricingRequest
from orderkit.service import LineRequest
from orderkit.service._pricing import invoiceable_lines, price_snapshot
from orderkit.testing.strategies import pricing_cases


def _order(shop: Shop, order_id: OrderId) -> Order:
    with shop.store.unit_of_work(read_only=True) as uow:
        return uow.orders.get(order_id)


def test_place_stores_a_typed_snapshot_and_leaves_line_attributes_to_the_host(shop: Shop) -> None:
    placed = shop.make().place(
        CUSTOMER,
        [LineRequest(MUG, 2, description="Mug"), LineRequest(TEE, 1)],
        currency="EUR",
        shipping_address=ADDRESS,
    )
    order = _order(shop, placed.order_id)
    snapshot = order.pricing
    assert isinstance(snapshot, PriceSnapshot)
    assert snapshot.grand_total == order.total == Money.of("46.66", "EUR")
    assert snapshot.promotion_codes == ("TENOFF",)
    assert snapshot.shipping.gross == Money.of("4.90", "EUR")
    mug = snapshot.line("L1")
    assert (mug.gross, mug.discount, mug.net) == (
        Money.of("19.00", "EUR"),
        Money.of("1.90", "EUR"),
        Money.of("17.10", "EUR"),
    )
    assert [(t.percent, t.amount) for t in mug.taxes] == [(Decimal(19), Money.of("3.25", "EUR"))]
    assert all(
        not key.startswith("orderkit.priced") for line in order.lines for key in line.attributes
    )
    assert dict(order.lines[1].attributes) == {}


@settings(max_examples=60, suppress_health_check=list(HealthCheck), deadline=None)
@given(pricing_cases())
def test_every_breakdown_maps_onto_a_snapshot_that_invoices_to_the_cent(
    case: tuple[Pricer, PricingRequest],
) -> None:
    pricer, request = case
    assume(request.lines)
    breakdown = pricer.price(request)
    snapshot = price_snapshot(breakdown)
    assert snapshot.grand_total == breakdown.grand_total
    assert snapshot.tax_total == breakdown.tax_total
    order = Order.place(
        id=OrderId("o-1"),
        customer=CustomerRef(CustomerId("c"), "c@example.com"),
        currency=breakdown.currency,
        lines=[
            OrderLine(line.line_id, Sku(line.sku), line.quantity, line.unit_price)
            for line in breakdown.lines
        ],
        at=dt.datetime(2026, 3, 2, tzinfo=dt.UTC),
        pricing=snapshot,
    )
    lines = invoiceable_lines(order)
    net = Money.sum((line.net for line in lines), breakdown.currency)
    tax = Money.sum((t.amount for line in lines for t in line.taxes), breakdown.currency)
    assert net + tax == breakdown.grand_total


@settings(max_examples=80, suppress_health_check=list(HealthCheck), deadline=None)
@given(
    pricing_cases(),
    st.lists(st.sampled_from(["spring", "vip", "welcome"]), max_size=2, unique=True),
    st.booleans(),
)
def test_a_trusted_snapshot_equals_the_checked_one(
    case: tuple[Pricer, PricingRequest], coupons: list[str], first: bool
) -> None:
    """``checked=False`` (the shipped pricer's breakdowns) builds exactly the checked snapshot."""
    pricer, request = case
    assume(request.lines)
    breakdown = pricer.price(request)
    checked = price_snapshot(breakdown, coupon_codes=coupons, first_order=first)
    trusted = price_snapshot(breakdown, coupon_codes=coupons, first_order=first, checked=False)
    assert trusted == checked
    assert repr(trusted) == repr(checked)
    assert hash(trusted) == hash(checked)


class _OffByACent(Pricer):
    """A pricer subclass whose grand total does not add up."""

    def price(self, request: PricingRequest) -> PriceBreakdown:
        breakdown = super().price(request)
        return attrs.evolve(breakdown, grand_total=breakdown.grand_total + Money.of("0.01", "EUR"))


def test_a_pricer_subclass_gets_its_figures_checked(shop: Shop) -> None:
    pricer = _OffByACent(
        price_book=PRICER.price_book, promotions=PRICER.promotions, tax_policy=PRICER.tax_policy
    )
    with pytest.raises(ValidationError, match="grand total"):
        shop.make(pricer=pricer).place(
            CUSTOMER, [LineRequest(MUG, 1)], currency="EUR", shipping_address=ADDRESS
        )
