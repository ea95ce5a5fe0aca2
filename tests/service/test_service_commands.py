"""Every OrderService command on the memory adapter: examples of what each does and refuses."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from service_shop import ADDRESS, CAP, CUSTOMER, MUG, NORTH, SELLER, SOUTH, START, TEE, Shop

from orderkit.errors import (
    CarrierError,
    ConcurrencyConflict,
    DuplicateRequest,
    InsufficientStock,
    InvalidQuantity,
    InvalidTransition,
    NotFound,
    OutOfStock,
    StoreUnavailable,
    ValidationError,
)
from orderkit.fulfillment import Label, Shipment, ShipmentStatus, TrackingEvent
from orderkit.ids import OrderId, ShipmentId, Sku
from orderkit.inventory import AllocationPolicy, Allocator
from orderkit.invoicing import Invoice, InvoicingPolicy
from orderkit.money import Money
from orderkit.ports import UnitOfWork
from orderkit.service import InvoicingConfig, LineRequest, StockOnPlace
from orderkit.testing.carriers import FakeCarrier


def _place(shop: Shop, *lines: LineRequest, **options: object) -> OrderId:
    service = shop.make(**options)
    return service.place(CUSTOMER, lines, currency="EUR", shipping_address=ADDRESS).order_id


# -- place ---------------------------------------------------------------------------------


def test_place_prices_with_the_pricer_and_reserves_stock(shop: Shop) -> None:
    placed = shop.make().place(
        CUSTOMER,
        [LineRequest(MUG, 2), LineRequest(TEE, 1)],
        currency="EUR",
        shipping_address=ADDRESS,
    )
    # 2 x 9.50 + 19.99 = 38.99; 10% off (3.90, split 1.90 + 2.00) leaves 17.10 + 17.99;
    # VAT 19% per line 3.25 + 3.42; shipping 4.90 (no rate for it): 46.66.
    assert placed.status == "placed"
    assert placed.total == Money.of("46.66", "EUR")
    assert shop.stock(MUG).reservation(placed.order_id) is not None
    assert shop.stock(MUG).available(at=START) == 6
    assert "OrderPlaced" in shop.outbox()


def test_place_with_the_same_sku_on_two_lines_reserves_the_combined_demand(shop: Shop) -> None:
    order = _place(shop, LineRequest(MUG, 2), LineRequest(MUG, 3))
    hold = shop.stock(MUG).reservation(order)
    assert hold is not None
    assert hold.quantity == 5


def test_place_refused_for_lack_of_stock_leaves_no_trace(shop: Shop) -> None:
    before = shop.outbox()
    with pytest.raises(InsufficientStock):
        _place(shop, LineRequest(MUG, 1), LineRequest(TEE, 3))
    assert shop.outbox() == before
    assert shop.stock(MUG).reservations == ()
    with shop.store.unit_of_work() as uow:
        assert uow.orders.list_by_customer(CUSTOMER.id) == []


def test_place_of_an_unstocked_sku_names_it(shop: Shop) -> None:
    with pytest.raises(OutOfStock, match="HAT"):
        _place(shop, LineRequest(Sku("HAT"), 1, Money.of("5", "EUR")))


def test_place_without_stock_work_changes_no_stock(shop: Shop) -> None:
    _place(shop, LineRequest(TEE, 2), stock_on_place=StockOnPlace.NONE)
    assert shop.stock(TEE).version == 1
    assert shop.stock(TEE).available(at=START) == 2


def test_place_allocating_confirms_and_allocates_at_once(shop: Shop) -> None:
    placed = shop.make(stock_on_place=StockOnPlace.ALLOCATE).place(
        CUSTOMER, [LineRequest(MUG, 7)], currency="EUR", shipping_address=ADDRESS
    )
    assert (placed.status, placed.allocated, placed.backordered) == ("in_fulfillment", 7, 0)
    stock = shop.stock(MUG)
    assert stock.allocations_of(placed.order_id) == {NORTH: 5, SOUTH: 2}


def test_place_refuses_bad_input_with_named_errors(shop: Shop) -> None:
    service = shop.make()
    with pytest.raises(ValidationError, match="at least one line"):
        service.place(CUSTOMER, [], currency="EUR")
    with pytest.raises(InvalidQuantity, match="0"):
        LineRequest(MUG, 0)
    with pytest.raises(ValidationError, match="idempotency_key"):
        service.place(CUSTOMER, [LineRequest(MUG, 1)], currency="EUR", idempotency_key="")


# -- idempotency and retries ---------------------------------------------------------------


def test_a_repeated_key_returns_the_first_result_and_creates_nothing(shop: Shop) -> None:
    service = shop.make()
    lines = [LineRequest(MUG, 1)]
    first = service.place(CUSTOMER, lines, currency="EUR", idempotency_key="cart-1")
    events = shop.outbox()
    again = service.place(CUSTOMER, lines, currency="EUR", idempotency_key="cart-1")
    assert again == first
    assert shop.outbox() == events
    with shop.store.unit_of_work() as uow:
        assert len(uow.orders.list_by_customer(CUSTOMER.id)) == 1


def test_a_key_reused_for_another_request_is_refused(shop: Shop) -> None:
    service = shop.make()
    service.place(CUSTOMER, [LineRequest(MUG, 1)], currency="EUR", idempotency_key="cart-1")
    with pytest.raises(DuplicateRequest):
        service.place(CUSTOMER, [LineRequest(MUG, 2)], currency="EUR", idempotency_key="cart-1")


def test_every_command_honours_its_key(shop: Shop) -> None:
    service = shop.make()
    order = _place(shop, LineRequest(MUG, 1))
    assert service.confirm(order, idempotency_key="c") == service.confirm(
        order, idempotency_key="c"
    )
    assert service.allocate(order, idempotency_key="a") == service.allocate(
        order, idempotency_key="a"
    )
    shipped = service.ship(order, idempotency_key="s")
    assert service.ship(order, idempotency_key="s") == shipped
    assert len(shop.carrier.labels) == 1
    first = service.invoice(order, idempotency_key="i")
    assert service.invoice(order, idempotency_key="i") == first


class _Flaky:
    """A unit-of-work factory whose first commits fail the way a busy store does."""

    def __init__(self, shop: Shop, errors: list[Exception]) -> None:
        self.shop = shop
        self.errors = errors
        self.attempts = 0

    def __call__(self) -> UnitOfWork:
        uow = self.shop.store.unit_of_work()
        commit = uow.commit
        self.attempts += 1

        def failing_commit() -> None:
            if self.errors:
                raise self.errors.pop(0)
            commit()

        uow.commit = failing_commit  # type: ignore[method-assign]
        return uow


def test_conflicts_and_busy_stores_are_retried_with_fresh_state(shop: Shop) -> None:
    errors: list[Exception] = [
        ConcurrencyConflict("stock", "MUG", 1, 2),
        StoreUnavailable("database is locked"),
    ]
    flaky = _Flaky(shop, errors)
    service = shop.make()
    service._runner = type(service._runner)(flaky, shop.clock, 5, shop.sleeps.append)
    order = service.place(CUSTOMER, [LineRequest(MUG, 1)], currency="EUR")
    assert flaky.attempts == 3
    assert shop.sleeps == [0.01, 0.02]  # exponential backoff between attempts
    assert shop.stock(MUG).reservation(order.order_id) is not None
    with shop.store.unit_of_work() as uow:
        assert len(uow.orders.list_by_customer(CUSTOMER.id)) == 1


def test_a_stale_stock_save_conflicts_and_the_retry_reads_fresh_state(shop: Shop) -> None:
    service = shop.make()
    _place(shop, LineRequest(MUG, 1))  # MUG is now at version 2
    attempts: list[int] = []

    def stale_first() -> UnitOfWork:
        uow = shop.store.unit_of_work()
        attempts.append(1)
        if len(attempts) == 1:
            fresh = uow.stock.get_many

            def stale(skus: object) -> dict[Sku, object]:
                found = dict(fresh(skus))  # type: ignore[arg-type]
                for stock in found.values():
                    stock.version -= 1  # as if read before the last placement
                return found  # type: ignore[return-value]

            uow.stock.get_many = stale  # type: ignore[method-assign,assignment]
        return uow

    service._runner = type(service._runner)(stale_first, shop.clock, 5, shop.sleeps.append)
    placed = service.place(CUSTOMER, [LineRequest(MUG, 2)], currency="EUR")
    assert len(attempts) == 2
    assert shop.stock(MUG).reservation(placed.order_id) is not None
    assert shop.stock(MUG).version == 3


def test_retries_are_bounded_and_non_retryable_failures_are_not_retried(shop: Shop) -> None:
    flaky = _Flaky(shop, [ConcurrencyConflict("stock", "MUG", 1, 2) for _ in range(4)])
    service = shop.make()
    service._runner = type(service._runner)(flaky, shop.clock, 2, shop.sleeps.append)
    with pytest.raises(ConcurrencyConflict):
        service.place(CUSTOMER, [LineRequest(MUG, 1)], currency="EUR")
    assert flaky.attempts == 3
    broken = StoreUnavailable("disk image is malformed")
    broken.retryable = False
    flaky = _Flaky(shop, [broken])
    service._runner = type(service._runner)(flaky, shop.clock, 5, shop.sleeps.append)
    with pytest.raises(StoreUnavailable):
        service.place(CUSTOMER, [LineRequest(MUG, 1)], currency="EUR")
    assert flaky.attempts == 1


# -- confirm, allocate, cancel -------------------------------------------------------------


def test_confirm_then_allocate_converts_the_reservation(shop: Shop) -> None:
    service = shop.make()
    order = _place(shop, LineRequest(MUG, 6), LineRequest(CAP, 1))
    assert service.confirm(order).status == "confirmed"
    outcome = service.allocate(order)
    assert (outcome.status, outcome.allocated, outcome.backordered) == ("in_fulfillment", 7, 0)
    mug = shop.stock(MUG)
    assert mug.reservation(order) is None
    assert mug.allocations_of(order) == {NORTH: 5, SOUTH: 1}
    assert shop.stock(CAP).allocations_of(order) == {SOUTH: 1}


def test_allocate_is_refused_before_confirmation_and_changes_nothing(shop: Shop) -> None:
    order = _place(shop, LineRequest(MUG, 1))
    events = shop.outbox()
    with pytest.raises(InvalidTransition):
        shop.make().allocate(order)
    assert shop.outbox() == events


def test_allocate_backorders_what_is_missing_and_tops_up_later(shop: Shop) -> None:
    service = shop.make(stock_on_place=StockOnPlace.NONE)
    order = _place(shop, LineRequest(TEE, 3), stock_on_place=StockOnPlace.NONE)
    service.confirm(order)
    first = service.allocate(order)
    assert (first.allocated, first.backordered) == (2, 1)
    with shop.store.unit_of_work() as uow:
        stock = uow.stock.get(TEE)
        stock.receive(SOUTH, 5)
        uow.stock.save(stock)
        uow.commit()
    second = service.allocate(order)
    assert (second.allocated, second.backordered) == (1, 0)


def test_allocate_under_a_refusing_policy_names_the_shortfall(shop: Shop) -> None:
    service = shop.make(
        stock_on_place=StockOnPlace.NONE, allocator=Allocator(policy=AllocationPolicy.REFUSE)
    )
    order = _place(shop, LineRequest(TEE, 3), stock_on_place=StockOnPlace.NONE)
    service.confirm(order)
    with pytest.raises(OutOfStock, match="TEE short by 1"):
        service.allocate(order)
    assert shop.stock(TEE).allocated() == 0


def test_cancel_releases_allocations_and_reservations(shop: Shop) -> None:
    service = shop.make()
    reserved = _place(shop, LineRequest(MUG, 2))
    allocated = _place(shop, LineRequest(MUG, 3), stock_on_place=StockOnPlace.ALLOCATE)
    assert service.cancel(reserved, reason="changed mind").status == "cancelled"
    assert service.cancel(allocated).status == "cancelled"
    mug = shop.stock(MUG)
    assert (mug.allocated(), mug.reserved(at=START)) == (0, 0)
    assert mug.available(at=START) == 8


def test_cancel_after_shipping_is_refused(shop: Shop) -> None:
    service = shop.make()
    order = _place(shop, LineRequest(MUG, 1), stock_on_place=StockOnPlace.ALLOCATE)
    service.ship(order)
    with pytest.raises(InvalidTransition):
        service.cancel(order)


def test_unknown_orders_are_not_found(shop: Shop) -> None:
    service = shop.make()
    for command in (service.confirm, service.allocate, service.cancel, service.ship):
        with pytest.raises(NotFound, match="nope"):
            command(OrderId("nope"))


# -- ship, tracking, delivery --------------------------------------------------------------


def test_ship_consumes_allocations_and_dispatches_one_shipment_per_location(shop: Shop) -> None:
    service = shop.make()
    order = _place(shop, LineRequest(MUG, 7), stock_on_place=StockOnPlace.ALLOCATE)
    shipped = service.ship(order)
    assert (shipped.status, shipped.units, len(shipped.shipment_ids)) == ("fulfilled", 7, 2)
    mug = shop.stock(MUG)
    assert (mug.allocated(), mug.on_hand(), mug.shipped) == (0, 1, 7)
    assert shop.outbox().count("ShipmentDispatched") == 2


def test_ship_splits_parcels_by_weight(shop: Shop) -> None:
    service = shop.make(max_parcel_weight=Decimal("1"), unit_weight=lambda sku: Decimal("0.5"))
    order = _place(shop, LineRequest(MUG, 5), stock_on_place=StockOnPlace.ALLOCATE)
    assert len(service.ship(order).shipment_ids) == 3


def test_two_retryable_failures_then_success_yield_exactly_one_label(shop: Shop) -> None:
    service = shop.make()
    order = _place(shop, LineRequest(MUG, 1), stock_on_place=StockOnPlace.ALLOCATE)
    shop.carrier.fail_next("create_label", retryable=True, times=1)
    shop.carrier.time_out_after_label()  # the carrier made the label, the answer got lost
    shipped = service.ship(order)
    assert len(shop.carrier.labels) == 1
    keys = {call.idempotency_key for call in shop.carrier.calls_to("create_label")}
    assert keys == {shipped.shipment_ids[0]}
    assert len(shop.sleeps) == 2


class _RefusesSecondLabel(FakeCarrier):
    def create_label(self, shipment: Shipment, *, idempotency_key: str) -> Label:
        if len(self.calls_to("create_label")) == 1:
            self.fail_next("create_label", retryable=False, message="address refused")
        return super().create_label(shipment, idempotency_key=idempotency_key)


def test_a_non_retryable_carrier_error_leaves_order_and_stock_unchanged(shop: Shop) -> None:
    service = shop.make()
    order = _place(shop, LineRequest(MUG, 7), stock_on_place=StockOnPlace.ALLOCATE)
    mug_before = shop.stock(MUG)
    events = shop.outbox()
    # The first location's label is bought, the second is refused: the first is voided.
    carrier = _RefusesSecondLabel()
    with pytest.raises(CarrierError, match="refused"):
        shop.make(carrier=carrier).ship(order)
    assert shop.stock(MUG) == mug_before
    assert shop.outbox() == events
    assert len(carrier.labels) == 1
    assert carrier.is_cancelled(carrier.labels[0])
    assert service.ship(order).units == 7


def test_ship_with_nothing_allocated_is_refused(shop: Shop) -> None:
    service = shop.make()
    order = _place(shop, LineRequest(MUG, 1))
    service.confirm(order)
    with pytest.raises(InvalidQuantity, match="nothing allocated"):
        service.ship(order)


def test_tracking_is_idempotent_per_event_and_delivery_reaches_the_order(shop: Shop) -> None:
    service = shop.make()
    order = _place(shop, LineRequest(MUG, 2), stock_on_place=StockOnPlace.ALLOCATE)
    shipment = service.ship(order).shipment_ids[0]
    scan = TrackingEvent(START + dt.timedelta(hours=5), ShipmentStatus.IN_TRANSIT, "Hub", "sorted")
    first = service.record_tracking(shipment, scan)
    events = shop.outbox()
    again = service.record_tracking(shipment, scan)
    assert (first.recorded, again.recorded) == (True, False)
    assert shop.outbox() == events
    shop.clock.advance(dt.timedelta(hours=6))
    delivered = service.deliver(shipment)
    assert delivered.shipment_status == "delivered"
    with shop.store.unit_of_work() as uow:
        assert uow.orders.get(order).lines[0].delivered == 2
        assert uow.shipments.get(shipment).tracking[0] == scan
    assert "OrderDelivered" in shop.outbox()


def test_tracking_an_unknown_shipment_is_not_found(shop: Shop) -> None:
    with pytest.raises(NotFound):
        shop.make().deliver(ShipmentId("nope"))


# -- invoice -------------------------------------------------------------------------------


def _invoices(shop: Shop, order: OrderId) -> list[Invoice]:
    with shop.store.unit_of_work() as uow:
        return [d for d in uow.invoices.list_by_order(order) if isinstance(d, Invoice)]


def test_invoice_on_confirmation_bills_the_priced_order_to_the_cent(shop: Shop) -> None:
    service = shop.make()
    placed = service.place(
        CUSTOMER,
        [LineRequest(MUG, 2), LineRequest(TEE, 1)],
        currency="EUR",
        shipping_address=ADDRESS,
    )
    service.confirm(placed.order_id)
    issued = service.invoice(placed.order_id)
    assert issued.number == "INV-2026-000001"
    assert issued.gross == placed.total
    with pytest.raises(InvalidQuantity, match="nothing"):
        service.invoice(placed.order_id)
    assert "InvoiceIssued" in shop.outbox()


def test_invoice_before_confirmation_is_refused_and_draws_no_number(shop: Shop) -> None:
    service = shop.make()
    order = _place(shop, LineRequest(MUG, 1))
    with pytest.raises(InvalidTransition):
        service.invoice(order)
    with shop.store.unit_of_work() as uow:
        assert uow.numbers.current("INV", 2026) == 0


def test_invoices_per_shipment_add_up_to_the_order(shop: Shop) -> None:
    service = shop.make(
        invoicing=InvoicingConfig(SELLER, series="SHP", policy=InvoicingPolicy.ON_SHIPMENT),
        stock_on_place=StockOnPlace.NONE,
    )
    placed = service.place(
        CUSTOMER, [LineRequest(TEE, 3)], currency="EUR", shipping_address=ADDRESS
    )
    service.confirm(placed.order_id)
    service.allocate(placed.order_id)
    with pytest.raises(InvalidQuantity):
        service.invoice(placed.order_id)
    service.ship(placed.order_id)
    first = service.invoice(placed.order_id)
    with shop.store.unit_of_work() as uow:
        stock = uow.stock.get(TEE)
        stock.receive(NORTH, 1)
        uow.stock.save(stock)
        uow.commit()
    service.allocate(placed.order_id)
    service.ship(placed.order_id)
    second = service.invoice(placed.order_id)
    assert (first.number, second.number) == ("SHP-2026-000001", "SHP-2026-000002")
    assert first.gross + second.gross == placed.total
    assert [inv.lines[0].quantity for inv in _invoices(shop, placed.order_id)] == [2, 1]


def test_invoice_needs_configuration(shop: Shop) -> None:
    service = shop.make(invoicing=None)
    order = _place(shop, LineRequest(MUG, 1), stock_on_place=StockOnPlace.ALLOCATE)
    with pytest.raises(ValidationError, match="invoicing is not configured"):
        service.invoice(order)


def test_automatic_invoicing_on_confirmation(shop: Shop) -> None:
    service = shop.make(invoicing=InvoicingConfig(SELLER, automatic=True))
    order = _place(shop, LineRequest(MUG, 1))
    assert service.confirm(order).documents == ("INV-2026-000001",)
    allocating = shop.make(
        invoicing=InvoicingConfig(SELLER, automatic=True), stock_on_place=StockOnPlace.ALLOCATE
    )
    placed = allocating.place(
        CUSTOMER, [LineRequest(TEE, 1)], currency="EUR", shipping_address=ADDRESS
    )
    assert placed.invoice_number == "INV-2026-000002"


def test_automatic_invoicing_per_shipment(shop: Shop) -> None:
    service = shop.make(
        invoicing=InvoicingConfig(SELLER, policy=InvoicingPolicy.ON_SHIPMENT, automatic=True),
        stock_on_place=StockOnPlace.ALLOCATE,
    )
    placed = service.place(
        CUSTOMER, [LineRequest(TEE, 3)], currency="EUR", shipping_address=ADDRESS
    )
    assert placed.invoice_number is None
    shipped = service.ship(placed.order_id)
    assert shipped.invoice_number == "INV-2026-000001"
    assert [inv.lines[0].quantity for inv in _invoices(shop, placed.order_id)] == [2]


def test_cancelling_an_invoiced_order_credits_the_invoice(shop: Shop) -> None:
    service = shop.make()
    placed = service.place(
        CUSTOMER,
        [LineRequest(MUG, 2), LineRequest(TEE, 1)],
        currency="EUR",
        shipping_address=ADDRESS,
    )
    service.confirm(placed.order_id)
    service.invoice(placed.order_id)
    cancelled = service.cancel(placed.order_id)
    assert cancelled.documents == ("CN-2026-000001",)
    with shop.store.unit_of_work() as uow:
        documents = uow.invoices.list_by_order(placed.order_id)
    assert [type(d).__name__ for d in documents] == ["Invoice", "CreditNote"]
    assert documents[1].totals.gross == documents[0].totals.gross == placed.total
    assert "CreditNoteIssued" in shop.outbox()
