"""The SQLite adapter passes the whole storage contract (one new database file per store)."""

from __future__ import annotations

import itertools
from collections.abc import Iterator
from pathlib import Path

import pytest

from orderkit.adapters.sqlite import SqliteStore
from orderkit.ports import UnitOfWorkFactory
from orderkit.testing.contracts import StorageContract, StorageFactory


class TestSqliteStorage(StorageContract):
    @pytest.fixture
    def fresh_storage(self, tmp_path: Path) -> Iterator[StorageFactory]:
        stores: list[SqliteStore] = []
        numbers = itertools.count()

        def fresh() -> UnitOfWorkFactory:
            store = SqliteStore(tmp_path / f"store-{next(numbers)}.sqlite")
            stores.append(store)
            return store.unit_of_work

        yield fresh
        for store in stores:
            store.close()
