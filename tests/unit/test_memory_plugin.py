"""The opt-in pytest plugin's fixtures, used the way a host would."""

from __future__ import annotations

import datetime as dt

from orderkit.adapters import FixedClock
from orderkit.adapters.memory import MemoryStore
from orderkit.adapters.sqlite import SqliteStore, StatementCounter
from orderkit.ports import UnitOfWorkFactory
from orderkit.testing.contracts._storage import make_order

pytest_plugins = ["orderkit.testing.plugin"]


def test_the_fixed_clock_starts_at_a_known_instant(fixed_clock: FixedClock) -> None:
    assert fixed_clock.now() == dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def test_memory_fixtures_share_one_store(
    memory_store: MemoryStore, memory_uow_factory: UnitOfWorkFactory
) -> None:
    with memory_uow_factory() as uow:
        uow.orders.add(make_order(1))
        uow.commit()
    with memory_store.unit_of_work() as uow:
        assert uow.orders.get(make_order(1).id).version == 1


def test_sqlite_fixtures_count_statements_after_migration(
    sqlite_store: SqliteStore,
    sqlite_uow_factory: UnitOfWorkFactory,
    sqlite_statements: StatementCounter,
) -> None:
    assert sqlite_statements.statements == []
    with sqlite_uow_factory() as uow:
        uow.orders.add(make_order(1))
        uow.commit()
    assert sqlite_statements.count == 2  # the order and its outbox row
    assert sqlite_store.schema_version() >= 1
