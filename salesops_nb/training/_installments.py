"""Exercise check of an installment plan."""

from __future__ import annotations

from typing import Any

from salesops_nb.errors import SalesOpsError
from salesops_nb.training._shared import validated
from salesops_nb.training.feedback import Feedback, Note, capped, join_names

__all__ = ["installments"]


def installments(plan: Any) -> Feedback:
    """Check an installment plan: can it be sequenced within the change capacity, and is it
    cut into installments rather than one big bang?

    Parameters
    ----------
    plan
        An :class:`~salesops_nb.installments.InstallmentPlan` (or its dict / JSON form).

    Returns
    -------
    Feedback
        Fixes for an empty or one-item backlog, items too big for a group's capacity, items
        without value, and whatever stops the sequencer (missing capacity, unknown or circular
        dependencies, deadlines); tips for items that load nobody or link to no root cause.
    """
    from salesops_nb.installments import InstallmentPlan, big_bang, oversized, saturation
    from salesops_nb.installments.explain import money
    from salesops_nb.installments.sequence import sequence_plan

    title = "Installment plan"
    try:
        plan = validated(InstallmentPlan, plan, "installment plan")
    except SalesOpsError as err:
        return Feedback(title, (Note("fix", err.message, err.hint, "plan"),))
    items = plan.items
    if not items:
        return Feedback(title, (Note("fix", "The backlog is empty.", "Add the countermeasures "
                                     "as items: ImprovementItem(id=..., title=..., ...).",
                                     "empty"),))
    notes = []
    if len(items) == 1:
        notes.append(Note("fix", f"One item, {items[0].title!r}, is a big bang, not a plan.",
                          f"Cut it into a pilot and rollouts: installments.split(plan.item("
                          f"{items[0].id!r}), 3), and add the other countermeasures.",
                          "one item"))
    notes += [Note("fix", o.describe() + ".", f"installments.split(plan.item({o.item_id!r}), "
                   f"{o.parts}) "
                   "makes a pilot and rollouts that fit; or raise the group's capacity if "
                   "it really has more room.", "oversized")
              for o in oversized(items, plan.capacity)]
    notes += [Note("fix", f"Item {i.title!r} ({i.id}) has no value per period.",
                   "Say what it is worth each period once delivered (e.g. revenue it wins "
                   "back): the plan cannot rank an item worth nothing.", "no value")
              for i in items if i.value_per_period <= 0]
    notes += [Note("tip", f"Item {i.title!r} ({i.id}) asks no change of any group.",
                   "Who has to work differently? Put their load in change_load, or the plan "
                   "will stack it on top of everything else.", "no load")
              for i in items if not i.change_load]
    unlinked = [i.id for i in items if i.root_cause is None]
    if unlinked:
        notes.append(Note("tip", f"{len(unlinked)} item(s) link to no 5-Why root cause "
                          f"({join_names(unlinked)}).", "Create items from countermeasures with "
                          "five_whys.to_installments.to_improvement_items(analysis, name) so "
                          "each says why it exists.", "link"))
    scheduled = None
    if not any(n.topic == "oversized" for n in notes):
        try:
            scheduled = sequence_plan(plan)
        except SalesOpsError as err:
            notes.append(Note("fix", err.message, err.hint, type(err).__name__))
    notes = capped(notes)
    figures: tuple[tuple[str, str], ...] = (("items", str(len(items))),)
    if scheduled is not None:
        schedule, capacity = scheduled.schedule, scheduled.capacity
        load = saturation(scheduled.items, capacity, schedule)
        bang = big_bang(scheduled.items, capacity, schedule)
        end = max(s + scheduled.item(i).duration for i, s in schedule.starts.items())
        unit = bang.unit
        figures += (("value within the horizon", money(schedule.value, unit)),
                    ("big bang", money(bang.value, unit)),
                    ("peak saturation", f"{load['ratio'].max():.0%}"))
        if not any(n.level == "fix" for n in notes):
            notes.append(Note("pass", f"{len(items)} installments fit the change capacity "
                              f"(peak {load['ratio'].max():.0%}) and are all delivered by "
                              f"{capacity.period_label(end - 1)}; they bring "
                              f"{money(schedule.value, unit)} within the horizon, against "
                              f"{money(bang.value, unit)} for a big bang.", topic="summary"))
    return Feedback(title, tuple(notes), figures)
