"""Contracts for the repositories: round trips, keys, queries and the version rule."""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orderkit.errors import (
    ConcurrencyConflict,
    DuplicateRequest,
    NotFound,
    OrderkitError,
    ValidationError,
)
from orderkit.fulfillment import Shipment
from orderkit.ids import CustomerId, OrderId, ShipmentId, Sku
from orderkit.inventory import SkuStock
from orderkit.invoicing import CreditNote, Invoice
from orderkit.orders import Order
from orderkit.ports import UnitOfWorkFactory
from orderkit.testing.contracts._storage import (
    BASE_TIME,
    StorageFactory,
    StorageFixtures,
    contract_settings,
    make_order,
    make_stock,
    stock_records,
)
from orderkit.testing.strategies import credit_notes, invoices, orders, shipments

__all__ = [
    "InvoiceRepositoryContract",
    "OrderRepositoryContract",
    "ShipmentRepositoryContract",
    "StockRepositoryContract",
]


class OrderRepositoryContract(StorageFixtures):
    """``OrderRepository``: get/add/save by id and the three queries."""

    @contract_settings
    @given(order=orders(progressed=True))
    def test_an_added_order_reads_back_equal(
        self, fresh_storage: StorageFactory, order: Order
    ) -> None:
        uow_factory = fresh_storage()
        with uow_factory() as uow:
            uow.orders.add(order)
            uow.commit()
        assert order.version == 1
        with uow_factory() as uow:
            loaded = uow.orders.get(order.id)
        assert loaded == order
        assert loaded is not order
        assert loaded.pending_events == ()

    def test_an_unknown_id_is_not_found(self, uow_factory: UnitOfWorkFactory) -> None:
        with uow_factory() as uow, pytest.raises(NotFound, match="o-404"):
            uow.orders.get(OrderId("o-404"))

    def test_adding_an_existing_id_is_a_duplicate_and_writes_nothing(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        self.store_all(uow_factory, make_order(1))
        twin = make_order(1, customer="c-2")
        with uow_factory() as uow:
            with pytest.raises(DuplicateRequest, match="o-00001"):
                uow.orders.add(twin)
            uow.commit()
        assert twin.version == 0
        with uow_factory() as uow:
            assert uow.orders.get(OrderId("o-00001")).customer.id == "c-1"
            assert uow.orders.list_by_customer(CustomerId("c-2")) == []

    def test_save_writes_the_next_version_and_updates_the_indexes(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        self.store_all(uow_factory, make_order(1))
        with uow_factory() as uow:
            order = uow.orders.get(OrderId("o-00001"))
            order.confirm(at=BASE_TIME + dt.timedelta(hours=1))
            uow.orders.save(order)
            assert order.version == 2
            uow.commit()
        with uow_factory() as uow:
            loaded = uow.orders.get(OrderId("o-00001"))
            assert (loaded.version, loaded.status.value) == (2, "confirmed")
            assert [o.id for o in uow.orders.list_by_status("confirmed")] == ["o-00001"]
            assert uow.orders.list_by_status("placed") == []

    def test_a_loaded_order_is_a_copy(self, uow_factory: UnitOfWorkFactory) -> None:
        self.store_all(uow_factory, make_order(1))
        with uow_factory() as uow:
            uow.orders.get(OrderId("o-00001")).confirm(at=BASE_TIME)
            uow.commit()
        with uow_factory() as uow:
            assert uow.orders.get(OrderId("o-00001")).status.value == "placed"

    def test_lists_by_customer_and_status_are_in_placement_order(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        late = make_order(1, customer="c-a", at=BASE_TIME + dt.timedelta(days=2))
        early = make_order(2, customer="c-a", at=BASE_TIME)
        tie = make_order(3, customer="c-a", at=BASE_TIME)
        other = make_order(4, customer="c-b")
        self.store_all(uow_factory, late, early, tie, other)
        with uow_factory() as uow:
            mine = [o.id for o in uow.orders.list_by_customer(CustomerId("c-a"))]
            first_two = [o.id for o in uow.orders.list_by_customer(CustomerId("c-a"), limit=2)]
            placed = [o.id for o in uow.orders.list_by_status("placed")]
        assert mine == ["o-00002", "o-00003", "o-00001"]
        assert first_two == ["o-00002", "o-00003"]
        assert placed == ["o-00002", "o-00003", "o-00004", "o-00001"]

    def test_a_negative_limit_is_refused(self, uow_factory: UnitOfWorkFactory) -> None:
        with uow_factory() as uow, pytest.raises(ValidationError, match="-1"):
            uow.orders.list_by_status("placed", limit=-1)

    @contract_settings
    @given(
        offsets=st.lists(st.integers(0, 240), min_size=1, max_size=12),
        window=st.tuples(st.integers(-10, 250), st.integers(-10, 250)),
    )
    def test_placed_between_is_a_half_open_window_in_time_order(
        self,
        fresh_storage: StorageFactory,
        offsets: list[int],
        window: tuple[int, int],
    ) -> None:
        uow_factory = fresh_storage()
        placed = [
            make_order(n, at=BASE_TIME + dt.timedelta(minutes=m)) for n, m in enumerate(offsets)
        ]
        self.store_all(uow_factory, *placed)
        start, end = (BASE_TIME + dt.timedelta(minutes=m) for m in window)
        expected = sorted(
            (o for o in placed if start <= o.placed_at < end), key=lambda o: (o.placed_at, o.id)
        )
        with uow_factory() as uow:
            found = list(uow.orders.placed_between(start, end))
        assert [o.id for o in found] == [o.id for o in expected]

    def test_placed_between_pages_through_many_orders(self, uow_factory: UnitOfWorkFactory) -> None:
        many = [make_order(n, at=BASE_TIME + dt.timedelta(seconds=n // 3)) for n in range(1203)]
        self.store_all(uow_factory, *many)
        with uow_factory() as uow:
            found = [
                o.id for o in uow.orders.placed_between(BASE_TIME, BASE_TIME + dt.timedelta(1))
            ]
        assert found == [o.id for o in many]

    def test_placed_between_refuses_naive_datetimes(self, uow_factory: UnitOfWorkFactory) -> None:
        with uow_factory() as uow, pytest.raises(ValidationError, match="start"):
            list(uow.orders.placed_between(dt.datetime(2026, 1, 1), BASE_TIME))

    def test_repositories_need_an_open_unit_of_work(self, uow_factory: UnitOfWorkFactory) -> None:
        uow = uow_factory()
        with pytest.raises(OrderkitError, match="no open transaction"):
            uow.orders.get(OrderId("o-1"))


class StockRepositoryContract(StorageFixtures):
    """``StockRepository``: stock by sku, several at once in sku order."""

    @contract_settings
    @given(stock=stock_records())
    def test_saved_stock_reads_back_equal(
        self, fresh_storage: StorageFactory, stock: SkuStock
    ) -> None:
        uow_factory = fresh_storage()
        with uow_factory() as uow:
            uow.stock.save(stock)  # version 0: inserts
            uow.commit()
        assert stock.version == 1
        with uow_factory() as uow:
            loaded = uow.stock.get(stock.sku)
        assert loaded == stock
        assert loaded.pending_events == ()

    def test_get_many_is_sorted_skips_unknown_and_ignores_duplicates(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        self.store_all(uow_factory, make_stock("B"), make_stock("A"), make_stock("C"))
        with uow_factory() as uow:
            found = uow.stock.get_many([Sku("C"), Sku("Z"), Sku("A"), Sku("C")])
            assert list(found) == ["A", "C"]
            assert all(found[sku].sku == sku for sku in found)
            assert uow.stock.get_many([]) == {}

    def test_unknown_sku_is_not_found(self, uow_factory: UnitOfWorkFactory) -> None:
        with uow_factory() as uow, pytest.raises(NotFound, match="NOPE"):
            uow.stock.get(Sku("NOPE"))

    def test_creating_stock_that_exists_conflicts(self, uow_factory: UnitOfWorkFactory) -> None:
        self.store_all(uow_factory, make_stock("A", 5))
        with uow_factory() as uow:
            with pytest.raises(DuplicateRequest, match="A"):
                uow.stock.add(make_stock("A", 7))
            with pytest.raises(ConcurrencyConflict) as caught:
                uow.stock.save(make_stock("A", 9))
            assert (caught.value.expected, caught.value.actual) == (0, 1)
            uow.commit()
        with uow_factory() as uow:
            assert uow.stock.get(Sku("A")).on_hand() == 5

    def test_save_keeps_changes_and_counts_versions(self, uow_factory: UnitOfWorkFactory) -> None:
        self.store_all(uow_factory, make_stock("A", 5))
        for expected_version in (2, 3):
            with uow_factory() as uow:
                stock = uow.stock.get(Sku("A"))
                stock.receive(stock.locations[0], 1)
                uow.stock.save(stock)
                uow.commit()
            assert stock.version == expected_version
        with uow_factory() as uow:
            loaded = uow.stock.get(Sku("A"))
        assert (loaded.on_hand(), loaded.version) == (7, 3)

    def test_save_many_saves_each_record_or_conflicts_on_a_stale_one(
        self, uow_factory: UnitOfWorkFactory
    ) -> None:
        self.store_all(uow_factory, make_stock("A", 5), make_stock("B", 5), make_stock("C", 5))
        with uow_factory() as uow:
            stale = dict(uow.stock.get_many([Sku("A"), Sku("B"), Sku("C")]))
        with uow_factory() as uow:
            fresh = dict(uow.stock.get_many([Sku("C"), Sku("A")]))
            for stock in fresh.values():
                stock.receive(stock.locations[0], 1)
            uow.stock.save_many([fresh[Sku("C")], fresh[Sku("A")], fresh[Sku("C")]])
            uow.commit()
        assert [fresh[Sku(k)].version for k in "AC"] == [2, 2]
        with uow_factory() as uow:
            for stock in stale.values():
                stock.receive(stock.locations[0], 2)
            with pytest.raises(ConcurrencyConflict):
                uow.stock.save_many(stale.values())
        assert [stale[Sku(k)].version for k in "ABC"] == [1, 1, 1]
        with uow_factory() as uow:
            found = uow.stock.get_many([Sku("A"), Sku("B"), Sku("C")])
        assert [found[Sku(k)].on_hand() for k in "ABC"] == [6, 5, 6]


class InvoiceRepositoryContract(StorageFixtures):
    """``InvoiceRepository``: issued documents by number and by order."""

    @settings(contract_settings, max_examples=10)
    @given(document=st.one_of(invoices(), credit_notes()))
    def test_a_document_reads_back_equal(
        self, fresh_storage: StorageFactory, document: Invoice | CreditNote
    ) -> None:
        uow_factory = fresh_storage()
        with uow_factory() as uow:
            uow.invoices.add(document)
            uow.commit()
        with uow_factory() as uow:
            loaded = uow.invoices.get(document.number)
            by_order = uow.invoices.list_by_order(document.order_id)
        assert type(loaded) is type(document)
        assert loaded == document
        assert by_order == [document]

    @settings(contract_settings, max_examples=10)
    @given(
        invoice=invoices(),
        credit_note=credit_notes(),
        plan=st.lists(
            st.tuples(st.booleans(), st.sampled_from(["o-1", "o-2"])), min_size=2, max_size=6
        ),
    )
    def test_documents_list_by_order_in_insertion_order(
        self,
        fresh_storage: StorageFactory,
        invoice: Invoice,
        credit_note: CreditNote,
        plan: list[tuple[bool, str]],
    ) -> None:
        unique: list[Invoice | CreditNote] = [
            attrs.evolve(
                invoice if is_invoice else credit_note, number=f"N-{n}", order_id=OrderId(order_id)
            )
            for n, (is_invoice, order_id) in enumerate(plan)
        ]
        uow_factory = fresh_storage()
        with uow_factory() as uow:
            for document in unique:
                uow.invoices.add(document)
            uow.commit()
        with uow_factory() as uow:
            for order_id in {d.order_id for d in unique}:
                found = uow.invoices.list_by_order(order_id)
                assert found == [d for d in unique if d.order_id == order_id]
            with pytest.raises(DuplicateRequest, match=unique[0].number):
                uow.invoices.add(unique[0])
            with pytest.raises(NotFound, match="no-such-number"):
                uow.invoices.get("no-such-number")
            assert uow.invoices.list_by_order(OrderId("no-such-order")) == []


class ShipmentRepositoryContract(StorageFixtures):
    """``ShipmentRepository``: shipments by id and by order, with the version rule."""

    @contract_settings
    @given(shipment=shipments())
    def test_a_shipment_reads_back_equal(
        self, fresh_storage: StorageFactory, shipment: Shipment
    ) -> None:
        uow_factory = fresh_storage()
        with uow_factory() as uow:
            uow.shipments.add(shipment)
            uow.commit()
        assert shipment.version == 1
        assert shipment.pending_events == ()
        with uow_factory() as uow:
            loaded = uow.shipments.get(shipment.id)
            assert uow.shipments.list_by_order(shipment.order_id) == [shipment]
        assert loaded == shipment
        assert loaded.version == 1

    @contract_settings
    @given(
        shipment=shipments(stage="pending"),
        plan=st.lists(st.sampled_from(["o-1", "o-2"]), min_size=1, max_size=5),
    )
    def test_shipments_list_by_order_and_keep_versions(
        self, fresh_storage: StorageFactory, shipment: Shipment, plan: list[str]
    ) -> None:
        uow_factory = fresh_storage()
        stored = [
            attrs.evolve(shipment, id=ShipmentId(f"S-{n}"), order_id=OrderId(order_id))
            for n, order_id in enumerate(plan)
        ]
        with uow_factory() as uow:
            for item in stored:
                uow.shipments.save(item)  # version 0: inserts
            with pytest.raises(DuplicateRequest, match="S-0"):
                uow.shipments.add(attrs.evolve(shipment, id=ShipmentId("S-0")))
            uow.commit()
        with uow_factory() as uow:
            for order_id in set(plan):
                found = [s.id for s in uow.shipments.list_by_order(OrderId(order_id))]
                assert found == [s.id for s in stored if s.order_id == order_id]
            first = uow.shipments.get(ShipmentId("S-0"))
            uow.shipments.save(first)
            uow.commit()
        assert first.version == 2
        with uow_factory() as uow:
            with pytest.raises(ConcurrencyConflict):
                uow.shipments.save(stored[0])
            with pytest.raises(NotFound, match="S-404"):
                uow.shipments.get(ShipmentId("S-404"))

    @contract_settings
    @given(stored=st.lists(shipments(), min_size=1, max_size=5, unique_by=lambda s: s.id))
    def test_shipments_list_by_status_in_insertion_order(
        self, fresh_storage: StorageFactory, stored: list[Shipment]
    ) -> None:
        uow_factory = fresh_storage()
        with uow_factory() as uow:
            for item in stored:
                uow.shipments.add(item)
            uow.commit()
        with uow_factory() as uow:
            for status in {s.status for s in stored}:
                expected = [s.id for s in stored if s.status is status]
                found = uow.shipments.list_by_status(status.value)
                assert [s.id for s in found] == expected
                assert found == [s for s in stored if s.status is status]
                limited = uow.shipments.list_by_status(status.value, limit=1)
                assert [s.id for s in limited] == expected[:1]
            assert uow.shipments.list_by_status("no-such-status") == []
            with pytest.raises(ValidationError):
                uow.shipments.list_by_status(stored[0].status.value, limit=-1)
