"""The priced result: every figure of a cart and where it came from.

Invariants (property-tested), all to the minor unit:

- ``lines_gross + shipping.gross + tax_added - discount_total == grand_total``
  where ``tax_added`` is the tax total when prices exclude tax and zero when
  they include it (the tax is then already inside the gross);
- ``net_total + tax_total == grand_total`` in both modes;
- each order discount's shares add up to its amount;
- no line total is negative.
"""

from __future__ import annotations

import enum
from decimal import Decimal

import attrs

from orderkit.errors import NotFound
from orderkit.ids import LineId, Sku
from orderkit.money import Currency, Money

__all__ = [
    "AppliedDiscount",
    "DiscountKind",
    "DiscountShare",
    "LineBreakdown",
    "OrderDiscount",
    "PriceBreakdown",
    "PromotionOutcome",
    "ShippingBreakdown",
    "TaxAmount",
]


class DiscountKind(enum.StrEnum):
    """Where a discount comes from.

    .. versionadded:: 0.1
    """

    MANUAL = "manual"  #: a manual line adjustment
    LINE_PROMOTION = "line_promotion"  #: a promotion acting on lines
    ORDER_PROMOTION = "order_promotion"  #: a line's share of an order discount
    SHIPPING_PROMOTION = "shipping_promotion"  #: a free-shipping promotion


@attrs.frozen
class AppliedDiscount:
    """One discount on one line (or on shipping).

    ``source`` is the promotion code, or the line id for a manual adjustment;
    ``label`` is the promotion name or the adjustment's reason.

    .. versionadded:: 0.1
    """

    kind: DiscountKind
    source: str
    label: str
    amount: Money


@attrs.frozen
class TaxAmount:
    """Tax of one rate: its name, tax category, percent, the taxable base and the tax.

    .. versionadded:: 0.1
    """

    name: str
    category: str
    percent: Decimal
    base: Money
    amount: Money


@attrs.frozen
class LineBreakdown:
    """One priced line.

    ``gross`` is unit price × quantity in the policy's price mode; ``total``
    is what the customer pays for the line including tax; ``net`` excludes
    tax. When prices exclude tax: ``net = gross - discounts`` and
    ``total = net + taxes``. When they include it: ``total = gross -
    discounts`` and ``net = total - taxes``.

    ``gross_excluding_tax - discount_excluding_tax == net`` always: the
    figures an invoice (which shows amounts without tax) prints. With
    tax-exclusive prices they are ``gross`` and the discount total.

    .. versionadded:: 0.1
    """

    line_id: LineId
    sku: Sku
    quantity: int
    unit_price: Money
    gross: Money
    discounts: tuple[AppliedDiscount, ...]
    net: Money
    taxes: tuple[TaxAmount, ...]
    total: Money
    gross_excluding_tax: Money
    discount_excluding_tax: Money

    @property
    def discount_total(self) -> Money:
        """All discounts on the line."""
        return Money.sum((d.amount for d in self.discounts), self.gross.currency)

    @property
    def tax_total(self) -> Money:
        """All tax on the line."""
        return Money.sum((t.amount for t in self.taxes), self.gross.currency)


@attrs.frozen
class DiscountShare:
    """The part of an order discount carried by one line.

    .. versionadded:: 0.1
    """

    line_id: LineId
    amount: Money


@attrs.frozen
class OrderDiscount:
    """An order-level discount and its split over the lines (sums exactly).

    .. versionadded:: 0.1
    """

    source: str
    label: str
    amount: Money
    shares: tuple[DiscountShare, ...]


@attrs.frozen
class ShippingBreakdown:
    """The shipping charge: gross by the rule, discounts, net, tax and total.

    The fields mean what they mean on :class:`LineBreakdown`.

    .. versionadded:: 0.1
    """

    gross: Money
    discounts: tuple[AppliedDiscount, ...]
    net: Money
    taxes: tuple[TaxAmount, ...]
    total: Money
    gross_excluding_tax: Money
    discount_excluding_tax: Money

    @property
    def discount_total(self) -> Money:
        """All discounts on shipping."""
        return Money.sum((d.amount for d in self.discounts), self.gross.currency)


@attrs.frozen
class PromotionOutcome:
    """What happened to one promotion: applied with an amount, or why not.

    .. versionadded:: 0.1
    """

    code: str
    name: str
    applied: bool
    amount: Money
    reason: str


@attrs.frozen
class PriceBreakdown:
    """Every figure of a priced cart or order, and why it is what it is.

    .. versionadded:: 0.1
    """

    currency: Currency
    prices_include_tax: bool
    lines: tuple[LineBreakdown, ...]
    order_discounts: tuple[OrderDiscount, ...]
    shipping: ShippingBreakdown
    taxes: tuple[TaxAmount, ...]
    promotions: tuple[PromotionOutcome, ...]
    lines_gross: Money
    discount_total: Money
    net_total: Money
    tax_total: Money
    grand_total: Money

    @property
    def tax_added(self) -> Money:
        """Tax added on top of the gross: the tax total, or zero for inclusive prices."""
        return Money.zero(self.currency) if self.prices_include_tax else self.tax_total

    @property
    def subtotal(self) -> Money:
        """Merchandise after discounts, in the price mode (before shipping)."""
        return Money.sum((line.gross - line.discount_total for line in self.lines), self.currency)

    def line(self, line_id: str) -> LineBreakdown:
        """The breakdown of one line.

        Raises:
            NotFound: No line has that id.
        """
        for line in self.lines:
            if line.line_id == line_id:
                return line
        raise NotFound("priced line", line_id)
