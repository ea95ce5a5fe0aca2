"""Hand committed outbox messages to a host's message bus, at least once, in commit order."""

from __future__ import annotations

from collections.abc import Callable

from orderkit.errors import ValidationError
from orderkit.ports import OutboxMessage, UnitOfWorkFactory

__all__ = ["dispatch_outbox"]


def dispatch_outbox(
    uow_factory: UnitOfWorkFactory,
    deliver: Callable[[OutboxMessage], None],
    *,
    batch_size: int = 100,
) -> int:
    """Deliver up to ``batch_size`` pending messages in commit order; return how many.

    The messages are read in one unit of work and marked dispatched in
    another, and ``deliver`` runs in between, outside any transaction, so a
    slow bus never holds the store's write lock. Delivery is at least once: a
    crash after ``deliver`` and before the marking delivers the message again
    next time, so consumers deduplicate by ``message.message_id``. If
    ``deliver`` raises, the messages delivered before it are still marked and
    the error propagates; the failed one stays pending, and so do the ones
    after it, which keeps the order per aggregate.

    Call it in a loop (or from a scheduler) until it returns 0.

    Raises:
        ValidationError: ``batch_size`` is not a positive whole number.
        StoreUnavailable: the store could not be reached (retryable).
    """
    size: object = batch_size
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise ValidationError(
            f"batch_size must be a whole number >= 1, got {batch_size!r}", path="batch_size"
        )
    with uow_factory() as uow:
        batch = uow.outbox.pending(limit=batch_size)
    delivered: list[str] = []
    try:
        for message in batch:
            deliver(message)
            delivered.append(message.message_id)
    finally:
        if delivered:
            with uow_factory() as uow:
                uow.outbox.mark_dispatched(delivered)
                uow.commit()
    return len(delivered)
