"""Invoicing commands: invoices drafted by policy, credit notes on cancellation.

Numbers come from the gapless ``NumberSequence`` of the same unit of work, so
a command that fails after drawing one gives it back with the rollback.
"""

from __future__ import annotations

import datetime as dt

from orderkit.errors import InvalidTransition, ValidationError
from orderkit.ids import LineId, OrderId
from orderkit.invoicing import (
    CreditNote,
    CreditNoteIssued,
    CreditReason,
    Invoice,
    InvoiceIssued,
    InvoicingLedger,
    InvoicingPolicy,
    Party,
    PostalAddress,
    draft_credit_note,
    draft_invoice,
)
from orderkit.orders import Order
from orderkit.ports import UnitOfWork
from orderkit.service._context import Context
from orderkit.service._pricing import invoiceable_lines
from orderkit.service._values import InvoiceOutcome, InvoicingConfig

__all__ = [
    "auto_invoice",
    "credit_cancelled",
    "credit_cancelled_units",
    "invoice",
    "issue_invoice",
    "ledger_of",
]


def ledger_of(uow: UnitOfWork, order: Order) -> InvoicingLedger:
    """The order's invoicing ledger, rebuilt from its priced lines and stored documents."""
    ledger = InvoicingLedger.open(order.id, invoiceable_lines(order), order.currency)
    for document in uow.invoices.list_by_order(order.id):
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


def _config(ctx: Context) -> InvoicingConfig:
    if ctx.invoicing is None:
        raise ValidationError("invoicing is not configured: pass invoicing= to OrderService")
    return ctx.invoicing


def issue_invoice(ctx: Context, uow: UnitOfWork, at: dt.datetime, order: Order) -> InvoiceOutcome:
    """Issue the next invoice the policy allows for ``order``, in this unit of work.

    Raises:
        ValidationError: invoicing is not configured, or the order has no address.
        InvalidTransition: the order is not confirmed yet, or is cancelled.
        InvalidQuantity: nothing is left to invoice.
    """
    config = _config(ctx)
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
    policy = config.policy
    shipped = None
    if policy is InvoicingPolicy.ON_SHIPMENT:
        shipped = {line.line_id: line.shipped for line in order.lines}
    elif any(line.cancelled for line in order.lines):
        # Cancelled units are never billed: bill up to the units still due, which is
        # what the on-shipment drafting does with "due" in place of "shipped".
        policy = InvoicingPolicy.ON_SHIPMENT
        shipped = {
            line.line_id: max(
                ledger.invoiced(line.line_id).quantity, line.quantity - line.cancelled
            )
            for line in order.lines
        }
    draft = draft_invoice(
        ledger,
        policy=policy,
        seller=config.seller,
        buyer=_buyer(order),
        payment_terms=config.payment_terms,
        supplied_on=config.local_date(at),
        shipped=shipped,
        buyer_reference=str(order.id),
    )
    issued_on = config.local_date(at)
    # The number is drawn last: its counter row stays locked until the commit, so only
    # what needs the number runs after it. The draft bills only what the ledger has left
    # and its sums are computed, so issuing just stamps the number, and the ledger would
    # record the invoice (tests/unit/test_invoicing_fast_paths.py); a number already
    # stored is refused by the insert.
    number = uow.numbers.next(config.series, issued_on.year)
    document = draft.issue(
        number, series=config.series, issued_on=issued_on, number_format=config.number_format
    )
    uow.invoices.add(document)
    uow.publish(InvoiceIssued.of(document))
    totals = document.totals
    return InvoiceOutcome(
        order.id, document.number, issued_on, document.due_on, totals.net, totals.tax, totals.gross
    )


def invoice(ctx: Context, uow: UnitOfWork, at: dt.datetime, order_id: OrderId) -> InvoiceOutcome:
    """The ``invoice`` command: load the order and issue its next invoice."""
    _config(ctx)
    return issue_invoice(ctx, uow, at, uow.orders.get(order_id))


def auto_invoice(
    ctx: Context, uow: UnitOfWork, at: dt.datetime, order: Order, policy: InvoicingPolicy
) -> str | None:
    """Issue an invoice now if automatic invoicing is on for ``policy``; its number, or None."""
    config = ctx.invoicing
    if config is None or not config.automatic or config.policy is not policy:
        return None
    return issue_invoice(ctx, uow, at, order).number


def credit_cancelled(ctx: Context, uow: UnitOfWork, at: dt.datetime, order: Order) -> list[str]:
    """Credit everything still invoiced on a cancelled order: one credit note per invoice."""
    config = ctx.invoicing
    if config is None:
        return []
    documents = uow.invoices.list_by_order(order.id)
    if not documents:
        return []
    ledger = InvoicingLedger.open(order.id, invoiceable_lines(order), order.currency)
    for document in documents:
        ledger = ledger.record(document)
    numbers: list[str] = []
    for document in documents:
        if not isinstance(document, Invoice):
            continue
        left: dict[LineId, int] = {}
        for line in document.lines:
            units = (
                ledger.invoiced(line.line_id, document.number).quantity
                - ledger.credited(line.line_id, document.number).quantity
            )
            if units > 0:
                left[line.line_id] = units
        if not left:
            continue
        draft = draft_credit_note(
            ledger, document, reason=CreditReason.CANCELLATION, quantities=left
        )
        issued_on = config.local_date(at)
        number = uow.numbers.next(config.credit_note_series, issued_on.year)
        note: CreditNote = draft.issue(
            number,
            series=config.credit_note_series,
            issued_on=issued_on,
            number_format=config.number_format,
        )
        ledger = ledger.record(note)
        uow.invoices.add(note)
        uow.publish(CreditNoteIssued.of(note))
        numbers.append(note.number)
    return numbers


def credit_cancelled_units(
    ctx: Context, uow: UnitOfWork, at: dt.datetime, order: Order
) -> list[str]:
    """Credit invoiced units that are no longer due after a partial cancellation.

    Per line, what is invoiced and not yet credited beyond the units still due
    (ordered less cancelled) is credited, newest invoice first: one credit
    note per invoice touched. Never more than was invoiced.
    """
    config = ctx.invoicing
    if config is None:
        return []
    documents = uow.invoices.list_by_order(order.id)
    if not documents:
        return []
    ledger = InvoicingLedger.open(order.id, invoiceable_lines(order), order.currency)
    by_number: dict[str, Invoice] = {}
    for document in documents:
        ledger = ledger.record(document)
        if isinstance(document, Invoice):
            by_number[document.number] = document
    excess: dict[LineId, int] = {}
    for line in order.lines:
        units = ledger.creditable_quantity(line.line_id) - (line.quantity - line.cancelled)
        if units > 0:
            excess[line.line_id] = units
    if not excess:
        return []
    numbers: list[str] = []
    for number, quantities in ledger.credit_plan(excess).items():
        draft = draft_credit_note(
            ledger, by_number[number], reason=CreditReason.CANCELLATION, quantities=quantities
        )
        issued_on = config.local_date(at)
        drawn = uow.numbers.next(config.credit_note_series, issued_on.year)
        note: CreditNote = draft.issue(
            drawn,
            series=config.credit_note_series,
            issued_on=issued_on,
            number_format=config.number_format,
        )
        ledger = ledger.record(note)
        uow.invoices.add(note)
        uow.publish(CreditNoteIssued.of(note))
        numbers.append(note.number)
    return numbers
