"""How a gapless sequence number becomes a document number such as ``INV-2026-000123``.

The number itself comes from a ``NumberSequence`` port, one per series and
year, drawn inside the unit of work that stores the document, so a rolled
back unit of work consumes no number. This module only formats it.
"""

from __future__ import annotations

import datetime as dt
import string

import attrs

from orderkit.errors import ValidationError

from ._checks import is_int, require

__all__ = ["DEFAULT_NUMBER_FORMAT", "NumberFormat"]

_FIELDS = frozenset({"series", "year", "month", "number"})
#: Fields whose every digit matters: two numbers (or years) must never print alike.
_EXACT = frozenset({"year", "number"})
#: Format-spec endings that print a whole number exactly (a digit: only a width was given;
#: a comma or underscore: grouping).
_WHOLE = frozenset("dxXob0123456789,_")


class _Month(int):
    """A month number that prints with two digits by default (``{month}`` → ``05``).

    It stays an ``int`` so that a pattern may also say ``{month:02d}`` or
    ``{month:d}``; formatting it as a string used to pass validation (done
    with an ``int``) and then fail on every real call with a bare ValueError.
    """

    def __format__(self, spec: str) -> str:
        return int.__format__(self, spec or "02d")


def _check_pattern(_: object, __: object, pattern: str) -> None:
    require(pattern, str, "pattern")
    try:
        parsed = list(string.Formatter().parse(pattern))
    except ValueError as exc:
        raise ValidationError(
            f"number format {pattern!r} is malformed: {exc}", path="pattern"
        ) from None
    names = {name for _, name, _, _ in parsed if name is not None}
    unknown = names - _FIELDS
    if unknown or "" in names:
        raise ValidationError(
            f"number format {pattern!r} uses unknown fields {sorted(unknown)!r}; "
            f"allowed: {sorted(_FIELDS)!r}",
            path="pattern",
        )
    for needed in ("number", "year"):
        if needed not in names:
            raise ValidationError(
                f"number format {pattern!r} lacks {{{needed}}}: sequences restart every year, "
                "so the year keeps numbers unique",
                path="pattern",
            )
    try:
        pattern.format(series="S", year=2026, month=_Month(1), number=1)
    except (ValueError, TypeError, IndexError, KeyError) as exc:
        raise ValidationError(
            f"number format {pattern!r} cannot format: {exc}", path="pattern"
        ) from None
    for _, name, spec, conversion in parsed:
        if name in _EXACT and (conversion is not None or (spec and spec[-1] not in _WHOLE)):
            how = f"!{conversion}" if conversion else spec
            raise ValidationError(
                f"number format {pattern!r} prints {{{name}}} with {how!r}: "
                "only whole-number formats (d, x, X, o, b, with fill, width and grouping) "
                "keep every number distinct",
                path="pattern",
            )


@attrs.frozen
class NumberFormat:
    """A ``str.format`` pattern over ``series``, ``year``, ``month`` and ``number``.

    >>> import datetime as dt
    >>> NumberFormat("INV-{year}-{number:06d}").format("INV", dt.date(2026, 5, 4), 123)
    'INV-2026-000123'
    >>> DEFAULT_NUMBER_FORMAT.format("CN", dt.date(2026, 5, 4), 7)
    'CN-2026-000007'
    """

    pattern: str = attrs.field(validator=_check_pattern)

    def format(self, series: str, issued_on: dt.date, number: int) -> str:
        """The document number for sequence number ``number`` of ``series`` in that year."""
        if not is_int(number) or number < 1:
            raise ValidationError(
                f"sequence number must be a whole number >= 1, got {number!r}", path="number"
            )
        require(series, str, "series")
        require(issued_on, dt.date, "issued_on")
        if not series.strip():
            raise ValidationError("series must not be blank", path="series")
        return self.pattern.format(
            series=series, year=issued_on.year, month=_Month(issued_on.month), number=number
        )


#: ``{series}-{year}-{number:06d}``: ``INV-2026-000123``.
DEFAULT_NUMBER_FORMAT = NumberFormat("{series}-{year}-{number:06d}")
