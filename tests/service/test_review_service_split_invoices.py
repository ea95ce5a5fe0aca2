"""Review: the invoices of a split-shipped order add up to the order, to the cent.

Random orders over the shop's three skus (10 % off the order, shipping 4.90,
19 % VAT) are shipped in as many parts as stock arrivals force, with one
invoice per shipment (``InvoicingPolicy.ON_SHIPMENT``); the invoices' gross
totals, net totals and tax must add up to the priced order exactly, and each
invoiced quantity must equal what was shipped.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from service_shop import ADDRESS, CAP, CUSTOMER, MUG, NORTH, SELLER, TEE, make_shop

from orderkit.invoicing import Invoice, InvoicingPolicy
from orderkit.money import Money
from orderkit.service import InvoicingConfig, LineRequest, StockOnPlace

_LINES = st.lists(
    st.tuples(st.sampled_from([MUG, TEE, CAP]), st.integers(1, 9)), min_size=1, max_size=4
)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(lines=_LINES, arrivals=st.lists(st.integers(1, 6), min_size=1, max_size=4))
def test_invoices_of_a_split_shipped_order_add_up_to_the_order(
    lines: list[tuple[str, int]], arrivals: list[int]
) -> None:
    shop = make_shop()
    service = shop.make(
        invoicing=InvoicingConfig(SELLER, policy=InvoicingPolicy.ON_SHIPMENT),
        stock_on_place=StockOnPlace.NONE,
    )
    placed = service.place(
        CUSTOMER,
        [LineRequest(sku, qty) for sku, qty in lines],  # type: ignore[arg-type]
        currency="EUR",
        shipping_address=ADDRESS,
    )
    order_id = placed.order_id
    service.confirm(order_id)
    for units in [*arrivals, 10**3, 0]:  # 10**3 covers whatever is still missing
        service.allocate(order_id)
        with shop.store.unit_of_work() as uow:
            allocated_unshipped = sum(
                line.ledger.allocated - line.ledger.shipped
                for line in uow.orders.get(order_id).lines
            )
        if allocated_unshipped:
            service.ship(order_id)
            service.invoice(order_id)
        with shop.store.unit_of_work() as uow:
            order = uow.orders.get(order_id)
            if all(line.ledger.shipped == line.quantity for line in order.lines):
                break
            for sku in {line.sku for line in order.lines}:
                stock = uow.stock.get(sku)
                stock.receive(NORTH, units)
                uow.stock.save(stock)
            uow.commit()
    with shop.store.unit_of_work() as uow:
        order = uow.orders.get(order_id)
        invoices = [d for d in uow.invoices.list_by_order(order_id) if isinstance(d, Invoice)]
    assert all(line.ledger.shipped == line.quantity for line in order.lines)
    assert order.status.value == "fulfilled"
    zero = Money.zero("EUR")
    assert sum((inv.totals.gross for inv in invoices), zero) == placed.total
    assert order.pricing is not None
    assert sum((inv.totals.gross for inv in invoices), zero) == order.pricing.grand_total
    invoiced: dict[str, int] = {}
    for invoice in invoices:
        for invoice_line in invoice.lines:
            if invoice_line.sku == "shipping":  # the shipping charge, billed with the first
                continue
            invoiced[invoice_line.sku] = invoiced.get(invoice_line.sku, 0) + invoice_line.quantity
    ordered: dict[str, int] = {}
    for line in order.lines:
        ordered[line.sku] = ordered.get(line.sku, 0) + line.quantity
    assert invoiced == ordered
