"""The PostgreSQL adapter: every storage port on one database, shared by many processes.

For hosts that run several application processes or machines against one
database (extra ``orderkit[postgres]``, psycopg 3). Aggregates are ``jsonb``
plus indexed columns in a schema the host names; saves check the version in
the ``UPDATE``; the stock of several skus is locked in sku order; invoice
numbers come from a counter row updated in the unit of work's own
transaction; events go to an outbox table in the same transaction and an
:class:`OutboxRelay` delivers them at least once, in order per aggregate.
See ``docs/postgres.md``.

Typical start-up::

    store = PostgresStore("postgresql://app@db/shop", schema="orderkit")
    store.migrate()  # idempotent, safe from several processes at once
    service = OrderService(store.unit_of_work, ...)
"""

from orderkit.adapters.postgres._connections import ConnectionFactory
from orderkit.adapters.postgres._relay import MessageHandler, OutboxRelay
from orderkit.adapters.postgres._schema import SCHEMA_VERSION
from orderkit.adapters.postgres._store import PostgresStore, PostgresUnitOfWork

__all__ = [
    "SCHEMA_VERSION",
    "ConnectionFactory",
    "MessageHandler",
    "OutboxRelay",
    "PostgresStore",
    "PostgresUnitOfWork",
]
