"""Issued documents: numbering, self-checking totals, events, JSON round trip, renderings."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderkit.errors import ValidationError
from orderkit.events import DomainEvent
from orderkit.ids import LineId, OrderId, Sku
from orderkit.invoicing import (
    DEFAULT_NUMBER_FORMAT,
    CreditNote,
    CreditNoteIssued,
    CreditReason,
    Invoice,
    InvoiceableLine,
    InvoiceIssued,
    InvoicingLedger,
    InvoicingPolicy,
    LineTax,
    NumberFormat,
    Party,
    PaymentTerms,
    PostalAddress,
    TaxCategory,
    draft_credit_note,
    draft_invoice,
    render_html,
    render_text,
)
from orderkit.money import Money
from orderkit.serialization import converter
from orderkit.testing.strategies import credit_notes, invoices, invoicing_ledgers

SELLER = Party("Acme GmbH", PostalAddress(("Hauptstr. 1",), "Berlin", "DE", "10115"), "DE123456789")
BUYER = Party("<script>alert(1)</script> & Co", PostalAddress(("1 Main St",), "Paris", "FR"), "FR1")


def eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


def sample_invoice(paid: Money | None = None) -> tuple[InvoicingLedger, Invoice]:
    lines = [
        InvoiceableLine(
            LineId("1"),
            Sku("WID-1"),
            "Widget",
            3,
            eur("10.00"),
            eur("30.00"),
            eur("3.00"),
            eur("27.00"),
            (LineTax(TaxCategory.STANDARD, Decimal("19"), eur("5.13")),),
        ),
        InvoiceableLine(
            LineId("2"),
            Sku("BOOK-7"),
            "A book",
            1,
            eur("12.50"),
            eur("12.50"),
            eur("0"),
            eur("12.50"),
            (LineTax(TaxCategory.STANDARD, Decimal("7"), eur("0.88")),),
        ),
    ]
    ledger = InvoicingLedger.open(OrderId("ord-1"), lines)
    invoice = draft_invoice(
        ledger,
        policy=InvoicingPolicy.ON_CONFIRMATION,
        seller=SELLER,
        buyer=BUYER,
        payment_terms=PaymentTerms.net(30, discount_percent=Decimal("2"), discount_days=10),
        supplied_on=dt.date(2026, 1, 30),
        buyer_reference="PO-77",
        note="Thank you & goodbye",
    ).issue(123, series="INV", issued_on=dt.date(2026, 1, 31), paid=paid)
    return ledger.record(invoice), invoice


def test_issued_invoice_carries_every_field() -> None:
    _, invoice = sample_invoice(paid=eur("10.00"))
    assert invoice.number == "INV-2026-000123"
    assert invoice.id == "INV-2026-000123"
    assert (invoice.series, invoice.sequence_number) == ("INV", 123)
    assert invoice.due_on == dt.date(2026, 3, 2)
    assert invoice.discount_date == dt.date(2026, 2, 10)
    assert invoice.totals.net == eur("39.50")
    assert invoice.totals.tax == eur("6.01")
    assert invoice.totals.gross == eur("45.51")
    assert invoice.totals.paid == eur("10.00")
    assert invoice.totals.due == eur("35.51")
    assert invoice.discounted_due == eur("34.80")
    assert invoice.type_code == "380"
    assert invoice.buyer_reference == "PO-77"
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        invoice.number = "X"  # type: ignore[misc]


@pytest.mark.parametrize("paid", ["-0.01", "45.52", "1.001"])
def test_paid_outside_zero_to_gross_is_refused(paid: str) -> None:
    with pytest.raises(ValidationError):
        sample_invoice(paid=eur(paid))


def test_tampered_documents_are_refused() -> None:
    _, invoice = sample_invoice()
    with pytest.raises(ValidationError, match="totals do not match"):
        attrs.evolve(invoice, totals=attrs.evolve(invoice.totals, net=eur("1")))
    with pytest.raises(ValidationError, match="tax breakdown does not match"):
        attrs.evolve(invoice, tax_breakdown=invoice.tax_breakdown[:1])
    with pytest.raises(ValidationError, match="does not follow from 2% 10 days, net 30 days"):
        attrs.evolve(invoice, due_on=dt.date(2026, 3, 1))
    with pytest.raises(ValidationError, match="has no lines"):
        attrs.evolve(invoice, lines=(), tax_breakdown=())
    with pytest.raises(ValidationError, match="sequence number"):
        attrs.evolve(invoice, sequence_number=0)


@pytest.mark.parametrize(
    ("pattern", "message"),
    [
        ("INV-{number}", "lacks {year}"),
        ("INV-{year}", "lacks {number}"),
        ("INV-{year}-{nr}", "unknown fields"),
        ("INV-{year}-{number", "malformed"),
        ("INV-{year:q}-{number}", "cannot format"),
        ("INV-{}-{year}-{number}", "unknown fields"),
    ],
)
def test_bad_number_formats_are_refused(pattern: str, message: str) -> None:
    with pytest.raises(ValidationError, match=message):
        NumberFormat(pattern)


def test_number_formats() -> None:
    day = dt.date(2026, 7, 4)
    assert NumberFormat("INV-{year}-{number:06d}").format("INV", day, 123) == "INV-2026-000123"
    assert NumberFormat("{series}/{year}/{month}/{number}").format("B2B", day, 5) == (
        "B2B/2026/07/5"
    )
    assert DEFAULT_NUMBER_FORMAT.format("CN", day, 1_000_000) == "CN-2026-1000000"
    with pytest.raises(ValidationError, match="got 0"):
        DEFAULT_NUMBER_FORMAT.format("INV", day, 0)
    with pytest.raises(ValidationError, match="blank"):
        DEFAULT_NUMBER_FORMAT.format(" ", day, 1)


@given(st.integers(1, 10**7), st.integers(1, 10**7), st.dates())
def test_distinct_numbers_format_distinctly(a: int, b: int, day: dt.date) -> None:
    fmt = NumberFormat("INV-{year}-{number:06d}")
    assert (fmt.format("INV", day, a) == fmt.format("INV", day, b)) == (a == b)


@given(invoices())
def test_invoice_totals_reconcile_and_json_round_trips(invoice: Invoice) -> None:
    t = invoice.totals
    assert t.net + t.tax == t.gross
    assert t.gross - t.paid == t.due
    assert t.net == Money.sum((line.net for line in invoice.lines), invoice.currency)
    assert t.tax == Money.sum((row.tax for row in invoice.tax_breakdown), invoice.currency)
    assert invoice.due_on >= invoice.issued_on
    assert converter.structure(converter.unstructure(invoice), Invoice) == invoice


@given(credit_notes())
def test_credit_note_totals_reconcile_and_json_round_trips(note: CreditNote) -> None:
    assert note.totals.net + note.totals.tax == note.totals.gross
    assert note.totals.due == note.totals.gross
    assert converter.structure(converter.unstructure(note), CreditNote) == note


@given(invoicing_ledgers())
def test_ledger_json_round_trips(ledger: InvoicingLedger) -> None:
    assert converter.structure(converter.unstructure(ledger), InvoicingLedger) == ledger


def test_events_carry_number_order_and_totals_and_round_trip() -> None:
    ledger, invoice = sample_invoice()
    issued = InvoiceIssued.of(invoice)
    assert (issued.number, issued.order_id, issued.gross) == (
        "INV-2026-000123",
        "ord-1",
        eur("45.51"),
    )
    assert issued.aggregate_type == "invoice"
    assert issued.aggregate_key == "INV-2026-000123"
    note = draft_credit_note(
        ledger, invoice, reason=CreditReason.RETURN, quantities={LineId("1"): 1}
    ).issue(1, series="CN", issued_on=dt.date(2026, 2, 3))
    credited = CreditNoteIssued.of(note)
    assert (credited.corrects, credited.reason, credited.aggregate_key) == (
        "INV-2026-000123",
        CreditReason.RETURN,
        "CN-2026-000001",
    )
    for event in (issued, credited):
        data = converter.unstructure(event, DomainEvent)
        assert data["type"] == type(event).__name__
        assert converter.structure(data, DomainEvent) == event


def test_structuring_bad_json_names_the_bad_field() -> None:
    _, invoice = sample_invoice()
    data: dict[str, Any] = converter.unstructure(invoice)
    data["totals"]["net"]["amount"] = "1.00"
    with pytest.raises(ValidationError, match="totals do not match"):
        converter.structure(data, Invoice)
    data = converter.unstructure(invoice)
    data["lines"][0]["taxes"][0]["category"] = "X"
    with pytest.raises(ValidationError) as info:
        converter.structure(data, Invoice)
    assert any("lines" in path for path in info.value.errors)


def test_text_rendering_is_aligned_and_complete() -> None:
    _, invoice = sample_invoice()
    text = render_text(invoice)
    assert text.startswith("INVOICE INV-2026-000123\n")
    for expected in (
        "Due date:        2026-03-02",
        "Buyer reference: PO-77",
        "Widget (WID-1)     3       10.00      3.00  27.00  19%",
        "A book (BOOK-7)    1       12.50      0.00  12.50   7%",
        "S 7%             12.50  0.88",
        "S 19%            27.00  5.13",
        "Total net   39.50 EUR",
        "Amount due  45.51 EUR",
        "Pay 44.60 EUR by 2026-02-10, else 45.51 EUR by 2026-03-02",
        "Tax ID: DE123456789",
    ):
        assert expected in text, expected
    rows = [row for row in text.splitlines() if row.startswith(("Description", "Widget", "A book"))]
    assert len({len(row) for row in rows}) == 1


def test_html_rendering_escapes_every_text() -> None:
    ledger, invoice = sample_invoice()
    page = render_html(invoice)
    assert "<script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; Co" in page
    assert "Thank you &amp; goodbye" in page
    assert page.startswith('<article class="orderkit-invoice">')
    assert '<td class="num">27.00</td>' in page
    note = draft_credit_note(
        ledger, invoice, reason=CreditReason.PRICE_CORRECTION, amounts={LineId("2"): eur("2.50")}
    ).issue(9, series="CN", issued_on=dt.date(2026, 2, 1))
    assert "Corrects invoice</dt><dd>INV-2026-000123" in render_html(note)
    assert "Amount credited" in render_text(note)
    assert "Reason:           price correction" in render_text(note)


@given(invoices())
def test_renderings_show_number_and_total_for_any_invoice(invoice: Invoice) -> None:
    text = render_text(invoice)
    assert invoice.number in text
    assert invoice.currency.code in text
    page = render_html(invoice)
    assert page.count("<tr>") == 1 + len(invoice.lines) + 1 + len(invoice.tax_breakdown) + 5


@pytest.mark.parametrize(
    "type_",
    [
        CreditNote,
        CreditNoteIssued,
        Invoice,
        InvoiceableLine,
        InvoiceIssued,
        InvoicingLedger,
        NumberFormat,
        Party,
        PaymentTerms,
        PostalAddress,
    ],
)
def test_every_invoicing_type_has_a_strategy_and_round_trips(type_: type) -> None:
    @given(st.from_type(type_))
    def round_trip(value: object) -> None:
        assert isinstance(value, type_)
        assert converter.structure(converter.unstructure(value, type_), type_) == value

    round_trip()


def test_supply_date_defaults_to_the_issue_date() -> None:
    ledger, _ = sample_invoice()
    fresh = InvoicingLedger.open(ledger.order_id, ledger.lines)
    invoice = draft_invoice(
        fresh,
        policy=InvoicingPolicy.ON_CONFIRMATION,
        seller=SELLER,
        buyer=BUYER,
        payment_terms=PaymentTerms.end_of_month(15),
    ).issue(1, series="INV", issued_on=dt.date(2026, 2, 20))
    assert invoice.supplied_on == dt.date(2026, 2, 20)
    assert invoice.due_on == dt.date(2026, 3, 15)


def test_a_fully_cancelled_line_orders_nothing_and_carries_no_amount() -> None:
    zero_tax = (LineTax(TaxCategory.STANDARD, Decimal("19"), eur("0")),)
    empty = InvoiceableLine(
        LineId("x"), Sku("X"), "Gone", 0, eur("5"), eur("0"), eur("0"), eur("0"), zero_tax
    )
    ledger = InvoicingLedger.open(OrderId("o"), [empty])
    assert ledger.fully_invoiced
    with pytest.raises(ValidationError, match="orders nothing but has amounts"):
        InvoiceableLine(
            LineId("x"), Sku("X"), "Gone", 0, eur("5"), eur("5"), eur("0"), eur("5"), zero_tax
        )
    with pytest.raises(ValidationError, match="needs a description"):
        InvoiceableLine(
            LineId("x"), Sku("X"), " ", 1, eur("5"), eur("5"), eur("0"), eur("5"), zero_tax
        )


def test_parties_and_addresses_are_validated() -> None:
    address = PostalAddress(("Hauptstr. 1",), "Berlin", "DE", "10115", "BE")
    assert address.lines() == ("Hauptstr. 1", "10115 Berlin", "BE", "DE")
    with pytest.raises(ValidationError, match="'de' is not an ISO 3166-1 alpha-2"):
        PostalAddress((), "Berlin", "de")
    with pytest.raises(ValidationError, match="at most 3 street lines"):
        PostalAddress(("a", "b", "c", "d"), "Berlin", "DE")
    with pytest.raises(ValidationError, match="city"):
        PostalAddress((), " ", "DE")
    with pytest.raises(ValidationError, match="name must not be blank"):
        Party("", address)
    with pytest.raises(ValidationError, match="endpoint_id and endpoint_scheme"):
        Party("Acme", address, endpoint_id="4000001123452")
    peppol = Party("Acme", address, endpoint_id="4000001123452", endpoint_scheme="0088")
    assert converter.structure(converter.unstructure(peppol), Party) == peppol
