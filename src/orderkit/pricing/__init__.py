"""Pricing: price lists, promotions, tax and shipping charges, to the cent.

A :class:`Pricer` holds catalogue data (a :class:`PriceBook`, the live
:class:`Promotion` s, a :class:`TaxPolicy`) and prices a
:class:`PricingRequest` into a :class:`PriceBreakdown` that says where every
minor unit comes from. Pricing is pure: the same request always gives the
same breakdown, and the pricer never stores state (usage counts come in).

>>> import datetime as dt
>>> from orderkit.ids import LineId, Sku
>>> from orderkit.money import Currency, Money
>>> request = PricingRequest(
...     currency=Currency.of("EUR"),
...     moment=dt.datetime(2026, 5, 1, tzinfo=dt.UTC),
...     lines=[PricingLine(LineId("1"), Sku("MUG"), 2, unit_price=Money.of("7.50", "EUR"))],
... )
>>> str(Pricer().price(request).grand_total)
'15.00 EUR'
"""

from orderkit.pricing._actions import (
    Action,
    BuyXGetY,
    FixedOffLines,
    FixedOffOrder,
    FixedPriceLines,
    FreeShipping,
    PercentOffLines,
    PercentOffOrder,
    SubtotalTier,
    TieredPercentOffOrder,
)
from orderkit.pricing._breakdown import (
    AppliedDiscount,
    DiscountKind,
    DiscountShare,
    LineBreakdown,
    OrderDiscount,
    PriceBreakdown,
    PromotionOutcome,
    ShippingBreakdown,
    TaxAmount,
)
from orderkit.pricing._conditions import (
    Condition,
    ContainsItems,
    CouponCode,
    CustomerGroupIs,
    FirstOrder,
    MinimumQuantity,
    MinimumSubtotal,
    ValidDuring,
)
from orderkit.pricing._price_lists import PriceBook, PriceEntry, PriceList, PriceTier
from orderkit.pricing._pricer import Pricer
from orderkit.pricing._promotions import Promotion
from orderkit.pricing._request import Jurisdiction, LineAdjustment, PricingLine, PricingRequest
from orderkit.pricing._shipping import (
    CarrierRate,
    FlatRate,
    FreeAbove,
    ShippingRule,
    WeightBracket,
    WeightTable,
)
from orderkit.pricing._tax import TaxPolicy, TaxRate, TaxRounding

__all__ = [
    "Action",
    "AppliedDiscount",
    "BuyXGetY",
    "CarrierRate",
    "Condition",
    "ContainsItems",
    "CouponCode",
    "CustomerGroupIs",
    "DiscountKind",
    "DiscountShare",
    "FirstOrder",
    "FixedOffLines",
    "FixedOffOrder",
    "FixedPriceLines",
    "FlatRate",
    "FreeAbove",
    "FreeShipping",
    "Jurisdiction",
    "LineAdjustment",
    "LineBreakdown",
    "MinimumQuantity",
    "MinimumSubtotal",
    "OrderDiscount",
    "PercentOffLines",
    "PercentOffOrder",
    "PriceBook",
    "PriceBreakdown",
    "PriceEntry",
    "PriceList",
    "PriceTier",
    "Pricer",
    "PricingLine",
    "PricingRequest",
    "Promotion",
    "PromotionOutcome",
    "ShippingBreakdown",
    "ShippingRule",
    "SubtotalTier",
    "TaxAmount",
    "TaxPolicy",
    "TaxRate",
    "TaxRounding",
    "TieredPercentOffOrder",
    "ValidDuring",
    "WeightBracket",
    "WeightTable",
]
