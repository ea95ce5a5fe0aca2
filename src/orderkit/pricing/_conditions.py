"""Promotion conditions: each says whether a cart qualifies, or why it does not.

Conditions read the request and the merchandise subtotal after manual
adjustments and before any promotion, so whether a promotion qualifies never
depends on which other promotions ran before it.
"""

from __future__ import annotations

import datetime as dt

import attrs

from orderkit.errors import ValidationError
from orderkit.money import Money
from orderkit.pricing._common import (
    in_window,
    matches,
    str_tuple,
    validate_non_negative_money,
    validate_optional_aware,
    validate_optional_limit,
    validate_positive_int,
    validate_window,
)
from orderkit.pricing._request import PricingRequest

__all__ = [
    "Condition",
    "ContainsItems",
    "CouponCode",
    "CustomerGroupIs",
    "FirstOrder",
    "MinimumQuantity",
    "MinimumSubtotal",
    "ValidDuring",
]


@attrs.frozen
class MinimumSubtotal:
    """The merchandise subtotal (before promotions) is at least ``amount``.

    .. versionadded:: 0.1
    """

    amount: Money = attrs.field(validator=validate_non_negative_money)

    def check(self, request: PricingRequest, subtotal: Money) -> str | None:
        """``None`` when met, else the reason."""
        if self.amount.currency != subtotal.currency:
            return f"minimum subtotal is set in {self.amount.currency}, not {subtotal.currency}"
        if subtotal < self.amount:
            return f"subtotal {subtotal} is below the minimum {self.amount}"
        return None


@attrs.frozen
class MinimumQuantity:
    """At least ``quantity`` units of the selected lines (all lines when no selector).

    .. versionadded:: 0.1
    """

    quantity: int = attrs.field(validator=validate_positive_int)
    skus: tuple[str, ...] = attrs.field(default=(), converter=str_tuple)
    categories: tuple[str, ...] = attrs.field(default=(), converter=str_tuple)

    def check(self, request: PricingRequest, subtotal: Money) -> str | None:
        """``None`` when met, else the reason."""
        units = sum(
            line.quantity
            for line in request.lines
            if matches(line.sku, line.categories, self.skus, self.categories)
        )
        if units < self.quantity:
            return f"{units} qualifying units, {self.quantity} needed"
        return None


@attrs.frozen
class ContainsItems:
    """The cart holds one of ``skus`` or an item of one of ``categories``.

    .. versionadded:: 0.1
    """

    skus: tuple[str, ...] = attrs.field(default=(), converter=str_tuple)
    categories: tuple[str, ...] = attrs.field(default=(), converter=str_tuple)

    def __attrs_post_init__(self) -> None:
        if not self.skus and not self.categories:
            raise ValidationError("give at least one sku or category", path="skus")

    def check(self, request: PricingRequest, subtotal: Money) -> str | None:
        """``None`` when met, else the reason."""
        for line in request.lines:
            if matches(line.sku, line.categories, self.skus, self.categories):
                return None
        wanted = ", ".join([*self.skus, *self.categories])
        return f"the cart holds none of {wanted}"


@attrs.frozen
class CustomerGroupIs:
    """The buyer belongs to one of ``groups``.

    .. versionadded:: 0.1
    """

    groups: tuple[str, ...] = attrs.field(converter=str_tuple)

    def check(self, request: PricingRequest, subtotal: Money) -> str | None:
        """``None`` when met, else the reason."""
        if request.customer_group in self.groups:
            return None
        return f"customer group {request.customer_group!r} is not one of {list(self.groups)}"


@attrs.frozen
class CouponCode:
    """The buyer entered ``code`` (case-insensitively) and it has uses left.

    ``usage_limit`` caps the uses of this code across all buyers; the count
    so far comes from ``PricingRequest.coupon_uses[code]`` (keys match in any case).

    .. versionadded:: 0.1
    """

    code: str = attrs.field()
    usage_limit: int | None = attrs.field(default=None, validator=validate_optional_limit)

    @code.validator
    def _check_code(self, attribute: attrs.Attribute[str], value: object) -> None:
        if not isinstance(value, str) or not value.strip():
            raise ValidationError(f"coupon code {value!r} is empty", path="code")

    def check(self, request: PricingRequest, subtotal: Money) -> str | None:
        """``None`` when met, else the reason."""
        if self.code.strip().casefold() not in request.coupon_keys:
            return f"coupon {self.code!r} was not entered"
        key = self.code.strip().casefold()
        used = sum(n for code, n in request.coupon_uses.items() if code.strip().casefold() == key)
        if self.usage_limit is not None and used >= self.usage_limit:
            return f"coupon {self.code!r} used {used} of {self.usage_limit} times"
        return None


@attrs.frozen
class ValidDuring:
    """The pricing moment lies in ``[starts_at, ends_at)`` (aware datetimes).

    .. versionadded:: 0.1
    """

    starts_at: dt.datetime | None = attrs.field(default=None, validator=validate_optional_aware)
    ends_at: dt.datetime | None = attrs.field(default=None, validator=validate_optional_aware)

    def __attrs_post_init__(self) -> None:
        validate_window(self, self.starts_at, self.ends_at)

    def check(self, request: PricingRequest, subtotal: Money) -> str | None:
        """``None`` when met, else the reason."""
        if in_window(request.moment, self.starts_at, self.ends_at):
            return None
        start = self.starts_at.isoformat() if self.starts_at else "always"
        end = self.ends_at.isoformat() if self.ends_at else "open end"
        return f"{request.moment.isoformat()} is outside {start} – {end}"


@attrs.frozen
class FirstOrder:
    """The buyer has never ordered before.

    .. versionadded:: 0.1
    """

    def check(self, request: PricingRequest, subtotal: Money) -> str | None:
        """``None`` when met, else the reason."""
        return None if request.is_first_order else "not the customer's first order"


#: Any promotion condition (a tagged union in the converter).
Condition = (
    MinimumSubtotal
    | MinimumQuantity
    | ContainsItems
    | CustomerGroupIs
    | CouponCode
    | ValidDuring
    | FirstOrder
)
