"""FakeCarrier scripting, retries around it, and the label desk as a state machine."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.stateful import Bundle, RuleBasedStateMachine, invariant, rule

from orderkit.errors import (
    CarrierError,
    DuplicateRequest,
    InvalidTransition,
    NotFound,
    ValidationError,
)
from orderkit.fulfillment import (
    Label,
    Parcel,
    Rate,
    RetryPolicy,
    Shipment,
    ShipmentItem,
    ShippingAddress,
    buy_label,
    call_with_retries,
    rate_request,
)
from orderkit.ids import LineId, LocationId, OrderId, ShipmentId, Sku
from orderkit.money import Money
from orderkit.serialization import converter
from orderkit.testing.carriers import CarrierCall, FakeCarrier


def _shipment(shipment_id: str = "S1") -> Shipment:
    return Shipment.create(
        ShipmentId(shipment_id),
        order_id=OrderId("O1"),
        location=LocationId("WH1"),
        destination=ShippingAddress("DE", "10115"),
        items=[ShipmentItem(LineId("L1"), Sku("A"), 1)],
        parcels=[Parcel("1")],
    )


def _buy(carrier: FakeCarrier, shipment: Shipment, sleeps: list[float]) -> Label:
    return call_with_retries(
        lambda: carrier.create_label(shipment, idempotency_key=shipment.id),
        RetryPolicy(attempts=3, base_delay=0.5, multiplier=2),
        sleeps.append,
    )


def test_two_retryable_failures_then_success_yield_exactly_one_label() -> None:
    carrier = FakeCarrier()
    carrier.fail_next("create_label", retryable=True, times=2)
    sleeps: list[float] = []
    label = _buy(carrier, _shipment(), sleeps)
    assert carrier.labels == (label,)
    assert sleeps == [0.5, 1.0]
    assert [c.failed for c in carrier.calls_to("create_label")] == [True, True, False]


def test_time_out_after_the_label_was_made_does_not_duplicate_it() -> None:
    carrier = FakeCarrier()
    carrier.time_out_after_label(times=2)
    label = _buy(carrier, _shipment(), [])
    assert carrier.labels == (label,)
    assert {c.idempotency_key for c in carrier.calls_to("create_label")} == {"S1"}


def test_non_retryable_failure_is_raised_at_once() -> None:
    carrier = FakeCarrier()
    carrier.fail_next("create_label", retryable=False, message="address rejected")
    sleeps: list[float] = []
    with pytest.raises(CarrierError, match="address rejected") as caught:
        _buy(carrier, _shipment(), sleeps)
    assert not caught.value.retryable
    assert sleeps == []
    assert carrier.labels == ()
    assert len(carrier.calls) == 1


def test_retries_run_out() -> None:
    carrier = FakeCarrier()
    carrier.fail_next("create_label", times=5)
    sleeps: list[float] = []
    with pytest.raises(CarrierError) as caught:
        _buy(carrier, _shipment(), sleeps)
    assert caught.value.retryable
    assert len(sleeps) == 2
    assert len(carrier.calls) == 3
    assert carrier.labels == ()


def test_other_errors_are_not_retried() -> None:
    calls: list[int] = []

    def broken() -> None:
        calls.append(1)
        raise NotFound("label", "x")

    with pytest.raises(NotFound):
        call_with_retries(broken, RetryPolicy(attempts=5), lambda _: None)
    assert calls == [1]


def test_given_rates_are_returned_and_calls_recorded() -> None:
    rates = [
        Rate("acme", "eco", Money.of("2", "EUR"), 4),
        Rate("acme", "exp", Money.of("9", "EUR"), 1),
    ]
    carrier = FakeCarrier("acme", rates)
    request = rate_request(_shipment())
    assert carrier.rates(request) == rates
    assert carrier.calls == [CarrierCall("rates", request)]
    carrier.set_rates([])
    assert carrier.rates(request) == []
    with pytest.raises(CarrierError):
        carrier.create_label(_shipment(), idempotency_key="S1")


def test_rates_for_another_carrier_are_refused() -> None:
    with pytest.raises(ValidationError, match="other"):
        FakeCarrier("acme", [Rate("other", "eco", Money.of("2", "EUR"), 4)])


def test_track_and_cancel_failures_can_be_scripted() -> None:
    carrier = FakeCarrier()
    label = carrier.create_label(_shipment(), idempotency_key="S1")
    carrier.fail_next("track")
    with pytest.raises(CarrierError):
        carrier.track(label.tracking_number)
    assert carrier.track(label.tracking_number) == []
    carrier.fail_next("cancel", after_effect=True)
    with pytest.raises(CarrierError):
        carrier.cancel(label)
    assert carrier.is_cancelled(label)
    carrier.cancel(label)
    assert [c.method for c in carrier.calls] == [
        "create_label",
        "track",
        "track",
        "cancel",
        "cancel",
    ]


def test_bad_scripts_are_refused() -> None:
    carrier = FakeCarrier()
    with pytest.raises(ValidationError, match="method"):
        carrier.fail_next("ship")  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="times"):
        carrier.fail_next("rates", times=0)


@pytest.mark.parametrize(
    ("kwargs", "path"),
    [
        ({"attempts": 0}, "attempts"),
        ({"base_delay": -1}, "delay"),
        ({"max_delay": float("inf")}, "delay"),
        ({"multiplier": 0.5}, "multiplier"),
        ({"base_delay": "1"}, "delay"),
    ],
)
def test_bad_retry_policies_are_refused(kwargs: dict[str, object], path: str) -> None:
    with pytest.raises(ValidationError) as caught:
        RetryPolicy(**kwargs)  # type: ignore[arg-type]
    assert path in caught.value.errors


class LabelDeskMachine(RuleBasedStateMachine):
    """Random label purchases (with time-outs), cancellations and retries against a model."""

    shipments = Bundle("shipments")

    def __init__(self) -> None:
        super().__init__()
        self.carrier = FakeCarrier()
        self.by_key: dict[str, Label] = {}
        self.cancelled: set[str] = set()
        self.active: dict[str, str] = {}

    @rule(target=shipments, n=st.integers(1, 4))
    def new_shipment(self, n: int) -> Shipment:
        return _shipment(f"S{n}")

    @rule(shipment=shipments, suffix=st.sampled_from(["", "/2", "/3"]), timeout=st.booleans())
    def buy(self, shipment: Shipment, suffix: str, timeout: bool) -> None:
        key = f"{shipment.id}{suffix}"
        if timeout:
            self.carrier.time_out_after_label()
        known = self.by_key.get(key)
        refused = (known is not None and key in self.cancelled) or (
            known is None and shipment.id in self.active
        )
        try:
            label = call_with_retries(
                lambda: self.carrier.create_label(shipment, idempotency_key=key),
                RetryPolicy(attempts=2),
                lambda _: None,
            )
        except DuplicateRequest:
            assert refused
            return
        assert not refused
        if known is not None:
            assert label == known
        self.by_key[key] = label
        self.active[shipment.id] = key

    @rule(data=st.data())
    def cancel(self, data: st.DataObject) -> None:
        if not self.by_key:
            return
        key = data.draw(st.sampled_from(sorted(self.by_key)))
        label = self.by_key[key]
        self.carrier.cancel(label)
        self.cancelled.add(key)
        if self.active.get(label.shipment_id) == key:
            del self.active[label.shipment_id]

    @invariant()
    def one_label_per_key_and_one_active_per_shipment(self) -> None:
        labels = self.carrier.labels
        assert len(labels) == len(self.by_key)
        assert {lbl.idempotency_key for lbl in labels} == set(self.by_key)
        active = [lbl for lbl in labels if not self.carrier.is_cancelled(lbl)]
        assert len({lbl.shipment_id for lbl in active}) == len(active)


TestLabelDesk = LabelDeskMachine.TestCase


def test_buy_label_retries_and_attaches_exactly_one_label() -> None:
    carrier = FakeCarrier()
    carrier.fail_next("create_label", times=2)
    shipment = _shipment()
    sleeps: list[float] = []
    label = buy_label(shipment, carrier, policy=RetryPolicy(attempts=3), sleep=sleeps.append)
    assert carrier.labels == (label,)
    assert shipment.label == label
    assert len(sleeps) == 2
    assert buy_label(shipment, carrier, policy=RetryPolicy(), sleep=sleeps.append) == label
    assert len(carrier.calls_to("create_label")) == 3


def test_buy_label_refused_leaves_the_shipment_unchanged() -> None:
    carrier = FakeCarrier()
    carrier.fail_next("create_label", retryable=False)
    shipment = _shipment()
    before = (converter.unstructure(shipment), shipment.pending_events)
    with pytest.raises(CarrierError):
        buy_label(shipment, carrier, policy=RetryPolicy(), sleep=lambda _: None)
    assert (converter.unstructure(shipment), shipment.pending_events) == before


def test_buy_label_for_a_cancelled_shipment_never_calls_the_carrier() -> None:
    carrier = FakeCarrier()
    shipment = _shipment()
    shipment.cancel()
    with pytest.raises(InvalidTransition, match="buy_label"):
        buy_label(shipment, carrier, policy=RetryPolicy(), sleep=lambda _: None)
    assert carrier.calls == []


_outcomes = st.lists(st.sampled_from(["ok", "retryable", "fatal"]), min_size=1, max_size=8)


@given(_outcomes, st.integers(1, 6))
def test_call_with_retries_matches_its_model(outcomes: list[str], attempts: int) -> None:
    policy = RetryPolicy(attempts=attempts, base_delay=1, multiplier=2, max_delay=3)
    script = iter(outcomes + ["ok"] * attempts)
    calls: list[str] = []
    sleeps: list[float] = []

    def call() -> str:
        outcome = next(script)
        calls.append(outcome)
        if outcome != "ok":
            raise CarrierError(outcome, retryable=outcome == "retryable")
        return "done"

    padded = outcomes + ["ok"] * attempts
    stop = next(i for i, o in enumerate(padded) if o != "retryable" or i == attempts - 1)
    if padded[stop] == "ok":
        assert call_with_retries(call, policy, sleeps.append) == "done"
    else:
        with pytest.raises(CarrierError, match=f"^{padded[stop]}$"):
            call_with_retries(call, policy, sleeps.append)
    assert len(calls) == stop + 1
    assert sleeps == list(policy.delays()[:stop])
