"""The converter's generated hooks equal the hooks cattrs generates, on every registered type.

For speed the converter writes its own straight-line function per attrs class
(serialization._Generator) and keeps cattrs' generated hook for input the fast
function refuses. Both must agree: unstructuring gives the same JSON (same
types, same key order), structuring well-formed JSON takes the fast path and
builds an equal value, and broken JSON gives exactly the errors cattrs' hook
reports. Each class is compared with cattrs' hook for that class over the same
converter, so nested classes are covered class by class.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orderkit.errors import ValidationError
from orderkit.events import DomainEvent
from orderkit.serialization import _collect, converter
from orderkit.testing.strategies import _BY_TYPE

#: Registered attrs classes without a wire form (they hold callables), and Currency,
#: which has hooks of its own (a bare code), not the attrs ones.
_LEFT_OUT = {"Lifecycle", "Transition", "Allocator", "Currency"}

TYPES = sorted(
    (cls for cls in _BY_TYPE if attrs.has(cls) and cls.__name__ not in _LEFT_OUT),
    key=lambda cls: f"{cls.__module__}.{cls.__qualname__}",
)


def _each_type(test: Callable[[type, st.DataObject], None]) -> Any:
    """Run ``test`` once per type, on values drawn from its registered strategy."""
    drawn = given(data=st.data())(test)
    checked = settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    return pytest.mark.parametrize("cls", TYPES, ids=lambda cls: cls.__qualname__)(checked(drawn))


_STRUCTURE: dict[type, Callable[[Any, Any], Any]] = {}
_UNSTRUCTURE: dict[type, Callable[[Any], Any]] = {}


def _cattrs_structure(raw: Any, cls: type) -> Any:
    if cls not in _STRUCTURE:
        _STRUCTURE[cls] = converter.gen_structure_attrs_fromdict(cls)
    return _STRUCTURE[cls](raw, cls)


def _cattrs_unstructure(value: Any) -> Any:
    cls = type(value)
    if cls not in _UNSTRUCTURE:
        _UNSTRUCTURE[cls] = converter.gen_unstructure_attrs_fromdict(cls)
    raw = _UNSTRUCTURE[cls](value)
    return {"type": cls.__name__, **raw} if isinstance(value, DomainEvent) else raw


def _fields(raw: dict[str, Any], cls: type) -> dict[str, Any]:
    """What the class hook sees: an event's tag is read by the event hook around it."""
    return {k: v for k, v in raw.items() if k != "type"} if issubclass(cls, DomainEvent) else raw


def _tagged(fields: Any, cls: type) -> Any:
    """The converter's input for ``fields`` of ``cls``: events carry their tag."""
    return {"type": cls.__name__, **fields} if issubclass(cls, DomainEvent) else fields


def _same(a: object, b: object) -> bool:
    """Equal, with the same types and key order all the way down."""
    if type(a) is not type(b):
        return False
    if isinstance(a, dict) and isinstance(b, dict):
        return list(a) == list(b) and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, list | tuple) and isinstance(b, list | tuple):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return a == b


def _reference_errors(raw: Any, cls: type) -> dict[str, str] | None:
    """The errors the converter reported before it had a fast path; None if it succeeded."""
    try:
        _cattrs_structure(raw, cls)
    except Exception as exc:  # any failure, collected as structure() does
        errors: dict[str, str] = {}
        _collect(exc, "$", errors)
        return errors
    return None


@_each_type
def test_fast_hooks_equal_cattrs_hooks(cls: type, data: st.DataObject) -> None:
    value = data.draw(st.from_type(cls), label=cls.__name__)
    raw = converter.unstructure(value)
    assert _same(raw, _cattrs_unstructure(value))
    wire = json.loads(json.dumps(raw))
    assert converter.structure(wire, cls) == value
    fields = _fields(wire, cls)
    assert converter._fast[cls](fields) == value  # well-formed JSON never leaves the fast path
    assert _cattrs_structure(fields, cls) == value


_GARBAGE: st.SearchStrategy[object] = st.sampled_from(
    [None, True, -1, 1.5, "", "x", "1e999", [], [[]], {}, {"x": 1}]
)


def _paths(raw: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    found = [prefix]
    if isinstance(raw, dict):
        for key, item in raw.items():
            found += _paths(item, (*prefix, key))
    elif isinstance(raw, list):
        for index, item in enumerate(raw):
            found += _paths(item, (*prefix, index))
    return found


def _break(raw: dict[str, Any], path: tuple[Any, ...], how: str, garbage: object) -> Any:
    """A copy of ``raw`` with the value at ``path`` replaced or dropped, or an extra key in it."""
    raw = json.loads(json.dumps(raw))
    node: Any = raw
    if how == "extra":
        for key in path:
            node = node[key]
        if isinstance(node, dict):
            node["zz_unexpected"] = garbage
        return raw
    *parents, last = path
    for key in parents:
        node = node[key]
    if how == "drop" and isinstance(node, dict):
        del node[last]
    else:
        node[last] = garbage
    return raw


@_each_type
def test_broken_json_gets_the_errors_cattrs_reports(cls: type, data: st.DataObject) -> None:
    value = data.draw(st.from_type(cls), label=cls.__name__)
    wire = _fields(json.loads(json.dumps(converter.unstructure(value))), cls)
    # (Input that is not an object at all is refused before any attrs hook runs.)
    path = data.draw(st.sampled_from(_paths(wire)), label="path")
    how = data.draw(st.sampled_from(["replace", "drop", "extra"] if path else ["extra"]))
    bad = _break(wire, path, how, data.draw(_GARBAGE, label="garbage"))
    expected = _reference_errors(bad, cls)
    if expected is None:
        assert converter.structure(_tagged(bad, cls), cls) == _cattrs_structure(bad, cls)
    else:
        with pytest.raises(ValidationError) as info:
            converter.structure(_tagged(bad, cls), cls)
        assert info.value.errors == expected
