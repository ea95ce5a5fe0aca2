"""``InvoicingConfig``: numbering that keeps invoices and credit notes apart, the seller's dates."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st
from service_shop import ADDRESS, CUSTOMER, MUG, SELLER, Shop

from orderkit.errors import ValidationError
from orderkit.invoicing import DEFAULT_NUMBER_FORMAT, Invoice, NumberFormat
from orderkit.service import InvoicingConfig, LineRequest, StockOnPlace


@pytest.mark.parametrize(
    ("options", "match"),
    [
        ({"series": "DOC", "credit_note_series": "DOC"}, "share the series 'DOC'"),
        ({"number_format": NumberFormat("{year}-{number:06d}")}, "lacks {series}"),
        ({"number_format": NumberFormat("F{year}/{number}")}, "lacks {series}"),
        # "A" 11 and "A1" 1 both print A11-2026.
        (
            {
                "series": "A",
                "credit_note_series": "A1",
                "number_format": NumberFormat("{series}{number}-{year}"),
            },
            "alike",
        ),
        ({"series": "  "}, "series"),
        ({"credit_note_series": ""}, "credit_note_series"),
        ({"number_format": "{series}-{year}-{number}"}, "NumberFormat"),
        ({"timezone": "Mars/Olympus"}, "unknown timezone"),
        ({"timezone": 1}, "timezone"),
    ],
)
def test_numbering_that_could_repeat_a_document_number_is_refused(
    options: dict[str, object], match: str
) -> None:
    with pytest.raises(ValidationError, match=match):
        InvoicingConfig(SELLER, **options)  # type: ignore[arg-type]


def test_distinct_series_in_a_format_with_series_are_accepted() -> None:
    assert InvoicingConfig(SELLER).credit_note_series == "CN"
    glued = InvoicingConfig(
        SELLER,
        series="A",
        credit_note_series="B",
        number_format=NumberFormat("{series}{year}{number}"),
    )
    assert glued.number_format.format("A", dt.date(2026, 1, 1), 1) == "A20261"
    assert InvoicingConfig(SELLER, timezone=ZoneInfo("Asia/Tokyo")).timezone == ZoneInfo(
        "Asia/Tokyo"
    )


@given(
    series=st.text("ABCINV-1", min_size=1, max_size=4),
    notes=st.text("ABCINV-1", min_size=1, max_size=4),
    pattern=st.sampled_from(
        [
            "{series}-{year}-{number:06d}",
            "{series}{year}{number}",
            "{series}{number}/{year}",
            "{year}{series}{number:04d}",
        ]
    ),
)
def test_an_accepted_configuration_never_numbers_an_invoice_like_a_credit_note(
    series: str, notes: str, pattern: str
) -> None:
    number_format = NumberFormat(pattern)
    try:
        config = InvoicingConfig(
            SELLER, series=series, credit_note_series=notes, number_format=number_format
        )
    except ValidationError:
        return
    invoices = {number_format.format(config.series, dt.date(2026, 6, 1), n) for n in range(1, 1200)}
    credit_notes = {
        number_format.format(config.credit_note_series, dt.date(2026, 6, 1), n)
        for n in range(1, 1200)
    }
    assert invoices.isdisjoint(credit_notes)


def _invoice(shop: Shop, config: InvoicingConfig) -> Invoice:
    service = shop.make(invoicing=config, stock_on_place=StockOnPlace.ALLOCATE)
    order = service.place(
        CUSTOMER, [LineRequest(MUG, 1)], currency="EUR", shipping_address=ADDRESS
    ).order_id
    outcome = service.invoice(order)
    with shop.store.unit_of_work() as uow:
        document = uow.invoices.get(outcome.number)
    assert isinstance(document, Invoice)
    assert outcome.issued_on == document.issued_on
    return document


def test_an_invoice_issued_at_new_year_in_berlin_is_dated_and_numbered_in_the_new_year(
    shop: Shop,
) -> None:
    shop.clock.set(dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC))
    document = _invoice(shop, InvoicingConfig(SELLER, timezone="Europe/Berlin"))
    assert document.issued_on == dt.date(2027, 1, 1)
    assert document.supplied_on == dt.date(2027, 1, 1)
    assert document.number == "INV-2027-000001"
    with shop.store.unit_of_work() as uow:
        assert uow.numbers.current("INV", 2027) == 1
        assert uow.numbers.current("INV", 2026) == 0


def test_without_a_timezone_the_issue_date_is_the_utc_date(shop: Shop) -> None:
    shop.clock.set(dt.datetime(2026, 12, 31, 23, 30, tzinfo=dt.UTC))
    document = _invoice(shop, InvoicingConfig(SELLER))
    assert (document.issued_on, document.number) == (dt.date(2026, 12, 31), "INV-2026-000001")
    assert InvoicingConfig(SELLER).number_format == DEFAULT_NUMBER_FORMAT


def test_credit_notes_are_dated_in_the_sellers_timezone_too(shop: Shop) -> None:
    config = InvoicingConfig(SELLER, timezone="America/New_York")
    shop.clock.set(dt.datetime(2027, 1, 1, 3, 0, tzinfo=dt.UTC))  # 31 December, 22:00 in New York
    document = _invoice(shop, config)
    assert document.number == "INV-2026-000001"
    outcome = shop.make(invoicing=config).cancel(document.order_id, reason="changed mind")
    with shop.store.unit_of_work() as uow:
        (note,) = [uow.invoices.get(n) for n in outcome.documents]
    assert (note.number, note.issued_on) == ("CN-2026-000001", dt.date(2026, 12, 31))
