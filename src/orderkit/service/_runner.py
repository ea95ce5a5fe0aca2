"""Running one command: one unit of work, an optional idempotency key, bounded retries.

A command is a function of an open unit of work and the time. The runner
opens the unit of work, answers a known idempotency key from the store
(one read, nothing else), runs the command, stores its result under the key
in the same transaction and commits. A stale write (``ConcurrencyConflict``)
or a busy store (a retryable ``StoreUnavailable``) rolls everything back and
runs the command again on fresh state, a bounded number of times.
"""

from __future__ import annotations

import hashlib
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

    def run(
        self,
        command: str,
        arguments: object,
        body: Callable[[UnitOfWork], R],
        result_type: type[R],
        idempotency_key: str | None,
    ) -> R:
        """Run ``body`` in a fresh unit of work until it commits or fails for good.

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
                return self._once(body, result_type, idempotency_key, print_)
            except OrderkitError as error:
                if not _retryable(error) or attempt >= self.max_retries:
                    raise
            attempt += 1
            self.sleep(min(self.backoff * 2 ** min(attempt - 1, 16), self.max_backoff))

    def _once(
        self,
        body: Callable[[UnitOfWork], R],
        result_type: type[R],
        key: str | None,
        print_: str,
    ) -> R:
        with self.uow_factory() as uow:
            if key is not None:
                stored = uow.idempotency.get(key, print_)
                if stored is not None:
                    replayed: R = converter.structure(stored.result, result_type)
                    return replayed
            result = body(uow)
            if key is not None:
                try:
                    uow.idempotency.put(key, converter.unstructure(result), fingerprint=print_)
                except DuplicateRequest as exc:  # a concurrent twin committed first: retry
                    raise ConcurrencyConflict(
                        "idempotency key", key, detail="recorded concurrently"
                    ) from exc
            uow.commit()
            return result
