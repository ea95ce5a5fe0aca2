"""The converter: exact round trips, strict structuring, and a path for every bad field."""

from __future__ import annotations

import datetime as dt
import enum
import importlib.metadata
import json
import subprocess
import sys
from decimal import Decimal
from typing import Any, ClassVar

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderkit.errors import ValidationError
from orderkit.events import DomainEvent, event_types
from orderkit.money import Currency, Money
from orderkit.serialization import converter, make_converter
from orderkit.testing.strategies import currencies, money


class Colour(enum.Enum):
    RED = "red"
    BLUE = "blue"


class Priority(enum.IntEnum):
    LOW = 1
    HIGH = 2


@attrs.frozen
class SerializationProbeRecorded(DomainEvent):
    """A test-only event with one field of every encoded kind."""

    aggregate_type: ClassVar[str] = "probe"

    probe_id: str
    amount: Money
    at: dt.datetime
    on: dt.date
    colour: Colour
    priority: Priority

    @property
    def aggregate_key(self) -> str:
        return self.probe_id


@attrs.frozen
class SerializationProbeRenamed(DomainEvent):
    aggregate_type: ClassVar[str] = "probe"

    probe_id: str
    name: str

    @property
    def aggregate_key(self) -> str:
        return self.probe_id


@attrs.frozen
class Envelope:
    events: list[DomainEvent]
    latest: SerializationProbeRecorded | SerializationProbeRenamed
    _note: str = ""


# -- strategies ----------------------------------------------------------------------

offsets = st.integers(-(24 * 3600 - 1), 24 * 3600 - 1).map(lambda s: dt.timedelta(seconds=s))
aware_datetimes = st.builds(
    lambda naive, offset: naive.replace(tzinfo=dt.timezone(offset)), st.datetimes(), offsets
)
recorded = st.builds(
    SerializationProbeRecorded,
    probe_id=st.text(),
    amount=money(extra_digits=2),
    at=aware_datetimes,
    on=st.dates(),
    colour=st.sampled_from(Colour),
    priority=st.sampled_from(Priority),
)
renamed = st.builds(SerializationProbeRenamed, probe_id=st.text(), name=st.text())
any_event = st.one_of(recorded, renamed)
envelopes = st.builds(Envelope, st.lists(any_event, max_size=4), any_event, st.text())

json_like = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(),
    lambda children: st.lists(children) | st.dictionaries(st.text(), children),
    max_leaves=20,
)


def round_trip(value: object, type_: Any) -> Any:
    """Unstructure, pass through JSON text, structure again."""
    wire = json.loads(json.dumps(converter.unstructure(value)))
    return converter.structure(wire, type_)


# -- round trips ---------------------------------------------------------------------


@given(money(extra_digits=3))
def test_money_round_trip_is_exact(value: Money) -> None:
    back = round_trip(value, Money)
    assert back == value
    assert str(back.amount) == str(value.amount)
    assert back.currency is value.currency


@given(currencies())
def test_currency_round_trip(value: Currency) -> None:
    assert converter.unstructure(value) == value.code
    assert round_trip(value, Currency) is value


@given(st.decimals(allow_nan=False, allow_infinity=False))
def test_decimal_round_trip_keeps_every_digit(value: Decimal) -> None:
    assert isinstance(converter.unstructure(value), str)
    back = round_trip(value, Decimal)
    assert str(back) == str(value)


@given(st.dates())
def test_date_round_trip(value: dt.date) -> None:
    assert converter.unstructure(value) == value.isoformat()
    assert round_trip(value, dt.date) == value


@given(aware_datetimes)
def test_aware_datetime_round_trip_keeps_the_offset(value: dt.datetime) -> None:
    back = round_trip(value, dt.datetime)
    assert back == value
    assert back.utcoffset() == value.utcoffset()


@given(st.sampled_from(Colour), st.sampled_from(Priority))
def test_enums_travel_by_value(colour: Colour, priority: Priority) -> None:
    assert converter.unstructure(colour) == colour.value
    assert converter.unstructure(priority) == priority.value
    assert round_trip(colour, Colour) is colour
    assert round_trip(priority, Priority) is priority


@given(envelopes)
def test_events_round_trip_in_a_tagged_union(value: Envelope) -> None:
    wire = converter.unstructure(value)
    assert "note" in wire  # private attributes travel under their init name
    assert [e["type"] for e in wire["events"]] == [type(e).__name__ for e in value.events]
    assert round_trip(value, Envelope) == value


@given(any_event)
def test_an_event_structures_from_its_base_class(event: DomainEvent) -> None:
    assert round_trip(event, DomainEvent) == event


def test_event_encoding() -> None:
    event = SerializationProbeRenamed(probe_id="p1", name="new")
    assert converter.unstructure(event) == {
        "type": "SerializationProbeRenamed",
        "probe_id": "p1",
        "name": "new",
    }
    assert event_types()["SerializationProbeRenamed"] is SerializationProbeRenamed
    assert event.aggregate_key == "p1"


def test_money_and_datetime_encoding() -> None:
    assert converter.unstructure(Money.of("12.50", "EUR")) == {"amount": "12.50", "currency": "EUR"}
    moment = dt.datetime(2026, 3, 2, 9, 30, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert converter.unstructure(moment) == "2026-03-02T09:30:00+01:00"
    assert converter.unstructure(dt.date(2026, 3, 2)) == "2026-03-02"


def test_make_converter_builds_an_independent_converter() -> None:
    own = make_converter()
    assert own is not converter
    assert own.structure({"amount": "1", "currency": "JPY"}, Money) == Money.of("1", "JPY")


# -- refusals ------------------------------------------------------------------------


def test_naive_datetimes_are_refused_both_ways() -> None:
    with pytest.raises(ValidationError, match="offset"):
        converter.unstructure(dt.datetime(2026, 1, 1))
    with pytest.raises(ValidationError, match="offset"):
        converter.structure("2026-01-01T10:00:00", dt.datetime)


@pytest.mark.parametrize(
    ("value", "type_"),
    [
        (0.1, Decimal),
        ("abc", Decimal),
        ("NaN", Decimal),
        (True, Decimal),
        ("2026-3-2", dt.date),
        ("2026-02-30", dt.date),
        ("20260302", dt.date),
        ("yesterday", dt.datetime),
        (5, str),
        ("5", int),
        (True, int),
        (1, bool),
        ("green", Colour),
        ("eur", Currency),
        ("XAU", Currency),
    ],
)
def test_bad_values_are_refused(value: object, type_: Any) -> None:
    with pytest.raises(ValidationError) as info:
        converter.structure(value, type_)
    assert list(info.value.errors) == ["$"]


@pytest.mark.parametrize("amount", [0.1, "1e99", "NaN", None, True])
def test_bad_money_amounts_are_reported_at_the_amount(amount: object) -> None:
    with pytest.raises(ValidationError) as info:
        converter.structure({"amount": amount, "currency": "EUR"}, Money)
    assert list(info.value.errors) == ["$.amount"]


def test_sub_second_utc_offsets_are_refused() -> None:
    odd = dt.datetime(2026, 1, 1, tzinfo=dt.timezone(dt.timedelta(microseconds=1)))
    with pytest.raises(ValidationError, match="finer than a second"):
        converter.unstructure(odd)


def test_every_bad_field_is_reported_with_its_path() -> None:
    bad = {
        "events": [
            {"type": "SerializationProbeRenamed", "probe_id": "p", "name": 3},
            {"type": "NoSuchEvent"},
            {"probe_id": "p"},
        ],
        "latest": {
            "type": "SerializationProbeRecorded",
            "probe_id": "p",
            "amount": {"amount": "x", "currency": "EUR", "extra": 1},
            "at": "2026-01-01T00:00:00",
            "on": "2026-01-01",
            "colour": "green",
        },
        "unexpected": True,
    }
    with pytest.raises(ValidationError) as info:
        converter.structure(bad, Envelope)
    assert set(info.value.errors) == {
        "$.events[0].name",
        "$.events[1].type",
        "$.events[2].type",
        "$.latest.amount.amount",
        "$.latest.amount.extra",
        "$.latest.at",
        "$.latest.colour",
        "$.latest.priority",
        "$.unexpected",
    }
    assert info.value.errors["$.latest.priority"] == "required field missing"
    assert "$.latest.at" in str(info.value)


def test_a_union_member_outside_the_union_is_refused() -> None:
    event = {"type": "SerializationProbeRenamed", "probe_id": "p", "name": "n"}
    with pytest.raises(ValidationError, match="unknown event type"):
        converter.structure(event, SerializationProbeRecorded)


_FIELDS = ("probe_id", "amount", "at", "on", "colour", "priority")


@given(recorded, st.sets(st.sampled_from(_FIELDS), min_size=1))
def test_each_corrupted_field_gets_its_own_path(event: DomainEvent, broken: set[str]) -> None:
    wire = converter.unstructure(event)
    for field in broken:
        wire[field] = [[]]
    with pytest.raises(ValidationError) as info:
        converter.structure(wire, DomainEvent)
    assert set(info.value.errors) == {f"$.{field}" for field in broken}


TARGETS: list[Any] = [
    Money,
    Currency,
    Decimal,
    dt.date,
    dt.datetime,
    Colour,
    Priority,
    str,
    int,
    bool,
    DomainEvent,
    SerializationProbeRecorded,
    Envelope,
    list[Money],
    dict[str, Money],
]


@pytest.mark.parametrize("type_", TARGETS, ids=str)
@given(garbage=json_like)
def test_garbage_raises_only_validation_error(type_: Any, garbage: object) -> None:
    try:
        result = converter.structure(garbage, type_)
    except ValidationError as exc:
        error = exc
    else:
        origin = getattr(type_, "__origin__", type_)
        assert isinstance(result, origin)
        return
    assert error.errors
    assert all(path.startswith("$") and text for path, text in error.errors.items())


# -- hypothesis integration ----------------------------------------------------------


def test_strategies_are_registered_through_the_entry_point() -> None:
    hooks = importlib.metadata.entry_points(group="hypothesis")
    assert any(hook.value.startswith("orderkit.testing") for hook in hooks)


def test_from_type_works_without_importing_the_testing_kit() -> None:
    # A fresh interpreter that never imports orderkit.testing: only the hook can register Money.
    script = (
        "import sys\n"
        "from hypothesis import find, strategies as st\n"
        "from orderkit.money import Money\n"
        "found = find(st.from_type(Money), lambda m: m.currency.exponent == 3)\n"
        "print(type(found).__name__, found.currency.exponent)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["Money", "3"]


@given(st.from_type(Money), st.from_type(Currency))
def test_from_type_builds_orderkit_values(value: Money, currency: Currency) -> None:
    assert isinstance(value, Money)
    assert value.is_rounded
    assert isinstance(currency, Currency)
