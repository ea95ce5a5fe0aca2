"""Promotions: conditions × actions, with priority, exclusivity and usage limits."""

from __future__ import annotations

from collections.abc import Iterable

import attrs

from orderkit.errors import ValidationError
from orderkit.money import Money
from orderkit.pricing._actions import Action
from orderkit.pricing._common import instance_of, items_of, validate_int, validate_optional_limit
from orderkit.pricing._conditions import Condition
from orderkit.pricing._request import PricingRequest

__all__ = ["Promotion"]


def _conditions(values: Iterable[Condition]) -> tuple[Condition, ...]:
    result: tuple[Condition, ...] = items_of(values, Condition, "promotion condition", "conditions")
    return result


def _actions(values: Iterable[Action]) -> tuple[Action, ...]:
    result: tuple[Action, ...] = items_of(values, Action, "promotion action", "actions")
    return result


@attrs.frozen
class Promotion:
    """A discount rule: when every condition holds, every action applies.

    Attributes:
        code: Unique identifier; names the promotion in the breakdown and keys
            ``PricingRequest.promotion_uses``.
        name: What the customer sees ("Summer sale").
        actions: What it takes off, applied in order.
        conditions: All must hold (none: always qualifies).
        priority: Higher runs first. Ties run in code order.
        exclusive: When it applies, nothing after it does; it is skipped when
            a promotion ran before it.
        usage_limit: Total uses allowed; the count so far is supplied by the
            caller (``promotion_uses``); the pricer never stores state.

    .. versionadded:: 0.1
    """

    code: str = attrs.field()
    name: str = attrs.field(validator=instance_of(str, "promotion name (str)"))
    actions: tuple[Action, ...] = attrs.field(converter=_actions)
    conditions: tuple[Condition, ...] = attrs.field(default=(), converter=_conditions)
    priority: int = attrs.field(default=0, validator=validate_int)
    exclusive: bool = False
    usage_limit: int | None = attrs.field(default=None, validator=validate_optional_limit)

    @code.validator
    def _check_code(self, attribute: attrs.Attribute[str], value: object) -> None:
        if not isinstance(value, str) or not value.strip():
            raise ValidationError(f"promotion code {value!r} is empty", path="code")

    def __attrs_post_init__(self) -> None:
        if not self.actions:
            raise ValidationError(f"promotion {self.code!r} has no action", path="actions")

    def refusal(self, request: PricingRequest, subtotal: Money) -> str | None:
        """Why the promotion does not qualify (every failed condition), or ``None``."""
        reasons: list[str] = []
        if self.usage_limit is not None:
            used = request.promotion_uses.get(self.code, 0)
            if used >= self.usage_limit:
                reasons.append(f"used {used} of {self.usage_limit} times")
        for condition in self.conditions:
            reason = condition.check(request, subtotal)
            if reason is not None:
                reasons.append(reason)
        return "; ".join(reasons) if reasons else None
