"""Boil-the-ocean detection and the split of an oversized item into installments.

An item whose change load for a group exceeds what that group can absorb in one period can never
be scheduled whole, however long the plan. :func:`oversized` names such items; :func:`split`
turns one into a pilot and rollouts whose loads fit, and :func:`split_in_backlog` puts them in
the backlog in its place, with dependencies rewired.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

from salesops_nb.errors import ParameterError
from salesops_nb.installments.model import Capacity, ImprovementItem

__all__ = ["Oversize", "oversized", "parts_needed", "split", "split_in_backlog"]

# Share of the value and load the pilot takes when an item is cut: a pilot is small on purpose
# (one team or region), the rollouts carry the rest evenly.
_PILOT_SHARE_MAX = 0.5


@dataclass(frozen=True)
class Oversize:
    """One item asking more of one group per period than the group can absorb."""

    item_id: str
    title: str
    group: str
    load: float
    capacity: float
    parts: int

    def describe(self) -> str:
        """One sentence: which item, which group, load against capacity, parts needed."""
        return (f"'{self.title}' ({self.item_id}) asks {self.group!r} for {self.load:g} change "
                f"units per period, but {self.group!r} can absorb {self.capacity:g}: cut it in "
                f"at least {self.parts} installments")


def parts_needed(load: float, capacity: float) -> int:
    """Fewest equal parts whose load fits ``capacity``: ceil(load / capacity), at least 2."""
    return max(2, math.ceil(load / capacity - 1e-9))


def oversized(items: Sequence[ImprovementItem], capacity: Capacity) -> list[Oversize]:
    """Every (item, group) whose per-period load exceeds the group's capacity.

    The delivery team counts as a group (``"delivery team"``) when ``capacity.delivery`` is set:
    an item whose effort per period exceeds it cannot be delivered either.
    """
    found = []
    for item in items:
        loads = dict(item.change_load)
        caps = dict(capacity.groups)
        if capacity.delivery is not None:
            loads["delivery team"] = item.effort_per_period
            caps["delivery team"] = capacity.delivery
        for group, load in sorted(loads.items()):
            if group in caps and load > caps[group] + 1e-9:
                found.append(Oversize(item.id, item.title, group, load, caps[group],
                                      parts_needed(load, caps[group])))
    return found


def split(item: ImprovementItem, parts: int = 2) -> list[ImprovementItem]:
    """Cut ``item`` into a pilot followed by ``parts - 1`` rollouts.

    Each part keeps the item's duration (the change still takes that long to land in a team)
    and takes a share of the value per period, the effort and the change load of every group:
    the pilot ``1 / parts``, each rollout the same, so each load fits once ``parts`` is at least
    :func:`parts_needed`. The parts are chained (rollout 1 waits for the pilot, ...); the pilot
    keeps the item's dependencies and earliest start, the last rollout its deadline. Scores'
    inputs are kept, so each part ranks like the whole. Edit the parts afterwards as you like
    (e.g. a smaller pilot).

    Parameters
    ----------
    item
        The item to cut.
    parts
        Number of installments, at least 2.

    Returns
    -------
    list of ImprovementItem
        Ids ``<id>-pilot``, ``<id>-rollout-1`` ...

    Examples
    --------
    >>> big = ImprovementItem(id="mm", title="New methodology", value_per_period=900,
    ...                       change_load={"field sales": 9}, duration=2, effort=6)
    >>> [(p.id, p.change_load["field sales"], p.value_per_period) for p in split(big, 3)]
    [('mm-pilot', 3.0, 300.0), ('mm-rollout-1', 3.0, 300.0), ('mm-rollout-2', 3.0, 300.0)]
    """
    if not isinstance(parts, int) or isinstance(parts, bool) or parts < 2:
        raise ParameterError(f"split() needs at least 2 parts, got {parts!r}.",
                             hint="A pilot plus at least one rollout: parts=2 or more.")
    if parts > 50:
        raise ParameterError(f"split() into {parts} parts is not a plan anyone can follow.",
                             hint="Use at most 50 parts, or raise the group's capacity.")
    share = 1.0 / parts
    made = []
    for k in range(parts):
        pilot = k == 0
        last = k == parts - 1
        made.append(item.model_copy(update={
            "id": f"{item.id}-pilot" if pilot else f"{item.id}-rollout-{k}",
            "title": (f"{item.title} - pilot" if pilot
                      else f"{item.title} - rollout {k} of {parts - 1}"),
            "value_per_period": item.value_per_period * share,
            "effort": item.effort * share,
            "change_load": {g: v * share for g, v in item.change_load.items()},
            "depends_on": list(item.depends_on) if pilot else [made[-1].id],
            "earliest_start": item.earliest_start if pilot else None,
            "deadline": item.deadline if last else None,
            "tags": [*item.tags, "pilot" if pilot else "rollout"],
        }, deep=True))
    return made


def split_in_backlog(items: Sequence[ImprovementItem], item_id: str,
                     parts: int = 2) -> list[ImprovementItem]:
    """Return the backlog with item ``item_id`` replaced by its :func:`split` parts.

    Items that depended on it now depend on its last rollout (the whole change is then in).
    """
    ids = [item.id for item in items]
    if item_id not in ids:
        raise ParameterError(f"No item {item_id!r} in the backlog to split.",
                             hint=f"Items: {', '.join(ids) or 'none'}.")
    target = items[ids.index(item_id)]
    pieces = split(target, parts)
    taken = set(ids) - {item_id}
    clash = [p.id for p in pieces if p.id in taken]
    if clash:
        raise ParameterError(f"Splitting {item_id!r} would reuse the ids {clash}.",
                             hint="Rename those items first, or the item to split.")
    result: list[ImprovementItem] = []
    for item in items:
        if item.id == item_id:
            result.extend(pieces)
        elif item_id in item.depends_on:
            deps = [pieces[-1].id if d == item_id else d for d in item.depends_on]
            result.append(item.model_copy(update={"depends_on": deps}))
        else:
            result.append(item)
    return result
