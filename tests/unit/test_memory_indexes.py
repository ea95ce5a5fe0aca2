"""The memory store's column index and pending-outbox view agree with a plain scan."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from orderkit.adapters import TableSpec
from orderkit.adapters._records import OutboxRow
from orderkit.adapters.memory import _MemoryRecords, _State

SPEC = TableSpec("things", "thing", "id", ("status",))
KEYS = st.sampled_from(["a", "b", "c", "d", "e"])
STATUSES = st.sampled_from(["open", "held", "closed"])
WRITE = st.tuples(st.just("write"), KEYS, STATUSES)
APPEND = st.tuples(st.just("append"), st.integers(0, 30), st.just(""))
DISPATCH = st.tuples(st.just("dispatch"), st.integers(0, 30), st.just(""))
TRANSACTION = st.tuples(st.lists(st.one_of(WRITE, APPEND, DISPATCH), max_size=8), st.booleans())


def _write(records: _MemoryRecords, model: dict[str, str], key: str, status: str) -> None:
    if key in model:
        assert records.update(SPEC, key, records.version_of(SPEC, key), key, {"status": status})
    else:
        assert records.insert(SPEC, key, key, {"status": status})
    model[key] = status


def _check(records: _MemoryRecords, rows: dict[str, str], sent: list[str], done: set[str]) -> None:
    for status in ("open", "held", "closed"):
        found = sorted(record.key for record in records.select(SPEC, "status", status, None))
        assert found == sorted(key for key, value in rows.items() if value == status)
    pending = [message.message_id for message in records.pending(None)]
    assert pending == [message_id for message_id in sent if message_id not in done]
    assert records.count_outbox(pending_only=True) == len(pending)
    assert records.pending(2) == records.pending(None)[:2]


@given(st.lists(TRANSACTION, max_size=8))
def test_select_and_pending_match_a_scan_across_commits_and_rollbacks(
    transactions: list[tuple[list[tuple[str, object, str]], bool]],
) -> None:
    state = _State()
    rows: dict[str, str] = {}
    sent: list[str] = []
    done: set[str] = set()
    for ops, commit in transactions:
        records = _MemoryRecords(state)
        new_rows, new_sent, new_done = dict(rows), list(sent), set(done)
        for op, value, status in ops:
            if op == "write":
                _write(records, new_rows, str(value), status)
            elif op == "append" and f"m{value}" not in new_sent:
                records.append_outbox([OutboxRow(f"m{value}", "thing", "a", "Happened", "{}")])
                new_sent.append(f"m{value}")
            elif op == "dispatch" and f"m{value}" in new_sent:
                assert records.mark_dispatched([f"m{value}"]) == []
                new_done.add(f"m{value}")
            _check(records, new_rows, new_sent, new_done)
        if commit:
            records.apply()
            rows, sent, done = new_rows, new_sent, new_done
        _check(_MemoryRecords(state), rows, sent, done)
