"""Re-planning: sequence again after the backlog or the capacity changed, and show what moved.

Items already under way (started before the ``as_of`` period) stay where they are; the others
are re-sequenced with the previous order as a candidate, so an item moves only when the new
backlog or capacity makes another order deliver more value. The diff says, for every item, what
changed and why (the new explanation of its position).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd

from salesops_nb.errors import ParameterError
from salesops_nb.installments.explain import explain
from salesops_nb.installments.model import Capacity, ImprovementItem, InstallmentPlan
from salesops_nb.installments.sequence import sequence

__all__ = ["Replan", "replan"]


@dataclass(frozen=True)
class Replan:
    """A re-planned plan and the difference from the previous schedule."""

    plan: InstallmentPlan
    diff: pd.DataFrame
    capacity_changes: list[str]

    @property
    def moved(self) -> pd.DataFrame:
        """The rows of :attr:`diff` for items that are new, removed or moved."""
        return self.diff[self.diff["change"] != "kept"]


def replan(plan: InstallmentPlan, *, items: Sequence[ImprovementItem] | None = None,
           capacity: Capacity | None = None, as_of: int = 0) -> Replan:
    """Re-sequence ``plan`` with a new backlog and/or capacity and show what moved and why.

    Parameters
    ----------
    plan
        The plan as it was, with its schedule.
    items
        The new backlog (default: the plan's).
    capacity
        The new capacity (default: the plan's).
    as_of
        The current period: items of the old schedule that started before it are under way and
        keep their start (when their predecessors are under way too).

    Returns
    -------
    Replan
        ``plan`` (the new plan with its schedule), ``diff`` (``id, title, change, old_start,
        new_start, shift, why``; ``change`` is "new", "removed", "under way", "earlier",
        "later" or "kept") and ``capacity_changes`` (sentences).
    """
    if plan.schedule is None:
        raise ParameterError(
            "This plan has no schedule yet, so there is nothing to re-plan.",
            hint="Sequence it first: sequence_plan(plan).",
        )
    new_items = list(plan.items if items is None else items)
    new_capacity = plan.capacity if capacity is None else capacity
    old = plan.schedule.starts
    fixed = _under_way(new_items, old, as_of)
    schedule = sequence(new_items, new_capacity, score=plan.score, fixed=fixed, previous=old)
    new_plan = plan.model_copy(update={"items": new_items, "capacity": new_capacity,
                                       "schedule": schedule})
    why = explain(new_items, new_capacity, schedule, score_method=plan.score, fixed=fixed)
    why = why.set_index("id")["why"]
    titles = {item.id: item.title for item in plan.items} | {i.id: i.title for i in new_items}
    rows = []
    for item_id in list(dict.fromkeys([*(i.id for i in new_items), *old])):
        before = old.get(item_id)
        after = schedule.starts.get(item_id)
        if after is None:
            change, reason = "removed", "No longer in the backlog."
        elif before is None:
            change, reason = "new", why[item_id]
        elif item_id in fixed:
            change, reason = "under way", why[item_id]
        else:
            change = "kept" if after == before else "earlier" if after < before else "later"
            reason = why[item_id]
        rows.append({
            "id": item_id, "title": titles[item_id], "change": change,
            "old_start": None if before is None else new_capacity.period_label(before),
            "new_start": None if after is None else new_capacity.period_label(after),
            "shift": (after - before) if before is not None and after is not None else None,
            "why": reason,
        })
    diff = pd.DataFrame(rows, columns=["id", "title", "change", "old_start", "new_start",
                                       "shift", "why"])
    diff["shift"] = diff["shift"].astype("Int64")
    return Replan(new_plan, diff, _capacity_changes(plan.capacity, new_capacity))


def _under_way(items: list[ImprovementItem], old: dict[str, int], as_of: int) -> dict[str, int]:
    ids = {item.id for item in items}
    started = {i: s for i, s in old.items() if s < as_of and i in ids}
    by_id = {item.id: item for item in items}
    # An item can only stay put if what it waits for is under way as well.
    changed = True
    while changed:
        changed = False
        for item_id in list(started):
            if any(d not in started for d in by_id[item_id].depends_on):
                del started[item_id]
                changed = True
    return started


def _capacity_changes(old: Capacity, new: Capacity) -> list[str]:
    lines = []
    for group in sorted(set(old.groups) | set(new.groups)):
        before, after = old.groups.get(group), new.groups.get(group)
        if before != after:
            lines.append(f"Capacity of {group!r}: {_fmt(before)} -> {_fmt(after)} per period.")
    if old.delivery != new.delivery:
        lines.append(f"Delivery capacity: {_fmt(old.delivery)} -> {_fmt(new.delivery)} per "
                     "period.")
    if old.horizon != new.horizon:
        lines.append(f"Horizon: {old.horizon} -> {new.horizon} periods.")
    return lines


def _fmt(value: float | None) -> str:
    return "unlimited" if value is None else f"{value:g}"
