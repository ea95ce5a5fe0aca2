"""FlatRateCarrier and TableRateCarrier: pricing, zones, brackets, labels and scans."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderkit.errors import CarrierError, DuplicateRequest, NotFound, ValidationError
from orderkit.fulfillment import (
    FlatRate,
    FlatRateCarrier,
    Parcel,
    Rate,
    RateRequest,
    Shipment,
    ShipmentItem,
    ShipmentStatus,
    ShippingAddress,
    TableRateCarrier,
    TableService,
    TrackingEvent,
    WeightBracket,
    ZoneRate,
    ZoneRule,
    choose_rate,
    rate_request,
)
from orderkit.ids import LineId, LocationId, OrderId, ShipmentId, Sku
from orderkit.money import Money
from orderkit.testing.strategies import parcels, shipping_addresses


def _eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


def _table() -> TableRateCarrier:
    return TableRateCarrier(
        "tableco",
        zones=[
            ZoneRule("national", "GB"),
            ZoneRule("london", "GB", "E"),
            ZoneRule("city", "GB", "EC1"),
            ZoneRule("highlands", "GB", "IV"),
            ZoneRule("eu", "DE"),
        ],
        services=[
            TableService(
                "standard",
                [
                    ZoneRate(
                        "national",
                        2,
                        [WeightBracket("1", _eur("4")), WeightBracket("5", _eur("7"))],
                    ),
                    ZoneRate("london", 1, [WeightBracket("5", _eur("6"))]),
                    ZoneRate("city", 1, [WeightBracket("5", _eur("5"))]),
                    ZoneRate("highlands", 4, [WeightBracket("5", _eur("12"))]),
                    ZoneRate("eu", 5, [WeightBracket("30", _eur("20"))]),
                ],
            ),
            TableService("express", [ZoneRate("national", 1, [WeightBracket("2", _eur("15"))])]),
        ],
    )


def _request(country: str, postal: str, *weights: str) -> RateRequest:
    return RateRequest(ShippingAddress(country, postal), [Parcel(w) for w in weights])


def _shipment(shipment_id: str = "S1", destination: ShippingAddress | None = None) -> Shipment:
    return Shipment.create(
        ShipmentId(shipment_id),
        order_id=OrderId("O1"),
        location=LocationId("WH1"),
        destination=destination or ShippingAddress("GB", "SW1A 1AA"),
        items=[ShipmentItem(LineId("L1"), Sku("A"), 1)],
        parcels=[Parcel("0.8")],
    )


# -- flat rate ---------------------------------------------------------------------------


def test_flat_rate_charges_per_parcel() -> None:
    carrier = FlatRateCarrier(
        "flat", [FlatRate("std", _eur("3.50"), 3), FlatRate("exp", _eur("9"), 1)]
    )
    rates = carrier.rates(_request("DE", "10115", "1", "30", "0"))
    assert rates == [Rate("flat", "std", _eur("10.50"), 3), Rate("flat", "exp", _eur("27"), 1)]


def test_flat_rate_limited_to_countries() -> None:
    carrier = FlatRateCarrier("flat", [FlatRate("std", _eur("3.50"), 3)], countries=["de", "AT"])
    assert carrier.rates(_request("AT", "1010", "1"))
    assert carrier.rates(_request("FR", "75001", "1")) == []


def test_flat_rate_configuration_is_checked() -> None:
    with pytest.raises(ValidationError, match="std"):
        FlatRateCarrier("flat", [FlatRate("std", _eur("1"), 1), FlatRate("std", _eur("2"), 1)])
    with pytest.raises(ValidationError, match="services"):
        FlatRateCarrier("flat", [])
    with pytest.raises(ValidationError, match="negative"):
        FlatRate("std", _eur("-1"), 1)


# -- table rate --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("postal", "zone"),
    [
        ("SW1A 1AA", "national"),
        ("E1 6AN", "london"),
        ("EC1A 1BB", "city"),
        ("ec1v-9aa", "city"),
        ("IV2 3AA", "highlands"),
        ("", "national"),
    ],
)
def test_longest_postal_prefix_wins(postal: str, zone: str) -> None:
    assert _table().zone_of(ShippingAddress("GB", postal)) == zone


def test_unknown_country_has_no_zone_and_no_rates() -> None:
    assert _table().zone_of(ShippingAddress("FR", "75001")) is None
    assert _table().rates(_request("FR", "75001", "1")) == []


def test_weight_brackets_are_inclusive_upper_bounds() -> None:
    carrier = _table()
    assert [str(r.price) for r in carrier.rates(_request("GB", "SW1", "1"))] == [
        "4.00 EUR",
        "15.00 EUR",
    ]
    assert [str(r.price) for r in carrier.rates(_request("GB", "SW1", "1.001"))] == [
        "7.00 EUR",
        "15.00 EUR",
    ]


def test_each_parcel_is_priced_and_summed() -> None:
    rates = _table().rates(_request("GB", "SW1", "0.5", "2", "1.5"))
    assert [(r.service, r.price) for r in rates] == [
        ("standard", _eur("18")),
        ("express", _eur("45")),
    ]


def test_parcel_above_the_last_bracket_gets_no_rate_from_that_service() -> None:
    rates = _table().rates(_request("GB", "SW1", "1", "4"))
    assert [r.service for r in rates] == ["standard"]
    assert _table().rates(_request("GB", "SW1", "6")) == []


def test_service_that_does_not_serve_the_zone_is_left_out() -> None:
    assert [r.service for r in _table().rates(_request("GB", "E1", "1"))] == ["standard"]


def test_table_configuration_is_checked() -> None:
    with pytest.raises(ValidationError, match="mars"):
        TableRateCarrier(
            "t",
            zones=[ZoneRule("eu", "DE")],
            services=[TableService("s", [ZoneRate("mars", 1, [WeightBracket("1", _eur("1"))])])],
        )
    with pytest.raises(ValidationError, match="twice"):
        TableRateCarrier(
            "t",
            zones=[ZoneRule("a", "DE", "1"), ZoneRule("b", "DE", "1")],
            services=[TableService("s", [ZoneRate("a", 1, [WeightBracket("1", _eur("1"))])])],
        )
    with pytest.raises(ValidationError, match="upper bound"):
        ZoneRate("a", 1, [WeightBracket("1", _eur("1")), WeightBracket("1", _eur("2"))])
    with pytest.raises(ValidationError, match="currencies"):
        ZoneRate("a", 1, [WeightBracket("1", _eur("1")), WeightBracket("2", Money.of("2", "USD"))])
    with pytest.raises(ValidationError, match="country"):
        ZoneRule("a", "Germany")


@given(shipping_addresses(), st.lists(parcels(), min_size=1, max_size=4))
def test_table_rates_are_sums_of_bracket_prices(
    destination: ShippingAddress, boxes: list[Parcel]
) -> None:
    carrier = _table()
    zone = carrier.zone_of(destination)
    for rate in carrier.rates(RateRequest(destination, boxes)):
        assert zone is not None
        assert rate.carrier == "tableco"
        assert not rate.price.is_negative
        assert all(p.weight <= Decimal(30) for p in boxes)


@given(st.lists(parcels(), min_size=1, max_size=4), st.lists(parcels(), min_size=1, max_size=2))
def test_adding_parcels_never_makes_a_rate_cheaper(boxes: list[Parcel], more: list[Parcel]) -> None:
    carrier = _table()
    destination = ShippingAddress("DE", "10115")
    before = {r.service: r.price for r in carrier.rates(RateRequest(destination, boxes))}
    after = {r.service: r.price for r in carrier.rates(RateRequest(destination, boxes + more))}
    for service, price in after.items():
        assert service in before
        assert price >= before[service]


# -- labels, scans, cancellation ----------------------------------------------------------


def test_label_is_deterministic_from_the_key() -> None:
    one, two = _table(), _table()
    assert one.create_label(_shipment(), idempotency_key="S1") == two.create_label(
        _shipment(), idempotency_key="S1"
    )


def test_label_without_a_chosen_service_takes_the_cheapest() -> None:
    label = _table().create_label(_shipment(), idempotency_key="S1")
    assert (label.service, label.price) == ("standard", _eur("4"))


def test_second_key_for_a_shipment_with_an_active_label_is_refused() -> None:
    carrier = _table()
    carrier.create_label(_shipment(), idempotency_key="S1")
    with pytest.raises(DuplicateRequest, match="already has label"):
        carrier.create_label(_shipment(), idempotency_key="S1-again")


def test_reusing_the_key_of_a_cancelled_label_is_refused() -> None:
    carrier = _table()
    label = carrier.create_label(_shipment(), idempotency_key="S1")
    carrier.cancel(label)
    assert carrier.is_cancelled(label)
    with pytest.raises(DuplicateRequest, match="cancelled"):
        carrier.create_label(_shipment(), idempotency_key="S1")


def test_destination_outside_every_zone_cannot_get_a_label() -> None:
    with pytest.raises(CarrierError) as caught:
        _table().create_label(
            _shipment(destination=ShippingAddress("FR", "75001")), idempotency_key="k"
        )
    assert not caught.value.retryable


def test_shipment_booked_with_another_carrier_is_refused() -> None:
    shipment = _shipment()
    shipment.choose_service("othercarrier", "standard")
    with pytest.raises(CarrierError, match="othercarrier"):
        _table().create_label(shipment, idempotency_key="S1")


def test_scans_are_tracked_in_order_and_block_cancellation() -> None:
    carrier = _table()
    label = carrier.create_label(_shipment(), idempotency_key="S1")
    t0 = dt.datetime(2026, 3, 2, 9, tzinfo=dt.UTC)
    late = TrackingEvent(t0 + dt.timedelta(hours=5), ShipmentStatus.IN_TRANSIT, "Hub")
    early = TrackingEvent(t0, ShipmentStatus.DISPATCHED, "Depot")
    carrier.add_scan(label.tracking_number, late)
    carrier.add_scan(label.tracking_number, early)
    carrier.add_scan(label.tracking_number, early)
    assert carrier.track(label.tracking_number) == [early, late]
    with pytest.raises(CarrierError, match="in the network"):
        carrier.cancel(label)
    with pytest.raises(NotFound):
        carrier.add_scan("nope", early)


def test_choose_rate_prefers_cheapest_then_fastest() -> None:
    rates = [
        Rate("a", "slow", _eur("5"), 5),
        Rate("a", "fast", _eur("5"), 1),
        Rate("a", "pricey", _eur("9"), 0),
    ]
    assert choose_rate(rates).service == "fast"
    assert choose_rate(rates, max_transit_days=0).service == "pricey"
    with pytest.raises(CarrierError, match="transit days"):
        choose_rate(rates, max_transit_days=-1)
    with pytest.raises(CarrierError):
        choose_rate([])


def test_rate_request_describes_the_shipment() -> None:
    shipment = _shipment()
    request = rate_request(shipment)
    assert (request.destination, request.parcels, request.ship_from) == (
        shipment.destination,
        shipment.parcels,
        "WH1",
    )
    assert request.total_weight == Decimal("0.8")


_prefixes = st.text(alphabet="12AB", max_size=3)


@given(
    st.lists(
        st.tuples(st.sampled_from(["DE", "GB"]), _prefixes), min_size=1, max_size=8, unique=True
    ),
    st.sampled_from(["DE", "GB", "FR"]),
    st.text(alphabet="12AB", max_size=5),
)
def test_zone_is_the_longest_matching_prefix(
    rules: list[tuple[str, str]], country: str, postal: str
) -> None:
    zones = [ZoneRule(f"z{i}", c, p) for i, (c, p) in enumerate(rules)]
    carrier = TableRateCarrier(
        "t",
        zones=zones,
        services=[TableService("s", [ZoneRate(zones[0].zone, 1, [WeightBracket("1", _eur("1"))])])],
    )
    destination = ShippingAddress(country, postal)
    matching = [z for z in zones if z.country == country and postal.startswith(z.postal_prefix)]
    zone = carrier.zone_of(destination)
    if not matching:
        assert zone is None
    else:
        longest = max(len(z.postal_prefix) for z in matching)
        assert zone in {z.zone for z in matching if len(z.postal_prefix) == longest}


@given(st.lists(parcels(), min_size=1, max_size=5))
def test_table_price_is_the_sum_of_each_parcels_bracket(boxes: list[Parcel]) -> None:
    brackets = [(Decimal(1), _eur("4")), (Decimal(5), _eur("7")), (Decimal(20), _eur("11"))]
    carrier = TableRateCarrier(
        "t",
        zones=[ZoneRule("d", "DE")],
        services=[
            TableService("s", [ZoneRate("d", 2, [WeightBracket(w, p) for w, p in brackets])])
        ],
    )
    rates = carrier.rates(RateRequest(ShippingAddress("DE", "1"), boxes))
    prices = [next((p for w, p in brackets if box.weight <= w), None) for box in boxes]
    if any(p is None for p in prices):
        assert rates == []
    else:
        assert [r.price for r in rates] == [Money.sum((p for p in prices if p), "EUR")]


@given(st.lists(parcels(), min_size=1, max_size=5), st.integers(0, 10_000))
def test_flat_price_is_per_parcel(boxes: list[Parcel], cents: int) -> None:
    price = Money.from_minor_units(cents, "EUR")
    carrier = FlatRateCarrier("f", [FlatRate("s", price, 1)])
    (rate,) = carrier.rates(RateRequest(ShippingAddress("DE"), boxes))
    assert rate.price == price * len(boxes)
