"""Credit notes never exceed what was invoiced, per line, per rate and in total."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from orderkit.errors import DuplicateRequest, InvalidQuantity, ValidationError
from orderkit.ids import LineId, OrderId, Sku
from orderkit.invoicing import (
    CreditNote,
    CreditReason,
    Invoice,
    InvoiceableLine,
    InvoicingLedger,
    InvoicingPolicy,
    LineKind,
    LineTax,
    Party,
    PaymentTerms,
    PostalAddress,
    TaxCategory,
    draft_credit_note,
    draft_invoice,
)
from orderkit.money import Money
from orderkit.testing.strategies import invoicing_ledgers

SELLER = Party("Acme GmbH", PostalAddress(("Hauptstr. 1",), "Berlin", "DE", "10115"), "DE1")
BUYER = Party("Bob", PostalAddress(("1 Main St",), "Paris", "FR", "75001"), "FR1")
DAY = dt.date(2026, 3, 1)


def eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


def priced(
    line_id: str, quantity: int, unit: str, rates: tuple[str, ...] = ("19",)
) -> InvoiceableLine:
    gross = eur(unit) * quantity
    taxes = tuple(
        LineTax(TaxCategory.STANDARD, Decimal(r), (gross * (Decimal(r) / 100)).round())
        for r in rates
    )
    return InvoiceableLine(
        LineId(line_id),
        Sku(line_id),
        f"Item {line_id}",
        quantity,
        eur(unit),
        gross,
        eur("0"),
        gross,
        taxes,
    )


def invoice_all(ledger: InvoicingLedger, number: int = 1) -> tuple[InvoicingLedger, Invoice]:
    invoice = draft_invoice(
        ledger,
        policy=InvoicingPolicy.ON_CONFIRMATION,
        seller=SELLER,
        buyer=BUYER,
        payment_terms=PaymentTerms.net(14),
        supplied_on=DAY,
    ).issue(number, series="INV", issued_on=DAY)
    return ledger.record(invoice), invoice


def credit(
    ledger: InvoicingLedger,
    invoice: Invoice,
    number: int,
    *,
    quantities: dict[LineId, int] | None = None,
    amounts: dict[LineId, Money] | None = None,
    reason: CreditReason = CreditReason.RETURN,
) -> tuple[InvoicingLedger, CreditNote]:
    note = draft_credit_note(
        ledger, invoice, reason=reason, quantities=quantities, amounts=amounts
    ).issue(number, series="CN", issued_on=DAY)
    return ledger.record(note), note


def test_returning_every_unit_credits_exactly_the_invoice() -> None:
    ledger = InvoicingLedger.open(OrderId("o1"), [priced("a", 3, "3.33"), priced("b", 1, "7")])
    ledger, invoice = invoice_all(ledger)
    ledger, first = credit(ledger, invoice, 1, quantities={LineId("a"): 1})
    ledger, second = credit(
        ledger,
        invoice,
        2,
        quantities={LineId("a"): 2, LineId("b"): 1},
        reason=CreditReason.CANCELLATION,
    )
    assert first.totals.gross + second.totals.gross == invoice.totals.gross
    assert ledger.credited_total() == ledger.invoiced_total()
    assert first.corrects == invoice.number
    assert first.reason is CreditReason.RETURN
    with pytest.raises(InvalidQuantity, match="only 0 of 3"):
        draft_credit_note(ledger, invoice, reason=CreditReason.RETURN, quantities={LineId("a"): 1})


def test_price_correction_credits_tax_in_proportion_and_caps_later_returns() -> None:
    ledger = InvoicingLedger.open(OrderId("o1"), [priced("a", 4, "25.00", ("19", "2"))])
    ledger, invoice = invoice_all(ledger)
    ledger, fix = credit(
        ledger,
        invoice,
        1,
        amounts={LineId("a"): eur("10.00")},
        reason=CreditReason.PRICE_CORRECTION,
    )
    doc_line = fix.lines[0]
    assert doc_line.quantity == 0
    assert doc_line.description.startswith("Price correction")
    assert [t.amount for t in doc_line.taxes] == [eur("1.90"), eur("0.20")]
    ledger, back = credit(ledger, invoice, 2, quantities={LineId("a"): 4})
    assert back.totals.net == eur("90.00")
    assert fix.totals.gross + back.totals.gross == invoice.totals.gross
    with pytest.raises(InvalidQuantity, match=r"at most the 0\.00 EUR"):
        draft_credit_note(
            ledger, invoice, reason=CreditReason.PRICE_CORRECTION, amounts={LineId("a"): eur("1")}
        )


def test_bad_credit_requests_are_refused() -> None:
    ledger = InvoicingLedger.open(OrderId("o1"), [priced("a", 2, "5"), priced("b", 1, "5")])
    ledger, invoice = invoice_all(ledger)
    with pytest.raises(ValidationError, match="needs quantities or amounts"):
        draft_credit_note(ledger, invoice, reason=CreditReason.RETURN)
    with pytest.raises(ValidationError, match="both quantities and amounts"):
        draft_credit_note(
            ledger,
            invoice,
            reason=CreditReason.RETURN,
            quantities={LineId("a"): 1},
            amounts={LineId("a"): eur("1")},
        )
    with pytest.raises(ValidationError, match="does not bill line 'zz'"):
        draft_credit_note(ledger, invoice, reason=CreditReason.RETURN, quantities={LineId("zz"): 1})
    with pytest.raises(InvalidQuantity, match="credit 3 units, only 2"):
        draft_credit_note(ledger, invoice, reason=CreditReason.RETURN, quantities={LineId("a"): 3})
    with pytest.raises(InvalidQuantity, match="whole number >= 1"):
        draft_credit_note(ledger, invoice, reason=CreditReason.RETURN, quantities={LineId("a"): 0})
    with pytest.raises(InvalidQuantity, match=r"at most the 10\.00 EUR"):
        draft_credit_note(
            ledger, invoice, reason=CreditReason.PRICE_CORRECTION, amounts={LineId("a"): eur("11")}
        )
    with pytest.raises(ValidationError, match="not Money in EUR"):
        draft_credit_note(
            ledger,
            invoice,
            reason=CreditReason.PRICE_CORRECTION,
            amounts={LineId("a"): Money.of("1", "USD")},
        )
    fresh = InvoicingLedger.open(OrderId("o1"), [priced("a", 2, "5"), priced("b", 1, "5")])
    with pytest.raises(ValidationError, match="not recorded in the ledger"):
        draft_credit_note(fresh, invoice, reason=CreditReason.RETURN, quantities={LineId("a"): 1})


def test_recording_checks_credit_notes_again() -> None:
    ledger = InvoicingLedger.open(OrderId("o1"), [priced("a", 2, "5")])
    ledger, invoice = invoice_all(ledger)
    note = draft_credit_note(
        ledger, invoice, reason=CreditReason.RETURN, quantities={LineId("a"): 2}
    ).issue(1, series="CN", issued_on=DAY)
    later = ledger.record(note)
    with pytest.raises(DuplicateRequest, match="CN-2026-000001"):
        later.record(note)
    other = draft_credit_note(
        ledger, invoice, reason=CreditReason.RETURN, quantities={LineId("a"): 1}
    ).issue(2, series="CN", issued_on=DAY)
    with pytest.raises(InvalidQuantity, match="would credit 3 of 2"):
        later.record(other)
    fresh = InvoicingLedger.open(OrderId("o1"), [priced("a", 2, "5")])
    with pytest.raises(ValidationError, match="which is not an invoice"):
        fresh.record(note)


@st.composite
def credit_plans(
    draw: st.DrawFn,
) -> tuple[InvoicingLedger, list[tuple[dict[LineId, int], dict[LineId, int]]]]:
    """A ledger and a list of credit requests (units, or per-mille of the net left)."""
    ledger = draw(invoicing_ledgers(max_lines=4))
    plan = []
    ids = [ol.line_id for ol in ledger.lines]
    for _ in range(draw(st.integers(1, 6))):
        chosen = draw(st.lists(st.sampled_from(ids), min_size=1, unique=True))
        split = draw(st.integers(0, len(chosen)))
        units = {i: draw(st.integers(1, 25)) for i in chosen[:split]}
        share = {i: draw(st.integers(1, 1000)) for i in chosen[split:]}
        plan.append((units, share))
    return ledger, plan


@given(credit_plans())
def test_credit_notes_never_exceed_what_was_invoiced(
    case: tuple[InvoicingLedger, list[tuple[dict[LineId, int], dict[LineId, int]]]],
) -> None:
    ledger, plan = case
    ledger, invoice = invoice_all(ledger)
    number = 0
    for units, share in plan:
        amounts = {}
        for line_id, per_mille in share.items():
            left = ledger.invoiced(line_id).net - ledger.credited(line_id).net
            amounts[line_id] = Money.from_minor_units(
                left.minor_units * per_mille // 1000, ledger.currency
            )
        try:
            draft = draft_credit_note(
                ledger, invoice, reason=CreditReason.RETURN, quantities=units, amounts=amounts
            )
        except (InvalidQuantity, ValidationError):
            continue
        number += 1
        note = draft.issue(number, series="CN", issued_on=DAY)
        assert note.totals.net + note.totals.tax == note.totals.gross
        ledger = ledger.record(note)
        for ol in ledger.lines:
            invoiced, credited = ledger.invoiced(ol.line_id), ledger.credited(ol.line_id)
            assert credited.quantity <= invoiced.quantity
            assert credited.net <= invoiced.net
            assert credited.gross <= invoiced.gross
            for tax in invoiced.taxes:
                assert credited.tax_at(tax.key) <= tax.amount
        assert ledger.credited_total() <= ledger.invoiced_total()
    for ol in ledger.lines:
        remaining = ol.quantity - ledger.credited(ol.line_id).quantity
        if remaining:
            ledger, _ = credit(ledger, invoice, number + 1, quantities={ol.line_id: remaining})
            number += 1
    for ol in ledger.lines:
        assert ledger.credited(ol.line_id).net == ledger.invoiced(ol.line_id).net
        assert ledger.credited(ol.line_id).tax == ledger.invoiced(ol.line_id).tax


class InvoicingMachine(RuleBasedStateMachine):
    """Ship, invoice and credit in any order; the ledger never over-invoices or over-credits."""

    def __init__(self) -> None:
        super().__init__()
        self.ledger = InvoicingLedger.open(
            OrderId("o-sm"),
            [
                priced("a", 5, "3.33", ("19",)),
                priced("b", 3, "0.10", ("7", "1")),
                InvoiceableLine(
                    LineId("ship"),
                    Sku("SHIP"),
                    "Shipping",
                    1,
                    eur("4.99"),
                    eur("4.99"),
                    eur("0"),
                    eur("4.99"),
                    (LineTax(TaxCategory.STANDARD, Decimal("19"), eur("0.95")),),
                    kind=LineKind.CHARGE,
                ),
            ],
        )
        self.shipped = {LineId("a"): 0, LineId("b"): 0}
        self.invoices: list[Invoice] = []
        self.numbers = 0

    @rule(line=st.sampled_from([LineId("a"), LineId("b")]), units=st.integers(1, 3))
    def ship(self, line: LineId, units: int) -> None:
        self.shipped[line] = min(self.shipped[line] + units, self.ledger.line(line).quantity)

    @rule()
    def invoice_shipped(self) -> None:
        before = self.ledger
        try:
            draft = draft_invoice(
                self.ledger,
                policy=InvoicingPolicy.ON_SHIPMENT,
                seller=SELLER,
                buyer=BUYER,
                payment_terms=PaymentTerms.net(30),
                supplied_on=DAY,
                shipped=dict(self.shipped),
            )
        except InvalidQuantity:
            assert all(before.invoiced(i).quantity == q for i, q in self.shipped.items())
            return
        self.numbers += 1
        invoice = draft.issue(self.numbers, series="INV", issued_on=DAY)
        self.ledger = self.ledger.record(invoice)
        self.invoices.append(invoice)

    @precondition(lambda self: bool(self.invoices))
    @rule(data=st.data())
    def credit_some(self, data: st.DataObject) -> None:
        invoice = data.draw(st.sampled_from(self.invoices))
        doc_line = data.draw(st.sampled_from(invoice.lines))
        units = data.draw(st.integers(1, 3))
        try:
            draft = draft_credit_note(
                self.ledger,
                invoice,
                reason=CreditReason.RETURN,
                quantities={doc_line.line_id: units},
            )
        except InvalidQuantity:
            left = (
                doc_line.quantity - self.ledger.credited(doc_line.line_id, invoice.number).quantity
            )
            assert units > left
            return
        self.numbers += 1
        self.ledger = self.ledger.record(draft.issue(self.numbers, series="CN", issued_on=DAY))

    @invariant()
    def never_over_invoiced_or_over_credited(self) -> None:
        for ol in self.ledger.lines:
            invoiced = self.ledger.invoiced(ol.line_id)
            limit = self.shipped.get(ol.line_id, ol.quantity)
            assert invoiced.quantity <= limit
            assert invoiced.net <= ol.net
            for tax in ol.taxes:
                assert invoiced.tax_at(tax.key) <= tax.amount
            for number in self.ledger.invoice_numbers:
                on = self.ledger.invoiced(ol.line_id, number)
                back = self.ledger.credited(ol.line_id, number)
                assert back.quantity <= on.quantity
                assert back.net <= on.net
                assert back.tax <= on.tax
            if invoiced.quantity == ol.quantity:
                assert invoiced.net == ol.net
                assert invoiced.tax == ol.tax


TestInvoicingMachine = InvoicingMachine.TestCase
TestInvoicingMachine.settings = settings(max_examples=30, stateful_step_count=25, deadline=None)


def test_credit_plan_takes_units_back_from_the_newest_invoice_first() -> None:
    ledger = InvoicingLedger.open(OrderId("o1"), [priced("a", 5, "2"), priced("b", 2, "3")])
    invoices = []
    for number, shipped in enumerate(({"a": 2}, {"a": 4, "b": 2}, {"a": 5, "b": 2}), start=1):
        draft = draft_invoice(
            ledger,
            policy=InvoicingPolicy.ON_SHIPMENT,
            seller=SELLER,
            buyer=BUYER,
            payment_terms=PaymentTerms.net(30),
            shipped={LineId(k): v for k, v in shipped.items()},
        )
        invoice = draft.issue(number, series="INV", issued_on=DAY)
        ledger = ledger.record(invoice)
        invoices.append(invoice.number)
    plan = ledger.credit_plan({LineId("a"): 4, LineId("b"): 1})
    assert plan == {
        invoices[0]: {LineId("a"): 1},
        invoices[1]: {LineId("a"): 2, LineId("b"): 1},
        invoices[2]: {LineId("a"): 1},
    }
    with pytest.raises(InvalidQuantity, match="cannot credit 6 units, 5 invoiced"):
        ledger.credit_plan({LineId("a"): 6})
    with pytest.raises(InvalidQuantity, match="cannot credit 0 units"):
        ledger.credit_plan({LineId("a"): 0})


@st.composite
def split_invoiced(draw: st.DrawFn) -> tuple[InvoicingLedger, dict[str, Invoice]]:
    """A ledger invoiced over several random shipments."""
    ledger = draw(invoicing_ledgers(max_lines=3))
    invoices: dict[str, Invoice] = {}
    shipped = {ol.line_id: 0 for ol in ledger.lines if ol.kind is LineKind.GOODS}
    for _ in range(draw(st.integers(1, 4))):
        for ol in ledger.lines:
            if ol.line_id in shipped:
                shipped[ol.line_id] = draw(st.integers(shipped[ol.line_id], ol.quantity))
        try:
            draft = draft_invoice(
                ledger,
                policy=InvoicingPolicy.ON_SHIPMENT,
                seller=SELLER,
                buyer=BUYER,
                payment_terms=PaymentTerms.net(30),
                shipped=dict(shipped),
            )
        except InvalidQuantity:
            continue
        invoice = draft.issue(len(invoices) + 1, series="INV", issued_on=DAY)
        ledger = ledger.record(invoice)
        invoices[invoice.number] = invoice
    return ledger, invoices


@given(split_invoiced(), st.data())
def test_returns_planned_over_invoices_can_always_be_credited(
    case: tuple[InvoicingLedger, dict[str, Invoice]], data: st.DataObject
) -> None:
    ledger, invoices = case
    number = 0
    for _ in range(3):
        open_lines = [ol.line_id for ol in ledger.lines if ledger.creditable_quantity(ol.line_id)]
        if not open_lines:
            break
        chosen = data.draw(st.lists(st.sampled_from(open_lines), min_size=1, unique=True))
        wanted = {i: data.draw(st.integers(1, ledger.creditable_quantity(i))) for i in chosen}
        before = {i: ledger.creditable_quantity(i) for i in wanted}
        plan = ledger.credit_plan(wanted)
        assert {i: sum(q.get(i, 0) for q in plan.values()) for i in wanted} == wanted
        for invoice_number, quantities in plan.items():
            number += 1
            ledger, _ = credit(ledger, invoices[invoice_number], number, quantities=quantities)
        assert {i: ledger.creditable_quantity(i) for i in wanted} == {
            i: before[i] - wanted[i] for i in wanted
        }
        assert ledger.credited_total() <= ledger.invoiced_total()
