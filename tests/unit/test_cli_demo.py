"""`orderkit demo`: a shop on a SQLite file, summarised; a second run continues the first."""

from __future__ import annotations

import io
import pathlib
import re

import pytest

from orderkit.adapters.sqlite import SqliteStore
from orderkit.cli import main
from orderkit.ids import Sku
from orderkit.service._demo_shop import SKUS
from orderkit.testing.audit import audit_store


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    status = main(list(argv), out=out)
    return status, out.getvalue()


def _figure(text: str, label: str) -> int:
    found = re.search(rf"^\s*{label}\s+([\d,]+)\s*$", text, re.MULTILINE)
    assert found, f"no {label!r} in the summary"
    return int(found.group(1).replace(",", ""))


def test_demo_trades_and_prints_the_summary_and_an_invoice(tmp_path: pathlib.Path) -> None:
    db = tmp_path / "demo.db"
    status, text = run("demo", "--db", str(db), "--orders", "60", "--seed", "7", "--quiet")
    assert status == 0
    assert "run 1" in text
    for heading in ("Orders by status", "Revenue", "Units", "Invoices issued", "Events in outbox"):
        assert heading in text
    assert re.search(r"^\s*EUR\s+[\d,]+\.\d\d$", text, re.MULTILINE)
    assert "INVOICE INV-2026-" in text
    assert _figure(text, "shipped") > 0
    assert _figure(text, "total") <= 60
    with SqliteStore(db) as store, store.unit_of_work() as uow:
        report = audit_store(uow, [Sku(row[0]) for row in SKUS])
        assert report.ok, report.problems
        assert uow.numbers.current("INV", 2026) == _figure(text, "Invoices issued")


def test_a_second_run_continues_from_what_is_there(tmp_path: pathlib.Path) -> None:
    db = tmp_path / "demo.db"
    _, first = run("demo", "--db", str(db), "--orders", "30", "--quiet")
    status, second = run("demo", "--db", str(db), "--orders", "30", "--quiet")
    assert status == 0
    assert "run 2" in second
    assert _figure(second, "total") > _figure(first, "total")
    assert _figure(second, "Invoices issued") > _figure(first, "Invoices issued")
    with SqliteStore(db) as store, store.unit_of_work() as uow:
        assert audit_store(uow, [Sku(row[0]) for row in SKUS]).ok


def test_demo_shows_progress_on_standard_error(
    tmp_path: pathlib.Path, capsys: pytest.CaptureFixture[str]
) -> None:
    status = main(["demo", "--db", str(tmp_path / "d.db"), "--orders", "50"], out=io.StringIO())
    assert status == 0
    assert "50/50 orders" in capsys.readouterr().err


def test_demo_refuses_a_bad_order_count(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        main(["demo", "--orders", "0"])
    assert "at least 1" in capsys.readouterr().err
