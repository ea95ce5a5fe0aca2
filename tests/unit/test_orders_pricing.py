"""The order's price snapshot: it adds up, it matches the order, it round-trips."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderkit.errors import CurrencyMismatch, ValidationError
from orderkit.ids import CustomerId, LineId, OrderId, Sku
from orderkit.money import Money
from orderkit.orders import (
    CustomerRef,
    Order,
    OrderLine,
    PricedLine,
    PricedShipping,
    PricedTax,
    PriceSnapshot,
)
from orderkit.serialization import converter

AT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
CUSTOMER = CustomerRef(CustomerId("c-1"), "ann@example.com")


def eur(cents: int) -> Money:
    return Money.from_minor_units(cents, "EUR")


@st.composite
def _charge(draw: st.DrawFn, inclusive: bool) -> tuple[Money, Money, Money, list[PricedTax]]:
    """(gross, discount, net, taxes) that add up in the given price mode."""
    gross = draw(st.integers(0, 100_000))
    discount = draw(st.integers(0, gross))
    rates = draw(st.lists(st.sampled_from([0, 7, 19, 20]), max_size=2))
    paid = gross - discount
    taxes: list[PricedTax] = []
    if inclusive:
        left = paid
        for rate in rates:
            amount = draw(st.integers(0, left))
            left -= amount
            taxes.append(PricedTax(f"T{rate}", "standard", Decimal(rate), eur(0), eur(amount)))
        net = left
    else:
        net = paid
        for rate in rates:
            amount = net * rate // 100
            taxes.append(PricedTax(f"T{rate}", "standard", Decimal(rate), eur(net), eur(amount)))
    return eur(gross), eur(discount), eur(net), taxes


@st.composite
def snapshots(draw: st.DrawFn) -> PriceSnapshot:
    inclusive = draw(st.booleans())
    count = draw(st.integers(1, 4))
    lines = [PricedLine(LineId(f"L{n + 1}"), *draw(_charge(inclusive))) for n in range(count)]
    shipping = PricedShipping(*draw(_charge(inclusive)))
    total = Money.sum((line.total for line in lines), "EUR") + shipping.total
    codes = draw(st.lists(st.sampled_from(["SPRING", "VIP", "WELCOME"]), unique=True))
    return PriceSnapshot(
        prices_include_tax=inclusive,
        lines=lines,
        shipping=shipping,
        grand_total=total,
        promotion_codes=codes,
        coupon_codes=[code.lower() for code in codes[:1]],
    )


def _order(snapshot: PriceSnapshot) -> Order:
    lines = [
        OrderLine(line.line_id, Sku(f"SKU-{line.line_id}"), 1, line.gross)
        for line in snapshot.lines
    ]
    return Order.place(
        id=OrderId("o-1"), customer=CUSTOMER, currency="EUR", lines=lines, at=AT, pricing=snapshot
    )


@given(snapshots())
def test_an_order_takes_its_total_from_the_snapshot_and_round_trips(
    snapshot: PriceSnapshot,
) -> None:
    order = _order(snapshot)
    assert order.total == snapshot.grand_total
    assert (
        snapshot.tax_total
        == Money.sum((line.tax for line in snapshot.lines), "EUR") + snapshot.shipping.tax
    )
    wire = json.loads(json.dumps(converter.unstructure(order)))
    restored = converter.structure(wire, Order)
    assert restored == order
    assert restored.pricing == snapshot


@given(snapshots(), st.sampled_from([-1, 1]))
def test_a_grand_total_off_by_one_minor_unit_is_refused(
    snapshot: PriceSnapshot, delta: int
) -> None:
    wrong = (
        snapshot.grand_total + eur(delta) if delta > 0 or snapshot.grand_total.amount > 0 else None
    )
    if wrong is None:
        return
    with pytest.raises(ValidationError, match="grand total"):
        attrs.evolve(snapshot, grand_total=wrong)


@given(snapshots())
def test_a_line_net_that_does_not_add_up_is_refused(snapshot: PriceSnapshot) -> None:
    line = snapshot.lines[0]
    broken = attrs.evolve(line, net=line.net + eur(1))
    with pytest.raises(ValidationError, match=f"line {line.line_id}"):
        attrs.evolve(snapshot, lines=(broken, *snapshot.lines[1:]))


def test_the_snapshot_must_price_exactly_the_order_lines() -> None:
    snapshot = PriceSnapshot(
        prices_include_tax=False,
        lines=[PricedLine(LineId("L1"), eur(1000), eur(0), eur(1000))],
        shipping=PricedShipping.free("EUR"),
        grand_total=eur(1000),
    )
    other = OrderLine(LineId("X"), Sku("MUG"), 1, eur(1000))
    with pytest.raises(ValidationError, match="prices lines"):
        Order.place(
            id=OrderId("o-1"),
            customer=CUSTOMER,
            currency="EUR",
            lines=[other],
            at=AT,
            pricing=snapshot,
        )
    line = OrderLine(LineId("L1"), Sku("MUG"), 1, eur(1000))
    with pytest.raises(ValidationError, match="total"):
        Order.place(
            id=OrderId("o-1"),
            customer=CUSTOMER,
            currency="EUR",
            lines=[line],
            at=AT,
            total=eur(999),
            pricing=snapshot,
        )
    with pytest.raises(CurrencyMismatch):
        Order.place(
            id=OrderId("o-1"),
            customer=CUSTOMER,
            currency="USD",
            lines=[OrderLine(LineId("L1"), Sku("MUG"), 1, Money.of("10", "USD"))],
            at=AT,
            pricing=snapshot,
        )


def test_bad_figures_name_the_value() -> None:
    with pytest.raises(ValidationError, match="discount"):
        PricedLine(LineId("L1"), eur(100), eur(200), eur(0))
    with pytest.raises(ValidationError, match="negative"):
        PricedLine(LineId("L1"), eur(100), eur(-1), eur(101))
    with pytest.raises(CurrencyMismatch):
        PricedLine(LineId("L1"), eur(100), Money.of("0", "USD"), eur(100))
    line = PricedLine(LineId("L1"), eur(100), eur(0), eur(100))
    with pytest.raises(ValidationError, match="priced twice"):
        PriceSnapshot(
            prices_include_tax=False,
            lines=[line, line],
            shipping=PricedShipping.free("EUR"),
            grand_total=eur(200),
        )
    with pytest.raises(ValidationError, match="at least one line"):
        PriceSnapshot(
            prices_include_tax=False,
            lines=[],
            shipping=PricedShipping.free("EUR"),
            grand_total=eur(0),
        )
    with pytest.raises(ValidationError, match="tax-inclusive"):
        PriceSnapshot(
            prices_include_tax=True,
            lines=[
                PricedLine(
                    LineId("L1"),
                    eur(1190),
                    eur(0),
                    eur(1000),
                    [PricedTax("VAT", "standard", Decimal(19), eur(1000), eur(189))],
                )
            ],
            shipping=PricedShipping.free("EUR"),
            grand_total=eur(1189),
        )


def test_a_refused_command_keeps_the_snapshot() -> None:
    snapshot = PriceSnapshot(
        prices_include_tax=False,
        lines=[PricedLine(LineId("L1"), eur(1000), eur(0), eur(1000))],
        shipping=PricedShipping.free("EUR"),
        grand_total=eur(1000),
    )
    order = _order(snapshot)
    order.confirm(at=AT)
    assert order.pricing == snapshot
