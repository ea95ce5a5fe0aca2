"""The stateful OrderService machine on memory and SQLite: the books agree after every step."""

from __future__ import annotations

import pathlib
import tempfile

from hypothesis import HealthCheck, settings

from orderkit.adapters.memory import MemoryStore
from orderkit.adapters.sqlite import SqliteStore
from orderkit.testing.service_machine import OrderServiceMachine, StoreHandle


def memory_store() -> StoreHandle:
    store = MemoryStore()
    return store.unit_of_work, lambda: None


def sqlite_store() -> StoreHandle:
    folder = tempfile.TemporaryDirectory()
    store = SqliteStore(pathlib.Path(folder.name) / "machine.db")

    def close() -> None:
        store.close()
        folder.cleanup()

    return store.unit_of_work, close


TestOnMemory = OrderServiceMachine.with_store(memory_store).TestCase
TestOnMemory.settings = settings(
    max_examples=40,
    stateful_step_count=30,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)

TestOnSqlite = OrderServiceMachine.with_store(sqlite_store).TestCase
TestOnSqlite.settings = settings(
    max_examples=10,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
