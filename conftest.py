"""Repository-wide pytest behaviour.

- A run that selects no test is not a failure (pytest's exit status 5 becomes 0).
- ``--doctest-modules`` must not import files that are not library code:
  ``conftest.py`` files (pytest loads them itself; importing them again as
  doctest modules clashes, since they share one module name), ``docs/conf.py``
  and ``docs/_build``, and ``tests/typing`` (checked by mypy, never run).
"""

from pathlib import Path

import pytest

_ROOT = Path(__file__).parent
_IGNORED = (_ROOT / "docs" / "conf.py", _ROOT / "docs" / "_build", _ROOT / "tests" / "typing")


def pytest_ignore_collect(collection_path: Path) -> bool | None:
    """Skip the files above; leave every other decision to pytest."""
    if collection_path.name == "conftest.py":
        return True
    if any(collection_path == p or p in collection_path.parents for p in _IGNORED):
        return True
    return None


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """Turn pytest's "no tests collected" (exit 5) into success, e.g. for an empty folder."""
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = pytest.ExitCode.OK
