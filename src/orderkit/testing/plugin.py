"""An opt-in pytest plugin with storage and clock fixtures for tests of code built on orderkit.

Enable it in a host's root ``conftest.py`` (it is never loaded automatically)::

    pytest_plugins = ["orderkit.testing.plugin"]

Fixtures:

- ``fixed_clock``: a :class:`~orderkit.adapters.FixedClock` at 2026-03-02 09:00 UTC.
- ``memory_store`` / ``memory_uow_factory``: a fresh
  :class:`~orderkit.adapters.memory.MemoryStore` and its unit-of-work factory.
- ``sqlite_statements``: a :class:`~orderkit.adapters.sqlite.StatementCounter`
  attached to ``sqlite_store``, to assert statement budgets.
- ``sqlite_store`` / ``sqlite_uow_factory``: a fresh
  :class:`~orderkit.adapters.sqlite.SqliteStore` in ``tmp_path``, closed afterwards.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from orderkit.adapters import FixedClock
from orderkit.adapters.memory import MemoryStore
from orderkit.adapters.sqlite import SqliteStore, StatementCounter
from orderkit.ports import UnitOfWorkFactory
from orderkit.testing.contracts._storage import BASE_TIME

__all__ = [
    "fixed_clock",
    "memory_store",
    "memory_uow_factory",
    "sqlite_statements",
    "sqlite_store",
    "sqlite_uow_factory",
]


@pytest.fixture
def fixed_clock() -> FixedClock:
    """A clock stopped at 2026-03-02 09:00 UTC; move it with ``set`` or ``advance``."""
    return FixedClock(BASE_TIME)


@pytest.fixture
def memory_store() -> MemoryStore:
    """A fresh, empty in-memory store."""
    return MemoryStore()


@pytest.fixture
def memory_uow_factory(memory_store: MemoryStore) -> UnitOfWorkFactory:
    """Units of work on ``memory_store``."""
    return memory_store.unit_of_work


@pytest.fixture
def sqlite_statements() -> StatementCounter:
    """Every SQL statement ``sqlite_store`` runs (``.count`` excludes BEGIN/COMMIT)."""
    return StatementCounter()


@pytest.fixture
def sqlite_store(tmp_path: Path, sqlite_statements: StatementCounter) -> Iterator[SqliteStore]:
    """A fresh, migrated SQLite database in ``tmp_path`` (the counter starts after migration)."""
    store = SqliteStore(tmp_path / "orderkit.sqlite", on_statement=sqlite_statements)
    sqlite_statements.reset()
    yield store
    store.close()


@pytest.fixture
def sqlite_uow_factory(sqlite_store: SqliteStore) -> UnitOfWorkFactory:
    """Units of work on ``sqlite_store``."""
    return sqlite_store.unit_of_work
