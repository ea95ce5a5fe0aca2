"""Payment terms: when an invoice falls due, and the early-payment discount.

Built on :class:`dateutil.relativedelta.relativedelta`, which clamps to the
end of a month (31 January plus one month is 28 or 29 February) instead of
failing, so the 31st, February and year ends need no special cases.
"""

from __future__ import annotations

import datetime as dt
import enum
from decimal import Decimal

import attrs
from dateutil.relativedelta import relativedelta

from orderkit.errors import ValidationError
from orderkit.money import DEFAULT_ROUNDING, Money, Rounding

from ._checks import is_decimal, is_int, require

__all__ = ["DueRule", "PaymentTerms"]

_MAX_DAYS = 3660
#: The last issue date whose due date (at most a month end + ``_MAX_DAYS``) is a valid date.
_LATEST_ISSUE = dt.date.max - dt.timedelta(days=_MAX_DAYS + 62)


class DueRule(enum.StrEnum):
    """How the due date follows from the issue date."""

    #: issue date + N days.
    NET = "net"
    #: last day of the issue month + N days.
    END_OF_MONTH = "end_of_month"
    #: day D of the month after the issue month (clamped to that month's length).
    DAY_OF_NEXT_MONTH = "day_of_next_month"


def _issue_date(value: object) -> dt.date:
    """A plain date: a str or a datetime would fail deep in relativedelta (or return a datetime)."""
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        raise ValidationError(f"issue date {value!r} is not a date", path="issued_on")
    if value > _LATEST_ISSUE:
        raise ValidationError(
            f"issue date {value.isoformat()} is too late to compute a due date", path="issued_on"
        )
    return value


def _percent_text(value: Decimal) -> str:
    """``2``, ``2.5``: no exponent (``1E+1``) and no trailing zeros in the shorthand."""
    return format(value.normalize(), "f")


def _check_days(value: int, path: str) -> None:
    if not is_int(value) or not 0 <= value <= _MAX_DAYS:
        raise ValidationError(
            f"{path} must be a whole number of days 0..{_MAX_DAYS}, got {value!r}", path=path
        )


@attrs.frozen
class PaymentTerms:
    """When payment is due, and an optional discount for paying early.

    Build them with the named constructors:

    >>> import datetime as dt
    >>> PaymentTerms.net(30).due_date(dt.date(2026, 1, 31))
    datetime.date(2026, 3, 2)
    >>> PaymentTerms.end_of_month(15).due_date(dt.date(2026, 2, 20))
    datetime.date(2026, 3, 15)
    >>> PaymentTerms.day_of_next_month(31).due_date(dt.date(2026, 1, 10))
    datetime.date(2026, 2, 28)
    >>> terms = PaymentTerms.net(30, discount_percent=Decimal("2"), discount_days=10)
    >>> terms.describe()
    '2% 10 days, net 30 days'

    Attributes:
        rule: how the due date is derived.
        days: N for :attr:`DueRule.NET` and :attr:`DueRule.END_OF_MONTH`.
        day_of_month: D for :attr:`DueRule.DAY_OF_NEXT_MONTH` (1..31).
        discount_percent: early-payment discount in percent, or ``None``.
        discount_days: days after issue within which the discount applies.
    """

    rule: DueRule
    days: int = 0
    day_of_month: int | None = None
    discount_percent: Decimal | None = None
    discount_days: int | None = None

    def __attrs_post_init__(self) -> None:
        require(self.rule, DueRule, "rule")
        _check_days(self.days, "days")
        if self.rule is DueRule.DAY_OF_NEXT_MONTH:
            dom = self.day_of_month
            if isinstance(dom, bool) or not isinstance(dom, int) or not 1 <= dom <= 31:
                raise ValidationError(
                    f"day_of_month must be 1..31 for {self.rule.value}, got {dom!r}",
                    path="day_of_month",
                )
            if self.days:
                raise ValidationError(
                    f"days is not used by {self.rule.value}, got {self.days}", path="days"
                )
        elif self.day_of_month is not None:
            raise ValidationError(
                f"day_of_month is only used by day_of_next_month, got {self.day_of_month!r}",
                path="day_of_month",
            )
        if (self.discount_percent is None) != (self.discount_days is None):
            raise ValidationError(
                "give both discount_percent and discount_days, or neither", path="discount_percent"
            )
        if self.discount_percent is not None and self.discount_days is not None:
            pct = self.discount_percent
            if not is_decimal(pct) or not 0 < pct < 100:
                raise ValidationError(
                    f"discount_percent must be a Decimal above 0 and below 100, got {pct!r}",
                    path="discount_percent",
                )
            _check_days(self.discount_days, "discount_days")
            if self.rule is DueRule.NET and self.discount_days > self.days:
                raise ValidationError(
                    f"discount period {self.discount_days} days is longer than net "
                    f"{self.days} days",
                    path="discount_days",
                )

    # -- named constructors -------------------------------------------------

    @classmethod
    def net(
        cls, days: int, *, discount_percent: Decimal | None = None, discount_days: int | None = None
    ) -> PaymentTerms:
        """Due ``days`` days after the issue date (``net(0)``: due on receipt)."""
        return cls(DueRule.NET, days, None, discount_percent, discount_days)

    @classmethod
    def end_of_month(
        cls, days: int, *, discount_percent: Decimal | None = None, discount_days: int | None = None
    ) -> PaymentTerms:
        """Due ``days`` days after the last day of the issue month."""
        return cls(DueRule.END_OF_MONTH, days, None, discount_percent, discount_days)

    @classmethod
    def day_of_next_month(
        cls, day: int, *, discount_percent: Decimal | None = None, discount_days: int | None = None
    ) -> PaymentTerms:
        """Due on day ``day`` of the following month (the 31st means its last day)."""
        return cls(DueRule.DAY_OF_NEXT_MONTH, 0, day, discount_percent, discount_days)

    # -- dates and amounts --------------------------------------------------

    def due_date(self, issued_on: dt.date) -> dt.date:
        """The date payment of the full amount is due; never before ``issued_on``.

        Raises:
            ValidationError: ``issued_on`` is not a plain date.
        """
        issued_on = _issue_date(issued_on)
        if self.rule is DueRule.NET:
            return issued_on + relativedelta(days=self.days)
        if self.rule is DueRule.END_OF_MONTH:
            return issued_on + relativedelta(day=31) + relativedelta(days=self.days)
        return issued_on + relativedelta(months=1, day=self.day_of_month)

    def discount_date(self, issued_on: dt.date) -> dt.date | None:
        """The last day the early-payment discount applies (never after the due date)."""
        issued_on = _issue_date(issued_on)
        if self.discount_days is None:
            return None
        return min(issued_on + relativedelta(days=self.discount_days), self.due_date(issued_on))

    def discount_amount(self, amount: Money, rounding: Rounding = DEFAULT_ROUNDING) -> Money:
        """The discount for paying ``amount`` early, rounded to the minor unit (zero if none)."""
        if not isinstance(amount, Money):
            raise ValidationError(f"{amount!r} is not Money", path="amount")
        if self.discount_percent is None:
            return Money.zero(amount.currency)
        return (amount * (self.discount_percent / 100)).round(rounding)

    def discounted_amount(self, amount: Money, rounding: Rounding = DEFAULT_ROUNDING) -> Money:
        """What settles ``amount`` within the discount period."""
        return amount - self.discount_amount(amount, rounding)

    def describe(self) -> str:
        """The terms in the usual shorthand, e.g. ``"2% 10 days, net 30 days"``."""
        if self.rule is DueRule.NET:
            base = "due on receipt" if self.days == 0 else f"net {self.days} days"
        elif self.rule is DueRule.END_OF_MONTH:
            base = f"end of month + {self.days} days"
        else:
            base = f"day {self.day_of_month} of the following month"
        if self.discount_percent is None:
            return base
        return f"{_percent_text(self.discount_percent)}% {self.discount_days} days, {base}"
