"""What the pricer prices: lines and the context of one cart or order.

Pricing does not know the ``Order`` aggregate; the service layer maps an
order (or a cart) onto a :class:`PricingRequest`, so quotes, carts and
orders are all priced by the same code.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal

import attrs

from orderkit.errors import InvalidQuantity, ValidationError
from orderkit.ids import LineId, Sku
from orderkit.money import Currency, Money
from orderkit.pricing._common import (
    instance_of,
    items_of,
    percent_field,
    require_aware,
    str_tuple,
    to_currency,
)
from orderkit.pricing._shipping import ShippingRule

__all__ = ["Jurisdiction", "LineAdjustment", "PricingLine", "PricingRequest"]


def _country(value: str) -> str:
    # ISO 3166 codes are upper case; "de" must not silently match no rate.
    given: object = value  # callers may pass anything; the validator refuses it
    return value.strip().upper() if isinstance(given, str) else value


def _region(value: str | None) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ValidationError(f"region {value!r} is not a str", path="region")
    # A blank region means the whole country, as ``None`` does.
    return value.strip() or None


@attrs.frozen
class Jurisdiction:
    """Where tax is due: an ISO 3166 country and an optional region path.

    Regions are paths separated by ``/`` (``"CA"``, ``"CA/Los Angeles"``), so
    a tax rate for a state also applies to every county inside it. The
    country is upper-cased (``"de"`` is ``"DE"``); a blank region is ``None``.

    >>> Jurisdiction("US", "TX/Travis").within(Jurisdiction("US", "TX"))
    True

    .. versionadded:: 0.1
    """

    country: str = attrs.field(converter=_country)
    region: str | None = attrs.field(default=None, converter=_region)

    @country.validator
    def _check_country(self, attribute: attrs.Attribute[str], value: object) -> None:
        if not isinstance(value, str) or not value:
            raise ValidationError(f"country {value!r} is empty", path="country")

    def within(self, other: Jurisdiction) -> bool:
        """Whether this place lies inside ``other`` (same country, region prefix)."""
        if self.country != other.country:
            return False
        if other.region is None:
            return True
        if self.region is None:
            return False
        return self.region == other.region or self.region.startswith(other.region + "/")


@attrs.frozen
class PricingLine:
    """One line to price.

    Attributes:
        line_id: Unique within the request; the breakdown reports per line id.
        sku: The product; used for price-list lookup and promotion targeting.
        quantity: Units, at least one.
        unit_price: A price fixed by the caller (e.g. a negotiated quote), or
            ``None`` to look it up in the pricer's price book.
        categories: Catalogue categories, for promotion targeting.
        tax_category: The tax category whose rates apply (``"standard"``).
        weight: Weight of one unit (any unit, as long as the shipping weight
            table uses the same one).

    .. versionadded:: 0.1
    """

    line_id: LineId = attrs.field(validator=instance_of(str, "line id (str)"))
    sku: Sku = attrs.field(validator=instance_of(str, "sku (str)"))
    quantity: int = attrs.field()
    unit_price: Money | None = attrs.field(default=None)
    categories: tuple[str, ...] = attrs.field(default=(), converter=str_tuple)
    tax_category: str = attrs.field(default="standard", validator=instance_of(str, "str"))
    weight: Decimal = attrs.field(default=Decimal(0))

    @quantity.validator
    def _check_quantity(self, attribute: attrs.Attribute[int], value: object) -> None:
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise InvalidQuantity(
                f"line {self.line_id}: quantity must be a whole number >= 1, got {value!r}",
                path="quantity",
            )

    @unit_price.validator
    def _check_price(self, attribute: attrs.Attribute[Money | None], value: object) -> None:
        if value is not None and (not isinstance(value, Money) or value.is_negative):
            raise ValidationError(
                f"line {self.line_id}: unit price {value!r} is not Money >= 0", path="unit_price"
            )

    @weight.validator
    def _check_weight(self, attribute: attrs.Attribute[Decimal], value: object) -> None:
        if (
            isinstance(value, bool)
            or not isinstance(value, Decimal | int)
            or not Decimal(value).is_finite()  # NaN < 0 raises InvalidOperation
            or value < 0
        ):
            raise ValidationError(
                f"line {self.line_id}: weight {value!r} is not a Decimal >= 0", path="weight"
            )


@attrs.frozen
class LineAdjustment:
    """A manual discount on one line, as a sales desk grants in a B2B quote.

    Exactly one of ``percent`` (of the line amount) or ``amount`` (off the
    whole line, not per unit) is given. Adjustments apply before promotions
    and show in the breakdown like any discount, with their reason.

    .. versionadded:: 0.1
    """

    line_id: LineId
    reason: str
    percent: Decimal | None = None
    amount: Money | None = attrs.field(
        default=None, validator=instance_of(Money, "Money", optional=True)
    )

    def __attrs_post_init__(self) -> None:
        if (self.percent is None) == (self.amount is None):
            raise ValidationError(
                f"adjustment on line {self.line_id}: give exactly one of percent or amount",
                path="percent",
            )
        if self.percent is not None:
            percent_field(self.percent, "percent")
        if self.amount is not None and self.amount.is_negative:
            raise ValidationError(
                f"adjustment on line {self.line_id}: amount {self.amount} is negative",
                path="amount",
            )


def _line_tuple(values: Iterable[PricingLine]) -> tuple[PricingLine, ...]:
    given: object = values
    if given.__class__ is list or given.__class__ is tuple:
        # What items_of makes of a list or tuple of PricingLines, without its ABC checks.
        lines = tuple(values)
        if all(line.__class__ is PricingLine for line in lines):
            return lines
    result: tuple[PricingLine, ...] = items_of(values, PricingLine, "PricingLine", "lines")
    return result


def _adjustment_tuple(values: Iterable[LineAdjustment]) -> tuple[LineAdjustment, ...]:
    given: object = values
    if given.__class__ is tuple and not given:  # the default: no adjustments
        return ()
    result: tuple[LineAdjustment, ...] = items_of(
        values, LineAdjustment, "LineAdjustment", "adjustments"
    )
    return result


def _code_tuple(values: Iterable[str]) -> tuple[str, ...]:
    given: object = values
    if given.__class__ is tuple and not given:  # the default: no codes
        return ()
    return str_tuple(values)


def _counts(value: Mapping[str, int]) -> dict[str, int]:
    given: object = value  # counts come from callers and the wire
    if given.__class__ is not dict and not isinstance(given, Mapping):  # a dict skips the ABC
        raise ValidationError(f"usage counts {value!r} are not a mapping of code to count")
    result = dict(value)
    for key, count in result.items():
        checked: object = count
        if not isinstance(key, str):
            raise ValidationError(f"usage count key {key!r} is not a code (str)")
        if isinstance(checked, bool) or not isinstance(checked, int) or checked < 0:
            raise ValidationError(f"usage count {count!r} for {key!r} is not a whole number >= 0")
    return result


@attrs.frozen
class PricingRequest:
    """A cart or order snapshot plus everything pricing depends on.

    Attributes:
        currency: The currency every amount is in.
        moment: When the price applies (aware datetime): picks price lists and
            promotion windows. The pricer never reads a clock.
        lines: The lines, in display order.
        customer_group: The buyer's group (``"wholesale"``), or ``None``.
        coupon_codes: Codes the buyer entered (matched case-insensitively).
        is_first_order: Whether the buyer has not ordered before.
        destination: Where the goods go (tax and shipping); ``None`` uses
            the tax policy's default jurisdiction.
        shipping: The shipping charge rule of the chosen method, or ``None``.
        adjustments: Manual line adjustments, applied in the given order.
        promotion_uses: Uses so far per promotion code (the caller keeps them).
        coupon_uses: Uses so far per coupon code.
        tax_exempt: A buyer exempt from tax (e.g. reverse charge).

    .. versionadded:: 0.1
    """

    currency: Currency = attrs.field(converter=to_currency)
    moment: dt.datetime = attrs.field()
    lines: tuple[PricingLine, ...] = attrs.field(converter=_line_tuple)
    customer_group: str | None = attrs.field(
        default=None, validator=instance_of(str, "customer group (str)", optional=True)
    )
    coupon_codes: tuple[str, ...] = attrs.field(default=(), converter=_code_tuple)
    is_first_order: bool = False
    destination: Jurisdiction | None = attrs.field(
        default=None, validator=instance_of(Jurisdiction, "Jurisdiction", optional=True)
    )
    shipping: ShippingRule | None = attrs.field(
        default=None, validator=instance_of(ShippingRule, "shipping rule", optional=True)
    )
    adjustments: tuple[LineAdjustment, ...] = attrs.field(default=(), converter=_adjustment_tuple)
    promotion_uses: Mapping[str, int] = attrs.field(factory=dict, converter=_counts, hash=False)
    coupon_uses: Mapping[str, int] = attrs.field(factory=dict, converter=_counts, hash=False)
    tax_exempt: bool = False

    @moment.validator
    def _check_moment(self, attribute: attrs.Attribute[dt.datetime], value: object) -> None:
        require_aware(value, "moment")

    def __attrs_post_init__(self) -> None:
        seen: set[str] = set()
        for index, line in enumerate(self.lines):
            if line.line_id in seen:
                raise ValidationError(
                    f"line id {line.line_id!r} appears twice", path=f"lines[{index}].line_id"
                )
            seen.add(line.line_id)
        for index, adjustment in enumerate(self.adjustments):
            if adjustment.line_id not in seen:
                raise ValidationError(
                    f"adjustment for unknown line {adjustment.line_id!r}",
                    path=f"adjustments[{index}].line_id",
                )

    @property
    def coupon_keys(self) -> frozenset[str]:
        """The entered coupon codes, case-folded for matching."""
        return frozenset(code.strip().casefold() for code in self.coupon_codes)
