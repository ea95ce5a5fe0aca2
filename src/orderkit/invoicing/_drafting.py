"""Drafting invoices from a ledger and issuing them once a number is known.

A draft holds the computed lines and amounts but no number: the service draws
the next gapless number from a ``NumberSequence`` inside the unit of work,
calls ``issue``, records the document in the ledger and saves both together.
"""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Callable, Mapping
from typing import Final

import attrs

from orderkit._drafts import builder
from orderkit.errors import InvalidQuantity, ValidationError
from orderkit.ids import LineId, OrderId
from orderkit.money import Currency, Money

from ._checks import as_enum, is_int, require
from ._documents import DocumentTotals, Invoice, compute_totals
from ._ledger import InvoicingLedger, LineAmounts
from ._lines import DocumentLine, InvoiceableLine, LineKind, cumulative_share
from ._numbering import DEFAULT_NUMBER_FORMAT, NumberFormat
from ._parties import Party
from ._tax import ZERO_RATE_ONLY, LineTax, TaxSubtotal, tax_breakdown
from ._terms import PaymentTerms

__all__ = ["InvoiceDraft", "InvoicingPolicy", "draft_invoice", "invoiceable_quantities"]

# Lines, taxes and invoices computed here from checked parts skip their checking hooks.
_new_document_line: Final = builder(DocumentLine, skip_post_init=True)
_new_line_tax: Final = builder(LineTax, skip_post_init=True)
_new_invoice: Final = builder(Invoice, skip_post_init=True)


class InvoicingPolicy(enum.StrEnum):
    """When an order is invoiced."""

    #: One invoice for the whole order, when it is confirmed.
    ON_CONFIRMATION = "on_confirmation"
    #: With each shipment, for what has shipped and was not invoiced yet.
    ON_SHIPMENT = "on_shipment"


def invoiceable_quantities(
    ledger: InvoicingLedger,
    policy: InvoicingPolicy,
    shipped: Mapping[LineId, int] | None = None,
) -> dict[LineId, int]:
    """How many units of each line the policy lets the next invoice bill (zeros omitted).

    Args:
        ledger: the order's invoicing ledger.
        policy: the invoicing policy.
        shipped: for :attr:`InvoicingPolicy.ON_SHIPMENT`, the units of each goods
            line shipped so far in total (the order's shipped ledger figure);
            lines not named have shipped nothing. Charge lines are billed in
            full with the first invoice that bills goods.

    Raises:
        ValidationError: ``shipped`` given for the wrong policy or missing.
        InvalidQuantity: a shipped figure that is negative, above the ordered
            quantity, or below what was already invoiced.
        NotFound: ``shipped`` names a line the order does not have.
    """
    policy = as_enum(InvoicingPolicy, policy, "policy")
    return _quantities(ledger, policy, shipped, ledger._invoiced_lines())


def _quantities(
    ledger: InvoicingLedger,
    policy: InvoicingPolicy,
    shipped: Mapping[LineId, int] | None,
    invoiced: Mapping[LineId, list[DocumentLine]],
) -> dict[LineId, int]:
    """:func:`invoiceable_quantities` given the ledger's invoiced lines (one pass for all)."""

    def done(line_id: LineId) -> int:
        return sum(doc_line.quantity for doc_line in invoiced.get(line_id, ()))

    if policy is InvoicingPolicy.ON_CONFIRMATION:
        if shipped is not None:
            raise ValidationError("shipped is only used by the on_shipment policy", path="shipped")
        wanted = {line.line_id: line.quantity - done(line.line_id) for line in ledger.lines}
        return {line_id: q for line_id, q in wanted.items() if q}
    if shipped is None:
        raise ValidationError("the on_shipment policy needs the shipped quantities", path="shipped")
    require(shipped, Mapping, "shipped")
    known = ledger._lines_by_id()
    for line_id in shipped:
        if line_id not in known:
            ledger.line(line_id)  # raises NotFound
    result: dict[LineId, int] = {}
    for line in ledger.lines:
        if line.kind is LineKind.CHARGE:
            continue
        total = shipped.get(line.line_id, 0)
        before = done(line.line_id)
        if not is_int(total):
            raise InvalidQuantity(
                f"shipped {total!r} is not an int", path=f"shipped[{line.line_id}]"
            )
        if not before <= total <= line.quantity:
            raise InvalidQuantity(
                f"line {line.line_id!r}: shipped {total} must lie between the {before} already "
                f"invoiced and the {line.quantity} ordered",
                path=f"shipped[{line.line_id}]",
            )
        if total > before:
            result[line.line_id] = total - before
    has_goods = any(line.kind is LineKind.GOODS for line in ledger.lines)
    if result or not has_goods:
        for line in ledger.lines:
            left = line.quantity - done(line.line_id)
            if line.kind is LineKind.CHARGE and left:
                result[line.line_id] = left
    return result


def _invoice_line(line: InvoiceableLine, done: LineAmounts | None, quantity: int) -> DocumentLine:
    """Units ``done.quantity+1 .. +quantity`` of ``line``; the last units take the remainder.

    ``done`` is None when nothing of the line was invoiced yet. The parts are
    whole minor units in the line's currency, with the line's own identity,
    rates and unique tax keys, so only their signs are left to check: when none
    is negative the line is built without re-running every check, and
    otherwise the checking constructors raise as always.
    """
    whole = (
        done is None
        and quantity == line.quantity
        and type(line.taxes) is tuple
        and all(t.__class__ is LineTax for t in line.taxes)
    )
    if whole:
        # Every share is the whole amount, less nothing: the line's own amounts and taxes.
        gross, discount = line.gross, line.discount
        amounts = [t.amount for t in line.taxes]
    else:
        before = LineAmounts.of((), line.gross.currency) if done is None else done
        after = before.quantity + quantity

        def part(full: Money, taken: Money) -> Money:
            return cumulative_share(full, after, line.quantity) - taken

        gross = part(line.gross, before.gross)
        discount = part(line.discount, before.discount)
        amounts = [part(t.amount, before.tax_at(t.key)) for t in line.taxes]
    net = gross - discount
    make: Callable[..., DocumentLine]
    if (
        gross.is_negative
        or discount.is_negative
        or net.is_negative
        or any(
            amount.is_negative or (t.category in ZERO_RATE_ONLY and not amount.is_zero)
            for t, amount in zip(line.taxes, amounts, strict=True)
        )
    ):
        taxes = tuple(
            attrs.evolve(t, amount=amount) for t, amount in zip(line.taxes, amounts, strict=True)
        )
        make = DocumentLine
    elif whole:
        taxes = line.taxes
        make = _new_document_line
    else:
        taxes = tuple(
            _new_line_tax(
                category=t.category,
                percent=t.percent,
                amount=amount,
                exemption_reason=t.exemption_reason,
            )
            for t, amount in zip(line.taxes, amounts, strict=True)
        )
        make = _new_document_line
    return make(
        line_id=line.line_id,
        sku=line.sku,
        description=line.description,
        quantity=quantity,
        unit_price=line.unit_price,
        gross=gross,
        discount=discount,
        net=net,
        taxes=taxes,
        unit_code=line.unit_code,
    )


@attrs.frozen
class InvoiceDraft:
    """An invoice with its lines and amounts computed, waiting for its number."""

    order_id: OrderId
    currency: Currency
    seller: Party
    buyer: Party
    lines: tuple[DocumentLine, ...]
    payment_terms: PaymentTerms
    supplied_on: dt.date | None = None
    buyer_reference: str | None = None
    note: str | None = None
    #: The tax breakdown and the totals with nothing paid, computed once: drafting computes
    #: them, so issuing after the number is drawn only stamps it (the sequence's row lock
    #: is held for as short as possible).
    _sums: tuple[tuple[TaxSubtotal, ...], DocumentTotals] | None = attrs.field(
        default=None, init=False, eq=False, repr=False
    )

    def _computed(self) -> tuple[tuple[TaxSubtotal, ...], DocumentTotals]:
        sums = self._sums
        if sums is None:
            breakdown = tax_breakdown(self.lines, self.currency)
            sums = (breakdown, compute_totals(self.lines, breakdown, self.currency))
            object.__setattr__(self, "_sums", sums)
        return sums

    @property
    def tax_breakdown(self) -> tuple[TaxSubtotal, ...]:
        """The tax per rate the invoice will show."""
        return self._computed()[0]

    def totals(self, paid: Money | None = None) -> DocumentTotals:
        """The totals the invoice will show when ``paid`` was already paid."""
        breakdown, unpaid = self._computed()
        if paid is None:
            return unpaid
        return compute_totals(self.lines, breakdown, self.currency, paid)

    def issue(
        self,
        number: int,
        *,
        series: str,
        issued_on: dt.date,
        number_format: NumberFormat = DEFAULT_NUMBER_FORMAT,
        paid: Money | None = None,
    ) -> Invoice:
        """The issued invoice with gapless sequence ``number`` of ``series`` in that year.

        Record it with :meth:`InvoicingLedger.record` in the same unit of work.

        Raises:
            ValidationError: a bad number, series, or ``paid`` outside 0..gross.
        """
        breakdown = self.tax_breakdown
        invoice = _new_invoice(
            number=number_format.format(series, issued_on, number),
            sequence_number=number,
            series=series,
            order_id=self.order_id,
            issued_on=issued_on,
            supplied_on=issued_on if self.supplied_on is None else self.supplied_on,
            due_on=self.payment_terms.due_date(issued_on),
            currency=self.currency,
            seller=self.seller,
            buyer=self.buyer,
            lines=self.lines,
            tax_breakdown=breakdown,
            totals=self.totals(paid),
            payment_terms=self.payment_terms,
            buyer_reference=self.buyer_reference,
            note=self.note,
        )
        invoice._check(sums=False)  # the sums and due date were computed just above
        return invoice


def draft_invoice(
    ledger: InvoicingLedger,
    *,
    policy: InvoicingPolicy,
    seller: Party,
    buyer: Party,
    payment_terms: PaymentTerms,
    supplied_on: dt.date | None = None,
    shipped: Mapping[LineId, int] | None = None,
    buyer_reference: str | None = None,
    note: str | None = None,
) -> InvoiceDraft:
    """Draft the next invoice of the ledger's order under ``policy``.

    Each line bills what :func:`invoiceable_quantities` allows; its amounts are
    its share of the line's priced amounts, and the invoice that completes a
    line takes exactly what is left, so all invoices of an order add up to it.
    ``supplied_on`` (the delivery date, BT-72) defaults to the issue date.

    Raises:
        InvalidQuantity: nothing is left to invoice (nothing is invoiced twice),
            or a bad shipped figure.
    """
    require(ledger, InvoicingLedger, "ledger")
    require(seller, Party, "seller")
    require(buyer, Party, "buyer")
    require(payment_terms, PaymentTerms, "payment_terms")
    policy = as_enum(InvoicingPolicy, policy, "policy")
    invoiced = ledger._invoiced_lines()
    quantities = _quantities(ledger, policy, shipped, invoiced)
    if not quantities:
        what = "has shipped and " if policy is InvoicingPolicy.ON_SHIPMENT else ""
        raise InvalidQuantity(
            f"order {ledger.order_id}: nothing {what}is left to invoice "
            f"(already invoiced: {', '.join(ledger.invoice_numbers) or 'nothing'})",
            path="lines",
        )
    lines = tuple(
        _invoice_line(
            line,
            LineAmounts.of(invoiced[line.line_id], ledger.currency)
            if line.line_id in invoiced
            else None,
            quantities[line.line_id],
        )
        for line in ledger.lines
        if line.line_id in quantities
    )
    draft = InvoiceDraft(
        ledger.order_id,
        ledger.currency,
        seller,
        buyer,
        lines,
        payment_terms,
        supplied_on,
        buyer_reference,
        note,
    )
    draft._computed()  # before a number is drawn: issuing then only stamps it
    return draft
