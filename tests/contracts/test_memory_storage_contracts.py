"""The memory adapter passes the whole storage contract."""

from __future__ import annotations

import pytest

from orderkit.adapters.memory import MemoryStore
from orderkit.testing.contracts import StorageContract, StorageFactory


class TestMemoryStorage(StorageContract):
    @pytest.fixture
    def fresh_storage(self) -> StorageFactory:
        return lambda: MemoryStore().unit_of_work
