"""Tax policy: rates by jurisdiction and category, inclusive or exclusive prices, rounding.

Rates stack: every rate whose jurisdiction contains the destination and
whose category matches applies, each computed on the same base (a US state
rate and a county rate; never tax on tax). A rate of 0 % is *zero-rated*
(reported with its base); an *exempt* category carries no tax at all.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from decimal import Decimal

import attrs

from orderkit.errors import ValidationError
from orderkit.money import DEFAULT_ROUNDING, Rounding
from orderkit.pricing._common import (
    instance_of,
    items_of,
    parse_rounding,
    str_tuple,
    validate_rate_percent,
)
from orderkit.pricing._request import Jurisdiction

__all__ = ["TaxPolicy", "TaxRate", "TaxRounding"]


class TaxRounding(enum.StrEnum):
    """Where tax is rounded to the minor unit.

    ``PER_LINE`` rounds each line's tax (what a receipt shows line by line);
    ``PER_TOTAL`` adds the exact tax of all lines per rate and rounds once,
    then spreads the rounded total back over the lines with ``allocate``.

    .. versionadded:: 0.1
    """

    PER_LINE = "per_line"
    PER_TOTAL = "per_total"


@attrs.frozen
class TaxRate:
    """One rate: a name for reports, where it applies, the category and percent.

    ``region=None`` applies to the whole country; a region applies to the
    destinations inside it (see :meth:`Jurisdiction.within`).

    .. versionadded:: 0.1
    """

    name: str
    jurisdiction: Jurisdiction = attrs.field(validator=instance_of(Jurisdiction, "Jurisdiction"))
    category: str
    percent: Decimal = attrs.field(validator=validate_rate_percent)

    def applies(self, destination: Jurisdiction, category: str) -> bool:
        """Whether this rate taxes ``category`` at ``destination``."""
        return self.category == category and destination.within(self.jurisdiction)


def _tax_rounding(value: TaxRounding | str) -> TaxRounding:
    try:
        return TaxRounding(value)
    except ValueError:
        raise ValidationError(
            f"unknown tax rounding level {value!r}; use 'per_line' or 'per_total'",
            path="rounding_level",
        ) from None


def _rates(values: Iterable[TaxRate]) -> tuple[TaxRate, ...]:
    checked: tuple[TaxRate, ...] = items_of(values, TaxRate, "TaxRate", "rates")
    return checked


@attrs.frozen
class TaxPolicy:
    """How tax is computed.

    Attributes:
        rates: Every rate, in the order tax totals are reported.
        prices_include_tax: ``True`` when catalogue prices are gross (EU
            retail): the gross stays what the customer saw and net and tax are
            derived. ``False`` when tax is added on top (US, B2B).
        rounding: The rounding mode at every tax rounding point.
        rounding_level: Round per line or per rate total.
        exempt_categories: Categories that carry no tax.
        shipping_category: The tax category of the shipping charge.
        default_jurisdiction: Used when the request has no destination.

    .. versionadded:: 0.1
    """

    rates: tuple[TaxRate, ...] = attrs.field(converter=_rates)
    prices_include_tax: bool
    rounding: Rounding = attrs.field(default=DEFAULT_ROUNDING, converter=parse_rounding)
    rounding_level: TaxRounding = attrs.field(default=TaxRounding.PER_LINE, converter=_tax_rounding)
    exempt_categories: tuple[str, ...] = attrs.field(default=(), converter=str_tuple)
    shipping_category: str = "shipping"
    default_jurisdiction: Jurisdiction | None = attrs.field(
        default=None, validator=instance_of(Jurisdiction, "Jurisdiction", optional=True)
    )

    def __attrs_post_init__(self) -> None:
        names = [rate.name for rate in self.rates]
        if len(set(names)) != len(names):
            raise ValidationError(f"duplicate tax rate names in {sorted(names)}", path="rates")

    def is_exempt(self, category: str) -> bool:
        """Whether ``category`` carries no tax."""
        return category in self.exempt_categories

    def rates_for(self, destination: Jurisdiction | None, category: str) -> tuple[TaxRate, ...]:
        """The rates that apply, in policy order (none for exempt or unknown places)."""
        place = destination if destination is not None else self.default_jurisdiction
        if place is None or category in self.exempt_categories:
            return ()
        return tuple(rate for rate in self.rates if rate.applies(place, category))


#: A policy that charges no tax (prices are what they are).
NO_TAX = TaxPolicy(rates=(), prices_include_tax=False)
