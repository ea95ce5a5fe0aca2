"""The console command: `orderkit bill` prices and splits a bill in three currencies."""

from __future__ import annotations

import io
import re

import pytest

from orderkit.cli import main
from orderkit.money import Money


def run(*argv: str) -> tuple[int, str]:
    out = io.StringIO()
    status = main(list(argv), out=out)
    return status, out.getvalue()


def test_demo_prices_and_splits_each_bill_exactly() -> None:
    status, text = run("bill")
    assert status == 0
    # Totals worked out by hand: lines + a percentage charge rounded half-up once.
    assert re.search(r"total\s+62\.59 EUR", text)
    assert re.search(r"VAT 10%\s+5\.69 EUR", text)
    assert "split 3 ways: 20.87 EUR + 20.86 EUR + 20.86 EUR = 62.59 EUR" in text
    assert "split 3 ways: 1082 JPY + 1082 JPY + 1081 JPY = 3245 JPY" in text
    assert re.search(r"Service 5%\s+0\.494 KWD", text)
    assert "split 3 ways: 3.457 KWD + 3.456 KWD + 3.456 KWD = 10.369 KWD" in text


@pytest.mark.parametrize("people", [1, 2, 7])
def test_every_split_line_adds_up(people: int) -> None:
    status, text = run("bill", "--people", str(people))
    assert status == 0
    splits = re.findall(r"split (\d+) ways: (.*) = (\S+) (\w{3})", text)
    assert len(splits) == 3
    for count, shares, total, code in splits:
        parts = [Money.of(share.split()[0], code) for share in shares.split(" + ")]
        assert int(count) == len(parts) == people
        assert Money.sum(parts, code) == Money.of(total, code)
        assert max(parts) - min(parts) <= Money.from_minor_units(1, code)


def test_no_command_prints_help_and_exits_2() -> None:
    status, text = run()
    assert status == 2
    assert "demo" in text


def test_bad_arguments_are_usage_errors(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as info:
        main(["bill", "--people", "0"])
    assert info.value.code == 2
    assert "at least 1" in capsys.readouterr().err
