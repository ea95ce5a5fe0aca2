"""Strategies for an order's price snapshot: figures that add up in either price mode."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

from orderkit.ids import LineId
from orderkit.money import Currency, Money
from orderkit.orders import PricedLine, PricedShipping, PricedTax, PriceSnapshot

__all__ = ["price_snapshots", "priced_lines", "priced_shippings", "priced_taxes"]

_Charge = tuple[Money, Money, Money, list[PricedTax]]


@st.composite
def _charges(draw: st.DrawFn, currency: Currency, inclusive: bool) -> _Charge:
    """(gross, discount, net, taxes) that add up in the given price mode."""

    def money(units: int) -> Money:
        return Money.from_minor_units(units, currency)

    gross = draw(st.integers(0, 100_000))
    discount = draw(st.integers(0, gross))
    rates = draw(st.lists(st.sampled_from([0, 7, 19, 20]), max_size=2, unique=True))
    paid = gross - discount
    taxes: list[PricedTax] = []
    if inclusive:
        left = paid
        for rate in rates:
            amount = draw(st.integers(0, left))
            left -= amount
            taxes.append(
                PricedTax(f"T{rate}", "standard", Decimal(rate), money(left), money(amount))
            )
        net = left
    else:
        net = paid
        taxes.extend(
            PricedTax(f"T{rate}", "standard", Decimal(rate), money(net), money(net * rate // 100))
            for rate in rates
        )
    return money(gross), money(discount), money(net), taxes


@st.composite
def price_snapshots(
    draw: st.DrawFn, currency: Currency | str = "EUR", *, max_lines: int = 4
) -> PriceSnapshot:
    """Snapshots of one to ``max_lines`` lines ``L1``, ``L2``, ... whose figures add up.

    Tax-inclusive and tax-exclusive; optional shipping, promotion and coupon codes.
    """
    cur = Currency.of(currency)
    inclusive = draw(st.booleans())
    count = draw(st.integers(1, max_lines))
    lines = [PricedLine(LineId(f"L{n + 1}"), *draw(_charges(cur, inclusive))) for n in range(count)]
    shipping = draw(
        st.one_of(
            st.just(PricedShipping.free(cur)),
            _charges(cur, inclusive).map(lambda c: PricedShipping(*c)),
        )
    )
    total = Money.sum((line.total for line in lines), cur) + shipping.total
    codes = draw(st.lists(st.sampled_from(["SPRING", "VIP", "WELCOME"]), unique=True))
    return PriceSnapshot(
        prices_include_tax=inclusive,
        lines=lines,
        shipping=shipping,
        grand_total=total,
        promotion_codes=codes,
        coupon_codes=[code.lower() for code in codes[:1]],
        first_order=draw(st.booleans()),
    )


def priced_lines(currency: Currency | str = "EUR") -> st.SearchStrategy[PricedLine]:
    """Lines of drawn snapshots, so their figures add up like a real snapshot's."""
    return price_snapshots(currency).flatmap(lambda snapshot: st.sampled_from(snapshot.lines))


def priced_shippings(currency: Currency | str = "EUR") -> st.SearchStrategy[PricedShipping]:
    """Shipping charges of drawn snapshots, free ones included."""
    return price_snapshots(currency).map(lambda snapshot: snapshot.shipping)


def _taxes(snapshot: PriceSnapshot) -> list[PricedTax]:
    found = [tax for line in snapshot.lines for tax in line.taxes]
    return found + list(snapshot.shipping.taxes)


def priced_taxes(currency: Currency | str = "EUR") -> st.SearchStrategy[PricedTax]:
    """Per-rate taxes of drawn snapshots' lines and shipping."""
    return price_snapshots(currency).map(_taxes).filter(bool).flatmap(st.sampled_from)
