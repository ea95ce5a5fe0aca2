"""The carrier contract: what every :class:`~orderkit.fulfillment.CarrierPort` must do.

Subclass it in a test module and override the ``carrier`` fixture (and, when
your carrier does not serve Berlin or parcels of 1 kg, ``destination`` and
``parcels``)::

    class TestMyCarrier(CarrierContract):
        @pytest.fixture
        def carrier(self) -> CarrierPort:
            return MyCarrier(sandbox_credentials)
"""

from __future__ import annotations

from collections.abc import Callable

import pytest

from orderkit.errors import CarrierError, DuplicateRequest, NotFound
from orderkit.fulfillment import (
    CarrierPort,
    Parcel,
    RateRequest,
    Shipment,
    ShipmentItem,
    ShippingAddress,
    rate_request,
)
from orderkit.ids import LineId, LocationId, OrderId, ShipmentId, Sku

__all__ = ["CarrierContract"]

ShipmentFactory = Callable[[str], Shipment]


class CarrierContract:
    """Abstract pytest suite for carrier adapters. Not collected itself (no ``Test`` prefix)."""

    @pytest.fixture
    def carrier(self) -> CarrierPort:
        """The carrier under test: override this fixture."""
        raise NotImplementedError("override the 'carrier' fixture")  # pragma: no cover

    @pytest.fixture
    def destination(self) -> ShippingAddress:
        """A destination the carrier serves."""
        return ShippingAddress("DE", "10115", city="Berlin")

    @pytest.fixture
    def parcels(self) -> tuple[Parcel, ...]:
        """Parcels the carrier takes."""
        return (Parcel("1.0"),)

    @pytest.fixture
    def make_shipment(
        self, destination: ShippingAddress, parcels: tuple[Parcel, ...]
    ) -> ShipmentFactory:
        """A factory of pending shipments to the destination, by shipment id."""

        def make(shipment_id: str) -> Shipment:
            return Shipment.create(
                ShipmentId(shipment_id),
                order_id=OrderId(f"order-of-{shipment_id}"),
                location=LocationId("contract-warehouse"),
                destination=destination,
                items=[ShipmentItem(LineId("line-1"), Sku("SKU-1"), 1)],
                parcels=parcels,
            )

        return make

    # -- rates ---------------------------------------------------------------------------

    def test_rates_name_the_carrier_and_are_sane(
        self, carrier: CarrierPort, destination: ShippingAddress, parcels: tuple[Parcel, ...]
    ) -> None:
        rates = carrier.rates(RateRequest(destination, parcels))
        assert rates, "the contract destination and parcels must be served"
        for rate in rates:
            assert rate.carrier == carrier.name
            assert not rate.price.is_negative
            assert rate.transit_days >= 0
        assert len({r.service for r in rates}) == len(rates), "one rate per service"

    def test_rates_are_repeatable(
        self, carrier: CarrierPort, destination: ShippingAddress, parcels: tuple[Parcel, ...]
    ) -> None:
        request = RateRequest(destination, parcels)
        assert carrier.rates(request) == carrier.rates(request)

    # -- labels --------------------------------------------------------------------------

    def test_label_describes_the_shipment(
        self, carrier: CarrierPort, make_shipment: ShipmentFactory
    ) -> None:
        shipment = make_shipment("contract-s1")
        label = carrier.create_label(shipment, idempotency_key=shipment.id)
        assert label.shipment_id == shipment.id
        assert label.carrier == carrier.name
        assert label.tracking_number
        assert label.reference
        assert label.idempotency_key == shipment.id
        offered = {r.service: r.price for r in carrier.rates(rate_request(shipment))}
        assert offered.get(label.service) == label.price
        shipment.attach_label(label)
        assert shipment.tracking_number == label.tracking_number

    def test_label_uses_the_chosen_service(
        self, carrier: CarrierPort, make_shipment: ShipmentFactory
    ) -> None:
        shipment = make_shipment("contract-s2")
        for rate in carrier.rates(rate_request(shipment)):
            chosen = make_shipment(f"contract-s2-{rate.service}")
            chosen.choose_service(carrier.name, rate.service)
            label = carrier.create_label(chosen, idempotency_key=chosen.id)
            assert (label.service, label.price) == (rate.service, rate.price)

    def test_same_key_returns_the_same_label(
        self, carrier: CarrierPort, make_shipment: ShipmentFactory
    ) -> None:
        shipment = make_shipment("contract-s3")
        first = carrier.create_label(shipment, idempotency_key=shipment.id)
        again = carrier.create_label(shipment, idempotency_key=shipment.id)
        assert again == first

    def test_distinct_shipments_get_distinct_labels(
        self, carrier: CarrierPort, make_shipment: ShipmentFactory
    ) -> None:
        labels = [
            carrier.create_label(s, idempotency_key=s.id)
            for s in (make_shipment("contract-s4"), make_shipment("contract-s5"))
        ]
        assert labels[0].tracking_number != labels[1].tracking_number
        assert labels[0].reference != labels[1].reference

    def test_key_reused_for_another_shipment_is_refused(
        self, carrier: CarrierPort, make_shipment: ShipmentFactory
    ) -> None:
        carrier.create_label(make_shipment("contract-s6"), idempotency_key="contract-key-6")
        with pytest.raises(DuplicateRequest):
            carrier.create_label(make_shipment("contract-s7"), idempotency_key="contract-key-6")

    def test_unknown_service_is_refused_for_good(
        self, carrier: CarrierPort, make_shipment: ShipmentFactory
    ) -> None:
        shipment = make_shipment("contract-s8")
        shipment.choose_service(carrier.name, "no-such-service-exists")
        with pytest.raises(CarrierError) as caught:
            carrier.create_label(shipment, idempotency_key=shipment.id)
        assert not caught.value.retryable

    # -- tracking and cancelling ---------------------------------------------------------

    def test_new_label_tracks_in_time_order(
        self, carrier: CarrierPort, make_shipment: ShipmentFactory
    ) -> None:
        shipment = make_shipment("contract-s9")
        label = carrier.create_label(shipment, idempotency_key=shipment.id)
        scans = carrier.track(label.tracking_number)
        assert [s.sort_key for s in scans] == sorted(s.sort_key for s in scans)

    def test_unknown_tracking_number_is_not_found(self, carrier: CarrierPort) -> None:
        with pytest.raises(NotFound):
            carrier.track("NO-SUCH-TRACKING-NUMBER-0000")

    def test_cancel_is_idempotent(
        self, carrier: CarrierPort, make_shipment: ShipmentFactory
    ) -> None:
        shipment = make_shipment("contract-s10")
        label = carrier.create_label(shipment, idempotency_key=shipment.id)
        carrier.cancel(label)
        carrier.cancel(label)

    def test_cancelled_shipment_can_buy_a_new_label_under_a_new_key(
        self, carrier: CarrierPort, make_shipment: ShipmentFactory
    ) -> None:
        shipment = make_shipment("contract-s11")
        first = carrier.create_label(shipment, idempotency_key=shipment.id)
        carrier.cancel(first)
        second = carrier.create_label(shipment, idempotency_key=f"{shipment.id}/2")
        assert second.tracking_number != first.tracking_number

    def test_cancel_of_an_unknown_label_is_not_found(
        self, carrier: CarrierPort, make_shipment: ShipmentFactory
    ) -> None:
        shipment = make_shipment("contract-s12")
        label = carrier.create_label(shipment, idempotency_key=shipment.id)
        forged = type(label)(
            shipment_id=label.shipment_id,
            carrier=label.carrier,
            service=label.service,
            tracking_number="FORGED-0000",
            reference="forged-label-reference",
            price=label.price,
            idempotency_key="forged-key",
        )
        with pytest.raises(NotFound):
            carrier.cancel(forged)
