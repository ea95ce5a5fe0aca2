"""Strategies for invoicing: parties, payment terms, invoiceable lines, ledgers, documents."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from hypothesis import strategies as st

from orderkit.ids import LineId, OrderId, Sku
from orderkit.invoicing import (
    CreditNote,
    CreditNoteIssued,
    CreditReason,
    Invoice,
    InvoiceableLine,
    InvoiceIssued,
    InvoicingLedger,
    InvoicingPolicy,
    LineKind,
    LineTax,
    NumberFormat,
    Party,
    PaymentTerms,
    PostalAddress,
    TaxCategory,
    draft_credit_note,
    draft_invoice,
)
from orderkit.money import Currency, Money
from orderkit.testing.strategies._money import currencies

__all__ = [
    "credit_note_issued_events",
    "credit_notes",
    "invoice_issued_events",
    "invoiceable_lines",
    "invoices",
    "invoicing_ledgers",
    "line_taxes",
    "number_formats",
    "parties",
    "payment_terms",
    "postal_addresses",
]

_TEXT = st.text(
    st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=20
).filter(lambda s: s.strip() != "")
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
        postal_code=st.none() | st.from_regex(r"[0-9]{4,5}", fullmatch=True),
        region=st.none() | _TEXT,
    )


def parties() -> st.SearchStrategy[Party]:
    """Sellers and buyers, with or without tax and company ids."""
    return st.builds(
        Party,
        name=_TEXT,
        address=postal_addresses(),
        tax_id=st.none() | st.from_regex(r"[A-Z]{2}[0-9]{9}", fullmatch=True),
        company_id=st.none() | st.from_regex(r"HRB[0-9]{5}", fullmatch=True),
        email=st.none() | st.just("billing@example.com"),
    )


def payment_terms() -> st.SearchStrategy[PaymentTerms]:
    """Every due rule, with and without an early-payment discount."""

    @st.composite
    def build(draw: st.DrawFn) -> PaymentTerms:
        kind = draw(st.sampled_from(["net", "eom", "dom"]))
        discount = draw(st.booleans())
        pct = (
            draw(st.sampled_from([Decimal("2"), Decimal("3"), Decimal("1.5")]))
            if discount
            else None
        )
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

    return build()


def number_formats() -> st.SearchStrategy[NumberFormat]:
    """Valid number formats."""
    return st.sampled_from(
        [
            NumberFormat("{series}-{year}-{number:06d}"),
            NumberFormat("INV-{year}-{number:06d}"),
            NumberFormat("{year}/{month}/{number}"),
        ]
    )


def line_taxes(currency: Currency, net: Money | None = None) -> st.SearchStrategy[LineTax]:
    """One tax entry; standard-rated tax is ``net × rate`` rounded when ``net`` is given."""

    @st.composite
    def build(draw: st.DrawFn) -> LineTax:
        if draw(st.integers(0, 4)) == 0:
            category = draw(st.sampled_from(_ZERO_CATEGORIES))
            return LineTax(category, Decimal(0), Money.zero(currency))
        percent = draw(st.sampled_from(_RATES))
        if net is None:
            amount = Money.from_minor_units(draw(st.integers(0, 10**7)), currency)
        else:
            amount = (net * (percent / 100)).round()
        return LineTax(TaxCategory.STANDARD, percent, amount)

    return build()


def invoiceable_lines(
    currency: Currency | None = None,
    *,
    line_id: str | None = None,
    max_quantity: int = 20,
) -> st.SearchStrategy[InvoiceableLine]:
    """Priced lines: gross = quantity × unit price, a discount up to gross, 1–2 tax rates."""

    @st.composite
    def build(draw: st.DrawFn) -> InvoiceableLine:
        cur = currency if currency is not None else draw(currencies())
        quantity = draw(st.integers(1, max_quantity))
        unit = Money.from_minor_units(draw(st.integers(0, 10**6)), cur)
        gross = unit * quantity
        discount = Money.from_minor_units(draw(st.integers(0, gross.minor_units)), cur)
        net = gross - discount
        taxes = draw(
            st.lists(line_taxes(cur, net), min_size=1, max_size=2, unique_by=lambda t: t.key)
        )
        kind = draw(st.sampled_from([LineKind.GOODS, LineKind.GOODS, LineKind.CHARGE]))
        return InvoiceableLine(
            line_id=LineId(line_id or draw(st.from_regex(r"L[0-9]{1,4}", fullmatch=True))),
            sku=Sku(draw(st.from_regex(r"SKU-[A-Z0-9]{1,6}", fullmatch=True))),
            description=draw(_TEXT),
            quantity=quantity,
            unit_price=unit,
            gross=gross,
            discount=discount,
            net=net,
            taxes=tuple(taxes),
            unit_code=draw(st.sampled_from(["C62", "H87", "KGM"])),
            kind=kind,
        )

    return build()


def invoicing_ledgers(
    currency: Currency | None = None, *, max_lines: int = 5
) -> st.SearchStrategy[InvoicingLedger]:
    """Fresh ledgers of 1..``max_lines`` lines with distinct ids, nothing recorded yet."""

    @st.composite
    def build(draw: st.DrawFn) -> InvoicingLedger:
        cur = currency if currency is not None else draw(currencies())
        count = draw(st.integers(1, max_lines))
        lines = [draw(invoiceable_lines(cur, line_id=f"L{i + 1}")) for i in range(count)]
        order = OrderId(draw(st.from_regex(r"ord-[0-9a-f]{6}", fullmatch=True)))
        return InvoicingLedger.open(order, lines, cur)

    return build()


_DATES = st.dates(dt.date(2000, 1, 1), dt.date(2099, 12, 31))


def _issued_ledger(cur: Currency | None) -> st.SearchStrategy[tuple[InvoicingLedger, Invoice]]:
    @st.composite
    def build(draw: st.DrawFn) -> tuple[InvoicingLedger, Invoice]:
        ledger = draw(invoicing_ledgers(cur))
        issued_on = draw(_DATES)
        draft = draft_invoice(
            ledger,
            policy=InvoicingPolicy.ON_CONFIRMATION,
            seller=draw(parties()),
            buyer=draw(parties()),
            payment_terms=draw(payment_terms()),
            supplied_on=issued_on,
            buyer_reference=draw(st.none() | _TEXT),
        )
        gross = draft.totals().gross
        paid = Money.from_minor_units(draw(st.integers(0, gross.minor_units)), ledger.currency)
        invoice = draft.issue(
            draw(st.integers(1, 10**6)),
            series=draw(st.sampled_from(["INV", "B2B"])),
            issued_on=issued_on,
            number_format=draw(number_formats()),
            paid=paid,
        )
        return ledger.record(invoice), invoice

    return build()


def invoices(currency: Currency | None = None) -> st.SearchStrategy[Invoice]:
    """Issued whole-order invoices with any terms, parties and amount already paid."""
    return _issued_ledger(currency).map(lambda pair: pair[1])


def credit_notes(currency: Currency | None = None) -> st.SearchStrategy[CreditNote]:
    """Credit notes returning some units of a whole-order invoice."""

    @st.composite
    def build(draw: st.DrawFn) -> CreditNote:
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

    return build()


def invoice_issued_events() -> st.SearchStrategy[InvoiceIssued]:
    """``InvoiceIssued`` events of generated invoices."""
    return invoices().map(InvoiceIssued.of)


def credit_note_issued_events() -> st.SearchStrategy[CreditNoteIssued]:
    """``CreditNoteIssued`` events of generated credit notes."""
    return credit_notes().map(CreditNoteIssued.of)
