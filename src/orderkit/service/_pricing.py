"""Pricing at placement, and the priced amounts an order keeps for invoicing.

The order stores each line's priced amounts (gross, discounts, net, tax per
rate) as converter JSON in the line's attributes under :data:`PRICED_KEY`,
and the priced shipping charge on its first line under :data:`SHIPPING_KEY`:
the :class:`~orderkit.orders.OrderLine` has no fields for them, and invoices
must bill exactly what was priced when the order was placed, not what a price
list says later.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from decimal import Decimal

from orderkit.errors import ValidationError
from orderkit.ids import LineId, Sku
from orderkit.invoicing import InvoiceableLine, LineKind, LineTax, TaxCategory
from orderkit.money import Currency, Money
from orderkit.orders import Address, CustomerRef, Order, OrderLine
from orderkit.pricing import (
    Jurisdiction,
    LineBreakdown,
    PriceBreakdown,
    PricingLine,
    PricingRequest,
    ShippingBreakdown,
    ShippingRule,
    TaxAmount,
)
from orderkit.serialization import converter
from orderkit.service._values import LineRequest

__all__ = [
    "DESCRIPTION_KEY",
    "PRICED_KEY",
    "SHIPPING_KEY",
    "TAX_INCLUDED_KEY",
    "invoiceable_lines",
    "order_lines",
    "pricing_request",
]

#: Line attribute holding the line's priced amounts (converter JSON of a LineBreakdown).
PRICED_KEY = "orderkit.priced"
#: First-line attribute holding the priced shipping charge (converter JSON).
SHIPPING_KEY = "orderkit.shipping"
#: Line attribute holding the invoice description.
DESCRIPTION_KEY = "orderkit.description"
#: First-line attribute: "true" when the priced amounts include tax.
TAX_INCLUDED_KEY = "orderkit.tax_included"


def line_id(index: int) -> LineId:
    """Line ids are positions within the order: ``L1``, ``L2``, ..."""
    return LineId(f"L{index + 1}")


def pricing_request(
    *,
    currency: Currency,
    at: dt.datetime,
    lines: Sequence[LineRequest],
    customer: CustomerRef,
    shipping_address: Address | None,
    coupon_codes: Sequence[str],
    shipping: ShippingRule | None,
) -> PricingRequest:
    """The pricing request for an order about to be placed."""
    destination = (
        None
        if shipping_address is None
        else Jurisdiction(shipping_address.country, shipping_address.region or None)
    )
    return PricingRequest(
        currency=currency,
        moment=at,
        lines=[
            PricingLine(
                line_id(index),
                line.sku,
                line.quantity,
                unit_price=line.unit_price,
                categories=line.categories,
                tax_category=line.tax_category,
            )
            for index, line in enumerate(lines)
        ],
        customer_group=customer.group,
        coupon_codes=tuple(coupon_codes),
        destination=destination,
        shipping=shipping,
    )


def _dump(value: object) -> str:
    return json.dumps(converter.unstructure(value), separators=(",", ":"), sort_keys=True)


def order_lines(lines: Sequence[LineRequest], breakdown: PriceBreakdown) -> list[OrderLine]:
    """Order lines carrying their priced amounts (and the shipping charge on the first)."""
    result: list[OrderLine] = []
    for index, (request, priced) in enumerate(zip(lines, breakdown.lines, strict=True)):
        attributes = {PRICED_KEY: _dump(priced)}
        if request.description:
            attributes[DESCRIPTION_KEY] = request.description
        if index == 0:
            attributes[TAX_INCLUDED_KEY] = "true" if breakdown.prices_include_tax else "false"
            if not breakdown.shipping.gross.is_zero:
                attributes[SHIPPING_KEY] = _dump(breakdown.shipping)
        result.append(
            OrderLine(
                priced.line_id,
                Sku(request.sku),
                request.quantity,
                priced.unit_price,
                tax_category=request.tax_category,
                attributes=attributes,
            )
        )
    return result


def _load(text: str | None, cls: type[object], what: str) -> object:
    if text is None:
        return None
    try:
        raw = json.loads(text)
    except ValueError as exc:
        raise ValidationError(f"stored {what} is not JSON: {exc}", path=what) from None
    return converter.structure(raw, cls)


def _taxes(taxes: Sequence[TaxAmount], currency: Currency) -> tuple[LineTax, ...]:
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


def invoiceable_lines(order: Order) -> list[InvoiceableLine]:
    """The order's lines (and its shipping charge) as invoicing needs them.

    Raises:
        ValidationError: a line lacks its priced amounts (not placed through the service).
    """
    result: list[InvoiceableLine] = []
    currency = order.currency
    inclusive = order.lines[0].attributes.get(TAX_INCLUDED_KEY) == "true"
    shipping: ShippingBreakdown | None = None
    for line in order.lines:
        priced = _load(line.attributes.get(PRICED_KEY), LineBreakdown, PRICED_KEY)
        if not isinstance(priced, LineBreakdown):
            raise ValidationError(
                f"line {line.line_id} of order {order.id} has no priced amounts", path=PRICED_KEY
            )
        unit, gross, discount, net = _amounts(
            priced.gross, priced.discount_total, priced.net, line.quantity, inclusive
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
        found = _load(line.attributes.get(SHIPPING_KEY), ShippingBreakdown, SHIPPING_KEY)
        if isinstance(found, ShippingBreakdown):
            shipping = found
    if shipping is not None:
        unit, gross, discount, net = _amounts(
            shipping.gross, shipping.discount_total, shipping.net, 1, inclusive
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
