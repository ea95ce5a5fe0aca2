"""A refused command changes nothing.

Commands run on the order itself under a journal (``Order._apply``) rather than
on a copy, so these properties draw orders, lifecycles and commands (valid or
not) and compare the order after a refusal with a deep copy taken before it.
One lifecycle has no automatic transitions, one has an automatic transition
whose effect refuses after the command itself has already changed the order.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Iterable

import pytest
from hypothesis import event, given
from hypothesis import strategies as st

from orderkit.errors import OrderkitError, ValidationError
from orderkit.events import DomainEvent
from orderkit.ids import CustomerId, LineId, OrderId, Sku
from orderkit.money import Money
from orderkit.orders import (
    PREVIOUS_STATE,
    STANDARD_LIFECYCLE,
    CustomerRef,
    Lifecycle,
    Order,
    OrderLine,
    PaymentKind,
    Transition,
    TransitionContext,
    payment_required,
)
from orderkit.testing.strategies import approval_lifecycle, orders


class _Boom(Exception):
    """Not an OrderkitError: a host effect failing in its own way."""


def _has_lines(order: Order, context: TransitionContext) -> str | None:
    return None if order.lines else "no lines"


def _refuse_odd_allocations(order: Order, context: TransitionContext) -> Iterable[DomainEvent]:
    # Runs in the automatic start_fulfillment, after allocate changed the lines.
    allocated = sum(line.allocated for line in order.lines)
    if allocated % 2:
        raise ValidationError(f"{allocated} allocated units", path="lines")
    return ()


def _last_actor_named(order: Order, context: TransitionContext) -> Iterable[DomainEvent]:
    # In an automatic transition: refuses after the step before it changed the order.
    if order.history[-1].actor is None:
        raise ValidationError("the last step named no actor", path="actor")
    return ()


def _explode(order: Order, context: TransitionContext) -> Iterable[DomainEvent]:
    raise _Boom(context.event)


#: No automatic transitions: the shape of bench/micro_lifecycle, plus a cancel and a hold.
PLAIN = Lifecycle(
    states=["draft", "placed", "confirmed", "on_hold", "shipped", "completed", "cancelled"],
    initial="draft",
    terminal=["completed", "cancelled"],
    transitions=[
        Transition("place", ["draft"], "placed"),
        Transition("confirm", ["placed"], "confirmed", guards=[_has_lines]),
        Transition("ship", ["confirmed"], "shipped"),
        Transition("complete", ["shipped"], "completed"),
        Transition("cancel", ["draft", "placed", "confirmed"], "cancelled", cancels_units=True),
        Transition("hold", ["placed", "confirmed"], "on_hold", remembers_source=True),
        Transition("release", ["on_hold"], PREVIOUS_STATE),
    ],
    fulfillable=["confirmed"],
)
#: The standard lifecycle whose automatic start_fulfillment fails on some allocations.
TRAPPED = STANDARD_LIFECYCLE.extend(effects={"start_fulfillment": [_refuse_odd_allocations]})
#: An automatic approval, after a confirm, a release or a payment, refusing unless the step
#: before it named its actor.
AUTOMATIC = Lifecycle(
    states=[
        "draft",
        "placed",
        "confirmed",
        "approved",
        "on_hold",
        "completed",
        "cancelled",
    ],
    initial="draft",
    terminal=["completed", "cancelled"],
    transitions=[
        Transition("place", ["draft"], "placed"),
        Transition("confirm", ["placed"], "confirmed"),
        Transition(
            "approve",
            ["confirmed"],
            "approved",
            guards=[payment_required()],
            effects=[_last_actor_named],
            automatic=True,
        ),
        Transition("hold", ["placed", "confirmed", "approved"], "on_hold", remembers_source=True),
        Transition("release", ["on_hold"], PREVIOUS_STATE),
        Transition("complete", ["approved"], "completed"),
        Transition(
            "cancel", ["draft", "placed", "confirmed", "approved"], "cancelled", cancels_units=True
        ),
    ],
    fulfillable=["approved"],
)
LIFECYCLES = (STANDARD_LIFECYCLE, approval_lifecycle(), PLAIN, TRAPPED, AUTOMATIC)

_Command = Callable[[Order], object]
_LEDGER = ("allocate", "deallocate", "ship", "deliver", "return_items", "cancel_items")


@st.composite
def _commands(draw: st.DrawFn, order: Order, lifecycle: Lifecycle) -> tuple[str, _Command]:
    """Any command on ``order``, with arguments that are often out of bounds."""
    at = order.placed_at + dt.timedelta(hours=1)
    if draw(st.integers(0, 19)) == 0:
        at = at.replace(tzinfo=None)  # naive: refused before anything
    kind = draw(st.sampled_from(("fire", "method", "ledger", "payment")))
    if kind == "fire":
        name = draw(st.sampled_from([*(t.event for t in lifecycle.transitions), "no_such"]))
        actor = draw(st.none() | st.just("approver-1"))
        context = draw(st.none() | st.just({"channel": "web"}))
        return f"fire {name}", lambda o: o.fire(
            name, at=at, actor=actor, context=context, lifecycle=lifecycle
        )
    if kind == "method":
        name = draw(st.sampled_from(("confirm", "cancel", "hold", "release", "complete")))
        return name, lambda o: getattr(o, name)(at=at, lifecycle=lifecycle)
    if kind == "ledger":
        name = draw(st.sampled_from(_LEDGER))
        ids = [line.line_id for line in order.lines]
        chosen = draw(st.lists(st.sampled_from([*ids, "l-unknown"]), min_size=1, unique=True))
        units = {line_id: draw(st.integers(0, 5)) for line_id in chosen}
        return name, lambda o: getattr(o, name)(units, at=at, lifecycle=lifecycle)
    payment = draw(st.sampled_from(PaymentKind))
    minor = draw(st.integers(1, max(2, 2 * order.total.minor_units)))
    amount = Money.from_minor_units(minor, order.currency)
    return f"pay {payment}", lambda o: o.record_payment(payment, amount, at, lifecycle=lifecycle)


@given(data=st.data(), lifecycle=st.sampled_from(LIFECYCLES))
def test_a_refused_command_leaves_the_order_exactly_as_it_was(
    data: st.DataObject, lifecycle: Lifecycle
) -> None:
    order = data.draw(orders(max_lines=3, progressed=True, lifecycle=lifecycle), label="order")
    for _ in range(4):
        name, command = data.draw(_commands(order, lifecycle), label="command")
        before = copy.deepcopy(order)
        try:
            command(order)
        except OrderkitError:
            event(f"refused: {name.split()[0]}")
            assert order == before
            assert (order.status, order.held_from, order.placed_at, order.version) == (
                before.status,
                before.held_from,
                before.placed_at,
                before.version,
            )
            assert order.lines == before.lines
            assert order.history == before.history
            assert order.payments == before.payments
            assert order.pending_events == before.pending_events
        else:
            assert len(order.pending_events) > len(before.pending_events)
            assert lifecycle.replay(order.history) == order.status.value


AT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _one_line_order(build: Callable[..., Order], lifecycle: Lifecycle) -> Order:
    return build(
        id=OrderId("o-1"),
        customer=CustomerRef(CustomerId("c-1"), "ann@example.com"),
        currency="EUR",
        lines=[OrderLine(LineId("l1"), Sku("MUG"), 3, Money.of("9.50", "EUR"))],
        at=AT,
        lifecycle=lifecycle,
    )


@pytest.mark.parametrize(
    ("lifecycle", "error"),
    [
        (TRAPPED, ValidationError),
        (STANDARD_LIFECYCLE.extend(effects={"start_fulfillment": [_explode]}), _Boom),
    ],
)
def test_a_failing_automatic_transition_undoes_the_command_before_it(
    lifecycle: Lifecycle, error: type[Exception]
) -> None:
    at = AT
    order = _one_line_order(Order.place, lifecycle)
    order.confirm(at=at, lifecycle=lifecycle)
    order.hold(at=at, lifecycle=lifecycle)
    order.release(at=at, lifecycle=lifecycle)
    before = copy.deepcopy(order)
    with pytest.raises(error):
        order.allocate({LineId("l1"): 1}, at=at, lifecycle=lifecycle)
    assert order == before
    assert order.held_from is None
    if lifecycle is TRAPPED:  # an even allocation goes through
        order.allocate({LineId("l1"): 2}, at=at, lifecycle=lifecycle)
        assert order.status == "in_fulfillment"


def test_a_failing_automatic_transition_after_leaving_the_initial_state_keeps_placed_at() -> None:
    reviewed = Lifecycle(
        states=["draft", "placed", "reviewed", "done"],
        initial="draft",
        terminal=["done"],
        transitions=[
            Transition("place", ["draft"], "placed"),
            Transition(
                "review", ["placed"], "reviewed", effects=[_last_actor_named], automatic=True
            ),
            Transition("finish", ["reviewed"], "done"),
        ],
    )
    drafted = AT
    order = _one_line_order(Order.draft, reviewed)
    before = copy.deepcopy(order)
    with pytest.raises(ValidationError, match="no actor"):
        order.fire("place", at=drafted + dt.timedelta(days=1), lifecycle=reviewed)
    assert order == before
    assert order.placed_at == drafted
    order.fire("place", at=drafted + dt.timedelta(days=1), actor="ops", lifecycle=reviewed)
    assert (order.status, order.placed_at) == ("reviewed", drafted + dt.timedelta(days=1))


def test_a_failing_automatic_transition_after_a_payment_or_a_release_undoes_it() -> None:
    at = AT
    order = _one_line_order(Order.place, AUTOMATIC)  # total 28.50 EUR
    order.confirm(at=at, lifecycle=AUTOMATIC)  # unpaid: stays confirmed
    before = copy.deepcopy(order)
    with pytest.raises(ValidationError, match="no actor"):
        order.record_payment("capture", Money.of("28.50", "EUR"), at, lifecycle=AUTOMATIC)
    assert order == before
    order.hold(at=at, actor="ops", lifecycle=AUTOMATIC)
    order.record_payment("capture", Money.of("28.50", "EUR"), at, lifecycle=AUTOMATIC)
    before = copy.deepcopy(order)
    with pytest.raises(ValidationError, match="no actor"):
        order.release(at=at, lifecycle=AUTOMATIC)
    assert order == before
    assert (order.status, order.held_from) == ("on_hold", "confirmed")
    order.release(at=at, actor="ops", lifecycle=AUTOMATIC)
    assert (order.status, order.held_from) == ("approved", None)
