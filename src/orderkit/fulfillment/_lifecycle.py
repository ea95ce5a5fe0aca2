"""The shipment status machine, declared as data and checked when it is built.

Carriers skip scans (a parcel may go from dispatched straight to delivered)
and retry deliveries (out for delivery, back in transit), so the table allows
those moves; it never allows leaving a final status.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

import attrs

from orderkit.errors import InvalidTransition, ValidationError
from orderkit.fulfillment._values import ShipmentStatus

__all__ = ["FINAL_STATUSES", "SHIPMENT_TRANSITIONS", "ShipmentTransitions"]

S = ShipmentStatus

_UNDERWAY = frozenset(
    {S.IN_TRANSIT, S.OUT_FOR_DELIVERY, S.DELIVERED, S.EXCEPTION, S.FAILED, S.RETURNED_TO_SENDER}
)


def _freeze(
    table: Mapping[ShipmentStatus, frozenset[ShipmentStatus]],
) -> Mapping[ShipmentStatus, frozenset[ShipmentStatus]]:
    return MappingProxyType({state: frozenset(targets) for state, targets in table.items()})


@attrs.frozen
class ShipmentTransitions:
    """Legal status moves: for each status, the statuses it may move to.

    Checked at construction: every status is listed, every status is reachable
    from ``pending``, and the final statuses lead nowhere.

    >>> SHIPMENT_TRANSITIONS.allows(ShipmentStatus.DISPATCHED, ShipmentStatus.DELIVERED)
    True
    >>> SHIPMENT_TRANSITIONS.allows(ShipmentStatus.DELIVERED, ShipmentStatus.IN_TRANSIT)
    False
    """

    table: Mapping[ShipmentStatus, frozenset[ShipmentStatus]] = attrs.field(converter=_freeze)

    def __attrs_post_init__(self) -> None:
        missing = set(ShipmentStatus) - set(self.table)
        if missing:
            names = sorted(s.value for s in missing)
            raise ValidationError(f"statuses without a row: {names}", path="table")
        reachable = {S.PENDING}
        frontier = [S.PENDING]
        while frontier:
            for target in self.table[frontier.pop()] - reachable:
                reachable.add(target)
                frontier.append(target)
        unreachable = set(ShipmentStatus) - reachable
        if unreachable:
            names = sorted(s.value for s in unreachable)
            raise ValidationError(f"statuses unreachable from pending: {names}", path="table")

    def allowed(self, state: ShipmentStatus) -> frozenset[ShipmentStatus]:
        """The statuses ``state`` may move to."""
        return self.table[state]

    def allows(self, state: ShipmentStatus, target: ShipmentStatus) -> bool:
        """Whether ``state`` may move to ``target``."""
        return target in self.table[state]

    def check(
        self,
        state: ShipmentStatus,
        target: ShipmentStatus,
        *,
        action: str | None = None,
        reason: str | None = None,
    ) -> None:
        """Raise :class:`InvalidTransition` unless ``state`` may move to ``target``.

        The error names ``action`` (the method called) or, by default, the target.
        """
        if not self.allows(state, target):
            raise InvalidTransition(
                state.value,
                action or target.value,
                [s.value for s in self.table[state]],
                reason,
            )

    def is_final(self, state: ShipmentStatus) -> bool:
        """Whether nothing can follow ``state``."""
        return not self.table[state]

    def to_mermaid(self) -> str:
        """The machine as a Mermaid state diagram, for the docs."""
        lines = ["stateDiagram-v2", "    [*] --> pending"]
        for state in ShipmentStatus:
            lines.extend(
                f"    {state.value} --> {target.value}"
                for target in sorted(self.table[state], key=list(ShipmentStatus).index)
            )
        return "\n".join(lines)


#: The one shipment lifecycle.
SHIPMENT_TRANSITIONS = ShipmentTransitions(
    {
        S.PENDING: frozenset({S.LABEL_CREATED, S.CANCELLED}),
        S.LABEL_CREATED: frozenset({S.DISPATCHED, S.CANCELLED}),
        S.DISPATCHED: _UNDERWAY,
        S.IN_TRANSIT: _UNDERWAY - {S.IN_TRANSIT},
        S.OUT_FOR_DELIVERY: _UNDERWAY - {S.OUT_FOR_DELIVERY},
        S.EXCEPTION: _UNDERWAY - {S.EXCEPTION},
        S.DELIVERED: frozenset(),
        S.FAILED: frozenset(),
        S.RETURNED_TO_SENDER: frozenset(),
        S.CANCELLED: frozenset(),
    }
)

#: Statuses nothing can follow.
FINAL_STATUSES = frozenset(s for s in ShipmentStatus if SHIPMENT_TRANSITIONS.is_final(s))
