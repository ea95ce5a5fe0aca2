"""The error tree: one root, builtin mix-ins, structured fields and messages naming the value."""

from __future__ import annotations

import pytest

import orderkit
from orderkit import errors
from orderkit.errors import (
    CarrierError,
    ConcurrencyConflict,
    CurrencyMismatch,
    DuplicateRequest,
    InsufficientStock,
    InvalidTransition,
    NotFound,
    OrderkitError,
    OutOfStock,
    PriceNotFound,
    UnknownCurrency,
    ValidationError,
)


def test_every_error_is_exported_from_the_package() -> None:
    for name in errors.__all__:
        assert getattr(orderkit, name) is getattr(errors, name)
        assert issubclass(getattr(errors, name), OrderkitError)
    assert orderkit.__all__ == sorted(orderkit.__all__)
    assert errors.__all__ == sorted(errors.__all__)


@pytest.mark.parametrize(
    ("error", "builtin"),
    [
        (ValidationError, ValueError),
        (CurrencyMismatch, ValueError),
        (InsufficientStock, ValueError),
        (NotFound, LookupError),
    ],
)
def test_builtins_are_mixed_in_where_they_fit(error: type[Exception], builtin: type) -> None:
    assert issubclass(error, builtin)


def test_validation_error_carries_paths() -> None:
    single = ValidationError("must be > 0, got 0", path="lines[2].quantity")
    assert str(single) == "lines[2].quantity: must be > 0, got 0"
    assert single.errors == {"lines[2].quantity": "must be > 0, got 0"}
    many = ValidationError("two problems", errors={"$.a": "bad", "$.b": "worse"})
    assert str(many) == "two problems"
    assert many.errors == {"$.a": "bad", "$.b": "worse"}


def test_messages_name_the_offending_values() -> None:
    assert "'XYZ'" in str(UnknownCurrency("XYZ"))
    assert "EUR and USD" in str(CurrencyMismatch("EUR", "USD", "add"))
    transition = InvalidTransition("placed", "ship", ["confirm", "cancel"], reason="unpaid")
    assert transition.allowed == ("cancel", "confirm")
    assert "'ship'" in str(transition)
    assert "'placed'" in str(transition)
    assert "unpaid" in str(transition)
    assert OutOfStock({"SKU-1": 3}).shortfalls == {"SKU-1": 3}
    assert "SKU-1 short by 3" in str(OutOfStock({"SKU-1": 3}))
    assert "only 2 available" in str(InsufficientStock("SKU-1", "WH1", 5, 2))
    assert "expected version 3, found 4" in str(ConcurrencyConflict("order", "o-1", 3, 4))
    assert "'k1'" in str(DuplicateRequest("k1"))
    assert "'o-9'" in str(NotFound("order", "o-9"))
    assert "'SKU-1'" in str(PriceNotFound("SKU-1", "EUR"))


def test_retryable_errors() -> None:
    assert ConcurrencyConflict("order", "o-1").retryable
    assert errors.StoreUnavailable("db down").retryable
    assert CarrierError("timeout", retryable=True, carrier="dhl").retryable
    assert not CarrierError("bad address").retryable
    assert not ValidationError("x").retryable
