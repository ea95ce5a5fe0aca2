"""A reusable stateful test of :class:`~orderkit.service.OrderService` on any storage adapter.

``OrderServiceMachine`` places, confirms, allocates, cancels (whole orders
and some of their units), ships, delivers and invoices random orders of two
customers over three scarce skus in two locations, priced with a
usage-limited coupon and a first-order promotion, with a carrier that fails
on demand and a clock that moves, and checks after every step that stock,
orders, usage counters and outbox agree (:func:`~orderkit.testing.audit.audit_store`),
that live orders never use the coupon more often than its limit nor a
customer's first-order promotion twice,
that invoice numbers are gapless, that a refused command left no trace and
that a replayed idempotency key returned the first result and changed nothing.

Run it on an adapter by saying how to make a fresh store::

    from orderkit.adapters.memory import MemoryStore
    from orderkit.testing.service_machine import OrderServiceMachine


    def memory_store():
        store = MemoryStore()
        return store.unit_of_work, lambda: None


    TestOnMemory = OrderServiceMachine.with_store(memory_store).TestCase

The PostgreSQL adapter runs the same machine with its own factory, which makes
it a differential test of the adapters: every one must keep the same books.
"""

from __future__ import annotations

import datetime as dt
import itertools
from collections.abc import Callable
from decimal import Decimal
from typing import ClassVar

from hypothesis import event
from hypothesis import strategies as st
from hypothesis.stateful import (
    Bundle,
    RuleBasedStateMachine,
    consumes,
    initialize,
    invariant,
    multiple,
    precondition,
    rule,
)

from orderkit.adapters import FixedClock
from orderkit.errors import OrderkitError
from orderkit.fulfillment import RetryPolicy
from orderkit.ids import CustomerId, LocationId, OrderId, ShipmentId, Sku
from orderkit.inventory import SkuStock, StockLocation
from orderkit.invoicing import InvoicingPolicy, Party, PostalAddress
from orderkit.money import Money
from orderkit.orders import Address, CustomerRef
from orderkit.ports import UnitOfWork, UnitOfWorkFactory
from orderkit.pricing import CouponCode, FirstOrder, PercentOffOrder, Pricer, Promotion
from orderkit.service import (
    InvoicingConfig,
    LineRequest,
    OrderService,
    PlacedOrder,
    ShipOutcome,
    StockOnPlace,
)
from orderkit.testing.audit import audit_store
from orderkit.testing.carriers import FakeCarrier

__all__ = ["SKUS", "OrderServiceMachine", "StoreFactory", "StoreHandle"]

#: A unit-of-work factory and a callable that closes the store afterwards.
StoreHandle = tuple[UnitOfWorkFactory, Callable[[], None]]
#: Makes a fresh, empty store for one run of the machine.
StoreFactory = Callable[[], StoreHandle]

#: The skus the machine sells.
SKUS: tuple[Sku, ...] = (Sku("APPLE"), Sku("BREAD"), Sku("CHEESE"))
_LOCATIONS = (
    StockLocation(LocationId("NORTH"), priority=0),
    StockLocation(LocationId("SOUTH"), priority=1),
)
_START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
_PRICE = Money.of("2.50", "EUR")
_SELLER = Party("Machine Shop", PostalAddress(("1 Test Road",), "Berlin", "DE", "10115"))
_CUSTOMER = CustomerRef(CustomerId("c1"), "ann@example.com")
_CUSTOMERS = (_CUSTOMER, CustomerRef(CustomerId("c2"), "bob@example.com"))
_COUPON_LIMIT = 2
_PRICER = Pricer(
    promotions=(
        Promotion(
            "SAVE5",
            "Five percent with a coupon",
            (PercentOffOrder(Decimal(5)),),
            conditions=(CouponCode("save5", usage_limit=_COUPON_LIMIT),),
        ),
        Promotion(
            "HELLO", "First order", (PercentOffOrder(Decimal(10)),), conditions=(FirstOrder(),)
        ),
    )
)
_ADDRESS = Address("Ann Lee", "1 Main St", "Berlin", "10115", "DE")
_lines = st.lists(
    st.builds(LineRequest, st.sampled_from(SKUS), st.integers(1, 4), st.just(_PRICE)),
    min_size=1,
    max_size=3,
)


def _snapshot(
    uow: UnitOfWork,
) -> tuple[int, tuple[tuple[str, int], ...], tuple[tuple[str, int], ...]]:
    orders = tuple(
        (order.id, order.version)
        for order in uow.orders.placed_between(
            _START - dt.timedelta(days=1), _START + dt.timedelta(days=3650)
        )
    )
    stocks = tuple((sku, stock.version) for sku, stock in sorted(uow.stock.get_many(SKUS).items()))
    return uow.outbox.count(), orders, stocks


def _live_labels(carrier: FakeCarrier) -> int:
    return sum(1 for label in carrier.labels if not carrier.is_cancelled(label))


class OrderServiceMachine(RuleBasedStateMachine):
    """Random commands on an :class:`OrderService` against the books they must keep."""

    #: Set by :meth:`with_store` (or override :meth:`make_store` in a subclass).
    store_factory: ClassVar[StoreFactory | None] = None

    orders = Bundle("orders")
    shipments = Bundle("shipments")

    def __init__(self) -> None:
        super().__init__()
        self.uow_factory, self._close = self.make_store()
        self.clock = FixedClock(_START)
        self.carrier = FakeCarrier()
        ids = itertools.count(1)
        self.ids = lambda: f"m{next(ids)}"
        self.invoices = 0
        self.keys: dict[
            str, tuple[PlacedOrder, list[LineRequest], StockOnPlace, CustomerRef, tuple[str, ...]]
        ] = {}

    @classmethod
    def with_store(cls, factory: StoreFactory) -> type[OrderServiceMachine]:
        """A subclass that runs on stores made by ``factory``."""
        return type(
            f"{cls.__name__}On{getattr(factory, '__name__', 'Store')}",
            (cls,),
            {"store_factory": staticmethod(factory)},
        )

    def make_store(self) -> StoreHandle:
        """A fresh store for one run (uses :attr:`store_factory`)."""
        factory = type(self).store_factory
        if factory is None:
            raise NotImplementedError("use OrderServiceMachine.with_store(factory)")
        return factory()

    def teardown(self) -> None:
        self._close()

    def service(
        self,
        mode: StockOnPlace = StockOnPlace.RESERVE,
        policy: InvoicingPolicy = InvoicingPolicy.ON_CONFIRMATION,
    ) -> OrderService:
        return OrderService(
            self.uow_factory,
            clock=self.clock,
            ids=self.ids,
            pricer=_PRICER,
            locations=_LOCATIONS,
            stock_on_place=mode,
            reservation_ttl=dt.timedelta(hours=2),
            carrier=self.carrier,
            carrier_retries=RetryPolicy(attempts=3, base_delay=0),
            invoicing=InvoicingConfig(_SELLER, policy=policy),
            max_retries=3,
            sleep=lambda _: None,
        )

    def attempt(self, name: str, command: Callable[[], object]) -> object | None:
        """Run a command; if it is refused, check it left no trace."""
        with self.uow_factory() as uow:
            before = _snapshot(uow)
        try:
            result = command()
        except OrderkitError as error:
            event(f"{name}: {type(error).__name__}")
            with self.uow_factory() as uow:
                assert _snapshot(uow) == before, "a refused command changed the store"
            return None
        event(f"{name}: done")
        return result

    @initialize()
    def stock_up(self) -> None:
        with self.uow_factory() as uow:
            for index, sku in enumerate(SKUS):
                stock = SkuStock(sku)
                stock.receive(LocationId("NORTH"), 3 + index)
                stock.receive(LocationId("SOUTH"), 2)
                uow.stock.add(stock)
            uow.commit()

    @rule(
        target=orders,
        lines=_lines,
        mode=st.sampled_from(StockOnPlace),
        keyed=st.booleans(),
        customer=st.sampled_from(_CUSTOMERS),
        coupons=st.sampled_from([(), ("SAVE5",)]),
    )
    def place(
        self,
        lines: list[LineRequest],
        mode: StockOnPlace,
        keyed: bool,
        customer: CustomerRef,
        coupons: tuple[str, ...],
    ) -> object:
        key = f"key-{len(self.keys) + 1}" if keyed else None
        placed = self.attempt(
            "place",
            lambda: self.service(mode).place(
                customer,
                lines,
                currency="EUR",
                shipping_address=_ADDRESS,
                coupon_codes=coupons,
                idempotency_key=key,
            ),
        )
        if not isinstance(placed, PlacedOrder):
            return multiple()
        if key is not None:
            self.keys[key] = (placed, lines, mode, customer, coupons)
        return placed.order_id

    @precondition(lambda self: bool(self.keys))
    @rule(data=st.data())
    def replay(self, data: st.DataObject) -> None:
        key = data.draw(st.sampled_from(sorted(self.keys)))
        first, lines, mode, customer, coupons = self.keys[key]
        with self.uow_factory() as uow:
            before = _snapshot(uow)
        again = self.service(mode).place(
            customer,
            lines,
            currency="EUR",
            shipping_address=_ADDRESS,
            coupon_codes=coupons,
            idempotency_key=key,
        )
        assert again == first, "a replayed key must return the first result"
        with self.uow_factory() as uow:
            assert _snapshot(uow) == before, "a replayed key must change nothing"

    @rule(order=orders)
    def confirm(self, order: OrderId) -> None:
        self.attempt("confirm", lambda: self.service().confirm(order))

    @rule(order=orders)
    def allocate(self, order: OrderId) -> None:
        self.attempt("allocate", lambda: self.service().allocate(order))

    @rule(order=orders)
    def cancel(self, order: OrderId) -> None:
        self.attempt("cancel", lambda: self.service().cancel(order, reason="machine"))

    @rule(order=orders, data=st.data())
    def cancel_items(self, order: OrderId, data: st.DataObject) -> None:
        with self.uow_factory() as uow:
            lines = uow.orders.get(order).lines
        line = data.draw(st.sampled_from(lines))
        units = data.draw(st.integers(1, line.quantity))
        self.attempt(
            "cancel_items",
            lambda: self.service().cancel_items(order, {line.line_id: units}, reason="machine"),
        )

    @rule(target=shipments, order=orders, failures=st.integers(0, 3), retryable=st.booleans())
    def ship(self, order: OrderId, failures: int, retryable: bool) -> object:
        carrier = self.carrier
        if failures:
            carrier.fail_next("create_label", retryable=retryable, times=failures)
        labels = len(carrier.labels)
        live = _live_labels(carrier)
        shipped = self.attempt("ship", lambda: self.service().ship(order))
        if failures:
            self.carrier = FakeCarrier()  # drop scripted failures the call did not use
        if not isinstance(shipped, ShipOutcome):
            assert _live_labels(carrier) == live, "a refused ship left a label live"
            return multiple()
        assert len(carrier.labels) == labels + len(shipped.shipment_ids), "one label per shipment"
        assert _live_labels(carrier) == live + len(shipped.shipment_ids), "a label per shipment"
        return multiple(*shipped.shipment_ids)

    @rule(target=shipments, order=orders)
    def fulfil(self, order: OrderId) -> object:
        """Confirm, allocate and ship in a row, so that shipping and delivery happen often."""
        self.attempt("confirm", lambda: self.service().confirm(order))
        self.attempt("allocate", lambda: self.service().allocate(order))
        return self.ship(order, 0, retryable=False)

    @rule(shipment=consumes(shipments))
    def deliver(self, shipment: ShipmentId) -> None:
        self.attempt("deliver", lambda: self.service().deliver(shipment))

    @rule(order=orders, policy=st.sampled_from(InvoicingPolicy))
    def invoice(self, order: OrderId, policy: InvoicingPolicy) -> None:
        if self.attempt("invoice", lambda: self.service(policy=policy).invoice(order)) is not None:
            self.invoices += 1

    @rule(minutes=st.integers(1, 180))
    def tick(self, minutes: int) -> None:
        self.clock.advance(dt.timedelta(minutes=minutes))

    @invariant()
    def books_agree(self) -> None:
        with self.uow_factory() as uow:
            report = audit_store(uow, SKUS)
            assert report.ok, report.problems
            assert uow.numbers.current("INV", _START.year) == self.invoices, (
                "invoice numbers have a gap"
            )
            every = list(uow.orders.placed_between(_START, _START + dt.timedelta(days=3650)))
            stocks = uow.stock.get_many(SKUS)
            live = [
                order
                for order in every
                if order.status.value != "cancelled" and order.pricing is not None
            ]
        shipped: dict[str, int] = {}
        for order in every:
            for line in order.lines:
                assert line.ledger.delivered <= line.ledger.shipped, (
                    f"{order.id}: delivered > shipped"
                )
                shipped[line.sku] = shipped.get(line.sku, 0) + line.ledger.shipped
        for sku, stock in stocks.items():
            assert stock.shipped == shipped.get(sku, 0), f"{sku}: stock consumed != units shipped"
        coupons = sum(1 for order in live if order.pricing and order.pricing.coupon_codes)
        assert coupons <= _COUPON_LIMIT, f"{coupons} live orders use a coupon limited to 2"
        for customer in _CUSTOMERS:
            firsts = [
                order.id
                for order in live
                if order.customer.id == customer.id
                and order.pricing
                and "HELLO" in order.pricing.promotion_codes
            ]
            assert len(firsts) <= 1, f"{customer.id} has two live first orders: {firsts}"
