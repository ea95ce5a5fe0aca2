"""The SQLite adapter: every storage port on one database file (stdlib :mod:`sqlite3`).

The embedded default. WAL journal, foreign keys on, ``synchronous=NORMAL``,
a busy timeout, ``BEGIN IMMEDIATE`` for every unit of work, versioned schema
migrations in ``schema_version``; aggregates are stored as converter JSON
plus the indexed columns the queries use. Several processes may share one
file: each opens its own connections, a unit of work is one transaction, and
a process killed in the middle of one leaves nothing of it behind.

>>> import tempfile, pathlib
>>> folder = tempfile.TemporaryDirectory()
>>> counter = StatementCounter()
>>> store = SqliteStore(pathlib.Path(folder.name) / "shop.db", on_statement=counter)
>>> counter.reset()
>>> with store.unit_of_work() as uow:
...     uow.numbers.next("INV", 2026)
...     uow.commit()
1
>>> counter.count  # BEGIN and COMMIT are not data statements
1
>>> store.close()
>>> folder.cleanup()
"""

from orderkit.adapters.sqlite._connection import StatementCounter
from orderkit.adapters.sqlite._schema import SCHEMA_VERSION
from orderkit.adapters.sqlite._store import SqliteStore, SqliteUnitOfWork

__all__ = ["SCHEMA_VERSION", "SqliteStore", "SqliteUnitOfWork", "StatementCounter"]
