"""A typed usage file: mypy --strict checks it; nothing imports or runs it.

It pins the public signatures a host relies on, so a change that would break
a typed caller shows up as a mypy error here first.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from orderkit import Currency, Money, OrderkitError, Rounding, ValidationError, allocate
from orderkit.serialization import converter


def split_bill(total: Money, people: int) -> list[Money]:
    return allocate(total.round(Rounding.HALF_UP), [1] * people)


def line_total(unit_price: Money, quantity: int, tax_rate: Decimal) -> Money:
    net: Money = unit_price * quantity
    return (net + net * tax_rate).round()


def decode(payload: object) -> Money | None:
    try:
        value: Money = converter.structure(payload, Money)
    except ValidationError as exc:
        errors: dict[str, str] = exc.errors
        print(sorted(errors))
        return None
    return value


def encode(at: dt.datetime, amount: Money) -> dict[str, object]:
    return {"at": converter.unstructure(at), "amount": converter.unstructure(amount)}


def minor(amount: Money) -> tuple[int, int]:
    units: int = amount.minor_units
    exponent: int = amount.currency.exponent
    return units, exponent


def total_of(items: list[Money], currency: Currency) -> Money:
    try:
        return Money.sum(items, currency)
    except OrderkitError:
        return Money.zero(currency)


eur: Currency = Currency.of("EUR")
parts: list[Money] = split_bill(Money.of("100", eur), 3)
flag: bool = Money.of("1", "EUR") < Money.of("2", "EUR")
