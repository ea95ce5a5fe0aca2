"""Reference carriers: a flat rate per parcel, and a zone × weight rate table.

Both keep their labels in memory (see :class:`InMemoryCarrier`) and are
deterministic, so they serve as real carriers for local delivery, as
examples for adapter authors, and in tests.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from decimal import Decimal

import attrs

from orderkit.errors import ValidationError
from orderkit.fulfillment._carrier import InMemoryCarrier
from orderkit.fulfillment._values import (
    Rate,
    RateRequest,
    ShippingAddress,
    check_quantity,
    check_text,
    to_measure,
)
from orderkit.money import Money

__all__ = [
    "FlatRate",
    "FlatRateCarrier",
    "TableRateCarrier",
    "TableService",
    "WeightBracket",
    "ZoneRate",
    "ZoneRule",
]


def _check_price(value: object, path: str) -> None:
    """A non-negative :class:`Money`; a str or Decimal price would fail later, without context."""
    if not isinstance(value, Money):
        raise ValidationError(f"price {value!r} is not Money", path=path)
    if value.is_negative:
        raise ValidationError(f"price {value} is negative", path=path)


def _all_of(values: Iterable[object], kind: type, path: str) -> None:
    """Refuse an element of the wrong type by name, not with an AttributeError later."""
    for index, value in enumerate(values):
        if not isinstance(value, kind):
            raise ValidationError(f"{value!r} is not a {kind.__name__}", path=f"{path}[{index}]")


def _check_request(request: object) -> RateRequest:
    if not isinstance(request, RateRequest):
        raise ValidationError(f"{request!r} is not a RateRequest", path="request")
    return request


def _unique(names: Iterable[str], what: str) -> None:
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise ValidationError(f"{what} {name!r} is listed twice", path=what)
        seen.add(name)


@attrs.frozen
class FlatRate:
    """One service of a flat-rate carrier: a price per parcel and a transit time."""

    service: str
    price_per_parcel: Money
    transit_days: int

    def __attrs_post_init__(self) -> None:
        check_text(self.service, "service")
        _check_price(self.price_per_parcel, "price_per_parcel")
        check_quantity(self.transit_days, field="transit_days", minimum=0)


class FlatRateCarrier(InMemoryCarrier):
    """Charges a fixed price per parcel for each service, whatever the weight or destination.

    ``countries``, when given, limits the destinations served (ISO alpha-2).

    >>> from orderkit.money import Money
    >>> from orderkit.fulfillment import Parcel, RateRequest, ShippingAddress
    >>> carrier = FlatRateCarrier("post", [FlatRate("standard", Money.of("4.90", "EUR"), 3)])
    >>> request = RateRequest(ShippingAddress("DE", "10115"), [Parcel("2"), Parcel("1")])
    >>> [(r.service, str(r.price)) for r in carrier.rates(request)]
    [('standard', '9.80 EUR')]
    """

    def __init__(
        self,
        name: str,
        services: Sequence[FlatRate],
        *,
        countries: Iterable[str] | None = None,
    ) -> None:
        super().__init__(name)
        if not services:
            raise ValidationError("needs at least one service", path="services")
        _all_of(services, FlatRate, "services")
        _unique([s.service for s in services], "service")
        self._services = tuple(services)
        self._countries = (
            None if countries is None else frozenset(ShippingAddress(c).country for c in countries)
        )

    def rates(self, request: RateRequest) -> list[Rate]:
        """One rate per service: the per-parcel price times the number of parcels."""
        request = _check_request(request)
        if self._countries is not None and request.destination.country not in self._countries:
            return []
        count = len(request.parcels)
        return [
            Rate(self.name, s.service, s.price_per_parcel * count, s.transit_days)
            for s in self._services
        ]


def _country(value: str) -> str:
    return ShippingAddress(check_text(value, "country")).country


def _prefix(value: str) -> str:
    text = check_text(value, "postal_prefix", allow_empty=True)
    return text.upper().replace(" ", "").replace("-", "")


@attrs.frozen
class ZoneRule:
    """Destinations of a zone: a country and, optionally, a postal-code prefix.

    The most specific rule wins: the longest prefix matching the destination's
    postal code (spaces and dashes ignored), a country-wide rule last.
    """

    zone: str
    country: str = attrs.field(converter=_country)
    postal_prefix: str = attrs.field(default="", converter=_prefix)

    def __attrs_post_init__(self) -> None:
        check_text(self.zone, "zone")

    def matches(self, destination: ShippingAddress) -> bool:
        """Whether ``destination`` is in this rule's country and postal area."""
        return destination.country == self.country and (
            destination.normalized_postal_code.startswith(self.postal_prefix)
        )


def _bound(value: Decimal | int | str) -> Decimal:
    return to_measure(value, field="max_weight")


@attrs.frozen
class WeightBracket:
    """Parcels weighing up to and including ``max_weight`` cost ``price``."""

    max_weight: Decimal = attrs.field(converter=_bound)
    price: Money

    def __attrs_post_init__(self) -> None:
        _check_price(self.price, "price")


def _brackets(value: Iterable[WeightBracket]) -> tuple[WeightBracket, ...]:
    given = tuple(value)
    _all_of(given, WeightBracket, "brackets")
    brackets = tuple(sorted(given, key=lambda b: b.max_weight))
    if not brackets:
        raise ValidationError("a zone rate needs at least one weight bracket", path="brackets")
    bounds = [b.max_weight for b in brackets]
    if len(set(bounds)) != len(bounds):
        raise ValidationError(f"weight brackets share an upper bound: {bounds}", path="brackets")
    currencies = {b.price.currency.code for b in brackets}
    if len(currencies) > 1:
        raise ValidationError(f"brackets mix currencies {sorted(currencies)}", path="brackets")
    return brackets


@attrs.frozen
class ZoneRate:
    """Prices and transit time of one service to one zone."""

    zone: str
    transit_days: int
    brackets: tuple[WeightBracket, ...] = attrs.field(converter=_brackets)

    def __attrs_post_init__(self) -> None:
        check_text(self.zone, "zone")
        check_quantity(self.transit_days, field="transit_days", minimum=0)

    def price(self, weight: Decimal) -> Money | None:
        """The price of a parcel of ``weight``: the smallest bracket that holds it, or None."""
        for bracket in self.brackets:
            if weight <= bracket.max_weight:
                return bracket.price
        return None


def _zone_rates(value: Iterable[ZoneRate]) -> tuple[ZoneRate, ...]:
    rates = tuple(value)
    _all_of(rates, ZoneRate, "zones")
    _unique([r.zone for r in rates], "zone")
    return rates


@attrs.frozen
class TableService:
    """One service of a table-rate carrier: its rate per zone."""

    service: str
    zones: tuple[ZoneRate, ...] = attrs.field(converter=_zone_rates)

    def __attrs_post_init__(self) -> None:
        check_text(self.service, "service")
        currencies = {r.brackets[0].price.currency.code for r in self.zones}
        if len(currencies) > 1:
            raise ValidationError(
                f"service {self.service!r} mixes currencies {sorted(currencies)}", path="zones"
            )

    def rate(self, zone: str) -> ZoneRate | None:
        """This service's rate to ``zone``, if it serves it."""
        return next((r for r in self.zones if r.zone == zone), None)


class TableRateCarrier(InMemoryCarrier):
    """Prices each parcel from a zone × weight table.

    The destination's zone is found from ``zones`` (country and postal-code
    prefix, longest prefix wins); each parcel costs the price of the first
    weight bracket whose upper bound it does not exceed. A destination in
    no zone, or a parcel heavier than the last bracket, gets no rate.

    >>> from orderkit.money import Money
    >>> from orderkit.fulfillment import Parcel, RateRequest, ShippingAddress
    >>> eur = lambda s: Money.of(s, "EUR")
    >>> carrier = TableRateCarrier(
    ...     "parcelco",
    ...     zones=[ZoneRule("domestic", "DE"), ZoneRule("islands", "DE", "18565")],
    ...     services=[
    ...         TableService(
    ...             "standard",
    ...             [
    ...                 ZoneRate(
    ...                     "domestic",
    ...                     2,
    ...                     [WeightBracket("2", eur("5")), WeightBracket("10", eur("8"))],
    ...                 ),
    ...                 ZoneRate("islands", 4, [WeightBracket("10", eur("15"))]),
    ...             ],
    ...         )
    ...     ],
    ... )
    >>> [
    ...     str(r.price)
    ...     for r in carrier.rates(RateRequest(ShippingAddress("DE", "10115"), [Parcel("3")]))
    ... ]
    ['8.00 EUR']
    >>> [
    ...     r.transit_days
    ...     for r in carrier.rates(RateRequest(ShippingAddress("DE", "18565"), [Parcel("3")]))
    ... ]
    [4]
    """

    def __init__(
        self,
        name: str,
        *,
        zones: Sequence[ZoneRule],
        services: Sequence[TableService],
    ) -> None:
        super().__init__(name)
        if not services:
            raise ValidationError("needs at least one service", path="services")
        _all_of(services, TableService, "services")
        _all_of(zones, ZoneRule, "zones")
        _unique([s.service for s in services], "service")
        _unique([f"{z.country}/{z.postal_prefix}" for z in zones], "zone rule")
        known = {z.zone for z in zones}
        for service in services:
            unknown = sorted({r.zone for r in service.zones} - known)
            if unknown:
                raise ValidationError(
                    f"service {service.service!r} prices zones no rule defines: {unknown}",
                    path="services",
                )
        self._zones = tuple(zones)
        self._services = tuple(services)

    def zone_of(self, destination: ShippingAddress) -> str | None:
        """The destination's zone: the matching rule with the longest postal prefix."""
        if not isinstance(destination, ShippingAddress):
            raise ValidationError(f"{destination!r} is not a ShippingAddress", path="destination")
        matching = [z for z in self._zones if z.matches(destination)]
        if not matching:
            return None
        return max(matching, key=lambda z: len(z.postal_prefix)).zone

    def rates(self, request: RateRequest) -> list[Rate]:
        """A rate for every service that serves the zone and takes every parcel's weight."""
        request = _check_request(request)
        zone = self.zone_of(request.destination)
        if zone is None:
            return []
        quotes: list[Rate] = []
        for service in self._services:
            rate = service.rate(zone)
            if rate is None:
                continue
            prices = [rate.price(parcel.weight) for parcel in request.parcels]
            if any(p is None for p in prices):
                continue
            currency = rate.brackets[0].price.currency
            total = Money.sum((p for p in prices if p is not None), currency)
            quotes.append(Rate(self.name, service.service, total, rate.transit_days))
        return quotes
