"""Tax categories, the tax a line carries per rate, and the breakdown per rate.

Rates are percentages (``Decimal("19")`` is 19 %), as UBL 2.1's ``cbc:Percent``
and EN 16931's VAT rate are, so an export needs no conversion.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from decimal import Decimal
from typing import Protocol

import attrs

from orderkit.errors import ValidationError
from orderkit.money import Currency, Money

from ._checks import is_decimal, require

__all__ = ["LineTax", "TaxCategory", "TaxSubtotal", "tax_breakdown"]


class TaxCategory(enum.StrEnum):
    """The UNCL 5305 VAT category codes EN 16931 accepts."""

    STANDARD = "S"
    ZERO_RATED = "Z"
    EXEMPT = "E"
    REVERSE_CHARGE = "AE"
    INTRA_COMMUNITY = "K"
    EXPORT = "G"
    NOT_SUBJECT = "O"
    CANARY_ISLANDS = "L"
    CEUTA_MELILLA = "M"


#: Categories whose rate must be 0 % (EN 16931 rules BR-Z-05, BR-E-05, BR-AE-05, ...).
ZERO_RATE_ONLY = frozenset(
    {
        TaxCategory.ZERO_RATED,
        TaxCategory.EXEMPT,
        TaxCategory.REVERSE_CHARGE,
        TaxCategory.INTRA_COMMUNITY,
        TaxCategory.EXPORT,
        TaxCategory.NOT_SUBJECT,
    }
)


def _check_percent(category: TaxCategory, percent: Decimal) -> None:
    if not is_decimal(percent):
        raise ValidationError(f"tax rate {percent!r} is not a finite Decimal", path="percent")
    if percent < 0 or percent > 100:
        raise ValidationError(f"tax rate {percent}% is outside 0..100", path="percent")
    if category in ZERO_RATE_ONLY and percent != 0:
        raise ValidationError(
            f"tax category {category.value} ({category.name}) needs a 0% rate, got {percent}%",
            path="percent",
        )
    if category is TaxCategory.STANDARD and percent == 0:
        raise ValidationError(
            "standard-rated tax (S) needs a rate above 0%; use Z for zero-rated supplies",
            path="percent",
        )


@attrs.frozen
class LineTax:
    """The tax one line carries at one rate, in whole minor units.

    A line usually carries one rate; sales-tax jurisdictions may stack several
    (state and county), so a line holds a tuple of these.

    Attributes:
        category: the UNCL 5305 category code.
        percent: the rate in percent.
        amount: the tax at this rate for the line's quantity.
        exemption_reason: why no tax is charged (EN 16931 BT-120), for E/AE/K/G/O.
    """

    category: TaxCategory
    percent: Decimal
    amount: Money
    exemption_reason: str | None = None

    def __attrs_post_init__(self) -> None:
        require(self.category, TaxCategory, "category")
        require(self.amount, Money, "amount")
        _check_percent(self.category, self.percent)
        if self.amount.is_negative:
            raise ValidationError(f"tax amount {self.amount} is negative", path="amount")
        if self.category in ZERO_RATE_ONLY and not self.amount.is_zero:
            raise ValidationError(
                f"tax category {self.category.value} charges no tax, got {self.amount}",
                path="amount",
            )

    @property
    def key(self) -> tuple[TaxCategory, Decimal]:
        """The (category, rate) pair the breakdown groups by."""
        return (self.category, self.percent)


@attrs.frozen
class TaxSubtotal:
    """One row of a document's tax breakdown: a rate, its taxable base and its tax."""

    category: TaxCategory
    percent: Decimal
    taxable_base: Money
    tax: Money
    exemption_reason: str | None = None


class _Taxed(Protocol):
    """What :func:`tax_breakdown` needs from a line."""

    @property
    def net(self) -> Money: ...

    @property
    def taxes(self) -> tuple[LineTax, ...]: ...


def tax_breakdown(lines: Iterable[_Taxed], currency: Currency) -> tuple[TaxSubtotal, ...]:
    """Group the lines' taxes by (category, rate), ordered by category code then rate.

    The taxable base of a rate is the sum of the net amounts of the lines that
    carry it; the tax is the sum of the lines' tax at that rate, so the
    breakdown of several documents adds up to the breakdown of their union.
    """
    bases: dict[tuple[TaxCategory, Decimal], Money] = {}
    taxes: dict[tuple[TaxCategory, Decimal], Money] = {}
    reasons: dict[tuple[TaxCategory, Decimal], str | None] = {}
    zero = Money.zero(currency)
    for line in lines:
        for tax in line.taxes:
            bases[tax.key] = bases.get(tax.key, zero) + line.net
            taxes[tax.key] = taxes.get(tax.key, zero) + tax.amount
            reasons.setdefault(tax.key, tax.exemption_reason)
    return tuple(
        TaxSubtotal(key[0], key[1], bases[key], taxes[key], reasons[key])
        for key in sorted(bases, key=lambda k: (k[0].value, k[1]))
    )
