"""Generated functions run with the given globals, and tracebacks show their source."""

from __future__ import annotations

import traceback

import pytest

from orderkit._codegen import define


def test_a_defined_function_uses_its_globals_and_shows_its_lines() -> None:
    half = define("half", "def half(x):\n    return x / DIVISOR\n", "<test half>", {"DIVISOR": 2})
    assert half(3) == 1.5
    broken = define("broken", "def broken():\n    return 1 / 0\n", "<test broken>", {})
    with pytest.raises(ZeroDivisionError) as raised:
        broken()
    assert "return 1 / 0" in "".join(traceback.format_tb(raised.value.__traceback__))
