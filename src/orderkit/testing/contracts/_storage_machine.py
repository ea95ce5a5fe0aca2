"""A stateful contract: random units of work on an adapter, checked against a plain model.

Each step runs one unit of work that commits or rolls back: add an order,
change a possibly stale copy of one (so optimistic concurrency is exercised),
receive stock, draw a number, store an idempotency result, dispatch outbox
messages. After every step the adapter must agree with the model on every
order's version and status, every stock record, every counter, every stored
result and the exact pending outbox, in order.
"""

from __future__ import annotations

from typing import ClassVar

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, rule, run_state_machine_as_test

from orderkit.errors import ConcurrencyConflict, DuplicateRequest, InvalidTransition, NotFound
from orderkit.ids import LocationId, OrderId, Sku
from orderkit.orders import Order
from orderkit.ports import JsonValue, UnitOfWork, UnitOfWorkFactory
from orderkit.testing.contracts._storage import (
    BASE_TIME,
    StorageFactory,
    StorageFixtures,
    make_order,
    make_stock,
)

__all__ = ["StorageMachine", "StorageStateMachineContract"]

_SKUS = ("A", "B", "C")
_SERIES = ("INV", "CRN")
_KEYS = ("k1", "k2", "k3")


def _finish(uow: UnitOfWork, commit: bool) -> None:
    if commit:
        uow.commit()
    else:
        uow.rollback()


class StorageMachine(RuleBasedStateMachine):
    """Drives one fresh store; the model is dictionaries and a list."""

    def __init__(self, uow_factory: UnitOfWorkFactory) -> None:
        super().__init__()
        self.uow_factory = uow_factory
        self.orders: dict[str, tuple[int, str]] = {}
        self.copies: list[Order] = []
        self.stock: dict[str, tuple[int, int]] = {}
        self.numbers: dict[str, int] = {}
        self.results: dict[str, JsonValue] = {}
        self.outbox: list[tuple[str, str]] = []
        self.created = 0

    @rule(commit=st.booleans(), customer=st.sampled_from(["c-1", "c-2"]))
    def add_order(self, commit: bool, customer: str) -> None:
        self.created += 1
        order = make_order(self.created, customer=customer)
        events = [(type(e).__name__, str(order.id)) for e in order.pending_events]
        with self.uow_factory() as uow:
            uow.orders.add(order)
            _finish(uow, commit)
        if commit:
            self.orders[order.id] = (1, "placed")
            self.outbox.extend(events)
            self.copies.append(order)

    @rule(data=st.data())
    def load_copy(self, data: st.DataObject) -> None:
        if not self.orders:
            return
        order_id = data.draw(st.sampled_from(sorted(self.orders)))
        with self.uow_factory() as uow:
            self.copies.append(uow.orders.get(OrderId(order_id)))

    @rule(data=st.data(), action=st.sampled_from(["confirm", "cancel"]), commit=st.booleans())
    def change_copy(self, data: st.DataObject, action: str, commit: bool) -> None:
        if not self.copies:
            return
        copy = data.draw(st.sampled_from(self.copies))
        stored_version, _ = self.orders[copy.id]
        with self.uow_factory() as uow:
            try:
                if action == "confirm":
                    copy.confirm(at=BASE_TIME)
                else:
                    copy.cancel(at=BASE_TIME, reason="changed mind")
            except InvalidTransition:
                return
            events = [(type(e).__name__, str(copy.id)) for e in copy.pending_events]
            if copy.version != stored_version:
                with pytest.raises(ConcurrencyConflict) as conflict:
                    uow.orders.save(copy)
                assert (conflict.value.expected, conflict.value.actual) == (
                    copy.version,
                    stored_version,
                )
                return
            uow.orders.save(copy)
            _finish(uow, commit)
        if commit:
            self.orders[copy.id] = (stored_version + 1, copy.status.value)
            self.outbox.extend(events)

    @rule(sku=st.sampled_from(_SKUS), units=st.integers(1, 5), commit=st.booleans())
    def receive_stock(self, sku: str, units: int, commit: bool) -> None:
        with self.uow_factory() as uow:
            try:
                stock = uow.stock.get(Sku(sku))
            except NotFound:
                stock = make_stock(sku, 0)
            before = stock.version
            stock.receive(LocationId("WH-1"), units)
            events = [(type(e).__name__, sku) for e in stock.pending_events]
            uow.stock.save(stock)
            _finish(uow, commit)
        if commit:
            _, on_hand = self.stock.get(sku, (0, 0))
            self.stock[sku] = (before + 1, on_hand + units)
            self.outbox.extend(events)

    @rule(series=st.sampled_from(_SERIES), commit=st.booleans())
    def draw_number(self, series: str, commit: bool) -> None:
        with self.uow_factory() as uow:
            number = uow.numbers.next(series, 2026)
            _finish(uow, commit)
        assert number == self.numbers.get(series, 0) + 1
        if commit:
            self.numbers[series] = number

    @rule(key=st.sampled_from(_KEYS), value=st.integers(), commit=st.booleans())
    def remember_result(self, key: str, value: int, commit: bool) -> None:
        with self.uow_factory() as uow:
            if key in self.results:
                with pytest.raises(DuplicateRequest):
                    uow.idempotency.put(key, value)
                return
            uow.idempotency.put(key, value)
            _finish(uow, commit)
        if commit:
            self.results[key] = value

    @rule(count=st.integers(1, 3), commit=st.booleans())
    def dispatch(self, count: int, commit: bool) -> None:
        with self.uow_factory() as uow:
            batch = uow.outbox.pending(limit=count)
            uow.outbox.mark_dispatched(m.message_id for m in batch)
            _finish(uow, commit)
        if commit:
            del self.outbox[: len(batch)]

    @invariant()
    def adapter_agrees_with_model(self) -> None:
        with self.uow_factory() as uow:
            for order_id, (version, status) in self.orders.items():
                order = uow.orders.get(OrderId(order_id))
                assert (order.version, order.status.value) == (version, status), order_id
            for status in ("placed", "confirmed", "cancelled"):
                listed = [o.id for o in uow.orders.list_by_status(status)]
                assert listed == sorted(i for i, (_, s) in self.orders.items() if s == status)
            stored = uow.stock.get_many(Sku(s) for s in _SKUS)
            assert {sku: (s.version, s.on_hand()) for sku, s in stored.items()} == self.stock
            for series in _SERIES:
                assert uow.numbers.current(series, 2026) == self.numbers.get(series, 0)
            for key in _KEYS:
                found = uow.idempotency.get(key)
                assert (found.result if found else None) == self.results.get(key)
                assert (found is not None) == (key in self.results)
            pending = [(m.event_type, m.aggregate_key) for m in uow.outbox.pending()]
            assert pending == self.outbox


class StorageStateMachineContract(StorageFixtures):
    """Runs :class:`StorageMachine` on fresh stores from ``fresh_storage``."""

    #: Settings of the machine run; lower them for a slow adapter.
    machine_settings: ClassVar[settings] = settings(
        max_examples=25,
        stateful_step_count=20,
        deadline=None,
        suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    )

    def test_storage_agrees_with_a_simple_model(self, fresh_storage: StorageFactory) -> None:
        def machine() -> StorageMachine:
            return StorageMachine(fresh_storage())

        run_state_machine_as_test(machine, settings=self.machine_settings)  # type: ignore[arg-type]
