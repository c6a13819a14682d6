"""A worked example backlog and generated backlogs for tests and benchmarks.

:func:`worked_example` is the plan the template shows before a user has saved one: a sales
organisation whose forecasts miss because pipeline stages mean different things to different
people, and whose "comprehensive fix" (new methodology, new CRM stages, new comp plan, all at
once) would ask the field sales force for three times the change it can absorb in a quarter.
:func:`generated_backlog` makes random, always-feasible backlogs of any size.
"""

from __future__ import annotations

from datetime import date

import numpy as np

from salesops_nb.installments.model import Capacity, ImprovementItem, InstallmentPlan

__all__ = ["generated_backlog", "worked_example"]

_GROUPS = ("field sales", "sales managers", "sales ops", "marketing", "finance", "customer success")


def worked_example() -> InstallmentPlan:
    """The forecast-accuracy improvement plan, 10 installments over 12 months.

    >>> plan = worked_example()
    >>> len(plan.items), plan.capacity.groups["field sales"]
    (10, 4.0)
    """
    def item(id, title, value, duration, effort, load, deps=(), **extra):
        return ImprovementItem(
            id=id, title=title, value_per_period=value, value_unit="$", duration=duration,
            effort=effort, change_load=load, depends_on=list(deps),
            problem="Forecasts miss by 25%: stages mean different things to different reps",
            **extra,
        )

    items = [
        item("stage-defs", "Write stage exit criteria", 6000, 1, 2,
             {"sales managers": 2, "sales ops": 2},
             business_value=8, time_criticality=5, risk_reduction=5),
        item("crm-fields", "Required CRM fields per stage", 9000, 1, 3,
             {"field sales": 2, "sales ops": 2}, ["stage-defs"],
             business_value=8, time_criticality=3, risk_reduction=5),
        item("pipe-review", "Weekly pipeline review cadence", 14000, 2, 2,
             {"field sales": 2, "sales managers": 3}, ["stage-defs"],
             business_value=13, time_criticality=8, risk_reduction=5),
        item("hygiene-dash", "Pipeline hygiene dashboard", 5000, 1, 2,
             {"sales managers": 1, "sales ops": 2}, ["crm-fields"],
             business_value=5, time_criticality=3, risk_reduction=3),
        item("deal-qual", "Deal qualification checklist", 16000, 2, 3,
             {"field sales": 3, "sales managers": 1}, ["stage-defs"],
             business_value=13, time_criticality=5, risk_reduction=8),
        item("coach-mgrs", "Coach managers on deal reviews", 12000, 2, 2,
             {"sales managers": 3}, ["pipe-review"],
             business_value=8, time_criticality=3, risk_reduction=5),
        item("forecast-cat", "Forecast categories and call", 20000, 2, 3,
             {"field sales": 2, "sales managers": 2, "finance": 2}, ["crm-fields", "pipe-review"],
             business_value=20, time_criticality=8, risk_reduction=8, deadline=8),
        item("comp-align", "Align comp plan with stage rules", 10000, 3, 4,
             {"field sales": 2, "finance": 3}, ["forecast-cat"],
             business_value=8, time_criticality=2, risk_reduction=3),
        item("mktg-handoff", "Marketing-to-sales handoff SLA", 7000, 2, 3,
             {"field sales": 1, "marketing": 3}, ["deal-qual"],
             business_value=5, time_criticality=2, risk_reduction=3),
        item("win-loss", "Win/loss interviews feed playbook", 8000, 2, 2,
             {"field sales": 1, "sales ops": 2}, ["deal-qual"],
             business_value=5, time_criticality=2, risk_reduction=5),
    ]
    capacity = Capacity(
        period="month", start=date(2027, 1, 1), horizon=12,
        groups={"field sales": 4, "sales managers": 4, "sales ops": 3, "marketing": 3,
                "finance": 3},
        delivery=4,
    )
    return InstallmentPlan(
        title="Forecast accuracy: installment plan", items=items, capacity=capacity,
        notes="Worked example: ten small changes instead of one forecasting overhaul.",
    )


def generated_backlog(n: int, *, seed: int = 0, groups: int = 4,
                      tightness: float = 1.0) -> InstallmentPlan:
    """A random backlog of ``n`` items that always has a schedule.

    Items get 1-4 periods, loads on one to three of ``groups`` groups (never above capacity),
    a few dependencies on earlier items (so no cycle), value with a long tail, and about one in
    ten an earliest start. ``tightness`` scales the loads (higher: more capacity conflicts).
    The horizon is set so that roughly two thirds of the items can land within it.
    """
    rng = np.random.default_rng(seed)
    names = list(_GROUPS[:groups]) if groups <= len(_GROUPS) else [
        f"group {k + 1}" for k in range(groups)]
    caps = {g: float(rng.integers(4, 9)) for g in names}
    duration = rng.integers(1, 5, size=n)
    value = np.round(rng.lognormal(mean=8.5, sigma=0.8, size=n), -1)
    items = []
    for i in range(n):
        touched = rng.choice(len(names), size=int(rng.integers(1, min(3, len(names)) + 1)),
                             replace=False)
        load = {names[g]: float(min(caps[names[g]],
                                    max(1, round(rng.integers(1, 5) * tightness))))
                for g in touched}
        deps = []
        if i and rng.random() < 0.4:
            picks = rng.choice(i, size=min(i, int(rng.integers(1, 3))), replace=False)
            deps = [f"i{int(p)}" for p in sorted(picks) if i - p <= max(10, n // 5)]
        items.append(ImprovementItem(
            id=f"i{i}", title=f"Item {i}", value_per_period=float(value[i]),
            duration=int(duration[i]), effort=float(rng.integers(1, 4)), change_load=load,
            depends_on=deps,
            earliest_start=int(rng.integers(0, 6)) if rng.random() < 0.1 else None,
            business_value=float(rng.integers(1, 21)), time_criticality=float(rng.integers(1, 21)),
            risk_reduction=float(rng.integers(1, 21)),
        ))
    per_period = sum(caps.values()) / max(1.0, float(np.mean([sum(i.change_load.values())
                                                                 for i in items])))
    horizon = int(max(4, np.ceil(2 * n * duration.mean() / 3 / max(per_period, 1.0))))
    capacity = Capacity(period="month", start=date(2027, 1, 1), horizon=min(horizon, 600),
                        groups=caps, delivery=float(rng.integers(4, 8)))
    return InstallmentPlan(title=f"Generated backlog ({n} items)", items=items,
                           capacity=capacity)
