"""End to end: orders per second through place → confirm → allocate → ship → invoice.

In memory, and on SQLite against a raw ``sqlite3`` floor that runs the same
statements on the same schema (WAL, ``synchronous=NORMAL``), reading the
same rows and writing rows of the same size, with none of orderkit's domain
work, serialization or checks: what orderkit adds on top of the database.
With 1 and 4 processes on one database file.
"""

from __future__ import annotations

import contextlib
import sqlite3
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

from bench import _shop, _workers
from bench._harness import Row, Target, compare, loop, single
from orderkit.adapters.memory import MemoryStore
from orderkit.adapters.sqlite import SqliteStore, StatementCounter

GROUP = "end-to-end"
COMMANDS = _workers.COMMANDS
HALF_THROUGHPUT = Target(2.0, "≤ 2× (≥ 50 % of the floor's rate)")


@contextlib.contextmanager
def _folder() -> Iterator[Path]:
    with tempfile.TemporaryDirectory(prefix="orderkit-bench-") as name:
        yield Path(name)


#: Payload sizes per command and table: {"place": {"orders": 4100, "stock": 1200, ...}},
#: and under ``OUTBOX_ROWS`` how many outbox rows the command appends (its events).
Sizes = dict[str, dict[str, int]]
OUTBOX_ROWS = "rows:outbox"


def _table(statement: str) -> str | None:
    words = statement.split()
    if words[:2] == ["INSERT", "INTO"]:
        return words[2]
    if words[0] == "UPDATE":
        return words[1]
    return None


def _outbox_count(store: SqliteStore) -> int:
    with store.unit_of_work(read_only=True) as uow:
        return uow.outbox.count()


def payload_sizes() -> Sizes:
    """How much each command writes per table, from one real cycle of orderkit on SQLite.

    The floor writes rows of these sizes, so it moves the same bytes, and as many
    outbox rows (one per event: the order's and each stock record's), so it updates
    the outbox indexes as often. Keyed by table rather than by position, so it
    follows the adapter as its statements change.
    """
    with _folder() as folder:
        counter = StatementCounter()
        store = SqliteStore(folder / "probe.db", on_statement=counter)
        _shop.stock_up(store.unit_of_work)
        svc = _shop.service(store.unit_of_work)
        _shop.full_cycle(svc, 0)
        order_id = svc.place(
            _shop.CUSTOMER, _shop.lines_for(1), currency=_shop.EUR, shipping_address=_shop.ADDRESS
        ).order_id
        sizes: Sizes = {}
        for command in COMMANDS:
            before = _outbox_count(store)
            counter.reset()
            if command != "place":
                getattr(svc, command)(order_id)
            else:
                svc.place(
                    _shop.CUSTOMER,
                    _shop.lines_for(2),
                    currency=_shop.EUR,
                    shipping_address=_shop.ADDRESS,
                )
            found: dict[str, int] = {}
            for statement in counter.data_statements:
                table = _table(statement)
                if table is not None:
                    found[table] = found.get(table, 0) + max(16, len(statement) - 160)
            found[OUTBOX_ROWS] = _outbox_count(store) - before
            sizes[command] = found
        store.close()
    return sizes


class RawShop:
    """The floor: each command's statements by hand (as the adapter runs them), same sizes."""

    def __init__(self, path: Path, sizes: Sizes) -> None:
        conn = sqlite3.connect(path, timeout=30, isolation_level=None)
        conn.execute("PRAGMA journal_mode=WAL").fetchall()
        conn.execute("PRAGMA foreign_keys=ON")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=30000")
        self.conn = conn
        self.sizes = sizes

    def payload(self, command: str, table: str, parts: int = 1) -> str:
        """A payload as large as what orderkit wrote to ``table`` in ``command``."""
        return "x" * max(16, self.sizes.get(command, {}).get(table, 64) // parts)

    @staticmethod
    def create(path: Path) -> None:
        """The orderkit schema (through the adapter's migrations) and the stock rows."""
        SqliteStore(path).close()
        conn = sqlite3.connect(path, isolation_level=None)
        conn.executemany(
            "INSERT INTO stock (sku, version, data) VALUES (?, 1, ?)",
            [(sku, "x" * 300) for sku in _shop.SKUS + _shop.WIDE_SKUS],
        )
        conn.close()

    def _transaction(self, body: Callable[[sqlite3.Connection], None]) -> None:
        for _ in range(200):
            try:
                self.conn.execute("BEGIN IMMEDIATE")
            except sqlite3.OperationalError:
                time.sleep(0.001)
                continue
            try:
                body(self.conn)
                self.conn.execute("COMMIT")
            except BaseException:
                self.conn.execute("ROLLBACK")
                raise
            return
        raise RuntimeError("database stayed busy")

    @staticmethod
    def _stock(conn: sqlite3.Connection, skus: list[str]) -> dict[str, int]:
        marks = ", ".join("?" * len(skus))
        rows = conn.execute(
            f"SELECT sku, version, data FROM stock WHERE sku IN ({marks}) ORDER BY sku", skus
        ).fetchall()
        return {sku: version for sku, version, _ in rows}

    @staticmethod
    def _save_stock(conn: sqlite3.Connection, versions: dict[str, int], payload: str) -> None:
        values = ", ".join("(?, ?, ?)" for _ in versions)
        params = [item for sku, version in versions.items() for item in (sku, version, payload)]
        written = conn.execute(
            "UPDATE stock SET version = v.column2 + 1, data = v.column3 "
            f"FROM (VALUES {values}) AS v WHERE stock.sku = v.column1 "
            "AND stock.version = v.column2 RETURNING stock.sku",
            params,
        ).fetchall()
        if len(written) != len(versions):
            raise RuntimeError("stale stock")

    @staticmethod
    def _order(conn: sqlite3.Connection, order_id: str) -> int:
        row = conn.execute("SELECT version, data FROM orders WHERE id = ?", (order_id,)).fetchone()
        return int(row[0])

    @staticmethod
    def _save_order(
        conn: sqlite3.Connection, order_id: str, version: int, status: str, data: str
    ) -> None:
        cursor = conn.execute(
            "UPDATE orders SET version = ?, customer_id = ?, status = ?, placed_at_us = ?, "
            "data = ? WHERE id = ? AND version = ?",
            (version + 1, "c-1", status, 1772442000000000, data, order_id, version),
        )
        if cursor.rowcount != 1:
            raise RuntimeError(f"stale order {order_id}")

    def _outbox(self, conn: sqlite3.Connection, command: str, key: str, event: str) -> None:
        """The command's events: as many rows as orderkit appends, in one statement as it does."""
        rows = max(1, self.sizes.get(command, {}).get(OUTBOX_ROWS, 1))
        payload = self.payload(command, "outbox", rows)
        values = ", ".join(["(?, 'order', ?, ?, ?)"] * rows)
        params = [item for _ in range(rows) for item in (uuid.uuid4().hex, key, event, payload)]
        conn.execute(
            "INSERT INTO outbox (message_id, aggregate_type, aggregate_key, event_type, payload) "
            f"VALUES {values}",
            params,
        )

    def place(self, order_id: str, skus: list[str]) -> None:
        def body(conn: sqlite3.Connection) -> None:
            versions = self._stock(conn, skus)
            conn.execute(
                "INSERT INTO orders (id, version, customer_id, status, placed_at_us, data) "
                "VALUES (?, 1, 'c-1', 'placed', 1772442000000000, ?)",
                (order_id, self.payload("place", "orders")),
            )
            self._save_stock(conn, versions, self.payload("place", "stock", len(versions)))
            # the promotion's usage counter, claimed and checked against releases
            conn.execute(
                "INSERT INTO number_sequences (series, year, last) "
                "VALUES ('usage/claimed/TENOFF', 1, 1) "
                "ON CONFLICT (series, year) DO UPDATE SET last = last + 1 RETURNING last"
            ).fetchall()
            conn.execute(
                "SELECT last FROM number_sequences WHERE series = 'usage/released/TENOFF' "
                "AND year = 1"
            ).fetchall()
            self._outbox(conn, "place", order_id, "OrderPlaced")

        self._transaction(body)

    def confirm(self, order_id: str, skus: list[str]) -> None:
        def body(conn: sqlite3.Connection) -> None:
            version = self._order(conn, order_id)
            self._save_order(
                conn, order_id, version, "confirmed", self.payload("confirm", "orders")
            )
            self._outbox(conn, "confirm", order_id, "OrderConfirmed")

        self._transaction(body)

    def allocate(self, order_id: str, skus: list[str]) -> None:
        def body(conn: sqlite3.Connection) -> None:
            version = self._order(conn, order_id)
            versions = self._stock(conn, skus)
            data = self.payload("allocate", "orders")
            self._save_order(conn, order_id, version, "in_fulfillment", data)
            self._save_stock(conn, versions, self.payload("allocate", "stock", len(versions)))
            self._outbox(conn, "allocate", order_id, "OrderItemsAllocated")

        self._transaction(body)

    def ship(self, order_id: str, skus: list[str]) -> None:
        def body(conn: sqlite3.Connection) -> None:
            version = self._order(conn, order_id)
            versions = self._stock(conn, skus)
            self._save_order(conn, order_id, version, "fulfilled", self.payload("ship", "orders"))
            self._save_stock(conn, versions, self.payload("ship", "stock", len(versions)))
            conn.execute(
                "INSERT INTO shipments (id, version, order_id, status, data) "
                "VALUES (?, 1, ?, 'dispatched', ?)",
                (f"s-{order_id}", order_id, self.payload("ship", "shipments")),
            )
            self._outbox(conn, "ship", order_id, "OrderItemsShipped")

        self._transaction(body)

    def invoice(self, order_id: str, skus: list[str]) -> None:
        def body(conn: sqlite3.Connection) -> None:
            self._order(conn, order_id)
            conn.execute(
                "SELECT number, version, data FROM invoices WHERE order_id = ? ORDER BY rowid",
                (order_id,),
            ).fetchall()
            (last,) = conn.execute(
                "INSERT INTO number_sequences (series, year, last) VALUES ('INV', 2026, 1) "
                "ON CONFLICT (series, year) DO UPDATE SET last = last + 1 RETURNING last"
            ).fetchone()
            number = f"INV-2026-{last:06d}"
            conn.execute(
                "INSERT INTO invoices (number, version, order_id, series, data) "
                "VALUES (?, 1, ?, 'INV', ?)",
                (number, order_id, self.payload("invoice", "invoices")),
            )
            self._outbox(conn, "invoice", number, "InvoiceIssued")

        self._transaction(body)

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def full_cycle(self, order_id: str, n: int) -> None:
        skus = sorted(line.sku for line in _shop.lines_for(n))
        for command in COMMANDS:
            getattr(self, command)(order_id, skus)


# -- one process -------------------------------------------------------------------


def _ids(prefix: str) -> Callable[[], str]:
    counter = iter(range(1, 10**9))
    return lambda: f"{prefix}-{next(counter)}"


def _rows_one_process(folder: Path, sizes: Sizes) -> list[Row]:
    rows: list[Row] = []
    memory = MemoryStore()
    _shop.stock_up(memory.unit_of_work)
    mem_service = _shop.service(memory.unit_of_work, "m")
    counter = iter(range(10**9))
    rows.append(
        single(
            GROUP,
            "full cycle, memory",
            loop(lambda: _shop.full_cycle(mem_service, next(counter))),
            runs=3,
            unit="s/order",
        )
    )

    store = SqliteStore(folder / "orderkit.db")
    _shop.stock_up(store.unit_of_work)
    svc = _shop.service(store.unit_of_work, "s")
    RawShop.create(folder / "floor.db")
    raw = RawShop(folder / "floor.db", sizes)
    raw_ids = _ids("r")
    rows += compare(
        GROUP,
        "full cycle, SQLite, in process",
        loop(lambda: _shop.full_cycle(svc, next(counter))),
        [
            (
                "raw sqlite3, same rows",
                loop(lambda: raw.full_cycle(raw_ids(), next(counter))),
                None,
            )
        ],
        runs=5,
        unit="s/order",
    )

    def place(n: int) -> None:
        svc.place(
            _shop.CUSTOMER,
            _shop.wide_lines_for(n),
            currency=_shop.EUR,
            shipping_address=_shop.ADDRESS,
        )

    def raw_place(n: int) -> None:
        raw.place(raw_ids(), sorted(line.sku for line in _shop.wide_lines_for(n)))

    rows += compare(
        GROUP,
        "SQLite place (3 lines, one unit of work)",
        loop(lambda: place(next(counter))),
        [
            (
                "raw sqlite3, same rows and updates",
                loop(lambda: raw_place(next(counter))),
                HALF_THROUGHPUT,
            )
        ],
        unit="s/order",
    )
    store.close()
    raw.conn.close()
    return rows


# -- several processes ------------------------------------------------------------


def _orderkit_opener(path: Path) -> _workers.Opener:
    def open_(index: int) -> tuple[_workers.Runner, Callable[[], None]]:
        store = SqliteStore(path)
        return _workers.OrderkitRunner(store.unit_of_work, f"p{index}"), store.close

    return open_


def _floor_opener(path: Path, sizes: Sizes) -> _workers.Opener:
    def open_(index: int) -> tuple[_workers.Runner, Callable[[], None]]:
        raw = RawShop(path, sizes)
        return _workers.FloorRunner(raw, f"p{index}"), raw.close

    return open_


def _rows_processes(folder: Path, sizes: Sizes, count: int) -> list[Row]:
    rows = []
    for processes in (1, 4):
        mine_path = folder / f"ok-{processes}.db"
        theirs_path = folder / f"raw-{processes}.db"
        store = SqliteStore(mine_path)
        _shop.stock_up(store.unit_of_work)
        store.close()
        RawShop.create(theirs_path)
        mine = _workers.throughput(_orderkit_opener(mine_path), processes, count, COMMANDS)
        theirs = _workers.throughput(_floor_opener(theirs_path, sizes), processes, count, COMMANDS)
        row = Row(
            GROUP,
            f"full cycle, SQLite, {processes} process{'es' if processes > 1 else ''}",
            1 / mine,
            "raw sqlite3, same rows",
            1 / theirs,
            unit="s/order",
            extra={"orders_per_second": mine, "floor_orders_per_second": theirs},
        )
        rows.append(row)
    return rows


def run(count: int = 60) -> list[Row]:
    """The SQLite and memory end-to-end rows."""
    sizes = payload_sizes()
    with _folder() as folder:
        rows = _rows_one_process(folder, sizes)
        rows += _rows_processes(folder, sizes, count)
    return rows
