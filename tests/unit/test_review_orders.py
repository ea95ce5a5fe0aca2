"""Review of orders and their lifecycle: acceptance criteria checked on hand-computed cases.

Each expected figure below is worked out by hand from the issue's rules (the
ledger bounds, the standard lifecycle, the Shopify/Saleor reading of partial
fulfilment and payment) and written next to the case.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from orderkit.errors import InvalidQuantity, InvalidTransition, ValidationError
from orderkit.ids import CustomerId, LineId, OrderId, Sku
from orderkit.money import Money
from orderkit.orders import (
    PREVIOUS_STATE,
    STANDARD_LIFECYCLE,
    CustomerRef,
    FulfillmentStatus,
    Lifecycle,
    Order,
    OrderCancelled,
    OrderLine,
    PaymentStatus,
    QuantityLedger,
    Transition,
    actor_required,
    fulfillment_status_of,
    payment_required,
)
from orderkit.serialization import converter

AT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _order(
    quantities: tuple[int, ...] = (3, 1),
    *,
    currency: str = "EUR",
    price: str = "10",
    group: str | None = None,
    lifecycle: Lifecycle = STANDARD_LIFECYCLE,
) -> Order:
    return Order.place(
        id=OrderId("o-1"),
        customer=CustomerRef(CustomerId("c-1"), "ann@example.com", group=group),
        currency=currency,
        lines=[
            OrderLine(LineId(f"l{i}"), Sku(f"S{i}"), n, Money.of(price, currency))
            for i, n in enumerate(quantities)
        ],
        at=AT,
        lifecycle=lifecycle,
    )


def _state(order: Order) -> Any:
    return converter.unstructure(order)


# -- construction -------------------------------------------------------------


@pytest.mark.parametrize("lines", [None, 5, "l1"])
def test_place_refuses_lines_that_are_not_an_iterable_of_lines(lines: Any) -> None:
    # Was a bare TypeError ('NoneType' object is not iterable) for None.
    with pytest.raises(ValidationError, match="lines"):
        Order.place(
            id=OrderId("o-1"),
            customer=CustomerRef(CustomerId("c-1"), "ann@example.com"),
            currency="EUR",
            lines=lines,
            at=AT,
        )


def test_exponent_zero_and_three_currencies_total_and_pay() -> None:
    # JPY: 2 + 1 units at 100 = 300 JPY; KWD: 4 units at 1.234 = 4.936 KWD.
    yen = _order((2, 1), currency="JPY", price="100")
    assert yen.total == Money.of("300", "JPY")
    with pytest.raises(ValidationError):
        yen.record_payment("capture", Money.of("0.5", "JPY"), AT)
    dinar = _order((4,), currency="KWD", price="1.234")
    dinar.record_payment("capture", Money.of("4.936", "KWD"), AT)
    assert dinar.payment_status is PaymentStatus.PAID


# -- lifecycle acceptance ---------------------------------------------------------


def test_unreachable_and_dead_end_states_are_named_at_construction() -> None:
    with pytest.raises(ValidationError, match=r"'orphan'.*unreachable"):
        Lifecycle(
            states=["a", "b", "orphan"],
            initial="a",
            terminal=["b"],
            transitions=[Transition("go", ["a"], "b")],
        )
    # x and y only lead to each other: both are dead ends; the first is named.
    with pytest.raises(ValidationError, match=r"'x'.*dead end"):
        Lifecycle(
            states=["a", "b", "x", "y"],
            initial="a",
            terminal=["b"],
            transitions=[
                Transition("go", ["a"], "b"),
                Transition("loop_in", ["a"], "x"),
                Transition("there", ["x"], "y"),
                Transition("back", ["y"], "x"),
            ],
        )


def test_cancel_with_a_shipped_unit_is_refused_and_changes_nothing() -> None:
    order = _order()
    order.confirm(at=AT)
    order.allocate({"l0": 3, "l1": 1}, at=AT)
    order.ship({"l0": 1}, at=AT)
    before = _state(order)
    with pytest.raises(InvalidTransition) as raised:
        order.cancel(at=AT)
    assert raised.value.state == "in_fulfillment"
    assert raised.value.event == "cancel"
    assert _state(order) == before


def test_cancel_with_allocations_lists_the_units_to_release() -> None:
    # l0: 3 ordered, 2 allocated -> 3 cancelled, 2 released; l1: 1 cancelled, 0 released.
    order = _order()
    order.confirm(at=AT)
    order.allocate({"l0": 2}, at=AT)
    order.pull_events()
    order.cancel(at=AT, reason="customer asked")
    (event,) = order.pull_events()
    assert isinstance(event, OrderCancelled)
    assert [(c.line_id, c.cancelled, c.release) for c in event.lines] == [
        ("l0", 3, 2),
        ("l1", 1, 0),
    ]
    assert [(ln.cancelled, ln.allocated) for ln in order.lines] == [(3, 0), (1, 0)]
    assert order.status == "cancelled"


@pytest.mark.parametrize("steps", [(), ("confirm",), ("confirm", "allocate")])
def test_release_returns_to_the_state_held_from(steps: tuple[str, ...]) -> None:
    order = _order()
    for step in steps:
        if step == "confirm":
            order.confirm(at=AT)
        else:
            order.allocate({"l0": 1}, at=AT)
    held_from = order.status.value
    order.hold(at=AT, reason="fraud check")
    assert order.status == "on_hold"
    assert _held_from(order) == held_from
    with pytest.raises(InvalidTransition):
        order.hold(at=AT)
    order.release(at=AT)
    assert order.status.value == held_from
    assert _held_from(order) is None
    assert STANDARD_LIFECYCLE.replay(order.history) == held_from


def _held_from(order: Order) -> str | None:
    return order.held_from  # read afresh: mypy would keep an earlier narrowing of the property


def _b2b() -> Lifecycle:
    return STANDARD_LIFECYCLE.extend(
        states=["awaiting_approval"],
        transitions=[
            Transition("request_approval", ["placed"], "awaiting_approval"),
            Transition(
                "approve", ["awaiting_approval"], "confirmed", guards=[actor_required("approver")]
            ),
        ],
        sources={"cancel": ["awaiting_approval"], "hold": ["awaiting_approval"]},
        remove=["confirm"],
    )


def test_b2b_approval_step_guard_and_diagram() -> None:
    lifecycle = _b2b()
    order = _order(lifecycle=lifecycle)
    with pytest.raises(InvalidTransition):
        order.confirm(at=AT, lifecycle=lifecycle)  # removed: approval is the only way
    order.fire("request_approval", at=AT, lifecycle=lifecycle)
    before = _state(order)
    with pytest.raises(InvalidTransition, match="approver must be named"):
        order.fire("approve", at=AT, lifecycle=lifecycle)
    assert _state(order) == before
    order.fire("approve", at=AT, actor="boss", lifecycle=lifecycle)
    assert order.status == "confirmed"
    assert lifecycle.replay(order.history) == "confirmed"
    mermaid = lifecycle.to_mermaid()
    assert "placed --> awaiting_approval: request_approval" in mermaid
    assert "awaiting_approval --> confirmed: approve" in mermaid
    assert "on_hold --> awaiting_approval: release" in mermaid
    dot = lifecycle.to_dot()
    assert '"awaiting_approval" -> "confirmed" [label="approve"];' in dot
    assert '"cancelled" [shape=doublecircle];' in dot


def test_payment_guard_lets_payment_terms_groups_through() -> None:
    lifecycle = STANDARD_LIFECYCLE.extend(
        guards={"confirm": [payment_required(unless_groups=["net30"])]}
    )
    unpaid = _order(lifecycle=lifecycle)
    with pytest.raises(InvalidTransition, match="unpaid"):
        unpaid.confirm(at=AT, lifecycle=lifecycle)
    unpaid.record_payment("authorization", Money.of("40", "EUR"), AT, lifecycle=lifecycle)
    unpaid.confirm(at=AT, lifecycle=lifecycle)
    on_terms = _order(group="net30", lifecycle=lifecycle)
    on_terms.confirm(at=AT, lifecycle=lifecycle)
    assert (unpaid.status, on_terms.status) == ("confirmed", "confirmed")


# -- derived statuses, as Shopify/Saleor report partial cases ------------------------


@pytest.mark.parametrize(
    ("ledgers", "expected"),
    [
        # nothing happened yet
        ([QuantityLedger(3)], FulfillmentStatus.UNFULFILLED),
        # 1 of 3 allocated
        ([QuantityLedger(3, allocated=1)], FulfillmentStatus.PARTIALLY_ALLOCATED),
        # 1 of 3 shipped: Saleor "partially fulfilled"
        ([QuantityLedger(3, allocated=3, shipped=1)], FulfillmentStatus.PARTIALLY_SHIPPED),
        # 1 shipped, the other 2 cancelled: everything still owed has shipped
        ([QuantityLedger(3, allocated=1, shipped=1, cancelled=2)], FulfillmentStatus.SHIPPED),
        # two lines, one shipped, one not: partial across the order
        (
            [QuantityLedger(1, allocated=1, shipped=1), QuantityLedger(1)],
            FulfillmentStatus.PARTIALLY_SHIPPED,
        ),
        # all shipped, 1 of 2 delivered
        (
            [QuantityLedger(2, allocated=2, shipped=2, delivered=1)],
            FulfillmentStatus.PARTIALLY_DELIVERED,
        ),
        # 1 of 2 returned: Saleor "partially returned"
        (
            [QuantityLedger(2, allocated=2, shipped=2, delivered=2, returned=1)],
            FulfillmentStatus.PARTIALLY_RETURNED,
        ),
        # every unit still owed returned (1 cancelled, 2 returned)
        (
            [QuantityLedger(3, allocated=2, shipped=2, delivered=2, returned=2, cancelled=1)],
            FulfillmentStatus.RETURNED,
        ),
        # everything cancelled: nothing was fulfilled
        ([QuantityLedger(2, cancelled=2)], FulfillmentStatus.UNFULFILLED),
    ],
)
def test_fulfillment_status_partial_cases(
    ledgers: list[QuantityLedger], expected: FulfillmentStatus
) -> None:
    assert fulfillment_status_of(ledgers) is expected


def test_payment_status_partial_cases() -> None:
    # total 40 EUR (3 + 1 units at 10)
    order = _order()
    seen = [order.payment_status]
    order.record_payment("authorization", Money.of("40", "EUR"), AT)
    seen.append(order.payment_status)
    order.record_payment("capture", Money.of("15", "EUR"), AT)
    seen.append(order.payment_status)
    order.record_payment("capture", Money.of("25", "EUR"), AT)
    seen.append(order.payment_status)
    order.record_payment("refund", Money.of("0.01", "EUR"), AT)
    seen.append(order.payment_status)
    before = _state(order)
    with pytest.raises(ValidationError, match="exceed"):
        order.record_payment("refund", Money.of("40", "EUR"), AT)  # 40.01 > 40 captured
    assert _state(order) == before
    order.record_payment("refund", Money.of("39.99", "EUR"), AT)
    seen.append(order.payment_status)
    assert seen == [
        PaymentStatus.UNPAID,
        PaymentStatus.AUTHORIZED,
        PaymentStatus.PARTIALLY_PAID,
        PaymentStatus.PAID,
        PaymentStatus.PARTIALLY_REFUNDED,
        PaymentStatus.REFUNDED,
    ]


def test_zero_total_order_is_paid_with_nothing_collected() -> None:
    assert _order(price="0").payment_status is PaymentStatus.PAID


# -- the ledger rules ---------------------------------------------------------------


_MOVES = ("allocate", "deallocate", "ship", "deliver", "return_units", "cancel")


@given(st.lists(st.tuples(st.sampled_from(_MOVES), st.integers(-1, 4)), max_size=25))
def test_ledger_moves_never_break_the_bounds(moves: list[tuple[str, int]]) -> None:
    ledger = QuantityLedger(4)
    for name, quantity in moves:
        method = getattr(ledger, name)
        try:
            result = method(quantity)
        except InvalidQuantity:
            continue
        ledger = result[0] if name == "cancel" else result
        assert 0 <= ledger.allocated <= ledger.ordered - ledger.cancelled
        assert 0 <= ledger.shipped <= ledger.allocated
        assert 0 <= ledger.delivered <= ledger.shipped
        assert 0 <= ledger.returned <= ledger.delivered
        assert 0 <= ledger.cancelled <= ledger.ordered - ledger.shipped


def test_ship_all_then_order_is_fulfilled_and_completes() -> None:
    order = _order((2,))
    order.confirm(at=AT)
    order.allocate({"l0": 2}, at=AT)
    order.ship({"l0": 1}, at=AT)
    assert order.status == "in_fulfillment"
    order.ship({"l0": 1}, at=AT)
    assert order.status == "fulfilled"
    order.complete(at=AT)
    assert order.status == "completed"
    assert STANDARD_LIFECYCLE.replay(order.history) == "completed"


# -- declaration mistakes are ValidationErrors, never bare TypeError/AttributeError ------


@pytest.mark.parametrize(
    "declare",
    [
        lambda: Transition("go", None, "b"),  # type: ignore[arg-type]
        lambda: Transition(None, ["a"], "b"),  # type: ignore[arg-type]
        lambda: Transition("go", ["a"], "b", guards=None),  # type: ignore[arg-type]
        lambda: Transition("go", ["a"], "b", effects=[5]),  # type: ignore[list-item]
        lambda: Lifecycle(states=None, initial="a", terminal=["b"], transitions=[]),  # type: ignore[arg-type]
        lambda: Lifecycle(states=["a", "b"], initial="a", terminal=["b"], transitions=None),  # type: ignore[arg-type]
        lambda: Lifecycle(states=["a", "b"], initial="a", terminal=["b"], transitions=[5]),  # type: ignore[list-item]
        lambda: STANDARD_LIFECYCLE.extend(transitions=[5]),  # type: ignore[list-item]
        lambda: STANDARD_LIFECYCLE.extend(guards={"confirm": None}),  # type: ignore[dict-item]
        lambda: STANDARD_LIFECYCLE.extend(remove=None),  # type: ignore[arg-type]
        lambda: STANDARD_LIFECYCLE.replay([5]),  # type: ignore[list-item]
        lambda: STANDARD_LIFECYCLE.replay(None),  # type: ignore[arg-type]
    ],
)
def test_bad_lifecycle_declarations_raise_validation_error(declare: Any) -> None:
    with pytest.raises(ValidationError):
        declare()


def test_a_state_stuck_with_nothing_to_return_to_is_refused() -> None:
    # "escalate" enters on_hold without remembering the state it left, and on_hold's
    # only exit returns to the remembered state: an escalated order would be stuck.
    with pytest.raises(ValidationError, match=r"'on_hold' is a dead end"):
        STANDARD_LIFECYCLE.extend(transitions=[Transition("escalate", ["confirmed"], "on_hold")])
    # With a way out (cancel from on_hold) the same lifecycle is fine.
    STANDARD_LIFECYCLE.extend(
        transitions=[Transition("escalate", ["confirmed"], "on_hold")],
        sources={"cancel": ["on_hold"]},
    )
    # A nested hold overwrites what on_hold remembered: back on hold there is nothing to
    # return to, and the order can only loop between on_hold and escalated.
    with pytest.raises(ValidationError, match=r"'on_hold' is a dead end"):
        STANDARD_LIFECYCLE.extend(
            states=["escalated"],
            transitions=[
                Transition("escalate", ["on_hold"], "escalated", remembers_source=True),
                Transition("deescalate", ["escalated"], PREVIOUS_STATE),
            ],
        )
