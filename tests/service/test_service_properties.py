"""Properties of the service over random orders and stock (memory adapter)."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st
from service_shop import (
    ADDRESS,
    CAP,
    CUSTOMER,
    LOCATIONS,
    MUG,
    NORTH,
    PRICER,
    SELLER,
    SOUTH,
    START,
    TEE,
)

from orderkit.adapters import FixedClock
from orderkit.adapters.memory import MemoryStore
from orderkit.errors import InsufficientStock
from orderkit.ids import Sku
from orderkit.inventory import SkuStock
from orderkit.invoicing import InvoicingPolicy
from orderkit.service import InvoicingConfig, LineRequest, OrderService, StockOnPlace
from orderkit.testing.audit import audit_store
from orderkit.testing.carriers import FakeCarrier

SKUS = (MUG, TEE, CAP)
lines = st.lists(
    st.builds(LineRequest, st.sampled_from(SKUS), st.integers(1, 6)), min_size=1, max_size=4
)
stock_levels = st.fixed_dictionaries(
    {sku: st.tuples(st.integers(0, 8), st.integers(0, 8)) for sku in SKUS}
)


def _service(
    levels: dict[Sku, tuple[int, int]], mode: StockOnPlace
) -> tuple[OrderService, MemoryStore]:
    store = MemoryStore()
    with store.unit_of_work() as uow:
        for sku, (north, south) in levels.items():
            stock = SkuStock(sku)
            for location, units in ((NORTH, north), (SOUTH, south)):
                if units:
                    stock.receive(location, units)
            uow.stock.add(stock)
        uow.commit()
    ids = itertools.count()
    service = OrderService(
        store.unit_of_work,
        clock=FixedClock(START),
        ids=lambda: f"p{next(ids)}",
        pricer=PRICER,
        locations=LOCATIONS,
        stock_on_place=mode,
        carrier=FakeCarrier(),
        invoicing=InvoicingConfig(SELLER, policy=InvoicingPolicy.ON_SHIPMENT),
        sleep=lambda _: None,
    )
    return service, store


@settings(max_examples=40, deadline=None)
@given(levels=stock_levels, orders=st.lists(lines, min_size=1, max_size=4))
def test_stock_consumed_equals_units_shipped_and_nothing_is_oversold(
    levels: dict[Sku, tuple[int, int]], orders: list[list[LineRequest]]
) -> None:
    service, store = _service(levels, StockOnPlace.ALLOCATE)
    shipped = 0
    for order_lines in orders:
        placed = service.place(CUSTOMER, order_lines, currency="EUR", shipping_address=ADDRESS)
        if placed.allocated:
            shipped += service.ship(placed.order_id).units
        assert placed.allocated + placed.backordered == sum(line.quantity for line in order_lines)
    with store.unit_of_work() as uow:
        stocks = uow.stock.get_many(SKUS)
        assert sum(stock.shipped for stock in stocks.values()) == shipped
        for sku, stock in stocks.items():
            assert stock.on_hand() + stock.shipped == sum(levels[sku])
            assert stock.allocated() == 0
        orders_ = list(uow.orders.list_by_customer(CUSTOMER.id))
        assert sum(line.shipped for order in orders_ for line in order.lines) == shipped
        assert all(line.shipped <= line.allocated for order in orders_ for line in order.lines)
        assert audit_store(uow, SKUS).ok


@settings(max_examples=40, deadline=None)
@given(levels=stock_levels, order_lines=lines)
def test_invoices_of_a_split_shipped_order_add_up_to_its_priced_total(
    levels: dict[Sku, tuple[int, int]], order_lines: list[LineRequest]
) -> None:
    service, store = _service(levels, StockOnPlace.NONE)
    placed = service.place(CUSTOMER, order_lines, currency="EUR", shipping_address=ADDRESS)
    service.confirm(placed.order_id)
    gross = []
    status = service.allocate(placed.order_id).status
    if status == "in_fulfillment":  # something was allocated: ship and bill it
        status = service.ship(placed.order_id).status
        gross.append(service.invoice(placed.order_id).gross)
    if status != "fulfilled":  # the rest arrives later and ships in a second parcel
        with store.unit_of_work() as uow:
            for line in order_lines:
                stock = uow.stock.get(line.sku)
                stock.receive(NORTH, line.quantity)
                uow.stock.save(stock)
            uow.commit()
        service.allocate(placed.order_id)
        assert service.ship(placed.order_id).status == "fulfilled"
        gross.append(service.invoice(placed.order_id).gross)
    assert sum(gross[1:], gross[0]) == placed.total


@settings(max_examples=30, deadline=None)
@given(levels=stock_levels, order_lines=lines)
def test_a_refused_placement_reserves_nothing(
    levels: dict[Sku, tuple[int, int]], order_lines: list[LineRequest]
) -> None:
    service, store = _service(levels, StockOnPlace.RESERVE)
    with store.unit_of_work() as uow:
        before = {sku: s.version for sku, s in uow.stock.get_many(SKUS).items()}
        events = uow.outbox.count()
    demand: dict[Sku, int] = {}
    for line in order_lines:
        demand[line.sku] = demand.get(line.sku, 0) + line.quantity
    enough = all(sum(levels[sku]) >= units for sku, units in demand.items())
    try:
        service.place(CUSTOMER, order_lines, currency="EUR", shipping_address=ADDRESS)
    except InsufficientStock:
        assert not enough
        with store.unit_of_work() as uow:
            assert {sku: s.version for sku, s in uow.stock.get_many(SKUS).items()} == before
            assert uow.orders.list_by_customer(CUSTOMER.id) == []
            assert uow.outbox.count() == events
    else:
        assert enough
