"""The outbox relay: committed events handed to the host's message bus, at least once.

One batch is one transaction: lock the oldest pending messages with
``FOR UPDATE SKIP LOCKED`` (so several relay processes share the work without
waiting on each other), hand them to the host's callback in position order,
mark the delivered ones dispatched and commit. If the process dies before the
commit, the locks vanish and the batch is delivered again: consumers
deduplicate by :attr:`~orderkit.ports.OutboxMessage.message_id`.

Order per aggregate holds even with several relays: a message is left for
later while an earlier pending message of the same aggregate is locked by
another relay. (Positions come from a ``bigserial`` taken when the unit of
work writes its outbox rows, just before ``COMMIT``; a unit of work changing an
aggregate holds that aggregate's row lock by then, so positions follow commit
order per aggregate. Across aggregates, a message may become visible after a
later position was dispatched; nothing is skipped for good.)
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import psycopg
from psycopg.rows import TupleRow

from orderkit.adapters.postgres._errors import translate_errors
from orderkit.adapters.postgres._records import OUTBOX_COLUMNS
from orderkit.adapters.postgres._schema import quote
from orderkit.adapters.postgres._store import PostgresStore
from orderkit.errors import ValidationError
from orderkit.ports import OutboxMessage

__all__ = ["MessageHandler", "OutboxRelay"]

#: What the relay hands messages to: called once per message, in position order.
#: Raising stops the batch; the messages before it stay dispatched.
MessageHandler = Callable[[OutboxMessage], object]


class OutboxRelay:
    """Delivers a :class:`PostgresStore`'s outbox to a host callback (see the module docstring).

    Run :meth:`run_once` in a loop (or from a scheduler) in one or more
    processes; each call delivers at most ``batch_size`` messages.

    Args:
        store: the store whose outbox to deliver.
        handler: called with each message, in order; raise to stop (the
            message and those after it stay pending and come again).
        batch_size: messages per transaction.
    """

    def __init__(
        self, store: PostgresStore, handler: MessageHandler, *, batch_size: int = 100
    ) -> None:
        size: object = batch_size
        if isinstance(size, bool) or not isinstance(size, int) or size < 1:
            raise ValidationError(
                f"batch_size must be a whole number >= 1, got {batch_size!r}", path="batch_size"
            )
        self._store = store
        self._handler = handler
        self._batch_size = batch_size

    def run_once(self) -> int:
        """Deliver one batch; return how many messages were marked dispatched.

        Raises:
            StoreUnavailable: the database could not be reached (retryable).
            Exception: whatever the handler raised (after committing what it delivered).
        """
        store = self._store
        s = quote(store.schema)
        delivered: list[int] = []
        failure: Exception | None = None
        with store.connection() as conn, conn.transaction():
            with translate_errors(store.schema, "lock pending messages"):
                rows = conn.execute(
                    f"SELECT {OUTBOX_COLUMNS} FROM {s}.outbox WHERE dispatched_at IS NULL "
                    "ORDER BY position LIMIT %s FOR UPDATE SKIP LOCKED",
                    (self._batch_size,),
                ).fetchall()
                batch = self._deliverable(conn, [OutboxMessage(*row) for row in rows])
            for message in batch:
                try:
                    self._handler(message)
                except Exception as exc:  # commit what was delivered, then report it
                    failure = exc
                    break
                delivered.append(message.position)
            if delivered:
                with translate_errors(store.schema, "mark dispatched"):
                    conn.execute(
                        f"UPDATE {s}.outbox SET dispatched_at = now() WHERE position = ANY(%s)",
                        (delivered,),
                    )
        if failure is not None:
            raise failure
        return len(delivered)

    def run_until_empty(self, *, max_batches: int | None = None) -> int:
        """Deliver batches until none is left (or ``max_batches`` ran); return the total."""
        total = batches = 0
        while max_batches is None or batches < max_batches:
            count = self.run_once()
            total += count
            batches += 1
            if count == 0:
                break
        return total

    def _deliverable(
        self, conn: psycopg.Connection[TupleRow], locked: Sequence[OutboxMessage]
    ) -> list[OutboxMessage]:
        """Drop the messages of aggregates whose earlier pending message another relay holds."""
        if not locked:
            return []
        mine = [m.position for m in locked]
        types = [m.aggregate_type for m in locked]
        keys = [m.aggregate_key for m in locked]
        s = quote(self._store.schema)
        blocked = conn.execute(
            f"SELECT o.aggregate_type, o.aggregate_key, min(o.position) FROM {s}.outbox o "
            "JOIN unnest(%s::text[], %s::text[]) AS a(t, k) "
            "ON o.aggregate_type = a.t AND o.aggregate_key = a.k "
            "WHERE o.dispatched_at IS NULL AND o.position < %s AND o.position <> ALL(%s) "
            "GROUP BY o.aggregate_type, o.aggregate_key",
            (types, keys, max(mine), mine),
        ).fetchall()
        first_blocked = {(t, k): position for t, k, position in blocked}
        return [
            m
            for m in locked
            if m.position < first_blocked.get((m.aggregate_type, m.aggregate_key), m.position + 1)
        ]
