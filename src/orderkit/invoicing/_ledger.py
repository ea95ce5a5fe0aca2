"""The invoicing ledger of one order: what each line has invoiced and credited so far.

A small frozen value the caller keeps next to the order (the service layer
stores it with the order's unit of work). Every document is recorded in it;
drafting reads it so that nothing is invoiced twice, a line's last invoice
takes exactly the remainder, and credit notes never exceed what was invoiced.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import Final

import attrs

from orderkit._drafts import evolver
from orderkit.errors import DuplicateRequest, InvalidQuantity, NotFound, ValidationError
from orderkit.ids import LineId, OrderId
from orderkit.money import Currency, Money

from ._checks import is_int, require
from ._documents import CreditNote, Invoice
from ._lines import DocumentLine, InvoiceableLine
from ._tax import LineTax, TaxCategory

__all__ = ["InvoicingLedger", "LedgerEntry", "LineAmounts"]

_Key = tuple[TaxCategory, Decimal]


@attrs.frozen
class LineAmounts:
    """Quantity and amounts added up over some document lines of one order line."""

    quantity: int
    gross: Money
    discount: Money
    net: Money
    taxes: tuple[LineTax, ...]

    @classmethod
    def of(cls, lines: Iterable[DocumentLine], currency: Currency) -> LineAmounts:
        """The sum of ``lines`` (zero amounts for none)."""
        zero = Money.zero(currency)
        quantity, gross, discount, net = 0, zero, zero, zero
        taxes: dict[_Key, LineTax] = {}
        for line in lines:
            quantity += line.quantity
            gross += line.gross
            discount += line.discount
            net += line.net
            for tax in line.taxes:
                seen = taxes.get(tax.key)
                taxes[tax.key] = (
                    tax if seen is None else attrs.evolve(seen, amount=seen.amount + tax.amount)
                )
        return cls(quantity, gross, discount, net, tuple(taxes.values()))

    def tax_at(self, key: _Key) -> Money:
        """The tax at one (category, rate), zero if none."""
        for tax in self.taxes:
            if tax.key == key:
                return tax.amount
        return Money.zero(self.net.currency)

    @property
    def tax(self) -> Money:
        """Tax over all rates."""
        return Money.sum((t.amount for t in self.taxes), self.net.currency)


@attrs.frozen
class LedgerEntry:
    """One document line recorded in the ledger.

    Attributes:
        document: the invoice or credit note number.
        corrects: for a credit note, the invoice it corrects; ``None`` for an invoice.
        line: the document line.
    """

    document: str
    corrects: str | None
    line: DocumentLine


def _check_lines(lines: tuple[InvoiceableLine, ...], currency: Currency) -> None:
    ids = [line.line_id for line in lines]
    if len(set(ids)) != len(ids):
        raise ValidationError(f"order line ids repeat: {ids!r}", path="lines")
    for index, line in enumerate(lines):
        if line.currency != currency:
            raise ValidationError(
                f"line {line.line_id!r} is in {line.currency.code}, not {currency.code}",
                path=f"lines[{index}]",
            )


@attrs.frozen
class InvoicingLedger:
    """What an order's lines have invoiced and credited, document by document.

    Open one with :meth:`open` when the order is placed, and replace it with
    :meth:`record` after each issued document.

    Attributes:
        order_id: the order.
        currency: the order's currency.
        lines: the order's invoiceable lines with their priced amounts.
        entries: every recorded document line, in recording order.
    """

    order_id: OrderId
    currency: Currency
    lines: tuple[InvoiceableLine, ...]
    entries: tuple[LedgerEntry, ...] = ()

    def __attrs_post_init__(self) -> None:
        require(self.currency, Currency, "currency")
        require(self.lines, tuple, "lines")
        for index, line in enumerate(self.lines):
            require(line, InvoiceableLine, f"lines[{index}]")
        _check_lines(self.lines, self.currency)

    @classmethod
    def open(
        cls,
        order_id: OrderId,
        lines: Sequence[InvoiceableLine],
        currency: Currency | str | None = None,
    ) -> InvoicingLedger:
        """An empty ledger for ``lines`` (currency taken from the lines if not given)."""
        for index, line in enumerate(lines):
            require(line, InvoiceableLine, f"lines[{index}]")
        if currency is None:
            if not lines:
                raise ValidationError("give a currency for an order without lines", path="currency")
            currency = lines[0].currency
        return cls(order_id, Currency.of(currency), tuple(lines))

    # -- queries ------------------------------------------------------------

    def line(self, line_id: LineId) -> InvoiceableLine:
        """The invoiceable line ``line_id``; :class:`NotFound` if the order has none."""
        for line in self.lines:
            if line.line_id == line_id:
                return line
        raise NotFound(f"line of order {self.order_id}", line_id)

    def _lines_by_id(self) -> dict[LineId, InvoiceableLine]:
        """The lines by id, for looking up many (ids are unique)."""
        return {line.line_id: line for line in self.lines}

    def _invoiced_lines(self) -> dict[LineId, list[DocumentLine]]:
        """Every invoiced document line per order line, in recording order, in one pass."""
        found: dict[LineId, list[DocumentLine]] = {}
        for entry in self.entries:
            if entry.corrects is None:
                found.setdefault(entry.line.line_id, []).append(entry.line)
        return found

    @property
    def invoice_numbers(self) -> tuple[str, ...]:
        """Numbers of the recorded invoices, in order."""
        return tuple(dict.fromkeys(e.document for e in self.entries if e.corrects is None))

    @property
    def credit_note_numbers(self) -> tuple[str, ...]:
        """Numbers of the recorded credit notes, in order."""
        return tuple(dict.fromkeys(e.document for e in self.entries if e.corrects is not None))

    def invoiced(self, line_id: LineId, invoice: str | None = None) -> LineAmounts:
        """What ``line_id`` has invoiced (on one invoice if ``invoice`` is given)."""
        return LineAmounts.of(
            (
                e.line
                for e in self.entries
                if e.corrects is None
                and e.line.line_id == line_id
                and (invoice is None or e.document == invoice)
            ),
            self.currency,
        )

    def credited(self, line_id: LineId, invoice: str | None = None) -> LineAmounts:
        """What ``line_id`` has credited (against one invoice if ``invoice`` is given)."""
        return LineAmounts.of(
            (
                e.line
                for e in self.entries
                if e.corrects is not None
                and e.line.line_id == line_id
                and (invoice is None or e.corrects == invoice)
            ),
            self.currency,
        )

    def uninvoiced_quantity(self, line_id: LineId) -> int:
        """Ordered minus invoiced units of ``line_id``."""
        return self.line(line_id).quantity - self.invoiced(line_id).quantity

    def creditable_quantity(self, line_id: LineId, invoice: str | None = None) -> int:
        """Invoiced minus credited units of ``line_id`` (on one invoice if given)."""
        self.line(line_id)
        return self.invoiced(line_id, invoice).quantity - self.credited(line_id, invoice).quantity

    def credit_plan(self, quantities: Mapping[LineId, int]) -> dict[str, dict[LineId, int]]:
        """Which invoices to credit for returned or cancelled units, newest invoice first.

        A return names order lines, not invoices; when a line was invoiced over
        several shipments, its units are taken back from the most recent
        invoice first. The result maps each invoice number (oldest first) to
        the units to credit on it: one credit note per invoice.

        Raises:
            NotFound: a line the order does not have.
            InvalidQuantity: a quantity below 1, or more than is left to credit.
        """
        require(quantities, Mapping, "quantities")
        plan: dict[str, dict[LineId, int]] = {}
        for line_id, quantity in quantities.items():
            left = self.creditable_quantity(line_id)
            if not is_int(quantity) or quantity < 1 or quantity > left:
                raise InvalidQuantity(
                    f"line {line_id!r}: cannot credit {quantity!r} units, {left} invoiced and "
                    "not yet credited",
                    path=f"quantities[{line_id}]",
                )
            wanted = quantity
            for number in reversed(self.invoice_numbers):
                take = min(wanted, self.creditable_quantity(line_id, number))
                if take:
                    plan.setdefault(number, {})[line_id] = take
                    wanted -= take
        order = {number: index for index, number in enumerate(self.invoice_numbers)}
        return {number: plan[number] for number in sorted(plan, key=order.__getitem__)}

    @property
    def fully_invoiced(self) -> bool:
        """Whether every ordered unit has been invoiced."""
        return all(self.uninvoiced_quantity(line.line_id) == 0 for line in self.lines)

    def invoiced_total(self) -> Money:
        """Net plus tax over every recorded invoice."""
        return Money.sum((e.line.total for e in self.entries if e.corrects is None), self.currency)

    def credited_total(self) -> Money:
        """Net plus tax over every recorded credit note."""
        return Money.sum(
            (e.line.total for e in self.entries if e.corrects is not None), self.currency
        )

    # -- recording ----------------------------------------------------------

    def record(self, document: Invoice | CreditNote) -> InvoicingLedger:
        """A ledger that also holds ``document``; refuses a document it cannot hold.

        Raises:
            DuplicateRequest: the document number is already recorded.
            ValidationError: another order or currency, or an unknown invoice corrected.
            NotFound: a line the order does not have.
            InvalidQuantity: more invoiced than ordered, or more credited than invoiced.
        """
        require(document, (Invoice, CreditNote), "document")
        if document.number in self.invoice_numbers + self.credit_note_numbers:
            raise DuplicateRequest(document.number, f"already recorded for order {self.order_id}")
        if document.order_id != self.order_id:
            raise ValidationError(
                f"document {document.number} is for order {document.order_id}, not {self.order_id}",
                path="order_id",
            )
        if document.currency != self.currency:
            raise ValidationError(
                f"document {document.number} is in {document.currency.code}, "
                f"not {self.currency.code}",
                path="currency",
            )
        corrects = document.corrects if isinstance(document, CreditNote) else None
        if corrects is not None and corrects not in self.invoice_numbers:
            raise ValidationError(
                f"credit note {document.number} corrects {corrects!r}, which is not an invoice "
                f"of order {self.order_id}",
                path="corrects",
            )
        if corrects is None:
            lines, invoiced = self._lines_by_id(), self._invoiced_lines()
            for line in document.lines:
                self._check_invoiceable(document.number, line, lines, invoiced)
        else:
            for line in document.lines:
                self._check_creditable(document.number, corrects, line)
        added = tuple(LedgerEntry(document.number, corrects, line) for line in document.lines)
        # Same order, currency and (already checked) lines: only the entries are new.
        return _with_entries(self, self.entries + added)

    def _check_invoiceable(
        self,
        number: str,
        doc_line: DocumentLine,
        lines: Mapping[LineId, InvoiceableLine],
        invoiced: Mapping[LineId, list[DocumentLine]],
    ) -> None:
        line = lines.get(doc_line.line_id)
        if line is None:
            line = self.line(doc_line.line_id)  # raises NotFound
        done = LineAmounts.of(invoiced.get(line.line_id, ()), self.currency)
        if done.quantity + doc_line.quantity > line.quantity:
            raise InvalidQuantity(
                f"invoice {number}: line {line.line_id!r} would invoice "
                f"{done.quantity + doc_line.quantity} of {line.quantity} ordered units",
                path=f"lines[{line.line_id}].quantity",
            )
        _check_within(
            number,
            doc_line,
            LineAmounts(line.quantity, line.gross, line.discount, line.net, line.taxes),
            done,
            "ordered",
        )

    def _check_creditable(self, number: str, invoice: str, doc_line: DocumentLine) -> None:
        invoiced = self.invoiced(doc_line.line_id, invoice)
        credited = self.credited(doc_line.line_id, invoice)
        if credited.quantity + doc_line.quantity > invoiced.quantity:
            raise InvalidQuantity(
                f"credit note {number}: line {doc_line.line_id!r} would credit "
                f"{credited.quantity + doc_line.quantity} of {invoiced.quantity} units "
                f"invoiced on {invoice}",
                path=f"lines[{doc_line.line_id}].quantity",
            )
        _check_within(number, doc_line, invoiced, credited, f"invoiced on {invoice}")


def _check_within(
    number: str, doc_line: DocumentLine, limit: LineAmounts, done: LineAmounts, what: str
) -> None:
    """Refuse a document line that takes a component beyond ``limit - done``."""
    parts = [("gross", doc_line.gross, limit.gross, done.gross)]
    # The discount too: gross and net alone would let a line take more discount than
    # is left (gross 100 - discount 50 = net 50 against an undiscounted 100), leaving
    # a negative discount behind that no later document could be drafted from.
    parts.append(("discount", doc_line.discount, limit.discount, done.discount))
    parts.append(("net", doc_line.net, limit.net, done.net))
    parts.extend(
        (
            f"tax {t.percent}% ({t.category.value})",
            t.amount,
            limit.tax_at(t.key),
            done.tax_at(t.key),
        )
        for t in doc_line.taxes
    )
    for name, amount, cap, taken in parts:
        if amount > cap - taken:
            raise InvalidQuantity(
                f"document {number}: line {doc_line.line_id!r} {name} {amount} exceeds the "
                f"{cap - taken} left of {cap} {what}",
                path=f"lines[{doc_line.line_id}]",
            )


#: A ledger with new entries, all checked by ``record``: the same lines need no new checks.
_with_entries: Final = evolver(InvoicingLedger, "entries", skip_post_init=True)
