"""The service's stateful machine on PostgreSQL: a differential test against memory and SQLite.

The same :class:`~orderkit.testing.service_machine.OrderServiceMachine` that
tests/service runs on the memory and SQLite adapters drives ``OrderService``
here on a fresh PostgreSQL schema per run; after every step the books must
agree (stock vs orders vs outbox, gapless invoice numbers, refused commands
leave no trace), exactly as on the other adapters.
"""

from __future__ import annotations

import os
import uuid

import psycopg
from hypothesis import HealthCheck, settings
from pg_support import ENV

from orderkit.adapters.postgres import PostgresStore
from orderkit.testing.service_machine import OrderServiceMachine, StoreHandle


def postgres_store() -> StoreHandle:
    dsn = os.environ[ENV]
    store = PostgresStore(dsn, schema=f"okt_machine_{uuid.uuid4().hex[:12]}", idle_connections=2)
    store.migrate()

    def close() -> None:
        store.close()
        with psycopg.connect(dsn, autocommit=True) as admin:
            admin.execute(f'DROP SCHEMA IF EXISTS "{store.schema}" CASCADE')

    return store.unit_of_work, close


TestOnPostgres = OrderServiceMachine.with_store(postgres_store).TestCase
TestOnPostgres.settings = settings(
    max_examples=10,
    stateful_step_count=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
