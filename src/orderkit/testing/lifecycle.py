"""A reusable stateful test of :class:`~orderkit.orders.Order` and its lifecycle.

``OrderLifecycleMachine`` places an order and drives it through random
sequences of lifecycle events (allowed or not), ledger moves (possible or
not) and payments (within the caps or not). After every step it checks:

- no ledger figure is negative or exceeds what precedes it;
- a refused command changed nothing: state, ledgers, history, payments,
  events and version compare equal to a deep copy taken before, and so does
  the serialised form;
- ``fulfillment_status`` and ``payment_status`` agree with a model computed
  here from the ledgers and payments;
- captures never exceed the total, refunds never exceed captures;
- the history replays, under the lifecycle, to the current state (and to
  the state a hold remembers);
- a cancelled order has nothing left unshipped and its ``OrderCancelled``
  listed exactly the units whose stock had to be released;
- a fulfilled or completed order has shipped every non-cancelled unit;
- the order survives :meth:`OrderLifecycleMachine.load_and_save`.

Run it in a test module with::

    from orderkit.testing.lifecycle import OrderLifecycleMachine

    TestOrderLifecycle = OrderLifecycleMachine.TestCase

Subclass it to use another lifecycle (set ``lifecycle``), or override
:meth:`OrderLifecycleMachine.load_and_save` to push the order through a
repository between steps so the same checks exercise an adapter.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from typing import ClassVar

from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
)

from orderkit.errors import OrderkitError
from orderkit.events import DomainEvent
from orderkit.ids import CustomerId, LineId, OrderId, Sku
from orderkit.money import Money
from orderkit.orders import (
    STANDARD_LIFECYCLE,
    CustomerRef,
    FulfillmentStatus,
    Lifecycle,
    Order,
    OrderCancelled,
    OrderEvent,
    OrderLine,
    PaymentKind,
    PaymentStatus,
    StandardState,
)
from orderkit.serialization import converter

__all__ = ["OrderLifecycleMachine", "expected_fulfillment_status", "expected_payment_status"]

_START = dt.datetime(2026, 3, 1, 9, 0, tzinfo=dt.UTC)
_LEDGER_COMMANDS = ("allocate", "deallocate", "ship", "deliver", "return_items", "cancel_items")


def expected_fulfillment_status(order: Order) -> FulfillmentStatus:
    """The fulfilment status a reader of the ledgers expects, computed independently."""
    open_units = sum(line.ordered - line.cancelled for line in order.lines)
    figures = [
        (sum(line.returned for line in order.lines), "returned"),
        (sum(line.delivered for line in order.lines), "delivered"),
        (sum(line.shipped for line in order.lines), "shipped"),
        (sum(line.allocated for line in order.lines), "allocated"),
    ]
    for total, name in figures:
        if total == open_units and total > 0:
            return FulfillmentStatus(name)
        if total > 0:
            return FulfillmentStatus(f"partially_{name}")
    return FulfillmentStatus.UNFULFILLED


def expected_payment_status(order: Order) -> PaymentStatus:
    """The payment status a reader of the payments expects, computed independently."""
    sums = dict.fromkeys(PaymentKind, 0)
    for payment in order.payments:
        sums[payment.kind] += payment.amount.minor_units
    total = order.total.minor_units
    captured, refunded = sums[PaymentKind.CAPTURE], sums[PaymentKind.REFUND]
    if refunded:
        return PaymentStatus.REFUNDED if refunded == captured else PaymentStatus.PARTIALLY_REFUNDED
    if captured >= total:
        return PaymentStatus.PAID
    if captured:
        return PaymentStatus.PARTIALLY_PAID
    if sums[PaymentKind.AUTHORIZATION]:
        return PaymentStatus.AUTHORIZED
    return PaymentStatus.UNPAID


def _placed(machine: OrderLifecycleMachine) -> bool:
    return machine.order is not None


class OrderLifecycleMachine(RuleBasedStateMachine):
    """Random commands on one order against what must always hold."""

    #: The lifecycle every command runs under; subclasses may set their own.
    lifecycle: ClassVar[Lifecycle] = STANDARD_LIFECYCLE

    def __init__(self) -> None:
        super().__init__()
        self.order: Order | None = None
        self.now = _START
        self.pulled: list[DomainEvent] = []
        self.refused = 0

    # -- hooks --------------------------------------------------------------------

    def load_and_save(self, order: Order) -> Order:
        """Hook after every step; the default round-trips through the converter."""
        restored: Order = converter.structure(converter.unstructure(order), Order)
        return restored

    # -- helpers ------------------------------------------------------------------

    @property
    def current(self) -> Order:
        """The order under test (placed by the initialize rule)."""
        assert self.order is not None
        return self.order

    def _tick(self) -> dt.datetime:
        self.now += dt.timedelta(minutes=7)
        return self.now

    def attempt(self, command: Callable[[Order], object]) -> bool:
        """Run ``command``; if refused, check that it changed nothing. True if it succeeded."""
        order = self.current
        before = copy.deepcopy(order)
        wire = converter.unstructure(order)
        try:
            command(order)
        except OrderkitError:
            self.refused += 1
            assert order == before, "a refused command changed the order"
            assert order.version == before.version
            assert converter.unstructure(order) == wire, "a refused command changed its wire form"
            return False
        assert len(order.pending_events) > len(before.pending_events), "no event recorded"
        return True

    # -- rules ----------------------------------------------------------------

    @initialize(
        quantities=st.lists(st.integers(1, 4), min_size=1, max_size=3),
        prices=st.lists(st.integers(0, 5000), min_size=3, max_size=3),
        group=st.none() | st.sampled_from(["retail", "b2b"]),
        as_draft=st.booleans(),
    )
    def place(
        self, quantities: list[int], prices: list[int], group: str | None, as_draft: bool
    ) -> None:
        lines = [
            OrderLine(
                LineId(f"l{i}"), Sku(f"SKU-{i}"), qty, Money.from_minor_units(prices[i], "EUR")
            )
            for i, qty in enumerate(quantities)
        ]
        build = Order.draft if as_draft else Order.place
        self.order = build(
            id=OrderId("o-machine"),
            customer=CustomerRef(CustomerId("c-1"), "buyer@example.com", group),
            currency="EUR",
            lines=lines,
            at=self._tick(),
            lifecycle=self.lifecycle,
        )

    @rule(actor=st.none() | st.just("approver-1"), data=st.data())
    def fire(self, actor: str | None, data: st.DataObject) -> None:
        allowed = list(self.lifecycle.allowed_events(self.current.status.value))
        every = [t.event for t in self.lifecycle.transitions]
        pick_allowed: bool = bool(allowed) and data.draw(st.booleans(), label="allowed")
        pool = allowed if pick_allowed else [*every, "no_such_event"]
        event: str = data.draw(st.sampled_from(pool), label="event")
        before = copy.deepcopy(self.current)
        at = self._tick()
        if not self.attempt(
            lambda order: order.fire(event, at=at, actor=actor, lifecycle=self.lifecycle)
        ):
            return
        transition = self.lifecycle.transition(event)
        assert transition is not None
        if transition.cancels_units:
            new = self.current.pending_events[len(before.pending_events) :]
            cancelled = [e for e in new if isinstance(e, OrderCancelled)]
            assert len(cancelled) == 1
            released = {line.line_id: line.release for line in cancelled[0].lines}
            expected = {
                line.line_id: line.ledger.allocated_unshipped
                for line in before.lines
                if line.ledger.unshipped
            }
            assert released == expected, (released, expected)

    @rule(data=st.data())
    def progress(self, data: st.DataObject) -> None:
        """Fire an allowed event that does not cancel, so runs reach the later states."""
        forward = [
            event
            for event in self.lifecycle.allowed_events(self.current.status.value)
            if not getattr(self.lifecycle.transition(event), "cancels_units", True)
        ]
        if forward:
            event = data.draw(st.sampled_from(forward), label="event")
            at = self._tick()
            self.attempt(
                lambda order: order.fire(event, at=at, actor="approver-1", lifecycle=self.lifecycle)
            )

    @rule(command=st.sampled_from(_LEDGER_COMMANDS), data=st.data())
    def move_units(self, command: str, data: st.DataObject) -> None:
        ids = [line.line_id for line in self.current.lines]
        chosen = data.draw(
            st.lists(st.sampled_from(ids), min_size=1, max_size=len(ids), unique=True)
        )
        quantities = {line_id: data.draw(st.integers(0, 4), label=line_id) for line_id in chosen}
        at = self._tick()
        self.attempt(
            lambda order: getattr(order, command)(quantities, at=at, lifecycle=self.lifecycle)
        )

    @rule()
    def fulfil_everything(self) -> None:
        at = self._tick()
        unallocated = {line.line_id: line.ledger.unallocated for line in self.current.lines}
        wanted = {line_id: units for line_id, units in unallocated.items() if units}
        if wanted:
            self.attempt(lambda order: order.allocate(wanted, at=at, lifecycle=self.lifecycle))
        to_ship = {
            line.line_id: line.ledger.allocated_unshipped
            for line in self.current.lines
            if line.ledger.allocated_unshipped
        }
        if to_ship:
            self.attempt(lambda order: order.ship(to_ship, at=at, lifecycle=self.lifecycle))

    @rule(kind=st.sampled_from(PaymentKind), share=st.integers(-1, 12))
    def pay(self, kind: PaymentKind, share: int) -> None:
        units = self.current.total.minor_units * share // 10 if share > 0 else share
        amount = Money.from_minor_units(units, "EUR")
        at = self._tick()
        self.attempt(lambda order: order.record_payment(kind, amount, at=at))

    @rule()
    def pull_events(self) -> None:
        pending = self.current.pending_events
        pulled = self.current.pull_events()
        assert tuple(pulled) == pending
        assert self.current.pending_events == ()
        self.pulled.extend(pulled)

    @rule()
    def store(self) -> None:
        self.order = self.load_and_save(self.current)

    # -- invariants -----------------------------------------------------------

    @invariant()
    @precondition(_placed)
    def ledgers_within_bounds(self) -> None:
        for line in self.current.lines:
            ledger = line.ledger
            figures = (
                ledger.allocated,
                ledger.shipped,
                ledger.delivered,
                ledger.cancelled,
                ledger.returned,
            )
            assert all(figure >= 0 for figure in figures)
            assert ledger.ordered == line.quantity > 0
            assert ledger.allocated <= ledger.ordered - ledger.cancelled
            assert ledger.shipped <= ledger.allocated
            assert ledger.delivered <= ledger.shipped
            assert ledger.returned <= ledger.delivered
            assert ledger.cancelled <= ledger.ordered - ledger.shipped

    @invariant()
    @precondition(_placed)
    def derived_statuses_agree(self) -> None:
        order = self.current
        assert order.fulfillment_status == expected_fulfillment_status(order)
        assert order.payment_status == expected_payment_status(order)
        assert order.captured <= order.total
        assert order.authorized <= order.total
        assert order.refunded <= order.captured

    @invariant()
    @precondition(_placed)
    def history_replays(self) -> None:
        order = self.current
        assert self.lifecycle.replay(order.history) == order.status
        times = [change.at for change in order.history]
        assert times == sorted(times)
        if order.held_from is not None:
            last = order.history[-1]
            transition = self.lifecycle.transition(last.event)
            assert transition is not None
            assert transition.remembers_source
            assert last.source == order.held_from

    @invariant()
    @precondition(_placed)
    def states_match_ledgers(self) -> None:
        order = self.current
        history = order.history
        if history:
            transition = self.lifecycle.transition(history[-1].event)
            if transition is not None and transition.cancels_units:
                assert all(line.ledger.unshipped == 0 for line in order.lines)
                assert all(line.ledger.allocated_unshipped == 0 for line in order.lines)
        if order.status.value in (StandardState.FULFILLED, StandardState.COMPLETED):
            assert all(line.ledger.unshipped == 0 for line in order.lines)
        if order.status.value in (StandardState.DRAFT, StandardState.PLACED):
            assert all(line.allocated == 0 for line in order.lines)

    @invariant()
    @precondition(_placed)
    def events_belong_to_the_order(self) -> None:
        order = self.current
        for event in (*self.pulled, *order.pending_events):
            assert isinstance(event, OrderEvent)
            assert event.aggregate_type == "order"
            assert event.aggregate_key == order.id

    @invariant()
    @precondition(_placed)
    def survives_storage(self) -> None:
        if self.order is not None:
            assert self.load_and_save(self.order) == self.order
