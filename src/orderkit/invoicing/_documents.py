"""Issued documents: :class:`Invoice` and :class:`CreditNote`, immutable and self-checking.

Both check on construction (including when the converter rebuilds them from
JSON) that their tax breakdown and totals are exactly what their lines add
up to, so a stored or received document cannot disagree with itself.
"""

from __future__ import annotations

import datetime as dt
import enum
from typing import ClassVar

import attrs

from orderkit.errors import ValidationError
from orderkit.ids import InvoiceId, OrderId
from orderkit.money import Currency, Money

from ._checks import require
from ._lines import DocumentLine
from ._parties import Party
from ._tax import TaxSubtotal, tax_breakdown
from ._terms import PaymentTerms

__all__ = ["CreditNote", "CreditReason", "DocumentTotals", "Invoice", "compute_totals"]


class CreditReason(enum.StrEnum):
    """Why a credit note is issued."""

    CANCELLATION = "cancellation"
    RETURN = "return"
    PRICE_CORRECTION = "price_correction"


@attrs.frozen
class DocumentTotals:
    """A document's totals (EN 16931 BG-22).

    Attributes:
        net: sum of the line net amounts, tax excluded (BT-106 / BT-109).
        tax: sum of the tax breakdown (BT-110).
        gross: net + tax, tax included (BT-112).
        paid: amount already paid before issue (BT-113).
        due: gross − paid, the amount to pay (BT-115).
    """

    net: Money
    tax: Money
    gross: Money
    paid: Money
    due: Money


def compute_totals(
    lines: tuple[DocumentLine, ...],
    breakdown: tuple[TaxSubtotal, ...],
    currency: Currency,
    paid: Money | None = None,
) -> DocumentTotals:
    """Totals for ``lines`` whose tax is ``breakdown``; refuses ``paid`` outside 0..gross."""
    net = Money.sum((line.net for line in lines), currency)
    tax = Money.sum((row.tax for row in breakdown), currency)
    gross = net + tax
    paid = Money.zero(currency) if paid is None else paid
    require(paid, Money, "paid")
    if paid.currency != currency:
        raise ValidationError(f"paid {paid} is not in {currency.code}", path="paid")
    if paid.is_negative or paid > gross:
        raise ValidationError(f"paid {paid} is outside 0..{gross}", path="paid")
    paid.minor_units  # noqa: B018 - refuses fractions of a minor unit
    return DocumentTotals(net, tax, gross, paid, gross - paid)


def _check_fields(doc: object, kinds: dict[str, type | tuple[type, ...]]) -> None:
    """Refuse a wrongly typed field by name (a document may be built by hand, not only drafted)."""
    for name, kind in kinds.items():
        value = getattr(doc, name)
        if kind is dt.date and isinstance(value, dt.datetime):
            raise ValidationError(f"{name} {value!r} is a datetime, not a date", path=name)
        require(value, kind, name)


_COMMON: dict[str, type | tuple[type, ...]] = {
    "sequence_number": int,
    "order_id": str,
    "issued_on": dt.date,
    "seller": Party,
    "buyer": Party,
    "lines": tuple,
    "tax_breakdown": tuple,
    "totals": DocumentTotals,
    "buyer_reference": (str, type(None)),
    "note": (str, type(None)),
}


def _check_document(
    *,
    number: str,
    sequence_number: int,
    series: str,
    currency: Currency,
    lines: tuple[DocumentLine, ...],
    breakdown: tuple[TaxSubtotal, ...],
    totals: DocumentTotals,
    sums: bool = True,
) -> None:
    """Refuse a malformed document; ``sums=False`` trusts breakdown and totals computed here."""
    require(number, str, "number")
    require(series, str, "series")
    require(currency, Currency, "currency")
    for index, line in enumerate(lines):
        require(line, DocumentLine, f"lines[{index}]")
    if not number.strip() or not series.strip():
        raise ValidationError("number and series must not be blank", path="number")
    if isinstance(sequence_number, bool) or sequence_number < 1:
        raise ValidationError(
            f"sequence number must be >= 1, got {sequence_number!r}", path="sequence_number"
        )
    if not lines:
        raise ValidationError(f"document {number} has no lines", path="lines")
    ids = [line.line_id for line in lines]
    if len(set(ids)) != len(ids):
        raise ValidationError(f"document {number} lists an order line twice: {ids!r}", path="lines")
    for index, line in enumerate(lines):
        if line.net.currency != currency:
            raise ValidationError(
                f"line {line.line_id!r} is in {line.net.currency.code}, not {currency.code}",
                path=f"lines[{index}]",
            )
    if not sums:
        return
    expected = tax_breakdown(lines, currency)
    if breakdown != expected:
        raise ValidationError(
            f"document {number}: tax breakdown does not match its lines", path="tax_breakdown"
        )
    if totals != compute_totals(lines, breakdown, currency, totals.paid):
        raise ValidationError(f"document {number}: totals do not match its lines", path="totals")


@attrs.frozen
class Invoice:
    """An issued invoice (UNCL 1001 type 380). Immutable.

    Attributes:
        number: the document number, e.g. ``INV-2026-000123`` (BT-1).
        sequence_number: the gapless number it was formatted from.
        series: the numbering series.
        order_id: the order invoiced (BT-13, purchase order reference).
        issued_on: issue date (BT-2).
        supplied_on: actual delivery date (BT-72).
        due_on: payment due date (BT-9), from ``payment_terms``.
        currency: document currency (BT-5).
        seller: BG-4. buyer: BG-7.
        lines: the invoiced lines (BG-25).
        tax_breakdown: per (category, rate): taxable base and tax (BG-23).
        totals: BG-22.
        payment_terms: BT-20, also giving the early-payment discount.
        buyer_reference: the buyer's reference (BT-10; required by Peppol).
        note: free text (BT-22).
    """

    number: str
    sequence_number: int
    series: str
    order_id: OrderId
    issued_on: dt.date
    supplied_on: dt.date
    due_on: dt.date
    currency: Currency
    seller: Party
    buyer: Party
    lines: tuple[DocumentLine, ...]
    tax_breakdown: tuple[TaxSubtotal, ...]
    totals: DocumentTotals
    payment_terms: PaymentTerms
    buyer_reference: str | None = None
    note: str | None = None

    #: UNCL 1001 document type code of a commercial invoice.
    type_code: ClassVar[str] = "380"

    def __attrs_post_init__(self) -> None:
        self._check(sums=True)

    def _check(self, *, sums: bool) -> None:
        """Refuse a malformed invoice.

        ``sums=False`` is for :meth:`InvoiceDraft.issue`, which has just computed
        the tax breakdown, totals and due date from these same lines and terms.
        """
        _check_fields(
            self,
            {
                **_COMMON,
                "supplied_on": dt.date,
                "due_on": dt.date,
                "payment_terms": PaymentTerms,
            },
        )
        _check_document(
            number=self.number,
            sequence_number=self.sequence_number,
            series=self.series,
            currency=self.currency,
            lines=self.lines,
            breakdown=self.tax_breakdown,
            totals=self.totals,
            sums=sums,
        )
        if sums and self.due_on != self.payment_terms.due_date(self.issued_on):
            raise ValidationError(
                f"due date {self.due_on} does not follow from "
                f"{self.payment_terms.describe()} and issue date {self.issued_on}",
                path="due_on",
            )

    @property
    def id(self) -> InvoiceId:
        """The invoice's identifier: its number."""
        return InvoiceId(self.number)

    @property
    def discount_date(self) -> dt.date | None:
        """Last day the early-payment discount applies, if the terms grant one."""
        return self.payment_terms.discount_date(self.issued_on)

    @property
    def discounted_due(self) -> Money:
        """What settles the invoice by :attr:`discount_date` (the amount due if no discount)."""
        return self.payment_terms.discounted_amount(self.totals.due)


@attrs.frozen
class CreditNote:
    """An issued credit note (UNCL 1001 type 381) correcting one invoice. Immutable.

    Amounts are positive: they are what is credited.

    Attributes:
        number: the document number (BT-1).
        sequence_number: the gapless number it was formatted from.
        series: the numbering series (usually distinct from the invoices').
        order_id: the order concerned.
        corrects: the number of the invoice it corrects (BT-25).
        reason: cancellation, return or price correction.
        issued_on: issue date (BT-2).
        currency: BT-5. seller: BG-4. buyer: BG-7.
        lines: the credited lines; a price correction has quantity 0.
        tax_breakdown: BG-23. totals: BG-22 (``due`` is the amount credited).
        note: free text (BT-22).
    """

    number: str
    sequence_number: int
    series: str
    order_id: OrderId
    corrects: str
    reason: CreditReason
    issued_on: dt.date
    currency: Currency
    seller: Party
    buyer: Party
    lines: tuple[DocumentLine, ...]
    tax_breakdown: tuple[TaxSubtotal, ...]
    totals: DocumentTotals
    buyer_reference: str | None = None
    note: str | None = None

    #: UNCL 1001 document type code of a credit note.
    type_code: ClassVar[str] = "381"

    def __attrs_post_init__(self) -> None:
        _check_fields(self, {**_COMMON, "corrects": str, "reason": CreditReason})
        _check_document(
            number=self.number,
            sequence_number=self.sequence_number,
            series=self.series,
            currency=self.currency,
            lines=self.lines,
            breakdown=self.tax_breakdown,
            totals=self.totals,
        )
