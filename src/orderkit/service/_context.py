"""The configuration every command reads: one frozen value built by ``OrderService``."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from decimal import Decimal

import attrs

from orderkit.fulfillment import BusinessCalendar, CarrierPort, RetryPolicy
from orderkit.inventory import Allocator, StockLocation
from orderkit.orders import Lifecycle
from orderkit.pricing import Pricer, ShippingRule
from orderkit.service._usage import UsageRules
from orderkit.service._values import IdGenerator, InvoicingConfig, StockOnPlace, UnitWeight

__all__ = ["Context"]


@attrs.frozen
class Context:
    """Everything a command needs besides its unit of work and its moment."""

    pricer: Pricer
    shipping: ShippingRule | None
    allocator: Allocator
    locations: tuple[StockLocation, ...]
    lifecycle: Lifecycle
    stock_on_place: StockOnPlace
    reservation_ttl: dt.timedelta
    carrier: CarrierPort | None
    carrier_retries: RetryPolicy
    max_parcel_weight: Decimal | None
    unit_weight: UnitWeight
    invoicing: InvoicingConfig | None
    ids: IdGenerator
    sleep: Callable[[float], object]
    calendar: BusinessCalendar | None = None
    calendars: Mapping[str, BusinessCalendar] = attrs.field(factory=dict)
    #: The pricer's usage limits and coupons, worked out once rather than per ``place``.
    usage: UsageRules = attrs.field(
        init=False, default=attrs.Factory(lambda self: UsageRules.of(self.pricer), takes_self=True)
    )

    def calendar_for(self, location: str) -> BusinessCalendar | None:
        """The business calendar that promises delivery dates from ``location`` (if any)."""
        return self.calendars.get(location, self.calendar)
