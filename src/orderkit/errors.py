"""The one error hierarchy of orderkit.

Every failure a caller can cause raises a subclass of :class:`OrderkitError`
whose message names the offending value and whose attributes carry it in
structured form. Where a builtin fits, it is mixed in, so ``except ValueError``
in a host keeps working.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

__all__ = [
    "CarrierError",
    "ConcurrencyConflict",
    "CurrencyMismatch",
    "DuplicateRequest",
    "InsufficientStock",
    "InvalidQuantity",
    "InvalidTransition",
    "NotFound",
    "OrderkitError",
    "OutOfStock",
    "PriceNotFound",
    "StoreUnavailable",
    "UnknownCurrency",
    "ValidationError",
]


class OrderkitError(Exception):
    """Root of every error orderkit raises on purpose."""

    #: Whether repeating the same call later may succeed.
    retryable: bool = False


class ValidationError(OrderkitError, ValueError):
    """Bad input. ``errors`` maps each bad field path to what is wrong with it.

    >>> err = ValidationError("quantity must be > 0, got 0", path="lines[2].quantity")
    >>> err.errors
    {'lines[2].quantity': 'quantity must be > 0, got 0'}
    """

    def __init__(
        self,
        message: str,
        *,
        path: str = "",
        errors: Mapping[str, str] | None = None,
    ) -> None:
        super().__init__(f"{path}: {message}" if path and errors is None else message)
        self.path = path
        self.errors: dict[str, str] = dict(errors) if errors is not None else {path: message}


class InvalidQuantity(ValidationError):
    """A quantity that is not a positive whole number, or exceeds what a ledger allows."""


class UnknownCurrency(ValidationError):
    """A currency code that is not in the ISO 4217 table."""

    def __init__(self, code: object, *, reason: str | None = None) -> None:
        text = (
            f"ISO 4217 code {code!r} {reason}"
            if reason
            else f"unknown ISO 4217 currency code {code!r}"
        )
        super().__init__(text, path="currency")
        self.code = code


class CurrencyMismatch(OrderkitError, ValueError):
    """Two amounts in different currencies were combined."""

    def __init__(self, left: str, right: str, operation: str = "combine") -> None:
        super().__init__(f"cannot {operation} {left} and {right}: currencies differ")
        self.left = left
        self.right = right


class InvalidTransition(OrderkitError):
    """An event that the lifecycle does not allow from the current state."""

    def __init__(
        self,
        state: str,
        event: str,
        allowed: Sequence[str],
        reason: str | None = None,
    ) -> None:
        allowed_text = ", ".join(sorted(allowed)) or "none"
        detail = f": {reason}" if reason else ""
        super().__init__(f"cannot {event!r} from state {state!r}{detail} (allowed: {allowed_text})")
        self.state = state
        self.event = event
        self.allowed = tuple(sorted(allowed))
        self.reason = reason


class OutOfStock(OrderkitError):
    """An order asks for more units than can be allocated under the policy.

    ``shortfalls`` maps each sku to the number of units missing.
    """

    def __init__(self, shortfalls: Mapping[str, int]) -> None:
        text = ", ".join(f"{sku} short by {n}" for sku, n in sorted(shortfalls.items()))
        super().__init__(f"out of stock: {text}")
        self.shortfalls: dict[str, int] = dict(shortfalls)


class InsufficientStock(OrderkitError, ValueError):
    """A stock operation on one sku and location asks for more than is there."""

    def __init__(self, sku: str, location: str | None, requested: int, available: int) -> None:
        where = f" at {location}" if location else ""
        super().__init__(f"sku {sku}{where}: requested {requested}, only {available} available")
        self.sku = sku
        self.location = location
        self.requested = requested
        self.available = available


class ConcurrencyConflict(OrderkitError):
    """An aggregate was saved from a stale version; reload and try again."""

    retryable = True

    def __init__(
        self,
        aggregate: str,
        key: str,
        expected: int | None = None,
        actual: int | None = None,
        *,
        detail: str | None = None,
    ) -> None:
        versions = f" (expected version {expected}, found {actual})" if expected is not None else ""
        extra = f": {detail}" if detail else ""
        super().__init__(f"{aggregate} {key} changed concurrently{versions}{extra}")
        self.aggregate = aggregate
        self.key = key
        self.expected = expected
        self.actual = actual


class DuplicateRequest(OrderkitError):
    """An idempotency key or an identifier that was used before, with other content."""

    def __init__(self, key: str, detail: str = "already used") -> None:
        super().__init__(f"duplicate request {key!r}: {detail}")
        self.key = key


class NotFound(OrderkitError, LookupError):
    """Nothing is stored under the given key."""

    def __init__(self, kind: str, key: object) -> None:
        super().__init__(f"{kind} {key!r} not found")
        self.kind = kind
        self.key = key


class PriceNotFound(NotFound):
    """No applicable price list has a price for the sku."""

    def __init__(self, sku: str, currency: str) -> None:
        super().__init__("price for sku", sku)
        self.args = (f"no price for sku {sku!r} in {currency} on any applicable price list",)
        self.sku = sku
        self.currency = currency


class StoreUnavailable(OrderkitError):
    """The storage backend could not complete the call (lost connection, locked file)."""

    retryable = True


class CarrierError(OrderkitError):
    """A carrier adapter failed; ``retryable`` says whether trying again may help."""

    def __init__(self, message: str, *, retryable: bool = False, carrier: str = "") -> None:
        super().__init__(f"{carrier}: {message}" if carrier else message)
        self.retryable = retryable
        self.carrier = carrier
