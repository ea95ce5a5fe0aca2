"""The invoice command: draft by policy, number from the gapless sequence, store, publish."""

from __future__ import annotations

import datetime as dt

from orderkit.errors import InvalidTransition, ValidationError
from orderkit.ids import OrderId
from orderkit.invoicing import (
    CreditNote,
    Invoice,
    InvoiceIssued,
    InvoicingLedger,
    InvoicingPolicy,
    Party,
    PostalAddress,
    draft_invoice,
)
from orderkit.orders import Order
from orderkit.ports import UnitOfWork
from orderkit.service._context import Context
from orderkit.service._pricing import invoiceable_lines
from orderkit.service._values import InvoiceOutcome

__all__ = ["invoice", "ledger_of"]


def ledger_of(uow: UnitOfWork, order: Order) -> InvoicingLedger:
    """The order's invoicing ledger, rebuilt from its priced lines and stored documents."""
    ledger = InvoicingLedger.open(order.id, invoiceable_lines(order), order.currency)
    for document in uow.invoices.list_by_order(order.id):
        if isinstance(document, Invoice | CreditNote):
            ledger = ledger.record(document)
    return ledger


def _buyer(order: Order) -> Party:
    address = order.billing_address or order.shipping_address
    if address is None:
        raise ValidationError(
            f"order {order.id} has no billing or shipping address to invoice",
            path="billing_address",
        )
    lines = tuple(part for part in (address.line1, address.line2) if part)
    return Party(
        name=address.company or address.name,
        address=PostalAddress(
            lines,
            address.city,
            address.country,
            address.postal_code or None,
            address.region or None,
        ),
        email=order.customer.email,
    )


def invoice(ctx: Context, uow: UnitOfWork, at: dt.datetime, order_id: OrderId) -> InvoiceOutcome:
    """Issue the next invoice the policy allows, numbered inside this unit of work.

    Raises:
        ValidationError: invoicing is not configured, or the order has no address.
        InvalidTransition: the policy bills confirmed orders and this one is not.
        InvalidQuantity: nothing is left to invoice.
    """
    config = ctx.invoicing
    if config is None:
        raise ValidationError("invoicing is not configured: pass invoicing= to OrderService")
    order = uow.orders.get(order_id)
    state = order.status.value
    placing = ctx.lifecycle.transition("place")
    waiting = {ctx.lifecycle.initial, *((placing.target,) if placing is not None else ())}
    if state in waiting or not any(line.ledger.open for line in order.lines):
        raise InvalidTransition(
            state,
            "invoice",
            ctx.lifecycle.allowed_events(state),
            "only confirmed, uncancelled orders are invoiced",
        )
    ledger = ledger_of(uow, order)
    shipped = None
    if config.policy is InvoicingPolicy.ON_SHIPMENT:
        shipped = {line.line_id: line.shipped for line in order.lines}
    draft = draft_invoice(
        ledger,
        policy=config.policy,
        seller=config.seller,
        buyer=_buyer(order),
        payment_terms=config.payment_terms,
        supplied_on=at.date(),
        shipped=shipped,
        buyer_reference=str(order.id),
    )
    issued_on = at.date()
    number = uow.numbers.next(config.series, issued_on.year)
    document = draft.issue(
        number, series=config.series, issued_on=issued_on, number_format=config.number_format
    )
    ledger.record(document)  # refuses anything the ledger would not accept
    uow.invoices.add(document)
    uow.publish(InvoiceIssued.of(document))
    totals = document.totals
    return InvoiceOutcome(
        order.id, document.number, issued_on, document.due_on, totals.net, totals.tax, totals.gross
    )
