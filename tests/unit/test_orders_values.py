"""Value objects of orders: customers, addresses, lines, attributes and the quantity ledger."""

from __future__ import annotations

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orderkit.errors import InvalidQuantity, ValidationError
from orderkit.ids import CustomerId, LineId, Sku
from orderkit.money import Money
from orderkit.orders import (
    COUNTRY_CODES,
    Address,
    Attributes,
    CancelledLine,
    CustomerRef,
    Lifecycle,
    LineQuantity,
    Order,
    OrderLine,
    OrderStatus,
    Payment,
    PlacedLine,
    QuantityLedger,
    StatusChange,
)
from orderkit.testing.strategies import addresses, customers, order_lines, quantity_ledgers

EUR = Money.of("2.50", "EUR")


def test_country_table_has_every_assigned_code() -> None:
    assert len(COUNTRY_CODES) == 249
    assert {"DE", "US", "JP", "GB", "SS", "XK"} - COUNTRY_CODES == {"XK"}


@pytest.mark.parametrize(
    ("kwargs", "path", "text"),
    [
        ({"country": "XX"}, "country", "'XX'"),
        ({"country": "DEU"}, "country", "'DEU'"),
        ({"name": "  "}, "name", "blank"),
        ({"line1": ""}, "line1", "blank"),
        ({"city": ""}, "city", "blank"),
        ({"postal_code": ""}, "postal_code", "required for country DE"),
        ({"postal_code": "10115;DROP"}, "postal_code", "10115;DROP"),
    ],
)
def test_address_refuses_bad_fields(kwargs: dict[str, str], path: str, text: str) -> None:
    fields = {"name": "Ann", "line1": "1 Main St", "city": "Berlin", "postal_code": "10115"}
    fields.update({"country": "DE"} | kwargs)
    with pytest.raises(ValidationError, match=text) as info:
        Address(**fields)
    assert path in info.value.errors


def test_address_normalises_country_and_allows_missing_postal_code_where_unused() -> None:
    assert Address("Ann", "1 Main St", "Dublin", "D02 X285", " ie ").country == "IE"
    assert Address("Ann", "Tower 1", "Hong Kong", "", "HK").postal_code == ""


@given(addresses())
def test_generated_addresses_are_valid_and_rebuild_equal(address: Address) -> None:
    assert address.country in COUNTRY_CODES
    assert attrs.evolve(address) == address


@pytest.mark.parametrize("email", ["", "ann", "ann@", "@example.com", "a b@example.com"])
def test_customer_refuses_bad_email(email: str) -> None:
    with pytest.raises(ValidationError, match="email"):
        CustomerRef(CustomerId("c-1"), email)


def test_customer_group_is_optional_but_not_blank() -> None:
    assert CustomerRef(CustomerId("c-1"), "a@b.de").group is None
    with pytest.raises(ValidationError, match="group"):
        CustomerRef(CustomerId("c-1"), "a@b.de", group=" ")


@given(customers())
def test_generated_customers_are_hashable_values(customer: CustomerRef) -> None:
    assert hash(customer) == hash(attrs.evolve(customer))


@pytest.mark.parametrize("quantity", [0, -1, True, "2"])
def test_line_refuses_a_bad_quantity(quantity: object) -> None:
    with pytest.raises(InvalidQuantity, match="quantity"):
        OrderLine(LineId("l1"), Sku("MUG"), quantity, EUR)  # type: ignore[arg-type]


def test_line_refuses_a_negative_price_and_a_mismatched_ledger() -> None:
    with pytest.raises(ValidationError, match="unit_price"):
        OrderLine(LineId("l1"), Sku("MUG"), 1, Money.of("-1", "EUR"))
    with pytest.raises(InvalidQuantity, match="ledger ordered 3 != quantity 2"):
        OrderLine(LineId("l1"), Sku("MUG"), 2, EUR, ledger=QuantityLedger(3))


def test_line_attributes_are_immutable_hashable_and_checked() -> None:
    line = OrderLine(LineId("l1"), Sku("MUG"), 1, EUR, attributes={"colour": "red"})
    assert isinstance(line.attributes, Attributes)
    assert line.attributes == {"colour": "red"}
    assert hash(line) == hash(
        OrderLine(LineId("l1"), Sku("MUG"), 1, EUR, attributes=Attributes([("colour", "red")]))
    )
    with pytest.raises(TypeError):
        line.attributes["colour"] = "blue"  # type: ignore[index]
    with pytest.raises(ValidationError, match="attribute"):
        Attributes({"size": 5})  # type: ignore[arg-type]
    with pytest.raises(ValidationError, match="mapping"):
        Attributes(5)  # type: ignore[arg-type]


@given(order_lines())
def test_a_new_line_has_a_pristine_ledger(line: OrderLine) -> None:
    assert line.ledger == QuantityLedger(line.quantity)
    assert line.total == line.unit_price * line.quantity
    assert (line.allocated, line.shipped, line.delivered, line.cancelled, line.returned) == (
        0,
        0,
        0,
        0,
        0,
    )


# -- the quantity ledger ------------------------------------------------------

_MOVES = ("allocate", "deallocate", "ship", "deliver", "return_units")


def _valid(ledger: QuantityLedger) -> bool:
    return (
        min(ledger.allocated, ledger.shipped, ledger.delivered, ledger.cancelled, ledger.returned)
        >= 0
        and ledger.allocated <= ledger.ordered - ledger.cancelled
        and ledger.shipped <= ledger.allocated
        and ledger.delivered <= ledger.shipped
        and ledger.returned <= ledger.delivered
    )


@given(quantity_ledgers(), st.sampled_from(_MOVES), st.integers(-2, 25))
def test_every_move_keeps_the_ledger_valid_or_is_refused(
    ledger: QuantityLedger, move: str, quantity: int
) -> None:
    try:
        moved = getattr(ledger, move)(quantity)
    except InvalidQuantity as exc:
        message = str(exc)
    else:
        message = ""
    if message:
        assert str(quantity) in message
        return
    assert _valid(moved)
    assert quantity > 0
    assert moved.ordered == ledger.ordered


@given(quantity_ledgers(), st.integers(1, 25))
def test_cancel_takes_unallocated_units_first_then_releases_allocation(
    ledger: QuantityLedger, quantity: int
) -> None:
    if quantity > ledger.unshipped:
        with pytest.raises(InvalidQuantity, match="not yet shipped"):
            ledger.cancel(quantity)
        return
    moved, released = ledger.cancel(quantity)
    assert _valid(moved)
    assert moved.cancelled == ledger.cancelled + quantity
    assert released == max(0, quantity - ledger.unallocated)
    assert moved.allocated == ledger.allocated - released
    assert moved.shipped == ledger.shipped


@pytest.mark.parametrize(
    ("figures", "message"),
    [
        ({"ordered": 2, "allocated": 3}, "allocated 3 exceeds ordered - cancelled 2"),
        ({"ordered": 2, "allocated": 1, "shipped": 2}, "shipped 2 exceeds allocated 1"),
        ({"ordered": 2, "allocated": 2, "delivered": 1}, "delivered 1 exceeds shipped 0"),
        ({"ordered": 2, "returned": 1}, "returned 1 exceeds delivered 0"),
        ({"ordered": 2, "cancelled": -1}, "cancelled must not be negative"),
        ({"ordered": 0}, "ordered must be > 0"),
    ],
)
def test_an_impossible_ledger_cannot_be_built(figures: dict[str, int], message: str) -> None:
    with pytest.raises(InvalidQuantity, match=message):
        QuantityLedger(**figures)


@pytest.mark.parametrize(
    "kind",
    [
        Address,
        Attributes,
        CustomerRef,
        OrderLine,
        QuantityLedger,
        Order,
        Payment,
        Lifecycle,
        StatusChange,
        OrderStatus,
        LineQuantity,
        CancelledLine,
        PlacedLine,
    ],
)
def test_every_order_type_has_a_registered_strategy(kind: type) -> None:
    @given(st.from_type(kind))
    @settings(max_examples=5)
    def check(value: object) -> None:
        assert isinstance(value, kind)

    check()
