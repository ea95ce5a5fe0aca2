"""`dispatch_outbox`: at least once, in commit order, never holding a transaction open."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderkit.adapters import dispatch_outbox
from orderkit.adapters.memory import MemoryStore
from orderkit.errors import ValidationError
from orderkit.ports import OutboxMessage
from orderkit.testing.contracts._storage import make_order


def _store_with_orders(count: int) -> MemoryStore:
    store = MemoryStore()
    for n in range(count):
        with store.unit_of_work() as uow:
            uow.orders.add(make_order(n))
            uow.commit()
    return store


class Flaky(Exception):
    pass


@given(count=st.integers(0, 12), batch=st.integers(1, 5), fail_at=st.none() | st.integers(0, 12))
def test_every_message_is_delivered_in_order_at_least_once(
    count: int, batch: int, fail_at: int | None
) -> None:
    store = _store_with_orders(count)
    seen: list[str] = []
    failed = False

    def deliver(message: OutboxMessage) -> None:
        nonlocal failed
        if not failed and fail_at is not None and len(seen) == fail_at:
            failed = True
            raise Flaky
        seen.append(message.aggregate_key)

    while True:
        try:
            if dispatch_outbox(store.unit_of_work, deliver, batch_size=batch) == 0:
                break
        except Flaky:
            continue
    assert seen == [f"o-{n:05d}" for n in range(count)]
    with store.unit_of_work() as uow:
        assert uow.outbox.count(pending_only=True) == 0


def test_delivery_happens_outside_any_unit_of_work() -> None:
    store = _store_with_orders(2)

    def deliver(message: OutboxMessage) -> None:
        with store.unit_of_work() as uow:  # would be refused if the relay held the store
            assert uow.outbox.count() == 2

    assert dispatch_outbox(store.unit_of_work, deliver) == 2


def test_a_bad_batch_size_is_refused() -> None:
    with pytest.raises(ValidationError, match="batch_size"):
        dispatch_outbox(MemoryStore().unit_of_work, print, batch_size=0)
