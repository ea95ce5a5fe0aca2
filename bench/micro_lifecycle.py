"""A lifecycle transition against a dict table, ``transitions`` and ``python-statemachine``.

All four run the same 6-state machine (draft → placed → confirmed → shipped →
completed, cancel from the first three) and time the same step: ``confirm``
on a placed order, with a guard, the state change, a history entry and an
event (orderkit's own ``OrderStatusChanged``, so every side builds the same
event object). Each operation gets a fresh object in ``placed``, made untimed.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any

import statemachine
import transitions

from bench._harness import Row, Target, batched, compare
from orderkit.ids import CustomerId, LineId, OrderId, Sku
from orderkit.money import Money
from orderkit.orders import (
    CustomerRef,
    Lifecycle,
    Order,
    OrderLine,
    OrderStatusChanged,
    Transition,
    TransitionContext,
)

GROUP = "lifecycle"
AT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
STATES = ("draft", "placed", "confirmed", "shipped", "completed", "cancelled")


def _has_lines(order: Order, context: TransitionContext) -> str | None:
    return None if order.lines else "the order has no lines"


SIX_STATES = Lifecycle(
    states=STATES,
    initial="draft",
    terminal=("completed", "cancelled"),
    transitions=(
        Transition("place", ["draft"], "placed"),
        Transition("confirm", ["placed"], "confirmed", guards=[_has_lines]),
        Transition("ship", ["confirmed"], "shipped"),
        Transition("complete", ["shipped"], "completed"),
        Transition("cancel", ["draft", "placed", "confirmed"], "cancelled"),
    ),
    fulfillable=("confirmed",),
)
TABLE = {
    (source, transition.event): transition.target
    for transition in SIX_STATES.transitions
    for source in transition.sources
}
CUSTOMER = CustomerRef(CustomerId("c-1"), "ann@example.com")
LINES = tuple(
    OrderLine(LineId(f"l{n}"), Sku(f"SKU-{n}"), 1 + n, Money.of("9.50", "EUR")) for n in range(3)
)


def _orders(n: int) -> list[Order]:
    return [
        Order.place(
            id=OrderId(f"o-{i}"),
            customer=CUSTOMER,
            currency="EUR",
            lines=LINES,
            at=AT,
            lifecycle=SIX_STATES,
        )
        for i in range(n)
    ]


def _confirm(order: Order) -> None:
    order.confirm(at=AT, lifecycle=SIX_STATES)


class _Plain:
    """The floor: a dict table lookup plus the same guard, history entry and event."""

    __slots__ = ("events", "history", "id", "lines", "state")

    def __init__(self, order_id: str) -> None:
        self.id = order_id
        self.lines = LINES
        self.state = "placed"
        self.history: list[tuple[str, str, str, dt.datetime]] = []
        self.events: list[OrderStatusChanged] = []

    def fire(self, event: str, at: dt.datetime) -> None:
        source = self.state
        target = TABLE.get((source, event))
        if target is None:
            raise ValueError(f"{event} not allowed from {source}")
        if not self.lines:
            raise ValueError("the order has no lines")
        self.history.append((event, source, target, at))
        self.state = target
        self.events.append(
            OrderStatusChanged(
                order_id=OrderId(self.id), at=at, event=event, source=source, target=target
            )
        )


class _Model:
    """A model object for the peer libraries, with the same bookkeeping."""

    def __init__(self, order_id: str) -> None:
        self.id = order_id
        self.lines = LINES
        self.state = "placed"
        self.history: list[tuple[str, str, str, dt.datetime]] = []
        self.events: list[OrderStatusChanged] = []

    def has_lines(self, *args: Any, **kwargs: Any) -> bool:
        return bool(self.lines)

    def record_confirm(self) -> None:
        self.record("confirm", "placed", "confirmed")

    def record(self, event: str, source: str, target: str) -> None:
        self.history.append((event, source, target, AT))
        self.events.append(
            OrderStatusChanged(
                order_id=OrderId(self.id), at=AT, event=event, source=source, target=target
            )
        )


def _transitions_models(n: int) -> Sequence[_Model]:
    models = [_Model(f"o-{i}") for i in range(n)]
    transitions.Machine(
        model=models,
        states=list(STATES),
        initial="placed",
        transitions=[
            {"trigger": "place", "source": "draft", "dest": "placed"},
            {
                "trigger": "confirm",
                "source": "placed",
                "dest": "confirmed",
                "conditions": "has_lines",
                "after": "record_confirm",
            },
            {"trigger": "ship", "source": "confirmed", "dest": "shipped"},
            {"trigger": "complete", "source": "shipped", "dest": "completed"},
            {"trigger": "cancel", "source": ["draft", "placed", "confirmed"], "dest": "cancelled"},
        ],
        send_event=False,
        auto_transitions=False,
    )
    return models


def _transitions_confirm(model: Any) -> None:
    if not model.confirm():
        raise ValueError("refused")


class SixStateMachine(statemachine.StateMachine):
    """The same machine declared for python-statemachine."""

    draft = statemachine.State(initial=True)
    placed = statemachine.State()
    confirmed = statemachine.State()
    shipped = statemachine.State()
    completed = statemachine.State(final=True)
    cancelled = statemachine.State(final=True)

    place = draft.to(placed)
    confirm = placed.to(confirmed, cond="has_lines")
    ship = confirmed.to(shipped)
    complete = shipped.to(completed)
    cancel = draft.to(cancelled) | placed.to(cancelled) | confirmed.to(cancelled)

    def on_confirm(self) -> None:
        self.model.record("confirm", "placed", "confirmed")


def _statemachine_machines(n: int) -> list[SixStateMachine]:
    return [SixStateMachine(_Model(f"o-{i}"), start_value="placed") for i in range(n)]


def run() -> list[Row]:
    """The lifecycle rows."""
    return compare(
        GROUP,
        "transition (guard, state, history, event)",
        batched(_orders, _confirm),
        [
            (
                "dict-table lookup",
                batched(
                    lambda n: [_Plain(f"o-{i}") for i in range(n)], lambda p: p.fire("confirm", AT)
                ),
                Target(3.0, "≤ 3×"),
            ),
            (
                "transitions",
                batched(_transitions_models, _transitions_confirm),
                Target(0.1, "≤ 0.1× (10× faster)"),
            ),
            (
                "python-statemachine",
                batched(_statemachine_machines, lambda m: m.send("confirm")),
                None,
            ),
        ],
    )
