"""Memory adapter specifics, the shared codecs and unit of work, and the clocks."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import threading
import uuid

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderkit.adapters import FixedClock, SystemClock, TableSpec
from orderkit.adapters._codecs import DOCUMENTS, ORDERS, STOCK, epoch_microseconds
from orderkit.adapters._records import Record
from orderkit.adapters._unit_of_work import new_message_id, v4_hex
from orderkit.adapters.memory import MemoryStore
from orderkit.errors import OrderkitError, StoreUnavailable, ValidationError
from orderkit.ids import OrderId, Sku
from orderkit.ports import Clock
from orderkit.testing.contracts._storage import BASE_TIME, make_order, make_stock


def test_a_second_unit_of_work_on_the_same_thread_is_refused() -> None:
    store = MemoryStore()
    with store.unit_of_work(), pytest.raises(StoreUnavailable, match="already"):
        store.unit_of_work().begin()
    with store.unit_of_work() as uow:  # the lock was released
        assert uow.outbox.count() == 0


def test_a_unit_of_work_that_waits_too_long_gets_a_retryable_error() -> None:
    store = MemoryStore(lock_timeout=0.01)
    holding, done = threading.Event(), threading.Event()

    def hold() -> None:
        with store.unit_of_work():
            holding.set()
            done.wait()

    thread = threading.Thread(target=hold)
    thread.start()
    holding.wait()
    try:
        with pytest.raises(StoreUnavailable, match="busy") as caught:
            store.unit_of_work().begin()
    finally:
        done.set()
        thread.join()
    assert caught.value.retryable


def test_message_ids_come_from_the_injected_factory() -> None:
    ids = (f"m-{n}" for n in itertools.count())
    store = MemoryStore(message_ids=lambda: next(ids))
    with store.unit_of_work() as uow:
        uow.orders.add(make_order(1))
        uow.stock.add(make_stock("A"))
        uow.commit()
    with store.unit_of_work() as uow:
        assert [m.message_id for m in uow.outbox.pending()] == ["m-0", "m-1"]


def test_a_failing_commit_writes_nothing_and_restores_versions() -> None:
    store = MemoryStore(message_ids=lambda: "always-the-same")
    order, stock = make_order(1), make_stock("A")
    with store.unit_of_work() as uow:
        uow.orders.add(order)
        uow.stock.add(stock)
        with pytest.raises(OrderkitError, match="not unique"):
            uow.commit()
        assert not uow.active
    assert (order.version, stock.version) == (0, 0)
    with store.unit_of_work() as uow:
        assert uow.orders.list_by_status("placed") == []
        assert uow.outbox.count() == 0


def test_stored_json_has_no_version_and_no_pending_events() -> None:
    order = make_order(1)
    order.version = 7
    raw = json.loads(ORDERS.encode(order))
    assert "version" not in raw
    assert "events" not in raw
    loaded = ORDERS.decode(Record("o-00001", 3, ORDERS.encode(order)))
    assert (loaded.version, loaded.pending_events) == (3, ())


def test_codecs_refuse_the_wrong_type_and_bad_rows() -> None:
    with pytest.raises(ValidationError, match="SkuStock"):
        STOCK.encode(make_order(1))  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="JSON"):
        ORDERS.decode(Record("o-1", 1, "[unclosed"))
    with pytest.raises(ValidationError):
        ORDERS.decode(Record("o-1", 1, '{"id": "o-1"}'))


def test_published_events_must_be_domain_events() -> None:
    with MemoryStore().unit_of_work() as uow, pytest.raises(ValidationError, match="DomainEvent"):
        uow.publish("OrderPlaced")  # type: ignore[arg-type]


def test_keys_must_be_non_empty_strings() -> None:
    with MemoryStore().unit_of_work() as uow:
        with pytest.raises(ValidationError, match="id"):
            uow.orders.get(OrderId(""))
        with pytest.raises(ValidationError, match="sku"):
            uow.stock.get_many([None])  # type: ignore[list-item]
        with pytest.raises(ValidationError, match="message id"):
            uow.outbox.mark_dispatched([3])  # type: ignore[list-item]


def test_table_specs_take_plain_identifiers_only() -> None:
    with pytest.raises(ValueError, match="identifier"):
        TableSpec(table="orders; DROP TABLE x", kind="x", key_column="id", columns=())
    with pytest.raises(ValueError, match="identifier"):
        TableSpec(table="t", kind="x", key_column="id", columns=("ok", "not ok"))


@given(
    st.datetimes(timezones=st.timezones()),
    st.datetimes(timezones=st.timezones()),
)
def test_epoch_microseconds_measures_the_instant(first: dt.datetime, second: dt.datetime) -> None:
    a, b = first.astimezone(dt.UTC), second.astimezone(dt.UTC)
    assert epoch_microseconds(first) - epoch_microseconds(second) == (a - b) // dt.timedelta(
        microseconds=1
    )
    assert epoch_microseconds(first) == epoch_microseconds(a)


def test_epoch_microseconds_refuses_naive_and_non_datetimes() -> None:
    with pytest.raises(ValidationError, match="placed_at"):
        epoch_microseconds(dt.datetime(2026, 1, 1), "placed_at")
    with pytest.raises(ValidationError):
        epoch_microseconds("2026-01-01")


def test_clocks_are_clocks() -> None:
    assert isinstance(SystemClock(), Clock)
    assert isinstance(FixedClock(BASE_TIME), Clock)
    assert SystemClock().now().utcoffset() == dt.timedelta(0)


def test_a_fixed_clock_moves_only_when_told() -> None:
    clock = FixedClock(BASE_TIME)
    assert clock.now() == clock.now() == BASE_TIME
    clock.advance(dt.timedelta(hours=2))
    assert clock.now() == BASE_TIME + dt.timedelta(hours=2)
    clock.set(BASE_TIME - dt.timedelta(days=1))
    assert clock.now() == BASE_TIME - dt.timedelta(days=1)
    with pytest.raises(ValidationError, match="timezone-aware"):
        clock.set(dt.datetime(2026, 1, 1))
    with pytest.raises(ValidationError, match="timezone-aware"):
        FixedClock("now")  # type: ignore[arg-type]


def test_the_document_codec_refuses_other_types_and_unknown_kinds() -> None:
    with pytest.raises(ValidationError, match="Invoice or a CreditNote"):
        DOCUMENTS.encode(make_order(1))  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="no known kind"):
        DOCUMENTS.decode(Record("N-1", 1, '{"kind": "receipt", "document": {}}'))


def test_versions_and_fingerprints_are_checked() -> None:
    order = make_order(1)
    order.version = -1
    with MemoryStore().unit_of_work() as uow:
        with pytest.raises(ValidationError, match="version"):
            uow.orders.save(order)
        with pytest.raises(ValidationError, match="fingerprint"):
            uow.idempotency.put("k", 1, fingerprint=7)  # type: ignore[arg-type]
        assert uow.idempotency.get("k") is None


def test_a_read_only_unit_of_work_refuses_every_write() -> None:
    store = MemoryStore()
    with store.unit_of_work() as uow:
        uow.orders.add(make_order(1))
        uow.commit()
    order = make_order(2)
    with store.unit_of_work(read_only=True) as uow:
        assert uow.read_only
        assert uow.orders.get(OrderId("o-00001")).version == 1
        with pytest.raises(OrderkitError, match="read-only"):
            uow.orders.add(order)
        with pytest.raises(OrderkitError, match="read-only"):
            uow.stock.save(make_stock("A"))
        with pytest.raises(OrderkitError, match="read-only"):
            uow.numbers.next("INV", 2026)
        with pytest.raises(OrderkitError, match="read-only"):
            uow.idempotency.put("k", 1)
        with pytest.raises(OrderkitError, match="read-only"):
            uow.outbox.mark_dispatched([uow.outbox.pending()[0].message_id])
        with pytest.raises(OrderkitError, match="read-only"):
            uow.publish(*make_order(3).pull_events())
        assert uow.outbox.count(pending_only=True) == 1
        assert uow.stock.get_many([Sku("A")]) == {}
        assert [o.id for o in uow.orders.placed_between(BASE_TIME, BASE_TIME.replace(hour=23))] == [
            "o-00001"
        ]
        assert (uow.numbers.current("INV", 2026), uow.idempotency.get("k")) == (0, None)
        with pytest.raises(OrderkitError, match="read-only"):
            uow.orders.save(uow.orders.get(OrderId("o-00001")))
        uow.commit()  # nothing to write: fine
    assert order.version == 0


@given(st.binary(min_size=16, max_size=16))
def test_message_ids_are_the_hex_of_a_version_4_uuid(random: bytes) -> None:
    """The fast id is exactly what ``uuid.UUID(bytes=..., version=4).hex`` makes."""
    assert v4_hex(random) == uuid.UUID(bytes=random, version=4).hex


def test_new_message_ids_are_random_version_4_uuids() -> None:
    ids = {new_message_id() for _ in range(100)}
    assert len(ids) == 100
    assert all(uuid.UUID(hex=i).version == 4 and len(i) == 32 for i in ids)
