"""Where the service keeps shipments: append-only records in the idempotency store.

The storage ports have no shipment repository yet, so shipments are kept as
immutable snapshots in the :class:`~orderkit.ports.IdempotencyStore` of the
same unit of work (which every adapter has and writes transactionally):
version ``n`` of shipment ``S`` is the record ``orderkit:shipment:S:n`` and
the ``k``-th shipment of order ``O`` is named by ``orderkit:order-shipment:O:k``.
Writing version ``n`` twice fails in the store, which is the optimistic
concurrency check. Replace this with a real repository when the ports get one.
"""

from __future__ import annotations

from collections.abc import Iterator

from orderkit.errors import ConcurrencyConflict, DuplicateRequest, NotFound, ValidationError
from orderkit.fulfillment import Shipment
from orderkit.ids import OrderId, ShipmentId
from orderkit.ports import JsonValue, UnitOfWork
from orderkit.serialization import converter

__all__ = ["ShipmentLog"]

_PREFIX = "orderkit:shipment:"
_BY_ORDER = "orderkit:order-shipment:"


def _snapshot(shipment: Shipment) -> JsonValue:
    raw = converter.unstructure(shipment)
    if not isinstance(raw, dict):  # pragma: no cover - attrs classes unstructure to dicts
        raise ValidationError("a shipment must unstructure to a mapping", path="shipment")
    data: dict[str, JsonValue] = {k: v for k, v in raw.items() if k not in {"version", "events"}}
    return data


class ShipmentLog:
    """Shipments of one unit of work (see the module docstring)."""

    def __init__(self, uow: UnitOfWork) -> None:
        self._uow = uow

    def _versions(self, shipment_id: str) -> Iterator[JsonValue]:
        number = 1
        while True:
            found = self._uow.idempotency.get(f"{_PREFIX}{shipment_id}:{number}")
            if found is None:
                return
            yield found.result
            number += 1

    def get(self, shipment_id: ShipmentId) -> Shipment:
        """The latest stored version of the shipment.

        Raises:
            NotFound: no shipment has this id.
        """
        latest: JsonValue = None
        version = 0
        for snapshot in self._versions(shipment_id):
            latest, version = snapshot, version + 1
        if version == 0 or not isinstance(latest, dict):
            raise NotFound("shipment", shipment_id)
        shipment: Shipment = converter.structure({**latest, "version": version}, Shipment)
        return shipment

    def save(self, shipment: Shipment) -> None:
        """Store the next version; its events go to the outbox with the unit of work.

        Raises:
            ConcurrencyConflict: someone stored this version first.
        """
        version = shipment.version + 1
        key = f"{_PREFIX}{shipment.id}:{version}"
        try:
            self._uow.idempotency.put(key, _snapshot(shipment))
        except DuplicateRequest as exc:
            raise ConcurrencyConflict("shipment", shipment.id, shipment.version) from exc
        if shipment.version == 0:
            count = len(self.ids_of(shipment.order_id))
            self._uow.idempotency.put(
                f"{_BY_ORDER}{shipment.order_id}:{count + 1}", str(shipment.id)
            )
        self._uow.publish(*shipment.pull_events())
        shipment.version = version

    def ids_of(self, order_id: OrderId) -> list[ShipmentId]:
        """The order's shipment ids, oldest first."""
        found: list[ShipmentId] = []
        while True:
            record = self._uow.idempotency.get(f"{_BY_ORDER}{order_id}:{len(found) + 1}")
            if record is None or not isinstance(record.result, str):
                return found
            found.append(ShipmentId(record.result))

    def of_order(self, order_id: OrderId) -> list[Shipment]:
        """The order's shipments, oldest first."""
        return [self.get(shipment_id) for shipment_id in self.ids_of(order_id)]
