"""Several processes on one SQLite file: gapless numbers, and crash safety under SIGKILL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from orderkit.adapters.sqlite import SqliteStore
from orderkit.ids import OrderId, Sku

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not hasattr(signal, "SIGKILL"), reason="needs POSIX signals"),
]

_PRELUDE = """
import sys
from orderkit.errors import OrderkitError
from orderkit.adapters.sqlite import SqliteStore

def retrying(store, work):
    for _ in range(100):
        try:
            with store.unit_of_work() as uow:
                result = work(uow)
                uow.commit()
                return result
        except OrderkitError as exc:
            if not exc.retryable:
                raise
    raise SystemExit("gave up after 100 retryable failures")

store = SqliteStore(sys.argv[1], busy_timeout=10.0)
"""

_DRAW_NUMBERS = """
def draw(uow):
    return uow.numbers.next("INV", 2026)

numbers = [retrying(store, draw) for _ in range(int(sys.argv[2]))]
print(" ".join(map(str, numbers)))
"""

# One unit of work = a number, an order, a stock receipt and an idempotency record.
# Units from `start` on are committed, printing "committed <i>"; with --hang the last
# unit stops before its commit, prints "open <i>" and waits to be killed.
_BATCH = """
from orderkit.ids import LocationId, Sku
from orderkit.testing.contracts._storage import make_order, make_stock
import time
start, count, hang = int(sys.argv[2]), int(sys.argv[3]), sys.argv[4] == "hang"

def unit(i, uow):
    number = uow.numbers.next("INV", 2026)
    uow.orders.add(make_order(i))
    found = uow.stock.get_many([Sku("A")])
    stock = found.get(Sku("A")) or make_stock("A", 0)
    stock.receive(LocationId("WH-1"), 1)
    uow.stock.save(stock)
    uow.idempotency.put(f"k-{i}", number)

for i in range(start, start + count):
    retrying(store, lambda uow: unit(i, uow))
    print("committed", i, flush=True)
if hang:
    i = start + count
    with store.unit_of_work() as uow:
        unit(i, uow)
        print("open", i, flush=True)
        time.sleep(600)
"""


Spawn = Callable[..., subprocess.Popen[str]]


@pytest.fixture
def spawn() -> Iterator[Callable[..., subprocess.Popen[str]]]:
    """Start worker processes running orderkit code; kill leftovers at the end."""
    started: list[subprocess.Popen[str]] = []

    def start(script: str, *args: str) -> subprocess.Popen[str]:
        process = _spawn(script, *args)
        started.append(process)
        return process

    yield start
    for process in started:
        if process.poll() is None:
            process.kill()
        process.communicate(timeout=60)


def _spawn(script: str, *args: str) -> subprocess.Popen[str]:
    source = textwrap.dedent(_PRELUDE) + textwrap.dedent(script)
    return subprocess.Popen(
        [sys.executable, "-c", source, *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": os.pathsep.join(sys.path)},
    )


def _check_whole_units(path: Path) -> int:
    """Every stored unit is complete, and units are numbered 1..n without gaps."""
    with SqliteStore(path) as store, store.unit_of_work() as uow:
        numbers = uow.numbers.current("INV", 2026)
        orders = uow.orders.list_by_customer("c-1")  # type: ignore[arg-type]
        stock = uow.stock.get_many([Sku("A")])
        on_hand = stock[Sku("A")].on_hand() if stock else 0
        placed = [m for m in uow.outbox.pending() if m.event_type == "OrderPlaced"]
        results = []
        for order in orders:
            index = int(order.id.removeprefix("o-"))
            found = uow.idempotency.get(f"k-{index}")
            assert found is not None, order.id
            results.append(found.result)
    assert len(orders) == numbers == on_hand == len(placed)
    assert sorted(results) == list(range(1, numbers + 1))  # type: ignore[type-var]
    return numbers


def test_four_processes_draw_gapless_unique_numbers(tmp_path: Path, spawn: Spawn) -> None:
    path = tmp_path / "numbers.sqlite"
    SqliteStore(path).close()
    workers = [spawn(_DRAW_NUMBERS, str(path), "25") for _ in range(4)]
    drawn: list[int] = []
    for worker in workers:
        out, err = worker.communicate(timeout=120)
        assert worker.returncode == 0, err
        drawn.extend(int(n) for n in out.split())
    assert sorted(drawn) == list(range(1, 101))
    with SqliteStore(path) as store, store.unit_of_work() as uow:
        assert uow.numbers.current("INV", 2026) == 100


def test_a_process_killed_inside_a_unit_of_work_leaves_only_whole_units(
    tmp_path: Path, spawn: Spawn
) -> None:
    path = tmp_path / "crash.sqlite"
    worker = spawn(_BATCH, str(path), "1", "5", "hang")
    assert worker.stdout is not None
    lines = [worker.stdout.readline().split() for _ in range(6)]
    assert lines[-1] == ["open", "6"], worker.stderr.read() if worker.stderr else ""
    worker.send_signal(signal.SIGKILL)
    worker.communicate(timeout=60)
    assert worker.returncode == -signal.SIGKILL
    assert _check_whole_units(path) == 5
    with SqliteStore(path) as store, store.unit_of_work() as uow:
        assert uow.numbers.next("INV", 2026) == 6  # the killed unit consumed no number
        with pytest.raises(LookupError):
            uow.orders.get(OrderId("o-00006"))


def test_processes_killed_at_random_moments_leave_only_whole_units(
    tmp_path: Path, spawn: Spawn
) -> None:
    path = tmp_path / "chaos.sqlite"
    SqliteStore(path).close()
    workers = [spawn(_BATCH, str(path), str(1000 * (w + 1)), "400", "run") for w in range(3)]
    for worker in workers:
        assert worker.stdout is not None
        for _ in range(3):  # let each one commit a few units, then kill it wherever it is
            assert worker.stdout.readline().startswith("committed")
    for worker in workers:
        worker.send_signal(signal.SIGKILL)
        worker.communicate(timeout=60)
    assert _check_whole_units(path) >= 9


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_opens_its_own_connections(tmp_path: Path) -> None:
    with SqliteStore(tmp_path / "fork.sqlite") as store:
        with store.unit_of_work() as uow:  # leaves an idle connection in the pool
            uow.numbers.next("INV", 2026)
            uow.commit()
        pid = os.fork()
        if pid == 0:  # pragma: no cover - runs in the child
            code = 1
            try:
                with store.unit_of_work() as uow:
                    code = 0 if uow.numbers.next("INV", 2026) == 2 else 2
                    uow.commit()
            finally:
                os._exit(code)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0
        with store.unit_of_work() as uow:  # the parent's pooled connection still works
            assert uow.numbers.next("INV", 2026) == 3
