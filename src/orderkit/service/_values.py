"""What the service takes in (requests, configuration) and gives back (small frozen results).

Results are plain frozen values (ids, statuses, totals): they are what an
idempotency key stores, so they go through the converter as JSON and a replay
returns an equal value.
"""

from __future__ import annotations

import datetime as dt
import enum
import string
from collections.abc import Callable, Iterable
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import attrs

from orderkit.errors import InvalidQuantity, ValidationError
from orderkit.ids import LocationId, OrderId, ShipmentId, Sku
from orderkit.invoicing import (
    DEFAULT_NUMBER_FORMAT,
    InvoicingPolicy,
    NumberFormat,
    Party,
    PaymentTerms,
)
from orderkit.money import Money

__all__ = [
    "AllocationOutcome",
    "InvoiceOutcome",
    "InvoicingConfig",
    "LateShipment",
    "LineRequest",
    "OrderOutcome",
    "PlacedOrder",
    "ShipOutcome",
    "StockOnPlace",
    "TrackingOutcome",
]


class StockOnPlace(enum.StrEnum):
    """What ``place`` does with stock.

    .. versionadded:: 0.1
    """

    #: Nothing: stock is allocated later by ``allocate``.
    NONE = "none"
    #: Hold the units with a reservation named after the order, converted by ``allocate``.
    RESERVE = "reserve"
    #: Allocate at once (the order is confirmed first when its state does not allow
    #: allocation, like a shop that confirms every new order automatically).
    ALLOCATE = "allocate"


def _check_sku(_: object, __: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"sku must be a non-empty string, got {value!r}", path="sku")


def _check_quantity(_: object, __: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidQuantity(
            f"quantity must be a whole number > 0, got {value!r}", path="quantity"
        )


def _check_price(_: object, __: attrs.Attribute[Any], value: object) -> None:
    if value is not None and not isinstance(value, Money):
        raise ValidationError(f"unit_price must be Money or None, got {value!r}", path="unit_price")


def _categories(value: Iterable[str]) -> tuple[str, ...]:
    if isinstance(value, str):
        return (value,)
    return tuple(value)


@attrs.frozen
class LineRequest:
    """One line a customer asks for.

    Attributes:
        sku: what is ordered.
        quantity: how many units (> 0).
        unit_price: a price fixed by the caller (a quote); ``None`` takes it
            from the price book.
        tax_category: the tax category pricing and invoicing use.
        categories: catalogue categories promotions match on.
        description: the text printed on invoices (the sku when empty).

    .. versionadded:: 0.1
    """

    sku: Sku = attrs.field(validator=_check_sku)
    quantity: int = attrs.field(validator=_check_quantity)
    unit_price: Money | None = attrs.field(default=None, validator=_check_price)
    tax_category: str = "standard"
    categories: tuple[str, ...] = attrs.field(default=(), converter=_categories)
    description: str = ""


def _net_30() -> PaymentTerms:
    return PaymentTerms.net(30)


def _timezone(value: dt.tzinfo | str) -> dt.tzinfo:
    return _to_timezone(value)


def _to_timezone(value: object) -> dt.tzinfo:
    if isinstance(value, dt.tzinfo):
        return value
    if not isinstance(value, str) or not value:
        raise ValidationError(
            f"timezone must be an IANA name or a tzinfo, got {value!r}", path="timezone"
        )
    try:
        return ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValidationError(f"unknown timezone {value!r}", path="timezone") from None


#: Sequence numbers tried when checking that two series never print the same document
#: number: around every change of digit count, where a longer series name and a shorter
#: number could spell what a shorter series name and a longer number spell.
_SAMPLE_NUMBERS = tuple(
    sorted({n for edge in (1, 10, 100, 1000, 10**4, 10**5, 10**6) for n in range(edge, edge + 12)})
    + [n for edge in (10, 100, 1000, 10**4, 10**5, 10**6, 10**7) for n in range(edge - 3, edge)]
)


def _check_numbering(config: InvoicingConfig) -> None:
    """Refuse numbering under which an invoice and a credit note could share a number."""
    for name in ("series", "credit_note_series"):
        value: object = getattr(config, name)
        if not isinstance(value, str) or not value.strip():
            raise ValidationError(f"{name} must be a non-empty string, got {value!r}", path=name)
    invoices, notes = config.series, config.credit_note_series
    if invoices == notes:
        raise ValidationError(
            f"invoices and credit notes share the series {invoices!r}: "
            "give credit notes a series of their own (credit_note_series)",
            path="credit_note_series",
        )
    pattern = config.number_format.pattern
    names = {name for _, name, _, _ in string.Formatter().parse(pattern) if name is not None}
    if "series" not in names:
        raise ValidationError(
            f"number format {pattern!r} lacks {{series}}: invoice {invoices!r} 1 and credit "
            f"note {notes!r} 1 would get the same document number",
            path="number_format",
        )
    printed: dict[str, str] = {}
    for year in (2025, 2026, 2027):
        issued_on = dt.date(year, 12, 31)
        for number in _SAMPLE_NUMBERS:
            for series in (invoices, notes):
                text = config.number_format.format(series, issued_on, number)
                other = printed.setdefault(text, series)
                if other != series:
                    raise ValidationError(
                        f"number format {pattern!r} prints {text!r} for series {invoices!r} "
                        f"and {notes!r} alike: choose series or a format that keep them apart",
                        path="number_format",
                    )


@attrs.frozen
class InvoicingConfig:
    """How ``invoice`` numbers, dates and bills.

    Invoices and credit notes must never share a document number: the
    configuration is refused (``ValidationError``) when they would, for
    instance with one series for both, or a ``number_format`` without
    ``{series}``.

    Attributes:
        seller: the party on every invoice.
        series: the number series (a gapless sequence per series and year).
        number_format: how a sequence number becomes the document number.
        policy: invoice the whole order once confirmed, or what has shipped.
        payment_terms: the terms printed on invoices and their due dates.
        automatic: issue invoices without an ``invoice`` call: in ``confirm``
            (on confirmation) or in ``ship`` (on shipment), in the same unit of work.
        credit_note_series: the number series of credit notes (``cancel``
            credits what an invoice billed).
        timezone: the seller's timezone (an IANA name or a tzinfo; UTC by
            default): issue and supply dates, and so the numbering year, are
            the seller's local date at the moment of issue.

    .. versionadded:: 0.1
    """

    seller: Party
    series: str = "INV"
    number_format: NumberFormat = DEFAULT_NUMBER_FORMAT
    policy: InvoicingPolicy = InvoicingPolicy.ON_CONFIRMATION
    payment_terms: PaymentTerms = attrs.field(factory=_net_30)
    automatic: bool = False
    credit_note_series: str = "CN"
    timezone: dt.tzinfo = attrs.field(default=dt.UTC, converter=_timezone)

    def __attrs_post_init__(self) -> None:
        number_format: object = self.number_format
        if not isinstance(number_format, NumberFormat):
            raise ValidationError(
                f"number_format must be a NumberFormat, got {number_format!r}",
                path="number_format",
            )
        _check_numbering(self)

    def local_date(self, at: dt.datetime) -> dt.date:
        """The seller's calendar date at ``at`` (the issue date of a document issued then)."""
        return at.astimezone(self.timezone).date()


@attrs.frozen
class PlacedOrder:
    """What ``place`` returns.

    .. versionadded:: 0.1
    """

    order_id: OrderId
    status: str
    total: Money
    allocated: int = 0
    backordered: int = 0
    invoice_number: str | None = None


@attrs.frozen
class OrderOutcome:
    """What ``confirm``, ``cancel`` and other state changes return.

    ``documents`` are the numbers of invoices or credit notes the command issued.

    .. versionadded:: 0.1
    """

    order_id: OrderId
    status: str
    documents: tuple[str, ...] = ()


@attrs.frozen
class AllocationOutcome:
    """What ``allocate`` returns: units allocated now and units still waiting for stock.

    .. versionadded:: 0.1
    """

    order_id: OrderId
    status: str
    allocated: int
    backordered: int


@attrs.frozen
class ShipOutcome:
    """What ``ship`` returns: the shipments dispatched and the units they carry.

    .. versionadded:: 0.1
    """

    order_id: OrderId
    status: str
    shipment_ids: tuple[ShipmentId, ...]
    tracking_numbers: tuple[str, ...]
    units: int
    invoice_number: str | None = None


@attrs.frozen
class LateShipment:
    """A shipment that missed its promised delivery date (what ``late_shipments`` lists).

    Attributes:
        shipment_id: the shipment.
        order_id: the order it ships.
        location: where it left from.
        status: the shipment's status (dispatched, in transit, exception, ...).
        promised_delivery: the date promised at dispatch.
        days_late: whole days since the promised date, in the location's timezone.
        tracking_number: the carrier's tracking number.

    .. versionadded:: 0.1
    """

    shipment_id: ShipmentId
    order_id: OrderId
    location: LocationId
    status: str
    promised_delivery: dt.date
    days_late: int
    tracking_number: str | None = None


@attrs.frozen
class TrackingOutcome:
    """What ``record_tracking`` and ``deliver`` return.

    ``recorded`` is False when the scan was known already (nothing changed).

    .. versionadded:: 0.1
    """

    shipment_id: ShipmentId
    order_id: OrderId
    shipment_status: str
    order_status: str
    recorded: bool


@attrs.frozen
class InvoiceOutcome:
    """What ``invoice`` returns: the document number and its totals.

    .. versionadded:: 0.1
    """

    order_id: OrderId
    number: str
    issued_on: dt.date
    due_on: dt.date
    net: Money
    tax: Money
    gross: Money


#: Makes a new id (orders, shipments); injected so tests and hosts choose the scheme.
IdGenerator = Callable[[], str]

#: Weight of one unit of a sku (kilograms), for parcels and carrier rates.
UnitWeight = Callable[[Sku], Decimal]


def default_unit_weight(sku: Sku) -> Decimal:
    """Half a kilogram per unit when the host gives no catalogue weights."""
    return Decimal("0.5")
