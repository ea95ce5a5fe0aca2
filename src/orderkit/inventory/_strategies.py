"""Allocation strategies: in which order an order's units are taken from locations.

A strategy only ranks locations (and says whether incoming batches may be
used); the :class:`~orderkit.inventory.Allocator` does the filling, so every
strategy shares the same never-oversell arithmetic.
"""

from __future__ import annotations

import heapq
import itertools
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import Generic, Protocol, TypeVar, cast

import attrs

from orderkit.errors import ValidationError
from orderkit.ids import LocationId, Sku
from orderkit.inventory._values import LocationRanking, StockLocation

D = TypeVar("D")

__all__ = [
    "AllocationStrategy",
    "ByPriority",
    "EarliestEta",
    "FewestShipments",
    "NearestFirst",
    "SourcingRequest",
]


@attrs.frozen
class SourcingRequest:
    """What a strategy sees: the order's demand and the stock it may use.

    ``stock`` holds available units per SKU and active location (cart
    reservations of this order already added back); ``caps`` bounds the
    units per SKU over all locations (holds on "any location" lower it);
    ``locations`` are the active locations, by priority.
    """

    demand: Mapping[Sku, int]
    stock: Mapping[Sku, Mapping[LocationId, int]]
    caps: Mapping[Sku, int]
    locations: tuple[StockLocation, ...]
    destination: object = None

    def fill(self, order: Sequence[LocationId]) -> tuple[int, list[LocationId]]:
        """Units covered and locations used when walking ``order`` (the allocator's rule).

        Each SKU visits only the locations holding it, in walk order, so the
        cost follows the stock entries rather than SKUs x locations.
        """
        steps: dict[LocationId, list[int]] = {}
        for step, location in enumerate(order):
            steps.setdefault(location, []).append(step)
        covered = 0
        used: dict[LocationId, None] = {}
        for sku, wanted in self.demand.items():
            remaining = min(wanted, self.caps.get(sku, 0))
            if remaining <= 0:
                continue
            walk = sorted(
                (step, location, qty)
                for location, qty in self.stock.get(sku, {}).items()
                if qty > 0
                for step in steps.get(location, ())
            )
            for _, location, qty in walk:
                take = min(qty, remaining)
                remaining -= take
                covered += take
                used[location] = None
                if remaining <= 0:
                    break
        return covered, list(used)


class AllocationStrategy(Protocol):
    """Ranks locations for one order; implement it to plug in your own rule."""

    @property
    def name(self) -> str:
        """A short name for plans and reports."""
        ...

    @property
    def uses_batches(self) -> bool:
        """Whether incoming batches may cover what on-hand stock cannot."""
        ...

    def rank(self, request: SourcingRequest) -> Sequence[LocationId]:
        """Locations in the order their on-hand stock should be used."""
        ...


def _by_priority(request: SourcingRequest) -> list[LocationId]:
    return [loc.id for loc in request.locations]


@attrs.frozen
class ByPriority:
    """Use locations in priority order (lowest ``priority`` number first).

    .. versionadded:: 0.1
    """

    batches: bool = False

    @property
    def name(self) -> str:
        """``"priority"``."""
        return "priority"

    @property
    def uses_batches(self) -> bool:
        """Whether batches follow on-hand stock (``batches``)."""
        return self.batches

    def rank(self, request: SourcingRequest) -> Sequence[LocationId]:
        """Active locations by priority."""
        return _by_priority(request)


@attrs.frozen
class FewestShipments:
    """Cover the order from as few locations as possible; ties go by priority.

    For small networks (``exact_budget`` bounds the work) the smallest set of
    locations covering every unit that can be covered is found exactly, the
    first in priority order among equals. Beyond that a greedy cover (take
    the location covering most remaining units, ties by priority) is
    compared with the plain priority walk and the better one wins. Either
    way this never uses more locations than :class:`ByPriority` would.

    .. versionadded:: 0.1
    """

    batches: bool = False
    exact_budget: int = 100_000

    @property
    def name(self) -> str:
        """``"fewest_shipments"``."""
        return "fewest_shipments"

    @property
    def uses_batches(self) -> bool:
        """Whether batches follow on-hand stock (``batches``)."""
        return self.batches

    def rank(self, request: SourcingRequest) -> Sequence[LocationId]:
        """The chosen locations by priority, then the rest by priority.

        When the whole exact search fits the budget, it is run straight away:
        the greedy and priority covers would only bound its size, and the
        smallest cover is never larger than either of them.
        """
        order = _by_priority(request)
        search = _CoverSearch.of(request, order)
        chosen: list[LocationId] | None = None
        if len(set(order)) == len(order):  # a repeated location could count its stock twice
            chosen = search.smallest(len(search.candidates), self.exact_budget)
        if chosen is None:
            walked = _best_walk(request, order)
            chosen = search.smallest(len(walked), self.exact_budget)
            if chosen is None:
                chosen = walked
        taken = set(chosen)
        return [*chosen, *(loc for loc in order if loc not in taken)]


def _best_walk(request: SourcingRequest, order: list[LocationId]) -> list[LocationId]:
    """The locations the greedy cover or the priority walk uses, whichever is better."""
    rank_of = {loc: i for i, loc in enumerate(order)}
    best: tuple[int, int, list[int]] | None = None
    chosen: list[LocationId] = order
    for candidate in (_greedy_cover(request, order), order):
        covered, used = request.fill(candidate)
        key = (-covered, len(used), sorted(rank_of[loc] for loc in used))
        if best is None or key < best:
            best = key
            chosen = sorted(used, key=rank_of.__getitem__)
    return chosen


@attrs.frozen
class _CoverSearch:
    """The exact search for the smallest set of locations covering every coverable unit.

    ``candidates`` are the locations (in priority order) holding units some
    SKU still wants; ``entries`` counts (SKU, location) holdings.
    """

    request: SourcingRequest
    wanted: dict[Sku, int]
    candidates: list[LocationId]
    entries: int

    @classmethod
    def of(cls, request: SourcingRequest, order: list[LocationId]) -> _CoverSearch:
        """Count what the search would walk, without indexing anything yet."""
        wanted = {sku: min(q, request.caps.get(sku, 0)) for sku, q in request.demand.items()}
        located: set[LocationId] = set()
        entries = 0
        for sku, need in wanted.items():
            if need > 0:
                for location, qty in request.stock.get(sku, {}).items():
                    if qty > 0:
                        located.add(location)
                        entries += 1
        return cls(request, wanted, [loc for loc in order if loc in located], entries)

    def smallest(self, at_most: int, budget: int) -> list[LocationId] | None:
        """The first (in priority order) smallest cover of at most ``at_most`` locations.

        Returns None when the search would cost more than ``budget`` steps, or
        when no set of at most ``at_most`` locations covers every coverable unit.
        """
        candidates, wanted = self.candidates, self.wanted
        combos = sum(math.comb(len(candidates), k) for k in range(1, at_most + 1))
        if combos * (self.entries or 1) > budget or not candidates:
            return None
        holding: dict[LocationId, list[tuple[Sku, int]]] = {}
        for sku, need in wanted.items():
            if need > 0:
                for location, qty in self.request.stock.get(sku, {}).items():
                    if qty > 0:
                        holding.setdefault(location, []).append((sku, qty))

        def covered(locations: Sequence[LocationId]) -> int:
            supply: dict[Sku, int] = {}
            for location in locations:
                for sku, qty in holding[location]:
                    supply[sku] = supply.get(sku, 0) + qty
            return sum(min(need, supply.get(sku, 0)) for sku, need in wanted.items())

        target = covered(candidates)
        for size in range(1, at_most + 1):
            for combo in itertools.combinations(candidates, size):
                if covered(combo) == target:
                    return list(combo)
        return None


def _greedy_cover(request: SourcingRequest, order: list[LocationId]) -> list[LocationId]:
    """Repeatedly pick the location covering most remaining units (ties: earlier in ``order``).

    Gains are kept up to date incrementally (picking a location only lowers
    the gains of locations sharing its SKUs) and found through a heap with
    stale entries skipped, so a large order costs about its stock entries,
    not locations × lines per pick. Locations and SKUs are numbered so the
    bookkeeping is list indexing.
    """
    rank = {loc: i for i, loc in enumerate(order)}
    gains = [0] * len(order)
    needs: list[int] = []  # units still wanted, per SKU number
    holders: list[list[tuple[int, int]]] = []  # per SKU number: (location number, units)
    by_location: list[list[tuple[int, int]]] = [[] for _ in order]  # (SKU number, units)
    for sku, wanted in request.demand.items():
        need = min(wanted, request.caps.get(sku, 0))
        if need == 0:
            continue  # adds nothing to any gain and never changes
        number = len(needs)
        mine: list[tuple[int, int]] = []
        for location, qty in request.stock.get(sku, {}).items():
            where = rank.get(location)
            if qty > 0 and where is not None:
                mine.append((where, qty))
                by_location[where].append((number, qty))
                gains[where] += min(qty, need)
        needs.append(need)
        holders.append(mine)
    heap = [(-gain, where) for where, gain in enumerate(gains) if gain > 0]
    heapq.heapify(heap)
    picked: list[LocationId] = []
    done = [False] * len(order)
    while heap:
        stored, where = heapq.heappop(heap)
        gain = gains[where]
        if done[where] or -stored != gain or gain <= 0:
            continue
        picked.append(order[where])
        done[where] = True
        touched: set[int] = set()
        for number, qty in by_location[where]:
            before = needs[number]
            after = before - min(qty, before)
            if after == before:
                continue
            needs[number] = after
            for other, held in holders[number]:
                if other != where:
                    gains[other] -= min(held, before) - min(held, after)
                    touched.add(other)
        for other in touched:
            if not done[other] and gains[other] > 0:
                heapq.heappush(heap, (-gains[other], other))
    return picked


@attrs.frozen
class NearestFirst(Generic[D]):
    """Use the locations nearest to the destination first, as the host ranks them.

    ``ranking`` is a :class:`~orderkit.inventory.LocationRanking`: it gets the
    ``destination`` given to :meth:`Allocator.allocate` (typed as the host
    types it) and the active locations; locations it leaves out follow by
    priority.

    .. versionadded:: 0.1
    """

    ranking: LocationRanking[D]
    batches: bool = False

    @property
    def name(self) -> str:
        """``"nearest_first"``."""
        return "nearest_first"

    @property
    def uses_batches(self) -> bool:
        """Whether batches follow on-hand stock (``batches``)."""
        return self.batches

    def rank(self, request: SourcingRequest) -> Sequence[LocationId]:
        """The host's ranking for the destination, then the rest by priority."""
        order = _by_priority(request)
        known = set(order)
        ranked: list[LocationId] = []
        destination = cast(D, request.destination)  # the host's own destination type
        answer: object = self.ranking(destination, request.locations)
        if isinstance(answer, str | bytes) or not isinstance(answer, Iterable):
            raise ValidationError(
                f"the location ranking must return a sequence of location ids, got {answer!r}",
                path="strategy.ranking",
            )
        for location in answer:
            if isinstance(location, str) and location in known and location not in ranked:
                ranked.append(LocationId(location))
        seen = set(ranked)
        return [*ranked, *(loc for loc in order if loc not in seen)]


@attrs.frozen
class EarliestEta:
    """On-hand stock first (by priority), then incoming batches by earliest ETA.

    The classic rule: ship from the shelf when possible, otherwise promise
    the batch that arrives soonest.

    .. versionadded:: 0.1
    """

    @property
    def name(self) -> str:
        """``"earliest_eta"``."""
        return "earliest_eta"

    @property
    def uses_batches(self) -> bool:
        """Always: batches are what this strategy is about."""
        return True

    def rank(self, request: SourcingRequest) -> Sequence[LocationId]:
        """Active locations by priority."""
        return _by_priority(request)
