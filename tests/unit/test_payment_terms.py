"""Payment terms: due dates across month ends, February and year ends; early-payment discount."""

from __future__ import annotations

import calendar
import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderkit.errors import ValidationError
from orderkit.invoicing import DueRule, PaymentTerms
from orderkit.money import Money
from orderkit.testing.strategies import money, payment_terms

dates = st.dates(dt.date(1900, 1, 1), dt.date(2200, 12, 31))


@pytest.mark.parametrize(
    ("terms", "issued", "due"),
    [
        (PaymentTerms.net(30), dt.date(2026, 1, 31), dt.date(2026, 3, 2)),
        (PaymentTerms.net(30), dt.date(2028, 1, 31), dt.date(2028, 3, 1)),
        (PaymentTerms.net(0), dt.date(2026, 5, 5), dt.date(2026, 5, 5)),
        (PaymentTerms.net(14), dt.date(2026, 12, 25), dt.date(2027, 1, 8)),
        (PaymentTerms.end_of_month(15), dt.date(2026, 2, 20), dt.date(2026, 3, 15)),
        (PaymentTerms.end_of_month(15), dt.date(2028, 2, 20), dt.date(2028, 3, 15)),
        (PaymentTerms.end_of_month(0), dt.date(2028, 2, 1), dt.date(2028, 2, 29)),
        (PaymentTerms.end_of_month(30), dt.date(2026, 12, 31), dt.date(2027, 1, 30)),
        (PaymentTerms.end_of_month(10), dt.date(2026, 1, 31), dt.date(2026, 2, 10)),
        (PaymentTerms.day_of_next_month(10), dt.date(2026, 1, 31), dt.date(2026, 2, 10)),
        (PaymentTerms.day_of_next_month(31), dt.date(2026, 1, 31), dt.date(2026, 2, 28)),
        (PaymentTerms.day_of_next_month(30), dt.date(2028, 1, 15), dt.date(2028, 2, 29)),
        (PaymentTerms.day_of_next_month(15), dt.date(2026, 12, 31), dt.date(2027, 1, 15)),
        (PaymentTerms.day_of_next_month(1), dt.date(2026, 3, 31), dt.date(2026, 4, 1)),
    ],
)
def test_due_dates(terms: PaymentTerms, issued: dt.date, due: dt.date) -> None:
    assert terms.due_date(issued) == due


def test_early_payment_discount_two_ten_net_thirty() -> None:
    terms = PaymentTerms.net(30, discount_percent=Decimal("2"), discount_days=10)
    issued = dt.date(2026, 12, 28)
    assert terms.discount_date(issued) == dt.date(2027, 1, 7)
    assert terms.due_date(issued) == dt.date(2027, 1, 27)
    assert terms.discount_amount(Money.of("100.55", "EUR")) == Money.of("2.01", "EUR")
    assert terms.discounted_amount(Money.of("100.55", "EUR")) == Money.of("98.54", "EUR")
    assert terms.discounted_amount(Money.of("1001", "JPY")) == Money.of("981", "JPY")
    assert terms.describe() == "2% 10 days, net 30 days"


def test_no_discount_means_no_discount_date_and_zero_discount() -> None:
    terms = PaymentTerms.end_of_month(15)
    assert terms.discount_date(dt.date(2026, 1, 1)) is None
    assert terms.discount_amount(Money.of("10", "EUR")).is_zero
    assert terms.describe() == "end of month + 15 days"
    assert PaymentTerms.net(0).describe() == "due on receipt"
    assert PaymentTerms.day_of_next_month(5).describe() == "day 5 of the following month"


@pytest.mark.parametrize(
    ("build", "path"),
    [
        (lambda: PaymentTerms.net(-1), "days"),
        (lambda: PaymentTerms.net(True), "days"),  # a bool is not a day count
        (lambda: PaymentTerms.net(100_000), "days"),
        (lambda: PaymentTerms.day_of_next_month(0), "day_of_month"),
        (lambda: PaymentTerms.day_of_next_month(32), "day_of_month"),
        (lambda: PaymentTerms(DueRule.NET, 10, day_of_month=5), "day_of_month"),
        (lambda: PaymentTerms(DueRule.DAY_OF_NEXT_MONTH, 10, day_of_month=5), "days"),
        (lambda: PaymentTerms.net(30, discount_percent=Decimal("2")), "discount_percent"),
        (
            lambda: PaymentTerms.net(30, discount_percent=Decimal("0"), discount_days=5),
            "discount_percent",
        ),
        (
            lambda: PaymentTerms.net(30, discount_percent=Decimal("100"), discount_days=5),
            "discount_percent",
        ),
        (
            lambda: PaymentTerms.net(10, discount_percent=Decimal("2"), discount_days=20),
            "discount_days",
        ),
    ],
)
def test_bad_terms_are_refused_with_the_field(build: object, path: str) -> None:
    with pytest.raises(ValidationError) as info:
        build()  # type: ignore[operator]
    assert path in info.value.errors


@given(payment_terms(), dates)
def test_due_date_never_before_issue_and_discount_date_between(
    terms: PaymentTerms, issued: dt.date
) -> None:
    due = terms.due_date(issued)
    assert due >= issued
    discount_date = terms.discount_date(issued)
    if discount_date is not None:
        assert issued <= discount_date <= due


@given(st.integers(0, 400), st.integers(0, 400), dates)
def test_net_and_end_of_month_are_monotonic_in_days(a: int, b: int, issued: dt.date) -> None:
    low, high = sorted((a, b))
    assert PaymentTerms.net(low).due_date(issued) <= PaymentTerms.net(high).due_date(issued)
    assert (high - low) == (
        PaymentTerms.net(high).due_date(issued) - PaymentTerms.net(low).due_date(issued)
    ).days
    eom_low = PaymentTerms.end_of_month(low).due_date(issued)
    eom_high = PaymentTerms.end_of_month(high).due_date(issued)
    assert eom_low <= eom_high


@given(st.integers(1, 31), st.integers(1, 31), dates)
def test_day_of_next_month_lands_in_the_next_month_and_is_monotonic(
    a: int, b: int, issued: dt.date
) -> None:
    low, high = sorted((a, b))
    due_low = PaymentTerms.day_of_next_month(low).due_date(issued)
    due_high = PaymentTerms.day_of_next_month(high).due_date(issued)
    assert due_low <= due_high
    expected_month = issued.month % 12 + 1
    assert due_low.month == expected_month == due_high.month
    last_day = calendar.monthrange(due_high.year, due_high.month)[1]
    assert due_high.day == min(high, last_day)


@given(st.integers(0, 400), dates)
def test_end_of_month_counts_from_the_last_day_of_the_month(days: int, issued: dt.date) -> None:
    due = PaymentTerms.end_of_month(days).due_date(issued)
    month_end = due - dt.timedelta(days=days)
    assert (month_end.year, month_end.month) == (issued.year, issued.month)
    assert (month_end + dt.timedelta(days=1)).day == 1


@given(payment_terms(), money(min_units=0, max_units=10**12))
def test_discounted_amount_is_whole_minor_units_and_not_more_than_the_amount(
    terms: PaymentTerms, amount: Money
) -> None:
    discounted = terms.discounted_amount(amount)
    assert discounted <= amount
    assert discounted + terms.discount_amount(amount) == amount
    assert not discounted.is_negative
    assert discounted == discounted.round()
