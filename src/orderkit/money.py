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

import decimal
import enum
import functools
import math
from collections.abc import Iterable, Sequence
from decimal import Decimal, DecimalException, InvalidOperation
from typing import TYPE_CHECKING, Final, NoReturn

import attrs

from orderkit._drafts import builder, draft_of
from orderkit._iso4217 import NO_MINOR_UNIT, TABLE
from orderkit.errors import CurrencyMismatch, UnknownCurrency, ValidationError

if TYPE_CHECKING:
    from typing import Self

__all__ = ["DEFAULT_ROUNDING", "MAX_AMOUNT_DIGITS", "Currency", "Money", "Rounding", "allocate"]


class Rounding(enum.StrEnum):
    """Rounding modes, equal to the :mod:`decimal` constants of the same name.

    :meth:`Money.round` also accepts a member's name (``"HALF_EVEN"``) or the
    :mod:`decimal` constant (``decimal.ROUND_HALF_EVEN``).
    """

    HALF_UP = "ROUND_HALF_UP"
    HALF_EVEN = "ROUND_HALF_EVEN"
    HALF_DOWN = "ROUND_HALF_DOWN"
    DOWN = "ROUND_DOWN"
    UP = "ROUND_UP"
    CEILING = "ROUND_CEILING"
    FLOOR = "ROUND_FLOOR"

    @classmethod
    def parse(cls, value: Rounding | str) -> Rounding:
        """A rounding mode from a member, its name or its value; :class:`ValidationError` else."""
        if isinstance(value, Rounding):
            return value
        if isinstance(value, str):
            key = value.upper()
            for member in cls:
                if key in (member.name, member.value):
                    return member
        raise ValidationError(f"unknown rounding mode {value!r}", path="rounding")


#: The one documented default: half-up, as on shelf labels and most tax rules.
DEFAULT_ROUNDING: Final = Rounding.HALF_UP

#: Non-zero amounts lie between 1E-60 and 1E+60 (by their leading digit), so exact
#: arithmetic never has to build absurdly long numbers from hostile input.
MAX_AMOUNT_DIGITS: Final = 60

# Addition, subtraction and multiplication of finite decimals are exact when
# precision is unlimited; the default context (28 digits) would round silently.
_EXACT: Final = decimal.Context(
    prec=decimal.MAX_PREC, Emax=decimal.MAX_EMAX, Emin=decimal.MIN_EMIN, traps=[InvalidOperation]
)
# The same, but trapping any result outside the accepted range (a non-zero amount
# below 1E-60 is "subnormal", from 1E+60 on it "overflows"; a zero's exponent out
# of range is "clamped"), so sums need no range test of their own. A trapped
# operation is redone in _EXACT, whose result _exact() refuses or keeps.
_RANGED: Final = decimal.Context(
    prec=decimal.MAX_PREC,
    Emax=MAX_AMOUNT_DIGITS - 1,
    Emin=-MAX_AMOUNT_DIGITS,
    traps=[InvalidOperation, decimal.Overflow, decimal.Subnormal, decimal.Clamped],
)


def _check_code(_: object, attribute: attrs.Attribute[str], value: object) -> None:
    if not (isinstance(value, str) and len(value) == 3 and value.isascii() and value.isupper()):
        raise ValidationError(f"{value!r} is not a three-letter code", path=attribute.name)


def _check_exponent(_: object, attribute: attrs.Attribute[int], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 8:
        raise ValidationError(f"minor-unit exponent {value!r} is not 0..8", path=attribute.name)


@attrs.frozen(order=False)
class Currency:
    """An ISO 4217 currency: alphabetic code, numeric code and minor-unit exponent.

    Obtain one with :meth:`Currency.of`; the instances are shared, so identity
    comparison is cheap. Equality and hashing use the code only.

    >>> Currency.of("JPY").exponent, Currency.of("KWD").exponent
    (0, 3)
    >>> Currency.of("XYZ")
    Traceback (most recent call last):
    ...
    orderkit.errors.UnknownCurrency: currency: unknown ISO 4217 currency code 'XYZ'
    """

    code: str = attrs.field(validator=_check_code)
    numeric: str = attrs.field(eq=False)
    exponent: int = attrs.field(eq=False, validator=_check_exponent)
    name: str = attrs.field(eq=False)

    @classmethod
    def of(cls, code: str | Currency) -> Currency:
        """The currency for an alphabetic code; :class:`UnknownCurrency` otherwise.

        Codes are matched exactly (ISO codes are upper case). The ISO codes
        without a minor unit (gold ``XAU``, ``XXX``, ...) are refused with
        that reason, since no amount in them can be rounded or split.
        """
        if isinstance(code, Currency):
            return code
        try:
            return _CURRENCIES[code]
        except (KeyError, TypeError):
            pass
        given: object = code  # callers may pass anything at run time
        if isinstance(given, str) and given in _NO_MINOR_UNIT:
            raise UnknownCurrency(code, reason="has no minor unit in ISO 4217 (N.A.)")
        raise UnknownCurrency(code)

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

    def __repr__(self) -> str:
        return f"Currency.of({self.code!r})"


def _load_table() -> dict[str, Currency]:
    table = {}
    for row in TABLE.splitlines():
        code, numeric, exponent, name = row.split(" ", 3)
        table[code] = Currency(code, numeric, int(exponent), name)
    return dict(sorted(table.items()))


_CURRENCIES: Final = _load_table()
_NO_MINOR_UNIT: Final = frozenset(row.split(" ", 1)[0] for row in NO_MINOR_UNIT.splitlines())


def _to_decimal(value: str | int | Decimal) -> Decimal:
    """Convert str, int or Decimal exactly; refuse float, bool, non-finite and absurd values."""
    if type(value) is Decimal:
        result = value
    elif isinstance(value, bool | float):
        raise ValidationError(
            f"{type(value).__name__} {value!r} is not exact; use a str or Decimal", path="amount"
        )
    elif isinstance(value, int):
        result = Decimal(value)
    elif isinstance(value, str | Decimal):
        try:
            result = Decimal(value)
        except InvalidOperation:
            raise ValidationError(f"{value!r} is not a decimal number", path="amount") from None
    else:
        raise ValidationError(f"{value!r} is not a str, int or Decimal", path="amount")
    if not result.is_finite():
        raise ValidationError(f"{value!r} is not a finite amount", path="amount")
    if result and not -MAX_AMOUNT_DIGITS <= result.adjusted() < MAX_AMOUNT_DIGITS:
        raise ValidationError(
            f"{value!r} is out of range: a non-zero amount lies between "
            f"1E-{MAX_AMOUNT_DIGITS} and 1E+{MAX_AMOUNT_DIGITS}",
            path="amount",
        )
    if not result and result.is_signed():
        result = result.copy_abs()
    return result


@attrs.frozen(order=False, init=False)
class Money:
    """An exact amount in one currency. Immutable and hashable.

    Amounts keep every digit they are given; only :meth:`round` rounds.
    Arithmetic needs both sides in one currency (:class:`CurrencyMismatch`
    otherwise) and ordering is only defined within one currency.

    >>> m = Money.of("19.99", "EUR") * 3
    >>> str(m), str(-m), str(abs(-m))
    ('59.97 EUR', '-59.97 EUR', '59.97 EUR')
    >>> Money.of("10", "EUR") < Money.of("10.01", "EUR")
    True
    """

    amount: Decimal
    currency: Currency

    def __init__(self, amount: str | int | Decimal, currency: str | Currency) -> None:
        # Hand-written instead of attrs' generated one with converters: the common case
        # (a finite, in-range, non-zero Decimal and a Currency) is checked inline, which
        # roughly halves the cost of every Money built; anything else takes the full
        # conversion of _to_decimal / Currency.of, so every check still applies.
        if not (
            type(amount) is Decimal
            and amount
            and amount.is_finite()
            and -MAX_AMOUNT_DIGITS <= amount.adjusted() < MAX_AMOUNT_DIGITS
        ):
            amount = _to_decimal(amount)
        if type(currency) is not Currency:
            currency = Currency.of(currency)
        _set_amount(self, amount)
        _set_currency(self, currency)

    @classmethod
    def of(cls, amount: str | int | Decimal, currency: str | Currency) -> Money:
        """Build money from a str, int or Decimal amount and a currency code.

        A ``float`` is refused: ``0.1`` is not exactly one tenth.

        >>> Money.of(0.1, "EUR")
        Traceback (most recent call last):
        ...
        orderkit.errors.ValidationError: amount: float 0.1 is not exact; use a str or Decimal
        """
        return cls(amount, currency)

    @classmethod
    def zero(cls, currency: str | Currency) -> Money:
        """Zero in a currency."""
        return cls(_ZERO, currency)

    @classmethod
    def sum(cls, items: Iterable[Money], currency: str | Currency | None = None) -> Money:
        """Add up amounts that are all in one currency.

        ``currency`` is needed only when ``items`` may be empty (the sum is
        then zero in it); when given, every item must be in it.

        >>> str(Money.sum([Money.of("1.10", "USD"), Money.of("2", "USD")], "USD"))
        '3.10 USD'
        """
        cur = None if currency is None else Currency.of(currency)
        total = _ZERO
        for index, item in enumerate(items):
            if not isinstance(item, Money):
                raise ValidationError(f"{item!r} is not Money", path=f"items[{index}]")
            if cur is None:
                cur = item.currency
            elif item.currency is not cur and item.currency != cur:
                raise CurrencyMismatch(cur.code, item.currency.code, "sum")
            total = _EXACT.add(total, item.amount)
        if cur is None:
            raise ValidationError("the sum of no items needs a currency", path="currency")
        return _exact(total, cur) if cls is Money else cls(total, cur)

    # -- arithmetic ---------------------------------------------------------

    def _check(self, other: Money, operation: str) -> None:
        if other.currency is not self.currency and other.currency != self.currency:
            raise CurrencyMismatch(self.currency.code, other.currency.code, operation)

    def __add__(self, other: Money) -> Money:
        if other.__class__ is not Money and not isinstance(other, Money):
            return NotImplemented
        currency = self.currency
        if other.currency is not currency and other.currency != currency:
            raise CurrencyMismatch(currency.code, other.currency.code, "add")
        # _valid() inlined: addition is the hottest operation of pricing and invoicing.
        # A sum of valid amounts is never a negative zero (that needs -0 + -0).
        try:
            amount = _ranged_add(self.amount, other.amount)
        except DecimalException:
            return _exact(_EXACT.add(self.amount, other.amount), currency)
        money = _MoneyDraft()
        money.amount = amount
        money.currency = currency
        money.__class__ = Money
        return money  # type: ignore[no-any-return]

    def __radd__(self, other: int) -> Money:
        # Lets the builtin ``sum()`` start from its integer 0.
        if type(other) is int and other == 0:
            return self
        return NotImplemented

    def __sub__(self, other: Money) -> Money:
        if not isinstance(other, Money):
            return NotImplemented
        currency = self.currency
        if other.currency is not currency and other.currency != currency:
            raise CurrencyMismatch(currency.code, other.currency.code, "subtract")
        try:  # like __add__: x - x is +0, never a negative zero
            return _valid(_ranged_subtract(self.amount, other.amount), currency)
        except DecimalException:
            return _exact(_EXACT.subtract(self.amount, other.amount), currency)

    def __neg__(self) -> Money:
        return _exact(_EXACT.minus(self.amount), self.currency)

    def __pos__(self) -> Money:
        return self

    def __abs__(self) -> Money:
        return _exact(_EXACT.abs(self.amount), self.currency)

    def __mul__(self, factor: int | Decimal) -> Money:
        if factor.__class__ is int or (type(factor) is Decimal and factor.is_finite()):
            return _exact(_EXACT.multiply(self.amount, factor), self.currency)  # usual factors
        if isinstance(factor, float):
            raise ValidationError(
                f"cannot multiply money by float {factor!r}; use an int or Decimal", path="factor"
            )
        if isinstance(factor, bool) or not isinstance(factor, int | Decimal):
            return NotImplemented
        if isinstance(factor, Decimal) and not factor.is_finite():
            raise ValidationError(f"factor {factor!r} is not finite", path="factor")
        return _exact(_EXACT.multiply(self.amount, factor), self.currency)

    __rmul__ = __mul__

    # -- comparison ---------------------------------------------------------

    def __lt__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        if other.currency is not self.currency:
            self._check(other, "compare")
        return self.amount < other.amount

    def __le__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        if other.currency is not self.currency:
            self._check(other, "compare")
        return self.amount <= other.amount

    def __gt__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        if other.currency is not self.currency:
            self._check(other, "compare")
        return self.amount > other.amount

    def __ge__(self, other: Money) -> bool:
        if not isinstance(other, Money):
            return NotImplemented
        if other.currency is not self.currency:
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
    def is_positive(self) -> bool:
        """Whether the amount is above zero."""
        return self.amount > 0

    @property
    def is_rounded(self) -> bool:
        """Whether the amount is a whole number of minor units."""
        return self.amount == self.round(Rounding.DOWN).amount

    @property
    def minor_units(self) -> int:
        """The amount in whole minor units; refuses an amount that is not whole.

        >>> Money.of("12.34", "EUR").minor_units
        1234
        """
        scaled = self.amount.scaleb(self.currency.exponent, _EXACT)
        units = int(scaled)
        if units != scaled:
            raise ValidationError(
                f"{self} is not a whole number of minor units; round it first", path="amount"
            )
        return units

    @classmethod
    def from_minor_units(cls, units: int, currency: str | Currency) -> Money:
        """Money from a whole number of minor units.

        >>> str(Money.from_minor_units(1234, "KWD"))
        '1.234 KWD'
        """
        if isinstance(units, bool) or not isinstance(units, int):
            raise ValidationError(f"{units!r} is not a whole number of minor units", path="units")
        cur = currency if type(currency) is Currency else Currency.of(currency)
        return cls(_EXACT.scaleb(Decimal(units), -cur.exponent), cur)

    def round(self, rounding: Rounding | str = DEFAULT_ROUNDING) -> Money:
        """Round to the currency's minor unit (half-up unless told otherwise).

        Rounding is idempotent: a rounded amount rounds to itself.

        >>> (
        ...     str(Money.of("2.345", "EUR").round()),
        ...     str(Money.of("2.345", "EUR").round(Rounding.HALF_EVEN)),
        ... )
        ('2.35 EUR', '2.34 EUR')
        """
        mode = rounding if type(rounding) is Rounding else Rounding.parse(rounding)
        currency = self.currency
        # A Rounding is the str decimal expects; positional arguments, since keywords
        # make quantize() three times slower.
        return _exact(self.amount.quantize(currency.quantum, mode, _EXACT), currency)

    def with_amount(self, amount: str | int | Decimal) -> Self:
        """The same currency with another amount."""
        return attrs.evolve(self, amount=amount)

    def __str__(self) -> str:
        amount = self.amount
        exponent = amount.as_tuple().exponent
        if isinstance(exponent, int) and exponent > -self.currency.exponent:
            amount = amount.quantize(self.currency.quantum, context=_EXACT)
        return f"{amount:f} {self.currency.code}"

    def __repr__(self) -> str:
        return f"Money.of({format(self.amount, 'f')!r}, {self.currency.code!r})"


_ZERO: Final = Decimal(0)
_set_amount = Money.__dict__["amount"].__set__  # for __init__: Money is frozen to all
_set_currency = Money.__dict__["currency"].__set__
_ranged_add = _RANGED.add
_ranged_subtract = _RANGED.subtract
_multiply = _EXACT.multiply

#: Money from an amount known to be valid (finite, in range, not a negative zero),
#: built through a draft (orderkit._drafts) without ``__init__``'s checks. The
#: hottest sites (``+``, :func:`_exact`, :func:`allocate`) inline it with its
#: draft class: one call more costs ``_exact`` about 15 % and ``+`` about 5 %.
_valid: Final = builder(Money)
_MoneyDraft: Final = draft_of(Money)


def _exact(amount: Decimal, currency: Currency) -> Money:
    """Money from exact arithmetic on valid Money: only the result's range needs checking.

    Finite operands give a finite result; a sum, difference, product or rounding
    may still leave the accepted range (or be a negative zero), so those checks
    stay, with the same errors as :meth:`Money.of`.
    """
    if amount:
        if not -MAX_AMOUNT_DIGITS <= amount.adjusted() < MAX_AMOUNT_DIGITS:
            amount = _to_decimal(amount)  # raises, naming the amount
    elif amount.is_signed():
        amount = amount.copy_abs()
    money = _MoneyDraft()  # _valid() inlined: pricing builds most of its results here
    money.amount = amount
    money.currency = currency
    money.__class__ = Money
    return money  # type: ignore[no-any-return]


def _check_weight_currencies(weights: Sequence[object]) -> None:
    codes = {w.currency.code for w in weights if isinstance(w, Money)}
    if len(codes) > 1:
        first, second = sorted(codes)[:2]
        raise CurrencyMismatch(first, second, "allocate by")


def _refuse_weight(weights: Sequence[object], index: int, problem: str) -> NoReturn:
    _check_weight_currencies(weights)  # weights in two currencies are reported first
    raise ValidationError(f"weight {weights[index]!r} {problem}", path=f"weights[{index}]")


def _weight_ratios(weights: Sequence[object]) -> list[tuple[int, int]]:
    """Each weight as an exact (numerator, denominator) pair, validated."""
    ratios = []
    has_money = False
    for index, weight in enumerate(weights):
        if weight.__class__ is int:  # the usual weight: its ratio is itself over one
            if weight < 0:
                _refuse_weight(weights, index, "is negative")
            ratios.append((weight, 1))
            continue
        raw = weight
        if isinstance(weight, Money):
            has_money = True
            raw = weight.amount
        if isinstance(raw, Decimal):
            if not raw.is_finite():
                _refuse_weight(weights, index, "is not finite")
            if raw and not -MAX_AMOUNT_DIGITS <= raw.adjusted() < MAX_AMOUNT_DIGITS:
                _refuse_weight(weights, index, "is out of range")
        elif isinstance(raw, bool) or not isinstance(raw, int):
            _refuse_weight(weights, index, "is not an int, Decimal or Money")
        if raw < 0:
            _refuse_weight(weights, index, "is negative")
        ratios.append(raw.as_integer_ratio())
    if has_money:
        _check_weight_currencies(weights)
    return ratios


def allocate(total: Money, weights: Sequence[int | Decimal | Money]) -> list[Money]:
    """Split ``total`` in proportion to ``weights``; the parts always sum to ``total``.

    This is the one way orderkit splits money (discounts over lines, shipping,
    refunds), so no minor unit is ever created or lost. Each part is a whole
    number of minor units, so ``total`` must be one too (round it first).
    Units left after flooring the exact shares go, one each, to the largest
    remainders; a tie goes to the larger weight, then to the earlier one, so
    the result depends on nothing but the inputs. Zero weights get zero. A
    negative total is split like its absolute value and negated. Weights may
    be amounts (line totals) in one currency; negative weights, and weights
    that are all zero, are refused.

    >>> [str(p) for p in allocate(Money.of("100", "EUR"), [1, 1, 1])]
    ['33.34 EUR', '33.33 EUR', '33.33 EUR']
    >>> [str(p) for p in allocate(Money.of("5", "JPY"), [1, 1])]
    ['3 JPY', '2 JPY']
    >>> [str(p) for p in allocate(Money.of("-0.05", "EUR"), [1, 0, 3])]
    ['-0.01 EUR', '0.00 EUR', '-0.04 EUR']
    """
    if not isinstance(total, Money):
        raise ValidationError(f"{total!r} is not Money", path="total")
    if isinstance(weights, str | bytes) or not isinstance(weights, Sequence):
        raise ValidationError(f"weights {weights!r} are not a sequence", path="weights")
    if not weights:
        raise ValidationError("allocate needs at least one weight", path="weights")
    for weight in weights:
        if weight.__class__ is not int or weight < 0:
            ratios = _weight_ratios(weights)
            common = math.lcm(*[den for _, den in ratios])
            scaled = (
                [num for num, _ in ratios]
                if common == 1
                else [num * (common // den) for num, den in ratios]
            )
            break
    else:  # whole weights (minor units, counts), the usual case: each is its own ratio
        scaled = list(weights)  # type: ignore[arg-type]  # every one an int, just checked
    weight_sum = sum(scaled)
    if weight_sum == 0:
        raise ValidationError("all weights are zero; nothing to split by", path="weights")

    units = total.minor_units
    sign = -1 if units < 0 else 1
    units = abs(units)
    parts: list[int] = []
    remainders: list[int] = []
    for weight in scaled:
        whole, remainder = divmod(units * weight, weight_sum)
        parts.append(whole)
        remainders.append(-remainder)
    left = units - sum(parts)
    if left:
        # Largest remainder first, then larger weight, then earlier: plain tuples sort
        # without a key function.
        ranked = sorted(zip(remainders, [-w for w in scaled], range(len(scaled)), strict=True))
        for _, _, index in ranked[:left]:
            parts[index] += 1
    currency = total.currency
    quantum = currency.quantum
    result: list[Money] = []
    for part in parts:
        # Whole minor units of an amount in range, so in range too (and never -0);
        # _valid() inlined, as in Money.__add__.
        money = _MoneyDraft()
        money.amount = _multiply(Decimal(sign * part), quantum)
        money.currency = currency
        money.__class__ = Money
        result.append(money)
    return result
