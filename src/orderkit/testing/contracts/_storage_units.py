"""Contracts for the unit of work and the small stores: atomicity, versions, numbers,
idempotency and the outbox."""

from __future__ import annotations

import threading
from collections.abc import Callable

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderkit.errors import (
    ConcurrencyConflict,
    DuplicateRequest,
    NotFound,
    OrderkitError,
    ValidationError,
)
from orderkit.ids import OrderId, Sku
from orderkit.orders import Order
from orderkit.ports import JsonValue, UnitOfWorkFactory
from orderkit.testing.contracts._storage import (
    BASE_TIME,
    StorageFactory,
    StorageFixtures,
    contract_settings,
    make_order,
    make_stock,
)

__all__ = [
    "IdempotencyStoreContract",
    "NumberSequenceContract",
    "OptimisticConcurrencyContract",
    "OutboxContract",
    "UnitOfWorkContract",
]

_json: st.SearchStrategy[JsonValue] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner),
    max_leaves=8,
)


def _outbox_types(uow_factory: UnitOfWorkFactory) -> list[tuple[str, str]]:
    with uow_factory() as uow:
        return [(m.event_type, m.aggregate_key) for m in uow.outbox.pending()]


class UnitOfWorkContract(StorageFixtures):
    """All or nothing: a unit of work commits everything, events included, or nothing."""

    def test_leaving_without_commit_rolls_back(self, uow_factory: UnitOfWorkFactory) -> None:
        order, stock = make_order(1), make_stock("A")
        with uow_factory() as uow:
            uow.orders.add(order)
            uow.stock.add(stock)
            uow.numbers.next("INV", 2026)
            uow.idempotency.put("k-1", "done")
        assert not uow.active
        assert (order.version, stock.version) == (0, 0)
        assert [type(e).__name__ for e in order.pending_events] == ["OrderPlaced"]
        with uow_factory() as uow:
            with pytest.raises(NotFound):
                uow.orders.get(order.id)
            with pytest.raises(NotFound):
                uow.stock.get(stock.sku)
            assert uow.numbers.current("INV", 2026) == 0
            assert uow.idempotency.get("k-1") is None
            assert uow.outbox.count() == 0

    def test_an_exception_rolls_back_and_propagates(self, uow_factory: UnitOfWorkFactory) -> None:
        class Boom(Exception):
            pass

        def fail_after_adding() -> None:
            with uow_factory() as uow:
                uow.orders.add(make_order(1))
                raise Boom

        with pytest.raises(Boom):
            fail_after_adding()
        with uow_factory() as uow:
            assert uow.orders.list_by_status("placed") == []
            assert uow.outbox.count() == 0

    def test_explicit_rollback_discards_and_closes(self, uow_factory: UnitOfWorkFactory) -> None:
        with uow_factory() as uow:
            uow.orders.add(make_order(1))
            uow.rollback()
            assert not uow.active
            uow.rollback()  # harmless
            with pytest.raises(OrderkitError, match="no open transaction"):
                uow.commit()
        assert _outbox_types(uow_factory) == []

    def test_commit_moves_events_to_the_outbox_in_order(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        order, stock = make_order(1), make_stock("A")
        with uow_factory() as uow:
            uow.stock.add(stock)
            uow.orders.add(order)
            order.confirm(at=BASE_TIME)
            uow.orders.save(order)  # the same aggregate twice: its events once
            uow.publish(*make_order(2).pull_events())
            uow.commit()
        assert order.pending_events == ()
        assert stock.pending_events == ()
        assert _outbox_types(uow_factory) == [
            ("StockReceived", "A"),
            ("OrderPlaced", "o-00001"),
            ("OrderConfirmed", "o-00001"),
            ("OrderPlaced", "o-00002"),
        ]

    def test_outbox_follows_commit_order_across_units(self, uow_factory: UnitOfWorkFactory) -> None:
        for n in (3, 1, 2):
            with uow_factory() as uow:
                uow.orders.add(make_order(n))
                uow.commit()
        assert [key for _, key in _outbox_types(uow_factory)] == ["o-00003", "o-00001", "o-00002"]

    def test_a_unit_of_work_can_be_entered_again(self, uow_factory: UnitOfWorkFactory) -> None:
        uow = uow_factory()
        for n in (1, 2):
            with uow:
                uow.orders.add(make_order(n))
                uow.commit()
        with uow:
            assert len(uow.orders.list_by_status("placed")) == 2
            with pytest.raises(OrderkitError, match="already"):
                uow.begin()

    def test_publish_needs_an_open_unit_of_work(self, uow_factory: UnitOfWorkFactory) -> None:
        event = make_order(1).pull_events()[0]
        with pytest.raises(OrderkitError):
            uow_factory().publish(event)

    def test_a_waiting_unit_of_work_sees_the_committed_state(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        first_open = threading.Event()
        seen: list[int] = []
        errors: list[BaseException] = []

        def second() -> None:
            try:
                first_open.wait()
                with uow_factory() as uow:
                    seen.append(len(uow.orders.list_by_status("placed")))
            except BaseException as exc:  # pragma: no cover - reported below
                errors.append(exc)

        thread = threading.Thread(target=second)
        thread.start()
        with uow_factory() as uow:
            uow.orders.add(make_order(1))
            first_open.set()
            uow.orders.add(make_order(2))
            uow.commit()
        thread.join()
        assert errors == []
        assert seen in ([2], [0])  # never a half-committed unit of work


class OptimisticConcurrencyContract(StorageFixtures):
    """A stale save raises ``ConcurrencyConflict`` and writes nothing."""

    def _two_copies(self, uow_factory: UnitOfWorkFactory) -> tuple[Order, Order]:
        self.store_all(uow_factory, make_order(1))
        with uow_factory() as uow:
            mine = uow.orders.get(OrderId("o-00001"))
        with uow_factory() as uow:
            theirs = uow.orders.get(OrderId("o-00001"))
        return mine, theirs

    def test_a_stale_save_conflicts_and_writes_nothing(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        mine, theirs = self._two_copies(uow_factory)
        with uow_factory() as uow:
            theirs.cancel(at=BASE_TIME, reason="customer asked")
            uow.orders.save(theirs)
            uow.commit()
        with uow_factory() as uow:
            uow.stock.add(make_stock("A"))
            mine.confirm(at=BASE_TIME)
            with pytest.raises(ConcurrencyConflict) as caught:
                uow.orders.save(mine)
            uow.rollback()
        assert (caught.value.expected, caught.value.actual) == (1, 2)
        assert "o-00001" in str(caught.value)
        assert caught.value.retryable
        assert mine.version == 1
        with uow_factory() as uow:
            stored = uow.orders.get(OrderId("o-00001"))
            assert (stored.status.value, stored.version) == ("cancelled", 2)
            with pytest.raises(NotFound):
                uow.stock.get(Sku("A"))
        assert [t for t, _ in _outbox_types(uow_factory)] == ["OrderPlaced", "OrderCancelled"]

    def test_the_retry_with_fresh_state_succeeds(self, uow_factory: UnitOfWorkFactory) -> None:
        mine, theirs = self._two_copies(uow_factory)
        with uow_factory() as uow:
            uow.orders.save(theirs)
            uow.commit()
        with uow_factory() as uow:
            with pytest.raises(ConcurrencyConflict):
                uow.orders.save(mine)
            fresh = uow.orders.get(mine.id)
            fresh.confirm(at=BASE_TIME)
            uow.orders.save(fresh)
            uow.commit()
        assert fresh.version == 3

    def test_rollback_gives_back_the_previous_version(self, uow_factory: UnitOfWorkFactory) -> None:
        mine, _ = self._two_copies(uow_factory)
        with uow_factory() as uow:
            mine.confirm(at=BASE_TIME)
            uow.orders.save(mine)
            uow.orders.save(mine)
            assert mine.version == 3
        assert mine.version == 1
        assert [type(e).__name__ for e in mine.pending_events] == ["OrderConfirmed"]
        with uow_factory() as uow:
            uow.orders.save(mine)
            uow.commit()
        assert mine.version == 2

    def test_saving_an_order_that_was_never_stored_is_not_found(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        ghost = make_order(9)
        ghost.version = 4
        with uow_factory() as uow, pytest.raises(NotFound, match="o-00009"):
            uow.orders.save(ghost)


class NumberSequenceContract(StorageFixtures):
    """Gapless numbers per series and year; a rolled-back unit of work consumes none."""

    @contract_settings
    @given(plan=st.lists(st.tuples(st.sampled_from(["INV", "CRN"]), st.booleans()), max_size=12))
    def test_committed_numbers_are_gapless_per_series(
        self, fresh_storage: StorageFactory, plan: list[tuple[str, bool]]
    ) -> None:
        uow_factory = fresh_storage()
        issued: dict[str, list[int]] = {"INV": [], "CRN": []}
        for series, keep in plan:
            with uow_factory() as uow:
                number = uow.numbers.next(series, 2026)
                if keep:
                    uow.commit()
                    issued[series].append(number)
        with uow_factory() as uow:
            for series, numbers in issued.items():
                assert numbers == list(range(1, len(numbers) + 1))
                assert uow.numbers.current(series, 2026) == len(numbers)
                assert uow.numbers.current(series, 2027) == 0

    def test_numbers_within_one_unit_of_work_follow_each_other(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        with uow_factory() as uow:
            assert [uow.numbers.next("INV", 2026) for _ in range(3)] == [1, 2, 3]
            assert uow.numbers.next("INV", 2027) == 1
            uow.commit()

    def test_bad_series_or_year_is_refused(self, uow_factory: UnitOfWorkFactory) -> None:
        with uow_factory() as uow:
            with pytest.raises(ValidationError, match="series"):
                uow.numbers.next("", 2026)
            with pytest.raises(ValidationError, match="year"):
                uow.numbers.next("INV", True)

    def test_concurrent_threads_draw_unique_gapless_numbers(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        drawn: list[int] = []
        lock = threading.Lock()

        def draw(count: int) -> Callable[[], None]:
            def run() -> None:
                for _ in range(count):
                    with uow_factory() as uow:
                        number = uow.numbers.next("INV", 2026)
                        uow.commit()
                    with lock:
                        drawn.append(number)

            return run

        threads = [threading.Thread(target=draw(15)) for _ in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        assert sorted(drawn) == list(range(1, 61))


class IdempotencyStoreContract(StorageFixtures):
    """Results by idempotency key, stored with the command's own effects."""

    @contract_settings
    @given(result=_json, fingerprint=st.text(max_size=8))
    def test_a_result_reads_back_once_committed(
        self, fresh_storage: StorageFactory, result: JsonValue, fingerprint: str
    ) -> None:
        uow_factory = fresh_storage()
        with uow_factory() as uow:
            assert uow.idempotency.get("key") is None
            uow.idempotency.put("key", result, fingerprint=fingerprint)
            uow.commit()
        with uow_factory() as uow:
            stored = uow.idempotency.get("key", fingerprint)
        assert stored is not None
        assert (stored.key, stored.fingerprint, stored.result) == ("key", fingerprint, result)

    def test_a_key_reused_for_another_request_is_a_duplicate(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        with uow_factory() as uow:
            uow.idempotency.put("k", {"order": "o-1"}, fingerprint="f1")
            uow.commit()
        with uow_factory() as uow:
            with pytest.raises(DuplicateRequest, match="'k'"):
                uow.idempotency.get("k", "f2")
            with pytest.raises(DuplicateRequest, match="'k'"):
                uow.idempotency.put("k", {"order": "o-1"}, fingerprint="f1")
            found = uow.idempotency.get("k")
            assert found is not None
            assert found.result == {"order": "o-1"}

    def test_a_none_result_is_not_a_missing_key(self, uow_factory: UnitOfWorkFactory) -> None:
        with uow_factory() as uow:
            uow.idempotency.put("k", None)
            assert uow.idempotency.get("k") is not None
            uow.commit()

    def test_bad_keys_and_results_are_refused(self, uow_factory: UnitOfWorkFactory) -> None:
        with uow_factory() as uow:
            with pytest.raises(ValidationError, match="key"):
                uow.idempotency.get("")
            with pytest.raises(ValidationError, match="result"):
                uow.idempotency.put("k", {"x": {1, 2}})  # type: ignore[dict-item]
            with pytest.raises(ValidationError, match="result"):
                uow.idempotency.put("k", float("nan"))
            assert uow.idempotency.get("k") is None


class OutboxContract(StorageFixtures):
    """Pending messages in commit order, each with a unique id, marked once delivered."""

    def _fill(self, uow_factory: UnitOfWorkFactory, count: int) -> None:
        for n in range(count):
            with uow_factory() as uow:
                uow.orders.add(make_order(n))
                uow.commit()

    def test_messages_carry_what_a_relay_needs(self, uow_factory: UnitOfWorkFactory) -> None:
        order = make_order(1)
        expected = order.pending_events[0]
        self.store_all(uow_factory, order)
        with uow_factory() as uow:
            (message,) = uow.outbox.pending()
        assert message.aggregate_type == "order"
        assert message.aggregate_key == "o-00001"
        assert message.event_type == "OrderPlaced"
        assert message.event() == expected
        assert message.message_id

    def test_pending_is_in_commit_order_with_unique_ids(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        self._fill(uow_factory, 5)
        with uow_factory() as uow:
            messages = uow.outbox.pending()
            assert [m.aggregate_key for m in uow.outbox.pending(limit=2)] == ["o-00000", "o-00001"]
        positions = [m.position for m in messages]
        assert positions == sorted(positions)
        assert len(set(positions)) == 5
        assert len({m.message_id for m in messages}) == 5

    def test_marked_messages_leave_pending(self, uow_factory: UnitOfWorkFactory) -> None:
        self._fill(uow_factory, 4)
        with uow_factory() as uow:
            first, second, *rest = uow.outbox.pending()
            uow.outbox.mark_dispatched([first.message_id, second.message_id])
            uow.outbox.mark_dispatched([first.message_id])  # twice is harmless
            uow.commit()
        with uow_factory() as uow:
            assert uow.outbox.pending() == rest
            assert (uow.outbox.count(), uow.outbox.count(pending_only=True)) == (4, 2)

    def test_marking_an_unknown_message_marks_nothing(self, uow_factory: UnitOfWorkFactory) -> None:
        self._fill(uow_factory, 2)
        with uow_factory() as uow:
            first = uow.outbox.pending()[0]
            with pytest.raises(NotFound, match="nope"):
                uow.outbox.mark_dispatched([first.message_id, "nope"])
            assert uow.outbox.count(pending_only=True) == 2
            uow.commit()

    def test_marking_is_undone_by_rollback(self, uow_factory: UnitOfWorkFactory) -> None:
        self._fill(uow_factory, 1)
        with uow_factory() as uow:
            uow.outbox.mark_dispatched([uow.outbox.pending()[0].message_id])
        with uow_factory() as uow:
            assert uow.outbox.count(pending_only=True) == 1
