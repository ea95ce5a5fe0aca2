"""Strategies for orders: customers, addresses, lines, ledgers, payments and whole orders.

``orders()`` builds placed orders whose lines share one currency;
``orders(progressed=True)`` then drives each through a random sequence of
lifecycle events, ledger moves and payments (refused ones skipped), so the
order carries a history, payments and pending events.
"""

from __future__ import annotations

import datetime as dt
import functools
import string
import typing
from collections.abc import Callable

import attrs
from hypothesis import strategies as st

from orderkit.errors import OrderkitError
from orderkit.ids import CustomerId, LineId, OrderId, Sku
from orderkit.money import Currency, Money
from orderkit.orders import (
    COUNTRY_CODES,
    STANDARD_LIFECYCLE,
    Address,
    Attributes,
    CancelledLine,
    CustomerRef,
    Lifecycle,
    LineQuantity,
    Order,
    OrderCancelled,
    OrderCompleted,
    OrderConfirmed,
    OrderDelivered,
    OrderEvent,
    OrderFulfilled,
    OrderHeld,
    OrderItemsAllocated,
    OrderItemsCancelled,
    OrderItemsDeallocated,
    OrderItemsDelivered,
    OrderItemsReturned,
    OrderItemsShipped,
    OrderLine,
    OrderPlaced,
    OrderReleased,
    OrderStatus,
    OrderStatusChanged,
    Payment,
    PaymentKind,
    PaymentRecorded,
    PlacedLine,
    QuantityLedger,
    StandardState,
    StatusChange,
    Transition,
    actor_required,
)
from orderkit.testing.strategies._money import currencies

__all__ = [
    "ORDER_EVENT_STRATEGIES",
    "ORDER_VALUE_STRATEGIES",
    "addresses",
    "approval_lifecycle",
    "customers",
    "lifecycles",
    "line_attributes",
    "order_event_strategy",
    "order_events",
    "order_lines",
    "orders",
    "payments",
    "quantity_ledgers",
    "status_changes",
    "utc_datetimes",
]

_WORD = st.builds(
    str.__add__,
    st.sampled_from(string.ascii_letters),
    st.text(string.ascii_letters + string.digits + " .-'", max_size=19),
)
_UPPER_DIGITS = string.ascii_uppercase + string.digits
_KEY = st.text(string.ascii_lowercase + "_", min_size=1, max_size=10)
_COUNTRIES = sorted(COUNTRY_CODES)
_SKUS = st.builds(
    "{}-{}".format, st.sampled_from(("MUG", "CUP", "TEE", "HAT", "BAG")), st.integers(1, 50)
).map(Sku)


@functools.cache
def utc_datetimes() -> st.SearchStrategy[dt.datetime]:
    """Timezone-aware datetimes in UTC, whole seconds, 2000-2099."""
    return st.datetimes(
        min_value=dt.datetime(2000, 1, 1),
        max_value=dt.datetime(2099, 1, 1),
        timezones=st.just(dt.UTC),
    ).map(lambda moment: moment.replace(microsecond=0))


@functools.cache
def customers(
    *, groups: tuple[str, ...] = ("retail", "wholesale", "b2b")
) -> st.SearchStrategy[CustomerRef]:
    """Customers with an id, a plausible email and a group from ``groups`` or none."""
    return st.builds(
        CustomerRef,
        id=st.integers(1, 10**8).map(lambda n: CustomerId(f"c-{n}")),
        email=st.builds(
            "{}{}@{}.{}".format,
            st.sampled_from(string.ascii_lowercase),
            st.text(string.ascii_lowercase + string.digits + "._", max_size=10),
            st.text(string.ascii_lowercase, min_size=1, max_size=8),
            st.sampled_from(("com", "de", "fr", "jp")),
        ),
        group=st.none() | st.sampled_from(groups),
    )


@functools.cache
def addresses() -> st.SearchStrategy[Address]:
    """Valid addresses in any ISO 3166-1 country, always with a postal code."""
    return st.builds(
        Address,
        name=_WORD,
        line1=_WORD,
        city=_WORD,
        postal_code=st.text(_UPPER_DIGITS, min_size=2, max_size=10),
        country=st.sampled_from(_COUNTRIES),
        line2=st.just("") | _WORD,
        region=st.just("") | _WORD,
        company=st.just("") | _WORD,
    )


@functools.cache
def line_attributes() -> st.SearchStrategy[Attributes]:
    """Small free-form ``str → str`` attribute mappings."""
    return st.dictionaries(_KEY, _WORD, max_size=3).map(Attributes)


@functools.cache
def order_lines(
    currency: Currency | str | None = None,
    *,
    line_id: str | None = None,
    max_quantity: int = 10,
) -> st.SearchStrategy[OrderLine]:
    """Fresh order lines (pristine ledger) priced in ``currency`` (any when omitted)."""
    chosen = st.just(Currency.of(currency)) if currency is not None else currencies()

    def build(cur: Currency) -> st.SearchStrategy[OrderLine]:
        return st.builds(
            OrderLine,
            line_id=st.just(LineId(line_id))
            if line_id
            else st.integers(1, 999).map(lambda n: LineId(f"l{n}")),
            sku=_SKUS,
            quantity=st.integers(1, max_quantity),
            unit_price=st.integers(0, 10**7).map(lambda units: Money.from_minor_units(units, cur)),
            tax_category=st.sampled_from(("standard", "reduced", "zero")),
            attributes=line_attributes(),
        )

    return chosen.flatmap(build)


@st.composite
def quantity_ledgers(draw: st.DrawFn, *, max_ordered: int = 20) -> QuantityLedger:
    """Any valid quantity ledger: each figure within the bound the rules allow."""
    ordered = draw(st.integers(1, max_ordered))
    shipped = draw(st.integers(0, ordered))
    cancelled = draw(st.integers(0, ordered - shipped))
    allocated = draw(st.integers(shipped, ordered - cancelled))
    delivered = draw(st.integers(0, shipped))
    returned = draw(st.integers(0, delivered))
    return QuantityLedger(ordered, allocated, shipped, delivered, cancelled, returned)


@functools.cache
def payments(currency: Currency | str | None = None) -> st.SearchStrategy[Payment]:
    """Single payment records (not checked against any order)."""
    chosen = st.just(Currency.of(currency)) if currency is not None else currencies()
    return chosen.flatmap(
        lambda cur: st.builds(
            Payment,
            kind=st.sampled_from(PaymentKind),
            amount=st.integers(1, 10**7).map(lambda units: Money.from_minor_units(units, cur)),
            at=utc_datetimes(),
            reference=st.none() | _WORD,
        )
    )


_Step = Callable[[Order, st.DrawFn, dt.datetime, Lifecycle], None]


def _line_moves(order: Order, draw: st.DrawFn) -> dict[str, int]:
    chosen = draw(
        st.lists(
            st.sampled_from(order.lines),
            min_size=1,
            max_size=3,
            unique_by=lambda line: line.line_id,
        )
    )
    return {line.line_id: draw(st.integers(1, line.quantity)) for line in chosen}


def _fire(order: Order, draw: st.DrawFn, at: dt.datetime, lifecycle: Lifecycle) -> None:
    allowed = lifecycle.allowed_events(order.status.value)
    event = draw(st.sampled_from(allowed or [t.event for t in lifecycle.transitions]))
    order.fire(event, at=at, actor=draw(st.none() | st.just("ops")), lifecycle=lifecycle)


def _ledger(name: str) -> _Step:
    def step(order: Order, draw: st.DrawFn, at: dt.datetime, lifecycle: Lifecycle) -> None:
        getattr(order, name)(_line_moves(order, draw), at=at, lifecycle=lifecycle)

    return step


def _pay(order: Order, draw: st.DrawFn, at: dt.datetime, lifecycle: Lifecycle) -> None:
    kind = draw(st.sampled_from(PaymentKind))
    units = draw(st.integers(1, max(1, order.total.minor_units)))
    order.record_payment(kind, Money.from_minor_units(units, order.currency), at=at)


def _ship_all(order: Order, draw: st.DrawFn, at: dt.datetime, lifecycle: Lifecycle) -> None:
    unallocated = {line.line_id: line.ledger.unallocated for line in order.lines}
    if any(unallocated.values()):
        order.allocate({k: v for k, v in unallocated.items() if v}, at=at, lifecycle=lifecycle)
    order.ship(
        {
            line.line_id: line.ledger.allocated_unshipped
            for line in order.lines
            if line.ledger.allocated_unshipped
        },
        at=at,
        lifecycle=lifecycle,
    )


_STEPS: tuple[_Step, ...] = (
    _fire,
    _fire,
    _fire,
    _ship_all,
    _ledger("allocate"),
    _ledger("ship"),
    _ledger("deliver"),
    _ledger("deallocate"),
    _ledger("return_items"),
    _ledger("cancel_items"),
    _pay,
)


@st.composite
def orders(
    draw: st.DrawFn,
    currency: Currency | str | None = None,
    *,
    max_lines: int = 4,
    progressed: bool = False,
    lifecycle: Lifecycle = STANDARD_LIFECYCLE,
) -> Order:
    """Placed orders with 1..``max_lines`` lines in one currency.

    With ``progressed=True`` each order then goes through up to 15 random
    commands (events, ledger moves, payments) under ``lifecycle``.
    """
    cur = Currency.of(currency) if currency is not None else draw(currencies())
    count = draw(st.integers(1, max_lines))
    lines = [draw(order_lines(cur, line_id=f"l{index + 1}")) for index in range(count)]
    placed_at = draw(utc_datetimes())
    order = Order.place(
        id=OrderId(f"o-{draw(st.integers(1, 10**12)):x}"),
        customer=draw(customers()),
        currency=cur,
        lines=lines,
        at=placed_at,
        billing_address=draw(st.none() | addresses()),
        shipping_address=draw(st.none() | addresses()),
        notes=draw(st.just("") | _WORD),
        lifecycle=lifecycle,
    )
    if progressed:
        for minutes in range(1, draw(st.integers(0, 15)) + 1):
            step = draw(st.sampled_from(_STEPS))
            try:
                step(order, draw, placed_at + dt.timedelta(minutes=minutes), lifecycle)
            except OrderkitError:
                continue
    return order


def order_events() -> st.SearchStrategy[OrderEvent]:
    """Events recorded by random progressed orders (always at least ``OrderPlaced``)."""
    return orders(progressed=True, max_lines=3).flatmap(
        lambda order: st.sampled_from(
            [e for e in order.pending_events if isinstance(e, OrderEvent)]
        )
    )


def approval_lifecycle() -> Lifecycle:
    """``STANDARD_LIFECYCLE`` with a B2B approval step (placed → awaiting_approval → confirmed)."""
    return STANDARD_LIFECYCLE.extend(
        states=["awaiting_approval"],
        transitions=[
            Transition("request_approval", ["placed"], "awaiting_approval"),
            Transition(
                "approve", ["awaiting_approval"], "confirmed", guards=[actor_required("approver")]
            ),
        ],
        sources={"cancel": ["awaiting_approval"], "hold": ["awaiting_approval"]},
    )


def lifecycles() -> st.SearchStrategy[Lifecycle]:
    """The standard lifecycle or its B2B-approval extension."""
    return st.sampled_from([STANDARD_LIFECYCLE, approval_lifecycle()])


_LINE_IDS = st.integers(1, 99).map(lambda n: LineId(f"l{n}"))
_EVENT_LINES: dict[type, st.SearchStrategy[object]] = {
    LineQuantity: st.builds(
        LineQuantity, line_id=_LINE_IDS, sku=_SKUS, quantity=st.integers(1, 50)
    ),
    CancelledLine: st.builds(
        CancelledLine,
        line_id=_LINE_IDS,
        sku=_SKUS,
        cancelled=st.integers(1, 50),
        release=st.integers(0, 50),
    ),
    PlacedLine: st.builds(
        PlacedLine,
        line_id=_LINE_IDS,
        sku=_SKUS,
        quantity=st.integers(1, 50),
        unit_price=st.integers(0, 10**6).map(lambda units: Money.from_minor_units(units, "EUR")),
        tax_category=st.sampled_from(("standard", "reduced")),
    ),
}


def order_event_strategy(kind: type[OrderEvent]) -> st.SearchStrategy[OrderEvent]:
    """Events of one class, fields drawn from their types (ids, times and lines kept realistic)."""
    extra: dict[str, st.SearchStrategy[object]] = {}
    attrs.resolve_types(kind)  # the classes use string annotations
    for field in attrs.fields(kind):
        args = typing.get_args(field.type)
        line = _EVENT_LINES.get(args[0]) if args else None
        if line is not None:
            extra[field.name] = st.lists(line, min_size=1, max_size=3).map(tuple)
        if field.name == "total":
            extra["total"] = st.integers(0, 10**7).map(lambda u: Money.from_minor_units(u, "EUR"))
    return st.builds(
        kind,
        order_id=st.integers(1, 10**6).map(lambda n: OrderId(f"o-{n}")),
        at=utc_datetimes(),
        **extra,
    )


#: Every concrete order event class and a factory of its strategy, for ``_BY_TYPE``.
ORDER_EVENT_STRATEGIES: dict[type, Callable[[], st.SearchStrategy[OrderEvent]]] = {
    kind: functools.partial(order_event_strategy, kind)
    for kind in (
        OrderCancelled,
        OrderCompleted,
        OrderConfirmed,
        OrderDelivered,
        OrderFulfilled,
        OrderHeld,
        OrderItemsAllocated,
        OrderItemsCancelled,
        OrderItemsDeallocated,
        OrderItemsDelivered,
        OrderItemsReturned,
        OrderItemsShipped,
        OrderPlaced,
        OrderReleased,
        OrderStatusChanged,
        PaymentRecorded,
    )
}


def status_changes() -> st.SearchStrategy[StatusChange]:
    """History entries between standard states (not checked against any lifecycle)."""
    states = st.sampled_from([str(state) for state in StandardState])
    return st.builds(
        StatusChange,
        event=st.sampled_from([t.event for t in STANDARD_LIFECYCLE.transitions]),
        source=states,
        target=states,
        at=utc_datetimes(),
        actor=st.none() | _WORD,
        reason=st.none() | _WORD,
    )


#: Small value types of the order package and their strategies, for ``_BY_TYPE``.
ORDER_VALUE_STRATEGIES: dict[type, Callable[[], st.SearchStrategy[object]]] = {
    CancelledLine: lambda: _EVENT_LINES[CancelledLine],
    LineQuantity: lambda: _EVENT_LINES[LineQuantity],
    OrderStatus: lambda: st.sampled_from([OrderStatus(state) for state in StandardState]),
    PlacedLine: lambda: _EVENT_LINES[PlacedLine],
    StatusChange: status_changes,
}
