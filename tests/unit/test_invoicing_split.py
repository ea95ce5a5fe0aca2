"""Invoices reconcile with the order: whole-order, split shipments, and the policies' limits."""

from __future__ import annotations

import contextlib
import datetime as dt
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderkit.errors import (
    DuplicateRequest,
    InvalidQuantity,
    NotFound,
    OrderkitError,
    ValidationError,
)
from orderkit.ids import LineId, OrderId, Sku
from orderkit.invoicing import (
    CreditReason,
    DocumentLine,
    Invoice,
    InvoiceableLine,
    InvoicingLedger,
    InvoicingPolicy,
    LineKind,
    LineTax,
    NumberFormat,
    Party,
    PaymentTerms,
    PostalAddress,
    TaxCategory,
    cumulative_share,
    draft_credit_note,
    draft_invoice,
    invoiceable_quantities,
)
from orderkit.money import Money
from orderkit.testing.strategies import invoicing_ledgers, money

SELLER = Party("Acme GmbH", PostalAddress(("Hauptstr. 1",), "Berlin", "DE", "10115"), "DE1")
BUYER = Party("Bob", PostalAddress(("1 Main St",), "Paris", "FR", "75001"), "FR1")
DAY = dt.date(2026, 3, 1)
_Key = tuple[TaxCategory, Decimal]


def eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


def line(
    line_id: str,
    quantity: int,
    unit: str,
    *,
    discount: str = "0",
    rate: str = "19",
    kind: LineKind = LineKind.GOODS,
) -> InvoiceableLine:
    gross = eur(unit) * quantity
    net = gross - eur(discount)
    tax = (net * (Decimal(rate) / 100)).round()
    return InvoiceableLine(
        LineId(line_id),
        Sku(f"SKU-{line_id}"),
        f"Item {line_id}",
        quantity,
        eur(unit),
        gross,
        eur(discount),
        net,
        (LineTax(TaxCategory.STANDARD, Decimal(rate), tax),),
        kind=kind,
    )


def issue(
    ledger: InvoicingLedger,
    number: int,
    policy: InvoicingPolicy = InvoicingPolicy.ON_CONFIRMATION,
    shipped: dict[LineId, int] | None = None,
) -> tuple[InvoicingLedger, Invoice]:
    draft = draft_invoice(
        ledger,
        policy=policy,
        seller=SELLER,
        buyer=BUYER,
        payment_terms=PaymentTerms.net(30),
        supplied_on=DAY,
        shipped=shipped,
    )
    invoice = draft.issue(number, series="INV", issued_on=DAY)
    return ledger.record(invoice), invoice


def per_line(lines: list[DocumentLine]) -> dict[LineId, tuple[int, Money, Money, Money]]:
    sums: dict[LineId, tuple[int, Money, Money, Money]] = {}
    for doc_line in lines:
        zero = Money.zero(doc_line.net.currency)
        q, g, d, n = sums.get(doc_line.line_id, (0, zero, zero, zero))
        sums[doc_line.line_id] = (
            q + doc_line.quantity,
            g + doc_line.gross,
            d + doc_line.discount,
            n + doc_line.net,
        )
    return sums


def per_rate(invoices: list[Invoice]) -> dict[_Key, tuple[Money, Money]]:
    sums: dict[_Key, tuple[Money, Money]] = {}
    for invoice in invoices:
        for row in invoice.tax_breakdown:
            key = (row.category, row.percent)
            base, tax = sums.get(key, (Money.zero(invoice.currency), Money.zero(invoice.currency)))
            sums[key] = (base + row.taxable_base, tax + row.tax)
    return sums


def expected_per_rate(ledger: InvoicingLedger) -> dict[_Key, tuple[Money, Money]]:
    sums: dict[_Key, tuple[Money, Money]] = {}
    zero = Money.zero(ledger.currency)
    for order_line in ledger.lines:
        if order_line.quantity == 0:
            continue
        for tax in order_line.taxes:
            base, amount = sums.get(tax.key, (zero, zero))
            sums[tax.key] = (base + order_line.net, amount + tax.amount)
    return sums


def expected_per_line(ledger: InvoicingLedger) -> dict[LineId, tuple[int, Money, Money, Money]]:
    return {
        ol.line_id: (ol.quantity, ol.gross, ol.discount, ol.net)
        for ol in ledger.lines
        if ol.quantity
    }


@given(invoicing_ledgers())
def test_whole_order_invoice_equals_the_priced_lines_to_the_minor_unit(
    ledger: InvoicingLedger,
) -> None:
    ledger, invoice = issue(ledger, 1)
    assert per_line(list(invoice.lines)) == expected_per_line(ledger)
    for doc_line in invoice.lines:
        assert doc_line.taxes == ledger.line(doc_line.line_id).taxes
    assert per_rate([invoice]) == expected_per_rate(ledger)
    totals = invoice.totals
    assert totals.net + totals.tax == totals.gross
    assert totals.gross - totals.paid == totals.due
    assert totals.net == Money.sum((ol.net for ol in ledger.lines), ledger.currency)
    assert ledger.fully_invoiced
    assert ledger.invoiced_total() == totals.gross


@st.composite
def ledgers_with_shipments(draw: st.DrawFn) -> tuple[InvoicingLedger, list[dict[LineId, int]]]:
    """A ledger and a random sequence of cumulative shipped figures ending fully shipped."""
    ledger = draw(invoicing_ledgers())
    goods = [ol for ol in ledger.lines if ol.kind is LineKind.GOODS]
    shipped = dict.fromkeys((ol.line_id for ol in goods), 0)
    steps: list[dict[LineId, int]] = []
    for _ in range(draw(st.integers(1, 6))):
        for ol in goods:
            shipped[ol.line_id] = draw(st.integers(shipped[ol.line_id], ol.quantity))
        steps.append(dict(shipped))
    steps.append({ol.line_id: ol.quantity for ol in goods})
    return ledger, steps


@given(ledgers_with_shipments())
def test_invoices_of_a_split_shipped_order_add_up_to_the_order(
    case: tuple[InvoicingLedger, list[dict[LineId, int]]],
) -> None:
    ledger, steps = case
    invoices: list[Invoice] = []
    for shipped in steps:
        allowed = invoiceable_quantities(ledger, InvoicingPolicy.ON_SHIPMENT, shipped)
        if not allowed:
            with pytest.raises(InvalidQuantity, match="nothing has shipped"):
                issue(ledger, len(invoices) + 1, InvoicingPolicy.ON_SHIPMENT, shipped)
            continue
        before = {ol.line_id: ledger.invoiced(ol.line_id).quantity for ol in ledger.lines}
        ledger, invoice = issue(ledger, len(invoices) + 1, InvoicingPolicy.ON_SHIPMENT, shipped)
        invoices.append(invoice)
        for doc_line in invoice.lines:
            limit = shipped.get(doc_line.line_id, ledger.line(doc_line.line_id).quantity)
            assert before[doc_line.line_id] + doc_line.quantity <= limit
            assert doc_line.quantity == allowed[doc_line.line_id]
        assert invoice.totals.net + invoice.totals.tax == invoice.totals.gross
    assert ledger.fully_invoiced
    all_lines = [dl for inv in invoices for dl in inv.lines]
    assert per_line(all_lines) == expected_per_line(ledger)
    assert per_rate(invoices) == expected_per_rate(ledger)
    for ol in ledger.lines:
        for tax in ol.taxes:
            assert ledger.invoiced(ol.line_id).tax_at(tax.key) == tax.amount
    with pytest.raises(InvalidQuantity, match="nothing"):
        issue(ledger, 99, InvoicingPolicy.ON_SHIPMENT, steps[-1])


@given(money("EUR", min_units=0, max_units=10**9), st.integers(1, 50), st.data())
def test_cumulative_share_is_monotonic_and_exact_at_the_ends(
    full: Money, of: int, data: st.DataObject
) -> None:
    a = data.draw(st.integers(0, of))
    b = data.draw(st.integers(a, of))
    assert cumulative_share(full, 0, of).is_zero
    assert cumulative_share(full, of, of) == full
    assert cumulative_share(full, a, of) <= cumulative_share(full, b, of)


def test_whole_order_policy_invoices_once() -> None:
    ledger = InvoicingLedger.open(OrderId("o1"), [line("a", 3, "9.99"), line("b", 1, "5")])
    ledger, invoice = issue(ledger, 1)
    assert [dl.quantity for dl in invoice.lines] == [3, 1]
    with pytest.raises(InvalidQuantity, match=r"nothing is left to invoice.*INV-2026-000001"):
        issue(ledger, 2)
    with pytest.raises(DuplicateRequest, match="INV-2026-000001"):
        ledger.record(invoice)


def test_split_of_three_units_takes_the_remainder_on_the_last_invoice() -> None:
    ledger = InvoicingLedger.open(OrderId("o1"), [line("a", 3, "10.00", discount="1.00")])
    amounts = []
    for number, shipped in enumerate((1, 2, 3), start=1):
        ledger, invoice = issue(ledger, number, InvoicingPolicy.ON_SHIPMENT, {LineId("a"): shipped})
        amounts.append((invoice.lines[0].discount, invoice.lines[0].net, invoice.lines[0].tax))
    assert [a[0] for a in amounts] == [eur("0.33"), eur("0.34"), eur("0.33")]
    assert sum((a[1] for a in amounts), eur("0")) == eur("29.00")
    assert sum((a[2] for a in amounts), eur("0")) == eur("5.51")


def test_charges_come_with_the_first_goods_invoice_only() -> None:
    ledger = InvoicingLedger.open(
        OrderId("o1"),
        [line("a", 2, "10"), line("ship", 1, "4.90", kind=LineKind.CHARGE)],
    )
    assert invoiceable_quantities(ledger, InvoicingPolicy.ON_SHIPMENT, {}) == {}
    ledger, first = issue(ledger, 1, InvoicingPolicy.ON_SHIPMENT, {LineId("a"): 1})
    assert [dl.line_id for dl in first.lines] == ["a", "ship"]
    ledger, second = issue(ledger, 2, InvoicingPolicy.ON_SHIPMENT, {LineId("a"): 2})
    assert [dl.line_id for dl in second.lines] == ["a"]


def test_shipped_figures_are_checked() -> None:
    ledger = InvoicingLedger.open(OrderId("o1"), [line("a", 2, "10")])
    with pytest.raises(InvalidQuantity, match="shipped 3 must lie between"):
        invoiceable_quantities(ledger, InvoicingPolicy.ON_SHIPMENT, {LineId("a"): 3})
    with pytest.raises(NotFound, match="'zz'"):
        invoiceable_quantities(ledger, InvoicingPolicy.ON_SHIPMENT, {LineId("zz"): 1})
    with pytest.raises(ValidationError, match="needs the shipped"):
        invoiceable_quantities(ledger, InvoicingPolicy.ON_SHIPMENT)
    with pytest.raises(ValidationError, match="only used by the on_shipment"):
        invoiceable_quantities(ledger, InvoicingPolicy.ON_CONFIRMATION, {LineId("a"): 1})
    ledger, _ = issue(ledger, 1, InvoicingPolicy.ON_SHIPMENT, {LineId("a"): 2})
    with pytest.raises(InvalidQuantity, match="2 already invoiced"):
        invoiceable_quantities(ledger, InvoicingPolicy.ON_SHIPMENT, {LineId("a"): 1})


def test_recording_refuses_an_invoice_drafted_from_a_stale_ledger() -> None:
    ledger = InvoicingLedger.open(OrderId("o1"), [line("a", 2, "10")])
    stale = ledger
    ledger, _ = issue(ledger, 1)
    _, again = issue(stale, 2)
    with pytest.raises(InvalidQuantity, match="would invoice 4 of 2"):
        ledger.record(again)


def test_recording_refuses_another_order_or_currency() -> None:
    ledger = InvoicingLedger.open(OrderId("o1"), [line("a", 2, "10")])
    other = InvoicingLedger.open(OrderId("o2"), [line("a", 2, "10")])
    _, invoice = issue(other, 1)
    with pytest.raises(ValidationError, match="for order o2, not o1"):
        ledger.record(invoice)


def test_ledger_refuses_mixed_currencies_and_repeated_ids() -> None:
    usd = InvoiceableLine(
        LineId("b"),
        Sku("B"),
        "B",
        1,
        Money.of("1", "USD"),
        Money.of("1", "USD"),
        Money.of("0", "USD"),
        Money.of("1", "USD"),
        (LineTax(TaxCategory.NOT_SUBJECT, Decimal(0), Money.of("0", "USD")),),
    )
    with pytest.raises(ValidationError, match="is in USD, not EUR"):
        InvoicingLedger.open(OrderId("o1"), [line("a", 1, "1"), usd])
    with pytest.raises(ValidationError, match="repeat"):
        InvoicingLedger.open(OrderId("o1"), [line("a", 1, "1"), line("a", 2, "1")])
    with pytest.raises(ValidationError, match="give a currency"):
        InvoicingLedger.open(OrderId("o1"), [])


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"net": eur("5")}, "is not gross"),
        ({"discount": eur("-1"), "net": eur("11")}, "negative"),
        ({"quantity": -1}, "negative"),
        ({"quantity": True}, "is not an int"),
        ({"taxes": ()}, "no tax entry"),
        ({"gross": eur("10.001"), "net": eur("10.001")}, "minor units"),
        ({"unit_price": Money.of("10", "USD")}, "not in USD"),
    ],
)
def test_bad_invoiceable_lines_are_refused(change: dict[str, object], message: str) -> None:
    base = line("a", 1, "10")
    fields = {
        "line_id": base.line_id,
        "sku": base.sku,
        "description": base.description,
        "quantity": base.quantity,
        "unit_price": base.unit_price,
        "gross": base.gross,
        "discount": base.discount,
        "net": base.net,
        "taxes": base.taxes,
    }
    fields.update(change)
    with pytest.raises(ValidationError, match=message):
        InvoiceableLine(**fields)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("category", "percent", "amount", "message"),
    [
        (TaxCategory.ZERO_RATED, "7", "0", "needs a 0% rate"),
        (TaxCategory.EXEMPT, "0", "1", "charges no tax"),
        (TaxCategory.STANDARD, "0", "0", "above 0%"),
        (TaxCategory.STANDARD, "101", "0", "outside 0..100"),
        (TaxCategory.STANDARD, "19", "-1", "negative"),
    ],
)
def test_bad_line_taxes_are_refused(
    category: TaxCategory, percent: str, amount: str, message: str
) -> None:
    with pytest.raises(ValidationError, match=message):
        LineTax(category, Decimal(percent), eur(amount))


def test_cancelled_units_that_never_shipped_are_never_invoiced() -> None:
    ledger = InvoicingLedger.open(OrderId("o1"), [line("a", 10, "1.00")])
    ledger, invoice = issue(ledger, 1, InvoicingPolicy.ON_SHIPMENT, {LineId("a"): 8})
    assert invoice.lines[0].net == eur("8.00")
    assert ledger.uninvoiced_quantity(LineId("a")) == 2
    assert not ledger.fully_invoiced


def test_per_rate_sums_across_lines_sharing_a_rate() -> None:
    ledger = InvoicingLedger.open(
        OrderId("o1"), [line("a", 1, "10"), line("b", 2, "5", rate="7"), line("c", 1, "1")]
    )
    _, invoice = issue(ledger, 1)
    rows = {(r.category, r.percent): (r.taxable_base, r.tax) for r in invoice.tax_breakdown}
    assert rows == {
        (TaxCategory.STANDARD, Decimal("7")): (eur("10"), eur("0.70")),
        (TaxCategory.STANDARD, Decimal("19")): (eur("11"), eur("2.09")),
    }


_GARBAGE = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-5, 5),
    st.floats(allow_nan=True),
    st.text(max_size=3),
    st.just(Decimal("NaN")),
    st.just(eur("1.005")),
    st.just(Money.of("1", "JPY")),
    st.lists(st.integers(), max_size=2).map(tuple),
)


@given(
    st.sampled_from(
        [
            "line_id",
            "sku",
            "description",
            "quantity",
            "unit_price",
            "gross",
            "discount",
            "net",
            "taxes",
            "unit_code",
            "kind",
        ]
    ),
    _GARBAGE,
)
def test_garbage_in_an_invoiceable_line_raises_only_validation_errors(
    field: str, value: object
) -> None:
    base = line("a", 2, "10")
    fields = attrs.asdict(base, recurse=False)
    fields[field] = value
    with contextlib.suppress(ValidationError):
        InvoiceableLine(**fields)


@given(_GARBAGE, _GARBAGE, _GARBAGE)
def test_garbage_in_drafting_raises_only_orderkit_errors(
    policy: object, shipped_value: object, terms_days: object
) -> None:
    ledger = InvoicingLedger.open(OrderId("o1"), [line("a", 2, "10")])
    invoiced, invoice = issue(ledger, 1)
    for call in (
        lambda: draft_invoice(
            ledger,
            policy=policy,  # type: ignore[arg-type]
            seller=SELLER,
            buyer=BUYER,
            payment_terms=PaymentTerms.net(30),
        ),
        lambda: invoiceable_quantities(
            ledger,
            InvoicingPolicy.ON_SHIPMENT,
            {LineId("a"): shipped_value},  # type: ignore[dict-item]
        ),
        lambda: PaymentTerms.net(terms_days),  # type: ignore[arg-type]
        lambda: PaymentTerms(policy),  # type: ignore[arg-type]
        lambda: LineTax(policy, terms_days, eur("1")),  # type: ignore[arg-type]
        lambda: Party(policy, PostalAddress((), "Berlin", "DE")),  # type: ignore[arg-type]
        lambda: PostalAddress((), "Berlin", policy),  # type: ignore[arg-type]
        lambda: NumberFormat(policy),  # type: ignore[arg-type]
        lambda: NumberFormat("{year}-{number}").format(policy, DAY, terms_days),  # type: ignore[arg-type]
        lambda: PaymentTerms.net(
            30,
            discount_percent=policy,  # type: ignore[arg-type]
            discount_days=terms_days,  # type: ignore[arg-type]
        ),
        lambda: draft_credit_note(
            invoiced,
            invoice,
            reason=policy,  # type: ignore[arg-type]
            quantities={LineId("a"): shipped_value},  # type: ignore[dict-item]
        ),
        lambda: draft_credit_note(
            invoiced,
            invoice,
            reason=CreditReason.PRICE_CORRECTION,
            amounts={LineId("a"): shipped_value},  # type: ignore[dict-item]
        ),
    ):
        with contextlib.suppress(OrderkitError):
            call()
