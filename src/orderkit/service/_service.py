"""The :class:`OrderService`: the commands a host runs, each in one unit of work."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TypeVar

from orderkit._time import is_aware
from orderkit.errors import ValidationError
from orderkit.fulfillment import BusinessCalendar, CarrierPort, Label, RetryPolicy, TrackingEvent
from orderkit.ids import LineId, LocationId, OrderId, ShipmentId
from orderkit.inventory import Allocator, StockLocation
from orderkit.money import Currency
from orderkit.orders import STANDARD_LIFECYCLE, Address, CustomerRef, Lifecycle
from orderkit.ports import Clock, UnitOfWork, UnitOfWorkFactory
from orderkit.pricing import Pricer, ShippingRule
from orderkit.service import _allocation, _invoicing, _ordering, _shipping
from orderkit.service._checks import (
    check_calendars,
    check_callable,
    check_instance,
    check_locations,
    check_sequence,
    check_stock_on_place,
)
from orderkit.service._context import Context
from orderkit.service._runner import CommandRunner
from orderkit.service._values import (
    AllocationOutcome,
    IdGenerator,
    InvoiceOutcome,
    InvoicingConfig,
    LateShipment,
    LineRequest,
    OrderOutcome,
    PlacedOrder,
    ShipOutcome,
    StockOnPlace,
    TrackingOutcome,
    UnitWeight,
    default_unit_weight,
)

__all__ = ["OrderService"]

R = TypeVar("R")


def _quantities(value: object) -> dict[LineId, int]:
    if not isinstance(value, Mapping):
        raise ValidationError(
            f"quantities must map line ids to units, got {value!r}", path="quantities"
        )
    items: dict[LineId, int] = {}
    for line_id, units in value.items():
        if not isinstance(line_id, str) or not line_id:
            raise ValidationError(f"{line_id!r} is not a line id", path="quantities")
        items[LineId(line_id)] = units
    if not items:
        raise ValidationError("quantities must name at least one line", path="quantities")
    return items


def _count(value: object, what: str) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or value < 0:
        raise ValidationError(f"{what} must be a whole number >= 0, got {value!r}", path=what)
    return value


class OrderService:
    """Order commands for a host application, each atomic, retried and optionally idempotent.

    Every command opens one unit of work from ``uow_factory``, reads the time
    once from ``clock``, does all its reads and writes in it and commits; a
    refused command leaves no trace. With an ``idempotency_key`` a repeated
    call returns the first call's result after one read and does nothing
    else (the same key with other arguments raises ``DuplicateRequest``).
    ``ConcurrencyConflict`` and a retryable ``StoreUnavailable`` rerun the
    command on fresh state up to ``max_retries`` times.

    Args:
        uow_factory: makes a fresh unit of work per attempt (``store.unit_of_work``).
        clock: where "now" comes from.
        ids: makes new order and shipment ids (e.g. ``lambda: uuid.uuid4().hex``).
        pricer: price book, promotions and tax policy for ``place``.
        shipping: the shipping charge rule, if orders pay for shipping.
        allocator: allocation strategy and shortage policy.
        locations: the stock locations allocation may use.
        lifecycle: the order lifecycle (``STANDARD_LIFECYCLE`` by default).
        stock_on_place: reserve, allocate or leave stock alone when placing.
        reservation_ttl: how long a placement reservation holds stock.
        carrier: buys labels for ``ship`` (required for shipping).
        carrier_retries: retries of retryable carrier failures.
        max_parcel_weight: split shipments into parcels no heavier than this.
        unit_weight: weight of one unit of a sku.
        calendars: business calendars that promise delivery dates: one
            ``BusinessCalendar`` for every location, or location id → calendar
            (a location without one promises nothing).
        invoicing: series, number format, seller, policy and terms for ``invoice``.
        max_retries: how many times a conflicting command is run again.
        sleep: waits between retries (``time.sleep``; tests pass a recorder).

    .. versionadded:: 0.1
    """

    def __init__(
        self,
        uow_factory: UnitOfWorkFactory,
        *,
        clock: Clock,
        ids: IdGenerator,
        pricer: Pricer | None = None,
        shipping: ShippingRule | None = None,
        allocator: Allocator | None = None,
        locations: Iterable[StockLocation] = (),
        lifecycle: Lifecycle = STANDARD_LIFECYCLE,
        stock_on_place: StockOnPlace = StockOnPlace.RESERVE,
        reservation_ttl: dt.timedelta = dt.timedelta(hours=1),
        carrier: CarrierPort | None = None,
        carrier_retries: RetryPolicy | None = None,
        max_parcel_weight: Decimal | None = None,
        unit_weight: UnitWeight = default_unit_weight,
        calendars: BusinessCalendar | Mapping[LocationId, BusinessCalendar] | None = None,
        invoicing: InvoicingConfig | None = None,
        max_retries: int = 5,
        sleep: Callable[[float], object] = time.sleep,
    ) -> None:
        given: tuple[object, object, object] = (uow_factory, ids, reservation_ttl)
        if not callable(given[0]):
            raise ValidationError(f"uow_factory must be callable, got {uow_factory!r}")
        if not callable(given[1]):
            raise ValidationError(f"ids must be callable, got {ids!r}", path="ids")
        if not isinstance(given[2], dt.timedelta) or reservation_ttl <= dt.timedelta(0):
            raise ValidationError(
                f"reservation_ttl must be a positive timedelta, got {reservation_ttl!r}",
                path="reservation_ttl",
            )
        check_callable("clock.now", getattr(clock, "now", None))
        check_callable("sleep", sleep)
        check_callable("unit_weight", unit_weight)
        for name, value in (
            ("pricer", pricer),
            ("shipping", shipping),
            ("allocator", allocator),
            ("carrier", carrier),
            ("carrier_retries", carrier_retries),
            ("invoicing", invoicing),
        ):
            check_instance(name, value)
        calendar, by_location = check_calendars(calendars)
        self._ctx = Context(
            pricer=pricer if pricer is not None else Pricer(),
            shipping=shipping,
            allocator=allocator if allocator is not None else Allocator(),
            locations=check_locations(locations),
            lifecycle=lifecycle,
            stock_on_place=check_stock_on_place(stock_on_place),
            reservation_ttl=reservation_ttl,
            carrier=carrier,
            carrier_retries=carrier_retries if carrier_retries is not None else RetryPolicy(),
            max_parcel_weight=max_parcel_weight,
            unit_weight=unit_weight,
            invoicing=invoicing,
            ids=ids,
            sleep=sleep,
            calendar=calendar,
            calendars=by_location,
        )
        self._clock = clock
        self._runner = CommandRunner(uow_factory, clock, _count(max_retries, "max_retries"), sleep)

    @property
    def lifecycle(self) -> Lifecycle:
        """The order lifecycle the commands use."""
        return self._ctx.lifecycle

    def _now(self) -> dt.datetime:
        now: object = self._clock.now()
        if not is_aware(now):
            raise ValidationError(
                f"the clock returned {now!r}, not an aware datetime", path="clock"
            )
        return now

    def _run(
        self,
        command: str,
        arguments: object,
        body: Callable[[UnitOfWork, dt.datetime], R],
        result_type: type[R],
        idempotency_key: str | None,
    ) -> R:
        return self._runner.run(
            command, arguments, lambda uow: body(uow, self._now()), result_type, idempotency_key
        )

    # -- ordering -----------------------------------------------------------------------

    def place(
        self,
        customer: CustomerRef,
        lines: Sequence[LineRequest],
        *,
        currency: Currency | str,
        shipping_address: Address | None = None,
        billing_address: Address | None = None,
        coupon_codes: Sequence[str] = (),
        notes: str = "",
        order_id: OrderId | None = None,
        idempotency_key: str | None = None,
    ) -> PlacedOrder:
        """Price and place an order, then reserve or allocate its stock (``stock_on_place``).

        Raises:
            ValidationError: bad lines, customer or addresses.
            PriceNotFound: a line without a price has none in the price book.
            OutOfStock, InsufficientStock: stock cannot cover the order under the policy.
            DuplicateRequest: ``order_id`` exists, or the key was used for another request.
        """
        cur = Currency.of(currency)
        if not isinstance(customer, CustomerRef):
            raise ValidationError(f"expected a CustomerRef, got {customer!r}", path="customer")
        items = check_sequence("lines", lines)
        coupon_codes = check_sequence("coupon_codes", coupon_codes)
        new_id = order_id if order_id is not None else OrderId(self._ctx.ids())
        arguments = (
            customer,
            items,
            cur.code,
            shipping_address,
            billing_address,
            tuple(coupon_codes),
            notes,
            order_id,
        )
        return self._run(
            "place",
            arguments,
            lambda uow, at: _ordering.place(
                self._ctx,
                uow,
                at,
                order_id=new_id,
                customer=customer,
                currency=cur,
                lines=items,
                shipping_address=shipping_address,
                billing_address=billing_address,
                coupon_codes=tuple(coupon_codes),
                notes=notes,
            ),
            PlacedOrder,
            idempotency_key,
        )

    def confirm(self, order_id: OrderId, *, idempotency_key: str | None = None) -> OrderOutcome:
        """Accept a placed order for fulfilment.

        Raises:
            NotFound: no such order.
            InvalidTransition: the lifecycle does not allow confirming it now.
        """
        return self._run(
            "confirm",
            order_id,
            lambda uow, at: _ordering.confirm(self._ctx, uow, at, order_id),
            OrderOutcome,
            idempotency_key,
        )

    def allocate(
        self, order_id: OrderId, *, idempotency_key: str | None = None
    ) -> AllocationOutcome:
        """Allocate stock to the order's unallocated units (converting its reservation).

        Raises:
            NotFound: no such order.
            InvalidTransition: the order's state does not allow allocation.
            OutOfStock: under a refusing allocation policy.
        """
        return self._run(
            "allocate",
            order_id,
            lambda uow, at: _allocation.allocate(self._ctx, uow, at, order_id),
            AllocationOutcome,
            idempotency_key,
        )

    def cancel(
        self,
        order_id: OrderId,
        *,
        reason: str | None = None,
        idempotency_key: str | None = None,
    ) -> OrderOutcome:
        """Cancel the order and release its stock.

        Raises:
            NotFound: no such order.
            InvalidTransition: something has shipped, or the state does not allow it.
        """
        return self._run(
            "cancel",
            (order_id, reason),
            lambda uow, at: _ordering.cancel(self._ctx, uow, at, order_id, reason),
            OrderOutcome,
            idempotency_key,
        )

    def cancel_items(
        self,
        order_id: OrderId,
        quantities: Mapping[LineId, int] | Mapping[str, int],
        *,
        reason: str | None = None,
        idempotency_key: str | None = None,
    ) -> OrderOutcome:
        """Cancel some unshipped units (line id → units) while the rest of the order goes on.

        Unallocated units of a line are cancelled first; exactly the units that
        held stock give it back (an allocation, a backorder or the placement
        reservation), and invoiced units no longer due are credited (one credit
        note per invoice touched, never more than was invoiced; numbers in
        ``documents``). Cancelling every remaining unit is refused: cancel the
        order. Promotion uses stay with the order, and the order's priced total
        and snapshot keep what was priced at placement.

        Raises:
            NotFound: no such order.
            ValidationError: an unknown line id.
            InvalidQuantity: more units than a line has unshipped, or every remaining unit.
            InvalidTransition: the order's state does not allow cancelling units.
        """
        items = _quantities(quantities)
        return self._run(
            "cancel_items",
            (order_id, sorted(items.items()), reason),
            lambda uow, at: _ordering.cancel_items(
                self._ctx, uow, at, order_id, quantities=items, reason=reason
            ),
            OrderOutcome,
            idempotency_key,
        )

    # -- fulfilment -----------------------------------------------------------------------

    def ship(self, order_id: OrderId, *, idempotency_key: str | None = None) -> ShipOutcome:
        """Ship every allocated unit: plan shipments, buy labels, consume stock, dispatch.

        Raises:
            NotFound: no such order.
            InvalidQuantity: nothing allocated is left to ship.
            CarrierError: the carrier refused (nothing changed) or kept failing.
            ValidationError: no carrier configured or no shipping address.
        """
        # Labels of an attempt that fails to commit (a conflict, a concurrent twin) are voided
        # before the retry buys new ones for new shipment ids: never two live labels.
        bought: list[Label] = []
        return self._runner.run(
            "ship",
            order_id,
            lambda uow: _shipping.ship(self._ctx, uow, self._now(), order_id, bought),
            ShipOutcome,
            idempotency_key,
            on_abort=lambda: _shipping.void_labels(self._ctx, bought),
        )

    def record_tracking(
        self,
        shipment_id: ShipmentId,
        event: TrackingEvent,
        *,
        idempotency_key: str | None = None,
    ) -> TrackingOutcome:
        """Record a carrier scan; a scan seen before changes nothing (``recorded`` is False).

        Raises:
            NotFound: no such shipment.
            InvalidTransition: the scan's status cannot follow the shipment's.
        """
        return self._run(
            "record_tracking",
            (shipment_id, event),
            lambda uow, at: _shipping.record_tracking(self._ctx, uow, shipment_id, event),
            TrackingOutcome,
            idempotency_key,
        )

    def deliver(
        self, shipment_id: ShipmentId, *, idempotency_key: str | None = None
    ) -> TrackingOutcome:
        """Record a shipment as delivered now, and its units as delivered on the order.

        Raises:
            NotFound: no such shipment.
            InvalidTransition: the shipment has not been dispatched.
        """
        return self._run(
            "deliver",
            shipment_id,
            lambda uow, at: _shipping.deliver(self._ctx, uow, at, shipment_id),
            TrackingOutcome,
            idempotency_key,
        )

    def late_shipments(self, *, at: dt.datetime | None = None) -> tuple[LateShipment, ...]:
        """Shipments past their promised delivery date and not delivered, most overdue first.

        A query: it reads through a read-only unit of work and changes nothing.
        A promise holds until the end of its date in the timezone of the
        shipping location's calendar (UTC without one); shipments dispatched
        without a promise (no calendar) are never late.

        Args:
            at: the moment to judge at (an aware datetime); the clock's now by default.

        Raises:
            ValidationError: ``at`` is not an aware datetime.
        """
        moment: object = self._now() if at is None else at
        if not is_aware(moment):
            raise ValidationError(f"at must be an aware datetime, got {at!r}", path="at")
        with self._runner.report_reader() as uow:
            return _shipping.late(self._ctx, uow, moment)

    # -- invoicing ------------------------------------------------------------------------

    def invoice(self, order_id: OrderId, *, idempotency_key: str | None = None) -> InvoiceOutcome:
        """Issue the next invoice the policy allows, numbered gaplessly in the same transaction.

        Raises:
            NotFound: no such order.
            InvalidTransition: the order is not confirmed, or is cancelled.
            InvalidQuantity: nothing is left to invoice under the policy.
            ValidationError: invoicing not configured, or no address to bill.
        """
        return self._run(
            "invoice",
            order_id,
            lambda uow, at: _invoicing.invoice(self._ctx, uow, at, order_id),
            InvoiceOutcome,
            idempotency_key,
        )
