"""From diagnosis to plan: countermeasures become installment-plan items, linked back.

Each countermeasure of a root cause turns into an
:class:`~salesops_nb.installments.model.ImprovementItem` carrying a
:class:`~salesops_nb.installments.model.RootCauseRef` (the analysis's workspace name and the
root-cause node), so the plan shows why an item exists and the link can be followed back to the
tree and its evidence. Sizing (value, effort, change load) is left at neutral defaults for the
planner to fill in: the 5-Why knows *what* to change, the plan decides *when*.
"""

from __future__ import annotations

import re

from salesops_nb.artefact import check_name
from salesops_nb.errors import WorkspaceError
from salesops_nb.five_whys.model import Countermeasure, WhyAnalysis, WhyNode
from salesops_nb.installments.model import (
    Capacity,
    ImprovementItem,
    InstallmentPlan,
    RootCauseRef,
)
from salesops_nb.workspace import Workspace

__all__ = ["add_to_plan", "follow_link", "item_id", "to_improvement_items"]

_TAG = "5-why"


def item_id(analysis_name: str, measure: Countermeasure) -> str:
    """The item id of a countermeasure: ``<analysis>-<countermeasure id>``, e.g. ``main-c1``."""
    slug = re.sub(r"[^a-z0-9]+", "-", analysis_name.lower()).strip("-") or "why"
    return f"{slug}-{measure.id}"


def to_improvement_items(
    analysis: WhyAnalysis,
    analysis_name: str,
    *,
    capacity: Capacity | None = None,
    include_dropped: bool = False,
) -> list[ImprovementItem]:
    """Turn the countermeasures of every root cause into installment items.

    Parameters
    ----------
    analysis
        The 5-Why analysis.
    analysis_name
        Its name in the workspace (``locate(path, WhyAnalysis)[1]``), stored in the link.
    capacity
        The plan's calendar, if known: a countermeasure's due date becomes the item's deadline
        period (a date before the calendar starts is left as no deadline).
    include_dropped
        Also convert countermeasures whose status is ``dropped``.

    Returns
    -------
    list of ImprovementItem
        One per countermeasure, in tree order, each with ``root_cause`` set.

    Examples
    --------
    >>> items = to_improvement_items(analysis, "main")  # doctest: +SKIP
    >>> items[0].root_cause
    RootCauseRef(analysis='main', node='w5')
    """
    check_name(analysis_name)
    items = []
    for node in analysis.root_causes():
        for measure in node.countermeasures:
            if measure.status == "dropped" and not include_dropped:
                continue
            items.append(_item(analysis, analysis_name, node, measure, capacity))
    return items


def _item(analysis: WhyAnalysis, name: str, node: WhyNode, measure: Countermeasure,
          capacity: Capacity | None) -> ImprovementItem:
    tags = [_TAG]
    if measure.owner.strip():
        tags.append(f"owner: {measure.owner.strip()}")
    if measure.due:
        tags.append(f"due: {measure.due.isoformat()}")
    problem = f"{analysis.problem.statement()} | root cause: {node.answer}"
    if measure.expected_effect.strip():
        problem += f" | expected effect: {measure.expected_effect.strip()}"
    return ImprovementItem(
        id=item_id(name, measure),
        title=measure.action,
        problem=problem,
        root_cause=RootCauseRef(analysis=name, node=node.id),
        confidence=node.confidence if node.confidence is not None else 1.0,
        deadline=_deadline(measure, capacity),
        tags=tags,
    )


def _deadline(measure: Countermeasure, capacity: Capacity | None) -> int | None:
    if capacity is None or measure.due is None or measure.due < capacity.start:
        return None
    months = (measure.due.year - capacity.start.year) * 12 + measure.due.month \
        - capacity.start.month
    if capacity.period == "month":
        return months
    if capacity.period == "quarter":
        first = (capacity.start.month - 1) // 3
        return (measure.due.year - capacity.start.year) * 4 + (measure.due.month - 1) // 3 - first
    return (measure.due - capacity.start).days // (7 * capacity.sprint_weeks)


def add_to_plan(
    plan: InstallmentPlan, analysis: WhyAnalysis, analysis_name: str
) -> InstallmentPlan:
    """Return ``plan`` with the analysis's countermeasures added as items.

    Items already in the plan (same id) are kept as they are: the planner may have sized them
    since. Adding changes the backlog, so the returned plan has no schedule.
    """
    existing = {i.id for i in plan.items}
    new = [i for i in to_improvement_items(analysis, analysis_name, capacity=plan.capacity)
           if i.id not in existing]
    return plan.with_items([*plan.items, *new]) if new else plan


def follow_link(item: ImprovementItem, workspace: Workspace) -> tuple[WhyAnalysis, WhyNode]:
    """Load the 5-Why analysis an item links to, and the root-cause node it names.

    Raises
    ------
    WorkspaceError
        The item has no link, the analysis is not in ``workspace``, or the node is gone.
    """
    ref = item.root_cause
    if ref is None:
        raise WorkspaceError(f"Item {item.id!r} is not linked to a 5-Why root cause.",
                             hint="Create items from countermeasures with to_improvement_items().")
    analysis = workspace.load(WhyAnalysis, ref.analysis)
    for node in analysis.nodes:
        if node.id == ref.node:
            return analysis, node
    raise WorkspaceError(
        f"Item {item.id!r} links to root cause {ref.node!r} of 5-Why analysis "
        f"'{ref.analysis}', which no longer has that node.",
        hint="The cause was removed from the analysis; link the item to another root cause or "
        "drop it from the plan.")
