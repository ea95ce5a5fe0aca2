"""The carrier port, and the in-memory label desk the reference carriers share.

:class:`CarrierPort` is what a host implements to talk to a carrier (it lives
here, not in :mod:`orderkit.ports`, because domain packages may not import
ports; :mod:`orderkit.ports` re-exports it). Adapters translate their API's
failures into :class:`~orderkit.errors.CarrierError`, setting ``retryable``
for time-outs, rate limits and server errors, and clearing it for refusals
(bad address, unknown service).
"""

from __future__ import annotations

import abc
import hashlib
from collections.abc import Callable, Iterable

from orderkit.errors import (
    CarrierError,
    CurrencyMismatch,
    DuplicateRequest,
    NotFound,
    ValidationError,
)
from orderkit.fulfillment._lifecycle import SHIPMENT_TRANSITIONS
from orderkit.fulfillment._retry import RetryPolicy, call_with_retries
from orderkit.fulfillment._shipment import Shipment
from orderkit.fulfillment._values import (
    Label,
    Rate,
    RateRequest,
    ShipmentStatus,
    TrackingEvent,
    check_text,
)
from orderkit.ids import ShipmentId

__all__ = ["CarrierPort", "InMemoryCarrier", "buy_label", "choose_rate", "rate_request"]


class CarrierPort(abc.ABC):
    """A carrier: quotes rates, sells labels, reports tracking scans, voids labels.

    Errors: every method raises :class:`CarrierError` when the carrier fails
    (``retryable=True`` when trying again may help); :meth:`track` and
    :meth:`cancel` raise :class:`~orderkit.errors.NotFound` for a tracking
    number or label the carrier does not know; :meth:`create_label` raises
    :class:`~orderkit.errors.DuplicateRequest` when a key is reused for another
    shipment.
    """

    @property
    @abc.abstractmethod
    def name(self) -> str:
        """The carrier's name, as written on its rates and labels."""

    @abc.abstractmethod
    def rates(self, request: RateRequest) -> list[Rate]:
        """Quotes for every service that can carry the parcels (empty when none can)."""

    @abc.abstractmethod
    def create_label(self, shipment: Shipment, *, idempotency_key: str) -> Label:
        """Buy a label for ``shipment`` with its chosen service (the cheapest if none).

        The same ``idempotency_key`` always returns the same label, so a
        retry after a time-out never buys a second one. Use the shipment id.
        """

    @abc.abstractmethod
    def track(self, tracking_number: str) -> list[TrackingEvent]:
        """The scans so far for a tracking number, oldest first."""

    @abc.abstractmethod
    def cancel(self, label: Label) -> None:
        """Void an unused label. Cancelling a cancelled label does nothing."""


def rate_request(shipment: Shipment) -> RateRequest:
    """The rate request that describes ``shipment``."""
    return RateRequest(shipment.destination, shipment.parcels, shipment.location)


def choose_rate(rates: Iterable[Rate], *, max_transit_days: int | None = None) -> Rate:
    """The cheapest rate (then the fastest, then by service name) within ``max_transit_days``.

    Raises:
        CarrierError: no rate qualifies (not retryable: asking again will not help).
    """
    offered = list(rates)
    for index, rate in enumerate(offered):
        if not isinstance(rate, Rate):
            raise ValidationError(f"{rate!r} is not a Rate", path=f"rates[{index}]")
    currencies = sorted({r.price.currency.code for r in offered})
    if len(currencies) > 1:
        # Comparing bare amounts would call 5 USD cheaper than 600 JPY.
        raise CurrencyMismatch(currencies[0], currencies[1], "choose the cheapest rate between")
    eligible = [
        r for r in offered if max_transit_days is None or r.transit_days <= max_transit_days
    ]
    if not eligible:
        raise CarrierError(
            f"no rate within {max_transit_days} transit days"
            if max_transit_days is not None
            else "no carrier service can take this shipment",
            retryable=False,
        )
    return min(eligible, key=lambda r: (r.price.amount, r.transit_days, r.carrier, r.service))


def buy_label(
    shipment: Shipment,
    carrier: CarrierPort,
    *,
    policy: RetryPolicy,
    sleep: Callable[[float], object],
) -> Label:
    """Buy a label for a pending shipment and attach it, retrying retryable failures.

    The shipment id is the idempotency key on every try, so a retry after a
    time-out returns the label the carrier already made. A shipment that
    already has its label gets it back without a carrier call. When the
    carrier refuses (or the tries run out) the :class:`CarrierError`
    propagates and the shipment is unchanged.
    """
    if shipment.status is ShipmentStatus.LABEL_CREATED and shipment.label is not None:
        return shipment.label
    SHIPMENT_TRANSITIONS.check(shipment.status, ShipmentStatus.LABEL_CREATED, action="buy_label")
    label = call_with_retries(
        lambda: carrier.create_label(shipment, idempotency_key=str(shipment.id)), policy, sleep
    )
    shipment.attach_label(label)
    return label


class InMemoryCarrier(CarrierPort):
    """A carrier whose labels and scans live in memory; subclasses only quote rates.

    Deterministic: the tracking number and label reference are derived from
    the carrier name and the idempotency key, never from randomness or a clock.
    Hosts use it for local delivery (their own vans) and in tests; scans are
    fed in with :meth:`add_scan`.
    """

    def __init__(self, name: str) -> None:
        self._name = check_text(name, "name")
        self._by_key: dict[str, Label] = {}
        self._active: dict[ShipmentId, Label] = {}
        self._cancelled: set[str] = set()
        self._scans: dict[str, list[TrackingEvent]] = {}

    @property
    def name(self) -> str:
        """The carrier's name."""
        return self._name

    @property
    def labels(self) -> tuple[Label, ...]:
        """Every label sold, in order of sale (cancelled ones included)."""
        return tuple(self._by_key.values())

    def is_cancelled(self, label: Label) -> bool:
        """Whether ``label`` was voided."""
        return label.reference in self._cancelled

    def create_label(self, shipment: Shipment, *, idempotency_key: str) -> Label:
        """Sell a label, or return the one sold under ``idempotency_key`` before."""
        check_text(idempotency_key, "idempotency_key")
        known = self._by_key.get(idempotency_key)
        if known is not None:
            if known.shipment_id != shipment.id:
                raise DuplicateRequest(
                    idempotency_key, f"already used for shipment {known.shipment_id!r}"
                )
            if known.reference in self._cancelled:
                raise DuplicateRequest(idempotency_key, f"label {known.reference} was cancelled")
            return known
        active = self._active.get(shipment.id)
        if active is not None:
            raise DuplicateRequest(
                idempotency_key,
                f"shipment {shipment.id!r} already has label {active.reference} "
                f"(key {active.idempotency_key!r})",
            )
        if shipment.carrier is not None and shipment.carrier != self._name:
            raise CarrierError(
                f"shipment {shipment.id!r} is booked with {shipment.carrier!r}",
                carrier=self._name,
            )
        rate = self._rate_for(shipment)
        digest = hashlib.sha256(f"{self._name}\0{idempotency_key}".encode()).hexdigest().upper()
        label = Label(
            shipment_id=shipment.id,
            carrier=self._name,
            service=rate.service,
            tracking_number=f"{self._prefix()}{digest[:16]}",
            reference=f"{self._name}-label-{digest[16:28].lower()}",
            price=rate.price,
            idempotency_key=idempotency_key,
        )
        self._by_key[idempotency_key] = label
        self._active[shipment.id] = label
        self._scans[label.tracking_number] = []
        return label

    def track(self, tracking_number: str) -> list[TrackingEvent]:
        """Scans fed in with :meth:`add_scan`, oldest first."""
        return list(self._scans_of(tracking_number))

    def cancel(self, label: Label) -> None:
        """Void a label that has not been scanned yet."""
        known = self._known(label)
        if known.reference in self._cancelled:
            return
        if self._scans[known.tracking_number]:
            raise CarrierError(
                f"label {known.reference} is already in the network and cannot be cancelled",
                carrier=self._name,
            )
        self._cancelled.add(known.reference)
        self._active.pop(known.shipment_id, None)

    def add_scan(self, tracking_number: str, event: TrackingEvent) -> None:
        """Report a scan for a label (what a real carrier's network would do)."""
        scans = self._scans_of(tracking_number)
        if event not in scans:
            scans.append(event)
            scans.sort(key=lambda e: e.sort_key)

    # -- for subclasses ----------------------------------------------------------------

    def _prefix(self) -> str:
        """Start of tracking numbers: the first letters of the carrier name."""
        letters = "".join(c for c in self._name.upper() if c.isalnum())
        return (letters or "CR")[:3]

    def _rate_for(self, shipment: Shipment) -> Rate:
        offered = self.rates(rate_request(shipment))
        if shipment.service is None:
            return choose_rate(offered)
        for rate in offered:
            if rate.service == shipment.service:
                return rate
        services = sorted(r.service for r in offered)
        raise CarrierError(
            f"service {shipment.service!r} cannot take shipment {shipment.id!r} "
            f"(available: {services})",
            carrier=self._name,
        )

    def _known(self, label: Label) -> Label:
        if not isinstance(label, Label):
            raise ValidationError(f"{label!r} is not a Label", path="label")
        known = self._by_key.get(label.idempotency_key)
        if known is None or known.reference != label.reference:
            raise NotFound("label", label.reference)
        return known

    def _scans_of(self, tracking_number: str) -> list[TrackingEvent]:
        scans = self._scans.get(tracking_number)
        if scans is None:
            raise NotFound("tracking number", tracking_number)
        return scans
