"""Running one command: one unit of work, an optional idempotency key, bounded retries.

A command is a function of an open unit of work and the time. The runner
answers a known idempotency key from a read-only unit of work (one read,
no write lock, nothing else), otherwise opens a writing unit of work, runs
the command, stores its result under the key in the same transaction and
commits. A twin call with the same key that commits in between makes the
key's insert fail (the command reruns and replays the twin's result), or
makes the command itself fail, in which case the key is looked up again in
the same transaction and the twin's result is returned. A stale write (``ConcurrencyConflict``)
or a busy store (a retryable ``StoreUnavailable``) rolls everything back and
runs the command again on fresh state, a bounded number of times.
"""

from __future__ import annotations

import contextlib
import hashlib
import inspect
import json
from collections.abc import Callable
from typing import TypeVar

import attrs

from orderkit.errors import (
    ConcurrencyConflict,
    DuplicateRequest,
    OrderkitError,
    StoreUnavailable,
    ValidationError,
)
from orderkit.ports import Clock, UnitOfWork, UnitOfWorkFactory
from orderkit.serialization import converter

__all__ = ["CommandRunner", "fingerprint"]

R = TypeVar("R")


def fingerprint(command: str, arguments: object) -> str:
    """A hash of the command name and its arguments (what a replayed key must match)."""
    try:
        text = json.dumps(
            [command, converter.unstructure(arguments)], sort_keys=True, separators=(",", ":")
        )
    except (TypeError, ValueError) as exc:
        raise ValidationError(f"arguments of {command} are not serialisable: {exc}") from None
    return hashlib.sha256(text.encode()).hexdigest()


def _reader(factory: UnitOfWorkFactory, *, snapshot: bool = False) -> UnitOfWorkFactory:
    """A read-only unit of work factory if ``factory`` takes ``read_only`` (the shipped stores'
    ``unit_of_work`` does), without a snapshot if it also takes ``snapshot`` (unless asked
    for one: a report of several queries), else ``factory``."""
    try:
        parameters = inspect.signature(factory).parameters.values()
    except (TypeError, ValueError):
        return factory
    names = {p.name for p in parameters}
    if snapshot and "read_only" in names:
        return lambda: factory(read_only=True)  # type: ignore[call-arg]
    if "read_only" in names and "snapshot" in names:
        # One lookup needs no snapshot: on SQLite the replay is then one statement, no BEGIN.
        return lambda: factory(read_only=True, snapshot=False)  # type: ignore[call-arg]
    if "read_only" in names or any(p.kind is p.VAR_KEYWORD for p in parameters):
        return lambda: factory(read_only=True)  # type: ignore[call-arg]
    return factory


def _retryable(error: OrderkitError) -> bool:
    if isinstance(error, ConcurrencyConflict):
        return True
    return isinstance(error, StoreUnavailable) and bool(error.retryable)


@attrs.frozen
class CommandRunner:
    """Runs commands atomically with idempotency and retries (see the module docstring)."""

    uow_factory: UnitOfWorkFactory
    clock: Clock
    max_retries: int
    sleep: Callable[[float], object]
    backoff: float = 0.01
    max_backoff: float = 0.5
    reader: UnitOfWorkFactory = attrs.field(
        init=False, default=attrs.Factory(lambda self: _reader(self.uow_factory), takes_self=True)
    )
    report_reader: UnitOfWorkFactory = attrs.field(
        init=False,
        default=attrs.Factory(
            lambda self: _reader(self.uow_factory, snapshot=True), takes_self=True
        ),
    )

    def run(
        self,
        command: str,
        arguments: object,
        body: Callable[[UnitOfWork], R],
        result_type: type[R],
        idempotency_key: str | None,
        *,
        on_abort: Callable[[], object] | None = None,
    ) -> R:
        """Run ``body`` in a fresh unit of work until it commits or fails for good.

        ``on_abort`` undoes what an attempt did outside the store (a bought label)
        whenever that attempt does not commit: the body failed, the idempotency
        key or the commit conflicted (and the command is retried), or a twin's
        result is replayed instead.

        Raises:
            DuplicateRequest: ``idempotency_key`` was used for other arguments.
            ConcurrencyConflict, StoreUnavailable: still failing after the retries.
            OrderkitError: whatever the command refused (nothing was written).
        """
        given: object = idempotency_key
        if given is not None and (not isinstance(given, str) or not given):
            raise ValidationError(
                f"idempotency_key must be a non-empty string, got {idempotency_key!r}",
                path="idempotency_key",
            )
        print_ = fingerprint(command, arguments) if idempotency_key is not None else ""
        attempt = 0
        while True:
            try:
                return self._once(body, result_type, idempotency_key, print_, on_abort)
            except OrderkitError as error:
                if not _retryable(error) or attempt >= self.max_retries:
                    raise
            attempt += 1
            self.sleep(min(self.backoff * 2 ** min(attempt - 1, 16), self.max_backoff))

    def _replay(self, key: str, print_: str, result_type: type[R]) -> list[R]:
        """The stored result of ``key`` (one read, read-only), as a 0- or 1-item list."""
        with self.reader() as uow:
            stored = uow.idempotency.get(key, print_)
        if stored is None:
            return []
        return [converter.structure(stored.result, result_type)]

    def _once(
        self,
        body: Callable[[UnitOfWork], R],
        result_type: type[R],
        key: str | None,
        print_: str,
        on_abort: Callable[[], object] | None = None,
    ) -> R:
        if key is not None:
            for replayed in self._replay(key, print_, result_type):
                return replayed
        if on_abort is None:
            return self._attempt(body, result_type, key, print_)
        committed = False
        try:
            result = self._attempt(body, result_type, key, print_)
            committed = True
        finally:
            if not committed:
                # The attempt's own error (or its retry) matters more than a failed clean-up.
                with contextlib.suppress(Exception):
                    on_abort()
        return result

    def _attempt(
        self,
        body: Callable[[UnitOfWork], R],
        result_type: type[R],
        key: str | None,
        print_: str,
    ) -> R:
        """One unit of work: the body, the key, the commit; or a concurrent twin's result."""
        with self.uow_factory() as uow:
            try:
                result = body(uow)
            except OrderkitError as error:
                # A twin call may have committed since the replay check.
                if key is not None and not _retryable(error):
                    stored = uow.idempotency.get(key, print_)
                    if stored is not None:
                        twin: R = converter.structure(stored.result, result_type)
                        return twin
                raise
            if key is not None:
                try:
                    uow.idempotency.put(key, converter.unstructure(result), fingerprint=print_)
                except DuplicateRequest as exc:  # a concurrent twin committed first: retry
                    raise ConcurrencyConflict(
                        "idempotency key", key, detail="recorded concurrently"
                    ) from exc
            uow.commit()
            return result
