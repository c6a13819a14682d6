"""Why each item sits where it is: waiting for an item, a group at capacity, a deadline.

Explanations are read off the final schedule: an item starts later than its dependencies allow
only because, in every earlier period, some group it loads (or the delivery team) has too little
room left for it, and the sentence names those groups and periods.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from salesops_nb.installments._problem import EPS, Problem, compile_problem, usage_profile
from salesops_nb.installments.model import Capacity, ImprovementItem, Schedule
from salesops_nb.installments.scores import explain_score, score

__all__ = ["capacity_blocks", "explain", "money"]


def money(amount: float, unit: str) -> str:
    """Write ``amount`` in ``unit``: "$6,000" for a currency symbol, "6,000 points" otherwise."""
    if unit and len(unit) <= 3 and not unit.isalpha():
        return f"{unit}{amount:,.0f}"
    return f"{amount:,.0f} {unit}".strip()


def explain(
    items: Sequence[ImprovementItem],
    capacity: Capacity,
    schedule: Schedule,
    *,
    score_method: str = "wsjf",
    fixed: Mapping[str, int] | None = None,
) -> pd.DataFrame:
    """One row per item, in start order, with a sentence saying why it starts when it does.

    Parameters
    ----------
    items, capacity
        The backlog and capacity the schedule was made for.
    schedule
        The schedule to explain.
    score_method
        The score shown for each item ("wsjf", "cd3" or "rice").
    fixed
        Items kept where they were because they are under way.

    Returns
    -------
    pandas.DataFrame
        Columns ``id, title, start, end, start_period, end_period, why, score``; ``start`` and
        ``end`` are period labels, ``end`` the last period the item is in progress.
    """
    problem = compile_problem(items, capacity, fixed)
    starts = np.array([schedule.starts[i] for i in problem.ids], dtype=np.int64)
    ends = starts + problem.duration
    scores = np.array([score(item, score_method) for item in problem.items])
    rank = np.empty(problem.n, dtype=np.int64)
    rank[np.argsort(-scores, kind="stable")] = np.arange(1, problem.n + 1)
    fixed = fixed or {}
    rows = []
    for i in np.lexsort((rank, starts)):
        reason = _why(problem, capacity, starts, ends, int(i), int(rank[i]), score_method,
                      problem.ids[i] in fixed)
        rows.append({
            "id": problem.ids[i],
            "title": problem.items[i].title,
            "start": capacity.period_label(int(starts[i])),
            "end": capacity.period_label(int(ends[i]) - 1),
            "start_period": int(starts[i]),
            "end_period": int(ends[i]) - 1,
            "why": reason,
            "score": explain_score(problem.items[i], score_method),
        })
    return pd.DataFrame(rows, columns=["id", "title", "start", "end", "start_period",
                                       "end_period", "why", "score"])


def capacity_blocks(problem: Problem, starts: np.ndarray, i: int, capacity: Capacity,
                    ready: int | None = None) -> list[str]:
    """Groups that leave too little room for item ``i`` between ``ready`` and its start.

    Each entry reads "'field sales' has no room in 2026-03, 2026-04 (4 of 4 units in use; this item
    needs 2)". ``ready`` defaults to when its dependencies and earliest start allow it.
    """
    if ready is None:
        ready = _ready(problem, starts + problem.duration, i)
    start = int(starts[i])
    if start <= ready:
        return []
    others = starts.copy()
    usage = usage_profile(problem, others, start + int(problem.duration[i]) + 1)
    d = int(problem.duration[i])
    own = problem.load[i]
    usage[:, start: start + d] -= own[:, None]  # the item's own load does not block it
    # Periods in which the item could not be in progress: some group lacks room for it.
    window = usage[:, ready: start + d - 1]
    full = window + own[:, None] > problem.cap[:, None] + EPS
    lines = []
    for g in np.flatnonzero(full.any(axis=1)):
        periods = ready + np.flatnonzero(full[g])
        shown = ", ".join(capacity.period_label(int(t)) for t in periods[:4])
        more = f" and {len(periods) - 4} more" if len(periods) > 4 else ""
        peak = float(usage[g, periods].max())
        lines.append(f"{problem.groups[g]!r} has no room in {shown}{more} ({peak:g} of "
                     f"{problem.cap[g]:g} units in use; this item needs {own[g]:g})")
    return lines


def _ready(problem: Problem, ends: np.ndarray, i: int) -> int:
    return int(max([int(problem.est[i]), *(int(ends[q]) for q in problem.preds[i])]))


def _why(problem: Problem, capacity: Capacity, starts: np.ndarray, ends: np.ndarray, i: int,
         rank: int, method: str, is_fixed: bool) -> str:
    item = problem.items[i]
    label = capacity.period_label
    start = int(starts[i])
    parts = []
    if is_fixed:
        parts.append(f"under way since {label(start)}: kept where it is")
    else:
        ready = _ready(problem, ends, i)
        waiting = [q for q in problem.preds[i] if int(ends[q]) == ready and ready > 0]
        if start == ready == 0:
            parts.append(f"starts in the first period: nothing holds it back "
                         f"({method.upper()} rank {rank} of {problem.n})")
        elif waiting:
            names = ", ".join(problem.label(q) for q in waiting)
            parts.append(f"waits for {names}, delivered at the end of {label(ready - 1)}")
        elif item.earliest_start is not None and ready == item.earliest_start:
            parts.append(f"may not start before its earliest start, {label(ready)}")
        if start > ready:
            blocks = capacity_blocks(problem, starts, i, capacity, ready)
            if blocks:
                parts.append(f"could start in {label(ready)} but " + "; ".join(blocks))
            else:
                parts.append(f"could start in {label(ready)} but is held back so that "
                             "higher-value items go first")
    if item.deadline is not None:
        spare = item.deadline - (int(ends[i]) - 1)
        state = (f"on time with {spare} period{'s' if spare != 1 else ''} to spare" if spare > 0
                 else "on time, with no slack" if spare == 0 else f"{-spare} periods LATE")
        parts.append(f"due by the end of {label(item.deadline)}: {state}")
    if item.value_per_period > 0:
        parts.append(f"brings {money(item.value_per_period, item.value_unit)} per period from "
                     f"{label(int(ends[i]))}")
    sentence = "; ".join(parts)
    return sentence[:1].upper() + sentence[1:] + "."
