"""Adapters: implementations of :mod:`orderkit.ports`.

- :mod:`orderkit.adapters.memory`: :class:`~orderkit.adapters.memory.MemoryStore`,
  the reference implementation (transactional, thread-safe, in process).
- :mod:`orderkit.adapters.sqlite`: :class:`~orderkit.adapters.sqlite.SqliteStore`,
  the embedded default (one database file, several processes).
- :class:`SystemClock` and :class:`FixedClock` implement :class:`~orderkit.ports.Clock`.
- :func:`dispatch_outbox` relays committed events to a host's message bus.

Adapter authors build on :class:`BaseUnitOfWork` and :class:`RecordStore`
(see ``docs/adapters.md``): the repositories, the version rule and the
outbox collection then come for free.
"""

from orderkit.adapters._clock import FixedClock, SystemClock
from orderkit.adapters._records import OutboxRow, Record, RecordStore, TableSpec
from orderkit.adapters._relay import dispatch_outbox
from orderkit.adapters._unit_of_work import BaseUnitOfWork, new_message_id

__all__ = [
    "BaseUnitOfWork",
    "FixedClock",
    "OutboxRow",
    "Record",
    "RecordStore",
    "SystemClock",
    "TableSpec",
    "dispatch_outbox",
    "new_message_id",
]
