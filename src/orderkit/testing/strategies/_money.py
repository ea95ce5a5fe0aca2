"""Strategies for currencies and money: every exponent, large and negative amounts."""

from __future__ import annotations

from decimal import Decimal

from hypothesis import strategies as st

from orderkit.money import Currency, Money

__all__ = ["amounts", "currencies", "money", "positive_money"]


def currencies(*, exponents: tuple[int, ...] | None = None) -> st.SearchStrategy[Currency]:
    """ISO 4217 currencies, optionally only those with the given minor-unit exponents."""
    pool = [c for c in Currency.all() if exponents is None or c.exponent in exponents]
    return st.sampled_from(pool)


def amounts(
    currency: Currency,
    *,
    min_units: int = -(10**15),
    max_units: int = 10**15,
    extra_digits: int = 0,
) -> st.SearchStrategy[Decimal]:
    """Decimal amounts in whole minor units of ``currency`` (plus ``extra_digits`` below it)."""
    scale = currency.exponent + extra_digits
    factor = 10**extra_digits
    return st.integers(min_units * factor, max_units * factor).map(
        lambda n: Decimal(n).scaleb(-scale)
    )


def money(
    currency: Currency | str | None = None,
    *,
    min_units: int = -(10**15),
    max_units: int = 10**15,
    extra_digits: int = 0,
) -> st.SearchStrategy[Money]:
    """Money in ``currency`` (any when omitted), in whole minor units unless ``extra_digits``."""
    chosen = st.just(Currency.of(currency)) if currency is not None else currencies()
    return chosen.flatmap(
        lambda cur: amounts(
            cur, min_units=min_units, max_units=max_units, extra_digits=extra_digits
        ).map(lambda amount: Money(amount, cur))
    )


def positive_money(
    currency: Currency | str | None = None, *, max_units: int = 10**9
) -> st.SearchStrategy[Money]:
    """Money strictly above zero."""
    return money(currency, min_units=1, max_units=max_units)
