"""A scriptable fake carrier for tests: given rates, failures on demand, every call recorded.

>>> from orderkit.errors import CarrierError
>>> from orderkit.fulfillment import Parcel, RateRequest, ShippingAddress
>>> request = RateRequest(ShippingAddress("DE", "10115"), [Parcel("1.5")])
>>> carrier = FakeCarrier()
>>> carrier.fail_next("rates", retryable=True)
>>> try:
...     carrier.rates(request)
... except CarrierError as error:
...     error.retryable
True
>>> [r.service for r in carrier.rates(request)], [c.method for c in carrier.calls]
(['standard'], ['rates', 'rates'])
"""

from __future__ import annotations

from collections import deque
from collections.abc import Sequence
from typing import Literal

import attrs

from orderkit.errors import CarrierError, ValidationError
from orderkit.fulfillment import (
    InMemoryCarrier,
    Label,
    Rate,
    RateRequest,
    Shipment,
    TrackingEvent,
    choose_rate,
)
from orderkit.money import Money

__all__ = ["CarrierCall", "CarrierMethod", "FakeCarrier", "ScriptedFailure"]

#: The carrier methods a failure can be scripted for.
CarrierMethod = Literal["rates", "create_label", "track", "cancel"]
_METHODS: frozenset[str] = frozenset({"rates", "create_label", "track", "cancel"})


@attrs.frozen
class CarrierCall:
    """One call the fake received, and whether a failure was scripted for it.

    ``argument`` is the rate request, the shipment id (for ``create_label``),
    the tracking number or the label.
    """

    method: CarrierMethod
    argument: RateRequest | Label | str
    idempotency_key: str | None = None
    failed: bool = False


@attrs.frozen
class ScriptedFailure:
    """A failure queued for a method.

    ``after_effect`` makes the call do its work first and fail afterwards, as
    a time-out after the carrier already created the label does.
    """

    error: CarrierError
    after_effect: bool = False


class FakeCarrier(InMemoryCarrier):
    """An in-memory carrier whose rates are given and whose failures are scripted.

    Rates are returned as given for every destination (default: one
    ``standard`` service at 5.00 EUR, 3 days). Labels, tracking and
    cancellation behave like :class:`~orderkit.fulfillment.InMemoryCarrier`,
    so the fake passes the carrier contract suite.
    """

    def __init__(self, name: str = "fake", rates: Sequence[Rate] | None = None) -> None:
        super().__init__(name)
        self._rates: tuple[Rate, ...] = ()
        self.set_rates(
            rates if rates is not None else [Rate(name, "standard", Money.of("5.00", "EUR"), 3)]
        )
        self._failures: dict[str, deque[ScriptedFailure]] = {m: deque() for m in _METHODS}
        #: Every call received, in order.
        self.calls: list[CarrierCall] = []

    # -- scripting ------------------------------------------------------------------------

    def set_rates(self, rates: Sequence[Rate]) -> None:
        """Replace the rates quoted from now on (each must name this carrier)."""
        for rate in rates:
            if rate.carrier != self.name:
                raise ValidationError(
                    f"rate for {rate.carrier!r} given to carrier {self.name!r}", path="rates"
                )
        self._rates = tuple(rates)

    def fail_next(
        self,
        method: CarrierMethod,
        *,
        retryable: bool = True,
        times: int = 1,
        message: str | None = None,
        after_effect: bool = False,
    ) -> None:
        """Make the next ``times`` calls of ``method`` raise :class:`CarrierError`."""
        if method not in _METHODS:
            raise ValidationError(f"{method!r} is not a carrier method", path="method")
        count: object = times
        if isinstance(count, bool) or not isinstance(count, int) or count < 1:
            raise ValidationError(f"must be a whole number >= 1, got {times!r}", path="times")
        text = message or ("time-out" if retryable else "refused")
        error = CarrierError(f"{text} (scripted)", retryable=retryable, carrier=self.name)
        for _ in range(times):
            self._failures[method].append(ScriptedFailure(error, after_effect))

    def time_out_after_label(self, *, times: int = 1) -> None:
        """The next label purchase succeeds at the carrier but the caller sees a time-out."""
        self.fail_next("create_label", retryable=True, times=times, after_effect=True)

    def calls_to(self, method: CarrierMethod) -> list[CarrierCall]:
        """The calls received for one method."""
        return [call for call in self.calls if call.method == method]

    # -- the port -------------------------------------------------------------------------

    def rates(self, request: RateRequest) -> list[Rate]:
        """The given rates, whatever the request."""
        failure = self._begin("rates", request)
        if failure is not None and not failure.after_effect:
            raise failure.error
        result = list(self._rates)
        if failure is not None:
            raise failure.error
        return result

    def create_label(self, shipment: Shipment, *, idempotency_key: str) -> Label:
        """Sell a label as :class:`InMemoryCarrier` does, unless a failure is scripted."""
        failure = self._begin("create_label", shipment.id, idempotency_key)
        if failure is not None and not failure.after_effect:
            raise failure.error
        label = super().create_label(shipment, idempotency_key=idempotency_key)
        if failure is not None:
            raise failure.error
        return label

    def track(self, tracking_number: str) -> list[TrackingEvent]:
        """Scans fed in with :meth:`add_scan`, unless a failure is scripted."""
        failure = self._begin("track", tracking_number)
        if failure is not None and not failure.after_effect:
            raise failure.error
        scans = super().track(tracking_number)
        if failure is not None:
            raise failure.error
        return scans

    def cancel(self, label: Label) -> None:
        """Void a label as :class:`InMemoryCarrier` does, unless a failure is scripted."""
        failure = self._begin("cancel", label)
        if failure is not None and not failure.after_effect:
            raise failure.error
        super().cancel(label)
        if failure is not None:
            raise failure.error

    def _rate_for(self, shipment: Shipment) -> Rate:
        # Quote without recording a second "rates" call or consuming its failures.
        offered = list(self._rates)
        if shipment.service is None:
            return choose_rate(offered)
        for rate in offered:
            if rate.service == shipment.service:
                return rate
        raise CarrierError(
            f"service {shipment.service!r} is not offered "
            f"(available: {sorted(r.service for r in offered)})",
            carrier=self.name,
        )

    def _begin(
        self,
        method: CarrierMethod,
        argument: RateRequest | Label | str,
        idempotency_key: str | None = None,
    ) -> ScriptedFailure | None:
        queue = self._failures[method]
        failure = queue.popleft() if queue else None
        self.calls.append(CarrierCall(method, argument, idempotency_key, failure is not None))
        return failure
