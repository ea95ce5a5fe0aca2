"""Invoicing: invoices and credit notes that always reconcile with the order.

The flow, as the service layer runs it inside one unit of work:

1. :meth:`InvoicingLedger.open` once per order, from :class:`InvoiceableLine`
   values the service maps from the order's priced lines;
2. :func:`draft_invoice` under an :class:`InvoicingPolicy` (whole order on
   confirmation, or what has shipped) → :class:`InvoiceDraft`;
3. draw the next gapless number of the series and year from the
   ``NumberSequence`` port and :meth:`InvoiceDraft.issue` it → :class:`Invoice`;
4. ``ledger = ledger.record(invoice)`` and store both; publish
   :class:`InvoiceIssued`.

Credit notes follow the same steps with :func:`draft_credit_note`.
Invoicing does not import orders or pricing.
"""

from ._crediting import CreditNoteDraft, draft_credit_note
from ._documents import CreditNote, CreditReason, DocumentTotals, Invoice, compute_totals
from ._drafting import InvoiceDraft, InvoicingPolicy, draft_invoice, invoiceable_quantities
from ._events import CreditNoteIssued, InvoiceIssued
from ._ledger import InvoicingLedger, LedgerEntry, LineAmounts
from ._lines import DocumentLine, InvoiceableLine, LineKind, cumulative_share
from ._numbering import DEFAULT_NUMBER_FORMAT, NumberFormat
from ._parties import Party, PostalAddress
from ._render import render_html, render_text
from ._tax import LineTax, TaxCategory, TaxSubtotal, tax_breakdown
from ._terms import DueRule, PaymentTerms

__all__ = [
    "DEFAULT_NUMBER_FORMAT",
    "CreditNote",
    "CreditNoteDraft",
    "CreditNoteIssued",
    "CreditReason",
    "DocumentLine",
    "DocumentTotals",
    "DueRule",
    "Invoice",
    "InvoiceDraft",
    "InvoiceIssued",
    "InvoiceableLine",
    "InvoicingLedger",
    "InvoicingPolicy",
    "LedgerEntry",
    "LineAmounts",
    "LineKind",
    "LineTax",
    "NumberFormat",
    "Party",
    "PaymentTerms",
    "PostalAddress",
    "TaxCategory",
    "TaxSubtotal",
    "compute_totals",
    "cumulative_share",
    "draft_credit_note",
    "draft_invoice",
    "invoiceable_quantities",
    "render_html",
    "render_text",
    "tax_breakdown",
]
