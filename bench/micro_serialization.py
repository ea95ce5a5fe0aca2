"""The converter on a 10-line order against hand-written dict code and pydantic v2.

The hand-written floor builds exactly the dict the converter builds and, the
other way, the same domain objects (so the same validation runs on both
sides). pydantic models mirror the same shape, field for field.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import attrs
import pydantic

from bench._harness import Row, Target, compare, loop
from orderkit.ids import CustomerId, LineId, OrderId, Sku
from orderkit.money import Currency, Money
from orderkit.orders import (
    Address,
    Attributes,
    CustomerRef,
    Order,
    OrderLine,
    QuantityLedger,
    StatusChange,
)
from orderkit.serialization import converter

GROUP = "serialization"
AT = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)


def sample_order(lines: int = 10) -> Order:
    """A confirmed order of ``lines`` lines with a shipping address."""
    order = Order.place(
        id=OrderId("o-1"),
        customer=CustomerRef(CustomerId("c-1"), "ann@example.com", "retail"),
        currency="EUR",
        lines=[
            OrderLine(LineId(f"l{n}"), Sku(f"SKU-{n}"), 1 + n % 3, Money.of(f"{n + 1}.95", "EUR"))
            for n in range(lines)
        ],
        at=AT,
        shipping_address=Address("Ann Lee", "1 Main St", "Berlin", "10115", "DE"),
    )
    order.confirm(at=AT, actor="ops")
    order.pull_events()
    return order


# -- the hand-written floor ----------------------------------------------------------

#: Orders may carry a price snapshot (``None`` in the sample order).
_HAS_PRICING = "pricing" in attrs.fields_dict(Order)


def _money_out(money: Money) -> dict[str, str]:
    return {"amount": str(money.amount), "currency": money.currency.code}


def _address_out(address: Address | None) -> dict[str, str] | None:
    if address is None:
        return None
    return {
        "name": address.name,
        "line1": address.line1,
        "city": address.city,
        "postal_code": address.postal_code,
        "country": address.country,
        "line2": address.line2,
        "region": address.region,
        "company": address.company,
    }


def hand_unstructure(order: Order) -> dict[str, Any]:
    """The converter's output, written out by hand."""
    return {
        "id": order.id,
        "customer": {
            "id": order.customer.id,
            "email": order.customer.email,
            "group": order.customer.group,
        },
        "currency": order.currency.code,
        "lines": [
            {
                "line_id": line.line_id,
                "sku": line.sku,
                "quantity": line.quantity,
                "unit_price": _money_out(line.unit_price),
                "tax_category": line.tax_category,
                "attributes": dict(line.attributes),
                "ledger": {
                    "ordered": line.ledger.ordered,
                    "allocated": line.ledger.allocated,
                    "shipped": line.ledger.shipped,
                    "delivered": line.ledger.delivered,
                    "cancelled": line.ledger.cancelled,
                    "returned": line.ledger.returned,
                },
            }
            for line in order.lines
        ],
        "placed_at": order.placed_at.isoformat(),
        "total": _money_out(order.total),
        "state": order.status.value,
        "billing_address": _address_out(order.billing_address),
        "shipping_address": _address_out(order.shipping_address),
        "notes": order.notes,
        "held_from": order.held_from,
        "history": [
            {
                "event": change.event,
                "source": change.source,
                "target": change.target,
                "at": change.at.isoformat(),
                "actor": change.actor,
                "reason": change.reason,
            }
            for change in order.history
        ],
        "payments": [],
        "events": [],
        "version": order.version,
    } | ({"pricing": None} if _HAS_PRICING else {})


def _address_in(data: dict[str, str] | None) -> Address | None:
    return None if data is None else Address(**data)


def hand_structure(data: dict[str, Any]) -> Order:
    """The same order rebuilt by hand from the dict (payments and events are empty here)."""
    currency = Currency.of(data["currency"])
    customer = data["customer"]
    return Order(
        id=OrderId(data["id"]),
        customer=CustomerRef(CustomerId(customer["id"]), customer["email"], customer["group"]),
        currency=currency,
        lines=tuple(
            OrderLine(
                LineId(line["line_id"]),
                Sku(line["sku"]),
                line["quantity"],
                Money(
                    Decimal(line["unit_price"]["amount"]),
                    Currency.of(line["unit_price"]["currency"]),
                ),
                line["tax_category"],
                Attributes(line["attributes"]),
                QuantityLedger(**line["ledger"]),
            )
            for line in data["lines"]
        ),
        placed_at=dt.datetime.fromisoformat(data["placed_at"]),
        total=Money(Decimal(data["total"]["amount"]), Currency.of(data["total"]["currency"])),
        state=data["state"],
        billing_address=_address_in(data["billing_address"]),
        shipping_address=_address_in(data["shipping_address"]),
        notes=data["notes"],
        held_from=data["held_from"],
        history=[
            StatusChange(
                h["event"],
                h["source"],
                h["target"],
                dt.datetime.fromisoformat(h["at"]),
                h["actor"],
                h["reason"],
            )
            for h in data["history"]
        ],
        payments=[],
        events=[],
        version=data["version"],
        **({"pricing": None} if _HAS_PRICING else {}),
    )


# -- pydantic v2, the same shape ---------------------------------------------------------


class PMoney(pydantic.BaseModel):
    amount: Decimal
    currency: str


class PCustomer(pydantic.BaseModel):
    id: str
    email: str
    group: str | None


class PLedger(pydantic.BaseModel):
    ordered: int
    allocated: int
    shipped: int
    delivered: int
    cancelled: int
    returned: int


class PLine(pydantic.BaseModel):
    line_id: str
    sku: str
    quantity: int
    unit_price: PMoney
    tax_category: str
    attributes: dict[str, str]
    ledger: PLedger


class PAddress(pydantic.BaseModel):
    name: str
    line1: str
    city: str
    postal_code: str
    country: str
    line2: str
    region: str
    company: str


class PChange(pydantic.BaseModel):
    event: str
    source: str
    target: str
    at: dt.datetime
    actor: str | None
    reason: str | None


class POrder(pydantic.BaseModel):
    model_config = pydantic.ConfigDict(extra="forbid")

    id: str
    customer: PCustomer
    currency: str
    lines: list[PLine]
    placed_at: dt.datetime
    total: PMoney
    state: str
    billing_address: PAddress | None
    shipping_address: PAddress | None
    notes: str
    held_from: str | None
    history: list[PChange]
    payments: list[dict[str, Any]]
    events: list[dict[str, Any]]
    version: int
    pricing: dict[str, Any] | None = None


def run() -> list[Row]:
    """The converter rows."""
    order = sample_order()
    data = converter.unstructure(order)
    # Also the first structure call, which builds the converter's hooks for Order once:
    # left to calibration, that one-off cost was taken for the cost of every call.
    if converter.structure(data, Order) != order:
        raise AssertionError("the converter does not round-trip the order")
    if hand_unstructure(order) != data or hand_structure(data) != order:
        raise AssertionError("the hand-written conversion does not match the converter")
    model = POrder.model_validate(data)
    dumped = model.model_dump(mode="json")
    if _HAS_PRICING is False:
        dumped.pop("pricing")
    if dumped.keys() != data.keys() or dumped["lines"][0].keys() != data["lines"][0].keys():
        raise AssertionError("the pydantic model does not have the converter's shape")
    rows = compare(
        GROUP,
        "unstructure 10-line order",
        loop(lambda: converter.unstructure(order)),
        [
            ("hand-written dict", loop(lambda: hand_unstructure(order)), Target(1.5, "≤ 1.5×")),
            (
                "pydantic v2 model_dump",
                loop(lambda: model.model_dump(mode="json")),
                Target(1.0, "< 1× (faster)"),
            ),
        ],
    )
    rows += compare(
        GROUP,
        "structure 10-line order",
        loop(lambda: converter.structure(data, Order)),
        [
            ("hand-written dict", loop(lambda: hand_structure(data)), Target(2.0, "≤ 2×")),
            (
                "pydantic v2 model_validate",
                loop(lambda: POrder.model_validate(data)),
                Target(1.0, "< 1× (faster)"),
            ),
        ],
    )
    return rows
