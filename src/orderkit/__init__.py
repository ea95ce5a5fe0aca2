"""orderkit: order-processing domain logic for Python applications.

The façade re-exports the errors and the money types; each capability lives
in its own module (:mod:`orderkit.orders`, :mod:`orderkit.pricing`, ...).
"""

from orderkit.errors import (
    CarrierError,
    ConcurrencyConflict,
    CurrencyMismatch,
    DuplicateRequest,
    InsufficientStock,
    InvalidQuantity,
    InvalidTransition,
    NotFound,
    OrderkitError,
    OutOfStock,
    PriceNotFound,
    StoreUnavailable,
    UnknownCurrency,
    ValidationError,
)
from orderkit.money import Currency, Money, Rounding, allocate

__all__ = [
    "CarrierError",
    "ConcurrencyConflict",
    "Currency",
    "CurrencyMismatch",
    "DuplicateRequest",
    "InsufficientStock",
    "InvalidQuantity",
    "InvalidTransition",
    "Money",
    "NotFound",
    "OrderkitError",
    "OutOfStock",
    "PriceNotFound",
    "Rounding",
    "StoreUnavailable",
    "UnknownCurrency",
    "ValidationError",
    "allocate",
]
