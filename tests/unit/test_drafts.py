"""orderkit._drafts against attrs, for every class built through a draft, on drawn values.

A builder takes ``__init__``'s arguments (defaults and factories included) and
an evolver is ``attrs.evolve`` without validation: on valid fields both must
build the value attrs builds, as an ordinary frozen instance of the class.
"""

from __future__ import annotations

import pickle
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import orderkit.invoicing
import orderkit.orders
import orderkit.pricing
import orderkit.service  # its builders are made at import
from orderkit._drafts import builder, drafted, evolver
from orderkit.errors import OrderkitError
from orderkit.money import Money

_DRAFTED = drafted()
_EVOLVED = [(cls, names) for cls, evolved in _DRAFTED.items() for names in evolved]


def test_the_drafted_classes_are_the_hot_values() -> None:
    assert {cls.__name__ for cls in _DRAFTED} == {
        "Money",
        *("AppliedDiscount", "DiscountShare", "LineBreakdown", "TaxAmount"),
        *("OrderLine", "QuantityLedger", "StatusChange", "TransitionContext"),
        *("DocumentLine", "Invoice", "InvoicingLedger", "LineTax"),
        *("PricingLine", "PriceSnapshot", "PricedLine", "PricedShipping", "PricedTax"),
    }
    for cls in _DRAFTED:
        assert cls.__bases__ == (object,)  # no private base in the class or its docs
        public = (orderkit.orders, orderkit.pricing, orderkit.invoicing)
        assert cls in (Money, *(value for package in public for value in vars(package).values()))


def _checks_only(cls: type) -> bool:
    """Whether ``cls`` has a post-init hook (the drafted classes' hooks only check)."""
    return hasattr(cls, "__attrs_post_init__")


def _same(built: Any, made: Any) -> None:
    cls = type(made)
    assert type(built) is cls
    assert built == made
    assert (hash(built), repr(built)) == (hash(made), repr(made))
    assert attrs.asdict(built, recurse=False) == attrs.asdict(made, recurse=False)
    assert pickle.loads(pickle.dumps(built)) == made
    with pytest.raises(attrs.exceptions.FrozenInstanceError):
        setattr(built, attrs.fields(cls)[0].name, None)


@pytest.mark.parametrize("cls", _DRAFTED, ids=lambda cls: cls.__name__)
@given(data=st.data())
# The strategies of breakdown parts filter out priced carts that have none of them.
@settings(suppress_health_check=[HealthCheck.filter_too_much, HealthCheck.too_slow])
def test_built_values_are_the_values_init_builds(cls: type, data: st.DataObject) -> None:
    value = data.draw(st.from_type(cls))
    fields = attrs.fields(cls)
    args = [getattr(value, field.name) for field in fields]
    build = builder(cls, skip_post_init=_checks_only(cls))
    _same(build(*args), cls(*args))
    _same(build(**{f.alias: a for f, a in zip(fields, args, strict=True)}), value)
    required = [a for f, a in zip(fields, args, strict=True) if f.default is attrs.NOTHING]
    _same(build(*required), cls(*required))  # the defaults and factories of __init__


@pytest.mark.parametrize(
    ("cls", "names"), _EVOLVED, ids=lambda x: x.__name__ if isinstance(x, type) else "-".join(x)
)
@given(data=st.data())
def test_evolved_values_are_the_values_attrs_evolve_builds(
    cls: type, names: tuple[str, ...], data: st.DataObject
) -> None:
    value, other = data.draw(st.from_type(cls)), data.draw(st.from_type(cls))
    fields = attrs.fields_dict(cls)
    changes = {fields[name].alias or name: getattr(other, name) for name in names}
    try:
        expected = attrs.evolve(value, **changes)
    except OrderkitError:  # not a valid combination: an evolver is only given valid ones
        return
    checks_only = _checks_only(cls)
    _same(evolver(cls, *names, skip_post_init=checks_only)(value, *changes.values()), expected)


@attrs.frozen
class _Checked:
    value: int

    def __attrs_post_init__(self) -> None:
        """A hook a builder would skip."""


@attrs.frozen
class _Shadowing:
    draft: int


@attrs.frozen(slots=False)
class _Unslotted:
    value: int


@attrs.frozen
class _Derived:
    value: int
    twice: int = attrs.field(init=False, default=0)


@pytest.mark.parametrize("cls", [_Checked, _Shadowing, _Unslotted, _Derived, int])
def test_classes_a_builder_cannot_mirror_are_refused(cls: type) -> None:
    with pytest.raises((TypeError, attrs.exceptions.NotAnAttrsClassError)):
        builder(cls)
    assert cls not in drafted()


def test_a_class_whose_hook_only_checks_is_built_without_running_it_when_asked() -> None:
    @attrs.frozen
    class Positive:
        value: int

        def __attrs_post_init__(self) -> None:
            if self.value <= 0:
                raise ValueError(self.value)

    with pytest.raises(ValueError, match="-1"):
        Positive(-1)
    built = builder(Positive, skip_post_init=True)(-1)  # the caller vouches for its fields
    assert type(built) is Positive
    assert built.value == -1
    assert evolver(Positive, "value", skip_post_init=True)(Positive(1), 2) == Positive(2)
