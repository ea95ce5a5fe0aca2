"""PostgreSQL test fixtures: the DSN from ORDERKIT_TEST_POSTGRES_DSN, one schema per test.

Without the variable every test here is skipped with a message saying how to
enable them. Each test gets schemas of its own (unique names), dropped when
it ends, so runs never see each other's rows and a failed run leaves nothing.
"""

from __future__ import annotations

import itertools
import os
import uuid
from collections.abc import Iterator

import psycopg
import pytest
from pg_support import ENV, SKIP_REASON, SchemaFactory
from psycopg.rows import TupleRow
from psycopg_pool import ConnectionPool

from orderkit.adapters.postgres import PostgresStore


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.path).startswith(here):
            item.add_marker(pytest.mark.postgres)
            if not os.environ.get(ENV):
                item.add_marker(pytest.mark.skip(reason=SKIP_REASON))


@pytest.fixture(scope="session")
def postgres_dsn() -> str:
    """The test server's DSN (the tests are skipped when the variable is unset)."""
    dsn = os.environ.get(ENV)
    if not dsn:  # pragma: no cover - the collection hook skips first
        pytest.skip(SKIP_REASON)
    return dsn


@pytest.fixture(scope="session")
def admin(postgres_dsn: str) -> Iterator[psycopg.Connection[TupleRow]]:
    """An autocommit connection for creating, inspecting and dropping schemas."""
    with psycopg.connect(postgres_dsn, autocommit=True) as conn:
        yield conn


@pytest.fixture(scope="session")
def pool(postgres_dsn: str) -> Iterator[ConnectionPool[psycopg.Connection[TupleRow]]]:
    """A small psycopg pool shared by the contract tests (a host's pool, configured plainly)."""
    with ConnectionPool(postgres_dsn, min_size=1, max_size=8, open=True) as shared:
        yield shared


@pytest.fixture
def new_schema(admin: psycopg.Connection[TupleRow]) -> Iterator[SchemaFactory]:
    """Unique schema names for this test; every schema made is dropped afterwards."""
    made: list[str] = []
    numbers = itertools.count()

    def make() -> str:
        name = f"okt_{os.getpid()}_{uuid.uuid4().hex[:8]}_{next(numbers)}"
        made.append(name)
        return name

    yield make
    for name in made:
        admin.execute(f'DROP SCHEMA IF EXISTS "{name}" CASCADE')


@pytest.fixture
def store(postgres_dsn: str, new_schema: SchemaFactory) -> Iterator[PostgresStore]:
    """A migrated store on a fresh schema, reached by DSN."""
    with PostgresStore(postgres_dsn, schema=new_schema()) as made:
        made.migrate()
        yield made
