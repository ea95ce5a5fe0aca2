"""Defining a function from generated source (internal), as attrs and cattrs do.

The source is registered with :mod:`linecache` under its own file name, so a
traceback through generated code shows the generated lines.
"""

from __future__ import annotations

import linecache
from collections.abc import Callable
from typing import Any

__all__ = ["define"]


def define(name: str, source: str, filename: str, globs: dict[str, Any]) -> Callable[..., Any]:
    """The function ``name`` that ``source`` defines, with ``globs`` as its globals."""
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    namespace: dict[str, Any] = {}
    exec(compile(source, filename, "exec"), globs, namespace)
    function: Callable[..., Any] = namespace[name]
    return function
