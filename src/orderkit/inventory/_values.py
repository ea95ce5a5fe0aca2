"""Small immutable values of the inventory model: locations, batches, reservations, policies."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Protocol, TypeVar

import attrs

from orderkit._time import is_aware
from orderkit.errors import InvalidQuantity, ValidationError
from orderkit.ids import LocationId

__all__ = [
    "BackorderPolicy",
    "IncomingBatch",
    "LocationRanking",
    "Reservation",
    "StockLocation",
    "same_country_first",
]


def check_quantity(value: object, what: str, *, allow_zero: bool = False) -> int:
    """Return ``value`` if it is a whole number of units (> 0, or ≥ 0 with ``allow_zero``)."""
    if value.__class__ is int and value > 0:  # the common case, either way
        return value
    if isinstance(value, bool) or not isinstance(value, int):
        raise InvalidQuantity(f"must be a whole number of units, got {value!r}", path=what)
    if value < 0 or (value == 0 and not allow_zero):
        bound = ">= 0" if allow_zero else "> 0"
        raise InvalidQuantity(f"must be {bound}, got {value!r}", path=what)
    return value


def _check_text(value: object, what: str) -> None:
    if not isinstance(value, str) or not value.strip():
        raise ValidationError(f"must be a non-empty string, got {value!r}", path=what)


def _check_aware(value: object, what: str) -> None:
    if not is_aware(value):
        raise ValidationError(f"must be a datetime with a UTC offset, got {value!r}", path=what)


def _check_moment(value: object, what: str) -> None:
    """``None`` (every stored reservation counts as live) or an aware datetime."""
    if value is not None:
        _check_aware(value, what)


@attrs.frozen
class StockLocation:
    """A place stock is kept and shipped from: a warehouse, a store, a dropshipper.

    ``priority`` orders locations for the priority strategy and breaks ties in
    the others: the lower the number, the earlier the location is used.
    Inactive locations keep their stock but are never allocated from.

    .. versionadded:: 0.1
    """

    id: LocationId
    name: str = ""
    priority: int = 0
    country: str = ""
    active: bool = True

    def __attrs_post_init__(self) -> None:
        _check_text(self.id, "location.id")
        if isinstance(self.priority, bool) or not isinstance(self.priority, int):
            raise ValidationError(
                f"priority must be an int, got {self.priority!r}", path="location.priority"
            )
        for name in ("name", "country"):
            if not isinstance(getattr(self, name), str):
                raise ValidationError(
                    f"{name} must be a str, got {getattr(self, name)!r}", path=f"location.{name}"
                )
        if not isinstance(self.active, bool):
            raise ValidationError(
                f"active must be a bool, got {self.active!r}", path="location.active"
            )


@attrs.frozen
class IncomingBatch:
    """Units on their way to a location (a purchase order, a transfer), expected at ``eta``.

    Orders may be allocated against a batch before it arrives; on arrival the
    batch becomes on-hand stock at ``destination`` and those allocations move
    with it.

    .. versionadded:: 0.1
    """

    reference: str
    quantity: int
    eta: dt.datetime
    destination: LocationId

    def __attrs_post_init__(self) -> None:
        _check_text(self.reference, "batch.reference")
        check_quantity(self.quantity, "batch.quantity")
        _check_aware(self.eta, "batch.eta")
        _check_text(self.destination, "batch.destination")


@attrs.frozen
class Reservation:
    """Units held for a cart or a quote until ``expires_at``.

    ``location`` is ``None`` for a hold on the SKU as a whole ("any
    location"). A reservation is *live* at a moment strictly before its
    expiry; only live reservations reduce what is available.

    .. versionadded:: 0.1
    """

    reference: str
    quantity: int
    expires_at: dt.datetime
    location: LocationId | None = None

    def __attrs_post_init__(self) -> None:
        _check_text(self.reference, "reservation.reference")
        check_quantity(self.quantity, "reservation.quantity")
        _check_aware(self.expires_at, "reservation.expires_at")
        if self.location is not None:
            _check_text(self.location, "reservation.location")

    def is_live(self, at: dt.datetime) -> bool:
        """Whether the reservation still holds stock at the moment ``at``."""
        _check_aware(at, "at")
        return at < self.expires_at


@attrs.frozen
class BackorderPolicy:
    """How many units of a SKU may be promised to orders beyond the stock there is.

    ``limit`` 0 (:meth:`deny`) means never; :meth:`allow` permits up to
    ``limit`` backordered units in total across all orders at once.

    .. versionadded:: 0.1
    """

    limit: int = 0

    def __attrs_post_init__(self) -> None:
        check_quantity(self.limit, "backorder.limit", allow_zero=True)

    @classmethod
    def deny(cls) -> BackorderPolicy:
        """Refuse every backorder: a SKU that sells only what is in stock."""
        return cls(0)

    @classmethod
    def allow(cls, limit: int) -> BackorderPolicy:
        """Accept backorders of up to ``limit`` units in total."""
        check_quantity(limit, "backorder.limit")
        return cls(limit)

    @property
    def allows_backorders(self) -> bool:
        """Whether any unit may be backordered."""
        return self.limit > 0


D_contra = TypeVar("D_contra", contravariant=True)


class LocationRanking(Protocol[D_contra]):
    """Host-supplied ranking of locations for a destination, nearest first.

    Any callable ``(destination, locations) -> location ids`` fits; type the
    destination as whatever the host passes (an address, a postcode, a
    country code). Return location ids in the order to use them; ids not
    returned are used after the returned ones, by priority. Unknown ids are
    ignored.
    """

    def __call__(
        self, destination: D_contra, locations: Sequence[StockLocation], /
    ) -> Sequence[LocationId]:
        """Rank ``locations`` for shipping to ``destination``."""
        ...


def same_country_first(
    destination: object, locations: Sequence[StockLocation]
) -> Sequence[LocationId]:
    """A simple :class:`LocationRanking`: locations in the destination's country first.

    ``destination`` is an ISO 3166 country code or anything with a ``country``
    attribute holding one (such as an order's shipping address); any other
    value ranks nothing, so the strategy falls back to priority order.

    >>> locs = [
    ...     StockLocation(LocationId("de"), country="DE"),
    ...     StockLocation(LocationId("fr"), country="FR"),
    ... ]
    >>> list(same_country_first("FR", locs))
    ['fr']
    """
    country = getattr(destination, "country", destination)
    if not isinstance(country, str) or not country:
        return []
    code = country.upper()
    return [loc.id for loc in locations if loc.country.upper() == code]
