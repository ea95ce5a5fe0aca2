"""Several processes running the same commands, on orderkit or on a raw floor.

Each worker opens its own store (or raw connection) after the fork, waits at a
barrier so all workers start together, then for each of its ``count`` orders
runs the set-up commands untimed and the measured commands timed. Throughput is
all workers' orders over the slowest worker's measured time.
"""

from __future__ import annotations

import multiprocessing
import time
from collections.abc import Callable, Sequence
from typing import Any, Protocol

from bench import _shop
from orderkit.ports import UnitOfWork
from orderkit.service import OrderService

COMMANDS = ("place", "confirm", "allocate", "ship", "invoice")


class Floor(Protocol):
    """A raw implementation of the five commands."""

    def place(self, order_id: str, skus: list[str]) -> None: ...
    def confirm(self, order_id: str, skus: list[str]) -> None: ...
    def allocate(self, order_id: str, skus: list[str]) -> None: ...
    def ship(self, order_id: str, skus: list[str]) -> None: ...
    def invoice(self, order_id: str, skus: list[str]) -> None: ...
    def close(self) -> None: ...


def skus_for(n: int) -> list[str]:
    """The sorted skus of order ``n`` (as ``_shop.lines_for`` builds it)."""
    return sorted(line.sku for line in _shop.lines_for(n))


class OrderkitRunner:
    """Runs commands through OrderService, remembering the ids ``place`` returns."""

    def __init__(self, uow_factory: Callable[[], UnitOfWork], prefix: str) -> None:
        self.service: OrderService = _shop.service(uow_factory, prefix)
        self.ids: dict[int, str] = {}

    def run(self, command: str, n: int) -> None:
        if command == "place":
            self.ids[n] = self.service.place(
                _shop.CUSTOMER,
                _shop.lines_for(n),
                currency=_shop.EUR,
                shipping_address=_shop.ADDRESS,
            ).order_id
        else:
            getattr(self.service, command)(self.ids[n])


class FloorRunner:
    """Runs commands on a raw floor with ids of its own."""

    def __init__(self, floor: Floor, prefix: str) -> None:
        self.floor = floor
        self.prefix = prefix

    def run(self, command: str, n: int) -> None:
        getattr(self.floor, command)(f"{self.prefix}-{n}", skus_for(n))


Runner = OrderkitRunner | FloorRunner
#: Builds a runner inside the worker process: (worker index) -> runner, closer.
Opener = Callable[[int], tuple[Runner, Callable[[], None]]]


def _worker(  # noqa: PLR0917 (a multiprocessing target takes positional arguments)
    opener: Opener,
    index: int,
    count: int,
    measured: Sequence[str],
    barrier: Any,
    results: Any,
) -> None:
    try:
        _work(opener, index, count, measured, barrier, results)
    except BaseException as exc:
        barrier.abort()  # the others stop waiting; the parent sees the failure at once
        results.put(f"worker {index} failed: {type(exc).__name__}: {exc}")
        raise


def _work(  # noqa: PLR0917
    opener: Opener,
    index: int,
    count: int,
    measured: Sequence[str],
    barrier: Any,
    results: Any,
) -> None:
    runner, close = opener(index)
    setup = COMMANDS[: COMMANDS.index(measured[0])]
    numbers = [index * 1_000_000 + n for n in range(count)]
    warm = index * 1_000_000 + 999_999
    for command in COMMANDS:
        runner.run(command, warm)
    barrier.wait()
    elapsed = 0.0
    for n in numbers:
        # Each order gets its set-up commands right before the measured ones (untimed), as
        # in a shop that allocates or invoices soon after placing: open reservations do
        # not pile up in the hot skus' rows, which the floor's fixed-size rows would not
        # reflect.
        for command in setup:
            runner.run(command, n)
        start = time.perf_counter()
        for command in measured:
            runner.run(command, n)
        elapsed += time.perf_counter() - start
    results.put(elapsed)
    close()


def throughput(opener: Opener, processes: int, count: int, measured: Sequence[str]) -> float:
    """Orders per second through ``measured`` with ``processes`` forked workers."""
    context = multiprocessing.get_context("fork")
    barrier = context.Barrier(processes)
    results = context.Queue()
    workers = [
        context.Process(target=_worker, args=(opener, i, count, tuple(measured), barrier, results))
        for i in range(processes)
    ]
    for worker in workers:
        worker.start()
    try:
        elapsed = [results.get(timeout=240) for _ in workers]
        failures = [item for item in elapsed if isinstance(item, str)]
        if failures:
            raise RuntimeError("; ".join(failures))
    finally:
        for worker in workers:
            worker.join(timeout=30)
    return processes * count / float(max(elapsed))
