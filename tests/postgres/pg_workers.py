"""Worker processes for the PostgreSQL concurrency tests (run in forked children).

Each worker opens its own :class:`PostgresStore` on the shared schema, as a
separate application process (or machine) would, and reports what the
service told it: the orders accepted, the errors of the refused ones, the
invoice numbers issued.
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
import time
from collections.abc import Mapping, Sequence

from orderkit.adapters import FixedClock
from orderkit.adapters.postgres import PostgresStore
from orderkit.errors import OrderkitError
from orderkit.ids import CustomerId, LocationId, OrderId, Sku
from orderkit.inventory import AllocationPolicy, Allocator, SkuStock, StockLocation
from orderkit.invoicing import Party, PostalAddress
from orderkit.money import Money
from orderkit.orders import Address, CustomerRef
from orderkit.service import InvoicingConfig, LineRequest, OrderService, StockOnPlace
from orderkit.testing.contracts._storage import make_order

HOT_SKUS = tuple(Sku(f"HOT-{n}") for n in range(10))
LOCATIONS = (
    StockLocation(LocationId("EAST"), priority=0),
    StockLocation(LocationId("WEST"), priority=1),
)
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
PRICE = Money.of("4.00", "EUR")
CUSTOMER = CustomerRef(CustomerId("c-1"), "ann@example.com")
ADDRESS = Address("Ann Lee", "1 Main St", "Berlin", "10115", "DE")
SELLER = Party("Shop", PostalAddress(("1 Road",), "Berlin", "DE", "10115"))


def stock_up(dsn: str, schema: str, on_hand: Mapping[Sku, Mapping[LocationId, int]]) -> None:
    """Migrate the schema and create the stock records (one transaction)."""
    with PostgresStore(dsn, schema=schema) as store:
        store.migrate()
        with store.unit_of_work() as uow:
            for sku, where in on_hand.items():
                stock = SkuStock(sku)
                for location, units in where.items():
                    stock.receive(location, units)
                uow.stock.add(stock)
            uow.commit()


def service(store: PostgresStore, worker: int, policy: AllocationPolicy) -> OrderService:
    """The service one worker runs: allocate on place, invoice on confirmation."""
    ids = itertools.count(1)
    return OrderService(
        store.unit_of_work,
        clock=FixedClock(START),
        ids=lambda: f"w{worker}-{next(ids)}",
        locations=LOCATIONS,
        allocator=Allocator(policy=policy),
        stock_on_place=StockOnPlace.ALLOCATE,
        invoicing=InvoicingConfig(SELLER),
        max_retries=50,
        sleep=lambda seconds: time.sleep(seconds * random.random()),
    )


def random_lines(rng: random.Random, skus: Sequence[Sku]) -> list[LineRequest]:
    """One to three lines; now and then the same sku on two lines."""
    chosen = [rng.choice(skus) for _ in range(rng.randint(1, 3))]
    return [LineRequest(sku, rng.randint(1, 3), PRICE) for sku in chosen]


def place_orders(dsn: str, schema: str, worker: int, count: int) -> tuple[list[str], list[str]]:
    """Place ``count`` random orders (refusing policy); return (accepted ids, refusal types)."""
    rng = random.Random(worker)
    accepted: list[str] = []
    refused: list[str] = []
    with PostgresStore(dsn, schema=schema, idle_connections=1) as store:
        orders = service(store, worker, AllocationPolicy.REFUSE)
        for _ in range(count):
            try:
                placed = orders.place(
                    CUSTOMER, random_lines(rng, HOT_SKUS), currency="EUR", shipping_address=ADDRESS
                )
            except OrderkitError as error:
                refused.append(type(error).__name__)
                continue
            accepted.append(placed.order_id)
    return accepted, refused


def issue_invoices(dsn: str, schema: str, worker: int, order_ids: Sequence[str]) -> list[str]:
    """Invoice each order; return the document numbers."""
    with PostgresStore(dsn, schema=schema, idle_connections=1) as store:
        orders = service(store, worker, AllocationPolicy.BACKORDER)
        return [orders.invoice(OrderId(order_id)).number for order_id in order_ids]


def place_and_invoice_forever(dsn: str, schema: str, ready: str) -> None:
    """Place (allocating) and invoice orders until killed; touch ``ready`` after the first round."""
    store = PostgresStore(dsn, schema=schema, idle_connections=1)
    orders = service(store, 9, AllocationPolicy.BACKORDER)
    rng = random.Random(9)
    for n in itertools.count():
        placed = orders.place(
            CUSTOMER, random_lines(rng, HOT_SKUS), currency="EUR", shipping_address=ADDRESS
        )
        orders.invoice(OrderId(placed.order_id))
        if n == 0:
            with open(ready, "w") as marker:
                marker.write("ok")


def hold_a_transaction_open(dsn: str, schema: str, ready: str) -> None:
    """Write an order, draw a number and save stock in one unit of work, then wait forever."""
    with PostgresStore(dsn, schema=schema) as store, store.unit_of_work() as uow:
        uow.orders.add(make_order(1, skus=[str(HOT_SKUS[0])]))
        stock = uow.stock.get(HOT_SKUS[0])
        stock.receive(LocationId("EAST"), 5)
        uow.stock.save(stock)
        uow.numbers.next("INV", 2026)
        assert uow.connection is not None
        with open(ready, "w") as marker:
            marker.write(str(uow.connection.info.backend_pid))
        while True:
            time.sleep(1)
