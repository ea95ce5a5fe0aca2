"""Ports for the small stores a unit of work carries: numbers, idempotency, outbox."""

from __future__ import annotations

import abc
import json
from collections.abc import Iterable
from typing import TypeAlias

import attrs

from orderkit.events import DomainEvent
from orderkit.serialization import converter

__all__ = [
    "IdempotencyStore",
    "JsonValue",
    "NumberSequence",
    "Outbox",
    "OutboxMessage",
    "StoredResult",
]

#: A value that ``json.dumps`` accepts as is: what an idempotency record keeps.
JsonValue: TypeAlias = "bool | int | float | str | list[JsonValue] | dict[str, JsonValue] | None"


class NumberSequence(abc.ABC):
    """Gapless counters per series and year (invoice and credit note numbers).

    A number is drawn inside a unit of work and belongs to it: a unit of work
    that rolls back consumes no number, so the numbers a series issues are
    1, 2, 3, ... with no gap and no duplicate, whatever the concurrency.
    """

    @abc.abstractmethod
    def next(self, series: str, year: int) -> int:
        """Advance the counter of ``series`` in ``year`` and return the new value (first is 1).

        Raises:
            ValidationError: ``series`` is empty or ``year`` is not an int.
            StoreUnavailable: the store could not be reached or stayed locked (retryable).
        """

    @abc.abstractmethod
    def current(self, series: str, year: int) -> int:
        """The last number drawn in ``series`` and ``year`` (0 if none), without advancing.

        Raises:
            ValidationError: ``series`` is empty or ``year`` is not an int.
            StoreUnavailable: the store could not be reached (retryable).
        """


@attrs.frozen
class StoredResult:
    """What an idempotency key recorded: the request's fingerprint and the command's result."""

    key: str
    fingerprint: str
    result: JsonValue


class IdempotencyStore(abc.ABC):
    """Results of commands by idempotency key, written in the command's own unit of work.

    Because the result is stored in the same transaction as the command's
    effects, a key is recorded if and only if its command took effect.
    """

    @abc.abstractmethod
    def get(self, key: str, fingerprint: str | None = None) -> StoredResult | None:
        """The result stored under ``key``, or None if the key is new.

        ``fingerprint`` identifies the request's content (a hash of the command's
        arguments); when given, it must match the stored one.

        Raises:
            DuplicateRequest: ``key`` was used for a request with another fingerprint.
            ValidationError: ``key`` is empty.
            StoreUnavailable: the store could not be reached (retryable).
        """

    @abc.abstractmethod
    def put(self, key: str, result: JsonValue, *, fingerprint: str = "") -> None:
        """Record ``result`` under ``key`` (visible to others once the unit of work commits).

        Raises:
            DuplicateRequest: ``key`` is already recorded.
            ValidationError: ``key`` is empty or ``result`` is not JSON-serialisable.
            StoreUnavailable: the store could not be reached (retryable).
        """


@attrs.frozen
class OutboxMessage:
    """One committed domain event waiting in the outbox.

    Attributes:
        position: commit order (strictly increasing; the relay dispatches in this order).
        message_id: unique id a consumer deduplicates by (delivery is at least once).
        aggregate_type: ``type(event).aggregate_type`` ("order", "stock", ...).
        aggregate_key: ``event.aggregate_key`` (the id of the aggregate that recorded it).
        event_type: the event class name (the tag of the converter's event union).
        payload: the event as converter JSON text, including its ``"type"`` tag.
    """

    position: int
    message_id: str
    aggregate_type: str
    aggregate_key: str
    event_type: str
    payload: str

    def event(self) -> DomainEvent:
        """The event rebuilt from :attr:`payload` (needs its class importable here).

        Raises:
            ValidationError: the payload is not a known event.
        """
        result: DomainEvent = converter.structure(json.loads(self.payload), DomainEvent)
        return result


class Outbox(abc.ABC):
    """Committed domain events waiting to be handed to a message bus.

    The unit of work appends to it on commit, in the same transaction as the
    state change; a relay reads :meth:`pending` and marks what it delivered.
    """

    @abc.abstractmethod
    def pending(self, limit: int | None = None) -> list[OutboxMessage]:
        """Undispatched messages in commit order (oldest first), at most ``limit``.

        Raises:
            ValidationError: ``limit`` is negative.
            StoreUnavailable: the store could not be reached (retryable).
        """

    @abc.abstractmethod
    def mark_dispatched(self, message_ids: Iterable[str]) -> None:
        """Mark messages as delivered; marking one twice is harmless.

        Raises:
            NotFound: a message id is not in the outbox (nothing is marked then).
            StoreUnavailable: the store could not be reached (retryable).
        """

    @abc.abstractmethod
    def count(self, *, pending_only: bool = False) -> int:
        """How many messages the outbox holds (only undispatched ones if ``pending_only``).

        Raises:
            StoreUnavailable: the store could not be reached (retryable).
        """
