"""What an order was priced at: a typed snapshot taken when it was placed.

Invoices, credit notes and refunds must bill exactly what the customer was
quoted at placement, not what a price list says later, so the order keeps
the priced amounts itself. Orders may not import ``orderkit.pricing``; the
service layer maps a pricing breakdown onto these small values.

Both price modes obey one rule per line (and for shipping): what the
customer pays is ``net + tax``. With tax-exclusive prices ``net`` is
``gross - discount``; with tax-inclusive prices ``gross - discount`` is
what the customer pays (the tax is inside it). The grand total is the sum
of what every line and the shipping charge cost; construction refuses any
snapshot where a figure does not add up to the minor unit.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal
from typing import Any

import attrs

from orderkit.errors import CurrencyMismatch, ValidationError
from orderkit.ids import LineId
from orderkit.money import Currency, Money

__all__ = ["PriceSnapshot", "PricedLine", "PricedShipping", "PricedTax"]


def _money(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    name = attribute.alias or attribute.name
    if not isinstance(value, Money):
        raise ValidationError(f"{name} must be Money, got {value!r}", path=name)
    if value.is_negative:
        raise ValidationError(f"{name} must not be negative, got {value}", path=name)


def _label(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    name = attribute.alias or attribute.name
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"{name} must be a non-blank string, got {value!r}", path=name)


def _percent(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, Decimal) or not value.is_finite():
        raise ValidationError(f"percent must be a finite Decimal, got {value!r}", path="percent")
    if value < 0:
        raise ValidationError(f"percent must not be negative, got {value}", path="percent")


@attrs.frozen
class PricedTax:
    """Tax of one rate on a line or on shipping: rate name, tax category, percent, base, tax.

    >>> PricedTax(
    ...     "VAT", "standard", Decimal("19"), Money.of("10.00", "EUR"), Money.of("1.90", "EUR")
    ... ).amount
    Money.of('1.90', 'EUR')
    """

    name: str = attrs.field(validator=_label)
    category: str = attrs.field(validator=_label)
    percent: Decimal = attrs.field(validator=_percent)
    base: Money = attrs.field(validator=_money)
    amount: Money = attrs.field(validator=_money)

    def __attrs_post_init__(self) -> None:
        if self.base.currency != self.amount.currency:
            raise CurrencyMismatch(
                self.base.currency.code, self.amount.currency.code, f"tax {self.name}"
            )


def _taxes(
    values: Iterable[PricedTax | tuple[str, str, Decimal, Money, Money]],
) -> tuple[PricedTax, ...]:
    """Taxes as :class:`PricedTax` or plain ``(name, category, percent, base, amount)``."""
    found: list[PricedTax] = []
    for index, tax in enumerate(values):
        item: object = tax
        if isinstance(item, tuple) and len(item) == 5:
            item = PricedTax(*item)
        if not isinstance(item, PricedTax):
            raise ValidationError(f"{tax!r} is not a PricedTax", path=f"taxes[{index}]")
        found.append(item)
    return tuple(found)


def _check_charge(
    what: str, gross: Money, discount: Money, net: Money, taxes: tuple[PricedTax, ...]
) -> None:
    currency = gross.currency
    for name, amount in (("discount", discount), ("net", net)):
        if amount.currency != currency:
            raise CurrencyMismatch(currency.code, amount.currency.code, f"{what} {name}")
    for tax in taxes:
        if tax.amount.currency != currency:
            raise CurrencyMismatch(currency.code, tax.amount.currency.code, f"{what} tax")
    if discount > gross:
        raise ValidationError(
            f"{what}: discount {discount} exceeds the gross {gross}", path="discount"
        )


@attrs.frozen
class PricedLine:
    """One priced order line.

    Attributes:
        line_id: The order line this prices.
        gross: Unit price × quantity, in the snapshot's price mode.
        discount: Every discount on the line (its share of order discounts included).
        net: The amount without tax.
        taxes: The tax per rate.
    """

    line_id: LineId = attrs.field(validator=_label)
    gross: Money = attrs.field(validator=_money)
    discount: Money = attrs.field(validator=_money)
    net: Money = attrs.field(validator=_money)
    taxes: tuple[PricedTax, ...] = attrs.field(default=(), converter=_taxes)

    def __attrs_post_init__(self) -> None:
        _check_charge(f"line {self.line_id}", self.gross, self.discount, self.net, self.taxes)

    @property
    def tax(self) -> Money:
        """All tax on the line."""
        return Money.sum((t.amount for t in self.taxes), self.gross.currency)

    @property
    def total(self) -> Money:
        """What the customer pays for the line: net plus tax."""
        return self.net + self.tax


@attrs.frozen
class PricedShipping:
    """The priced shipping charge; the fields mean what they mean on :class:`PricedLine`."""

    gross: Money = attrs.field(validator=_money)
    discount: Money = attrs.field(validator=_money)
    net: Money = attrs.field(validator=_money)
    taxes: tuple[PricedTax, ...] = attrs.field(default=(), converter=_taxes)

    def __attrs_post_init__(self) -> None:
        _check_charge("shipping", self.gross, self.discount, self.net, self.taxes)

    @classmethod
    def free(cls, currency: Currency | str) -> PricedShipping:
        """No shipping charge."""
        zero = Money.zero(Currency.of(currency))
        return cls(zero, zero, zero)

    @property
    def tax(self) -> Money:
        """All tax on shipping."""
        return Money.sum((t.amount for t in self.taxes), self.gross.currency)

    @property
    def total(self) -> Money:
        """What the customer pays for shipping: net plus tax."""
        return self.net + self.tax


def _lines(values: Iterable[PricedLine]) -> tuple[PricedLine, ...]:
    found = tuple(values)
    for index, line in enumerate(found):
        item: object = line
        if not isinstance(item, PricedLine):
            raise ValidationError(f"{line!r} is not a PricedLine", path=f"lines[{index}]")
    return found


def _codes(values: Iterable[str]) -> tuple[str, ...]:
    if isinstance(values, str):
        raise ValidationError(f"expected a sequence of codes, got the string {values!r}")
    found = tuple(values)
    for code in found:
        item: object = code
        if not isinstance(item, str) or not code.strip():
            raise ValidationError(f"a code must be a non-blank string, got {code!r}")
    return found


@attrs.frozen
class PriceSnapshot:
    """Every priced figure of an order, fixed when it was placed.

    Invoices and credit notes bill from it; usage-limited promotions count
    the codes it records. Construction checks that every figure adds up.

    Attributes:
        prices_include_tax: Whether ``gross`` figures include tax.
        lines: One entry per order line, in order.
        shipping: The shipping charge (all zero when there is none).
        grand_total: What the customer pays: lines plus shipping, tax included.
        promotion_codes: Codes of the promotions that applied.
        coupon_codes: Coupon codes that an applied promotion used.
        first_order: Whether it was priced as the customer's first order.

    >>> eur = lambda text: Money.of(text, "EUR")
    >>> snapshot = PriceSnapshot(
    ...     prices_include_tax=False,
    ...     lines=[
    ...         PricedLine(
    ...             LineId("L1"),
    ...             eur("20.00"),
    ...             eur("2.00"),
    ...             eur("18.00"),
    ...             [PricedTax("VAT", "standard", Decimal(10), eur("18.00"), eur("1.80"))],
    ...         )
    ...     ],
    ...     shipping=PricedShipping(eur("5.00"), eur("0.00"), eur("5.00")),
    ...     grand_total=eur("24.80"),
    ... )
    >>> str(snapshot.line("L1").total), str(snapshot.tax_total)
    ('19.80 EUR', '1.80 EUR')
    """

    prices_include_tax: bool
    lines: tuple[PricedLine, ...] = attrs.field(converter=_lines)
    shipping: PricedShipping
    grand_total: Money = attrs.field(validator=_money)
    promotion_codes: tuple[str, ...] = attrs.field(default=(), converter=_codes)
    coupon_codes: tuple[str, ...] = attrs.field(default=(), converter=_codes)
    first_order: bool = False

    def __attrs_post_init__(self) -> None:
        for name in ("prices_include_tax", "first_order"):
            flag: object = getattr(self, name)
            if not isinstance(flag, bool):
                raise ValidationError(f"{name} must be a bool, got {flag!r}", path=name)
        shipping: object = self.shipping
        if not isinstance(shipping, PricedShipping):
            raise ValidationError(f"{shipping!r} is not a PricedShipping", path="shipping")
        if not self.lines:
            raise ValidationError("a price snapshot needs at least one line", path="lines")
        currency = self.grand_total.currency
        seen: set[str] = set()
        charges: list[tuple[PricedLine | PricedShipping, str]] = [
            (line, f"line {line.line_id}") for line in self.lines
        ]
        charges.append((self.shipping, "shipping"))
        for charge, what in charges:
            if charge.gross.currency != currency:
                raise CurrencyMismatch(currency.code, charge.gross.currency.code, what)
            if isinstance(charge, PricedLine):
                if charge.line_id in seen:
                    raise ValidationError(f"line {charge.line_id!r} is priced twice", path="lines")
                seen.add(charge.line_id)
            after_discount = charge.gross - charge.discount
            if self.prices_include_tax and after_discount != charge.total:
                raise ValidationError(
                    f"{what}: gross {charge.gross} - discount {charge.discount} != "
                    f"net {charge.net} + tax {charge.tax} with tax-inclusive prices",
                    path="net",
                )
            if not self.prices_include_tax and after_discount != charge.net:
                raise ValidationError(
                    f"{what}: gross {charge.gross} - discount {charge.discount} != "
                    f"net {charge.net} with tax-exclusive prices",
                    path="net",
                )
        total = Money.sum((line.total for line in self.lines), currency) + self.shipping.total
        if total != self.grand_total:
            raise ValidationError(
                f"grand total {self.grand_total} != lines plus shipping {total}",
                path="grand_total",
            )

    @property
    def currency(self) -> Currency:
        """The currency of every figure."""
        return self.grand_total.currency

    @property
    def tax_total(self) -> Money:
        """All tax, lines and shipping."""
        return Money.sum((line.tax for line in self.lines), self.currency) + self.shipping.tax

    @property
    def discount_total(self) -> Money:
        """All discounts, lines and shipping."""
        return (
            Money.sum((line.discount for line in self.lines), self.currency)
            + self.shipping.discount
        )

    def line(self, line_id: LineId | str) -> PricedLine:
        """The priced figures of one line (``ValidationError`` naming it if absent)."""
        for line in self.lines:
            if line.line_id == line_id:
                return line
        raise ValidationError(f"no priced line {line_id!r}", path=f"lines.{line_id}")
