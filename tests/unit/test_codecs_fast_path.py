"""Storage encodes an aggregate without unstructuring what it drops, to the same JSON.

``AggregateCodec.encode`` once unstructured the whole aggregate, pending events
included, and then dropped the storage metadata (``version``, ``events``); it
now asks the converter for a function that leaves them out. The JSON must be
the same, for every aggregate the strategies draw, pending events or not.

``dump_json`` calls the C encoder it builds once instead of ``json.dumps``, and
``_load_json`` the C scanner instead of ``json.loads``: the same text or value, or
the same error, for any input. Decoding and event encoding skip converter layers
and must give what the converter gives.
"""

from __future__ import annotations

import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orderkit.adapters._codecs import (
    ORDERS,
    SHIPMENTS,
    STOCK,
    AggregateCodec,
    _load_json,
    dump_json,
    encode_event,
)
from orderkit.adapters._records import Record
from orderkit.errors import ValidationError
from orderkit.events import DomainEvent
from orderkit.serialization import converter
from orderkit.testing.contracts._storage import make_order, make_stock, stock_records
from orderkit.testing.strategies import (
    invoice_issued_events,
    order_events,
    shipment_events,
    stock_events,
)

CODECS = [ORDERS, STOCK, SHIPMENTS]


def _old_encode(value: object) -> str:
    raw = converter.unstructure(value)
    return dump_json({k: v for k, v in raw.items() if k not in {"version", "events"}}, "x")


@pytest.mark.parametrize("codec", CODECS, ids=lambda codec: codec.cls.__name__)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data())
def test_encode_equals_unstructure_then_drop(codec: AggregateCodec[Any], data: Any) -> None:
    value = data.draw(st.from_type(codec.cls))
    assert codec.encode(value) == _old_encode(value)


@settings(max_examples=25, deadline=None)
@given(stock=stock_records())
def test_stock_with_pending_events(stock: Any) -> None:
    assert stock.pending_events
    assert STOCK.encode(stock) == _old_encode(stock)


def test_pending_events_are_left_out() -> None:
    order, stock = make_order(1, skus=("A", "B")), make_stock("A")
    assert order.pending_events
    assert stock.pending_events
    assert ORDERS.encode(order) == _old_encode(order)
    assert STOCK.encode(stock) == _old_encode(stock)
    assert '"events"' not in ORDERS.encode(order)
    assert '"version"' not in ORDERS.encode(order)


_SCALARS = st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8)
_KEYS = st.text(max_size=4) | st.integers(-3, 3) | st.none()
_VALUES = st.recursive(
    _SCALARS | st.builds(object),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.tuples(inner, inner)
        | st.dictionaries(_KEYS, inner, max_size=4)
    ),
    max_leaves=20,
)


def _dumps(value: object) -> str:
    """What dump_json did before: json.dumps with its options."""
    try:
        return json.dumps(value, separators=(",", ":"), sort_keys=True, allow_nan=False)
    except (TypeError, ValueError) as exc:
        return f"error: x is not JSON-serialisable: {exc}"


def _dump(value: object) -> str:
    try:
        return dump_json(value, "x")
    except ValidationError as exc:
        return f"error: {exc.errors['x']}"


@settings(max_examples=300, deadline=None)
@given(value=_VALUES)
def test_dump_json_equals_json_dumps(value: object) -> None:
    assert _dump(value) == _dumps(value)


def test_dump_json_names_a_cycle_and_refuses_too_deep() -> None:
    cycle: list[object] = []
    cycle.append({"a": cycle})
    assert (
        _dump(cycle)
        == _dumps(cycle)
        == "error: x is not JSON-serialisable: Circular reference detected"
    )
    deep: list[object] = []
    for _ in range(100_000):
        deep = [deep]
    with pytest.raises(RecursionError):
        json.dumps(deep, separators=(",", ":"), sort_keys=True, allow_nan=False)
    with pytest.raises(RecursionError):
        dump_json(deep, "x")


def _old_decode(codec: AggregateCodec[Any], record: Record) -> Any:
    """What decode did before: the stored keys and the version, nothing else."""
    raw = json.loads(record.data)
    raw["version"] = record.version
    return converter.structure(raw, codec.cls)


@pytest.mark.parametrize("codec", CODECS, ids=lambda codec: codec.cls.__name__)
@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), version=st.integers(1, 10**6))
def test_decode_equals_structuring_the_stored_keys(
    codec: AggregateCodec[Any], data: Any, version: int
) -> None:
    """Decoding hands the converter ``events: []`` (its straight path): the same aggregate."""
    value = data.draw(st.from_type(codec.cls))
    record = Record(codec.key(value), version, codec.encode(value))
    decoded, old = codec.decode(record), _old_decode(codec, record)
    assert decoded == old
    assert repr(decoded) == repr(old)
    assert codec.encode(decoded) == codec.encode(old)
    assert getattr(decoded, "pending_events", ()) == ()


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(event=order_events() | stock_events() | shipment_events() | invoice_issued_events())
def test_encode_event_equals_unstructuring_through_the_converter(event: DomainEvent) -> None:
    """encode_event calls the hook the converter dispatches to, looked up once per class."""
    cls = type(event)
    expected = (
        cls.aggregate_type,
        str(event.aggregate_key),
        cls.__name__,
        dump_json(converter.unstructure(event), cls.__name__),
    )
    assert encode_event(event) == expected
    assert encode_event(event) == expected  # the class's hook now cached


def test_encode_event_refuses_what_is_not_an_event() -> None:
    with pytest.raises(ValidationError, match="expected a DomainEvent, got dict"):
        encode_event({"type": "OrderPlaced"})  # type: ignore[arg-type]


def _old_load(text: str) -> str:
    """What _load_json did before: json.loads, its error reworded."""
    try:
        return repr(json.loads(text))
    except ValueError as exc:
        return f"error: stored x is not valid JSON: {exc}"


def _load(text: str) -> str:
    try:
        return repr(_load_json(text, "x"))
    except ValidationError as exc:
        return f"error: {exc.errors['x']}"


_JSON_DOCS = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=6),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=3), inner),
    max_leaves=10,
)
_NOISE = st.sampled_from(["", " ", "\n", "\ufeff", "x", "]", "{", ",", '"', "\x01", "1"])


@settings(max_examples=300, deadline=None)
@given(
    doc=_JSON_DOCS,
    before=_NOISE,
    after=_NOISE,
    cut=st.integers(0, 3),
    indent=st.none() | st.integers(0, 2),
)
def test_load_json_equals_json_loads(
    doc: object, before: str, after: str, cut: int, indent: int | None
) -> None:
    """Stored text scans straight to its value; anything else is json.loads' to read."""
    text = before + json.dumps(doc, indent=indent) + after
    text = text[: len(text) - cut] if cut else text
    assert _load(text) == _old_load(text)
