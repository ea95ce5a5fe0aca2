"""The outbox relay: commit order, at least once, in order per aggregate, deduplicable ids.

Also: every committed state change has exactly one outbox row and a
rolled-back unit of work leaves none, checked against the memory adapter
running the same commands (a differential test of the outbox).
"""

from __future__ import annotations

import collections
import contextlib
import datetime as dt
import threading
import uuid
from collections.abc import Callable

import psycopg
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pg_support import reset_schema
from psycopg.rows import TupleRow

from orderkit.adapters import FixedClock
from orderkit.adapters.memory import MemoryStore
from orderkit.adapters.postgres import OutboxRelay, PostgresStore
from orderkit.errors import OrderkitError, ValidationError
from orderkit.ids import CustomerId, LocationId, OrderId, Sku
from orderkit.inventory import StockLocation
from orderkit.money import Money
from orderkit.orders import CustomerRef
from orderkit.ports import OutboxMessage, UnitOfWorkFactory
from orderkit.service import LineRequest, OrderService, StockOnPlace
from orderkit.testing.contracts._storage import make_order, make_stock


def _fill(store: PostgresStore, orders: int, changes: int) -> None:
    """``orders`` orders, each then confirmed/held/released in ``changes`` more units of work."""
    for n in range(orders):
        with store.unit_of_work() as uow:
            uow.orders.add(make_order(n))
            uow.commit()
    for step in range(changes):
        for n in range(orders):
            with store.unit_of_work() as uow:
                order = uow.orders.get(OrderId(f"o-{n:05d}"))
                at = dt.datetime(2026, 3, 3, tzinfo=dt.UTC)
                if step == 0:
                    order.confirm(at=at)
                elif step % 2:
                    order.hold(at=at, reason="check")
                else:
                    order.release(at=at)
                uow.orders.save(order)
                uow.commit()


def _in_order_per_aggregate(log: list[OutboxMessage]) -> bool:
    last: dict[tuple[str, str], int] = {}
    for message in log:
        key = (message.aggregate_type, message.aggregate_key)
        if message.position <= last.get(key, 0):
            return False
        last[key] = message.position
    return True


def test_the_relay_delivers_in_commit_order_and_marks_dispatched(store: PostgresStore) -> None:
    _fill(store, orders=3, changes=2)
    delivered: list[OutboxMessage] = []
    relay = OutboxRelay(store, delivered.append, batch_size=4)
    assert relay.run_until_empty() == 9
    assert relay.run_once() == 0
    assert [m.position for m in delivered] == sorted(m.position for m in delivered)
    assert len({m.message_id for m in delivered}) == 9
    assert collections.Counter(m.event_type for m in delivered) == {
        "OrderPlaced": 3,
        "OrderConfirmed": 3,
        "OrderHeld": 3,
    }
    assert delivered[0].event() == make_order(0).pull_events()[0]
    with store.unit_of_work() as uow:
        assert (uow.outbox.count(), uow.outbox.count(pending_only=True)) == (9, 0)


def test_a_failing_handler_keeps_what_it_delivered_and_gets_the_rest_again(
    store: PostgresStore,
) -> None:
    _fill(store, orders=4, changes=0)
    seen: list[str] = []

    def flaky(message: OutboxMessage) -> None:
        if message.aggregate_key == "o-00002" and "o-00002" not in seen:
            seen.append("o-00002")
            raise RuntimeError("bus down")
        seen.append(message.aggregate_key)

    relay = OutboxRelay(store, flaky)
    with pytest.raises(RuntimeError, match="bus down"):
        relay.run_once()
    with store.unit_of_work() as uow:
        assert [m.aggregate_key for m in uow.outbox.pending()] == ["o-00002", "o-00003"]
    assert relay.run_once() == 2
    assert seen == ["o-00000", "o-00001", "o-00002", "o-00002", "o-00003"]


def test_a_relay_dying_before_commit_delivers_again_and_ids_allow_deduplication(
    store: PostgresStore,
) -> None:
    _fill(store, orders=2, changes=1)

    class Crash(BaseException):
        pass

    received: list[OutboxMessage] = []

    def crash_after_two(message: OutboxMessage) -> None:
        received.append(message)
        if len(received) == 2:
            raise Crash  # like a killed process: the batch is not committed

    with pytest.raises(Crash):
        OutboxRelay(store, crash_after_two).run_once()
    OutboxRelay(store, received.append).run_until_empty()
    assert len(received) == 6  # two of them twice: at least once
    assert len({m.message_id for m in received}) == 4  # what a consumer keeps after dedup


def test_an_aggregate_with_an_earlier_message_locked_elsewhere_waits(
    store: PostgresStore, admin: psycopg.Connection[TupleRow]
) -> None:
    _fill(store, orders=2, changes=1)  # o-0 placed, o-1 placed, o-0 confirmed, o-1 confirmed
    with store.unit_of_work() as uow:
        first = uow.outbox.pending()[0]
    assert first.aggregate_key == "o-00000"
    delivered: list[OutboxMessage] = []
    with admin.transaction():  # another relay holds o-00000's first message
        admin.execute(
            f'SELECT 1 FROM "{store.schema}".outbox WHERE position = %s FOR UPDATE',
            (first.position,),
        )
        assert OutboxRelay(store, delivered.append).run_once() == 2
    assert {m.aggregate_key for m in delivered} == {"o-00001"}
    OutboxRelay(store, delivered.append).run_until_empty()
    assert [m.aggregate_key for m in delivered][2:] == ["o-00000", "o-00000"]
    assert _in_order_per_aggregate(delivered)


def test_concurrent_relays_share_the_work_in_order_per_aggregate(store: PostgresStore) -> None:
    _fill(store, orders=6, changes=4)
    log: list[OutboxMessage] = []
    lock = threading.Lock()
    errors: list[BaseException] = []

    def handler(message: OutboxMessage) -> None:
        with lock:
            log.append(message)

    def run() -> None:
        try:
            OutboxRelay(store, handler, batch_size=3).run_until_empty()
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    OutboxRelay(store, handler).run_until_empty()  # whatever a relay left for later
    assert errors == []
    assert len({m.message_id for m in log}) == 30
    assert _in_order_per_aggregate(log)


def test_bad_batch_size_is_refused(store: PostgresStore) -> None:
    with pytest.raises(ValidationError, match="batch_size"):
        OutboxRelay(store, print, batch_size=0)


# -- one outbox row per committed state change, none for a rolled-back one -----------------

_LOCATION = StockLocation(LocationId("WH-1"))
_CUSTOMER = CustomerRef(CustomerId("c-1"), "c@example.com")
_commands = st.lists(
    st.tuples(st.sampled_from(["place", "confirm", "cancel", "fail"]), st.integers(0, 3)),
    max_size=10,
)


def _run_script(uow_factory: UnitOfWorkFactory, script: list[tuple[str, int]]) -> list[str]:
    with uow_factory() as uow:
        uow.stock.add(make_stock("A", on_hand=6, location="WH-1"))
        uow.commit()
    ids = iter(f"o-{n}" for n in range(100))
    service = OrderService(
        uow_factory,
        clock=FixedClock(dt.datetime(2026, 3, 2, tzinfo=dt.UTC)),
        ids=lambda: next(ids),
        locations=(_LOCATION,),
        stock_on_place=StockOnPlace.RESERVE,
    )
    placed: list[OrderId] = []
    price = Money.of("1.00", "EUR")

    def place(n: int) -> None:
        lines = [LineRequest(Sku("A"), n + 1, price)]
        placed.append(OrderId(service.place(_CUSTOMER, lines, currency="EUR").order_id))

    commands: dict[str, Callable[[int], object]] = {
        "place": place,
        "confirm": lambda n: service.confirm(placed[n % len(placed)]),
        "cancel": lambda n: service.cancel(placed[n % len(placed)], reason="test"),
        "fail": lambda n: service.confirm(OrderId(f"missing-{n}")),  # refused: rolled back
    }
    for name, n in script:
        if name != "place" and not placed:
            continue
        with contextlib.suppress(OrderkitError):
            commands[name](n)
    with uow_factory() as uow:
        return [f"{m.event_type} {m.aggregate_key}" for m in uow.outbox.pending()]


@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(script=_commands)
def test_the_outbox_has_one_row_per_committed_change_like_the_memory_adapter(
    postgres_dsn: str, admin: psycopg.Connection[TupleRow], script: list[tuple[str, int]]
) -> None:
    schema = f"okt_outbox_{uuid.uuid4().hex[:12]}"
    with PostgresStore(postgres_dsn, schema=schema) as store:
        store.migrate()
        try:
            on_postgres = _run_script(store.unit_of_work, script)
        finally:
            admin.execute(f'DROP SCHEMA "{schema}" CASCADE')
    on_memory = _run_script(MemoryStore().unit_of_work, script)
    assert on_postgres == on_memory
    placed = [row for row in on_postgres if row.startswith("OrderPlaced ")]
    assert len(placed) == len(set(placed)), "one OrderPlaced per order"


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    plan=st.lists(st.integers(0, 3), min_size=1, max_size=12),
    batch_size=st.integers(1, 5),
    failures=st.sets(st.integers(0, 20), max_size=4),
)
def test_relay_delivers_everything_at_least_once_in_order_per_aggregate(
    store: PostgresStore,
    admin: psycopg.Connection[TupleRow],
    plan: list[int],
    batch_size: int,
    failures: set[int],
) -> None:
    reset_schema(admin, store.schema)
    at = dt.datetime(2026, 3, 3, tzinfo=dt.UTC)
    held: set[int] = set()
    for n in plan:  # each step places order n, or holds/releases it once placed
        with store.unit_of_work() as uow:
            try:
                order = uow.orders.get(OrderId(f"o-{n:05d}"))
            except OrderkitError:
                uow.orders.add(make_order(n))
            else:
                if n in held:
                    order.release(at=at)
                    held.discard(n)
                else:
                    order.hold(at=at, reason="check")
                    held.add(n)
                uow.orders.save(order)
            uow.commit()
    log: list[OutboxMessage] = []
    calls = iter(range(1_000))

    def handler(message: OutboxMessage) -> None:
        if next(calls) in failures:
            raise RuntimeError("bus hiccup")
        log.append(message)

    relay = OutboxRelay(store, handler, batch_size=batch_size)
    for _ in range(100):
        try:
            if relay.run_once() == 0:
                break
        except RuntimeError:
            continue
    with store.unit_of_work() as uow:
        assert uow.outbox.count(pending_only=True) == 0
        total = uow.outbox.count()
    assert len({m.message_id for m in log}) == total == len(plan)
    assert _in_order_per_aggregate(log)
