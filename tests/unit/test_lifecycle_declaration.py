"""The Lifecycle declaration: checks at construction, extension, rendering and replay."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderkit.errors import InvalidTransition, ValidationError
from orderkit.ids import CustomerId, LineId, OrderId, Sku
from orderkit.money import Money
from orderkit.orders import (
    PREVIOUS_STATE,
    STANDARD_LIFECYCLE,
    CustomerRef,
    Lifecycle,
    Order,
    OrderConfirmed,
    OrderLine,
    OrderStatusChanged,
    PaymentKind,
    StandardState,
    StatusChange,
    Transition,
    TransitionContext,
    actor_required,
    payment_required,
)
from orderkit.testing.strategies import approval_lifecycle, orders

AT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _order(group: str | None = None, lifecycle: Lifecycle = STANDARD_LIFECYCLE) -> Order:
    return Order.place(
        id=OrderId("o-1"),
        customer=CustomerRef(CustomerId("c-1"), "buyer@example.com", group),
        currency="EUR",
        lines=[OrderLine(LineId("l1"), Sku("MUG"), 2, Money.of("10", "EUR"))],
        at=AT,
        lifecycle=lifecycle,
    )


# -- construction checks --------------------------------------------------------


def test_an_unreachable_state_is_refused_by_name() -> None:
    with pytest.raises(ValidationError, match="state 'limbo' is unreachable") as info:
        Lifecycle(
            states=["new", "done", "limbo"],
            initial="new",
            terminal=["done"],
            transitions=[Transition("finish", ["new"], "done"), Transition("x", ["limbo"], "done")],
        )
    assert "states.limbo" in info.value.errors


def test_a_dead_end_state_is_refused_by_name() -> None:
    with pytest.raises(ValidationError, match="state 'stuck' is a dead end"):
        Lifecycle(
            states=["new", "stuck", "done"],
            initial="new",
            terminal=["done"],
            transitions=[
                Transition("finish", ["new"], "done"),
                Transition("wedge", ["new"], "stuck"),
            ],
        )


def test_a_cycle_without_exit_is_a_dead_end() -> None:
    with pytest.raises(ValidationError, match="dead end"):
        Lifecycle(
            states=["new", "a", "b", "done"],
            initial="new",
            terminal=["done"],
            transitions=[
                Transition("finish", ["new"], "done"),
                Transition("to_a", ["new", "b"], "a"),
                Transition("to_b", ["a"], "b"),
            ],
        )


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"initial": "nowhere"}, "initial state 'nowhere'"),
        ({"terminal": []}, "at least one terminal"),
        ({"terminal": ["gone"]}, "state 'gone' is not declared"),
        ({"transitions": [Transition("finish", ["new"], "moon")]}, "undeclared state 'moon'"),
        ({"transitions": [Transition("finish", ["mars"], "done")]}, "undeclared state 'mars'"),
        (
            {"transitions": [Transition("f", ["new"], "done"), Transition("f", ["new"], "done")]},
            "event 'f' is declared twice",
        ),
        (
            {"transitions": [Transition("f", ["new"], "done"), Transition("g", ["done"], "new")]},
            "leaves terminal state 'done'",
        ),
        (
            {
                "transitions": [
                    Transition("f", ["new"], "done"),
                    Transition("b", ["new"], PREVIOUS_STATE),
                ]
            },
            "remembers where it came from",
        ),
    ],
)
def test_malformed_declarations_are_refused(kwargs: dict[str, object], message: str) -> None:
    fields: dict[str, object] = {
        "states": ["new", "done"],
        "initial": "new",
        "terminal": ["done"],
        "transitions": [Transition("finish", ["new"], "done")],
    }
    fields.update(kwargs)
    with pytest.raises(ValidationError, match=message):
        Lifecycle(**fields)  # type: ignore[arg-type]


def test_standard_lifecycle_shape() -> None:
    lifecycle = STANDARD_LIFECYCLE
    assert lifecycle.initial == "draft"
    assert set(lifecycle.terminal) == {"completed", "cancelled"}
    assert set(lifecycle.states) == {str(state) for state in StandardState}
    cancel = lifecycle.transition("cancel")
    assert cancel is not None
    assert set(cancel.sources) == {"draft", "placed", "confirmed", "in_fulfillment"}
    hold = lifecycle.transition("hold")
    assert hold is not None
    assert set(hold.sources) == {"placed", "confirmed", "in_fulfillment"}
    assert lifecycle.allowed_events("placed") == ("cancel", "confirm", "hold")
    assert lifecycle.allowed_events("completed") == ()


# -- firing -------------------------------------------------------------------


def test_an_event_not_allowed_names_state_event_and_allowed() -> None:
    order = _order()
    with pytest.raises(InvalidTransition) as info:
        order.complete(at=AT)
    assert info.value.state == "placed"
    assert info.value.event == "complete"
    assert info.value.allowed == ("cancel", "confirm", "hold")
    assert "'complete'" in str(info.value)
    assert "placed" in str(info.value)


def test_an_unknown_event_is_an_invalid_transition() -> None:
    with pytest.raises(InvalidTransition, match="unknown event 'teleport'"):
        _order().fire("teleport", at=AT)


def test_hold_remembers_and_release_goes_back() -> None:
    for setup in ([], ["confirm"]):
        order = _order()
        for event in setup:
            order.fire(event, at=AT)
        origin = order.status
        order.hold(at=AT, reason="address check")
        assert str(order.status) == "on_hold"
        assert order.held_from == origin
        order.release(at=AT)
        assert order.status == origin
        assert order.history[-1].target == origin
        assert getattr(order, "held_from") is None  # noqa: B009 - no narrowing from above
        assert [change.event for change in order.history][-2:] == ["hold", "release"]


def test_custom_transitions_without_events_record_status_changed() -> None:
    lifecycle = approval_lifecycle()
    order = _order(lifecycle=lifecycle)
    order.pull_events()
    order.fire("request_approval", at=AT, actor="sales", lifecycle=lifecycle)
    (event,) = order.pull_events()
    assert isinstance(event, OrderStatusChanged)
    assert (event.source, event.target, event.actor) == ("placed", "awaiting_approval", "sales")


# -- extension ----------------------------------------------------------------


def test_b2b_approval_step() -> None:
    lifecycle = STANDARD_LIFECYCLE.extend(
        states=["awaiting_approval"],
        transitions=[
            Transition("request_approval", ["placed"], "awaiting_approval"),
            Transition(
                "approve",
                ["awaiting_approval"],
                "confirmed",
                guards=[actor_required("approver")],
                effects=[
                    lambda order, ctx: [
                        OrderConfirmed(order_id=order.id, at=ctx.at, actor=ctx.actor)
                    ]
                ],
            ),
        ],
        sources={"cancel": ["awaiting_approval"]},
    )
    assert "awaiting_approval" in lifecycle.states
    assert STANDARD_LIFECYCLE.transition("approve") is None  # the original is untouched
    order = _order(group="b2b", lifecycle=lifecycle)
    order.fire("request_approval", at=AT, lifecycle=lifecycle)
    with pytest.raises(InvalidTransition, match="an approver must be named") as info:
        order.fire("approve", at=AT, lifecycle=lifecycle)
    assert info.value.reason == "an approver must be named"
    assert order.status == "awaiting_approval"
    order.fire("approve", at=AT, actor="head-of-sales", lifecycle=lifecycle)
    assert order.status == StandardState.CONFIRMED
    assert order.history[-1] == StatusChange(
        "approve", "awaiting_approval", "confirmed", AT, "head-of-sales"
    )
    assert isinstance(order.pending_events[-1], OrderConfirmed)
    assert lifecycle.replay(order.history) == "confirmed"


def test_confirm_of_an_unpaid_order_needs_payment_terms() -> None:
    lifecycle = STANDARD_LIFECYCLE.extend(
        guards={"confirm": [payment_required(unless_groups=["net30"])]}
    )
    unpaid = _order(group="retail", lifecycle=lifecycle)
    with pytest.raises(InvalidTransition, match="unpaid") as info:
        unpaid.confirm(at=AT, lifecycle=lifecycle)
    assert "'retail' is not on payment terms" in str(info.value)
    assert unpaid.status == "placed"

    unpaid.record_payment(PaymentKind.AUTHORIZATION, Money.of("20", "EUR"), at=AT)
    unpaid.confirm(at=AT, lifecycle=lifecycle)
    assert unpaid.status == "confirmed"

    on_terms = _order(group="net30", lifecycle=lifecycle)
    on_terms.confirm(at=AT, lifecycle=lifecycle)
    assert on_terms.status == "confirmed"


def test_extend_adds_effects_replaces_and_still_checks_the_result() -> None:
    seen: list[TransitionContext] = []

    def spy(order: Order, context: TransitionContext) -> list[OrderStatusChanged]:
        seen.append(context)
        return []

    lifecycle = STANDARD_LIFECYCLE.extend(effects={"confirm": [spy]})
    order = _order()
    order.confirm(at=AT, actor="ops", lifecycle=lifecycle)
    assert [(c.event, c.source, c.target, c.actor) for c in seen] == [
        ("confirm", "placed", "confirmed", "ops")
    ]
    assert isinstance(order.pending_events[-1], OrderConfirmed)  # the standard effect still ran

    strict = STANDARD_LIFECYCLE.extend(
        transitions=[Transition("complete", ["fulfilled"], "completed", guards=[_never])]
    )
    complete = strict.transition("complete")
    assert complete is not None
    assert complete.guards == (_never,)
    assert [t.event for t in strict.transitions] == [
        t.event for t in STANDARD_LIFECYCLE.transitions
    ]

    with pytest.raises(ValidationError, match="state 'on_hold' is unreachable"):
        STANDARD_LIFECYCLE.extend(remove=["hold", "release"])
    with pytest.raises(ValidationError, match="remembers where it came from"):
        STANDARD_LIFECYCLE.extend(remove=["hold"])


def _never(order: Order, context: TransitionContext) -> str | None:
    return "closing is disabled"


def test_extend_refuses_unknown_events() -> None:
    cases: tuple[dict[str, Any], ...] = (
        {"guards": {"fly": []}},
        {"sources": {"fly": ["placed"]}},
        {"remove": ["fly"]},
    )
    for kwargs in cases:
        with pytest.raises(ValidationError, match="unknown event 'fly'"):
            STANDARD_LIFECYCLE.extend(**kwargs)


# -- rendering and replay -------------------------------------------------------


def test_mermaid_and_dot_render_every_edge() -> None:
    mermaid = STANDARD_LIFECYCLE.to_mermaid()
    assert mermaid.startswith("stateDiagram-v2\n    [*] --> draft")
    assert "    on_hold --> confirmed: release" in mermaid
    assert "    in_fulfillment --> fulfilled: fulfill (automatic)" in mermaid
    assert "    cancelled --> [*]" in mermaid
    dot = STANDARD_LIFECYCLE.to_dot()
    assert dot.startswith("digraph lifecycle {")
    assert '"completed" [shape=doublecircle];' in dot
    assert '"on_hold" -> "placed" [label="release"];' in dot
    edges = STANDARD_LIFECYCLE.edges()
    assert len(edges) == mermaid.count(": ") == dot.count("[label=")


def test_replay_refuses_a_history_that_does_not_follow() -> None:
    bad = [StatusChange("confirm", "draft", "confirmed", AT)]
    with pytest.raises(ValidationError, match="recorded from 'draft'"):
        STANDARD_LIFECYCLE.replay([StatusChange("place", "draft", "placed", AT), *bad])
    with pytest.raises(ValidationError, match="unknown event"):
        STANDARD_LIFECYCLE.replay([StatusChange("warp", "draft", "placed", AT)])
    with pytest.raises(ValidationError, match="expected 'placed'"):
        STANDARD_LIFECYCLE.replay([StatusChange("place", "draft", "confirmed", AT)])


@given(orders(progressed=True, max_lines=2), st.sampled_from([STANDARD_LIFECYCLE]))
def test_history_of_any_order_replays_to_its_state(order: Order, lifecycle: Lifecycle) -> None:
    assert lifecycle.replay(order.history) == order.status


@pytest.mark.parametrize("name", ["on hold", "", "1st", "a-b", "*x"])
def test_state_names_must_be_plain_identifiers(name: str) -> None:
    with pytest.raises(ValidationError, match="not a valid state name"):
        Lifecycle(
            states=["new", name, "done"],
            initial="new",
            terminal=["done"],
            transitions=[Transition("finish", ["new"], "done"), Transition("go", ["new"], name)],
        )


def test_automatic_transitions_also_follow_payments() -> None:
    lifecycle = STANDARD_LIFECYCLE.extend(
        transitions=[
            Transition(
                "auto_confirm", ["placed"], "confirmed", guards=[payment_required()], automatic=True
            )
        ]
    )
    order = _order(lifecycle=lifecycle)
    assert str(order.status) == "placed"
    assert "auto_confirm" not in lifecycle.allowed_events("placed")
    order.record_payment("capture", Money.of("20", "EUR"), at=AT, lifecycle=lifecycle)
    assert order.status == StandardState.CONFIRMED
    assert order.history[-1].event == "auto_confirm"
    assert order.history[-1].actor is None


def _reach(start: set[str], edges: list[tuple[str, str]]) -> set[str]:
    seen = set(start)
    changed = True
    while changed:
        changed = False
        for source, target in edges:
            if source in seen and target not in seen:
                seen.add(target)
                changed = True
    return seen


@st.composite
def _graphs(draw: st.DrawFn) -> tuple[list[str], list[str], list[tuple[str, str]]]:
    states = [f"s{index}" for index in range(draw(st.integers(2, 6)))]
    terminal = draw(st.lists(st.sampled_from(states[1:]), min_size=1, unique=True))
    sources = [state for state in states if state not in terminal]
    edges = draw(
        st.lists(st.tuples(st.sampled_from(sources), st.sampled_from(states)), max_size=10)
    )
    return states, terminal, edges


@given(_graphs())
def test_construction_accepts_exactly_the_sound_graphs(
    graph: tuple[list[str], list[str], list[tuple[str, str]]],
) -> None:
    states, terminal, edges = graph
    transitions = [Transition(f"e{index}", [s], t) for index, (s, t) in enumerate(edges)]
    reachable = _reach({"s0"}, edges)
    finishing = _reach(set(terminal), [(t, s) for s, t in edges])
    unreachable = [state for state in states if state not in reachable]
    dead = [state for state in states if state not in finishing]
    if unreachable or dead:
        named = unreachable[0] if unreachable else dead[0]
        with pytest.raises(ValidationError, match=f"state '{named}'"):
            Lifecycle(states, "s0", terminal, transitions)
        return
    lifecycle = Lifecycle(states, "s0", terminal, transitions)
    mermaid = lifecycle.to_mermaid()
    for index, (source, target) in enumerate(edges):
        assert f"    {source} --> {target}: e{index}" in mermaid
