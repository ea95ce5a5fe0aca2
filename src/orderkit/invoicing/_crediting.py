"""Drafting credit notes against an invoice, never beyond what it billed.

Each credited line takes its share of what is still uncredited on the
invoice line, through :func:`orderkit.money.allocate`, so crediting every
remaining unit credits exactly what is left and nothing more.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import cast

import attrs

from orderkit.errors import InvalidQuantity, ValidationError
from orderkit.ids import LineId, OrderId
from orderkit.money import Currency, Money, allocate

from ._checks import as_enum, is_int, require
from ._documents import CreditNote, CreditReason, DocumentTotals, Invoice, compute_totals
from ._ledger import InvoicingLedger, LineAmounts
from ._lines import DocumentLine
from ._numbering import DEFAULT_NUMBER_FORMAT, NumberFormat
from ._parties import Party
from ._tax import LineTax, TaxSubtotal, tax_breakdown

__all__ = ["CreditNoteDraft", "draft_credit_note"]


@attrs.frozen
class CreditNoteDraft:
    """A credit note with its lines and amounts computed, waiting for its number."""

    order_id: OrderId
    corrects: str
    reason: CreditReason
    currency: Currency
    seller: Party
    buyer: Party
    lines: tuple[DocumentLine, ...]
    buyer_reference: str | None = None
    note: str | None = None

    @property
    def tax_breakdown(self) -> tuple[TaxSubtotal, ...]:
        """The tax per rate the credit note will show."""
        return tax_breakdown(self.lines, self.currency)

    def totals(self) -> DocumentTotals:
        """The totals the credit note will show."""
        return compute_totals(self.lines, self.tax_breakdown, self.currency)

    def issue(
        self,
        number: int,
        *,
        series: str,
        issued_on: dt.date,
        number_format: NumberFormat = DEFAULT_NUMBER_FORMAT,
    ) -> CreditNote:
        """The issued credit note with gapless sequence ``number`` of ``series``."""
        breakdown = self.tax_breakdown
        return CreditNote(
            number=number_format.format(series, issued_on, number),
            sequence_number=number,
            series=series,
            order_id=self.order_id,
            corrects=self.corrects,
            reason=self.reason,
            issued_on=issued_on,
            currency=self.currency,
            seller=self.seller,
            buyer=self.buyer,
            lines=self.lines,
            tax_breakdown=breakdown,
            totals=compute_totals(self.lines, breakdown, self.currency),
            buyer_reference=self.buyer_reference,
            note=self.note,
        )


def _share(amount: Money, part: int, whole: int) -> Money:
    """``amount × part / whole`` through :func:`allocate`; all of it when part is whole."""
    if part >= whole:
        return amount
    return allocate(amount, [part, whole - part])[0]


def _left(invoiced: LineAmounts, credited: LineAmounts) -> LineAmounts:
    taxes = tuple(attrs.evolve(t, amount=t.amount - credited.tax_at(t.key)) for t in invoiced.taxes)
    return LineAmounts(
        invoiced.quantity - credited.quantity,
        invoiced.gross - credited.gross,
        invoiced.discount - credited.discount,
        invoiced.net - credited.net,
        taxes,
    )


def _credit_units(source: DocumentLine, left: LineAmounts, quantity: int) -> DocumentLine:
    gross = _share(left.gross, quantity, left.quantity)
    discount = _share(left.discount, quantity, left.quantity)
    taxes = tuple(
        attrs.evolve(t, amount=_share(t.amount, quantity, left.quantity)) for t in left.taxes
    )
    return attrs.evolve(
        source,
        quantity=quantity,
        gross=gross,
        discount=discount,
        net=gross - discount,
        taxes=taxes,
    )


def _credit_amount(source: DocumentLine, left: LineAmounts, amount: Money) -> DocumentLine:
    taxes: tuple[LineTax, ...] = tuple(
        attrs.evolve(t, amount=_share(t.amount, amount.minor_units, left.net.minor_units))
        for t in left.taxes
    )
    zero = Money.zero(amount.currency)
    return attrs.evolve(
        source,
        description=f"Price correction: {source.description}",
        quantity=0,
        unit_price=amount,
        gross=amount,
        discount=zero,
        net=amount,
        taxes=taxes,
    )


def draft_credit_note(
    ledger: InvoicingLedger,
    invoice: Invoice,
    *,
    reason: CreditReason,
    quantities: Mapping[LineId, int] | None = None,
    amounts: Mapping[LineId, Money] | None = None,
    note: str | None = None,
) -> CreditNoteDraft:
    """Draft a credit note against ``invoice``.

    Args:
        ledger: the order's ledger, in which ``invoice`` is recorded.
        invoice: the invoice corrected.
        reason: cancellation, return or price correction.
        quantities: units to credit per line (cancelled or returned). Each
            gets its share of what is still uncredited on that invoice line;
            crediting every remaining unit credits exactly what is left.
        amounts: net amounts to credit per line (price corrections); the
            line's tax is credited in proportion.
        note: free text.

    Raises:
        ValidationError: nothing to credit, a line in both mappings, a line
            the invoice does not bill, or an invoice not in the ledger.
        InvalidQuantity: more units or more amount than is left to credit.
    """
    require(ledger, InvoicingLedger, "ledger")
    require(invoice, Invoice, "invoice")
    reason = as_enum(CreditReason, reason, "reason")
    quantities = dict(quantities or {})
    amounts = dict(amounts or {})
    if invoice.number not in ledger.invoice_numbers or invoice.order_id != ledger.order_id:
        raise ValidationError(
            f"invoice {invoice.number} is not recorded in the ledger of order {ledger.order_id}",
            path="invoice",
        )
    if not quantities and not amounts:
        raise ValidationError("a credit note needs quantities or amounts to credit", path="lines")
    both = sorted(set(quantities) & set(amounts))
    if both:
        raise ValidationError(
            f"lines {both!r} appear in both quantities and amounts; issue two credit notes",
            path="lines",
        )
    billed = {line.line_id: line for line in invoice.lines}
    for line_id in (*quantities, *amounts):
        if line_id not in billed:
            raise ValidationError(
                f"invoice {invoice.number} does not bill line {line_id!r}", path=f"lines[{line_id}]"
            )
    lines: list[DocumentLine] = []
    for line_id, source in billed.items():
        if line_id not in quantities and line_id not in amounts:
            continue
        left = _left(
            ledger.invoiced(line_id, invoice.number), ledger.credited(line_id, invoice.number)
        )
        if line_id in quantities:
            quantity = quantities[line_id]
            if not is_int(quantity) or quantity < 1:
                raise InvalidQuantity(
                    f"credit quantity {quantity!r} is not a whole number >= 1",
                    path=f"quantities[{line_id}]",
                )
            if quantity > left.quantity:
                raise InvalidQuantity(
                    f"line {line_id!r}: credit {quantity} units, only {left.quantity} of "
                    f"{source.quantity} invoiced on {invoice.number} are left to credit",
                    path=f"quantities[{line_id}]",
                )
            lines.append(_credit_units(source, left, quantity))
        else:
            amount = amounts[line_id]
            if not isinstance(cast(object, amount), Money) or amount.currency != ledger.currency:
                raise ValidationError(
                    f"credit amount {amount!r} is not Money in {ledger.currency.code}",
                    path=f"amounts[{line_id}]",
                )
            amount.minor_units  # noqa: B018 - refuses fractions of a minor unit
            if not amount.amount > 0 or amount > left.net:
                raise InvalidQuantity(
                    f"line {line_id!r}: credit {amount} must be above zero and at most the "
                    f"{left.net} net left to credit on {invoice.number}",
                    path=f"amounts[{line_id}]",
                )
            lines.append(_credit_amount(source, left, amount))
    return CreditNoteDraft(
        ledger.order_id,
        invoice.number,
        reason,
        ledger.currency,
        invoice.seller,
        invoice.buyer,
        tuple(lines),
        invoice.buyer_reference,
        note,
    )
