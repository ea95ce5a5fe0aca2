"""Partial cancellation: exactly the cancelled units' stock comes back; invoices get credited."""

from __future__ import annotations

import contextlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from service_shop import ADDRESS, CUSTOMER, MUG, NORTH, SOUTH, START, TEE, Shop, make_shop

from orderkit.errors import (
    InsufficientStock,
    InvalidQuantity,
    NotFound,
    OutOfStock,
    ValidationError,
)
from orderkit.ids import LineId, OrderId
from orderkit.inventory import BackorderPolicy
from orderkit.invoicing import CreditNote, Invoice
from orderkit.money import Money
from orderkit.orders import Order
from orderkit.service import LineRequest, OrderService, StockOnPlace
from orderkit.testing.audit import audit_store

L1, L2 = LineId("L1"), LineId("L2")


def _place(service: OrderService, *lines: LineRequest) -> OrderId:
    return service.place(CUSTOMER, lines, currency="EUR", shipping_address=ADDRESS).order_id


def _order(shop: Shop, order_id: OrderId) -> Order:
    with shop.store.unit_of_work(read_only=True) as uow:
        return uow.orders.get(order_id)


def _documents(shop: Shop, order_id: OrderId) -> list[Invoice | CreditNote]:
    with shop.store.unit_of_work(read_only=True) as uow:
        return uow.invoices.list_by_order(order_id)


def _audit(shop: Shop) -> None:
    with shop.store.unit_of_work(read_only=True) as uow:
        report = audit_store(uow, [MUG, TEE])
    assert report.ok, report.problems


def test_cancelling_reserved_units_shrinks_the_reservation(shop: Shop) -> None:
    service = shop.make()
    order = _place(service, LineRequest(MUG, 5))
    outcome = service.cancel_items(order, {"L1": 2}, reason="customer asked")
    assert (outcome.status, outcome.documents) == ("placed", ())
    hold = shop.stock(MUG).reservation(order)
    assert hold is not None
    assert hold.quantity == 3
    assert shop.stock(MUG).available(at=START) == 5
    assert _order(shop, order).line(L1).cancelled == 2
    assert "OrderItemsCancelled" in shop.outbox()
    _audit(shop)


def test_cancelling_allocated_units_releases_the_least_preferred_location_first(
    shop: Shop,
) -> None:
    service = shop.make(stock_on_place=StockOnPlace.ALLOCATE)
    order = _place(service, LineRequest(MUG, 7))
    assert shop.stock(MUG).allocations_of(order) == {NORTH: 5, SOUTH: 2}
    service.cancel_items(order, {L1: 3})
    assert shop.stock(MUG).allocations_of(order) == {NORTH: 4}
    assert shop.stock(MUG).allocated() == 4
    _audit(shop)


def test_lines_of_one_sku_release_only_their_cancelled_units(shop: Shop) -> None:
    service = shop.make(stock_on_place=StockOnPlace.ALLOCATE)
    order = _place(service, LineRequest(MUG, 2), LineRequest(MUG, 3))
    service.cancel_items(order, {L2: 1})
    assert sum(shop.stock(MUG).allocations_of(order).values()) == 4
    _audit(shop)


def test_unallocated_units_go_first_and_shrink_the_backorder(shop: Shop) -> None:
    with shop.store.unit_of_work() as uow:
        stock = uow.stock.get(TEE)
        stock.backorder = BackorderPolicy.allow(10)
        uow.stock.save(stock)
        uow.commit()
    service = shop.make(stock_on_place=StockOnPlace.ALLOCATE)
    order = _place(service, LineRequest(TEE, 4))
    tee = shop.stock(TEE)
    assert (tee.allocated(), tee.backordered(order)) == (2, 2)
    service.cancel_items(order, {L1: 1})
    tee = shop.stock(TEE)
    assert (tee.allocated(), tee.backordered(order)) == (2, 1)
    service.cancel_items(order, {L1: 2})
    tee = shop.stock(TEE)
    assert (tee.allocated(), tee.backordered(order)) == (1, 0)
    line = _order(shop, order).line(L1)
    assert (line.cancelled, line.allocated, line.ledger.open) == (3, 1, 1)
    _audit(shop)


def test_invoiced_units_are_credited_and_never_more_than_invoiced(shop: Shop) -> None:
    service = shop.make()
    order = _place(service, LineRequest(MUG, 2), LineRequest(TEE, 1))
    service.confirm(order)
    invoiced = service.invoice(order)
    first = service.cancel_items(order, {L1: 1})
    assert first.documents == ("CN-2026-000001",)
    documents = _documents(shop, order)
    note = documents[-1]
    assert isinstance(note, CreditNote)
    assert [(line.line_id, line.quantity) for line in note.lines] == [(L1, 1)]
    # Half the mug line: 17.10 net (after its discount share) + 3.25 VAT, halved.
    assert note.totals.net == Money.of("8.55", "EUR")
    service.cancel(order)
    documents = _documents(shop, order)
    credited = Money.sum((d.totals.gross for d in documents if isinstance(d, CreditNote)), "EUR")
    assert credited == invoiced.gross
    _audit(shop)


def test_units_cancelled_before_invoicing_are_never_billed(shop: Shop) -> None:
    service = shop.make()
    order = _place(service, LineRequest(MUG, 2), LineRequest(TEE, 1))
    service.confirm(order)
    service.cancel_items(order, {L1: 1})
    issued = service.invoice(order)
    document = _documents(shop, order)[0]
    assert isinstance(document, Invoice)
    assert {line.line_id: line.quantity for line in document.lines}[L1] == 1
    assert issued.gross < _order(shop, order).total
    with pytest.raises(InvalidQuantity, match="nothing"):
        service.invoice(order)


def test_refused_partial_cancellations_change_nothing(shop: Shop) -> None:
    service = shop.make()
    order = _place(service, LineRequest(MUG, 2))
    events = shop.outbox()
    with pytest.raises(InvalidQuantity, match="cancel the order"):
        service.cancel_items(order, {L1: 2})
    with pytest.raises(ValidationError, match="nope"):
        service.cancel_items(order, {"nope": 1})
    with pytest.raises(InvalidQuantity):
        service.cancel_items(order, {L1: 0})
    with pytest.raises(ValidationError, match="at least one line"):
        service.cancel_items(order, {})
    with pytest.raises(NotFound):
        service.cancel_items(OrderId("nope"), {L1: 1})
    assert shop.outbox() == events
    hold = shop.stock(MUG).reservation(order)
    assert hold is not None
    assert hold.quantity == 2


def test_a_repeated_key_cancels_once(shop: Shop) -> None:
    service = shop.make()
    order = _place(service, LineRequest(MUG, 4))
    first = service.cancel_items(order, {L1: 1}, idempotency_key="cut-1")
    assert service.cancel_items(order, {L1: 1}, idempotency_key="cut-1") == first
    assert _order(shop, order).line(L1).cancelled == 1


@settings(max_examples=25, deadline=None)
@given(
    mode=st.sampled_from([StockOnPlace.RESERVE, StockOnPlace.ALLOCATE]),
    quantities=st.lists(st.integers(1, 4), min_size=1, max_size=3),
    cuts=st.lists(st.tuples(st.integers(0, 2), st.integers(1, 3)), max_size=4),
    invoice_first=st.booleans(),
)
def test_partial_cancellations_keep_stock_orders_and_credits_in_step(
    mode: StockOnPlace,
    quantities: list[int],
    cuts: list[tuple[int, int]],
    invoice_first: bool,
) -> None:
    shop = make_shop()
    service = shop.make(stock_on_place=mode)
    skus = [MUG, TEE, MUG]
    try:
        order = _place(service, *(LineRequest(skus[i], q) for i, q in enumerate(quantities)))
    except (InsufficientStock, OutOfStock):  # not enough stock to reserve under RESERVE
        return
    if mode is StockOnPlace.RESERVE:
        service.confirm(order)
    if invoice_first:
        service.invoice(order)
    for index, units in cuts:
        if index >= len(quantities):
            continue
        with contextlib.suppress(InvalidQuantity):  # every remaining unit, or too many
            service.cancel_items(order, {f"L{index + 1}": units})
        _audit(shop)
        placed = _order(shop, order)
        held = dict.fromkeys((MUG, TEE), 0)
        for line in placed.lines:
            held[line.sku] += line.ledger.allocated_unshipped
        for sku, units_held in held.items():
            assert shop.stock(sku).allocated() == units_held
        documents = _documents(shop, order)
        invoiced = Money.sum((d.totals.gross for d in documents if isinstance(d, Invoice)), "EUR")
        credited = Money.sum(
            (d.totals.gross for d in documents if isinstance(d, CreditNote)), "EUR"
        )
        assert credited <= invoiced
        for line in placed.lines:
            billed = sum(
                dl.quantity
                for d in documents
                for dl in d.lines
                if isinstance(d, Invoice) and dl.line_id == line.line_id
            )
            taken_back = sum(
                dl.quantity
                for d in documents
                for dl in d.lines
                if isinstance(d, CreditNote) and dl.line_id == line.line_id
            )
            if invoice_first:
                assert billed - taken_back == line.quantity - line.cancelled


def test_cancelling_the_backordered_rest_of_a_shipped_order_fulfils_it(shop: Shop) -> None:
    with shop.store.unit_of_work() as uow:
        stock = uow.stock.get(TEE)
        stock.backorder = BackorderPolicy.allow(10)
        uow.stock.save(stock)
        uow.commit()
    service = shop.make(stock_on_place=StockOnPlace.ALLOCATE)
    order = _place(service, LineRequest(TEE, 4))
    assert service.ship(order).units == 2
    outcome = service.cancel_items(order, {L1: 2}, reason="no more stock coming")
    assert outcome.status == "fulfilled"
    assert shop.stock(TEE).backordered(order) == 0
    _audit(shop)
