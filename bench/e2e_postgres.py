"""PostgreSQL end to end, when ORDERKIT_TEST_POSTGRES_DSN names a throw-away database.

orderkit's PostgreSQL adapter against a raw psycopg floor that runs the same
statements on the same schema (stock rows locked ``FOR UPDATE`` in sku order
and saved in one ``UPDATE ... FROM unnest(...)`` that checks their versions,
the invoice number from a counter row, the outbox rows in one ``INSERT ...
SELECT FROM unnest(...)`` in the same transaction) and writes the same JSON
documents (those orderkit wrote for one probe order, command by command).
Allocation runs on 10 hot skus with 1 and 4 processes; gapless invoicing with
4 processes; the full cycle with 1 and 4 processes. Each case runs three
times, alternating which side goes first, each run on fresh schemas dropped at
the end; the ratio is the median of the per-run ratios.
"""

from __future__ import annotations

import json
import os
import statistics
import sys
import uuid
from collections.abc import Callable

from bench import _shop, _workers
from bench._harness import NOTES, Row, Target, Timing

GROUP = "postgres"
ENV = "ORDERKIT_TEST_POSTGRES_DSN"


#: The JSON documents orderkit writes per command and table: {"allocate": {"stock": [...]}}.
Documents = dict[str, dict[str, list[str]]]

#: The tables whose JSON the floor writes: (JSON column, order of the rows).
_DOCUMENT_TABLES = {
    "orders": ("data", "id"),
    "stock": ("data", "sku"),
    "shipments": ("data", "id"),
    "invoices": ("data", "number"),
    "outbox": ("payload", "position"),
}


def documents(dsn: str) -> Documents:
    """The JSON orderkit writes in each command, table by table, from one order on a probe schema.

    The floor writes these very documents, not just as many bytes: jsonb parses
    and prints a document of many keys and numbers at about twice the cost of one
    long string of the same length, and it compresses far less.
    """
    import psycopg  # noqa: PLC0415

    from orderkit.adapters.postgres import PostgresStore  # noqa: PLC0415

    schema = f"bench_probe_{os.getpid()}"
    found: Documents = {}
    try:
        _prepare(dsn, schema)
        with (
            PostgresStore(dsn, schema=schema) as store,
            psycopg.connect(dsn, autocommit=True) as conn,
        ):
            runner = _workers.OrderkitRunner(store.unit_of_work, "probe")
            for command in _workers.COMMANDS:  # a first order: counters and usage rows exist
                runner.run(command, 0)
            for command in _workers.COMMANDS:
                row = conn.execute("SELECT mod(txid_current(), 4294967296)").fetchone()
                before = int(row[0]) if row is not None else 0
                runner.run(command, 1)
                # rows the command's transaction wrote carry its (later) transaction id
                found[command] = {
                    table: [
                        # as orderkit sends it: compact, keys sorted (jsonb prints it spaced)
                        json.dumps(json.loads(text), separators=(",", ":"), sort_keys=True)
                        for (text,) in conn.execute(
                            f'SELECT {column}::text FROM "{schema}".{table} '
                            f"WHERE xmin::text::bigint > %s ORDER BY {key}",
                            (before,),
                        )
                    ]
                    for table, (column, key) in _DOCUMENT_TABLES.items()
                }
    finally:
        _drop(dsn, schema)
    return found


class RawPostgres:
    """The floor: each command's statements by hand, one transaction each."""

    def __init__(self, dsn: str, schema: str, docs: Documents) -> None:
        import psycopg  # noqa: PLC0415 (the postgres extra is optional)

        self.conn = psycopg.connect(dsn, autocommit=False)
        self.s = f'"{schema}"'
        self.docs = docs

    def payloads(self, command: str, table: str, count: int = 1) -> list[str]:
        """``count`` of the documents orderkit wrote to ``table`` in ``command`` (in turn)."""
        written = self.docs[command][table]
        if not written:
            raise RuntimeError(f"orderkit wrote no {table} row in {command}: update the floor")
        return [written[i % len(written)] for i in range(count)]

    def payload(self, command: str, table: str) -> str:
        """The document orderkit wrote to ``table`` in ``command``."""
        return self.payloads(command, table)[0]

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()

    def _stock(self, skus: list[str]) -> list[tuple[str, int]]:
        rows = self.conn.execute(
            f"SELECT sku, version, data::text FROM {self.s}.stock WHERE sku = ANY(%s) "
            "ORDER BY sku FOR UPDATE",
            (skus,),
        ).fetchall()
        return [(sku, version) for sku, version, _ in rows]

    def _save_stock(self, rows: list[tuple[str, int]], command: str) -> None:
        written = self.conn.execute(
            f"UPDATE {self.s}.stock AS t SET version = t.version + 1, data = u.d::jsonb "
            "FROM unnest(%b::text[], %b::integer[], %b::text[]) AS u(k, v, d) "
            "WHERE t.sku = u.k AND t.version = u.v RETURNING t.sku",
            (
                [sku for sku, _ in rows],
                [version for _, version in rows],
                self.payloads(command, "stock", len(rows)),
            ),
        ).fetchall()
        if len(written) != len(rows):
            raise RuntimeError("stale stock")

    def _order(self, order_id: str) -> int:
        row = self.conn.execute(
            f"SELECT version, data::text FROM {self.s}.orders WHERE id = %s", (order_id,)
        ).fetchone()
        if row is None:
            raise RuntimeError(f"no order {order_id}")
        return int(row[0])

    def _save_order(self, order_id: str, version: int, status: str, data: str) -> None:
        cursor = self.conn.execute(
            f"UPDATE {self.s}.orders SET version = version + 1, customer_id = %s, status = %s, "
            "placed_at_us = %s, data = %s::jsonb WHERE id = %s AND version = %s",
            ("c-1", status, 1772442000000000, data, order_id, version),
        )
        if cursor.rowcount != 1:
            raise RuntimeError(f"stale order {order_id}")

    def _outbox(self, command: str, key: str, event: str) -> None:
        """The command's events: orderkit's outbox rows, in one statement as it does."""
        payloads = self.docs[command]["outbox"]
        rows = len(payloads)
        self.conn.execute(
            f"INSERT INTO {self.s}.outbox (message_id, aggregate_type, aggregate_key, "
            "event_type, payload) SELECT m, t, k, e, p::jsonb FROM unnest(%b::text[], "
            "%b::text[], %b::text[], %b::text[], %b::text[]) "
            "WITH ORDINALITY AS u(m, t, k, e, p, n) ORDER BY n",
            (
                [uuid.uuid4().hex for _ in range(rows)],
                ["order"] * rows,
                [key] * rows,
                [event] * rows,
                payloads,
            ),
        )

    def place(self, order_id: str, skus: list[str]) -> None:
        with self.conn.transaction():
            rows = self._stock(skus)
            self.conn.execute(
                f"INSERT INTO {self.s}.orders (id, version, customer_id, status, placed_at_us, "
                "data) VALUES (%s, 1, 'c-1', 'placed', 1772442000000000, %s::jsonb) "
                "ON CONFLICT (id) DO NOTHING",
                (order_id, self.payload("place", "orders")),
            )
            self._save_stock(rows, "place")
            # the promotion's usage counter, claimed and checked against releases
            self.conn.execute(
                f"INSERT INTO {self.s}.number_sequences AS n (series, year, last) "
                "VALUES ('usage/claimed/TENOFF', 1, 1) ON CONFLICT (series, year) DO UPDATE "
                "SET last = n.last + 1 RETURNING last"
            ).fetchall()
            self.conn.execute(
                f"SELECT last FROM {self.s}.number_sequences "
                "WHERE series = 'usage/released/TENOFF' AND year = 1"
            ).fetchall()
            self._outbox("place", order_id, "OrderPlaced")

    def confirm(self, order_id: str, skus: list[str]) -> None:
        with self.conn.transaction():
            version = self._order(order_id)
            self._save_order(order_id, version, "confirmed", self.payload("confirm", "orders"))
            self._outbox("confirm", order_id, "OrderConfirmed")

    def allocate(self, order_id: str, skus: list[str]) -> None:
        with self.conn.transaction():
            version = self._order(order_id)
            rows = self._stock(skus)
            data = self.payload("allocate", "orders")
            self._save_order(order_id, version, "in_fulfillment", data)
            self._save_stock(rows, "allocate")
            self._outbox("allocate", order_id, "OrderItemsAllocated")

    def ship(self, order_id: str, skus: list[str]) -> None:
        with self.conn.transaction():
            version = self._order(order_id)
            rows = self._stock(skus)
            self._save_order(order_id, version, "fulfilled", self.payload("ship", "orders"))
            self._save_stock(rows, "ship")
            self.conn.execute(
                f"INSERT INTO {self.s}.shipments (id, version, order_id, status, data) "
                "VALUES (%s, 1, %s, 'dispatched', %s::jsonb) ON CONFLICT (id) DO NOTHING",
                (f"s-{order_id}", order_id, self.payload("ship", "shipments")),
            )
            self._outbox("ship", order_id, "OrderItemsShipped")

    def invoice(self, order_id: str, skus: list[str]) -> None:
        with self.conn.transaction():
            self._order(order_id)
            self.conn.execute(
                f"SELECT number, version, data::text FROM {self.s}.invoices WHERE order_id = %s "
                "ORDER BY seq",
                (order_id,),
            ).fetchall()
            (last,) = self.conn.execute(
                f"INSERT INTO {self.s}.number_sequences AS n (series, year, last) "
                "VALUES ('INV', 2026, 1) ON CONFLICT (series, year) DO UPDATE "
                "SET last = n.last + 1 RETURNING last"
            ).fetchone() or (0,)
            number = f"INV-2026-{last:06d}"
            self.conn.execute(
                f"INSERT INTO {self.s}.invoices (number, version, order_id, series, data) "
                "VALUES (%s, 1, %s, 'INV', %s::jsonb) ON CONFLICT (number) DO NOTHING",
                (number, order_id, self.payload("invoice", "invoices")),
            )
            self._outbox("invoice", number, "InvoiceIssued")


def _prepare(dsn: str, schema: str) -> None:
    from orderkit.adapters.postgres import PostgresStore  # noqa: PLC0415

    store = PostgresStore(dsn, schema=schema)
    store.migrate()
    _shop.stock_up(store.unit_of_work)
    store.close()


def _drop(dsn: str, *schemas: str) -> None:
    import psycopg  # noqa: PLC0415

    with psycopg.connect(dsn, autocommit=True) as conn:
        for schema in schemas:
            conn.execute(f'DROP SCHEMA IF EXISTS "{schema}" CASCADE')


def _orderkit_opener(dsn: str, schema: str) -> _workers.Opener:
    def open_(index: int) -> tuple[_workers.Runner, Callable[[], None]]:
        from orderkit.adapters.postgres import PostgresStore  # noqa: PLC0415

        store = PostgresStore(dsn, schema=schema)
        return _workers.OrderkitRunner(store.unit_of_work, f"p{index}"), store.close

    return open_


def _floor_opener(dsn: str, schema: str, docs: Documents) -> _workers.Opener:
    def open_(index: int) -> tuple[_workers.Runner, Callable[[], None]]:
        raw = RawPostgres(dsn, schema, docs)
        return _workers.FloorRunner(raw, f"p{index}"), raw.close

    return open_


CASES = (
    ("allocate, 10 hot skus", ("allocate",), 1, Target(1 / 0.6, "≤ 1.67× (≥ 60 % of the floor)")),
    ("allocate, 10 hot skus", ("allocate",), 4, Target(1 / 0.6, "≤ 1.67× (≥ 60 % of the floor)")),
    ("gapless invoicing", ("invoice",), 4, Target(1 / 0.7, "≤ 1.43× (≥ 70 % of the floor)")),
    ("full cycle", _workers.COMMANDS, 1, None),
    ("full cycle", _workers.COMMANDS, 4, None),
)


def _once(dsn: str, number: int, run: int, docs: Documents, count: int) -> tuple[float, float]:
    """Orders per second of orderkit and of the floor in one run, each on fresh schemas."""
    _, measured, processes, _ = CASES[number]
    mine = f"bench_ok_{os.getpid()}_{number}_{run}"
    theirs = f"bench_raw_{os.getpid()}_{number}_{run}"
    try:
        _prepare(dsn, mine)
        _prepare(dsn, theirs)
        sides = [
            lambda: _workers.throughput(_orderkit_opener(dsn, mine), processes, count, measured),
            lambda: _workers.throughput(
                _floor_opener(dsn, theirs, docs), processes, count, measured
            ),
        ]
        if run % 2:  # alternate which side goes first
            floor, ours = sides[1](), sides[0]()
        else:
            ours, floor = sides[0](), sides[1]()
    finally:
        _drop(dsn, mine, theirs)
    return ours, floor


def run(count: int = 40, runs: int = 3) -> list[Row]:
    """The PostgreSQL rows, or none (with a note on stderr) when no DSN is set.

    Each case runs ``runs`` times, alternating which side goes first; a row
    reports the medians and the median of the per-run ratios (both sides of a
    run share the machine's load at that moment).
    """
    dsn = os.environ.get(ENV)
    if not dsn:
        NOTES.append(f"PostgreSQL rows not measured: {ENV} was not set.")
        print(f"# postgres: skipped, {ENV} is not set", file=sys.stderr)
        return []
    docs = documents(dsn)
    rows = []
    for number, (name, _, processes, target) in enumerate(CASES):
        results = [_once(dsn, number, attempt, docs, count) for attempt in range(runs)]
        mine = Timing.of([1 / ours for ours, _ in results])
        theirs = Timing.of([1 / floor for _, floor in results])
        row = Row(
            GROUP,
            f"{name}, {processes} process{'es' if processes > 1 else ''}",
            mine.median,
            "raw psycopg, same statements",
            theirs.median,
            unit="s/order",
            spread=mine.spread,
            other_spread=theirs.spread,
            paired=statistics.median(floor / ours for ours, floor in results),
            extra={
                "runs": runs,
                "orders_per_second": 1 / mine.median,
                "floor_orders_per_second": 1 / theirs.median,
            },
        )
        row.judge(target)
        rows.append(row)
    return rows
