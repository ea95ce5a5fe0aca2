"""Worker processes for the SQLite concurrency tests (importable by spawned children).

Each worker opens its own store on the shared database file, as a separate
application process would, and reports what it was told succeeded.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import itertools
import os
import random
import sqlite3
import time
from collections.abc import Mapping, Sequence
from decimal import Decimal

from orderkit.adapters import FixedClock
from orderkit.adapters._records import Record, RecordStore, TableSpec
from orderkit.adapters.sqlite import SqliteStore, SqliteUnitOfWork
from orderkit.adapters.sqlite._connection import translate_errors
from orderkit.adapters.sqlite._records import SqliteRecords
from orderkit.errors import OrderkitError
from orderkit.ids import CustomerId, LocationId, OrderId, Sku
from orderkit.inventory import AllocationPolicy, Allocator, SkuStock, StockLocation
from orderkit.invoicing import Party, PostalAddress
from orderkit.money import Money
from orderkit.orders import Address, CustomerRef
from orderkit.pricing import CouponCode, FirstOrder, PercentOffOrder, Pricer, Promotion
from orderkit.service import InvoicingConfig, LineRequest, OrderService, StockOnPlace

HOT_SKUS = tuple(Sku(f"HOT-{n}") for n in range(5))
LOCATIONS = (
    StockLocation(LocationId("EAST"), priority=0),
    StockLocation(LocationId("WEST"), priority=1),
)
START = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
PRICE = Money.of("4.00", "EUR")
CUSTOMER = CustomerRef(CustomerId("c-1"), "ann@example.com")
ADDRESS = Address("Ann Lee", "1 Main St", "Berlin", "10115", "DE")
SELLER = Party("Shop", PostalAddress(("1 Road",), "Berlin", "DE", "10115"))


def stock_up(path: str, on_hand: Mapping[Sku, Mapping[LocationId, int]]) -> None:
    """Create the stock records (one transaction)."""
    with SqliteStore(path) as store, store.unit_of_work() as uow:
        for sku, where in on_hand.items():
            stock = SkuStock(sku)
            for location, units in where.items():
                stock.receive(location, units)
            uow.stock.add(stock)
        uow.commit()


def service(store: SqliteStore, worker: int, policy: AllocationPolicy) -> OrderService:
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


def place_orders(  # noqa: PLR0917 - Pool.starmap passes arguments by position
    path: str, worker: int, count: int, naive: bool, policy: str, skus: Sequence[str]
) -> list[str]:
    """Place ``count`` random orders; return the ids the service accepted."""
    rng = random.Random(worker)
    store = NaiveSqliteStore(path) if naive else SqliteStore(path, busy_timeout=30)
    orders = service(store, worker, AllocationPolicy(policy))
    accepted: list[str] = []
    for _ in range(count):
        try:
            placed = orders.place(
                CUSTOMER,
                random_lines(rng, [Sku(s) for s in skus]),
                currency="EUR",
                shipping_address=ADDRESS,
            )
        except OrderkitError:
            continue
        accepted.append(placed.order_id)
    store.close()
    return accepted


def place_forever(path: str, ready: str) -> None:
    """Place orders until killed; touch ``ready`` after the first commit."""
    store = SqliteStore(path, busy_timeout=30)
    orders = service(store, 9, AllocationPolicy.BACKORDER)
    rng = random.Random(9)
    for n in itertools.count():
        with contextlib.suppress(OrderkitError):
            orders.place(
                CUSTOMER, random_lines(rng, HOT_SKUS), currency="EUR", shipping_address=ADDRESS
            )
        if n == 0:
            with open(ready, "w") as marker:
                marker.write("ok")


COUPON_LIMIT = 5
BUYERS = tuple(CustomerRef(CustomerId(f"b-{n}"), f"b{n}@example.com") for n in range(3))


def place_with_coupons(path: str, worker: int, count: int) -> list[str]:
    """Place ``count`` orders with a coupon limited to COUPON_LIMIT uses, for three buyers
    (a first-order promotion too), cancelling every third; return the ids accepted."""
    store = SqliteStore(path, busy_timeout=30)
    ids = itertools.count(1)
    orders = OrderService(
        store.unit_of_work,
        clock=FixedClock(START),
        ids=lambda: f"c{worker}-{next(ids)}",
        pricer=Pricer(
            promotions=(
                Promotion(
                    "SAVE",
                    "Save with a coupon",
                    (PercentOffOrder(Decimal(10)),),
                    conditions=(CouponCode("save", usage_limit=COUPON_LIMIT),),
                ),
                Promotion("HELLO", "First order", (PercentOffOrder(Decimal(5)),), (FirstOrder(),)),
            )
        ),
        stock_on_place=StockOnPlace.NONE,
        max_retries=50,
        sleep=lambda seconds: time.sleep(seconds * random.random()),
    )
    accepted: list[str] = []
    for n in range(count):
        placed = orders.place(
            BUYERS[(worker + n) % len(BUYERS)],
            [LineRequest(HOT_SKUS[0], 1, PRICE)],
            currency="EUR",
            coupon_codes=["SAVE"],
        )
        accepted.append(placed.order_id)
        if n % 3 == 2:
            orders.cancel(placed.order_id)
    store.close()
    return accepted


def issue_invoices(path: str, order_ids: Sequence[str]) -> list[str]:
    """Invoice each order; return the document numbers."""
    store = SqliteStore(path, busy_timeout=30)
    orders = service(store, os.getpid(), AllocationPolicy.BACKORDER)
    numbers = [orders.invoice(OrderId(order_id)).number for order_id in order_ids]
    store.close()
    return numbers


# -- a deliberately naive adapter: read, sleep, write, without holding the lock ---------


class _NaiveRecords(SqliteRecords):
    """Reads stock outside the transaction, waits, then writes it back without a version check."""

    def __init__(self, conn: sqlite3.Connection, path: str) -> None:
        super().__init__(conn, path)
        self._reader = sqlite3.connect(path, isolation_level=None, timeout=30)

    def get_many(self, spec: TableSpec, keys: Sequence[str]) -> list[Record]:
        if spec.table != "stock":
            return super().get_many(spec, keys)
        found = [
            Record(key, version, data)
            for key, version, data in self._reader.execute(
                f"SELECT sku, version, data FROM stock WHERE sku IN ({', '.join('?' * len(keys))})",
                sorted(set(keys)),
            )
        ]
        time.sleep(0.005)  # think time: another process commits meanwhile
        return found

    def update(
        self,
        spec: TableSpec,
        key: str,
        expected_version: int,
        data: str,
        columns: Mapping[str, object],
    ) -> bool:
        if spec.table != "stock":
            return super().update(spec, key, expected_version, data, columns)  # type: ignore[arg-type]
        with translate_errors(self._path, "update"):
            self._conn.execute(
                "UPDATE stock SET version = ?, data = ? WHERE sku = ?",
                (expected_version + 1, data, key),
            )
        return True


class _NaiveUnitOfWork(SqliteUnitOfWork):
    def _begin(self) -> RecordStore:
        pool = self._sqlite._pool
        conn = pool.acquire()
        conn.execute("BEGIN")  # deferred: no write lock until the first write
        self._conn = conn
        return _NaiveRecords(conn, self._sqlite.path)


class NaiveSqliteStore(SqliteStore):
    """The SQLite store with the naive unit of work (the negative control)."""

    def unit_of_work(self, *, read_only: bool = False, snapshot: bool = True) -> SqliteUnitOfWork:
        return _NaiveUnitOfWork(self)
