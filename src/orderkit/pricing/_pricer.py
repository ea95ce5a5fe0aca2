"""The pricer: prices a request into a :class:`PriceBreakdown`, deterministically.

Order of operations:

1. unit prices (given on the line, or from the price book) and line gross,
   rounded to the minor unit with the pricer's rounding mode;
2. manual line adjustments, in the order given;
3. promotions, by descending priority (ties by code): conditions see the
   subtotal after step 2; actions act on what is left of each line;
4. shipping, on the merchandise subtotal after discounts, then free
   shipping from promotions;
5. tax on what is left of each line and of shipping.

Internally amounts are plain ``Decimal`` in the request's currency;
``Money`` values are built once, for the breakdown. ``quantize`` gets its
arguments positionally throughout: keyword arguments triple its cost.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable
from decimal import Decimal
from typing import Final

import attrs

from orderkit.errors import CurrencyMismatch, ValidationError
from orderkit.money import (
    DEFAULT_ROUNDING,
    MAX_AMOUNT_DIGITS,
    Currency,
    Money,
    Rounding,
    _exact,
    allocate,
)
from orderkit.pricing._actions import ORDER_ACTIONS, CartState, FreeShipping
from orderkit.pricing._assembly import Assembly
from orderkit.pricing._breakdown import (
    AppliedDiscount,
    DiscountKind,
    DiscountShare,
    OrderDiscount,
    PriceBreakdown,
    PromotionOutcome,
    new_applied_discount,
    new_discount_share,
)
from orderkit.pricing._common import HUNDRED, ZERO, instance_of, items_of, parse_rounding
from orderkit.pricing._price_lists import PriceBook, PriceList
from orderkit.pricing._promotions import Promotion
from orderkit.pricing._request import PricingRequest
from orderkit.pricing._tax import NO_TAX, TaxPolicy

__all__ = ["Pricer"]


#: The arithmetic context of a pricing run. The default context keeps 28 digits
#: and would silently round large sums (two lines of 99999999999999999999999999.99
#: lost their cents) or raise a bare ``InvalidOperation`` when quantizing; this one
#: keeps every digit of any amount ``Money`` accepts, its products and its sums.
_CONTEXT: Final = decimal.Context(
    prec=2 * MAX_AMOUNT_DIGITS,
    Emax=decimal.MAX_EMAX,
    Emin=decimal.MIN_EMIN,
    traps=[decimal.InvalidOperation, decimal.DivisionByZero, decimal.Overflow],
)


def _ranked(promotions: Iterable[Promotion]) -> tuple[Promotion, ...]:
    checked: tuple[Promotion, ...] = items_of(promotions, Promotion, "Promotion", "promotions")
    return tuple(sorted(checked, key=lambda p: (-p.priority, p.code)))


@attrs.frozen
class Pricer:
    """Prices carts and orders. Holds catalogue data only; never any state.

    Attributes:
        price_book: Where unit prices come from for lines without one.
        promotions: Every live promotion; ranked once, at construction.
        tax_policy: How tax is computed (none by default).
        rounding: The rounding mode for line amounts and percentage discounts.

    .. versionadded:: 0.1
    """

    price_book: PriceBook = attrs.field(
        factory=lambda: PriceBook(()), validator=instance_of(PriceBook, "PriceBook")
    )
    promotions: tuple[Promotion, ...] = attrs.field(default=(), converter=_ranked)
    tax_policy: TaxPolicy = attrs.field(
        default=NO_TAX, validator=instance_of(TaxPolicy, "TaxPolicy")
    )
    rounding: Rounding = attrs.field(default=DEFAULT_ROUNDING, converter=parse_rounding)

    def __attrs_post_init__(self) -> None:
        codes = [p.code for p in self.promotions]
        if len(set(codes)) != len(codes):
            raise ValidationError(
                f"duplicate promotion codes in {sorted(codes)}", path="promotions"
            )

    def price(self, request: PricingRequest) -> PriceBreakdown:
        """Price ``request``: the same request always gives the same breakdown.

        Raises:
            PriceNotFound: A line without a unit price has none in the book.
            CurrencyMismatch: A given price, adjustment or shipping charge is
                not in the request's currency.
            ValidationError: The shipping rule cannot charge this order, or an
                amount is too large to price exactly.
        """
        if not isinstance(request, PricingRequest):
            raise ValidationError(f"{request!r} is not a PricingRequest", path="request")
        try:
            with decimal.localcontext(_CONTEXT):
                return self._price(request)
        except decimal.DecimalException:
            raise ValidationError(
                "amounts too large to price exactly: a line gross, tax or total exceeds "
                f"1E+{MAX_AMOUNT_DIGITS}",
                path="lines",
            ) from None

    def _price(self, request: PricingRequest) -> PriceBreakdown:
        currency = request.currency
        mode = self.rounding.value
        quantum = currency.quantum

        unit_prices = self._unit_prices(request)
        gross = [
            (price * line.quantity).quantize(quantum, mode)
            for price, line in zip(unit_prices, request.lines, strict=True)
        ]
        remaining = list(gross)
        line_discounts: list[list[AppliedDiscount]] = [[] for _ in gross]
        self._adjust(request, remaining, line_discounts, mode)

        state = CartState(
            currency=currency,
            line_ids=[line.line_id for line in request.lines],
            rounding=mode,
            skus=[line.sku for line in request.lines],
            categories=[line.categories for line in request.lines],
            quantities=[line.quantity for line in request.lines],
            unit_prices=unit_prices,
            remaining=remaining,
            base_subtotal=sum(remaining, ZERO),
        )
        order_discounts: list[OrderDiscount] = []
        outcomes, free_shipping = self._promote(request, state, line_discounts, order_discounts)

        shipping_gross, shipping_discounts = self._shipping(request, state, free_shipping)
        # The first free-shipping promotion waives the charge; its outcome says how much.
        for rank, (_, index) in enumerate(free_shipping):
            outcome = outcomes[index]
            if rank == 0 and shipping_discounts:
                waived = shipping_discounts[0].amount
                outcomes[index] = attrs.evolve(outcome, amount=outcome.amount + waived)
            elif outcome.amount.is_zero:
                note = (
                    f"shipping already waived by {free_shipping[0][0].code!r}"
                    if rank
                    else "there is no shipping charge to waive"
                )
                outcomes[index] = attrs.evolve(outcome, reason=f"applied; {note}")
        return Assembly(self.tax_policy, request).build(
            unit_prices=unit_prices,
            gross=gross,
            remaining=remaining,
            line_discounts=line_discounts,
            order_discounts=order_discounts,
            shipping_gross=shipping_gross,
            shipping_discounts=shipping_discounts,
            outcomes=outcomes,
        )

    # -- steps ----------------------------------------------------------------

    def _unit_prices(self, request: PricingRequest) -> list[Decimal]:
        currency = request.currency
        lists: tuple[PriceList, ...] | None = None
        prices: list[Decimal] = []
        for line in request.lines:
            if line.unit_price is not None:
                given = line.unit_price.currency
                if given is not currency and given != currency:  # Currency.__eq__ is slow
                    raise CurrencyMismatch(currency.code, given.code, "price")
                prices.append(line.unit_price.amount)
                continue
            if lists is None:
                lists = self.price_book.applicable(currency, request.customer_group, request.moment)
            prices.append(PriceBook.unit_price_in(lists, line.sku, line.quantity, currency).amount)
        return prices

    def _adjust(
        self,
        request: PricingRequest,
        remaining: list[Decimal],
        line_discounts: list[list[AppliedDiscount]],
        mode: str,
    ) -> None:
        if not request.adjustments:
            return
        index = {line.line_id: i for i, line in enumerate(request.lines)}
        cur = request.currency
        quantum = cur.quantum
        for adjustment in request.adjustments:
            i = index[adjustment.line_id]
            if adjustment.amount is not None:
                if adjustment.amount.currency != request.currency:
                    raise CurrencyMismatch(
                        request.currency.code, adjustment.amount.currency.code, "adjust"
                    )
                wanted = adjustment.amount.amount.quantize(quantum, mode)
            else:
                percent = adjustment.percent if adjustment.percent is not None else ZERO
                wanted = (remaining[i] * percent / HUNDRED).quantize(quantum, mode)
            off = min(wanted, remaining[i])
            if off > 0:
                remaining[i] -= off
                line_discounts[i].append(
                    new_applied_discount(
                        DiscountKind.MANUAL, adjustment.line_id, adjustment.reason, _exact(off, cur)
                    )
                )

    def _promote(
        self,
        request: PricingRequest,
        state: CartState,
        line_discounts: list[list[AppliedDiscount]],
        order_discounts: list[OrderDiscount],
    ) -> tuple[list[PromotionOutcome], list[tuple[Promotion, int]]]:
        currency = state.currency
        subtotal = _exact(state.base_subtotal, currency)
        zero = _exact(ZERO, currency)
        outcomes: list[PromotionOutcome] = []
        free_shipping: list[tuple[Promotion, int]] = []
        applied: list[str] = []
        exclusive: str | None = None
        for promotion in self.promotions:
            reason = None
            if exclusive is not None:
                reason = f"exclusive promotion {exclusive!r} applied"
            else:
                reason = promotion.refusal(request, subtotal)
                if reason is None and promotion.exclusive and applied:
                    reason = f"exclusive, but {', '.join(map(repr, applied))} already applied"
            if reason is not None:
                outcomes.append(
                    PromotionOutcome(promotion.code, promotion.name, False, zero, reason)
                )
                continue
            total, waives = self._run_actions(promotion, state, line_discounts, order_discounts)
            if total == 0 and not waives:
                foreign = sorted(c.code for c in _currencies(promotion.actions) if c != currency)
                reason = (
                    f"its amounts are in {', '.join(foreign)}, not {currency}"
                    if foreign
                    else "qualifies, but its actions take nothing off this cart"
                )
                outcomes.append(
                    PromotionOutcome(promotion.code, promotion.name, False, zero, reason)
                )
                continue
            if waives:
                free_shipping.append((promotion, len(outcomes)))
            applied.append(promotion.code)
            if promotion.exclusive:
                exclusive = promotion.code
            outcomes.append(
                PromotionOutcome(
                    promotion.code, promotion.name, True, _exact(total, currency), "applied"
                )
            )
        return outcomes, free_shipping

    @staticmethod
    def _run_actions(
        promotion: Promotion,
        state: CartState,
        line_discounts: list[list[AppliedDiscount]],
        order_discounts: list[OrderDiscount],
    ) -> tuple[Decimal, bool]:
        currency = state.currency
        remaining = state.remaining
        total = ZERO
        waives = False
        for action in promotion.actions:
            if isinstance(action, FreeShipping):
                waives = True
            elif isinstance(action, ORDER_ACTIONS):
                left = sum(remaining, ZERO)
                amount = min(action.order_amount(state), left)
                if amount <= 0:
                    continue
                amount_money = _exact(amount, currency)
                # What is left of each line is whole minor units, so its minor units are
                # exact weights in the same proportions, and allocate's fastest.
                exponent = currency.exponent
                parts = allocate(amount_money, [int(r.scaleb(exponent)) for r in remaining])
                shares: list[DiscountShare] = []
                kind, code, name = DiscountKind.ORDER_PROMOTION, promotion.code, promotion.name
                for i, (line_id, part) in enumerate(zip(state.line_ids, parts, strict=True)):
                    shares.append(new_discount_share(line_id, part))
                    if part.amount:
                        remaining[i] -= part.amount
                        line_discounts[i].append(new_applied_discount(kind, code, name, part))
                order_discounts.append(
                    OrderDiscount(promotion.code, promotion.name, amount_money, tuple(shares))
                )
                total += amount
            else:
                amounts = action.line_amounts(state)
                for i in sorted(amounts):
                    off = min(amounts[i], remaining[i])
                    if off > 0:
                        remaining[i] -= off
                        line_discounts[i].append(
                            new_applied_discount(
                                DiscountKind.LINE_PROMOTION,
                                promotion.code,
                                promotion.name,
                                _exact(off, currency),
                            )
                        )
                        total += off
        return total, waives

    def _shipping(
        self,
        request: PricingRequest,
        state: CartState,
        free_shipping: list[tuple[Promotion, int]],
    ) -> tuple[Decimal, list[AppliedDiscount]]:
        rule = request.shipping
        if rule is None:
            return ZERO, []
        currency = state.currency
        weight = sum((line.weight * line.quantity for line in request.lines), ZERO)
        charge = rule.charge(Money(sum(state.remaining, ZERO), currency), weight)
        if charge.currency != currency:
            raise CurrencyMismatch(currency.code, charge.currency.code, "charge shipping")
        gross = charge.amount.quantize(currency.quantum, state.rounding)
        if not free_shipping or gross <= 0:
            return gross, []
        promotion = free_shipping[0][0]
        discount = new_applied_discount(
            DiscountKind.SHIPPING_PROMOTION, promotion.code, promotion.name, _exact(gross, currency)
        )
        return gross, [discount]


def _currencies(value: object) -> set[Currency]:
    """Every currency of the money inside an action (or tuple of them)."""
    if isinstance(value, Money):
        return {value.currency}
    if isinstance(value, tuple):
        return set().union(*(_currencies(item) for item in value))
    cls = type(value)
    if attrs.has(cls):
        names = [f.name for f in attrs.fields(cls)]
        return set().union(*(_currencies(getattr(value, name)) for name in names))
    return set()
