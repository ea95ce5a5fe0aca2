"""Pricing at placement, and the priced amounts an order keeps for invoicing.

The service maps the pricer's :class:`~orderkit.pricing.PriceBreakdown`
onto the order's own :class:`~orderkit.orders.PriceSnapshot` (orders do not
know the pricing package), and invoices from that snapshot: invoices must
bill exactly what was priced when the order was placed, not what a price
list says later.
"""

from __future__ import annotations

import datetime as dt
import functools
from collections.abc import Callable, Mapping, Sequence
from decimal import Decimal

from orderkit._drafts import builder
from orderkit.ids import LineId, Sku
from orderkit.invoicing import InvoiceableLine, LineKind, LineTax, TaxCategory
from orderkit.money import Currency, Money
from orderkit.orders import (
    Address,
    Attributes,
    CustomerRef,
    Order,
    OrderLine,
    PricedLine,
    PricedShipping,
    PricedTax,
    PriceSnapshot,
    QuantityLedger,
)
from orderkit.pricing import (
    Jurisdiction,
    PriceBreakdown,
    PricingLine,
    PricingRequest,
    ShippingRule,
    TaxAmount,
)
from orderkit.service._values import LineRequest

__all__ = [
    "DESCRIPTION_KEY",
    "invoiceable_lines",
    "order_lines",
    "price_snapshot",
    "pricing_request",
]


#: Line attribute holding the invoice description given in the ``LineRequest``.
DESCRIPTION_KEY = "orderkit.description"

#: The attributes of a line without a description (immutable, so every such line shares it).
_NO_ATTRIBUTES = Attributes()


def line_id(index: int) -> LineId:
    """Line ids are positions within the order: ``L1``, ``L2``, ..."""
    return LineId(f"L{index + 1}")


@functools.lru_cache(maxsize=1024)
def _jurisdiction(country: str, region: str | None) -> Jurisdiction:
    """Where an address is, for tax (a frozen value: one per place, not one per order)."""
    return Jurisdiction(country, region)


def pricing_request(
    *,
    currency: Currency,
    at: dt.datetime,
    lines: Sequence[LineRequest],
    customer: CustomerRef,
    shipping_address: Address | None,
    coupon_codes: Sequence[str],
    shipping: ShippingRule | None,
    is_first_order: bool = False,
    promotion_uses: Mapping[str, int] | None = None,
    coupon_uses: Mapping[str, int] | None = None,
) -> PricingRequest:
    """The pricing request for an order about to be placed."""
    destination = (
        None
        if shipping_address is None
        else _jurisdiction(shipping_address.country, shipping_address.region or None)
    )
    return PricingRequest(
        currency=currency,
        moment=at,
        lines=[_pricing_line(index, line) for index, line in enumerate(lines)],
        customer_group=customer.group,
        coupon_codes=tuple(coupon_codes),
        destination=destination,
        shipping=shipping,
        is_first_order=is_first_order,
        promotion_uses=dict(promotion_uses or {}),
        coupon_uses=dict(coupon_uses or {}),
    )


#: Lines built without re-running checks their request already passed (see below).
_TRUSTED_PRICING_LINE = builder(PricingLine)
_TRUSTED_ORDER_LINE = builder(OrderLine)  # the orders package drafts its lines already
_NO_WEIGHT = Decimal(0)  # PricingLine's default weight


def _pricing_line(index: int, line: LineRequest) -> PricingLine:
    """The pricing line of a request; :class:`PricingLine`'s checks only where still needed.

    A ``LineRequest`` itself (not a subclass) has checked its sku (a non-blank str), its
    quantity (a whole number > 0) and that its unit price is Money or None. What
    ``PricingLine`` checks beyond that (a price not negative, a str tax category, str
    categories) is checked here; anything else takes the checking constructor, which
    raises what it always raised.
    """
    price = line.unit_price
    categories = line.categories
    if (
        line.__class__ is LineRequest
        and line.tax_category.__class__ is str
        and (price is None or not price.is_negative)
        and (not categories or all(c.__class__ is str for c in categories))
    ):
        return _TRUSTED_PRICING_LINE(
            line_id(index),
            line.sku,
            line.quantity,
            price,
            categories,
            line.tax_category,
            _NO_WEIGHT,
        )
    return PricingLine(
        line_id(index),
        line.sku,
        line.quantity,
        unit_price=price,
        categories=categories,
        tax_category=line.tax_category,
    )


@functools.lru_cache(maxsize=256)
def _pristine(quantity: int) -> QuantityLedger:
    """A new line's ledger (immutable, so lines of the same quantity share one)."""
    return QuantityLedger(ordered=quantity)


#: The snapshot's constructors: the checking ones, and ones that trust the figures (the
#: shipped pricer's breakdowns always add up, so checking them again is only cost).
_Builders = tuple[
    Callable[..., PriceSnapshot],
    Callable[..., PricedLine],
    Callable[..., PricedShipping],
    Callable[..., PricedTax],
]
_CHECKED: _Builders = (PriceSnapshot, PricedLine, PricedShipping, PricedTax)
_TRUSTED: _Builders = (
    builder(PriceSnapshot, skip_post_init=True),
    builder(PricedLine, skip_post_init=True),
    builder(PricedShipping, skip_post_init=True),
    builder(PricedTax, skip_post_init=True),
)


def price_snapshot(
    breakdown: PriceBreakdown,
    *,
    coupon_codes: Sequence[str] = (),
    first_order: bool = False,
    checked: bool = True,
) -> PriceSnapshot:
    """The order's snapshot of a breakdown, recording the promotions that applied and the
    coupons they used.

    ``checked=False`` skips the snapshot's consistency checks: only for a breakdown of
    :class:`~orderkit.pricing.Pricer` itself, whose figures are known to add up (a
    property test shows both ways build equal snapshots).
    """
    snapshot, priced_line, priced_shipping, priced_tax = _CHECKED if checked else _TRUSTED

    def taxes(amounts: Sequence[TaxAmount]) -> tuple[PricedTax, ...]:
        # Comprehensions into tuple(): cheaper than a generator per line.
        return tuple([priced_tax(t.name, t.category, t.percent, t.base, t.amount) for t in amounts])

    shipping = breakdown.shipping
    return snapshot(
        breakdown.prices_include_tax,
        tuple(
            [
                priced_line(
                    line.line_id, line.gross, line.discount_total, line.net, taxes(line.taxes)
                )
                for line in breakdown.lines
            ]
        ),
        priced_shipping(
            shipping.gross, shipping.discount_total, shipping.net, taxes(shipping.taxes)
        ),
        breakdown.grand_total,
        tuple([p.code for p in breakdown.promotions if p.applied]),
        tuple(coupon_codes),
        first_order,
    )


def order_lines(lines: Sequence[LineRequest], breakdown: PriceBreakdown) -> list[OrderLine]:
    """The order lines of priced requests (the priced amounts go in the snapshot).

    As for pricing lines, a ``LineRequest``'s sku and quantity are not checked again
    (``OrderLine`` checks them the same way); the line id, tax category and unit price
    are checked here, and anything else takes the checking constructor.
    """
    result = []
    for request, priced in zip(lines, breakdown.lines, strict=True):
        attributes = (
            Attributes({DESCRIPTION_KEY: request.description})
            if request.description
            else _NO_ATTRIBUTES
        )
        line_id_, price, tax = priced.line_id, priced.unit_price, request.tax_category
        if (
            request.__class__ is LineRequest
            and line_id_.__class__ is str
            and line_id_.strip()
            and tax.__class__ is str
            and tax.strip()
            and price.__class__ is Money
            and not price.is_negative
        ):
            quantity = request.quantity
            result.append(
                _TRUSTED_ORDER_LINE(
                    line_id_, request.sku, quantity, price, tax, attributes, _pristine(quantity)
                )
            )
        else:
            result.append(
                OrderLine(
                    line_id_,
                    Sku(request.sku),
                    request.quantity,
                    price,
                    tax_category=tax,
                    attributes=attributes,
                )
            )
    return result


def _taxes(taxes: Sequence[PricedTax], currency: Currency) -> tuple[LineTax, ...]:
    found: list[LineTax] = []
    for tax in taxes:
        if tax.percent > 0:
            found.append(LineTax(TaxCategory.STANDARD, tax.percent, tax.amount))
        else:
            found.append(LineTax(TaxCategory.ZERO_RATED, Decimal(0), Money.zero(currency)))
    merged: dict[tuple[TaxCategory, Decimal], LineTax] = {}
    for item in found:
        known = merged.get(item.key)
        merged[item.key] = (
            item
            if known is None
            else LineTax(item.category, item.percent, known.amount + item.amount)
        )
    if not merged:
        return (
            LineTax(
                TaxCategory.NOT_SUBJECT,
                Decimal(0),
                Money.zero(currency),
                exemption_reason="not subject to tax",
            ),
        )
    return tuple(merged.values())


def _amounts(
    gross: Money, discount: Money, net: Money, quantity: int, prices_include_tax: bool
) -> tuple[Money, Money, Money, Money]:
    """Tax-exclusive (unit price, gross, discount, net) for invoicing."""
    if prices_include_tax:
        # Gross prices: invoices show the net the pricer derived; discounts are already in it.
        gross, discount = net, Money.zero(net.currency)
    unit = Money(gross.amount / quantity, gross.currency) if quantity else gross
    return unit, gross, discount, net


def _unpriced(order: Order) -> PriceSnapshot:
    """A snapshot for an order placed without one: unit price × quantity, untaxed."""
    zero = Money.zero(order.currency)
    return PriceSnapshot(
        prices_include_tax=False,
        lines=[PricedLine(line.line_id, line.total, zero, line.total) for line in order.lines],
        shipping=PricedShipping.free(order.currency),
        grand_total=order.total,
    )


def invoiceable_lines(order: Order) -> list[InvoiceableLine]:
    """The order's lines (and its shipping charge) as invoicing needs them, from its snapshot.

    An order placed without a snapshot bills unit price × quantity, not subject to tax.

    Raises:
        ValidationError: an order without a snapshot whose total is not its lines' sum.
    """
    currency = order.currency
    snapshot = order.pricing if order.pricing is not None else _unpriced(order)
    inclusive = snapshot.prices_include_tax
    result: list[InvoiceableLine] = []
    for line in order.lines:
        priced = snapshot.line(line.line_id)
        unit, gross, discount, net = _amounts(
            priced.gross, priced.discount, priced.net, line.quantity, inclusive
        )
        result.append(
            InvoiceableLine(
                line.line_id,
                line.sku,
                line.attributes.get(DESCRIPTION_KEY, str(line.sku)),
                line.quantity,
                unit,
                gross,
                discount,
                net,
                _taxes(priced.taxes, currency),
            )
        )
    shipping = snapshot.shipping
    if not shipping.gross.is_zero:
        unit, gross, discount, net = _amounts(
            shipping.gross, shipping.discount, shipping.net, 1, inclusive
        )
        result.append(
            InvoiceableLine(
                LineId("shipping"),
                Sku("shipping"),
                "Shipping",
                1,
                unit,
                gross,
                discount,
                net,
                _taxes(shipping.taxes, currency),
                kind=LineKind.CHARGE,
            )
        )
    return result
