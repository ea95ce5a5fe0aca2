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
from orderkit.testing.strategies import price_snapshots

AT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
CUSTOMER = CustomerRef(CustomerId("c-1"), "ann@example.com")


def eur(cents: int) -> Money:
    return Money.from_minor_units(cents, "EUR")


def _order(snapshot: PriceSnapshot) -> Order:
    lines = [
        OrderLine(line.line_id, Sku(f"SKU-{line.line_id}"), 1, line.gross)
        for line in snapshot.lines
    ]
    return Order.place(
        id=OrderId("o-1"), customer=CUSTOMER, currency="EUR", lines=lines, at=AT, pricing=snapshot
    )


@given(price_snapshots())
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


@given(price_snapshots(), st.sampled_from([-1, 1]))
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


@given(price_snapshots())
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


@given(st.from_type(PriceSnapshot))
def test_the_snapshot_strategy_is_registered_for_from_type(snapshot: PriceSnapshot) -> None:
    assert snapshot.grand_total == (
        Money.sum((line.total for line in snapshot.lines), snapshot.currency)
        + snapshot.shipping.total
    )
