"""The order-pattern report: counts add up and revenue equals the orders' totals."""

from __future__ import annotations

import io
import pathlib
from decimal import Decimal

from hypothesis import given
from hypothesis import strategies as st

from orderkit.adapters.sqlite import SqliteStore
from orderkit.cli import main
from orderkit.money import Money
from orderkit.orders import STANDARD_LIFECYCLE, Order
from orderkit.reporting import OrderReport, render_report
from orderkit.testing.strategies import orders


@given(st.lists(orders(), max_size=8))
def test_counts_add_up_and_revenue_is_the_sum_of_live_totals(placed: list[Order]) -> None:
    report = OrderReport.from_orders(placed)

    assert report.orders == len(placed)
    assert sum(n for _, n in report.by_status) == len(placed)
    assert sum(n for _, n in report.by_fulfillment_status) == len(placed)
    assert sum(n for _, n in report.by_weekday) == len(placed)
    live = [o for o in placed if o.status.value != "cancelled"]
    for revenue in report.revenue:
        mine = [o.total for o in live if o.currency == revenue.currency]
        assert revenue == Money.sum(mine, revenue.currency)
    assert {m.currency for m in report.revenue} == {o.currency for o in live}
    assert Decimal(0) <= report.repeat_customer_share <= 1
    assert render_report(report).startswith(f"Orders                {len(placed)}")


def test_an_empty_report_divides_by_nothing() -> None:
    report = OrderReport.from_orders([])

    assert (report.orders, report.revenue, report.cancellation_rate) == (0, (), Decimal(0))
    assert report.first_placed is None


def test_report_command_reads_the_demo_database(tmp_path: pathlib.Path) -> None:
    db = tmp_path / "shop.db"
    assert main(["demo", "--db", str(db), "--orders", "12", "--quiet"], io.StringIO()) == 0
    out = io.StringIO()

    assert main(["report", "--db", str(db)], out) == 0

    with SqliteStore(db) as store, store.unit_of_work(read_only=True) as uow:
        stored = sum(len(uow.orders.list_by_status(s)) for s in STANDARD_LIFECYCLE.states)
    text = out.getvalue()
    assert text.startswith(f"Orders                {stored}\n")
    assert stored > 0
    assert "Revenue (not cancelled)" in text


def test_report_command_refuses_a_missing_database(tmp_path: pathlib.Path) -> None:
    assert main(["report", "--db", str(tmp_path / "none.db")], io.StringIO()) == 1
    assert not (tmp_path / "none.db").exists()


def test_lifecycle_command_draws_the_standard_lifecycle() -> None:
    mermaid, dot = io.StringIO(), io.StringIO()

    assert main(["lifecycle"], mermaid) == 0
    assert main(["lifecycle", "--format", "dot"], dot) == 0

    assert mermaid.getvalue().startswith("stateDiagram-v2")
    assert dot.getvalue().startswith("digraph")
