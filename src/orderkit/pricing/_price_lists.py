"""Price lists and the price book that picks one for a customer, currency and moment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

import attrs

from orderkit.errors import InvalidQuantity, PriceNotFound, ValidationError
from orderkit.ids import Sku
from orderkit.money import Currency, Money
from orderkit.pricing._common import (
    in_window,
    instance_of,
    items_of,
    require_aware,
    to_currency,
    validate_int,
    validate_non_negative_money,
    validate_optional_aware,
    validate_positive_int,
    validate_window,
)

__all__ = ["PriceBook", "PriceEntry", "PriceList", "PriceTier"]


@attrs.frozen
class PriceTier:
    """From ``min_quantity`` units on a line, each unit costs ``unit_price``.

    .. versionadded:: 0.1
    """

    min_quantity: int = attrs.field(validator=validate_positive_int)
    unit_price: Money = attrs.field(validator=validate_non_negative_money)


def _sorted_tiers(tiers: Iterable[PriceTier]) -> tuple[PriceTier, ...]:
    checked: tuple[PriceTier, ...] = items_of(tiers, PriceTier, "PriceTier", "tiers")
    return tuple(sorted(checked, key=lambda t: t.min_quantity))


@attrs.frozen
class PriceEntry:
    """The price of one sku: a base unit price and optional quantity tiers.

    The unit price of a line is that of the highest tier its quantity
    reaches, or the base price below every tier.

    >>> entry = PriceEntry(
    ...     Sku("PEN"), Money.of("2.00", "EUR"), tiers=[PriceTier(10, Money.of("1.50", "EUR"))]
    ... )
    >>> str(entry.unit_price_for(9)), str(entry.unit_price_for(11))
    ('2.00 EUR', '1.50 EUR')

    .. versionadded:: 0.1
    """

    sku: Sku
    unit_price: Money = attrs.field(validator=validate_non_negative_money)
    tiers: tuple[PriceTier, ...] = attrs.field(default=(), converter=_sorted_tiers)

    def __attrs_post_init__(self) -> None:
        quantities = [t.min_quantity for t in self.tiers]
        if len(set(quantities)) != len(quantities):
            raise ValidationError(
                f"sku {self.sku}: duplicate tier quantities {quantities}", path="tiers"
            )
        for tier in self.tiers:
            if tier.unit_price.currency != self.unit_price.currency:
                raise ValidationError(
                    f"sku {self.sku}: tier price {tier.unit_price} is not in "
                    f"{self.unit_price.currency}",
                    path="tiers",
                )

    def unit_price_for(self, quantity: int) -> Money:
        """The unit price for a line of ``quantity`` units (a whole number >= 1)."""
        _check_quantity(quantity)
        price = self.unit_price
        for tier in self.tiers:
            if quantity < tier.min_quantity:
                break
            price = tier.unit_price
        return price


def _check_quantity(quantity: object) -> None:
    if isinstance(quantity, bool) or not isinstance(quantity, int) or quantity < 1:
        raise InvalidQuantity(
            f"quantity must be a whole number >= 1, got {quantity!r}", path="quantity"
        )


def _entries(entries: Iterable[PriceEntry]) -> tuple[PriceEntry, ...]:
    checked: tuple[PriceEntry, ...] = items_of(entries, PriceEntry, "PriceEntry", "entries")
    return checked


@attrs.frozen
class PriceList:
    """Prices in one currency, optionally for one customer group and a time window.

    Attributes:
        name: Identifies the list (and breaks priority ties).
        currency: Every entry's currency.
        entries: One per sku.
        customer_group: Only for buyers of this group; ``None`` for everyone.
        starts_at: First moment of validity (aware), or ``None``.
        ends_at: First moment no longer valid (aware), or ``None``.
        priority: Higher wins among lists equally specific.

    .. versionadded:: 0.1
    """

    name: str = attrs.field(validator=instance_of(str, "price list name (str)"))
    currency: Currency = attrs.field(converter=to_currency)
    entries: tuple[PriceEntry, ...] = attrs.field(converter=_entries)
    customer_group: str | None = attrs.field(
        default=None, validator=instance_of(str, "customer group (str)", optional=True)
    )
    starts_at: dt.datetime | None = attrs.field(default=None, validator=validate_optional_aware)
    ends_at: dt.datetime | None = attrs.field(default=None, validator=validate_optional_aware)
    priority: int = attrs.field(default=0, validator=validate_int)
    _index: dict[str, PriceEntry] = attrs.field(
        init=False, eq=False, hash=False, repr=False, alias="_index"
    )

    def __attrs_post_init__(self) -> None:
        validate_window(self, self.starts_at, self.ends_at)
        index: dict[str, PriceEntry] = {}
        for position, entry in enumerate(self.entries):
            if entry.unit_price.currency != self.currency:
                raise ValidationError(
                    f"sku {entry.sku}: price {entry.unit_price} is not in {self.currency} "
                    f"like list {self.name!r}",
                    path=f"entries[{position}].unit_price",
                )
            if entry.sku in index:
                raise ValidationError(
                    f"sku {entry.sku} appears twice in list {self.name!r}",
                    path=f"entries[{position}].sku",
                )
            index[entry.sku] = entry
        object.__setattr__(self, "_index", index)

    def entry(self, sku: str) -> PriceEntry | None:
        """The entry for ``sku``, or ``None``."""
        return self._index.get(sku)

    def applies_to(
        self, currency: Currency, customer_group: str | None, moment: dt.datetime
    ) -> bool:
        """Whether this list may price a buyer in ``customer_group`` at ``moment``."""
        return (
            self.currency == currency
            and (self.customer_group is None or self.customer_group == customer_group)
            and in_window(moment, self.starts_at, self.ends_at)
        )


def _ranked(lists: Iterable[PriceList]) -> tuple[PriceList, ...]:
    # Most specific first (a group list before the general one), then priority, then name.
    checked: tuple[PriceList, ...] = items_of(lists, PriceList, "PriceList", "lists")
    return tuple(sorted(checked, key=lambda p: (p.customer_group is None, -p.priority, p.name)))


@attrs.frozen
class PriceBook:
    """All price lists; picks the applicable one per sku.

    Lists are ranked once, at construction: those for a customer group before
    general ones, then by descending priority, then by name. A sku is priced
    by the first applicable list that has it, so a group list may price only
    the skus it discounts and fall back to the general list for the rest.

    .. versionadded:: 0.1
    """

    lists: tuple[PriceList, ...] = attrs.field(converter=_ranked)

    def __attrs_post_init__(self) -> None:
        names = [p.name for p in self.lists]
        if len(set(names)) != len(names):
            raise ValidationError(f"duplicate price list names in {sorted(names)}", path="lists")

    def applicable(
        self, currency: Currency | str, customer_group: str | None, moment: dt.datetime
    ) -> tuple[PriceList, ...]:
        """The lists that apply, best first."""
        cur = Currency.of(currency)
        require_aware(moment, "moment")
        return tuple(p for p in self.lists if p.applies_to(cur, customer_group, moment))

    def unit_price(
        self,
        sku: str,
        quantity: int,
        *,
        currency: Currency | str,
        customer_group: str | None,
        moment: dt.datetime,
    ) -> Money:
        """The unit price of ``quantity`` units of ``sku``.

        Raises:
            PriceNotFound: No applicable list has the sku.
        """
        return self.unit_price_in(
            self.applicable(currency, customer_group, moment), sku, quantity, currency
        )

    @staticmethod
    def unit_price_in(
        lists: tuple[PriceList, ...], sku: str, quantity: int, currency: Currency | str
    ) -> Money:
        """The unit price from the first of ``lists`` that has ``sku``."""
        given: object = sku  # callers may pass anything at run time
        if not isinstance(given, str):
            raise ValidationError(f"sku {sku!r} is not a str", path="sku")
        _check_quantity(quantity)
        for price_list in lists:
            entry = price_list.entry(sku)
            if entry is not None:
                return entry.unit_price_for(quantity)
        raise PriceNotFound(sku, Currency.of(currency).code)
