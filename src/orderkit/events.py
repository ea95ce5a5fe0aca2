"""The base of every domain event.

Events are frozen attrs classes named in the past tense. They carry what a
subscriber needs without a lookup, and serialise through
:mod:`orderkit.serialization` as a union tagged by class name, so every
concrete event class name must be unique across orderkit.

Aggregates keep the events they record in a private list, in order, and hand
them over with ``pull_events()`` when the unit of work saves them.
"""

from __future__ import annotations

from typing import ClassVar

import attrs

__all__ = ["DomainEvent", "event_types"]


@attrs.frozen
class DomainEvent:
    """Base class of domain events. Subclasses are ``@attrs.frozen`` and add fields."""

    #: Name of the aggregate type the event belongs to ("order", "stock", ...).
    aggregate_type: ClassVar[str] = ""

    @property
    def aggregate_key(self) -> str:
        """The id of the aggregate that recorded the event (ordering key in the outbox)."""
        raise NotImplementedError


def event_types() -> dict[str, type[DomainEvent]]:
    """Every event class defined so far (imported), by class name.

    The converter uses it to resolve the ``type`` tag of a serialised event.
    """
    found: dict[str, type[DomainEvent]] = {}
    pending: list[type[DomainEvent]] = [DomainEvent]
    while pending:
        cls = pending.pop()
        for sub in cls.__subclasses__():
            # attrs' slotted classes replace the class they decorate; the discarded
            # original may linger among the subclasses until garbage collection.
            if "__attrs_attrs__" in vars(sub):
                found[sub.__name__] = sub
                pending.append(sub)
    return found
