"""Review of invoicing: edge cases of terms, numbers, splits, credits and renderings.

Expected dates and amounts are computed by hand in the comments next to them.
"""

from __future__ import annotations

import calendar
import datetime as dt
import unicodedata
from collections.abc import Callable
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderkit.errors import InvalidQuantity, ValidationError
from orderkit.ids import LineId, OrderId, Sku
from orderkit.invoicing import (
    CreditNoteDraft,
    CreditNoteIssued,
    CreditReason,
    DocumentLine,
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

SELLER = Party("Seller & Söhne", PostalAddress(("Hauptstr. 1",), "Berlin", "DE", "10115"), "DE1")
BUYER = Party("Buyer", PostalAddress(("1 Main St",), "Paris", "FR"))
D = dt.date


# -- payment terms ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("terms", "issued", "due"),
    [
        # 31 Jan + 30 days: Feb has 28 days in 2026 → 2 Mar; 29 in 2028 → 1 Mar.
        (PaymentTerms.net(30), D(2026, 1, 31), D(2026, 3, 2)),
        (PaymentTerms.net(30), D(2028, 1, 31), D(2028, 3, 1)),
        # across the year end: 15 Dec + 30 days = 14 Jan.
        (PaymentTerms.net(30), D(2026, 12, 15), D(2027, 1, 14)),
        (PaymentTerms.net(0), D(2026, 2, 28), D(2026, 2, 28)),
        # end of month + 15 from 20 Feb 2026: 28 Feb + 15 = 15 Mar.
        (PaymentTerms.end_of_month(15), D(2026, 2, 20), D(2026, 3, 15)),
        # end of month + 0 in a leap February is the 29th.
        (PaymentTerms.end_of_month(0), D(2028, 2, 3), D(2028, 2, 29)),
        # 31 Dec is already the month end: + 30 = 30 Jan.
        (PaymentTerms.end_of_month(30), D(2026, 12, 31), D(2027, 1, 30)),
        # a fixed day of the next month, issued on or after that day: still next month.
        (PaymentTerms.day_of_next_month(10), D(2026, 1, 10), D(2026, 2, 10)),
        (PaymentTerms.day_of_next_month(10), D(2026, 1, 25), D(2026, 2, 10)),
        (PaymentTerms.day_of_next_month(10), D(2026, 12, 31), D(2027, 1, 10)),
        # the 31st of February is its last day (leap year too).
        (PaymentTerms.day_of_next_month(31), D(2026, 1, 31), D(2026, 2, 28)),
        (PaymentTerms.day_of_next_month(31), D(2028, 1, 31), D(2028, 2, 29)),
        (PaymentTerms.day_of_next_month(30), D(2026, 3, 31), D(2026, 4, 30)),
    ],
)
def test_due_dates(terms: PaymentTerms, issued: dt.date, due: dt.date) -> None:
    assert terms.due_date(issued) == due


def test_early_payment_discount_dates_and_amounts() -> None:
    terms = PaymentTerms.net(30, discount_percent=Decimal("2"), discount_days=10)
    # 31 Jan + 10 days = 10 Feb (ERPNext/Odoo: discount date = invoice date + discount days).
    assert terms.discount_date(D(2026, 1, 31)) == D(2026, 2, 10)
    # 2 % of 1001 JPY = 20.02 → 20 (no minor unit); 2 % of 10.025 KWD = 0.2005 → 0.201 half-up.
    assert terms.discount_amount(Money.of("1001", "JPY")) == Money.of("20", "JPY")
    assert terms.discount_amount(Money.of("10.025", "KWD")) == Money.of("0.201", "KWD")
    assert terms.discounted_amount(Money.of("100.00", "EUR")) == Money.of("98.00", "EUR")
    # the discount period never outlasts the due date: EOM+0 from 25 Jan is 31 Jan.
    eom = PaymentTerms.end_of_month(0, discount_percent=Decimal("3"), discount_days=10)
    assert eom.discount_date(D(2026, 1, 25)) == D(2026, 1, 31)
    assert PaymentTerms.net(30).discount_date(D(2026, 1, 1)) is None


def test_describe_prints_percentages_plainly() -> None:
    ten = PaymentTerms.net(30, discount_percent=Decimal("1E+1"), discount_days=10)
    assert ten.describe() == "10% 10 days, net 30 days"
    half = PaymentTerms.net(30, discount_percent=Decimal("2.50"), discount_days=10)
    assert half.describe() == "2.5% 10 days, net 30 days"


@pytest.mark.parametrize(
    "issued", ["2026-01-31", dt.datetime(2026, 1, 31, 12, tzinfo=dt.UTC), None, D(9999, 12, 1)]
)
def test_due_date_refuses_what_is_not_a_usable_date(issued: object) -> None:
    terms = PaymentTerms.net(30, discount_percent=Decimal("2"), discount_days=10)
    with pytest.raises(ValidationError, match="issue date"):
        terms.due_date(issued)  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="issue date"):
        terms.discount_date(issued)  # type: ignore[arg-type]


def test_discount_amount_refuses_non_money() -> None:
    terms = PaymentTerms.net(30, discount_percent=Decimal("2"), discount_days=10)
    with pytest.raises(ValidationError, match="not Money"):
        terms.discount_amount("100")  # type: ignore[arg-type]


@given(
    issued=st.dates(min_value=D(1900, 1, 1), max_value=D(2200, 12, 31)),
    days=st.integers(0, 120),
    day=st.integers(1, 31),
)
def test_due_date_rules_hold_for_every_issue_date(issued: dt.date, days: int, day: int) -> None:
    net = PaymentTerms.net(days).due_date(issued)
    assert (net - issued).days == days
    month_end = issued.replace(day=calendar.monthrange(issued.year, issued.month)[1])
    assert PaymentTerms.end_of_month(days).due_date(issued) == month_end + dt.timedelta(days)
    fixed = PaymentTerms.day_of_next_month(day).due_date(issued)
    following = month_end + dt.timedelta(days=1)
    assert (fixed.year, fixed.month) == (following.year, following.month)
    assert fixed.day == min(day, calendar.monthrange(fixed.year, fixed.month)[1])
    assert fixed > issued


# -- numbering --------------------------------------------------------------------------------


def test_month_may_be_formatted_as_a_number() -> None:
    day = D(2026, 5, 4)
    # used to pass validation (an int) and then raise a bare ValueError on a str "05".
    assert NumberFormat("{series}-{year}{month:02d}-{number:05d}").format("INV", day, 7) == (
        "INV-202605-00007"
    )
    assert NumberFormat("{series}/{year}/{month}/{number}").format("INV", day, 7) == (
        "INV/2026/05/7"
    )


@pytest.mark.parametrize(
    "pattern",
    [
        "{series}-{year}-{number:.0e}",  # 120 and 123 would both print 1e+02
        "{series}-{year}-{number!s:.2}",  # 123 and 129 would both print 12
        "{series}-{year!s:.2}-{number}",  # 2026 and 2027 would both print 20
        "{series}-{year}-{number:c}",
        "{series}-{year}-{number:.1%}",
        "{series}-{year}-{number:n}",  # locale-dependent
    ],
)
def test_number_formats_that_could_print_two_numbers_alike_are_refused(pattern: str) -> None:
    with pytest.raises(ValidationError, match="whole-number formats"):
        NumberFormat(pattern)


@pytest.mark.parametrize(
    ("pattern", "printed"),
    [
        ("{series}-{year}-{number:06d}", "INV-2026-001234"),
        ("{series}-{year}-{number:_}", "INV-2026-1_234"),
        ("{series}{year:04d}{number:0>6}", "INV2026001234"),
        ("{series}-{year}-{number:X}", "INV-2026-4D2"),
    ],
)
def test_whole_number_formats_are_accepted(pattern: str, printed: str) -> None:
    assert NumberFormat(pattern).format("INV", D(2026, 3, 1), 1234) == printed


@given(st.integers(1, 10**9), st.integers(1, 10**9))
def test_formatted_numbers_are_unique_within_a_series(a: int, b: int) -> None:
    fmt = NumberFormat("{series}-{year}-{number:06d}")
    day = D(2026, 12, 31)
    assert (fmt.format("INV", day, a) == fmt.format("INV", day, b)) == (a == b)


# -- split invoices and credit notes ----------------------------------------------------------


def _line(
    index: int, quantity: int, unit: Decimal, currency: str, rates: list[str]
) -> InvoiceableLine:
    unit_price = Money.of(unit, currency)
    gross = (unit_price * quantity).round()
    discount = (gross * Decimal("0.1")).round()
    net = gross - discount
    taxes = tuple(
        LineTax(TaxCategory.STANDARD, Decimal(rate), (net * (Decimal(rate) / 100)).round())
        for rate in rates
    )
    return InvoiceableLine(
        LineId(f"L{index}"),
        Sku(f"SKU{index}"),
        f"Item {index}",
        quantity,
        unit_price,
        gross,
        discount,
        net,
        taxes,
    )


_RATES = st.lists(
    st.sampled_from(["19", "7", "6.25", "1", "20"]), min_size=1, max_size=2, unique=True
)


@st.composite
def _orders(draw: st.DrawFn) -> tuple[InvoicingLedger, list[dict[LineId, int]]]:
    currency = draw(st.sampled_from(["EUR", "JPY", "KWD"]))
    exponent = {"EUR": 2, "JPY": 0, "KWD": 3}[currency]
    count = draw(st.integers(1, 4))
    lines = []
    for index in range(count):
        quantity = draw(st.integers(1, 7))
        cents = draw(st.integers(1, 10**6))
        lines.append(
            _line(index, quantity, Decimal(cents).scaleb(-exponent), currency, draw(_RATES))
        )
    ledger = InvoicingLedger.open(OrderId("O1"), lines)
    # shipments: cumulative shipped figures that grow; the last one ships everything.
    steps = []
    shipped = {line.line_id: 0 for line in lines}
    for _ in range(draw(st.integers(0, 3))):
        for line in lines:
            shipped[line.line_id] = draw(st.integers(shipped[line.line_id], line.quantity))
        steps.append(dict(shipped))
    steps.append({line.line_id: line.quantity for line in lines})
    return ledger, steps


def _issue(ledger: InvoicingLedger, shipped: dict[LineId, int], n: int) -> Invoice | None:
    try:
        draft = draft_invoice(
            ledger,
            policy=InvoicingPolicy.ON_SHIPMENT,
            seller=SELLER,
            buyer=BUYER,
            payment_terms=PaymentTerms.net(30),
            shipped=shipped,
        )
    except InvalidQuantity:
        return None
    return draft.issue(n, series="INV", issued_on=D(2026, 1, 31))


@given(_orders())
def test_split_invoices_add_up_per_line_and_per_rate_then_credit_back_to_zero(
    order: tuple[InvoicingLedger, list[dict[LineId, int]]],
) -> None:
    ledger, steps = order
    invoices: list[Invoice] = []
    for shipped in steps:
        invoice = _issue(ledger, shipped, len(invoices) + 1)
        if invoice is not None:
            ledger = ledger.record(invoice)
            invoices.append(invoice)
    assert ledger.fully_invoiced
    for line in ledger.lines:
        done = ledger.invoiced(line.line_id)
        assert (done.quantity, done.gross, done.discount, done.net) == (
            line.quantity,
            line.gross,
            line.discount,
            line.net,
        )
        for tax in line.taxes:
            assert done.tax_at(tax.key) == tax.amount
    # per rate: the invoices' breakdowns add up to the order's tax per rate.
    per_rate: dict[tuple[TaxCategory, Decimal], Money] = {}
    for invoice in invoices:
        for row in invoice.tax_breakdown:
            key = (row.category, row.percent)
            per_rate[key] = per_rate.get(key, Money.zero(ledger.currency)) + row.tax
    expected: dict[tuple[TaxCategory, Decimal], Money] = {}
    for line in ledger.lines:
        for tax in line.taxes:
            expected[tax.key] = expected.get(tax.key, Money.zero(ledger.currency)) + tax.amount
    assert per_rate == expected
    # credit every unit back, one unit at a time, newest invoice first.
    number = 0
    for line in ledger.lines:
        while ledger.creditable_quantity(line.line_id):
            for invoice_number, units in ledger.credit_plan({line.line_id: 1}).items():
                invoice = next(i for i in invoices if i.number == invoice_number)
                note = draft_credit_note(
                    ledger, invoice, reason=CreditReason.RETURN, quantities=units
                )
                number += 1
                ledger = ledger.record(note.issue(number, series="CN", issued_on=D(2026, 2, 1)))
    assert ledger.credited_total() == ledger.invoiced_total()
    for line in ledger.lines:
        assert ledger.credited(line.line_id).net == line.net


def _one_line_invoice() -> tuple[InvoicingLedger, Invoice]:
    line = _line(1, 2, Decimal("50.00"), "EUR", ["19"])
    ledger = InvoicingLedger.open(OrderId("O1"), [line])
    invoice = draft_invoice(
        ledger,
        policy=InvoicingPolicy.ON_CONFIRMATION,
        seller=SELLER,
        buyer=BUYER,
        payment_terms=PaymentTerms.net(30),
    ).issue(1, series="INV", issued_on=D(2026, 1, 31))
    return ledger.record(invoice), invoice


def test_a_credit_note_cannot_take_more_discount_than_was_invoiced() -> None:
    ledger, invoice = _one_line_invoice()
    eur = invoice.currency.code
    # the line: 2 × 50.00 = 100.00 gross, 10 % discount 10.00, net 90.00, 19 % tax 17.10.
    billed = invoice.lines[0]  # gross 100.00, discount 10.00, net 90.00, tax 17.10
    # gross 100 and net 40 are each within what was invoiced, but a discount of 60
    # is not: it would leave -50 of discount behind.
    greedy = DocumentLine(
        billed.line_id,
        billed.sku,
        billed.description,
        1,
        billed.unit_price,
        Money.of("100.00", eur),
        Money.of("60.00", eur),
        Money.of("40.00", eur),
        (LineTax(TaxCategory.STANDARD, Decimal("19"), Money.of("7.60", eur)),),
    )
    forged = CreditNoteDraft(
        ledger.order_id,
        invoice.number,
        CreditReason.RETURN,
        invoice.currency,
        SELLER,
        BUYER,
        (greedy,),
    ).issue(1, series="CN", issued_on=D(2026, 2, 1))
    with pytest.raises(InvalidQuantity, match="discount"):
        ledger.record(forged)


def test_price_correction_then_returns_never_exceed_the_invoice() -> None:
    ledger, invoice = _one_line_invoice()
    line_id = invoice.lines[0].line_id
    fix = draft_credit_note(
        ledger,
        invoice,
        reason=CreditReason.PRICE_CORRECTION,
        amounts={line_id: Money.of("30.00", "EUR")},
    ).issue(1, series="CN", issued_on=D(2026, 2, 1))
    # 30.00 of the 90.00 net; tax in proportion: 17.10 × 30/90 = 5.70.
    assert fix.totals.net == Money.of("30.00", "EUR")
    assert fix.totals.tax == Money.of("5.70", "EUR")
    ledger = ledger.record(fix)
    back = draft_credit_note(
        ledger, invoice, reason=CreditReason.RETURN, quantities={line_id: 2}
    ).issue(2, series="CN", issued_on=D(2026, 2, 2))
    ledger = ledger.record(back)
    # what is left is credited: 60.00 net and 11.40 tax; nothing more can be credited.
    assert back.totals.net == Money.of("60.00", "EUR")
    assert back.totals.tax == Money.of("11.40", "EUR")
    assert ledger.credited_total() == ledger.invoiced_total()
    with pytest.raises(InvalidQuantity):
        draft_credit_note(
            ledger,
            invoice,
            reason=CreditReason.PRICE_CORRECTION,
            amounts={line_id: Money.of("0.01", "EUR")},
        )


# -- renderings -------------------------------------------------------------------------------


def _cols(text: str) -> int:
    return sum(
        0 if unicodedata.combining(c) else 2 if unicodedata.east_asian_width(c) in "WF" else 1
        for c in text
    )


def _invoice_with(descriptions: list[str], currency: str, unit: str) -> Invoice:
    lines = [
        InvoiceableLine(
            LineId(f"L{i}"),
            Sku(f"S{i}"),
            text,
            3,
            Money.of(unit, currency),
            (Money.of(unit, currency) * 3).round(),
            Money.zero(currency),
            (Money.of(unit, currency) * 3).round(),
            (LineTax(TaxCategory.ZERO_RATED, Decimal(0), Money.zero(currency)),),
        )
        for i, text in enumerate(descriptions)
    ]
    ledger = InvoicingLedger.open(OrderId("O<1>"), lines)
    return draft_invoice(
        ledger,
        policy=InvoicingPolicy.ON_CONFIRMATION,
        seller=SELLER,
        buyer=BUYER,
        payment_terms=PaymentTerms.net(14),
        note="Thanks & <goodbye>",
    ).issue(1, series="INV", issued_on=D(2026, 1, 31))


@pytest.mark.parametrize(("currency", "unit"), [("JPY", "123456789"), ("KWD", "1234.567")])
def test_text_columns_line_up_for_wide_names_and_line_breaks(currency: str, unit: str) -> None:
    names = ["日本語の商品名", "Crème brûlée\u0301 set", "two\nlines\tand a tab", "x" * 60]
    text = render_text(_invoice_with(names, currency, unit))
    rows = text.splitlines()
    header = next(i for i, row in enumerate(rows) if row.startswith("Description"))
    table = rows[header : header + 2 + len(names)]
    # every row ends its Net/Tax columns at the same display column
    assert len({_cols(row) for row in table[2:]} | {_cols(table[1])}) == 1
    assert all("\t" not in row for row in table)
    # 0-decimal currencies print no decimals, 3-decimal ones three:
    # each line nets 3 × unit, the invoice 4 × 3 × unit (zero-rated, so gross = net).
    exponent = Money.zero(currency).currency.exponent
    quantum = Decimal(1).scaleb(-exponent)
    line_net = (Decimal(unit) * 3).quantize(quantum)
    assert all(f"{line_net:,f}" in row for row in table[2:])
    assert f"Amount due  {(line_net * 4):,f} {currency}" in text


def test_html_escapes_every_text() -> None:
    doc = _invoice_with(["<img src=x onerror=alert(1)>"], "EUR", "1.00")
    page = render_html(doc)
    assert "<img" not in page
    assert "&lt;img src=x onerror=alert(1)&gt;" in page
    assert "O&lt;1&gt;" in page
    assert "Thanks &amp; &lt;goodbye&gt;" in page
    assert "Seller &amp; Söhne" in page


# -- bad input ----------------------------------------------------------------------------------


def test_wrongly_typed_arguments_raise_validation_errors_not_attribute_errors() -> None:
    ledger, invoice = _one_line_invoice()
    draft = draft_invoice(
        InvoicingLedger.open(OrderId("O2"), [_line(1, 2, Decimal("1.00"), "EUR", ["19"])]),
        policy=InvoicingPolicy.ON_CONFIRMATION,
        seller=SELLER,
        buyer=BUYER,
        payment_terms=PaymentTerms.net(30),
    )
    calls: list[Callable[[], object]] = [
        lambda: draft.issue(1, series="INV", issued_on=D(2026, 1, 1), paid="1.00"),  # type: ignore[arg-type]
        lambda: ledger.record("INV-1"),  # type: ignore[arg-type]
        lambda: ledger.credit_plan([LineId("L1")]),  # type: ignore[arg-type]
        lambda: render_text("INV-1"),  # type: ignore[arg-type]
        lambda: render_html(None),  # type: ignore[arg-type]
        lambda: InvoiceIssued.of("INV-1"),  # type: ignore[arg-type]
        lambda: CreditNoteIssued.of(invoice),  # type: ignore[arg-type]
        lambda: draft_invoice(
            ledger,
            policy=InvoicingPolicy.ON_SHIPMENT,
            seller=SELLER,
            buyer=BUYER,
            payment_terms=PaymentTerms.net(30),
            shipped=[(LineId("L1"), 1)],  # type: ignore[arg-type]
        ),
    ]
    for call in calls:
        with pytest.raises(ValidationError):
            call()


@given(_orders(), st.data())
def test_random_credits_never_exceed_what_each_invoice_billed(
    order: tuple[InvoicingLedger, list[dict[LineId, int]]], data: st.DataObject
) -> None:
    ledger, steps = order
    invoices: list[Invoice] = []
    for shipped in steps:
        invoice = _issue(ledger, shipped, len(invoices) + 1)
        if invoice is not None:
            ledger = ledger.record(invoice)
            invoices.append(invoice)
    for number in range(1, 8):
        invoice = data.draw(st.sampled_from(invoices))
        line = data.draw(st.sampled_from(invoice.lines))
        left_units = ledger.creditable_quantity(line.line_id, invoice.number)
        left_net = (
            ledger.invoiced(line.line_id, invoice.number).net
            - ledger.credited(line.line_id, invoice.number).net
        )
        try:
            if data.draw(st.booleans()):
                draft = draft_credit_note(
                    ledger,
                    invoice,
                    reason=CreditReason.RETURN,
                    quantities={line.line_id: data.draw(st.integers(1, max(1, left_units + 1)))},
                )
            else:
                units = data.draw(st.integers(1, max(1, left_net.minor_units + 1)))
                draft = draft_credit_note(
                    ledger,
                    invoice,
                    reason=CreditReason.PRICE_CORRECTION,
                    amounts={line.line_id: Money.from_minor_units(units, ledger.currency)},
                )
        except InvalidQuantity:
            continue
        ledger = ledger.record(draft.issue(number, series="CN", issued_on=D(2026, 2, 1)))
    for invoice in invoices:
        for line in invoice.lines:
            billed = ledger.invoiced(line.line_id, invoice.number)
            credited = ledger.credited(line.line_id, invoice.number)
            assert credited.quantity <= billed.quantity
            assert credited.gross <= billed.gross
            assert credited.discount <= billed.discount
            assert credited.net <= billed.net
            for tax in billed.taxes:
                assert credited.tax_at(tax.key) <= tax.amount
    assert ledger.credited_total() <= ledger.invoiced_total()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("payment_terms", "net 30"),
        ("seller", "Seller GmbH"),
        ("totals", None),
        ("sequence_number", "1"),
        ("supplied_on", dt.datetime(2026, 1, 31, tzinfo=dt.UTC)),
        ("note", 5),
    ],
)
def test_a_hand_built_invoice_with_a_wrongly_typed_field_is_refused(
    field: str, value: object
) -> None:
    _, invoice = _one_line_invoice()
    with pytest.raises(ValidationError, match=field):
        attrs.evolve(invoice, **{field: value})  # type: ignore[arg-type]
