"""The Shipment aggregate: creation, labels, dispatch, tracking, cancellation, invariants."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, invariant, precondition, rule

from orderkit.errors import InvalidTransition, OrderkitError, ValidationError
from orderkit.events import DomainEvent
from orderkit.fulfillment import (
    FINAL_STATUSES,
    SHIPMENT_TRANSITIONS,
    TRACKABLE_STATUSES,
    Label,
    Parcel,
    Shipment,
    ShipmentCancelled,
    ShipmentCreated,
    ShipmentDelivered,
    ShipmentDispatched,
    ShipmentFailed,
    ShipmentItem,
    ShipmentLabelCreated,
    ShipmentReturnedToSender,
    ShipmentStatus,
    ShipmentTransitions,
    ShippingAddress,
    TrackingEvent,
    TrackingUpdated,
)
from orderkit.ids import LineId, LocationId, OrderId, ShipmentId, Sku
from orderkit.money import Money
from orderkit.serialization import converter
from orderkit.testing.strategies import labels, shipments, tracking_events

S = ShipmentStatus
T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def _shipment(shipment_id: str = "S1") -> Shipment:
    return Shipment.create(
        ShipmentId(shipment_id),
        order_id=OrderId("O1"),
        location=LocationId("WH1"),
        destination=ShippingAddress("DE", "10115"),
        items=[ShipmentItem(LineId("L1"), Sku("A"), 2), ShipmentItem(LineId("L2"), Sku("B"), 1)],
        parcels=[Parcel("2.5")],
    )


def _label(shipment_id: str = "S1", *, carrier: str = "post", service: str = "standard") -> Label:
    return Label(
        shipment_id=ShipmentId(shipment_id),
        carrier=carrier,
        service=service,
        tracking_number="TRK1",
        reference="label-1",
        price=Money.of("4.90", "EUR"),
        idempotency_key=shipment_id,
    )


def _dispatched() -> Shipment:
    shipment = _shipment()
    shipment.attach_label(_label())
    shipment.dispatch(T0, promised_delivery=dt.date(2026, 3, 4))
    shipment.pull_events()
    return shipment


def _scan(hours: int, status: ShipmentStatus, where: str = "Hub") -> TrackingEvent:
    return TrackingEvent(T0 + dt.timedelta(hours=hours), status, where, status.value)


def _snapshot(shipment: Shipment) -> tuple[object, tuple[object, ...]]:
    return converter.unstructure(shipment), shipment.pending_events


# -- examples -----------------------------------------------------------------------------


def test_happy_path_records_each_event_with_what_subscribers_need() -> None:
    shipment = _shipment()
    shipment.attach_label(_label())
    shipment.dispatch(T0, promised_delivery=dt.date(2026, 3, 4))
    shipment.record_tracking(_scan(5, S.IN_TRANSIT))
    shipment.record_tracking(_scan(20, S.OUT_FOR_DELIVERY))
    shipment.record_tracking(_scan(24, S.DELIVERED, "Berlin"))
    events = shipment.pull_events()
    assert [type(e) for e in events] == [
        ShipmentCreated,
        ShipmentLabelCreated,
        ShipmentDispatched,
        TrackingUpdated,
        TrackingUpdated,
        TrackingUpdated,
        ShipmentDelivered,
    ]
    dispatched = events[2]
    assert isinstance(dispatched, ShipmentDispatched)
    assert dispatched.order_id == "O1"
    assert dispatched.shipment_id == "S1"
    assert dispatched.location == "WH1"
    assert dispatched.items == shipment.items
    assert dispatched.tracking_number == "TRK1"
    assert dispatched.promised_delivery == dt.date(2026, 3, 4)
    assert dispatched.aggregate_type == "shipment"
    assert dispatched.aggregate_key == "S1"
    assert shipment.status is S.DELIVERED
    assert shipment.delivered_at == T0 + dt.timedelta(hours=24)
    assert shipment.pending_events == ()
    assert shipment.is_final


def test_scans_of_the_same_second_are_ordered_by_progress() -> None:
    shipment = _dispatched()
    shipment.record_tracking(_scan(5, S.DELIVERED))
    shipment.record_tracking(_scan(5, S.OUT_FOR_DELIVERY))
    assert shipment.status is S.DELIVERED
    assert [e.status for e in shipment.tracking] == [S.OUT_FOR_DELIVERY, S.DELIVERED]


def test_carrier_may_skip_scans() -> None:
    shipment = _dispatched()
    shipment.record_tracking(_scan(30, S.DELIVERED))
    assert shipment.status is S.DELIVERED


def test_same_scan_twice_is_recorded_once() -> None:
    shipment = _dispatched()
    assert shipment.record_tracking(_scan(5, S.IN_TRANSIT)) is True
    assert shipment.record_tracking(_scan(5, S.IN_TRANSIT)) is False
    assert len(shipment.tracking) == 1
    assert len(shipment.pull_events()) == 1


def test_late_arriving_older_scan_joins_history_without_moving_status() -> None:
    shipment = _dispatched()
    shipment.record_tracking(_scan(20, S.OUT_FOR_DELIVERY))
    shipment.record_tracking(_scan(5, S.IN_TRANSIT))
    assert shipment.status is S.OUT_FOR_DELIVERY
    assert [e.status for e in shipment.tracking] == [S.IN_TRANSIT, S.OUT_FOR_DELIVERY]


def test_delivered_twice_emits_one_delivery() -> None:
    shipment = _dispatched()
    shipment.mark_delivered(T0 + dt.timedelta(hours=30))
    shipment.mark_delivered(T0 + dt.timedelta(hours=30))
    shipment.mark_delivered(T0 + dt.timedelta(hours=31), description="driver app")
    delivered = [e for e in shipment.pull_events() if isinstance(e, ShipmentDelivered)]
    assert len(delivered) == 1


def test_nothing_follows_delivery() -> None:
    shipment = _dispatched()
    shipment.mark_delivered(T0 + dt.timedelta(hours=30))
    with pytest.raises(InvalidTransition) as caught:
        shipment.record_tracking(_scan(40, S.RETURNED_TO_SENDER))
    assert caught.value.state == "delivered"
    assert caught.value.allowed == ()


def test_failure_and_return_carry_items_and_reason() -> None:
    failed = _dispatched()
    failed.record_tracking(TrackingEvent(T0 + dt.timedelta(hours=9), S.FAILED, "", "damaged"))
    event = failed.pull_events()[-1]
    assert isinstance(event, ShipmentFailed)
    assert (event.items, event.reason) == (failed.items, "damaged")
    returned = _dispatched()
    returned.record_tracking(_scan(9, S.EXCEPTION))
    returned.record_tracking(_scan(19, S.RETURNED_TO_SENDER))
    assert isinstance(returned.pull_events()[-1], ShipmentReturnedToSender)


def test_tracking_before_dispatch_is_refused() -> None:
    shipment = _shipment()
    shipment.attach_label(_label())
    with pytest.raises(InvalidTransition, match="after dispatch"):
        shipment.record_tracking(_scan(1, S.IN_TRANSIT))


def test_dispatch_needs_a_label() -> None:
    with pytest.raises(InvalidTransition) as caught:
        _shipment().dispatch(T0)
    assert caught.value.state == "pending"
    assert caught.value.allowed == ("cancelled", "label_created")


def test_label_for_another_shipment_is_refused() -> None:
    with pytest.raises(ValidationError, match="S2"):
        _shipment().attach_label(_label("S2"))


def test_label_must_match_the_chosen_service() -> None:
    shipment = _shipment()
    shipment.choose_service("post", "express")
    with pytest.raises(ValidationError, match="standard"):
        shipment.attach_label(_label())
    shipment.attach_label(_label(service="express"))
    assert (shipment.carrier, shipment.service) == ("post", "express")


def test_attaching_the_same_label_again_is_a_no_op() -> None:
    shipment = _shipment()
    shipment.attach_label(_label())
    shipment.attach_label(_label())
    assert [type(e) for e in shipment.pull_events()] == [ShipmentCreated, ShipmentLabelCreated]
    with pytest.raises(InvalidTransition):
        shipment.attach_label(attrs.evolve(_label(), reference="label-2"))


def test_cancel_names_the_label_and_then_refuses_dispatch() -> None:
    shipment = _shipment()
    shipment.attach_label(_label())
    shipment.cancel()
    event = shipment.pull_events()[-1]
    assert isinstance(event, ShipmentCancelled)
    assert event.label_reference == "label-1"
    with pytest.raises(InvalidTransition):
        shipment.dispatch(T0)


def test_cannot_cancel_after_dispatch() -> None:
    with pytest.raises(InvalidTransition, match="cancel"):
        _dispatched().cancel()


def test_promise_before_dispatch_is_refused() -> None:
    shipment = _shipment()
    shipment.attach_label(_label())
    with pytest.raises(ValidationError, match="2026-03-01"):
        shipment.dispatch(T0, promised_delivery=dt.date(2026, 3, 1))
    assert shipment.status is S.LABEL_CREATED


@pytest.mark.parametrize(
    ("change", "path"),
    [
        ({"items": []}, "items"),
        ({"parcels": []}, "parcels"),
        (
            {
                "items": [
                    ShipmentItem(LineId("L1"), Sku("A"), 1),
                    ShipmentItem(LineId("L1"), Sku("A"), 2),
                ]
            },
            "items",
        ),
        ({"order_id": ""}, "order_id"),
    ],
)
def test_bad_shipments_are_refused(change: dict[str, object], path: str) -> None:
    arguments: dict[str, object] = {
        "order_id": OrderId("O1"),
        "location": LocationId("WH1"),
        "destination": ShippingAddress("DE", "10115"),
        "items": [ShipmentItem(LineId("L1"), Sku("A"), 1)],
        "parcels": [Parcel("1")],
    }
    arguments.update(change)
    with pytest.raises(ValidationError) as caught:
        Shipment.create(ShipmentId("S1"), **arguments)  # type: ignore[arg-type]
    assert path in caught.value.errors


def test_stored_form_with_inconsistent_state_is_refused() -> None:
    stored = converter.unstructure(_shipment())
    stored["status"] = "in_transit"
    with pytest.raises(ValidationError):
        converter.structure(stored, Shipment)


def test_quantities_and_weight_views() -> None:
    shipment = _shipment()
    assert shipment.quantity_by_line == {"L1": 2, "L2": 1}
    assert shipment.units == 3
    assert shipment.parcels[0].weight == Decimal("2.5")


def test_transition_table_is_checked_when_built() -> None:
    with pytest.raises(ValidationError, match="without a row"):
        ShipmentTransitions({S.PENDING: frozenset({S.CANCELLED})})
    table = dict(SHIPMENT_TRANSITIONS.table)
    table[S.PENDING] = frozenset({S.CANCELLED})
    table[S.CANCELLED] = frozenset()
    with pytest.raises(ValidationError, match="unreachable"):
        ShipmentTransitions(table)
    assert "pending --> label_created" in SHIPMENT_TRANSITIONS.to_mermaid()
    assert {S.DELIVERED, S.FAILED, S.RETURNED_TO_SENDER, S.CANCELLED} == FINAL_STATUSES


# -- properties ---------------------------------------------------------------------------


@given(shipments())
def test_generated_shipments_round_trip_through_the_converter(shipment: Shipment) -> None:
    data = converter.unstructure(shipment)
    assert converter.structure(data, Shipment) == shipment
    for event in shipment.pending_events:
        assert event.aggregate_type == "shipment"
        assert event.aggregate_key == shipment.id
        raw = converter.unstructure(event, DomainEvent)
        assert raw["type"] == type(event).__name__
        assert converter.structure(raw, DomainEvent) == event


@given(shipments())
def test_tracking_is_sorted_and_unique(shipment: Shipment) -> None:
    keys = [e.sort_key for e in shipment.tracking]
    assert keys == sorted(set(keys))


@given(shipments(), st.data())
def test_refused_calls_change_nothing(shipment: Shipment, data: st.DataObject) -> None:
    attempts: list[Callable[[], object]] = [
        lambda: shipment.attach_label(data.draw(labels())),
        lambda: shipment.dispatch(T0 + dt.timedelta(hours=data.draw(st.integers(-500, 500)))),
        shipment.cancel,
        lambda: shipment.record_tracking(data.draw(tracking_events())),
        lambda: shipment.choose_service("post", data.draw(st.sampled_from(["", "standard"]))),
    ]
    attempt = data.draw(st.sampled_from(attempts))
    before = _snapshot(shipment)
    try:
        attempt()
    except OrderkitError:
        assert _snapshot(shipment) == before


@given(st.data())
def test_scan_order_of_arrival_does_not_change_history(data: st.DataObject) -> None:
    """In-transit scans arriving in any order leave the same history and status."""
    scans = data.draw(
        st.lists(tracking_events(statuses=frozenset({S.IN_TRANSIT}), after=T0), max_size=8)
    )
    shuffled = data.draw(st.permutations(scans))
    first, second = _dispatched(), _dispatched()
    for scan in scans:
        first.record_tracking(scan)
    for scan in shuffled:
        second.record_tracking(scan)
    assert first.tracking == second.tracking
    assert first.status is second.status
    assert len(first.tracking) == len(set(scans))


# -- state machine ------------------------------------------------------------------------


class ShipmentMachine(RuleBasedStateMachine):
    """Drives one shipment with any call, legal or not, against a simple model."""

    def __init__(self) -> None:
        super().__init__()
        self.shipment = _shipment()
        self.shipment.pull_events()
        self.status = S.PENDING
        self.scans: set[TrackingEvent] = set()
        self.now = T0
        self.deliveries = 0

    @rule()
    def attach(self) -> None:
        legal = self.status is S.PENDING
        try:
            self.shipment.attach_label(_label())
        except InvalidTransition:
            assert not legal
            assert self.status is not S.LABEL_CREATED
        else:
            assert legal or self.status is S.LABEL_CREATED
            self.status = S.LABEL_CREATED

    @rule(hours=st.integers(0, 48))
    def dispatch(self, hours: int) -> None:
        legal = self.status is S.LABEL_CREATED
        self.now += dt.timedelta(hours=hours)
        try:
            self.shipment.dispatch(self.now)
        except InvalidTransition:
            assert not legal
        else:
            assert legal
            self.status = S.DISPATCHED

    @rule()
    def cancel(self) -> None:
        legal = self.status in {S.PENDING, S.LABEL_CREATED}
        try:
            self.shipment.cancel()
        except InvalidTransition:
            assert not legal
        else:
            assert legal
            self.status = S.CANCELLED

    @rule(status=st.sampled_from(sorted(TRACKABLE_STATUSES)), hours=st.integers(0, 24))
    def scan(self, status: ShipmentStatus, hours: int) -> None:
        self.now += dt.timedelta(hours=hours)
        event = TrackingEvent(self.now, status, "Hub", "scan")
        sent = self.status not in {S.PENDING, S.LABEL_CREATED, S.CANCELLED}
        newest = all(event.sort_key > e.sort_key for e in self.scans)
        duplicate = event in self.scans
        moves = newest and status is not self.status
        legal = duplicate or (
            sent and (not moves or SHIPMENT_TRANSITIONS.allows(self.status, status))
        )
        try:
            added = self.shipment.record_tracking(event)
        except InvalidTransition:
            assert not legal
        else:
            assert legal
            assert added is not duplicate
            if added:
                self.scans.add(event)
                if moves:
                    self.status = status
                    self.deliveries += status is S.DELIVERED

    @precondition(lambda self: self.scans)
    @rule(data=st.data())
    def replay_a_known_scan(self, data: st.DataObject) -> None:
        event = data.draw(st.sampled_from(sorted(self.scans, key=lambda e: e.sort_key)))
        before = _snapshot(self.shipment)
        assert self.shipment.record_tracking(event) is False
        assert _snapshot(self.shipment) == before

    @invariant()
    def matches_the_model(self) -> None:
        assert self.shipment.status is self.status
        assert set(self.shipment.tracking) == self.scans
        delivered = [e for e in self.shipment.pending_events if isinstance(e, ShipmentDelivered)]
        assert len(delivered) == self.deliveries <= 1


TestShipmentMachine = ShipmentMachine.TestCase


def test_refusals_name_the_action() -> None:
    with pytest.raises(InvalidTransition) as caught:
        _shipment().dispatch(T0)
    assert caught.value.event == "dispatch"
    assert "cannot 'dispatch' from state 'pending'" in str(caught.value)


def test_scan_batch_is_applied_oldest_first() -> None:
    shipment = _dispatched()
    batch = [_scan(30, S.DELIVERED), _scan(5, S.IN_TRANSIT), _scan(20, S.OUT_FOR_DELIVERY)]
    assert shipment.record_scans(batch) == 3
    assert shipment.record_scans(batch) == 0
    assert shipment.status is S.DELIVERED
    assert [type(e) for e in shipment.pull_events()][-1] is ShipmentDelivered


def test_scan_batch_with_an_illegal_move_changes_nothing() -> None:
    shipment = _dispatched()
    shipment.record_tracking(_scan(10, S.DELIVERED))
    before = _snapshot(shipment)
    with pytest.raises(InvalidTransition):
        shipment.record_scans([_scan(5, S.IN_TRANSIT), _scan(40, S.EXCEPTION)])
    assert _snapshot(shipment) == before
    with pytest.raises(ValidationError, match="events"):
        shipment.record_scans(["scan"])  # type: ignore[list-item]


@given(st.lists(tracking_events(after=T0), max_size=8))
def test_batch_equals_one_by_one_in_time_order_when_legal(scans: list[TrackingEvent]) -> None:
    batched, single = _dispatched(), _dispatched()
    try:
        for scan in sorted(scans, key=lambda e: e.sort_key):
            single.record_tracking(scan)
    except InvalidTransition:
        before = _snapshot(batched)
        with pytest.raises(InvalidTransition):
            batched.record_scans(scans)
        assert _snapshot(batched) == before
        return
    batched.record_scans(scans)
    assert batched.tracking == single.tracking
    assert batched.status is single.status
