"""Reports over shipments: which promises are broken."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from orderkit.errors import ValidationError
from orderkit.fulfillment._shipment import Shipment
from orderkit.fulfillment._values import check_aware, check_collection

__all__ = ["late_shipments"]


def late_shipments(
    shipments: Iterable[Shipment], at: dt.datetime, *, tz: dt.tzinfo = dt.UTC
) -> list[Shipment]:
    """Shipments whose promised date has passed at ``at`` and that are not delivered.

    A promise for a date is kept until the end of that date in ``tz`` (the
    timezone the promise was made in). Cancelled shipments and shipments
    without a promise are never late. Most overdue first, then by id.
    """
    check_aware(at, "at")
    check_collection(shipments, "shipments", "shipments")
    given = list(shipments)
    for index, shipment in enumerate(given):
        if not isinstance(shipment, Shipment):
            raise ValidationError(f"{shipment!r} is not a Shipment", path=f"shipments[{index}]")
    late = [s for s in given if s.is_late(at, tz=tz)]
    return sorted(late, key=lambda s: (s.promised_delivery, s.id))
