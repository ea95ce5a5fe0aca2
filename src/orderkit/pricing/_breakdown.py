"""The priced result: every figure of a cart and where it came from.

The pricer builds the four classes it makes dozens of per breakdown
(:class:`LineBreakdown`, :class:`TaxAmount`, :class:`AppliedDiscount`,
:class:`DiscountShare`) with ``new_*`` functions, as :mod:`orderkit.money`
builds Money: each fills a *draft*, whose attributes take plain assignment,
then switches the draft's class. The draft class holds the slots and the
frozen class inherits them, so both have one layout. That costs about a
quarter of attrs' frozen ``__init__``, which sets every field through
``object.__setattr__``; these classes have no converter or validator to skip.

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
from typing import Any

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


class _AppliedDiscountDraft:
    """The slots of :class:`AppliedDiscount` (which adds none); a draft's take plain assignment."""

    __slots__ = ("__weakref__", "amount", "kind", "label", "source")


@attrs.frozen
class AppliedDiscount(_AppliedDiscountDraft):
    """One discount on one line (or on shipping).

    ``source`` is the promotion code, or the line id for a manual adjustment;
    ``label`` is the promotion name or the adjustment's reason.

    .. versionadded:: 0.1
    """

    kind: DiscountKind
    source: str
    label: str
    amount: Money


class _TaxAmountDraft:
    """The slots of :class:`TaxAmount` (which adds none); a draft's take plain assignment."""

    __slots__ = ("__weakref__", "amount", "base", "category", "name", "percent")


@attrs.frozen
class TaxAmount(_TaxAmountDraft):
    """Tax of one rate: its name, tax category, percent, the taxable base and the tax.

    .. versionadded:: 0.1
    """

    name: str
    category: str
    percent: Decimal
    base: Money
    amount: Money


class _LineBreakdownDraft:
    """The slots of :class:`LineBreakdown` (which adds none); a draft's take plain assignment."""

    __slots__ = (
        "__weakref__",
        "discount_excluding_tax",
        "discounts",
        "gross",
        "gross_excluding_tax",
        "line_id",
        "net",
        "quantity",
        "sku",
        "taxes",
        "total",
        "unit_price",
    )


@attrs.frozen
class LineBreakdown(_LineBreakdownDraft):
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


class _DiscountShareDraft:
    """The slots of :class:`DiscountShare` (which adds none); a draft's take plain assignment."""

    __slots__ = ("__weakref__", "amount", "line_id")


@attrs.frozen
class DiscountShare(_DiscountShareDraft):
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


def new_applied_discount(
    kind: DiscountKind, source: str, label: str, amount: Money
) -> AppliedDiscount:
    """A :class:`AppliedDiscount` built through its draft (the module docstring says why)."""
    draft: Any = _AppliedDiscountDraft()
    draft.kind = kind
    draft.source = source
    draft.label = label
    draft.amount = amount
    draft.__class__ = AppliedDiscount
    return draft  # type: ignore[no-any-return]


def new_tax_amount(
    name: str, category: str, percent: Decimal, base: Money, amount: Money
) -> TaxAmount:
    """A :class:`TaxAmount` built through its draft (the module docstring says why)."""
    draft: Any = _TaxAmountDraft()
    draft.name = name
    draft.category = category
    draft.percent = percent
    draft.base = base
    draft.amount = amount
    draft.__class__ = TaxAmount
    return draft  # type: ignore[no-any-return]


def new_line_breakdown(  # noqa: PLR0917 (the fields in order, as attrs' __init__ takes them)
    line_id: LineId,
    sku: Sku,
    quantity: int,
    unit_price: Money,
    gross: Money,
    discounts: tuple[AppliedDiscount, ...],
    net: Money,
    taxes: tuple[TaxAmount, ...],
    total: Money,
    gross_excluding_tax: Money,
    discount_excluding_tax: Money,
) -> LineBreakdown:
    """A :class:`LineBreakdown` built through its draft (the module docstring says why)."""
    draft: Any = _LineBreakdownDraft()
    draft.line_id = line_id
    draft.sku = sku
    draft.quantity = quantity
    draft.unit_price = unit_price
    draft.gross = gross
    draft.discounts = discounts
    draft.net = net
    draft.taxes = taxes
    draft.total = total
    draft.gross_excluding_tax = gross_excluding_tax
    draft.discount_excluding_tax = discount_excluding_tax
    draft.__class__ = LineBreakdown
    return draft  # type: ignore[no-any-return]


def new_discount_share(line_id: LineId, amount: Money) -> DiscountShare:
    """A :class:`DiscountShare` built through its draft (the module docstring says why)."""
    draft: Any = _DiscountShareDraft()
    draft.line_id = line_id
    draft.amount = amount
    draft.__class__ = DiscountShare
    return draft  # type: ignore[no-any-return]
