"""The backlog compiled to arrays for the sequencers, after every input check.

Checks run in the order a user can fix them: duplicate ids, unknown dependencies, groups without
capacity, dependency cycles, oversized items (boil the ocean), deadlines no schedule can meet.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from salesops_nb.errors import (
    BoilTheOceanError,
    DeadlineError,
    DependencyCycleError,
    DuplicateItemError,
    MissingCapacityError,
    UnknownDependencyError,
)
from salesops_nb.installments.model import Capacity, ImprovementItem

DELIVERY = "delivery team"
#: Tolerance on capacity checks: loads are floats typed by people (0.1 + 0.2 must fit in 0.3).
EPS = 1e-9
NO_DEADLINE = 10**9


@dataclass
class Problem:
    """Arrays of one backlog: item i has ``value[i]``, ``duration[i]``, ``load[i, g]`` ..."""

    items: list[ImprovementItem]
    ids: list[str]
    index: dict[str, int]
    value: np.ndarray
    duration: np.ndarray
    est: np.ndarray
    due_end: np.ndarray  # exclusive end bound from the deadline
    preds: list[list[int]]
    succs: list[list[int]]
    topo: list[int]
    groups: list[str]  # the delivery team, when limited, is the last "group"
    cap: np.ndarray
    load: np.ndarray
    horizon: int
    bound: int  # a period count within which a feasible schedule always fits

    @property
    def n(self) -> int:
        return len(self.ids)

    def label(self, i: int) -> str:
        item = self.items[i]
        return f"'{item.title}' ({item.id})"


def compile_problem(items: Sequence[ImprovementItem], capacity: Capacity,
                    fixed: Mapping[str, int] | None = None) -> Problem:
    """Check ``items`` against ``capacity`` and compile them; raise the explained errors."""
    items = list(items)
    ids = [item.id for item in items]
    _check_duplicates(ids)
    index = {item_id: i for i, item_id in enumerate(ids)}
    _check_dependencies(items, index)
    groups = _check_groups(items, capacity)
    preds = [[index[d] for d in item.depends_on] for item in items]
    succs: list[list[int]] = [[] for _ in items]
    for i, ps in enumerate(preds):
        for p in ps:
            succs[p].append(i)
    topo = _topological_order(items, preds, succs)
    cap = [capacity.groups[g] for g in groups]
    load = np.zeros((len(items), len(groups) + (capacity.delivery is not None)))
    for i, item in enumerate(items):
        for g, name in enumerate(groups):
            load[i, g] = item.change_load.get(name, 0.0)
    if capacity.delivery is not None:
        groups = [*groups, DELIVERY]
        cap.append(capacity.delivery)
        load[:, -1] = [item.effort_per_period for item in items]
    cap_arr = np.asarray(cap, dtype=float)
    _check_oversized(items, groups, cap_arr, load, fixed or {})
    duration = np.array([item.duration for item in items], dtype=np.int64)
    est = np.array([item.earliest_start or 0 for item in items], dtype=np.int64)
    due_end = np.array(
        [NO_DEADLINE if item.deadline is None else item.deadline + 1 for item in items],
        dtype=np.int64,
    )
    problem = Problem(
        items=items, ids=ids, index=index,
        value=np.array([item.value_per_period for item in items], dtype=float),
        duration=duration, est=est, due_end=due_end, preds=preds, succs=succs, topo=topo,
        groups=groups, cap=cap_arr, load=load, horizon=capacity.horizon,
        bound=_bound(est, duration, fixed or {}, index),
    )
    check_deadlines(problem, capacity)
    return problem


def earliest_starts(problem: Problem) -> np.ndarray:
    """Earliest start of each item from dependencies and earliest starts alone (no capacity)."""
    es = problem.est.copy()
    for i in problem.topo:
        for p in problem.preds[i]:
            es[i] = max(es[i], es[p] + problem.duration[p])
    return es


def blocking_chain(problem: Problem, es: np.ndarray, i: int) -> list[int]:
    """The chain of predecessors that fixes item i's earliest start, first item first."""
    chain = [i]
    while True:
        binding = [p for p in problem.preds[chain[-1]]
                   if es[p] + problem.duration[p] == es[chain[-1]]]
        if not binding:
            break
        chain.append(max(binding, key=lambda p: (problem.duration[p], -p)))
    return chain[::-1]


def _bound(est: np.ndarray, duration: np.ndarray, fixed: Mapping[str, int],
           index: dict[str, int]) -> int:
    # Items placed one after another after every fixed one always fit: a safe calendar length.
    fixed_end = max((start + int(duration[index[i]]) for i, start in fixed.items() if i in index),
                    default=0)
    return int(max(est.max(initial=0), fixed_end) + duration.sum() + 1)


def check_deadlines(problem: Problem, capacity: Capacity) -> None:
    """Raise DeadlineError for a deadline that dependencies and earliest starts alone break."""
    es = earliest_starts(problem)
    late = np.flatnonzero(es + problem.duration > problem.due_end)
    if late.size == 0:
        return
    i = int(late[0])
    chain = blocking_chain(problem, es, i)
    steps = " -> ".join(
        f"{problem.label(c)} ({int(problem.duration[c])} period"
        f"{'s' if problem.duration[c] > 1 else ''})" for c in chain
    )
    first = chain[0]
    begin = (f"{problem.label(first)} cannot start before "
             f"{capacity.period_label(int(problem.est[first]))}")
    item = problem.items[i]
    raise DeadlineError(
        f"{problem.label(i)} is due by the end of {capacity.period_label(item.deadline)} but "
        f"cannot be delivered before the end of "
        f"{capacity.period_label(int(es[i] + problem.duration[i]) - 1)}, even with unlimited "
        f"capacity. Blocking chain: {steps}; {begin}.",
        hint="Move the deadline, shorten or split an item of the chain, or drop a dependency "
        "that is not strictly needed.",
        items=[problem.ids[c] for c in chain],
    )


def _check_duplicates(ids: list[str]) -> None:
    seen: set[str] = set()
    dupes = sorted({i for i in ids if i in seen or seen.add(i)})
    if dupes:
        raise DuplicateItemError(
            f"Backlog ids must be unique; used more than once: {', '.join(map(repr, dupes))}.",
            hint="Give each item its own id (e.g. add '-2'); dependencies refer to items by id.",
            items=dupes,
        )


def _check_dependencies(items: list[ImprovementItem], index: dict[str, int]) -> None:
    unknown = [(item, dep) for item in items for dep in item.depends_on if dep not in index]
    selfish = [item for item in items if item.id in item.depends_on]
    if unknown:
        listed = "; ".join(f"'{item.title}' ({item.id}) depends on {dep!r}"
                           for item, dep in unknown)
        raise UnknownDependencyError(
            f"Unknown dependency id{'s' if len(unknown) > 1 else ''}: {listed}, but no item has "
            "that id.",
            hint=f"Dependencies must be ids of backlog items ({', '.join(sorted(index)) or '-'})."
            " Fix the id or remove the dependency.",
            items=sorted({dep for _, dep in unknown}),
        )
    if selfish:
        item = selfish[0]
        raise DependencyCycleError(
            f"'{item.title}' ({item.id}) depends on itself.",
            hint="Remove its own id from its dependencies.", items=[item.id],
        )


def _check_groups(items: list[ImprovementItem], capacity: Capacity) -> list[str]:
    needed: dict[str, list[str]] = {}
    for item in items:
        for group in item.change_load:
            needed.setdefault(group, []).append(item.id)
    missing = {g: users for g, users in needed.items() if g not in capacity.groups}
    if missing:
        listed = "; ".join(f"{g!r} (loaded by {', '.join(users)})"
                           for g, users in sorted(missing.items()))
        raise MissingCapacityError(
            f"No change capacity is set for {listed}.",
            hint="Set how many change units per period each of these groups can absorb, e.g. "
            f"capacity.groups[{sorted(missing)[0]!r}] = 4, or correct the group's spelling "
            f"(known groups: {', '.join(sorted(capacity.groups)) or 'none'}).",
            items=sorted({u for users in missing.values() for u in users}),
        )
    return sorted(capacity.groups)


def _topological_order(items: list[ImprovementItem], preds: list[list[int]],
                       succs: list[list[int]]) -> list[int]:
    waiting = [len(ps) for ps in preds]
    ready = [i for i, w in enumerate(waiting) if w == 0]
    order = []
    while ready:
        i = ready.pop()
        order.append(i)
        for s in succs[i]:
            waiting[s] -= 1
            if waiting[s] == 0:
                ready.append(s)
    if len(order) == len(items):
        return order
    cycle = _find_cycle(preds, {i for i, w in enumerate(waiting) if w > 0})
    names = " -> ".join(f"'{items[i].title}' ({items[i].id})" for i in [*cycle, cycle[0]])
    raise DependencyCycleError(
        f"Dependency cycle: {names}. Each of these items waits for the next, so none can start.",
        hint="Remove one of these dependencies (the item that truly comes first should not "
        "depend on the others).",
        items=[items[i].id for i in cycle],
    )


def _find_cycle(preds: list[list[int]], stuck: set[int]) -> list[int]:
    # Every stuck item has a stuck predecessor: walking back must revisit an item.
    node = min(stuck)
    path: list[int] = []
    seen: dict[int, int] = {}
    while node not in seen:
        seen[node] = len(path)
        path.append(node)
        node = next(p for p in preds[node] if p in stuck)
    # `path` walks from an item to what it waits for: each waits for the next.
    return path[seen[node]:]


def _check_oversized(items, groups, cap, load, fixed) -> None:
    from salesops_nb.installments.split import Oversize, parts_needed

    over = np.argwhere(load > cap[None, :] + EPS)
    found = [
        Oversize(item_id=items[i].id, title=items[i].title, group=groups[g],
                 load=float(load[i, g]), capacity=float(cap[g]),
                 parts=parts_needed(float(load[i, g]), float(cap[g])))
        for i, g in over if items[i].id not in fixed
    ]
    if not found:
        return
    listed = "; ".join(o.describe() for o in found)
    first = found[0]
    raise BoilTheOceanError(
        f"Boil-the-ocean item{'s' if len(found) > 1 else ''}: {listed}. Such an item can never "
        "be scheduled whole.",
        hint=f"Cut it into installments, e.g. split(item, {first.parts}) for {first.item_id!r} "
        "makes a pilot and rollouts whose loads fit; or raise the group's capacity.",
        items=list(dict.fromkeys(o.item_id for o in found)), oversized=found,
    )


def usage_profile(problem: Problem, starts: np.ndarray, length: int | None = None) -> np.ndarray:
    """Load of every group (rows) in every period (columns) for the given start periods."""
    ends = starts + problem.duration
    length = int(max(length or 0, ends.max(initial=0)))
    diff = np.zeros((problem.load.shape[1], length + 1))
    for g in range(problem.load.shape[1]):
        np.add.at(diff[g], starts, problem.load[:, g])
        np.add.at(diff[g], ends, -problem.load[:, g])
    return np.cumsum(diff, axis=1)[:, :length]


def value_area(problem: Problem, starts: np.ndarray) -> float:
    """Value delivered within the horizon: sum of value x periods left after delivery."""
    left = np.clip(problem.horizon - (starts + problem.duration), 0, None)
    return float(problem.value @ left)
