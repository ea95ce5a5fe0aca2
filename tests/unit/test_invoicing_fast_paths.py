"""Drafting, issuing and recording build what the checking constructors accept, unchanged.

The library reads a ledger's invoiced lines once per draft or record (not once
per line), builds drafted lines and issued invoices without re-running checks
their own arithmetic guarantees, and records without re-checking the order's
lines. A draft computes its tax breakdown and totals once, when drafted, so
issuing only stamps the number; and what is drafted from a ledger is what that
ledger records (the service relies on it to draw the number last and not
re-check the issued invoice). These properties hold every such value to the
checking constructors (``attrs.evolve`` re-runs them), the drafted sums to
fresh ones, and the quantities to the per-line queries.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderkit.errors import ValidationError
from orderkit.ids import LineId, OrderId, Sku
from orderkit.invoicing import (
    Invoice,
    InvoiceableLine,
    InvoiceDraft,
    InvoicingLedger,
    InvoicingPolicy,
    LineKind,
    LineTax,
    Party,
    PaymentTerms,
    PostalAddress,
    TaxCategory,
    compute_totals,
    draft_invoice,
    invoiceable_quantities,
    tax_breakdown,
)
from orderkit.invoicing._drafting import _invoice_line
from orderkit.invoicing._ledger import LineAmounts
from orderkit.money import Money
from orderkit.serialization import converter
from orderkit.testing.strategies import invoiceable_lines, invoicing_ledgers, parties, payment_terms

DAY = dt.date(2026, 3, 2)


def per_line_quantities(
    ledger: InvoicingLedger, policy: InvoicingPolicy, shipped: Mapping[LineId, int] | None
) -> dict[LineId, int]:
    """What the next invoice bills, asked line by line through the public queries."""
    if policy is InvoicingPolicy.ON_CONFIRMATION:
        wanted = {line.line_id: ledger.uninvoiced_quantity(line.line_id) for line in ledger.lines}
        return {line_id: q for line_id, q in wanted.items() if q}
    assert shipped is not None
    result = {
        line.line_id: shipped.get(line.line_id, 0) - ledger.invoiced(line.line_id).quantity
        for line in ledger.lines
        if line.kind is LineKind.GOODS
    }
    result = {line_id: q for line_id, q in result.items() if q > 0}
    if result or all(line.kind is LineKind.CHARGE for line in ledger.lines):
        for line in ledger.lines:
            if line.kind is LineKind.CHARGE and ledger.uninvoiced_quantity(line.line_id):
                result[line.line_id] = ledger.uninvoiced_quantity(line.line_id)
    return result


@given(invoicing_ledgers(), parties(), payment_terms(), st.data())
def test_drafted_issued_and_recorded_values_pass_the_checking_constructors(
    ledger: InvoicingLedger, party: Party, terms: PaymentTerms, data: st.DataObject
) -> None:
    for number in range(1, 4):
        policy = data.draw(st.sampled_from(InvoicingPolicy))
        shipped = None
        if policy is InvoicingPolicy.ON_SHIPMENT:
            shipped = {
                line.line_id: data.draw(
                    st.integers(ledger.invoiced(line.line_id).quantity, line.quantity)
                )
                for line in ledger.lines
                if line.kind is LineKind.GOODS
            }
        quantities = invoiceable_quantities(ledger, policy, shipped)
        assert quantities == per_line_quantities(ledger, policy, shipped)
        if not quantities:
            return
        draft = draft_invoice(
            ledger, policy=policy, seller=party, buyer=party, payment_terms=terms, shipped=shipped
        )
        for line in draft.lines:
            assert attrs.evolve(line) == line
            assert all(attrs.evolve(tax) == tax for tax in line.taxes)
            assert line.quantity == quantities[line.line_id]
        breakdown = tax_breakdown(draft.lines, draft.currency)
        assert draft.tax_breakdown == breakdown
        assert draft.totals() == compute_totals(draft.lines, breakdown, draft.currency)
        paid = data.draw(st.sampled_from([draft.totals().gross, Money.zero(draft.currency)]))
        assert draft.totals(paid) == compute_totals(draft.lines, breakdown, draft.currency, paid)
        fresh = attrs.evolve(draft)  # built again, nothing computed yet
        assert fresh == draft
        assert fresh.issue(number, series="INV", issued_on=DAY) == draft.issue(
            number, series="INV", issued_on=DAY
        )
        invoice = draft.issue(number, series="INV", issued_on=DAY)
        assert attrs.evolve(invoice) == invoice
        recorded = ledger.record(invoice)
        assert attrs.evolve(recorded) == recorded
        assert recorded.entries[: len(ledger.entries)] == ledger.entries
        assert [entry.line for entry in recorded.entries[len(ledger.entries) :]] == list(
            invoice.lines
        )
        ledger = recorded


def test_a_part_left_negative_by_an_earlier_invoice_is_refused_as_before() -> None:
    """A hand-made invoice billed the whole line for one of three units: less than nothing
    is left for the second unit's share, so drafting it fails on the negative amount."""
    eur = Money.zero("EUR").currency
    full = Money.of("15.00", "EUR")
    line = InvoiceableLine(
        LineId("L1"),
        Sku("SKU"),
        "Thing",
        3,
        Money.of("5.00", "EUR"),
        full,
        Money.zero(eur),
        full,
        (LineTax(TaxCategory.ZERO_RATED, 0 * full.amount, Money.zero(eur)),),
    )
    ledger = InvoicingLedger.open(OrderId("o-1"), [line])
    party = Party("Shop", PostalAddress(("1 Road",), "Berlin", "DE", "10115"))

    def shipping(ledger: InvoicingLedger, units: int) -> InvoiceDraft:
        return draft_invoice(
            ledger,
            policy=InvoicingPolicy.ON_SHIPMENT,
            seller=party,
            buyer=party,
            payment_terms=PaymentTerms.net(30),
            shipped={LineId("L1"): units},
        )

    first = shipping(ledger, 1)
    greedy = attrs.evolve(first.lines[0], gross=full, net=full)
    fields = attrs.asdict(first.issue(1, series="INV", issued_on=DAY), recurse=False)
    fields["lines"] = (greedy,)
    fields["tax_breakdown"] = attrs.evolve(first, lines=(greedy,)).tax_breakdown
    fields["totals"] = attrs.evolve(first, lines=(greedy,)).totals()
    ledger = ledger.record(Invoice(**fields))
    with pytest.raises(ValidationError, match="negative"):
        shipping(ledger, 2)


@given(invoiceable_lines())
def test_a_whole_line_nothing_was_invoiced_of_is_drafted_as_its_shares_are(
    line: InvoiceableLine,
) -> None:
    """Billing all of a line nothing was invoiced of takes its own amounts and taxes: the
    same line (equal, same JSON, plain ``LineTax`` entries) as the share arithmetic builds."""
    fast = _invoice_line(line, None, line.quantity)
    shared = _invoice_line(line, LineAmounts.of((), line.gross.currency), line.quantity)
    assert fast == shared
    assert converter.unstructure(fast) == converter.unstructure(shared)
    assert [type(tax) for tax in fast.taxes] == [LineTax] * len(line.taxes)
    assert attrs.evolve(fast) == fast
