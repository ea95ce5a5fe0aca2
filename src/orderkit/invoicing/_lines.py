"""Invoicing's own input line, the lines printed on documents, and the exact split.

Invoicing does not import orders or pricing: the service layer maps each
order line and its priced amounts onto an :class:`InvoiceableLine`.
"""

from __future__ import annotations

import enum
from decimal import Decimal

import attrs

from orderkit.errors import ValidationError
from orderkit.ids import LineId, Sku
from orderkit.money import Currency, Money, allocate

from ._checks import require
from ._tax import LineTax

__all__ = ["DocumentLine", "InvoiceableLine", "LineKind", "cumulative_share"]


class LineKind(enum.StrEnum):
    """Whether a line is goods that ship, or a charge (shipping, a fee) that does not."""

    GOODS = "goods"
    CHARGE = "charge"


def _currency_of(amount: Money) -> Currency:
    require(amount, Money, "amount")
    return amount.currency


def _check_identity(line_id: str, sku: str, description: str, unit_code: str) -> None:
    require(line_id, str, "line_id")
    require(sku, str, "sku")
    require(description, str, "description")
    require(unit_code, str, "unit_code")
    if not description.strip():
        raise ValidationError(
            f"line {line_id!r} needs a description (the item name)", path="description"
        )


def _check_amounts(
    *,
    currency: Currency,
    gross: Money,
    discount: Money,
    net: Money,
    taxes: tuple[LineTax, ...],
    unit_price: Money,
) -> None:
    require(taxes, tuple, "taxes")
    for index, tax in enumerate(taxes):
        require(tax, LineTax, f"taxes[{index}]")
    named = {"unit_price": unit_price, "gross": gross, "discount": discount, "net": net}
    for path, value in named.items():
        require(value, Money, path)
    named.update({f"taxes[{i}].amount": tax.amount for i, tax in enumerate(taxes)})
    for path, amount in named.items():
        if amount.currency != currency:
            raise ValidationError(f"{amount} is not in {currency.code}", path=path)
        if amount.is_negative:
            raise ValidationError(f"{amount} is negative", path=path)
        if path != "unit_price":
            amount.minor_units  # noqa: B018 - refuses amounts finer than the minor unit
    if gross - discount != net:
        raise ValidationError(
            f"net {net} is not gross {gross} minus discount {discount}", path="net"
        )
    keys = [tax.key for tax in taxes]
    if len(set(keys)) != len(keys):
        raise ValidationError(f"a tax rate appears twice in {keys!r}", path="taxes")


@attrs.frozen
class InvoiceableLine:
    """An order line as invoicing sees it: what was ordered and its priced amounts.

    The amounts are those the pricer computed for the whole ordered quantity,
    in whole minor units, tax excluded: ``gross`` (quantity × unit price),
    ``discount`` (line and allocated order discounts), ``net`` (= gross −
    discount, the taxable base) and ``taxes`` (one entry per rate).

    Attributes:
        line_id: the order line's id.
        sku: the stock-keeping unit.
        description: the item name printed on the document.
        quantity: the ordered quantity (0 if every unit was cancelled).
        unit_price: the price of one unit, tax excluded.
        gross: quantity × unit price, before discounts.
        discount: all discounts on the line.
        net: gross − discount.
        taxes: the line's tax per rate.
        unit_code: the UN/ECE Rec 20 unit code (``"C62"``: one, ``"KGM"``: kilogram).
        kind: goods ship; charges (shipping, fees) are invoiced with the first invoice.
    """

    line_id: LineId
    sku: Sku
    description: str
    quantity: int
    unit_price: Money
    gross: Money
    discount: Money
    net: Money
    taxes: tuple[LineTax, ...]
    unit_code: str = "C62"
    kind: LineKind = LineKind.GOODS

    def __attrs_post_init__(self) -> None:
        _check_identity(self.line_id, self.sku, self.description, self.unit_code)
        if isinstance(self.quantity, bool) or not isinstance(self.quantity, int):
            raise ValidationError(f"quantity {self.quantity!r} is not an int", path="quantity")
        if self.quantity < 0:
            raise ValidationError(f"quantity {self.quantity} is negative", path="quantity")
        if not self.taxes:
            raise ValidationError(
                f"line {self.line_id!r} has no tax entry; give one (e.g. category O, 0%)",
                path="taxes",
            )
        require(self.kind, LineKind, "kind")
        _check_amounts(
            currency=_currency_of(self.unit_price),
            gross=self.gross,
            discount=self.discount,
            net=self.net,
            taxes=self.taxes,
            unit_price=self.unit_price,
        )
        if self.quantity == 0 and not (self.gross.is_zero and self.tax.is_zero):
            raise ValidationError(
                f"line {self.line_id!r} orders nothing but has amounts {self.gross} + {self.tax}",
                path="gross",
            )

    @property
    def currency(self) -> Currency:
        """The line's currency."""
        return self.unit_price.currency

    @property
    def tax(self) -> Money:
        """The line's tax over all rates."""
        return Money.sum((t.amount for t in self.taxes), self.currency)


@attrs.frozen
class DocumentLine:
    """One line of an invoice or a credit note.

    The amounts are those of this document only (the invoiced or credited
    part of the order line), in whole minor units, tax excluded.

    Attributes:
        line_id: the order line it invoices or credits.
        sku: the stock-keeping unit (the seller's item identifier, BT-155).
        description: the item name (BT-153).
        quantity: invoiced or credited quantity (BT-129); 0 for a pure price correction.
        unit_code: UN/ECE Rec 20 unit code (BT-130).
        unit_price: net price of one unit (BT-146); may carry more digits than the currency.
        gross: quantity × unit price before discounts.
        discount: line discounts (BT-136).
        net: the line net amount (BT-131) = gross − discount.
        taxes: tax per rate (category BT-151, rate BT-152).
    """

    line_id: LineId
    sku: Sku
    description: str
    quantity: int
    unit_price: Money
    gross: Money
    discount: Money
    net: Money
    taxes: tuple[LineTax, ...]
    unit_code: str = "C62"

    def __attrs_post_init__(self) -> None:
        _check_identity(self.line_id, self.sku, self.description, self.unit_code)
        if isinstance(self.quantity, bool) or not isinstance(self.quantity, int):
            raise ValidationError(f"quantity {self.quantity!r} is not an int", path="quantity")
        if self.quantity < 0:
            raise ValidationError(f"quantity {self.quantity} is negative", path="quantity")
        if not self.taxes:
            raise ValidationError(f"line {self.line_id!r} has no tax entry", path="taxes")
        _check_amounts(
            currency=_currency_of(self.net),
            gross=self.gross,
            discount=self.discount,
            net=self.net,
            taxes=self.taxes,
            unit_price=self.unit_price,
        )

    @property
    def tax(self) -> Money:
        """The line's tax over all rates."""
        return Money.sum((t.amount for t in self.taxes), self.net.currency)

    @property
    def total(self) -> Money:
        """Net plus tax."""
        return self.net + self.tax

    @property
    def percent_label(self) -> str:
        """The line's rates as printed, e.g. ``"19%"`` or ``"6.25% + 1%"``."""
        return " + ".join(f"{_plain(t.percent)}%" for t in self.taxes)


def _plain(value: Decimal) -> str:
    return format(value.normalize(), "f")


def cumulative_share(full: Money, done: int, of: int) -> Money:
    """The part of ``full`` that belongs to the first ``done`` of ``of`` units.

    Computed with :func:`orderkit.money.allocate`, so it is a whole number of
    minor units, never decreases as ``done`` grows, is zero at 0 and is exactly
    ``full`` at ``of``. Invoicing units ``k+1..k+q`` takes
    ``cumulative_share(k+q) - cumulative_share(k)``, which telescopes: the parts
    of any split add up to ``full`` exactly.

    >>> [str(cumulative_share(Money.of("10.00", "EUR"), n, 3)) for n in range(4)]
    ['0.00 EUR', '3.33 EUR', '6.67 EUR', '10.00 EUR']
    """
    if of <= 0 or done <= 0:
        return Money.zero(full.currency)
    if done >= of:
        return full
    return allocate(full, [done, of - done])[0]
