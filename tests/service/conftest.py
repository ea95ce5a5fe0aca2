"""Fixtures of the service tests."""

from __future__ import annotations

import pytest
from service_shop import Shop, make_shop


@pytest.fixture
def shop() -> Shop:
    """A fresh memory-adapter shop (see :mod:`service_shop`)."""
    return make_shop()
