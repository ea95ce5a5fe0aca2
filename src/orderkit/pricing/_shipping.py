"""Shipping charge rules: flat, weight table, free above a threshold, a carrier quote.

A rule turns the merchandise subtotal (after discounts) and the total weight
into a charge. Rules are plain frozen values, so a host can store them with
its shipping methods and serialise them with the converter.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import attrs

from orderkit.errors import ValidationError
from orderkit.money import Money
from orderkit.pricing._common import items_of, validate_non_negative_money

__all__ = [
    "CarrierRate",
    "FlatRate",
    "FreeAbove",
    "ShippingRule",
    "WeightBracket",
    "WeightTable",
]


@attrs.frozen
class FlatRate:
    """The same charge for every order.

    .. versionadded:: 0.1
    """

    amount: Money = attrs.field(validator=validate_non_negative_money)

    def charge(self, subtotal: Money, weight: Decimal) -> Money:
        """The charge: always ``amount``."""
        return self.amount


@attrs.frozen
class WeightBracket:
    """Orders weighing up to and including ``up_to`` cost ``amount``.

    .. versionadded:: 0.1
    """

    up_to: Decimal = attrs.field()
    amount: Money = attrs.field(validator=validate_non_negative_money)

    @up_to.validator
    def _check(self, attribute: attrs.Attribute[Decimal], value: object) -> None:
        if (
            isinstance(value, bool)
            or not isinstance(value, Decimal | int)
            or not Decimal(value).is_finite()  # NaN < 0 raises InvalidOperation
            or value < 0
        ):
            raise ValidationError(f"weight limit {value!r} is not a Decimal >= 0", path="up_to")


def _sorted_brackets(brackets: Iterable[WeightBracket]) -> tuple[WeightBracket, ...]:
    checked: tuple[WeightBracket, ...] = items_of(
        brackets, WeightBracket, "WeightBracket", "brackets"
    )
    return tuple(sorted(checked, key=lambda b: b.up_to))


def _optional_amount(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None:
        validate_non_negative_money(instance, attribute, value)


def _rule(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, ShippingRule):
        raise ValidationError(f"{value!r} is not a shipping rule", path=attribute.name)


@attrs.frozen
class WeightTable:
    """A charge by total weight: the first bracket whose limit the weight does not exceed.

    Heavier orders cost ``above`` when given; otherwise they cannot ship by
    this method and pricing raises :class:`~orderkit.errors.ValidationError`.

    .. versionadded:: 0.1
    """

    brackets: tuple[WeightBracket, ...] = attrs.field(converter=_sorted_brackets)
    above: Money | None = attrs.field(default=None, validator=_optional_amount)

    def __attrs_post_init__(self) -> None:
        if not self.brackets:
            raise ValidationError("a weight table needs at least one bracket", path="brackets")
        limits = [b.up_to for b in self.brackets]
        if len(set(limits)) != len(limits):
            raise ValidationError(f"duplicate weight limits in {limits}", path="brackets")
        currencies = {b.amount.currency for b in self.brackets}
        if self.above is not None:
            currencies.add(self.above.currency)
        if len(currencies) != 1:
            raise ValidationError("weight table amounts mix currencies", path="brackets")

    def charge(self, subtotal: Money, weight: Decimal) -> Money:
        """The charge of the lightest bracket that holds ``weight``."""
        for bracket in self.brackets:
            if weight <= bracket.up_to:
                return bracket.amount
        if self.above is None:
            raise ValidationError(
                f"weight {weight} exceeds the heaviest bracket {self.brackets[-1].up_to}",
                path="shipping",
            )
        return self.above


@attrs.frozen
class CarrierRate:
    """A rate quoted by a carrier (through the host's ``CarrierPort``), charged as is.

    .. versionadded:: 0.1
    """

    amount: Money = attrs.field(validator=validate_non_negative_money)

    def charge(self, subtotal: Money, weight: Decimal) -> Money:
        """The quoted amount."""
        return self.amount


@attrs.frozen
class FreeAbove:
    """Free when the merchandise subtotal after discounts reaches ``threshold``.

    Below the threshold the ``otherwise`` rule charges.

    .. versionadded:: 0.1
    """

    threshold: Money = attrs.field(validator=validate_non_negative_money)
    otherwise: ShippingRule = attrs.field(validator=_rule)

    def charge(self, subtotal: Money, weight: Decimal) -> Money:
        """Zero from the threshold on, else the ``otherwise`` charge."""
        if subtotal >= self.threshold:
            return Money.zero(subtotal.currency)
        return self.otherwise.charge(subtotal, weight)


#: Any shipping charge rule (a tagged union in the converter).
ShippingRule = FlatRate | WeightTable | CarrierRate | FreeAbove
