"""Promotion actions: what a qualifying promotion takes off.

Line actions discount selected lines; order actions take an amount off the
order that the pricer spreads over the lines with :func:`~orderkit.money.allocate`;
:class:`FreeShipping` waives the shipping charge. Every action works on what
is left of each line after earlier discounts and never takes a line below zero.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

import attrs

from orderkit.errors import ValidationError
from orderkit.ids import LineId
from orderkit.money import Currency, Money
from orderkit.pricing._common import (
    HUNDRED,
    ZERO,
    items_of,
    matches,
    str_tuple,
    validate_non_negative_money,
    validate_percent,
    validate_positive_int,
)

__all__ = [
    "Action",
    "BuyXGetY",
    "CartState",
    "FixedOffLines",
    "FixedOffOrder",
    "FixedPriceLines",
    "FreeShipping",
    "PercentOffLines",
    "PercentOffOrder",
    "SubtotalTier",
    "TieredPercentOffOrder",
]


@attrs.define
class CartState:
    """The pricer's working view of a cart while promotions apply (internal).

    ``remaining`` holds what is left of each line, in whole minor units.
    """

    currency: Currency
    line_ids: list[LineId]
    rounding: str
    skus: list[str]
    categories: list[tuple[str, ...]]
    quantities: list[int]
    unit_prices: list[Decimal]
    remaining: list[Decimal]
    base_subtotal: Decimal

    def round(self, value: Decimal) -> Decimal:
        """Round to the minor unit with the pricer's rounding mode."""
        return value.quantize(self.currency.quantum, self.rounding)

    def selected(self, skus: tuple[str, ...], categories: tuple[str, ...]) -> list[int]:
        """Indices of the lines a selector picks (all when both are empty)."""
        return [
            i
            for i, sku in enumerate(self.skus)
            if matches(sku, self.categories[i], skus, categories)
        ]


def _same_currency(money: Money, state: CartState) -> bool:
    return money.currency is state.currency or money.currency == state.currency


@attrs.frozen
class PercentOffOrder:
    """``percent`` off the order's merchandise (after earlier discounts).

    .. versionadded:: 0.1
    """

    percent: Decimal = attrs.field(validator=validate_percent)

    def order_amount(self, state: CartState) -> Decimal:
        """The amount off the order, rounded, at most what is left."""
        return state.round(sum(state.remaining, ZERO) * self.percent / HUNDRED)


@attrs.frozen
class FixedOffOrder:
    """``amount`` off the order (capped at the order's merchandise).

    .. versionadded:: 0.1
    """

    amount: Money = attrs.field(validator=validate_non_negative_money)

    def order_amount(self, state: CartState) -> Decimal:
        """The amount off the order, at most what is left."""
        if not _same_currency(self.amount, state):
            return ZERO
        # Rounded like every other discount, so the lines keep whole minor units.
        return min(state.round(self.amount.amount), sum(state.remaining, ZERO))


@attrs.frozen
class SubtotalTier:
    """From a merchandise subtotal of ``threshold`` on, ``percent`` off.

    .. versionadded:: 0.1
    """

    threshold: Money = attrs.field(validator=validate_non_negative_money)
    percent: Decimal = attrs.field(validator=validate_percent)


def _sorted_subtotal_tiers(tiers: Iterable[SubtotalTier]) -> tuple[SubtotalTier, ...]:
    checked: tuple[SubtotalTier, ...] = items_of(tiers, SubtotalTier, "SubtotalTier", "tiers")
    return tuple(sorted(checked, key=lambda t: (t.threshold.currency.code, t.threshold.amount)))


@attrs.frozen
class TieredPercentOffOrder:
    """A percentage off the order that grows with the subtotal (before promotions).

    The highest tier whose threshold the subtotal reaches applies.

    .. versionadded:: 0.1
    """

    tiers: tuple[SubtotalTier, ...] = attrs.field(converter=_sorted_subtotal_tiers)

    def __attrs_post_init__(self) -> None:
        if not self.tiers:
            raise ValidationError("give at least one subtotal tier", path="tiers")

    def order_amount(self, state: CartState) -> Decimal:
        """The amount off the order for the tier reached, at most what is left."""
        percent = ZERO
        for tier in self.tiers:
            if (
                _same_currency(tier.threshold, state)
                and state.base_subtotal >= tier.threshold.amount
            ):
                percent = tier.percent
        return state.round(sum(state.remaining, ZERO) * percent / HUNDRED)


@attrs.frozen
class PercentOffLines:
    """``percent`` off each selected line (every line when no selector).

    .. versionadded:: 0.1
    """

    percent: Decimal = attrs.field(validator=validate_percent)
    skus: tuple[str, ...] = attrs.field(default=(), converter=str_tuple)
    categories: tuple[str, ...] = attrs.field(default=(), converter=str_tuple)

    def line_amounts(self, state: CartState) -> dict[int, Decimal]:
        """The amount off each selected line."""
        return {
            i: state.round(state.remaining[i] * self.percent / HUNDRED)
            for i in state.selected(self.skus, self.categories)
        }


@attrs.frozen
class FixedOffLines:
    """``amount`` off each unit of the selected lines (never below zero).

    .. versionadded:: 0.1
    """

    amount: Money = attrs.field(validator=validate_non_negative_money)
    skus: tuple[str, ...] = attrs.field(default=(), converter=str_tuple)
    categories: tuple[str, ...] = attrs.field(default=(), converter=str_tuple)

    def line_amounts(self, state: CartState) -> dict[int, Decimal]:
        """The amount off each selected line."""
        if not _same_currency(self.amount, state):
            return {}
        # Per unit × quantity, rounded once per line (an amount finer than the
        # minor unit, 0.333 EUR a unit, must not leave a line at 9.667 EUR).
        return {
            i: min(state.round(self.amount.amount * state.quantities[i]), state.remaining[i])
            for i in state.selected(self.skus, self.categories)
        }


@attrs.frozen
class FixedPriceLines:
    """The selected lines cost ``unit_price`` per unit (only ever lowers a price).

    .. versionadded:: 0.1
    """

    unit_price: Money = attrs.field(validator=validate_non_negative_money)
    skus: tuple[str, ...] = attrs.field(default=(), converter=str_tuple)
    categories: tuple[str, ...] = attrs.field(default=(), converter=str_tuple)

    def line_amounts(self, state: CartState) -> dict[int, Decimal]:
        """The amount off each selected line that costs more than the fixed price."""
        if not _same_currency(self.unit_price, state):
            return {}
        result: dict[int, Decimal] = {}
        for i in state.selected(self.skus, self.categories):
            target = state.round(self.unit_price.amount * state.quantities[i])
            if state.remaining[i] > target:
                result[i] = state.remaining[i] - target
        return result


@attrs.frozen
class BuyXGetY:
    """For every ``buy`` + ``get`` selected units, the ``get`` cheapest are discounted.

    ``percent`` is the discount on those units: 100 makes them free. The
    cheapest units across all selected lines are picked (ties: earlier line),
    valued at their unit price.

    .. versionadded:: 0.1
    """

    buy: int = attrs.field(validator=validate_positive_int)
    get: int = attrs.field(validator=validate_positive_int)
    skus: tuple[str, ...] = attrs.field(default=(), converter=str_tuple)
    categories: tuple[str, ...] = attrs.field(default=(), converter=str_tuple)
    percent: Decimal = attrs.field(default=HUNDRED, validator=validate_percent)

    def line_amounts(self, state: CartState) -> dict[int, Decimal]:
        """The amount off each line holding discounted units."""
        chosen = state.selected(self.skus, self.categories)
        units = sum(state.quantities[i] for i in chosen)
        left = (units // (self.buy + self.get)) * self.get
        result: dict[int, Decimal] = {}
        for i in sorted(chosen, key=lambda i: (state.unit_prices[i], i)):
            if left <= 0:
                break
            taken = min(left, state.quantities[i])
            left -= taken
            off = state.round(state.unit_prices[i] * taken * self.percent / HUNDRED)
            result[i] = min(off, state.remaining[i])
        return result


@attrs.frozen
class FreeShipping:
    """Waives the shipping charge (shown as a shipping discount).

    .. versionadded:: 0.1
    """


#: Actions that take an amount off the whole order.
ORDER_ACTIONS = (PercentOffOrder, FixedOffOrder, TieredPercentOffOrder)
#: Actions that discount individual lines.
LINE_ACTIONS = (PercentOffLines, FixedOffLines, FixedPriceLines, BuyXGetY)

#: Any promotion action (a tagged union in the converter).
Action = (
    PercentOffOrder
    | FixedOffOrder
    | TieredPercentOffOrder
    | PercentOffLines
    | FixedOffLines
    | FixedPriceLines
    | BuyXGetY
    | FreeShipping
)
