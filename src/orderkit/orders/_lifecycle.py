"""A declarative, immutable state machine for orders.

A :class:`Lifecycle` lists states, an initial state, terminal states and
named :class:`Transition`\\ s (sources, target, guards, effects). It is data:
it is checked when built (every state reachable from the initial one, a
terminal state reachable from every state), it renders as Mermaid or DOT, and
hosts derive their own with :meth:`Lifecycle.extend`. The order does not store
its lifecycle: each order method takes it as an argument, so an order
serialises without code.

Guards are pure callables ``(order, context) -> str | None``: ``None`` lets
the transition happen, a string is the reason it is refused. Effects are
pure callables ``(order, context) -> Iterable[DomainEvent]`` returning the
events to record; both see the order as it was before the transition.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Final, TypeVar

import attrs

from orderkit._drafts import builder
from orderkit.errors import ValidationError
from orderkit.events import DomainEvent
from orderkit.orders._status import StatusChange
from orderkit.orders._values import NO_ATTRIBUTES, Attributes

if TYPE_CHECKING:
    from orderkit.orders._order import Order

__all__ = [
    "PREVIOUS_STATE",
    "Effect",
    "Guard",
    "Lifecycle",
    "Transition",
    "TransitionContext",
    "new_context",
]

# State and event names appear in diagrams and in stored histories: keep them plain.
_IDENTIFIER: Final = re.compile(r"[A-Za-z][A-Za-z0-9_]*")

_T = TypeVar("_T")
#: A state and the state a return from it would go back to (None: nothing remembered).
_Node = tuple[str, str | None]

#: Target of a transition that returns to the state the order was held from.
PREVIOUS_STATE: Final = "*previous"


@attrs.frozen
class TransitionContext:
    """What guards and effects know about the transition being attempted."""

    event: str
    source: str
    target: str
    at: dt.datetime
    actor: str | None = None
    reason: str | None = None
    data: Attributes = NO_ATTRIBUTES


#: A TransitionContext built through a draft (orderkit._drafts), for the engine.
new_context: Final = builder(TransitionContext)


Guard = Callable[["Order", TransitionContext], "str | None"]
Effect = Callable[["Order", TransitionContext], Iterable[DomainEvent]]


def _name(value: str) -> str:
    # Plain ``str`` even when given a StrEnum member, so renderings and equality are simple.
    raw: object = value
    if not isinstance(raw, str):
        raise ValidationError(f"{raw!r} is not a state or event name")
    return str.__str__(raw)


def _items(value: object, what: str) -> tuple[object, ...]:
    # A declaration mistake (None, a number) is a ValidationError, never a bare TypeError.
    if isinstance(value, str | bytes) or not isinstance(value, Iterable):
        raise ValidationError(f"{what} must be an iterable, got {value!r}", path=what)
    return tuple(value)


def _transitions(value: Iterable[Transition]) -> tuple[Transition, ...]:
    items = _items(value, "transitions")
    for item in items:
        if not isinstance(item, Transition):
            raise ValidationError(f"{item!r} is not a Transition", path="transitions")
    return tuple(item for item in items if isinstance(item, Transition))


def _callables(value: object, what: str) -> tuple[Any, ...]:
    items = _items(value, what)
    for item in items:
        if not callable(item):
            raise ValidationError(f"{what}: {item!r} is not callable", path=what)
    return items


def _guards(value: Iterable[Guard]) -> tuple[Guard, ...]:
    return _callables(value, "guards")


def _effects(value: Iterable[Effect]) -> tuple[Effect, ...]:
    return _callables(value, "effects")


def _names(value: Iterable[str] | str) -> tuple[str, ...]:
    items = (value,) if isinstance(value, str) else _items(value, "states")
    return tuple(dict.fromkeys(_name(item) for item in items))  # type: ignore[arg-type]


@attrs.frozen
class Transition:
    """A named event moving an order from any of ``sources`` to ``target``.

    Args:
        event: The event name (``"confirm"``); unique within a lifecycle.
        sources: States the event may fire from.
        target: The state it leads to, or :data:`PREVIOUS_STATE` to go back to
            the state a hold was placed from.
        guards: Pure checks; the first reason returned refuses the event.
        effects: Pure callables returning the events to record.
        automatic: Fired by the order itself after any change, as soon as its
            guards pass (for example "every unit has shipped").
        cancels_units: Firing it cancels every unshipped unit and releases the
            stock allocated to them (recorded as ``OrderCancelled``).
        remembers_source: Firing it remembers the source state, so a later
            :data:`PREVIOUS_STATE` transition can return there (a hold).
    """

    event: str = attrs.field(converter=_name)
    sources: tuple[str, ...] = attrs.field(converter=_names)
    target: str = attrs.field(converter=_name)
    guards: tuple[Guard, ...] = attrs.field(default=(), converter=_guards)
    effects: tuple[Effect, ...] = attrs.field(default=(), converter=_effects)
    automatic: bool = False
    cancels_units: bool = False
    remembers_source: bool = False


def _fail(message: str, path: str) -> ValidationError:
    return ValidationError(message, path=path)


@attrs.frozen(repr=False)
class Lifecycle:
    """An immutable order state machine, checked when built.

    Args:
        states: Every state, in display order.
        initial: Where a new order starts.
        terminal: States an order never leaves.
        transitions: The named events.
        fulfillable: States in which stock may be allocated and units shipped.

    Raises:
        ValidationError: naming the state or event at fault, for an unknown
            state, a duplicate event, an unreachable state or a non-terminal
            state from which no terminal state can be reached.
    """

    states: tuple[str, ...] = attrs.field(converter=_names)
    initial: str = attrs.field(converter=_name)
    terminal: tuple[str, ...] = attrs.field(converter=_names)
    transitions: tuple[Transition, ...] = attrs.field(converter=_transitions)
    fulfillable: tuple[str, ...] = attrs.field(default=(), converter=_names)
    # Lookup tables derived once from the declaration, for the per-command hot path.
    _by_event: dict[str, Transition] = attrs.field(
        init=False, repr=False, eq=False, hash=False, factory=dict
    )
    _automatic: dict[str, tuple[Transition, ...]] = attrs.field(
        init=False, repr=False, eq=False, hash=False, factory=dict
    )

    def __attrs_post_init__(self) -> None:
        self._check_names()
        for transition in self.transitions:
            self._by_event[transition.event] = transition
            for source in transition.sources if transition.automatic else ():
                self._automatic[source] = (*self._automatic.get(source, ()), transition)
        forward = self._graph()
        reachable = _closure({self.initial}, forward)
        for state in self.states:
            if state not in reachable:
                raise _fail(
                    f"state {state!r} is unreachable from the initial state {self.initial!r}",
                    f"states.{state}",
                )
        backward: dict[str, set[str]] = {state: set() for state in self.states}
        for source, targets in forward.items():
            for target in targets:
                backward[target].add(source)
        finishing = _closure(set(self.terminal), backward)
        for state in self.states:
            if state not in finishing:
                raise _fail(
                    f"state {state!r} is a dead end: no terminal state can be reached from it",
                    f"states.{state}",
                )
        self._check_returns()

    def _check_returns(self) -> None:
        """Refuse a state that is a dead end once the remembered state is taken into account.

        The graph above lets a return to a previous state go wherever some
        remembering transition came from. An order really remembers one
        state, or none: entered without remembering (or after a nested
        hold overwrote it), a state whose only exits are returns is stuck. This
        walks (state, remembered state) pairs exactly as the engine fires.
        """

        def following(node: _Node) -> list[_Node]:
            state, held = node
            found: list[_Node] = []
            for transition in self.transitions:
                if state not in transition.sources:
                    continue
                if transition.target == PREVIOUS_STATE:
                    if held is not None:
                        found.append((held, None))
                elif transition.remembers_source:
                    found.append((transition.target, state))
                else:
                    found.append((transition.target, held))
            return found

        start: _Node = (self.initial, None)
        graph: dict[_Node, list[_Node]] = {}
        pending = [start]
        while pending:
            node = pending.pop()
            if node not in graph:
                graph[node] = following(node)
                pending.extend(graph[node])
        backward: dict[_Node, set[_Node]] = {node: set() for node in graph}
        for node, targets in graph.items():
            for target in targets:
                backward[target].add(node)
        done = {node for node in graph if node[0] in self.terminal}
        finishing = _closure(done, backward)
        order = {state: index for index, state in enumerate(self.states)}
        for state, held in sorted(graph, key=lambda n: (order[n[0]], order.get(n[1] or "", -1))):
            if (state, held) not in finishing:
                how = (
                    f"the order remembers {held!r}"
                    if held is not None
                    else "the order has no state to return to"
                )
                raise _fail(
                    f"state {state!r} is a dead end when {how}: "
                    "no terminal state can be reached from it",
                    f"states.{state}",
                )

    def _check_names(self) -> None:
        known = set(self.states)
        for state in self.states:
            if not _IDENTIFIER.fullmatch(state):
                raise _fail(
                    f"{state!r} is not a valid state name (letters, digits, underscores)", "states"
                )
        if self.initial not in known:
            raise _fail(f"initial state {self.initial!r} is not a declared state", "initial")
        if not self.terminal:
            raise _fail("a lifecycle needs at least one terminal state", "terminal")
        for state in (*self.terminal, *self.fulfillable):
            if state not in known:
                raise _fail(f"state {state!r} is not declared", f"states.{state}")
        seen: set[str] = set()
        for transition in self.transitions:
            event = transition.event
            if not _IDENTIFIER.fullmatch(_name(event)):
                raise _fail(
                    f"{event!r} is not a valid event name (letters, digits, underscores)",
                    "transitions",
                )
            if event in seen:
                raise _fail(f"event {event!r} is declared twice", f"transitions.{event}")
            seen.add(event)
            if not transition.sources:
                raise _fail(f"event {event!r} has no source state", f"transitions.{event}")
            for state in transition.sources:
                if state not in known:
                    raise _fail(
                        f"event {event!r} starts from undeclared state {state!r}",
                        f"transitions.{event}",
                    )
                if state in self.terminal:
                    raise _fail(
                        f"event {event!r} leaves terminal state {state!r}",
                        f"transitions.{event}",
                    )
            if transition.target != PREVIOUS_STATE and transition.target not in known:
                raise _fail(
                    f"event {event!r} leads to undeclared state {transition.target!r}",
                    f"transitions.{event}",
                )
            if transition.target == PREVIOUS_STATE and transition.remembers_source:
                raise _fail(
                    f"event {event!r} cannot both remember and return to a previous state",
                    f"transitions.{event}",
                )

    def __repr__(self) -> str:
        events = tuple(transition.event for transition in self.transitions)
        return (
            f"Lifecycle(states={self.states!r}, initial={self.initial!r}, "
            f"terminal={self.terminal!r}, events={events!r})"
        )

    # -- graph ----------------------------------------------------------------

    def edges(self) -> list[tuple[str, str, Transition]]:
        """Every (source, target, transition) edge, returns from a hold expanded.

        A :data:`PREVIOUS_STATE` transition from a state leads back to each
        state a remembering transition into that state starts from.
        """
        order = {state: index for index, state in enumerate(self.states)}
        result: list[tuple[str, str, Transition]] = []
        for transition in self.transitions:
            for source in sorted(transition.sources, key=order.__getitem__):
                result.extend(
                    (source, target, transition)
                    for target in self._targets(transition, source, order)
                )
        return result

    def _targets(self, transition: Transition, source: str, order: Mapping[str, int]) -> list[str]:
        if transition.target != PREVIOUS_STATE:
            return [transition.target]
        found = {
            state
            for other in self.transitions
            if other.remembers_source and other.target == source
            for state in other.sources
        }
        if not found:
            raise _fail(
                f"event {transition.event!r} returns to a previous state, but no "
                f"transition into {source!r} remembers where it came from",
                f"transitions.{transition.event}",
            )
        return sorted(found, key=order.__getitem__)

    def _graph(self) -> dict[str, set[str]]:
        graph: dict[str, set[str]] = {state: set() for state in self.states}
        for source, target, _ in self.edges():
            graph[source].add(target)
        return graph

    # -- queries ----------------------------------------------------------------

    def transition(self, event: str) -> Transition | None:
        """The transition named ``event``, or ``None``."""
        try:
            return self._by_event.get(event)
        except TypeError:  # an unhashable "event" names no transition
            return None

    def allowed_events(self, state: str) -> tuple[str, ...]:
        """The events a caller may fire from ``state`` (automatic ones excluded), sorted."""
        return tuple(
            sorted(t.event for t in self.transitions if state in t.sources and not t.automatic)
        )

    def is_terminal(self, state: str) -> bool:
        """Whether ``state`` is terminal."""
        return state in self.terminal

    def cancellable_from(self, state: str) -> bool:
        """Whether some unit-cancelling transition starts from ``state``."""
        return any(t.cancels_units and state in t.sources for t in self.transitions)

    def replay(self, history: Iterable[StatusChange]) -> str:
        """The state reached by replaying ``history`` from the initial state.

        Raises:
            ValidationError: if an entry does not follow from the one before
                it under this lifecycle (names the entry and the mismatch).
        """
        state, held_from = self.initial, None
        for index, change in enumerate(_items(history, "history")):
            where = f"history[{index}]"
            if not isinstance(change, StatusChange):
                raise _fail(f"{change!r} is not a StatusChange", where)
            transition = self.transition(change.event)
            if transition is None:
                raise _fail(f"unknown event {change.event!r}", where)
            if change.source != state or state not in transition.sources:
                raise _fail(
                    f"event {change.event!r} recorded from {change.source!r}, "
                    f"but the order was in {state!r}",
                    where,
                )
            target = held_from if transition.target == PREVIOUS_STATE else transition.target
            if change.target != target:
                raise _fail(
                    f"event {change.event!r} recorded to {change.target!r}, expected {target!r}",
                    where,
                )
            if transition.remembers_source:
                held_from = state
            elif transition.target == PREVIOUS_STATE:
                held_from = None
            state = change.target
        return state

    # -- derivation -----------------------------------------------------------

    def extend(
        self,
        *,
        states: Iterable[str] = (),
        terminal: Iterable[str] = (),
        transitions: Iterable[Transition] = (),
        sources: Mapping[str, Iterable[str]] | None = None,
        guards: Mapping[str, Iterable[Guard]] | None = None,
        effects: Mapping[str, Iterable[Effect]] | None = None,
        fulfillable: Iterable[str] = (),
        remove: Iterable[str] = (),
    ) -> Lifecycle:
        """A new lifecycle with more states, transitions, sources, guards or effects.

        Args:
            states: States to add.
            terminal: States to add to the terminal ones.
            transitions: Transitions to add; one named like an existing
                transition replaces it.
            sources: More source states for existing events, by event.
            guards: More guards for existing events (checked after theirs).
            effects: More effects for existing events (run after theirs).
            fulfillable: More states in which stock may be allocated and shipped.
            remove: Events to drop.

        Raises:
            ValidationError: for an unknown event, or if the result is not a
                valid lifecycle.
        """
        current: dict[str, Transition] = {t.event: t for t in self.transitions}
        for event in _items(remove, "remove"):
            if not isinstance(event, str) or current.pop(event, None) is None:
                raise _fail(f"cannot remove unknown event {event!r}", f"transitions.{event}")
        for transition in _transitions(transitions):
            current[transition.event] = transition
        changes: Sequence[tuple[Mapping[str, Iterable[Any]] | None, str]] = (
            (sources, "sources"),
            (guards, "guards"),
            (effects, "effects"),
        )
        for mapping, field in changes:
            for event, extra in (mapping or {}).items():
                existing = current.get(event)
                if existing is None:
                    raise _fail(f"cannot extend unknown event {event!r}", f"{field}.{event}")
                merged = (*getattr(existing, field), *_items(extra, f"{field}.{event}"))
                changed: dict[str, Any] = {field: merged}
                current[event] = attrs.evolve(existing, **changed)
        return Lifecycle(
            states=(*self.states, *states),
            initial=self.initial,
            terminal=(*self.terminal, *terminal),
            transitions=tuple(current.values()),
            fulfillable=(*self.fulfillable, *fulfillable),
        )

    # -- rendering ------------------------------------------------------------

    def to_mermaid(self) -> str:
        """A Mermaid ``stateDiagram-v2``; automatic events are marked "(automatic)"."""
        lines = ["stateDiagram-v2", f"    [*] --> {self.initial}"]
        for source, target, transition in self.edges():
            label = transition.event + (" (automatic)" if transition.automatic else "")
            lines.append(f"    {source} --> {target}: {label}")
        lines.extend(f"    {state} --> [*]" for state in self.terminal)
        return "\n".join(lines)

    def to_dot(self) -> str:
        """A Graphviz DOT digraph; terminal states are double circles, automatic edges dashed."""
        lines = [
            "digraph lifecycle {",
            "    rankdir=LR;",
            '    "*start" [shape=point];',
        ]
        for state in self.states:
            shape = "doublecircle" if state in self.terminal else "circle"
            lines.append(f'    "{state}" [shape={shape}];')
        lines.append(f'    "*start" -> "{self.initial}";')
        for source, target, transition in self.edges():
            style = ", style=dashed" if transition.automatic else ""
            lines.append(f'    "{source}" -> "{target}" [label="{transition.event}"{style}];')
        lines.append("}")
        return "\n".join(lines)


def _closure(start: set[_T], graph: Mapping[_T, set[_T]]) -> set[_T]:
    seen = set(start)
    pending = list(start)
    while pending:
        for following in graph[pending.pop()]:
            if following not in seen:
                seen.add(following)
                pending.append(following)
    return seen
