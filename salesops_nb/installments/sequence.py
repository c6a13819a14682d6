"""The capacity-aware sequencer: when each installment starts.

A schedule is good when value arrives early: it maximises the value delivered within the horizon,
the area under the cumulative value curve, ``sum(value_per_period x periods left after
delivery)``, while every dependency holds, no group absorbs more change per period than its
capacity, the delivery team's effort per period stays within its capacity and every deadline is
met.

How (a serial schedule-generation scheme with a priority list, then local search):

1. Priority lists from several rules: the plan's score (WSJF by default, or CD3 / RICE), Smith's
   rule on the value (value per period / duration), the same ratio taken over the best chain of
   successors (an item that unlocks valuable ones goes earlier), a capacity-aware ratio that
   discounts items using much of a scarce group, and, when re-planning, the previous order.
2. Each list is decoded: repeatedly take the ready item (dependencies placed) highest on the
   list and put it at the earliest period where it fits every capacity for its whole duration.
   A late item is moved to the front with its predecessors until every deadline holds.
3. The best list is improved by iterated local search: insertion moves (an item a few places
   earlier or later) kept when the value delivered grows, and a few random swaps to leave a
   local optimum, within a budget of decodes that shrinks as the backlog grows (1,000 items
   sequence in about a second).
"""

from __future__ import annotations

import heapq
import time
from collections.abc import Mapping, Sequence

import numpy as np

from salesops_nb.errors import DeadlineError
from salesops_nb.installments._problem import (
    EPS,
    Problem,
    compile_problem,
    usage_profile,
    value_area,
)
from salesops_nb.installments.model import (
    Capacity,
    ImprovementItem,
    InstallmentPlan,
    Schedule,
)
from salesops_nb.installments.scores import score as item_score

__all__ = ["sequence", "sequence_plan"]

_INSERTION_STEPS = (1, 2, 3, 5, 8)
_DECODES = 30_000  # local-search budget: decodes x items, about a second of work
_PATIENCE = 10  # restarts without a better plan before the search stops


def sequence(
    items: Sequence[ImprovementItem],
    capacity: Capacity,
    *,
    score: str = "wsjf",
    fixed: Mapping[str, int] | None = None,
    previous: Mapping[str, int] | None = None,
    search: int | None = None,
) -> Schedule:
    """Schedule every item so that value arrives early within all capacities.

    Parameters
    ----------
    items
        The backlog.
    capacity
        Calendar, horizon, change capacity per group and delivery capacity.
    score
        The priority score the first list is built from: "wsjf", "cd3" or "rice".
    fixed
        Start periods of items that must stay where they are (already under way).
    previous
        Start periods of an earlier schedule: its order is one of the candidate lists, so a
        re-plan keeps items where they were unless moving them delivers more value.
    search
        Number of local-search decodes; None for automatic (fewer as the backlog grows), 0 for
        the priority lists alone.

    Returns
    -------
    Schedule
        Start period of every item, the value delivered within the horizon and the run time.

    Raises
    ------
    PlanInputError
        Duplicate ids, unknown dependencies, groups without capacity, a dependency cycle,
        an oversized item (:class:`BoilTheOceanError`) or a deadline that cannot be met
        (:class:`DeadlineError`, naming the blocking chain or the groups at capacity).
    """
    began = time.perf_counter()
    fixed = dict(fixed or {})
    problem = compile_problem(items, capacity, fixed)
    decoder = _Decoder(problem, {problem.index[k]: v for k, v in fixed.items()
                                 if k in problem.index})
    candidates = _priority_ranks(problem, score, previous)
    best_rank, best_starts, late = None, None, None
    for rank in candidates:
        rank, starts, late_now = _meet_deadlines(decoder, rank)
        if late_now is not None:
            late = late or (late_now, starts)
            continue
        if best_starts is None or decoder.key(starts) > decoder.key(best_starts):
            best_rank, best_starts = rank, starts
    if best_starts is None:
        _raise_late(problem, capacity, *late)
    budget = (max(20, _DECODES // max(problem.n, 1)) if search is None else search)
    best_starts = _improve(decoder, best_rank, best_starts, budget)
    return Schedule(
        starts={problem.ids[i]: int(s) for i, s in enumerate(best_starts)},
        method=f"heuristic ({score})",
        value=value_area(problem, best_starts),
        optimal=None,
        seconds=time.perf_counter() - began,
    )


def sequence_plan(plan: InstallmentPlan, **options) -> InstallmentPlan:
    """Return a copy of ``plan`` with a fresh heuristic schedule (options as for :func:`sequence`).

    The plan's previous schedule, if any, is passed as ``previous`` so items stay put unless
    moving them delivers more value.
    """
    if plan.schedule is not None:
        options.setdefault("previous", plan.schedule.starts)
    options.setdefault("score", plan.score)
    schedule = sequence(plan.items, plan.capacity, **options)
    return plan.model_copy(update={"schedule": schedule})


class _Decoder:
    """Turns a priority rank per item into start periods (serial schedule generation)."""

    def __init__(self, problem: Problem, fixed: dict[int, int]) -> None:
        self.p = problem
        self.fixed = fixed
        self.length = problem.bound
        self.groups_of = [np.flatnonzero(row > 0) for row in problem.load]
        # An item fits in a period when the load already there is at most this much.
        self.room = [(problem.cap[g] - problem.load[i, g] + EPS)[:, None]
                     for i, g in enumerate(self.groups_of)]
        starts = np.zeros(problem.n, dtype=np.int64)
        for i, s in fixed.items():
            starts[i] = s
        mask = np.zeros(problem.n, dtype=bool)
        mask[list(fixed)] = True
        base = np.zeros((problem.load.shape[1], self.length + 1))
        if fixed:
            partial = usage_profile(_masked(problem, mask), starts, self.length)
            base[:, : partial.shape[1]] = partial[:, : self.length + 1]
        self.base = base
        self.fixed_starts = starts
        self.fixed_mask = mask
        # Fixed items count as placed: only predecessors still to place are waited for.
        self.waiting0 = np.array([sum(not mask[q] for q in ps) for ps in problem.preds])

    def decode(self, rank: np.ndarray) -> np.ndarray:
        p = self.p
        usage = self.base.copy()
        starts = self.fixed_starts.copy()
        ends = starts + p.duration
        waiting = self.waiting0.copy()
        ready = [(rank[i], i) for i in range(p.n) if waiting[i] == 0 and not self.fixed_mask[i]]
        heapq.heapify(ready)
        while ready:
            _, i = heapq.heappop(ready)
            t0 = int(p.est[i])
            for q in p.preds[i]:
                t0 = max(t0, int(ends[q]))
            s = self._place(usage, i, t0)
            starts[i] = s
            ends[i] = s + p.duration[i]
            groups = self.groups_of[i]
            if groups.size:
                usage[groups, s: ends[i]] += p.load[i, groups][:, None]
            for j in p.succs[i]:
                if self.fixed_mask[j]:
                    continue
                waiting[j] -= 1
                if waiting[j] == 0:
                    heapq.heappush(ready, (rank[j], j))
        return starts

    def _place(self, usage: np.ndarray, i: int, t0: int) -> int:
        groups = self.groups_of[i]
        if groups.size == 0:
            return t0
        d = int(self.p.duration[i])
        span = 8 * d + 32  # most items fit close to where they become ready: look there first
        for stop in (min(t0 + span, usage.shape[1]), usage.shape[1]):
            ok = (usage[groups, t0:stop] <= self.room[i]).all(axis=0)
            if d == 1:
                hit = int(ok.argmax())
                if ok.size and ok[hit]:
                    return t0 + hit
                continue
            bad = np.concatenate(([0], np.cumsum(~ok)))
            fits = bad[d:] == bad[:-d]
            if fits.any():
                return t0 + int(fits.argmax())
        raise AssertionError("the calendar bound always leaves room")  # pragma: no cover

    def key(self, starts: np.ndarray) -> tuple[float, float]:
        ends = starts + self.p.duration
        # Value within the horizon first; then earlier delivery beyond it (a tidier plan).
        return value_area(self.p, starts), -float((self.p.value + 1e-6) @ ends)

    def late(self, starts: np.ndarray) -> np.ndarray:
        return np.flatnonzero((starts + self.p.duration > self.p.due_end) & ~self.fixed_mask)


def _masked(problem: Problem, mask: np.ndarray) -> Problem:
    from dataclasses import replace

    return replace(problem, load=problem.load * mask[:, None])


def _priority_ranks(problem: Problem, score: str,
                    previous: Mapping[str, int] | None) -> list[np.ndarray]:
    value = problem.value
    dur = problem.duration.astype(float)
    rules = [
        np.array([item_score(item, score) for item in problem.items]),
        value / dur,
        _chain_ratio(problem),
    ]
    share = (problem.load / problem.cap[None, :]).max(axis=1, initial=0.0)
    rules.append(value / (dur * (0.25 + share)))
    ranks = [_rank_desc(r) for r in rules]
    if previous:
        # The earlier order first; new items by the score, after the ones already planned.
        before = np.array([previous.get(i, 10**9) for i in problem.ids], dtype=float)
        order = np.lexsort((ranks[0], before))
        rank = np.empty(problem.n, dtype=np.int64)
        rank[order] = np.arange(problem.n)
        ranks.insert(0, rank)
    return ranks


def _rank_desc(values: np.ndarray) -> np.ndarray:
    order = np.argsort(-np.asarray(values, dtype=float), kind="stable")
    rank = np.empty(len(order), dtype=np.int64)
    rank[order] = np.arange(len(order))
    return rank


def _chain_ratio(problem: Problem) -> np.ndarray:
    """Value / duration over the best chain an item starts (an enabler inherits its successors)."""
    best_v = problem.value.copy()
    best_d = problem.duration.astype(float)
    for i in reversed(problem.topo):
        for s in problem.succs[i]:
            v = problem.value[i] + best_v[s]
            d = problem.duration[i] + best_d[s]
            if v / d > best_v[i] / best_d[i]:
                best_v[i], best_d[i] = v, d
    return best_v / best_d


def _meet_deadlines(decoder: _Decoder, rank: np.ndarray):
    """Decode; while an item is late, move it and its predecessors to the front of the list."""
    p = decoder.p
    starts = decoder.decode(rank)
    for _ in range(p.n + 1):
        late = decoder.late(starts)
        if late.size == 0:
            return rank, starts, None
        i = int(min(late, key=lambda j: (p.due_end[j], rank[j])))
        ancestors = _ancestors(p, i)
        if all(rank[a] < len(ancestors) for a in ancestors):
            return rank, starts, i  # already at the front and still late
        front = sorted(ancestors, key=lambda a: rank[a])
        rest = [j for j in np.argsort(rank, kind="stable") if j not in ancestors]
        rank = np.empty(p.n, dtype=np.int64)
        rank[[*front, *rest]] = np.arange(p.n)
        starts = decoder.decode(rank)
    late = decoder.late(starts)
    return rank, starts, (int(late[0]) if late.size else None)


def _ancestors(p: Problem, i: int) -> set[int]:
    found = {i}
    stack = [i]
    while stack:
        for q in p.preds[stack.pop()]:
            if q not in found:
                found.add(q)
                stack.append(q)
    return found


def _improve(decoder: _Decoder, rank: np.ndarray, starts: np.ndarray, budget: int) -> np.ndarray:
    """Iterated local search on the realised order, within ``budget`` decodes.

    Insertion moves (an item a few places earlier or later in the list) are kept when the value
    grows; at a local optimum a few random swaps of the best list restart the descent. The
    random generator is seeded: the same backlog always gives the same plan.
    """
    n = decoder.p.n
    if n < 2 or budget <= 0:
        return starts
    rng = np.random.default_rng(0)
    best_rank, best_starts, best_key = rank, starts, decoder.key(starts)
    here_rank, here_starts, here_key = best_rank, best_starts, best_key
    evals = 0
    stale = 0  # restarts since the best last improved: small backlogs run out of new lists
    k = 0  # resume the scan where the last move was kept, not from the top
    while evals < budget:
        order = list(np.lexsort((here_rank, here_starts)))
        improved = False
        for _ in range(n):
            k = (k + 1) % n
            for step in _INSERTION_STEPS:
                for target in (k - step, k + step):
                    if not 0 <= target < n or evals >= budget:
                        continue
                    moved = [*order[:k], *order[k + 1:]]
                    moved.insert(target, order[k])
                    trial = np.empty(n, dtype=np.int64)
                    trial[moved] = np.arange(n)
                    trial_starts = decoder.decode(trial)
                    evals += 1
                    if decoder.late(trial_starts).size:
                        continue
                    trial_key = decoder.key(trial_starts)
                    if trial_key > here_key:
                        here_rank, here_starts, here_key = trial, trial_starts, trial_key
                        improved = True
                        break
                if improved:
                    break
            if improved or evals >= budget:
                break
        if improved:
            if here_key > best_key:
                best_rank, best_starts, best_key = here_rank, here_starts, here_key
                stale = 0
            continue
        stale += 1
        if stale > _PATIENCE:
            break
        # A local optimum: restart from the best list with a few random swaps.
        here_rank = best_rank.copy()
        order = list(np.lexsort((best_rank, best_starts)))
        for _ in range(max(2, n // 10)):
            a, b = rng.integers(0, n, size=2)
            order[a], order[b] = order[b], order[a]
        here_rank[order] = np.arange(n)
        here_starts = decoder.decode(here_rank)
        evals += 1
        here_key = (decoder.key(here_starts) if not decoder.late(here_starts).size
                    else (-np.inf, -np.inf))
    return best_starts


def _raise_late(problem: Problem, capacity: Capacity, i: int, starts: np.ndarray) -> None:
    from salesops_nb.installments.explain import capacity_blocks

    item = problem.items[i]
    end = int(starts[i] + problem.duration[i]) - 1
    blocks = capacity_blocks(problem, starts, i, capacity)
    busy = "; ".join(blocks) if blocks else "the delivery order of other deadlines"
    raise DeadlineError(
        f"{problem.label(i)} is due by the end of {capacity.period_label(item.deadline)} but "
        f"the best plan found delivers it at the end of {capacity.period_label(end)}: its "
        f"dependencies allow it in time, capacity does not. Blocking: {busy}.",
        hint="Raise the capacity of the busy groups in those periods, move the deadline, split "
        "the item, or try the optimal solver (solve_optimal) which searches harder.",
        items=[item.id],
    )
