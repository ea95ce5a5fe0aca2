"""The ``orderkit`` console command.

Each subcommand is a small function registered in :func:`build_parser`; add a
new one by writing ``_run_<name>(args, out) -> int`` and one ``add_parser``
block. Output goes to ``out`` (standard output by default) so tests can read
it. :func:`main` turns an :class:`~orderkit.errors.OrderkitError` into a
message on standard error and exit status 1.
"""

from __future__ import annotations

import argparse
import importlib.metadata
import sys
from collections.abc import Callable, Sequence
from decimal import Decimal
from typing import TextIO

import attrs

from orderkit.errors import OrderkitError
from orderkit.money import Currency, Money, allocate

__all__ = ["build_parser", "main"]

Command = Callable[[argparse.Namespace, TextIO], int]


@attrs.frozen
class _Bill:
    """A restaurant bill: items with unit prices, then one percentage charge."""

    currency: Currency
    items: tuple[tuple[str, int, Money], ...]
    charge_label: str
    charge_rate: Decimal


def _bill(currency: str, items: list[tuple[str, int, str]], label: str, rate: str) -> _Bill:
    cur = Currency.of(currency)
    lines = tuple((name, qty, Money.of(price, cur)) for name, qty, price in items)
    return _Bill(cur, lines, label, Decimal(rate))


DEMO_BILLS: tuple[_Bill, ...] = (
    _bill(
        "EUR", [("Pasta", 2, "12.90"), ("Wine", 1, "24.50"), ("Espresso", 3, "2.20")], "VAT", "10"
    ),
    _bill("JPY", [("Ramen", 2, "980"), ("Gyoza", 1, "450"), ("Green tea", 3, "180")], "Tax", "10"),
    _bill(
        "KWD",
        [("Machboos", 2, "3.250"), ("Salad", 1, "1.125"), ("Juice", 3, "0.750")],
        "Service",
        "5",
    ),
)


def _print_bill(bill: _Bill, people: int, out: TextIO) -> None:
    width = 14
    print(f"{bill.currency.code} bill ({bill.currency.name})", file=out)
    print(f"  {'item':<12}{'qty':>4}{'unit price':>{width}}{'amount':>{width}}", file=out)
    amounts = []
    for name, quantity, unit_price in bill.items:
        amount = unit_price * quantity
        amounts.append(amount)
        print(f"  {name:<12}{quantity:>4}{unit_price!s:>{width}}{amount!s:>{width}}", file=out)
    subtotal = Money.sum(amounts, bill.currency)
    # The charge is rounded once, on the subtotal, half-up (the documented default).
    charge = (subtotal * (bill.charge_rate / 100)).round()
    total = subtotal + charge
    label = f"{bill.charge_label} {bill.charge_rate}%"
    pad = 4 + width
    print(f"  {'subtotal':<12}{'':>{pad}}{subtotal!s:>{width}}", file=out)
    print(f"  {label:<12}{'':>{pad}}{charge!s:>{width}}", file=out)
    print(f"  {'total':<12}{'':>{pad}}{total!s:>{width}}", file=out)
    parts = allocate(total, [1] * people)
    shares = " + ".join(str(part) for part in parts)
    print(f"  split {people} ways: {shares} = {Money.sum(parts, bill.currency)}", file=out)


def _run_bill(args: argparse.Namespace, out: TextIO) -> int:
    people: int = args.people
    print(
        f"orderkit demo: one bill in three currencies, split exactly among {people} people\n",
        file=out,
    )
    for bill in DEMO_BILLS:
        _print_bill(bill, people, out)
        print(file=out)
    print("Every split adds up to its total to the minor unit (orderkit.money.allocate).", file=out)
    return 0


def _run_demo(args: argparse.Namespace, out: TextIO) -> int:
    from orderkit.service._demo import run_demo  # noqa: PLC0415 - only this command needs SQLite

    run_demo(
        args.db,
        orders=args.orders,
        seed=args.seed,
        out=out,
        progress=None if args.quiet else sys.stderr,
    )
    return 0


def _run_report(args: argparse.Namespace, out: TextIO) -> int:
    import datetime as dt  # noqa: PLC0415 - keep `import orderkit.cli` light
    import pathlib  # noqa: PLC0415

    from orderkit.adapters.sqlite import SqliteStore  # noqa: PLC0415
    from orderkit.reporting import OrderReport, render_report  # noqa: PLC0415

    path = pathlib.Path(args.db)
    if not path.is_file():
        print(
            f"orderkit report: no database at {path} (run `orderkit demo` first)", file=sys.stderr
        )
        return 1
    start = dt.datetime(1, 1, 2, tzinfo=dt.UTC)
    end = dt.datetime(9999, 12, 30, tzinfo=dt.UTC)
    with SqliteStore(path) as store, store.unit_of_work(read_only=True) as uow:
        report = OrderReport.from_orders(uow.orders.placed_between(start, end), top=args.top)
    print(render_report(report), file=out)
    return 0


def _run_lifecycle(args: argparse.Namespace, out: TextIO) -> int:
    from orderkit.orders import STANDARD_LIFECYCLE  # noqa: PLC0415

    diagram = (
        STANDARD_LIFECYCLE.to_dot() if args.format == "dot" else STANDARD_LIFECYCLE.to_mermaid()
    )
    print(diagram, file=out)
    return 0


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"{text!r} must be at least 1")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser, one subparser per command."""
    parser = argparse.ArgumentParser(
        prog="orderkit", description="Order-processing domain logic: demo and tools."
    )
    parser.add_argument(
        "--version", action="version", version=f"orderkit {importlib.metadata.version('orderkit')}"
    )
    commands = parser.add_subparsers(dest="command", metavar="COMMAND")

    demo = commands.add_parser(
        "demo",
        help="run a shop on a SQLite file: place, confirm, allocate, ship, invoice, cancel",
    )
    demo.add_argument(
        "--db", default="orderkit-demo.db", help="the SQLite file (default ./orderkit-demo.db)"
    )
    demo.add_argument(
        "--orders", type=_positive_int, default=1000, help="orders to generate (default 1000)"
    )
    demo.add_argument("--seed", type=int, default=1, help="random seed (default 1)")
    demo.add_argument("--quiet", action="store_true", help="no progress bar on standard error")
    demo.set_defaults(run=_run_demo)

    report = commands.add_parser("report", help="order patterns in a SQLite database")
    report.add_argument(
        "--db", default="orderkit-demo.db", help="the SQLite file (default ./orderkit-demo.db)"
    )
    report.add_argument("--top", type=_positive_int, default=5, help="skus to rank (default 5)")
    report.set_defaults(run=_run_report)

    lifecycle = commands.add_parser("lifecycle", help="draw the standard order lifecycle")
    lifecycle.add_argument(
        "--format", choices=("mermaid", "dot"), default="mermaid", help="diagram language"
    )
    lifecycle.set_defaults(run=_run_lifecycle)

    bill = commands.add_parser("bill", help="price and split a bill in EUR, JPY and KWD")
    bill.add_argument(
        "--people", type=_positive_int, default=3, help="how many ways to split (default 3)"
    )
    bill.set_defaults(run=_run_bill)
    return parser


def main(argv: Sequence[str] | None = None, out: TextIO | None = None) -> int:
    """Run the command line; returns the exit status (0 ok, 1 refused, 2 usage)."""
    parser = build_parser()
    args = parser.parse_args(argv)
    run: Command | None = getattr(args, "run", None)
    if run is None:
        parser.print_help(out or sys.stdout)
        return 2
    try:
        return run(args, out or sys.stdout)
    except OrderkitError as exc:
        print(f"orderkit {args.command}: {exc}", file=sys.stderr)
        return 1


if __name__ == "__main__":  # pragma: no cover - the console script calls main()
    sys.exit(main())
