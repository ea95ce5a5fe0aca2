"""Money: exact ``Decimal`` amounts with an explicit ISO 4217 currency.

Arithmetic never rounds; rounding is a named step (:meth:`Money.round`) whose
default mode is half-up. Every split of an amount goes through
:func:`allocate`, which never creates or loses a minor unit.

>>> Money.of("0.1", "EUR") + Money.of("0.2", "EUR") == Money.of("0.3", "EUR")
True
>>> [str(part) for part in allocate(Money.of("100", "EUR"), [1, 1, 1])]
['33.34 EUR', '33.33 EUR', '33.33 EUR']
"""

from __future__ import annotations

import enum
import functools
from collections.abc import Iterable, Sequence
from decimal import Decimal, InvalidOperation
from fractions import Fraction
from typing import TYPE_CHECKING, Final

import attrs

from orderkit._iso4217 import TABLE
from orderkit.errors import CurrencyMismatch, UnknownCurrency, ValidationError

if TYPE_CHECKING:
    from typing import Self

__all__ = ["DEFAULT_ROUNDING", "Currency", "Money", "Rounding", "allocate"]


class Rounding(enum.StrEnum):
    """Rounding modes, equal to the :mod:`decimal` constants of the same name."""

    HALF_UP = "ROUND_HALF_UP"
    HALF_EVEN = "ROUND_HALF_EVEN"
    HALF_DOWN = "ROUND_HALF_DOWN"
    DOWN = "ROUND_DOWN"
    UP = "ROUND_UP"
    CEILING = "ROUND_CEILING"
    FLOOR = "ROUND_FLOOR"


#: The one documented default: half-up, as on shelf labels and most tax rules.
DEFAULT_ROUNDING: Final = Rounding.HALF_UP


@attrs.frozen(order=False)
class Currency:
    """An ISO 4217 currency: alphabetic code, numeric code and minor-unit exponent.

    Obtain one with :meth:`Currency.of`; the instances are shared, so identity
    comparison is cheap.

    >>> Currency.of("JPY").exponent, Currency.of("KWD").exponent
    (0, 3)
    """

    code: str
    numeric: str = attrs.field(eq=False)
    exponent: int = attrs.field(eq=False)
    name: str = attrs.field(eq=False)

    @classmethod
    def of(cls, code: str | Currency) -> Currency:
        """The currency for an alphabetic code; :class:`UnknownCurrency` otherwise."""
        if isinstance(code, Currency):
            return code
        try:
            return _CURRENCIES[code]
        except (KeyError, TypeError):
            raise UnknownCurrency(code) from None

    @classmethod
    def all(cls) -> tuple[Currency, ...]:
        """Every currency of the shipped table, ordered by code."""
        return tuple(_CURRENCIES.values())

    @functools.cached_property
    def quantum(self) -> Decimal:
        """The minor unit as a ``Decimal``: ``0.01`` for EUR, ``1`` for JPY."""
        return Decimal(1).scaleb(-self.exponent)

    def __str__(self) -> str:
        return self.code


def _load_table() -> dict[str, Currency]:
    table = {}
    for row in TABLE.splitlines():
        code, numeric, exponent, name = row.split(" ", 3)
        table[code] = Currency(code, numeric, int(exponent), name)
    return table


_CURRENCIES: Final = _load_table()


def _to_decimal(value: object, *, field: str = "amount") -> Decimal:
    """Convert str, int or Decimal exactly; refuse float, bool and non-finite values."""
    if isinstance(value, bool) or isinstance(value, float):
        raise ValidationError(
            f"{type(value).__name__} {value!r} is not an exact amount; use a str or Decimal",
            path=field,
        )
    if isinstance(value, Decimal):
        result = value
    elif isinstance(value, int | str):
        try:
            result = Decimal(value.strip() if isinstance(value, str) else value)
        except InvalidOperation:
            raise ValidationError(f"{value!r} is not a decimal number", path=field) from None
    else:
        raise ValidationError(f"{value!r} is not a str, int or Decimal", path=field)
    if not result.is_finite():
        raise ValidationError(f"{value!r} is not a finite amount", path=field)
    return result


@attrs.frozen(order=False)
class Money:
    """An exact amount in one currency. Immutable and hashable.

    Amounts keep every digit they are given; only :meth:`round` rounds.

    >>> m = Money.of("19.99", "EUR") * 3
    >>> str(m), str(-m), str(abs(-m))
    ('59.97 EUR', '-59.97 EUR', '59.97 EUR')
    >>> Money.of("10", "EUR") < Money.of("10.01", "EUR")
    True
    """

    amount: Decimal
    currency: Currency

    @classmethod
    def of(cls, amount: str | int | Decimal, currency: str | Currency) -> Money:
        """Build money from a str, int or Decimal amount and a currency code.

        >>> Money.of(0.1, "EUR")
        Traceback (most recent call last):
        ...
        orderkit.errors.ValidationError: amount: float 0.1 is not an exact amount; use a str or Decimal
        """
        return cls(_to_decimal(amount), Currency.of(currency))

    @classmethod
    def zero(cls, currency: str | Currency) -> Money:
        """Zero in a currency."""
        return cls(_ZERO, Currency.of(currency))

    @classmethod
    def sum(cls, items: Iterable[Money], currency: str | Currency) -> Money:
        """Add up amounts that are all in ``currency`` (zero for none).

        >>> str(Money.sum([Money.of("1.10", "USD"), Money.of("2", "USD")], "USD"))
        '3.10 USD'
        """
        cur = Currency.of(currency)
        total = _ZERO
        for item in items:
            if item.currency is not cur and item.currency != cur:
                raise CurrencyMismatch(cur.code, item.currency.code, "sum")
            total += item.amount
        return cls(total, cur)

    # -- arithmetic ---------------------------------------------------------

    def _check(self, other: Money, operation: str) -> None:
        if other.currency is not self.currency and other.currency != self.currency:
            raise CurrencyMismatch(self.currency.code, other.currency.code, operation)

    def __add__(self, other: Money) -> Money:
        if type(other) is not Money:
            return NotImplemented
        if other.currency is not self.currency:
            self._check(other, "add")
        return Money(self.amount + other.amount, self.currency)

    def __radd__(self, other: int) -> Money:
        # Lets the builtin ``sum()`` start from its integer 0.
        if type(other) is int and other == 0:
            return self
        return NotImplemented

    def __sub__(self, other: Money) -> Money:
        if type(other) is not Money:
            return NotImplemented
        if other.currency is not self.currency:
            self._check(other, "subtract")
        return Money(self.amount - other.amount, self.currency)

    def __neg__(self) -> Money:
        return Money(-self.amount, self.currency)

    def __pos__(self) -> Money:
        return self

    def __abs__(self) -> Money:
        return Money(abs(self.amount), self.currency)

    def __mul__(self, factor: int | Decimal) -> Money:
        if isinstance(factor, bool) or not isinstance(factor, int | Decimal):
            return NotImplemented
        return Money(self.amount * factor, self.currency)

    __rmul__ = __mul__

    # -- comparison ---------------------------------------------------------

    def __lt__(self, other: Money) -> bool:
        if type(other) is not Money:
            return NotImplemented
        self._check(other, "compare")
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        if type(other) is not Money:
            return NotImplemented
        self._check(other, "compare")
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        if type(other) is not Money:
            return NotImplemented
        self._check(other, "compare")
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        if type(other) is not Money:
            return NotImplemented
        self._check(other, "compare")
        return self.amount >= other.amount

    # -- queries ------------------------------------------------------------

    @property
    def is_zero(self) -> bool:
        """Whether the amount is zero."""
        return not self.amount

    @property
    def is_negative(self) -> bool:
        """Whether the amount is below zero."""
        return self.amount < 0

    @property
    def minor_units(self) -> int:
        """The amount in whole minor units; refuses an amount that is not whole.

        >>> Money.of("12.34", "EUR").minor_units
        1234
        """
        scaled = self.amount.scaleb(self.currency.exponent)
        if scaled != scaled.to_integral_value():
            raise ValidationError(
                f"{self} is not a whole number of minor units; round it first", path="amount"
            )
        return int(scaled)

    @classmethod
    def from_minor_units(cls, units: int, currency: str | Currency) -> Money:
        """Money from a whole number of minor units.

        >>> str(Money.from_minor_units(1234, "KWD"))
        '1.234 KWD'
        """
        cur = Currency.of(currency)
        return cls(Decimal(units).scaleb(-cur.exponent), cur)

    def round(self, rounding: Rounding | str = DEFAULT_ROUNDING) -> Money:
        """Round to the currency's minor unit (half-up unless told otherwise).

        >>> (
        ...     str(Money.of("2.345", "EUR").round()),
        ...     str(Money.of("2.345", "EUR").round(Rounding.HALF_EVEN)),
        ... )
        ('2.35 EUR', '2.34 EUR')
        """
        mode = Rounding(rounding)
        return Money(
            self.amount.quantize(self.currency.quantum, rounding=mode.value), self.currency
        )

    def with_amount(self, amount: Decimal) -> Self:
        """The same currency with another amount."""
        return attrs.evolve(self, amount=amount)

    def __str__(self) -> str:
        amount = self.amount
        exponent = amount.as_tuple().exponent
        if isinstance(exponent, int) and exponent > -self.currency.exponent:
            amount = amount.quantize(self.currency.quantum)
        return f"{amount} {self.currency.code}"

    def __repr__(self) -> str:
        return f"Money.of({str(self.amount)!r}, {self.currency.code!r})"


_ZERO: Final = Decimal(0)


def allocate(total: Money, weights: Sequence[int | Decimal | Money]) -> list[Money]:
    """Split ``total`` in proportion to ``weights``; the parts always sum to ``total``.

    Each part is a whole number of minor units. Units left after flooring the
    exact shares go, one each, to the largest remainders; equal remainders go
    to the earlier weight. Zero weights get zero. A negative total is split
    like its absolute value and negated. Weights may be amounts (line totals).

    >>> [str(p) for p in allocate(Money.of("5", "JPY"), [1, 1])]
    ['3 JPY', '2 JPY']
    >>> [str(p) for p in allocate(Money.of("-0.05", "EUR"), [1, 0, 3])]
    ['-0.01 EUR', '0.00 EUR', '-0.04 EUR']
    """
    if not weights:
        raise ValidationError("allocate needs at least one weight", path="weights")
    exact: list[Fraction] = []
    for index, weight in enumerate(weights):
        raw = weight.amount if isinstance(weight, Money) else weight
        if isinstance(raw, bool) or not isinstance(raw, int | Decimal):
            raise ValidationError(
                f"weight {weight!r} is not an int, Decimal or Money", path=f"weights[{index}]"
            )
        if isinstance(raw, Decimal) and not raw.is_finite():
            raise ValidationError(f"weight {weight!r} is not finite", path=f"weights[{index}]")
        if raw < 0:
            raise ValidationError(f"weight {weight!r} is negative", path=f"weights[{index}]")
        exact.append(Fraction(raw))
    weight_sum = sum(exact)
    if weight_sum == 0:
        raise ValidationError("all weights are zero; nothing to split by", path="weights")

    units = total.minor_units
    sign = -1 if units < 0 else 1
    units = abs(units)
    floors: list[int] = []
    remainders: list[Fraction] = []
    for weight in exact:
        share = units * weight / weight_sum
        whole = share.numerator // share.denominator
        floors.append(whole)
        remainders.append(share - whole)
    left = units - sum(floors)
    by_remainder = sorted(range(len(exact)), key=lambda i: (-remainders[i], i))
    for index in by_remainder[:left]:
        floors[index] += 1
    currency = total.currency
    return [Money.from_minor_units(sign * part, currency) for part in floors]
