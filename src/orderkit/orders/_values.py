"""Value objects of an order: the customer, addresses and order lines.

Each validates itself on construction, so a bad value cannot exist: the
error names the field and the offending value.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import Any, Final

import attrs

from orderkit._drafts import evolver
from orderkit.errors import InvalidQuantity, ValidationError
from orderkit.ids import CustomerId, LineId, Sku
from orderkit.money import Money
from orderkit.orders._countries import COUNTRY_CODES, NO_POSTAL_CODE
from orderkit.orders._ledger import QuantityLedger

__all__ = ["NO_ATTRIBUTES", "Address", "Attributes", "CustomerRef", "OrderLine", "with_ledger"]

_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_POSTAL = re.compile(r"^[A-Za-z0-9][A-Za-z0-9 \-]{0,14}$")


def _text(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    """A required, non-blank string."""
    name = attribute.alias or attribute.name
    if not isinstance(value, str):
        raise ValidationError(f"expected a string, got {value!r}", path=name)
    if not value.strip():
        raise ValidationError(f"must not be blank, got {value!r}", path=name)


def _optional_text(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    name = attribute.alias or attribute.name
    if not isinstance(value, str):
        raise ValidationError(f"expected a string, got {value!r}", path=name)


class Attributes(Mapping[str, str]):
    """An immutable, hashable ``str → str`` mapping (free-form line attributes).

    >>> attrs_ = Attributes({"engraving": "A.B."})
    >>> attrs_["engraving"], len(attrs_), dict(attrs_)
    ('A.B.', 1, {'engraving': 'A.B.'})
    """

    __slots__ = ("_items",)

    def __init__(self, items: Mapping[str, str] | Iterable[tuple[str, str]] = ()) -> None:
        source: object = items
        try:
            data: dict[object, object] = dict(source)  # type: ignore[call-overload]
        except (TypeError, ValueError):
            raise ValidationError(
                f"attributes must be a mapping of str to str, got {items!r}", path="attributes"
            ) from None
        checked: dict[str, str] = {}
        for key, value in data.items():
            if not isinstance(key, str) or not isinstance(value, str):
                raise ValidationError(
                    f"attribute {key!r}: {value!r} is not a str → str pair", path="attributes"
                )
            checked[key] = value
        self._items: dict[str, str] = dict(sorted(checked.items()))

    def __getitem__(self, key: str) -> str:
        return self._items[key]

    def __iter__(self) -> Iterator[str]:
        return iter(self._items)

    def __len__(self) -> int:
        return len(self._items)

    def __hash__(self) -> int:
        return hash(tuple(self._items.items()))

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Mapping):
            return self._items == dict(other)
        return NotImplemented

    def __repr__(self) -> str:
        return f"Attributes({self._items!r})"


#: The empty mapping, shared: building one per command was a measurable cost.
NO_ATTRIBUTES: Final = Attributes()


def _to_attributes(value: Mapping[str, str] | Iterable[tuple[str, str]]) -> Attributes:
    return value if isinstance(value, Attributes) else Attributes(value)


def _email(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, str) or not _EMAIL.match(value):
        raise ValidationError(f"{value!r} is not an email address", path="email")


def _group(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if value is not None and (not isinstance(value, str) or not value.strip()):
        raise ValidationError(f"customer group must be None or a name, got {value!r}", path="group")


@attrs.frozen
class CustomerRef:
    """Who placed the order: an id, an email and an optional customer group.

    The group selects price lists and policies (for example payment terms for
    B2B customers).

    >>> CustomerRef(CustomerId("c-1"), "ann@example.com", group="wholesale").group
    'wholesale'
    """

    id: CustomerId = attrs.field(validator=_text)
    email: str = attrs.field(validator=_email)
    group: str | None = attrs.field(default=None, validator=_group)


def _country(value: object) -> object:
    return value.strip().upper() if isinstance(value, str) else value


@attrs.frozen
class Address:
    """A postal address with an ISO 3166-1 alpha-2 country code.

    The country is upper-cased; a postal code is required except in the
    countries that do not use one.

    >>> Address("Ann Lee", "1 Main St", "Springfield", "12345", "us").country
    'US'
    >>> Address("Ann Lee", "1 Main St", "Springfield", "12345", "XX")
    Traceback (most recent call last):
    ...
    orderkit.errors.ValidationError: country: 'XX' is not an ISO 3166-1 alpha-2 country code
    """

    name: str = attrs.field(validator=_text)
    line1: str = attrs.field(validator=_text)
    city: str = attrs.field(validator=_text)
    postal_code: str = attrs.field(validator=_optional_text)
    country: str = attrs.field(converter=_country)
    line2: str = attrs.field(default="", validator=_optional_text)
    region: str = attrs.field(default="", validator=_optional_text)
    company: str = attrs.field(default="", validator=_optional_text)

    @country.validator
    def _check_country(self, _: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, str) or value not in COUNTRY_CODES:
            raise ValidationError(
                f"{value!r} is not an ISO 3166-1 alpha-2 country code", path="country"
            )
        code = self.postal_code.strip()
        if not code:
            if value not in NO_POSTAL_CODE:
                raise ValidationError(
                    f"a postal code is required for country {value}", path="postal_code"
                )
        elif not _POSTAL.match(code):
            raise ValidationError(f"{self.postal_code!r} is not a postal code", path="postal_code")


def _quantity(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if isinstance(value, bool) or not isinstance(value, int) or value <= 0:
        raise InvalidQuantity(
            f"quantity must be a whole number > 0, got {value!r}", path="quantity"
        )


def _unit_price(instance: object, attribute: attrs.Attribute[Any], value: object) -> None:
    if not isinstance(value, Money):
        raise ValidationError(f"unit_price must be Money, got {value!r}", path="unit_price")
    if value.is_negative:
        raise ValidationError(f"unit_price must not be negative, got {value}", path="unit_price")


def _new_ledger(line: OrderLine) -> QuantityLedger:
    quantity: object = line.quantity
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity <= 0:
        raise InvalidQuantity(
            f"quantity must be a whole number > 0, got {quantity!r}", path="quantity"
        )
    return QuantityLedger(ordered=quantity)


@attrs.frozen
class OrderLine:
    """One line of an order: what was ordered, at what price, and its quantity ledger.

    ``ledger`` starts pristine (only ``ordered``); the :class:`Order` moves it.
    The ledger figures are also readable directly on the line.

    >>> line = OrderLine(LineId("l1"), Sku("MUG"), 2, Money.of("9.50", "EUR"))
    >>> str(line.total), line.ordered, line.allocated, line.tax_category
    ('19.00 EUR', 2, 0, 'standard')
    """

    line_id: LineId = attrs.field(validator=_text)
    sku: Sku = attrs.field(validator=_text)
    quantity: int = attrs.field(validator=_quantity)
    unit_price: Money = attrs.field(validator=_unit_price)
    tax_category: str = attrs.field(default="standard", validator=_text)
    attributes: Attributes = attrs.field(
        factory=Attributes,
        converter=_to_attributes,
    )
    ledger: QuantityLedger = attrs.field(default=attrs.Factory(_new_ledger, takes_self=True))

    @ledger.validator
    def _check_ledger(self, _: attrs.Attribute[Any], value: object) -> None:
        if not isinstance(value, QuantityLedger):
            raise ValidationError(f"ledger must be a QuantityLedger, got {value!r}", path="ledger")
        if value.ordered != self.quantity:
            raise InvalidQuantity(
                f"line {self.line_id}: ledger ordered {value.ordered} != quantity {self.quantity}",
                path="ledger.ordered",
            )

    @property
    def total(self) -> Money:
        """Quantity × unit price, unrounded (pricing rounds at its named points)."""
        return self.unit_price * self.quantity

    @property
    def ordered(self) -> int:
        """Units ordered (equals ``quantity``)."""
        return self.ledger.ordered

    @property
    def allocated(self) -> int:
        """Units with stock set aside (cumulative, including those shipped)."""
        return self.ledger.allocated

    @property
    def shipped(self) -> int:
        """Units shipped."""
        return self.ledger.shipped

    @property
    def delivered(self) -> int:
        """Units delivered."""
        return self.ledger.delivered

    @property
    def cancelled(self) -> int:
        """Units cancelled."""
        return self.ledger.cancelled

    @property
    def returned(self) -> int:
        """Units returned by the customer."""
        return self.ledger.returned


#: ``attrs.evolve(line, ledger=ledger)`` for a ledger moved from the line's own. A
#: move keeps ``ordered`` (so the ledger still matches the quantity) and every other
#: field is as validated, so the line is copied through a draft (orderkit._drafts)
#: instead of re-running every validator of the line.
with_ledger: Final[Callable[[OrderLine, QuantityLedger], OrderLine]] = evolver(OrderLine, "ledger")
