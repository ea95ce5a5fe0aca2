"""Human-readable renderings of invoices and credit notes: plain text and HTML.

Both are pure functions of the document; HTML uses only the standard library
and escapes every piece of text with :func:`html.escape`.
"""

from __future__ import annotations

import html
import unicodedata
from decimal import Decimal

from ._checks import require
from ._documents import CreditNote, Invoice
from ._lines import DocumentLine
from ._parties import Party

__all__ = ["render_html", "render_text"]

#: Control characters (newline, tab, ...) and line/paragraph separators.
_BREAKS = frozenset({"Cc", "Zl", "Zp"})

_HEADERS = ("Description", "Qty", "Unit price", "Discount", "Net", "Tax")


def _amount(value: Decimal, exponent: int) -> str:
    quantum = Decimal(1).scaleb(-exponent)
    if value == value.quantize(quantum):
        value = value.quantize(quantum)
    return f"{value:,f}"


def _title(doc: Invoice | CreditNote) -> str:
    return "INVOICE" if isinstance(doc, Invoice) else "CREDIT NOTE"


def _party_lines(party: Party) -> list[str]:
    lines = [party.name, *party.address.lines()]
    if party.tax_id:
        lines.append(f"Tax ID: {party.tax_id}")
    return lines


def _facts(doc: Invoice | CreditNote) -> list[tuple[str, str]]:
    facts = [("Number", doc.number), ("Issue date", doc.issued_on.isoformat())]
    if isinstance(doc, Invoice):
        facts += [
            ("Supply date", doc.supplied_on.isoformat()),
            ("Due date", doc.due_on.isoformat()),
        ]
    else:
        facts += [
            ("Corrects invoice", doc.corrects),
            ("Reason", doc.reason.value.replace("_", " ")),
        ]
    facts.append(("Order", str(doc.order_id)))
    if doc.buyer_reference:
        facts.append(("Buyer reference", doc.buyer_reference))
    facts.append(("Currency", doc.currency.code))
    return facts


def _row(line: DocumentLine, exp: int) -> tuple[str, ...]:
    return (
        f"{line.description} ({line.sku})",
        str(line.quantity),
        _amount(line.unit_price.amount, exp),
        _amount(line.discount.amount, exp),
        _amount(line.net.amount, exp),
        line.percent_label,
    )


def _totals(doc: Invoice | CreditNote) -> list[tuple[str, str]]:
    exp = doc.currency.exponent
    t = doc.totals
    rows = [
        ("Total net", _amount(t.net.amount, exp)),
        ("Total tax", _amount(t.tax.amount, exp)),
        ("Total", _amount(t.gross.amount, exp)),
    ]
    if isinstance(doc, Invoice):
        rows += [("Paid", _amount(t.paid.amount, exp)), ("Amount due", _amount(t.due.amount, exp))]
    else:
        rows.append(("Amount credited", _amount(t.due.amount, exp)))
    return rows


def _breakdown(doc: Invoice | CreditNote) -> list[tuple[str, str, str]]:
    exp = doc.currency.exponent
    return [
        (
            f"{row.category.value} {format(row.percent.normalize(), 'f')}%",
            _amount(row.taxable_base.amount, exp),
            _amount(row.tax.amount, exp),
        )
        for row in doc.tax_breakdown
    ]


def _terms_text(doc: Invoice) -> list[str]:
    lines = [f"Payment terms: {doc.payment_terms.describe()}"]
    if doc.discount_date is not None:
        lines.append(
            f"Pay {_amount(doc.discounted_due.amount, doc.currency.exponent)} "
            f"{doc.currency.code} by {doc.discount_date.isoformat()}, "
            f"else {_amount(doc.totals.due.amount, doc.currency.exponent)} "
            f"{doc.currency.code} by {doc.due_on.isoformat()}"
        )
    return lines


def render_text(doc: Invoice | CreditNote) -> str:
    """A plain-text rendering with aligned columns, the tax breakdown and the totals.

    Columns are aligned by display width (a CJK character takes two columns,
    a combining accent none), and line breaks or tabs inside names are shown
    as spaces so that every row stays on one line.
    """
    require(doc, (Invoice, CreditNote), "doc")
    exp = doc.currency.exponent
    out = [f"{_title(doc)} {_flat(doc.number)}", ""]
    seller = [_flat(line) for line in _party_lines(doc.seller)]
    buyer = [_flat(line) for line in _party_lines(doc.buyer)]
    width = max(_cols(s) for s in [*seller, "Seller"]) + 4
    out.append(f"{_ljust('Seller', width)}Buyer")
    for index in range(max(len(seller), len(buyer))):
        left = seller[index] if index < len(seller) else ""
        right = buyer[index] if index < len(buyer) else ""
        out.append(f"{_ljust(left, width)}{right}".rstrip())
    out.append("")
    facts = [(key, _flat(value)) for key, value in _facts(doc)]
    label = max(len(k) for k, _ in facts)
    out += [f"{key + ':':<{label + 2}}{value}" for key, value in facts]
    out.append("")
    rows = [_HEADERS, *(tuple(_flat(c) for c in _row(line, exp)) for line in doc.lines)]
    widths = [max(_cols(row[i]) for row in rows) for i in range(len(_HEADERS))]

    def fmt(row: tuple[str, ...]) -> str:
        cells = [_ljust(row[0], widths[0])]
        cells += [_rjust(cell, w) for cell, w in zip(row[1:], widths[1:], strict=True)]
        return "  ".join(cells).rstrip()

    out.append(fmt(rows[0]))
    out.append("  ".join("-" * w for w in widths))
    out += [fmt(row) for row in rows[1:]]
    out.append("")
    tax_rows = [("Tax rate", "Taxable base", "Tax"), *_breakdown(doc)]
    tw = [max(len(r[i]) for r in tax_rows) for i in range(3)]
    out += [f"{r[0]:<{tw[0]}}  {r[1]:>{tw[1]}}  {r[2]:>{tw[2]}}" for r in tax_rows]
    out.append("")
    totals = _totals(doc)
    kw = max(len(k) for k, _ in totals)
    vw = max(len(v) for _, v in totals)
    out += [f"{k:<{kw}}  {v:>{vw}} {doc.currency.code}" for k, v in totals]
    if isinstance(doc, Invoice):
        out.append("")
        out += _terms_text(doc)
    if doc.note:
        out += ["", doc.note]
    return "\n".join(out) + "\n"


def _flat(text: str) -> str:
    """One line of text: a newline or tab inside a name would break the columns."""
    return "".join(" " if unicodedata.category(c) in _BREAKS else c for c in text)


def _cols(text: str) -> int:
    """Terminal columns of ``text``: wide (CJK) characters take two, combining marks none."""
    width = 0
    for char in text:
        if unicodedata.combining(char):
            continue
        width += 2 if unicodedata.east_asian_width(char) in "WF" else 1
    return width


def _ljust(text: str, width: int) -> str:
    return text + " " * (width - _cols(text))


def _rjust(text: str, width: int) -> str:
    return " " * (width - _cols(text)) + text


def _e(text: str) -> str:
    return html.escape(text, quote=True)


def _cells(tag: str, values: tuple[str, ...] | list[str], numeric_from: int = 1) -> str:
    cells = []
    for index, value in enumerate(values):
        cls = ' class="num"' if index >= numeric_from else ""
        cells.append(f"<{tag}{cls}>{_e(value)}</{tag}>")
    return "<tr>" + "".join(cells) + "</tr>"


def render_html(doc: Invoice | CreditNote) -> str:
    """A self-contained HTML fragment (an ``<article>``); every text is escaped."""
    require(doc, (Invoice, CreditNote), "doc")
    exp = doc.currency.exponent
    parts = [f'<article class="orderkit-{_title(doc).lower().replace(" ", "-")}">']
    parts.append(f"<h1>{_e(_title(doc).title())} {_e(doc.number)}</h1>")
    for role, party in (("Seller", doc.seller), ("Buyer", doc.buyer)):
        body = "<br>".join(_e(line) for line in _party_lines(party))
        parts.append(f'<section class="{role.lower()}"><h2>{role}</h2><p>{body}</p></section>')
    parts.append("<dl>")
    parts += [f"<dt>{_e(k)}</dt><dd>{_e(v)}</dd>" for k, v in _facts(doc)]
    parts.append("</dl>")
    parts.append('<table class="lines"><thead>')
    parts.append(_cells("th", _HEADERS))
    parts.append("</thead><tbody>")
    parts += [_cells("td", _row(line, exp)) for line in doc.lines]
    parts.append("</tbody></table>")
    parts.append('<table class="tax"><thead>')
    parts.append(_cells("th", ("Tax rate", "Taxable base", "Tax")))
    parts.append("</thead><tbody>")
    parts += [_cells("td", row) for row in _breakdown(doc)]
    parts.append("</tbody></table>")
    parts.append('<table class="totals"><tbody>')
    parts += [_cells("td", [k, f"{v} {doc.currency.code}"]) for k, v in _totals(doc)]
    parts.append("</tbody></table>")
    if isinstance(doc, Invoice):
        parts += [f'<p class="terms">{_e(text)}</p>' for text in _terms_text(doc)]
    if doc.note:
        parts.append(f'<p class="note">{_e(doc.note)}</p>')
    parts.append("</article>")
    return "\n".join(parts) + "\n"
