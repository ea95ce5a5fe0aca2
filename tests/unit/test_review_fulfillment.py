"""Review of fulfilment: calendar edge days, table-rate boundaries, bad input, tracking order.

Expected dates are worked out by hand on a 2026/2027 calendar in the comments.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderkit.errors import CurrencyMismatch, OrderkitError, ValidationError
from orderkit.fulfillment import (
    BusinessCalendar,
    FlatRate,
    FlatRateCarrier,
    Label,
    Parcel,
    Rate,
    RateRequest,
    Shipment,
    ShipmentItem,
    ShipmentItemRequest,
    ShipmentStatus,
    ShippingAddress,
    TableRateCarrier,
    TableService,
    TrackingEvent,
    WeightBracket,
    ZoneRate,
    ZoneRule,
    choose_rate,
    estimate_delivery,
    late_shipments,
    plan_shipments,
)
from orderkit.ids import LineId, LocationId, OrderId, ShipmentId, Sku
from orderkit.money import Money

LONDON = ZoneInfo("Europe/London")
BERLIN = ZoneInfo("Europe/Berlin")


def eur(amount: str) -> Money:
    return Money.of(amount, "EUR")


# -- calendar -------------------------------------------------------------------------------


def test_issue_example_friday_after_cut_off_with_monday_holiday() -> None:
    # Fri 6 Mar 2026 16:00 Berlin, cut-off 14:00 → leaves Tue 10 (Mon 9 is a holiday);
    # 2 business days → Wed 11, Thu 12.
    cal = BusinessCalendar("Europe/Berlin", cutoff=dt.time(14), holidays=[dt.date(2026, 3, 9)])
    friday = dt.datetime(2026, 3, 6, 16, tzinfo=BERLIN)
    assert estimate_delivery(friday, 2, cal) == dt.date(2026, 3, 12)


def test_cut_off_is_read_in_the_locations_timezone_across_dst() -> None:
    cal = BusinessCalendar("Europe/London", cutoff=dt.time(15))
    # Fri 27 Mar 2026 is still GMT: 14:59 UTC is 14:59 local, before the cut-off.
    assert cal.dispatch_day(dt.datetime(2026, 3, 27, 14, 59, tzinfo=dt.UTC)) == dt.date(2026, 3, 27)
    # Mon 30 Mar 2026 is BST (clocks went forward Sun 29): 14:30 UTC is 15:30 local → Tue.
    assert cal.dispatch_day(dt.datetime(2026, 3, 30, 14, 30, tzinfo=dt.UTC)) == dt.date(2026, 3, 31)
    # Mon 26 Oct 2026 is GMT again (clocks went back Sun 25): 14:30 UTC is 14:30 local → Mon.
    assert cal.dispatch_day(dt.datetime(2026, 10, 26, 14, 30, tzinfo=dt.UTC)) == dt.date(
        2026, 10, 26
    )
    # a moment given in another zone: 23:30 in New York on Thu 5 Feb is Fri 04:30 London.
    new_york = dt.datetime(2026, 2, 5, 23, 30, tzinfo=ZoneInfo("America/New_York"))
    assert cal.dispatch_day(new_york) == dt.date(2026, 2, 6)


def test_the_cut_off_instant_itself_is_too_late() -> None:
    cal = BusinessCalendar("Europe/London", cutoff=dt.time(15))
    monday = dt.date(2026, 1, 5)
    just_before = dt.datetime(2026, 1, 5, 14, 59, 59, 999999, tzinfo=LONDON)
    assert cal.dispatch_day(just_before) == monday
    assert cal.dispatch_day(dt.datetime(2026, 1, 5, 15, tzinfo=LONDON)) == dt.date(2026, 1, 6)


def test_year_end_with_holidays_and_zero_transit_days() -> None:
    holidays = [dt.date(2026, 12, 25), dt.date(2026, 12, 28), dt.date(2027, 1, 1)]
    cal = BusinessCalendar("Europe/London", cutoff=dt.time(15), holidays=holidays)
    # Thu 24 Dec after the cut-off: Fri 25 holiday, weekend, Mon 28 holiday → Tue 29;
    # then Wed 30 (1), Thu 31 (2), Fri 1 Jan holiday, Mon 4 Jan (3).
    late = dt.datetime(2026, 12, 24, 16, tzinfo=LONDON)
    assert estimate_delivery(late, 0, cal) == dt.date(2026, 12, 29)
    assert estimate_delivery(late, 3, cal) == dt.date(2027, 1, 4)
    # 0 transit days on a Saturday: delivered the day it leaves, Tue 29.
    saturday = dt.datetime(2026, 12, 26, 9, tzinfo=LONDON)
    assert estimate_delivery(saturday, 0, cal) == dt.date(2026, 12, 29)


def test_a_holiday_on_a_weekend_changes_nothing() -> None:
    plain = BusinessCalendar("Europe/London")
    with_saturday = BusinessCalendar("Europe/London", holidays=[dt.date(2026, 12, 26)])
    friday = dt.datetime(2026, 12, 18, 10, tzinfo=LONDON)
    for days in range(8):
        assert estimate_delivery(friday, days, plain) == estimate_delivery(
            friday, days, with_saturday
        )


@given(
    start=st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2030, 12, 31)),
    count=st.integers(0, 30),
    holidays=st.sets(st.dates(min_value=dt.date(2020, 1, 1), max_value=dt.date(2031, 3, 31))),
)
def test_adding_business_days_counts_exactly_the_business_days(
    start: dt.date, count: int, holidays: set[dt.date]
) -> None:
    cal = BusinessCalendar("Europe/Berlin", holidays=holidays)
    end = cal.add_business_days(start, count)
    between = [
        start + dt.timedelta(days=n)
        for n in range(1, (end - start).days + 1)
        if cal.is_business_day(start + dt.timedelta(days=n))
    ]
    assert len(between) == count
    assert count == 0 or cal.is_business_day(end)


@pytest.mark.parametrize("bad", ["2026-01-05", None, 20260105])
def test_calendar_queries_refuse_what_is_not_a_date(bad: object) -> None:
    cal = BusinessCalendar("Europe/London")
    with pytest.raises(ValidationError):
        cal.is_business_day(bad)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        cal.next_business_day(bad)  # type: ignore[arg-type]
    with pytest.raises(ValidationError):
        cal.add_business_days(bad, 1)  # type: ignore[arg-type]


# -- table rates ------------------------------------------------------------------------------


def _uk_carrier() -> TableRateCarrier:
    return TableRateCarrier(
        "parcelco",
        zones=[
            ZoneRule("mainland", "GB"),
            ZoneRule("london", "GB", "SW"),
            ZoneRule("westminster", "GB", "SW1A"),
            ZoneRule("highlands", "GB", "IV"),
        ],
        services=[
            TableService(
                "standard",
                [
                    ZoneRate(
                        "mainland",
                        2,
                        [WeightBracket("2", eur("5")), WeightBracket("10", eur("8"))],
                    ),
                    ZoneRate("london", 1, [WeightBracket("10", eur("6"))]),
                    ZoneRate("westminster", 1, [WeightBracket("10", eur("7"))]),
                    ZoneRate("highlands", 3, [WeightBracket("30", eur("20"))]),
                ],
            )
        ],
    )


@pytest.mark.parametrize(
    ("postal_code", "zone"),
    [
        ("SW1A 1AA", "westminster"),  # SW1A beats SW beats the country
        ("sw1a-1aa", "westminster"),  # case, dashes and spaces do not matter
        ("SW19 1AA", "london"),
        ("IV2 3AA", "highlands"),
        ("M1 1AA", "mainland"),
        ("", "mainland"),
    ],
)
def test_longest_postal_prefix_wins(postal_code: str, zone: str) -> None:
    assert _uk_carrier().zone_of(ShippingAddress("GB", postal_code)) == zone


def test_a_country_without_a_rule_gets_no_rate() -> None:
    request = RateRequest(ShippingAddress("IE", "D02"), [Parcel("1")])
    assert _uk_carrier().rates(request) == []


@pytest.mark.parametrize(
    ("weight", "price"),
    [
        ("0", "5.00"),
        ("2", "5.00"),  # the upper bound is inclusive
        ("2.000", "5.00"),
        ("2.001", "8.00"),
        ("10", "8.00"),
        ("10.0001", None),  # heavier than the last bracket: no rate
    ],
)
def test_weight_brackets_at_their_boundaries(weight: str, price: str | None) -> None:
    quotes = _uk_carrier().rates(RateRequest(ShippingAddress("GB", "M1 1AA"), [Parcel(weight)]))
    assert [q.price for q in quotes] == ([] if price is None else [eur(price)])


def test_every_parcel_is_priced_and_one_too_heavy_parcel_drops_the_service() -> None:
    address = ShippingAddress("GB", "M1 1AA")
    # 5.00 + 8.00 for a 2 kg and a 3 kg parcel.
    both = _uk_carrier().rates(RateRequest(address, [Parcel("2"), Parcel("3")]))
    assert [q.price for q in both] == [eur("13.00")]
    assert _uk_carrier().rates(RateRequest(address, [Parcel("2"), Parcel("11")])) == []


@pytest.mark.parametrize(
    "build",
    [
        lambda: FlatRateCarrier("post", ["standard"]),  # type: ignore[list-item]
        lambda: FlatRate("standard", "4.90", 2),  # type: ignore[arg-type]
        lambda: WeightBracket("2", "5.00"),  # type: ignore[arg-type]
        lambda: ZoneRate("z", 1, ["2kg"]),  # type: ignore[list-item]
        lambda: TableService("s", ["z"]),  # type: ignore[list-item]
        lambda: TableRateCarrier("c", zones=["GB"], services=[]),  # type: ignore[list-item]
        lambda: _uk_carrier().rates("GB"),  # type: ignore[arg-type]
        lambda: _uk_carrier().zone_of("GB"),  # type: ignore[arg-type]
        lambda: Rate("c", "s", "5.00", 1),  # type: ignore[arg-type]
        lambda: Label("S1", "c", "s", "T", "R", "5.00", "S1"),  # type: ignore[arg-type]
        lambda: RateRequest("GB", [Parcel("1")]),  # type: ignore[arg-type]
        lambda: Parcel("1", "30x20x10"),  # type: ignore[arg-type]
    ],
)
def test_bad_carrier_input_raises_a_validation_error(build: object) -> None:
    assert callable(build)
    with pytest.raises(ValidationError):
        build()


@given(st.decimals(min_value=0, max_value=40, places=3))
def test_table_price_is_the_smallest_bracket_that_holds_the_weight(weight: Decimal) -> None:
    quotes = _uk_carrier().rates(RateRequest(ShippingAddress("GB", "M1"), [Parcel(weight)]))
    if weight <= 2:
        assert [q.price for q in quotes] == [eur("5")]
    elif weight <= 10:
        assert [q.price for q in quotes] == [eur("8")]
    else:
        assert quotes == []


def test_errors_are_orderkit_errors() -> None:
    with pytest.raises(OrderkitError):
        BusinessCalendar("Europe/London").add_business_days("x", 1)  # type: ignore[arg-type]


# -- shipments and tracking -------------------------------------------------------------------

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _dispatched(promised: dt.date | None = None) -> Shipment:
    shipment = Shipment.create(
        ShipmentId("S1"),
        order_id=OrderId("O1"),
        location=LocationId("WH1"),
        destination=ShippingAddress("DE", "10115"),
        items=[ShipmentItem(LineId("L1"), Sku("A"), 2)],
        parcels=[Parcel("1")],
    )
    shipment.attach_label(
        Label(ShipmentId("S1"), "post", "standard", "TRK1", "label-1", eur("4.90"), "S1")
    )
    shipment.dispatch(T0, promised_delivery=promised)
    shipment.pull_events()
    return shipment


def _scan(hours: int, status: ShipmentStatus, tz: dt.tzinfo = dt.UTC) -> TrackingEvent:
    return TrackingEvent((T0 + dt.timedelta(hours=hours)).astimezone(tz), status, "Hub", "scan")


def test_the_same_scan_in_another_offset_is_recorded_once() -> None:
    shipment = _dispatched()
    assert shipment.record_tracking(_scan(1, ShipmentStatus.IN_TRANSIT))
    assert not shipment.record_tracking(_scan(1, ShipmentStatus.IN_TRANSIT, BERLIN))
    assert shipment.record_scans([_scan(1, ShipmentStatus.IN_TRANSIT, LONDON)] * 3) == 0
    assert len(shipment.tracking) == 1


@given(st.permutations(range(4)), st.lists(st.integers(0, 3), max_size=4))
def test_history_order_and_status_do_not_depend_on_arrival_order(
    order: list[int], repeats: list[int]
) -> None:
    scans = [
        _scan(1, ShipmentStatus.IN_TRANSIT),
        _scan(2, ShipmentStatus.IN_TRANSIT, BERLIN),
        _scan(5, ShipmentStatus.OUT_FOR_DELIVERY),
        _scan(5, ShipmentStatus.DELIVERED),  # same second: delivered sorts last
    ]
    shipment = _dispatched()
    shipment.record_scans([scans[i] for i in order] + [scans[i] for i in repeats])
    assert list(shipment.tracking) == scans
    assert shipment.status is ShipmentStatus.DELIVERED


def test_bad_label_and_promise_are_refused_without_change() -> None:
    shipment = Shipment.create(
        ShipmentId("S1"),
        order_id=OrderId("O1"),
        location=LocationId("WH1"),
        destination=ShippingAddress("DE", "10115"),
        items=[ShipmentItem(LineId("L1"), Sku("A"), 2)],
        parcels=[Parcel("1")],
    )
    with pytest.raises(ValidationError):
        shipment.attach_label("label-1")  # type: ignore[arg-type]
    assert shipment.status is ShipmentStatus.PENDING
    shipment.attach_label(
        Label(ShipmentId("S1"), "post", "standard", "TRK1", "label-1", eur("4.90"), "S1")
    )
    with pytest.raises(ValidationError):
        shipment.dispatch(T0, promised_delivery="2026-03-04")  # type: ignore[arg-type]
    assert shipment.status.value == "label_created"


def test_a_promise_is_late_only_after_its_whole_day_in_the_given_zone() -> None:
    shipment = _dispatched(promised=dt.date(2026, 3, 4))
    # 23:30 UTC on the 4th is already the 5th in Berlin.
    evening = dt.datetime(2026, 3, 4, 23, 30, tzinfo=dt.UTC)
    assert not shipment.is_late(evening)
    assert shipment.is_late(evening, tz=BERLIN)
    assert late_shipments([shipment], evening, tz=BERLIN) == [shipment]
    shipment.record_tracking(_scan(60, ShipmentStatus.DELIVERED))
    assert late_shipments([shipment], evening, tz=BERLIN) == []


# -- planning -----------------------------------------------------------------------------------


_REQUESTS = st.lists(
    st.builds(
        ShipmentItemRequest,
        location=st.sampled_from([LocationId("WH1"), LocationId("WH2")]),
        line_id=st.sampled_from([LineId("L1"), LineId("L2"), LineId("L3")]),
        sku=st.just(Sku("A")),
        quantity=st.integers(1, 9),
        unit_weight=st.just(Decimal(0)),
    ),
    max_size=6,
)
_WEIGHTS = {LineId("L1"): Decimal("0"), LineId("L2"): Decimal("2.5"), LineId("L3"): Decimal("7")}


@given(_REQUESTS, st.sampled_from(["2.5", "5", "6.999", "7", "30"]))
def test_plans_keep_every_unit_and_respect_the_parcel_limit(
    raw: list[ShipmentItemRequest], limit: str
) -> None:
    # one sku per line, and one weight per line, as the service maps them.
    requests = [
        ShipmentItemRequest(
            r.location, r.line_id, Sku(f"SKU-{r.line_id}"), r.quantity, _WEIGHTS[r.line_id]
        )
        for r in raw
    ]
    plans = plan_shipments(requests, max_parcel_weight=limit)
    wanted: dict[tuple[str, str], int] = {}
    for r in requests:
        wanted[(r.location, r.line_id)] = wanted.get((r.location, r.line_id), 0) + r.quantity
    planned: dict[tuple[str, str], int] = {}
    for plan in plans:
        assert plan.items
        for item in plan.items:
            key = (plan.location, item.line_id)
            planned[key] = planned.get(key, 0) + item.quantity
        heaviest_unit = max(_WEIGHTS[i.line_id] for i in plan.items)
        # a parcel only exceeds the limit when it is one unit too heavy for any parcel
        assert plan.weight <= Decimal(limit) or (plan.units == 1 and heaviest_unit > Decimal(limit))
        assert plan.weight == sum(_WEIGHTS[i.line_id] * i.quantity for i in plan.items)
    assert planned == wanted


# -- more bad input ---------------------------------------------------------------------------


_AT = dt.datetime(2026, 3, 5, 12, tzinfo=dt.UTC)


@pytest.mark.parametrize(
    "call",
    [
        lambda: Shipment.create(
            ShipmentId("S1"),
            order_id=OrderId("O1"),
            location=LocationId("WH1"),
            destination="DE 10115",  # type: ignore[arg-type]
            items=[ShipmentItem(LineId("L1"), Sku("A"), 1)],
            parcels=[Parcel("1")],
        ),
        lambda: Shipment.create(
            ShipmentId("S1"),
            order_id=OrderId("O1"),
            location=LocationId("WH1"),
            destination=ShippingAddress("DE", "10115"),
            items=["L1"],  # type: ignore[list-item]
            parcels=[Parcel("1")],
        ),
        lambda: _dispatched().record_scans(None),  # type: ignore[arg-type]
        lambda: _dispatched(dt.date(2026, 3, 4)).is_late(_AT, tz="UTC"),  # type: ignore[arg-type]
        lambda: late_shipments(["S1"], _AT),  # type: ignore[list-item]
        lambda: plan_shipments(None),  # type: ignore[arg-type]
        lambda: choose_rate(["standard"]),  # type: ignore[list-item]
        lambda: BusinessCalendar("UTC", holidays=None),  # type: ignore[arg-type]
        lambda: BusinessCalendar("UTC", weekdays=None),  # type: ignore[arg-type]
    ],
)
def test_more_bad_input_raises_validation_errors(call: Callable[[], object]) -> None:
    with pytest.raises(ValidationError):
        call()


def test_rates_in_different_currencies_are_not_compared_by_bare_amount() -> None:
    # 5 USD is not cheaper than 600 JPY just because 5 < 600.
    rates = [
        Rate("a", "std", Money.of("600", "JPY"), 2),
        Rate("b", "std", Money.of("5.00", "USD"), 2),
    ]
    with pytest.raises(CurrencyMismatch):
        choose_rate(rates)
    assert choose_rate([rates[0]]) == rates[0]
