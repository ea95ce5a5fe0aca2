"""Distinct identifier types, so an order id cannot be passed where a sku is expected."""

from typing import NewType

__all__ = ["CustomerId", "InvoiceId", "LineId", "LocationId", "OrderId", "ShipmentId", "Sku"]

OrderId = NewType("OrderId", str)
LineId = NewType("LineId", str)
Sku = NewType("Sku", str)
LocationId = NewType("LocationId", str)
CustomerId = NewType("CustomerId", str)
ShipmentId = NewType("ShipmentId", str)
InvoiceId = NewType("InvoiceId", str)
