"""psycopg failures translated into orderkit's small error vocabulary.

The service layer retries :class:`~orderkit.errors.ConcurrencyConflict` and a
retryable :class:`~orderkit.errors.StoreUnavailable`; everything else it
reports. So the translation decides what a retry may fix:

- ``40001`` serialization failure and ``40P01`` deadlock detected: PostgreSQL
  rolled the transaction back because of another one; running it again on
  fresh state succeeds → ``ConcurrencyConflict``.
- a lost or refused connection, a lock or statement timeout, a server
  shutting down, too many connections: the transaction did not commit → a
  retryable ``StoreUnavailable``.
- the connection lost *during* ``COMMIT``: nobody can tell whether it
  committed → a ``StoreUnavailable`` that is **not** retryable (retrying could
  do the command twice; a command with an idempotency key may be repeated
  safely by the host).
- anything else (a bug, a schema mismatch) → a non-retryable ``StoreUnavailable``.
"""

from __future__ import annotations

from types import TracebackType

import psycopg
from psycopg import errors as pg_errors

from orderkit.errors import ConcurrencyConflict, StoreUnavailable, ValidationError

__all__ = ["translate_errors"]

#: SQLSTATEs after which the same transaction, run again, may well succeed.
_RETRYABLE_STATES = frozenset(
    {
        "55P03",  # lock_not_available (lock_timeout)
        "57014",  # query_canceled (statement_timeout)
        "57P01",  # admin_shutdown
        "57P02",  # crash_shutdown
        "57P03",  # cannot_connect_now
        "53300",  # too_many_connections
        "08000",  # connection_exception and its subclasses
        "08003",
        "08006",
        "08001",
        "08004",
    }
)
#: Characters PostgreSQL text and jsonb refuse.
_UNSTORABLE_STATES = frozenset({"22P05", "22021"})


def translate_errors(schema: str, what: str, *, committing: bool = False) -> _Translating:
    """Run a database call, raising only orderkit errors (see the module docstring).

    Args:
        schema: the store's schema, named in messages.
        what: the operation, named in messages ("select", "commit").
        committing: the call is the ``COMMIT``: a lost connection leaves the outcome unknown.
    """
    return _Translating(schema, what, committing)


class _Translating:
    """The context manager of :func:`translate_errors` (a plain class: it wraps every
    statement, and a generator-based one costs several times more per use)."""

    __slots__ = ("committing", "schema", "what")

    def __init__(self, schema: str, what: str, committing: bool) -> None:
        self.schema = schema
        self.what = what
        self.committing = committing

    def __enter__(self) -> None:
        return None

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if isinstance(exc, psycopg.Error):
            raise _translate(exc, self.schema, self.what, committing=self.committing) from exc


def _translate(
    exc: psycopg.Error, schema: str, what: str, *, committing: bool
) -> ConcurrencyConflict | ValidationError | StoreUnavailable:
    if isinstance(exc, (pg_errors.SerializationFailure, pg_errors.DeadlockDetected)):
        return ConcurrencyConflict(
            "database", schema, detail=f"{what}: {exc.sqlstate} {exc.diag.message_primary}"
        )
    state = exc.sqlstate or ""
    if state in _UNSTORABLE_STATES or (isinstance(exc, psycopg.DataError) and not state):
        # a NUL character: refused by the server (jsonb) or by psycopg before sending
        first_line = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        return ValidationError(f"PostgreSQL cannot store this value ({what}): {first_line}")
    lost = isinstance(exc, psycopg.OperationalError) or state in _RETRYABLE_STATES
    if committing and lost:
        error = StoreUnavailable(
            f"postgres schema {schema!r}: connection lost during commit, the outcome is "
            f"unknown: {exc}"
        )
        error.retryable = False
        return error
    error = StoreUnavailable(f"postgres schema {schema!r}: {what} failed: {exc}")
    error.retryable = lost
    return error
