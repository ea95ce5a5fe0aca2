"""Domain events of invoicing: a document was issued."""

from __future__ import annotations

import datetime as dt
from typing import ClassVar

import attrs

from orderkit.events import DomainEvent
from orderkit.ids import OrderId
from orderkit.money import Money

from ._checks import require
from ._documents import CreditNote, CreditReason, Invoice

__all__ = ["CreditNoteIssued", "InvoiceIssued"]


@attrs.frozen
class InvoiceIssued(DomainEvent):
    """An invoice was issued; carries what accounting and dunning need without a lookup."""

    aggregate_type: ClassVar[str] = "invoice"

    number: str
    series: str
    order_id: OrderId
    issued_on: dt.date
    due_on: dt.date
    net: Money
    tax: Money
    gross: Money
    due: Money

    @property
    def aggregate_key(self) -> str:
        """The invoice number."""
        return self.number

    @classmethod
    def of(cls, invoice: Invoice) -> InvoiceIssued:
        """The event announcing ``invoice``."""
        require(invoice, Invoice, "invoice")
        t = invoice.totals
        return cls(
            invoice.number,
            invoice.series,
            invoice.order_id,
            invoice.issued_on,
            invoice.due_on,
            t.net,
            t.tax,
            t.gross,
            t.due,
        )


@attrs.frozen
class CreditNoteIssued(DomainEvent):
    """A credit note was issued against an invoice."""

    aggregate_type: ClassVar[str] = "invoice"

    number: str
    series: str
    order_id: OrderId
    corrects: str
    reason: CreditReason
    issued_on: dt.date
    net: Money
    tax: Money
    gross: Money

    @property
    def aggregate_key(self) -> str:
        """The credit note number."""
        return self.number

    @classmethod
    def of(cls, note: CreditNote) -> CreditNoteIssued:
        """The event announcing ``note``."""
        require(note, CreditNote, "note")
        t = note.totals
        return cls(
            note.number,
            note.series,
            note.order_id,
            note.corrects,
            note.reason,
            note.issued_on,
            t.net,
            t.tax,
            t.gross,
        )
