"""Building frozen attrs values from fields already known to be valid (internal).

attrs' frozen ``__init__`` sets every field through ``object.__setattr__`` and
runs every converter and validator: right for input, wasted on a value
computed from checked values (a sum of Money, a moved ledger, a priced line).
The functions generated here (once per class, at import time, with
``compile``/``exec`` as attrs generates ``__init__``) fill a *draft* instead:
a subclass of the class that adds no slots and takes plain assignment. Once
filled, the draft becomes the class itself (``draft.__class__ = cls``; Python
allows that switch between classes of one layout), about a quarter to a third
of the cost of ``__init__``. The result is an ordinary instance: its type is
the class, and it is frozen, equal, hashed, printed and pickled like one that
``__init__`` built. The class keeps its own bases (its documentation names no
draft); only ``__subclasses__()`` shows the draft.

Arguments are taken as given: no converter, validator or ``on_setattr`` hook
runs. Every caller passes fields it has checked, and a property test over the
registered strategies compares each drafted class with its ``__init__``. A
class with an ``__attrs_post_init__`` is refused unless the caller says the
hook only checks (``skip_post_init=True``): a hook that set a field would be
silently skipped.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Final, ParamSpec, TypeVar, cast

import attrs

from orderkit._codegen import define

__all__ = ["builder", "draft_of", "drafted", "evolver"]

_T = TypeVar("_T")
_P = ParamSpec("_P")
_A = TypeVar("_A", bound=attrs.AttrsInstance)

_DRAFTS: Final[dict[type, type]] = {}
_EVOLVERS: Final[dict[type, dict[tuple[str, ...], None]]] = {}  # ordered sets
#: Names the generated source uses besides the fields (a field of that name would shadow one).
_GENERATED_NAMES: Final = frozenset({"Class", "Draft", "NOTHING", "draft", "instance"})


def draft_of(cls: type, *, skip_post_init: bool = False) -> type[Any]:
    """The draft class of a slotted attrs class (made on first use, then shared).

    Its instances take plain assignment to the class's slots; assigning
    ``cls`` to their ``__class__`` then makes them ordinary instances. Only
    code that inlines the builder on a hot path (Money's arithmetic) needs it.
    ``skip_post_init`` admits a class whose ``__attrs_post_init__`` only checks.
    """
    hooks = (
        ["__attrs_pre_init__"] if skip_post_init else ["__attrs_pre_init__", "__attrs_post_init__"]
    )
    if not attrs.has(cls) or "__slots__" not in vars(cls) or any(hasattr(cls, h) for h in hooks):
        raise TypeError(f"{cls.__qualname__} is not a slotted attrs class without init hooks")
    draft = _DRAFTS.get(cls)
    if draft is None:
        draft = type(
            f"{cls.__name__}Draft",
            (cls,),
            {
                "__slots__": (),
                "__module__": cls.__module__,
                "__qualname__": f"{cls.__qualname__}Draft",
                # Both hooks of tp_setattro back to object's: plain, specialised stores.
                "__setattr__": object.__setattr__,
                "__delattr__": object.__delattr__,
                "__init__": object.__init__,
            },
        )
        _DRAFTS[cls] = draft
    return draft


def drafted() -> dict[type, list[tuple[str, ...]]]:
    """Each class with a draft, and the fields of each evolver made for it.

    For the property test that checks them all against attrs.
    """
    return {cls: list(_EVOLVERS.get(cls, ())) for cls in _DRAFTS}


def builder(cls: Callable[_P, _T], *, skip_post_init: bool = False) -> Callable[_P, _T]:
    """A function with the signature of ``cls(...)`` that builds through the draft.

    Defaults are the class's own (a factory is called as ``__init__`` calls it).
    ``skip_post_init``: the class's ``__attrs_post_init__`` only checks; skip it.
    """
    klass = cast(type, cls)  # typed as a Callable only to borrow its signature
    params: list[str] = []
    keywords: list[str] = []
    values: dict[str, str] = {}
    namespace: dict[str, Any] = {"NOTHING": attrs.NOTHING}
    for field in attrs.fields(klass):
        if not field.init:
            raise TypeError(f"{klass.__qualname__}.{field.name} is not an __init__ argument")
        name = field.alias
        value = name
        if isinstance(field.default, attrs.Factory):  # type: ignore[arg-type]
            namespace[f"_factory_{name}"] = field.default.factory
            call = f"_factory_{name}(draft)" if field.default.takes_self else f"_factory_{name}()"
            value = f"{call} if {name} is NOTHING else {name}"
            name = f"{name}=NOTHING"
        elif field.default is not attrs.NOTHING:
            namespace[f"_default_{name}"] = field.default
            name = f"{name}=_default_{name}"
        (keywords if field.kw_only else params).append(name)
        values[field.name] = value
    if keywords:
        params += ["*", *keywords]
    name = f"build_{klass.__name__}"
    return _generate(
        klass, name, ", ".join(params), values, namespace, skip_post_init=skip_post_init
    )


def evolver(cls: type[_A], *names: str, skip_post_init: bool = False) -> Callable[..., _A]:
    """A function ``(instance, *values)``: ``attrs.evolve(instance, **dict(zip(names, values)))``.

    The other fields are copied from ``instance`` as they are; ``skip_post_init``
    as for :func:`builder`.
    """
    fields = attrs.fields(cls)
    unknown = set(names) - {field.name for field in fields}
    if unknown:
        raise TypeError(f"{cls.__qualname__} has no field {sorted(unknown)}")
    values = {
        field.name: field.name if field.name in names else f"instance.{field.name}"
        for field in fields
    }
    _EVOLVERS.setdefault(cls, {})[names] = None
    name = "_".join(["evolve", cls.__name__, *names])
    return _generate(
        cls, name, ", ".join(["instance", *names]), values, {}, skip_post_init=skip_post_init
    )


def _generate(
    cls: type,
    name: str,
    params: str,
    values: dict[str, str],
    namespace: dict[str, Any],
    *,
    skip_post_init: bool,
) -> Callable[..., Any]:
    clash = _GENERATED_NAMES & {n for f in attrs.fields(cls) for n in (f.name, f.alias)}
    if clash:
        raise TypeError(f"{cls.__qualname__}: fields {sorted(clash)} clash with generated names")
    lines = [f"def {name}({params}):", "    draft = Draft()"]
    lines += [f"    draft.{slot} = {value}" for slot, value in values.items()]
    lines += ["    draft.__class__ = Class", "    return draft", ""]
    filename = f"<orderkit._drafts {cls.__module__}.{name}>"
    namespace.update(Draft=draft_of(cls, skip_post_init=skip_post_init), Class=cls)
    function = define(name, "\n".join(lines), filename, namespace)
    function.__doc__ = f"A {cls.__qualname__} from trusted fields (built by orderkit._drafts)."
    return function
