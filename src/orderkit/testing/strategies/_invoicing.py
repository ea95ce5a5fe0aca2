"""Strategies for invoicing: parties, payment terms, invoiceable lines, ledgers, documents."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal
from typing import TypeVar

import attrs
from hypothesis import strategies as st

from orderkit.ids import LineId, OrderId, Sku
from orderkit.invoicing import (
    CreditNote,
    CreditNoteIssued,
    CreditReason,
    DocumentLine,
    DocumentTotals,
    Invoice,
    InvoiceableLine,
    InvoiceDraft,
    InvoiceIssued,
    InvoicingLedger,
    InvoicingPolicy,
    LedgerEntry,
    LineAmounts,
    LineKind,
    LineTax,
    NumberFormat,
    Party,
    PaymentTerms,
    PostalAddress,
    TaxCategory,
    TaxSubtotal,
    draft_credit_note,
    draft_invoice,
)
from orderkit.money import Currency, Money
from orderkit.testing.strategies._money import currencies

_T = TypeVar("_T")

__all__ = [
    "any_line_taxes",
    "credit_note_issued_events",
    "credit_notes",
    "document_lines",
    "document_totals",
    "invoice_drafts",
    "invoice_issued_events",
    "invoiceable_lines",
    "invoices",
    "invoicing_ledgers",
    "ledger_entries",
    "line_amounts",
    "line_taxes",
    "number_formats",
    "parties",
    "payment_terms",
    "postal_addresses",
    "tax_subtotals",
]

_TEXT = st.text(
    st.characters(min_codepoint=32, max_codepoint=0x24F, exclude_categories=("Cs", "Cc", "Zs")),
    min_size=1,
    max_size=12,
)
_SKUS = st.integers(1, 999_999).map(lambda n: Sku(f"SKU-{n}"))
_ORDER_IDS = st.integers(1, 2**32).map(lambda n: OrderId(f"ord-{n:08x}"))
_TAX_IDS = st.none() | st.integers(10**8, 10**9 - 1).map(lambda n: f"DE{n}")
_RATES = [Decimal("19"), Decimal("7"), Decimal("20"), Decimal("5.5"), Decimal("8.875")]
_ZERO_CATEGORIES = [
    TaxCategory.ZERO_RATED,
    TaxCategory.EXEMPT,
    TaxCategory.REVERSE_CHARGE,
    TaxCategory.NOT_SUBJECT,
]


def postal_addresses() -> st.SearchStrategy[PostalAddress]:
    """Addresses with 0–3 street lines and an upper-case two-letter country."""
    return st.builds(
        PostalAddress,
        street_lines=st.lists(_TEXT, max_size=3).map(tuple),
        city=_TEXT,
        country=st.sampled_from(["DE", "FR", "NL", "US", "JP", "KW", "GB"]),
        postal_code=st.none() | st.integers(1000, 99999).map(str),
        region=st.none() | _TEXT,
    )


def parties() -> st.SearchStrategy[Party]:
    """Sellers and buyers, with or without tax and company ids."""
    return st.builds(
        Party,
        name=_TEXT,
        address=postal_addresses(),
        tax_id=_TAX_IDS,
        company_id=st.none() | st.integers(1, 99999).map(lambda n: f"HRB{n}"),
        email=st.none() | st.just("billing@example.com"),
    ).flatmap(
        lambda party: st.sampled_from(
            [party, attrs.evolve(party, endpoint_id="4000001123452", endpoint_scheme="0088")]
        )
    )


@st.composite
def _payment_terms(draw: st.DrawFn) -> PaymentTerms:
    kind = draw(st.sampled_from(["net", "eom", "dom"]))
    discount = draw(st.booleans())
    rates = st.sampled_from([Decimal("2"), Decimal("3"), Decimal("1.5")])
    pct = draw(rates) if discount else None
    if kind == "net":
        days = draw(st.integers(0, 120))
        ddays = draw(st.integers(0, days)) if discount else None
        return PaymentTerms.net(days, discount_percent=pct, discount_days=ddays)
    ddays = draw(st.integers(0, 30)) if discount else None
    if kind == "eom":
        return PaymentTerms.end_of_month(
            draw(st.integers(0, 90)), discount_percent=pct, discount_days=ddays
        )
    return PaymentTerms.day_of_next_month(
        draw(st.integers(1, 31)), discount_percent=pct, discount_days=ddays
    )


def payment_terms() -> st.SearchStrategy[PaymentTerms]:
    """Every due rule, with and without an early-payment discount."""
    return _payment_terms()


def number_formats() -> st.SearchStrategy[NumberFormat]:
    """Valid number formats."""
    return st.sampled_from(
        [
            NumberFormat("{series}-{year}-{number:06d}"),
            NumberFormat("INV-{year}-{number:06d}"),
            NumberFormat("{year}/{month}/{number}"),
        ]
    )


_PARTIES = parties()
_TERMS = payment_terms()
_FORMATS = number_formats()
_TAX_CHOICES = st.lists(
    st.sampled_from(
        [(TaxCategory.STANDARD, rate) for rate in _RATES]
        + [(category, Decimal(0)) for category in _ZERO_CATEGORIES]
    ),
    min_size=1,
    max_size=2,
    unique=True,
)
_KINDS = st.sampled_from([LineKind.GOODS, LineKind.GOODS, LineKind.CHARGE])
_UNIT_CODES = st.sampled_from(["C62", "H87", "KGM"])


def _tax(category: TaxCategory, percent: Decimal, net: Money) -> LineTax:
    amount = (net * (percent / 100)).round() if percent else Money.zero(net.currency)
    return LineTax(category, percent, amount)


@st.composite
def _line_tax(draw: st.DrawFn, currency: Currency, net: Money | None) -> LineTax:
    category, percent = draw(_TAX_CHOICES)[0]
    if net is None:
        net = Money.from_minor_units(draw(st.integers(0, 10**8)), currency)
    return _tax(category, percent, net)


def line_taxes(currency: Currency, net: Money | None = None) -> st.SearchStrategy[LineTax]:
    """One tax entry: ``net × rate`` rounded (any net when ``net`` is not given)."""
    return _line_tax(currency, net)


@st.composite
def _invoiceable_line(
    draw: st.DrawFn, currency: Currency | None, line_id: str | None, max_quantity: int
) -> InvoiceableLine:
    cur = currency if currency is not None else draw(currencies())
    quantity = draw(st.integers(1, max_quantity))
    unit = Money.from_minor_units(draw(st.integers(0, 10**6)), cur)
    gross = unit * quantity
    discount = Money.from_minor_units(draw(st.integers(0, gross.minor_units)), cur)
    net = gross - discount
    return InvoiceableLine(
        line_id=LineId(line_id or f"L{draw(st.integers(1, 9999))}"),
        sku=draw(_SKUS),
        description=draw(_TEXT),
        quantity=quantity,
        unit_price=unit,
        gross=gross,
        discount=discount,
        net=net,
        taxes=tuple(_tax(category, percent, net) for category, percent in draw(_TAX_CHOICES)),
        unit_code=draw(_UNIT_CODES),
        kind=draw(_KINDS),
    )


def invoiceable_lines(
    currency: Currency | None = None,
    *,
    line_id: str | None = None,
    max_quantity: int = 20,
) -> st.SearchStrategy[InvoiceableLine]:
    """Priced lines: gross = quantity × unit price, a discount up to gross, 1–2 tax rates."""
    return _invoiceable_line(currency, line_id, max_quantity)


@st.composite
def _ledger(draw: st.DrawFn, currency: Currency | None, max_lines: int) -> InvoicingLedger:
    cur = currency if currency is not None else draw(currencies())
    count = draw(st.integers(1, max_lines))
    lines = [draw(_invoiceable_line(cur, f"L{i + 1}", 20)) for i in range(count)]
    return InvoicingLedger.open(draw(_ORDER_IDS), lines, cur)


def invoicing_ledgers(
    currency: Currency | None = None, *, max_lines: int = 5
) -> st.SearchStrategy[InvoicingLedger]:
    """Fresh ledgers of 1..``max_lines`` lines with distinct ids, nothing recorded yet."""
    return _ledger(currency, max_lines)


_DATES = st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31))
_SERIES = st.sampled_from(["INV", "B2B"])


@st.composite
def _issued_ledger(draw: st.DrawFn, currency: Currency | None) -> tuple[InvoicingLedger, Invoice]:
    ledger = draw(_ledger(currency, 5))
    issued_on = draw(_DATES)
    draft = draft_invoice(
        ledger,
        policy=InvoicingPolicy.ON_CONFIRMATION,
        seller=draw(_PARTIES),
        buyer=draw(_PARTIES),
        payment_terms=draw(_TERMS),
        supplied_on=issued_on,
        buyer_reference=draw(st.none() | _TEXT),
    )
    gross = draft.totals().gross
    paid = Money.from_minor_units(draw(st.integers(0, gross.minor_units)), ledger.currency)
    invoice = draft.issue(
        draw(st.integers(1, 10**6)),
        series=draw(_SERIES),
        issued_on=issued_on,
        number_format=draw(_FORMATS),
        paid=paid,
    )
    return ledger.record(invoice), invoice


def invoices(currency: Currency | None = None) -> st.SearchStrategy[Invoice]:
    """Issued whole-order invoices with any terms, parties and amount already paid."""
    return _issued_ledger(currency).map(lambda pair: pair[1])


@st.composite
def _credit_note(draw: st.DrawFn, currency: Currency | None) -> CreditNote:
    ledger, invoice = draw(_issued_ledger(currency))
    chosen = draw(st.lists(st.sampled_from(invoice.lines), min_size=1, unique=True))
    quantities = {line.line_id: draw(st.integers(1, line.quantity)) for line in chosen}
    draft = draft_credit_note(
        ledger, invoice, reason=draw(st.sampled_from(CreditReason)), quantities=quantities
    )
    return draft.issue(
        draw(st.integers(1, 10**6)),
        series="CN",
        issued_on=invoice.issued_on + dt.timedelta(days=draw(st.integers(0, 60))),
    )


def credit_notes(currency: Currency | None = None) -> st.SearchStrategy[CreditNote]:
    """Credit notes returning some units of a whole-order invoice."""
    return _credit_note(currency)


def invoice_issued_events() -> st.SearchStrategy[InvoiceIssued]:
    """``InvoiceIssued`` events of generated invoices."""
    return invoices().map(InvoiceIssued.of)


def credit_note_issued_events() -> st.SearchStrategy[CreditNoteIssued]:
    """``CreditNoteIssued`` events of generated credit notes."""
    return credit_notes().map(CreditNoteIssued.of)


def _one_of_each(items: Sequence[_T]) -> st.SearchStrategy[_T]:
    return st.sampled_from(items) if items else st.nothing()


def any_line_taxes() -> st.SearchStrategy[LineTax]:
    """Line taxes in any currency, on a drawn net amount."""
    return currencies().flatmap(line_taxes)


def document_lines() -> st.SearchStrategy[DocumentLine]:
    """Lines of issued invoices, so every figure is one the library computed."""
    return invoices().flatmap(lambda invoice: _one_of_each(invoice.lines))


def document_totals() -> st.SearchStrategy[DocumentTotals]:
    """Totals of issued invoices, part paid or not."""
    return invoices().map(lambda invoice: invoice.totals)


def tax_subtotals() -> st.SearchStrategy[TaxSubtotal]:
    """Tax breakdown rows of issued invoices."""
    return invoices().flatmap(lambda invoice: _one_of_each(invoice.tax_breakdown))


def ledger_entries() -> st.SearchStrategy[LedgerEntry]:
    """Entries a ledger recorded for an issued invoice."""
    return _issued_ledger(None).flatmap(lambda pair: _one_of_each(pair[0].entries))


def line_amounts() -> st.SearchStrategy[LineAmounts]:
    """What a ledger reports as invoiced for one of its lines."""
    return _issued_ledger(None).flatmap(
        lambda pair: _one_of_each(pair[1].lines).map(lambda line: pair[0].invoiced(line.line_id))
    )


@st.composite
def _invoice_drafts(draw: st.DrawFn) -> InvoiceDraft:
    ledger = draw(_ledger(None, 5))
    return draft_invoice(
        ledger,
        policy=InvoicingPolicy.ON_CONFIRMATION,
        seller=draw(_PARTIES),
        buyer=draw(_PARTIES),
        payment_terms=draw(_TERMS),
        supplied_on=draw(st.none() | _DATES),
        buyer_reference=draw(st.none() | _TEXT),
    )


def invoice_drafts() -> st.SearchStrategy[InvoiceDraft]:
    """Whole-order invoice drafts, as ``draft_invoice`` builds them for an open ledger."""
    return _invoice_drafts()
