"""Reports on order patterns, computed from orders alone.

The report is pure: it takes the orders (from any repository) and returns a
frozen value; rendering is a separate step. Revenue counts every order that
was not cancelled, at its priced total (tax and shipping included); average
order values are rounded half-up to the currency's minor unit.

>>> import datetime as dt
>>> from orderkit.ids import CustomerId, LineId, OrderId, Sku
>>> from orderkit.money import Money
>>> from orderkit.orders import CustomerRef, Order, OrderLine
>>> at = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)
>>> def order(number, customer, sku, quantity, price):
...     line = OrderLine(LineId("1"), Sku(sku), quantity, Money.of(price, "EUR"))
...     return Order.place(
...         id=OrderId(f"o{number}"),
...         customer=CustomerRef(CustomerId(customer), f"{customer}@example.com"),
...         currency="EUR",
...         lines=[line],
...         at=at,
...     )
>>> report = OrderReport.from_orders(
...     [
...         order(1, "ann", "MUG", 2, "9.50"),
...         order(2, "ann", "TEE", 1, "20"),
...         order(3, "bob", "MUG", 1, "9.50"),
...     ]
... )
>>> report.orders, str(report.revenue[0]), str(report.average_order_value[0])
(3, '48.50 EUR', '16.17 EUR')
>>> report.top_skus[0], report.repeat_customer_share
(('MUG', 3), Decimal('0.5'))
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from decimal import Decimal

import attrs

from orderkit.money import Currency, Money
from orderkit.orders import Order

__all__ = ["OrderReport", "render_report"]

_CANCELLED = "cancelled"


@attrs.frozen
class OrderReport:
    """Counts, revenue and patterns over a set of orders.

    .. versionadded:: 0.1
    """

    orders: int
    by_status: tuple[tuple[str, int], ...]
    by_fulfillment_status: tuple[tuple[str, int], ...]
    by_payment_status: tuple[tuple[str, int], ...]
    revenue: tuple[Money, ...]
    average_order_value: tuple[Money, ...]
    average_units_per_order: Decimal
    top_skus: tuple[tuple[str, int], ...]
    by_weekday: tuple[tuple[str, int], ...]
    customers: int
    repeat_customer_share: Decimal
    cancellation_rate: Decimal
    first_placed: dt.datetime | None
    last_placed: dt.datetime | None

    @classmethod
    def from_orders(cls, orders: Iterable[Order], *, top: int = 5) -> OrderReport:
        """Read ``orders`` once and summarise them; ``top`` bounds the sku ranking."""
        statuses: Counter[str] = Counter()
        fulfillment: Counter[str] = Counter()
        payment: Counter[str] = Counter()
        revenue: dict[Currency, Money] = {}
        revenue_orders: Counter[Currency] = Counter()
        units_by_sku: Counter[str] = Counter()
        weekdays: Counter[int] = Counter()
        orders_per_customer: Counter[str] = Counter()
        count = units = 0
        first: dt.datetime | None = None
        last: dt.datetime | None = None
        for order in orders:
            count += 1
            status = str(order.status.value)
            statuses[status] += 1
            fulfillment[str(order.fulfillment_status.value)] += 1
            payment[str(order.payment_status.value)] += 1
            orders_per_customer[str(order.customer.id)] += 1
            placed = order.placed_at
            weekdays[placed.weekday()] += 1
            first = placed if first is None or placed < first else first
            last = placed if last is None or placed > last else last
            for line in order.lines:
                kept = line.quantity - line.cancelled
                units_by_sku[str(line.sku)] += kept
                units += kept
            if status != _CANCELLED:
                currency = order.currency
                revenue[currency] = revenue.get(currency, Money.zero(currency)) + order.total
                revenue_orders[currency] += 1
        ordered_revenue = tuple(revenue[c] for c in sorted(revenue, key=lambda c: c.code))
        averages = tuple(
            (money * (Decimal(1) / revenue_orders[money.currency])).round()
            for money in ordered_revenue
        )
        repeaters = sum(1 for n in orders_per_customer.values() if n > 1)
        names = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
        return cls(
            orders=count,
            by_status=_ranked(statuses),
            by_fulfillment_status=_ranked(fulfillment),
            by_payment_status=_ranked(payment),
            revenue=ordered_revenue,
            average_order_value=averages,
            average_units_per_order=_ratio(units, count),
            top_skus=tuple(sorted(units_by_sku.items(), key=lambda kv: (-kv[1], kv[0]))[:top]),
            by_weekday=tuple((names[day], weekdays[day]) for day in range(7)),
            customers=len(orders_per_customer),
            repeat_customer_share=_ratio(repeaters, len(orders_per_customer)),
            cancellation_rate=_ratio(statuses[_CANCELLED], count),
            first_placed=first,
            last_placed=last,
        )


def _ranked(counts: Counter[str]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(counts.items(), key=lambda kv: (-kv[1], kv[0])))


def _ratio(part: int, whole: int) -> Decimal:
    """``part / whole`` to four places (zero for an empty whole)."""
    if whole == 0:
        return Decimal(0)
    return (Decimal(part) / Decimal(whole)).quantize(Decimal("0.0001")).normalize()


def render_report(report: OrderReport) -> str:
    """The report as aligned plain text."""
    rows: list[str] = [f"Orders                {report.orders}"]
    if report.first_placed is not None and report.last_placed is not None:
        first, last = report.first_placed.date(), report.last_placed.date()
        rows.append(f"Placed                {first} to {last}")
    rows.append(f"Customers             {report.customers}")
    rows.append(f"Repeat customers      {report.repeat_customer_share:.1%}")
    rows.append(f"Cancellation rate     {report.cancellation_rate:.1%}")
    rows.append(f"Units per order       {report.average_units_per_order:.2f}")
    sections = (
        ("By status", report.by_status),
        ("By fulfilment status", report.by_fulfillment_status),
        ("By payment status", report.by_payment_status),
        ("Top skus (units)", report.top_skus),
        ("By weekday placed", report.by_weekday),
    )
    for title, pairs in sections:
        rows.extend(["", title])
        rows.extend(f"  {name:<22}{value:>8}" for name, value in pairs)
    rows.extend(["", "Revenue (not cancelled)       average order"])
    rows.extend(
        f"  {money.currency.code:<6}{money.amount:>18,}      {average.amount:>12,}"
        for money, average in zip(report.revenue, report.average_order_value, strict=True)
    )
    return "\n".join(rows)
