"""Everything a report shows about a plan, computed in one call (the template stays thin).

:func:`open_plan` reads the saved plan (or falls back to the worked example) and applies the
report's parameters; :func:`analyse` sequences it when needed, runs the optimal baseline when
asked and small enough, and gathers explanations, saturation, the big bang and value curves.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from salesops_nb.errors import ParameterError
from salesops_nb.installments.example import worked_example
from salesops_nb.installments.explain import explain, money
from salesops_nb.installments.metrics import (
    BigBang,
    big_bang,
    comparison_curves,
    saturation,
)
from salesops_nb.installments.model import InstallmentPlan, Schedule
from salesops_nb.installments.sequence import sequence_plan
from salesops_nb.workspace import locate

__all__ = ["PlanAnalysis", "analyse", "open_plan"]

#: Largest backlog the report hands to the exact solver.
SOLVER_MAX_ITEMS = 40


def open_plan(path: str | os.PathLike[str], *, period: str = "",
              horizon: int = 0) -> tuple[InstallmentPlan, str]:
    """Load the plan saved at ``path``, or the worked example when there is none.

    Parameters
    ----------
    path
        ``<workspace>/installments/<name>.json``.
    period
        "month", "quarter" or "sprint" to relabel the calendar; empty keeps the plan's.
    horizon
        Periods over which value is counted; 0 keeps the plan's.

    Returns
    -------
    (InstallmentPlan, str)
        The plan and a sentence saying where it came from.
    """
    workspace, name = locate(path, InstallmentPlan)
    if workspace.exists(InstallmentPlan, name):
        plan = workspace.load(InstallmentPlan, name)
        source = f"The plan saved in {Path(path).name} ({len(plan.items)} items)."
    else:
        plan = worked_example()
        source = (f"No plan is saved at {path} yet, so this report shows the worked example "
                  f"({len(plan.items)} items). Build yours with the planner and run it again.")
    changes = {}
    if period:
        if period not in ("month", "quarter", "sprint"):
            raise ParameterError(f"period={period!r} is not a planning period.",
                                 hint='Use "month", "quarter", "sprint", or "" for the plan\'s.')
        changes["period"] = period
    if horizon:
        if horizon < 1:
            raise ParameterError(f"horizon={horizon} must be a positive number of periods.",
                                 hint="Use e.g. 12, or 0 to keep the plan's horizon.")
        changes["horizon"] = int(horizon)
    if changes:
        capacity = plan.capacity.model_copy(update=changes)
        plan = plan.model_copy(update={"capacity": capacity, "schedule": None})
    return plan, source


@dataclass(frozen=True)
class PlanAnalysis:
    """A sequenced plan with everything the report shows."""

    plan: InstallmentPlan
    optimum: Schedule | None
    explanations: pd.DataFrame
    saturation: pd.DataFrame
    big_bang: BigBang
    curves: pd.DataFrame

    @property
    def hot_spots(self) -> pd.DataFrame:
        """Group-periods at 90% of capacity or more, fullest first, ready to show."""
        hot = self.saturation[self.saturation["status"].isin(["near", "over"])]
        hot = hot.sort_values(["ratio", "period"], ascending=[False, True], ignore_index=True)
        return pd.DataFrame({
            "group": hot["group"], "period": hot["label"],
            "load": hot["load"].map(_units), "capacity": hot["capacity"].map(_units),
            "saturation_rate": hot["ratio"], "changes_in_progress": hot["changes"],
            "flag": hot["status"].map({"over": "over capacity", "near": "at 90% or more"}),
        })

    @property
    def spike(self) -> pd.DataFrame:
        """The big bang's load per group against its capacity, ready to show."""
        spike = self.big_bang.spike
        return pd.DataFrame({
            "group": spike["group"], "load_at_launch": spike["load"].map(_units),
            "capacity": spike["capacity"].map(_units),
            "times_capacity": spike["ratio"].map(lambda r: f"{r:.1f}x"),
        })

    def summary(self) -> pd.DataFrame:
        """The headline figures as a two-column table (measure, value)."""
        plan, bang = self.plan, self.big_bang
        unit = bang.unit
        rows = [
            ("Installments", f"{len(plan.items)}"),
            ("Periods to deliver everything",
             f"{max(s + plan.item(i).duration for i, s in plan.schedule.starts.items())}"),
            ("Value within the horizon: installment plan", money(plan.schedule.value, unit)),
            ("Value within the horizon: big bang", money(bang.value, unit)),
            ("Value lost by waiting for the big bang",
             f"{money(bang.value_lost, unit)} ({_share(bang.value_lost, bang.plan_value)})"),
            ("Peak saturation: installment plan",
             f"{self.saturation['ratio'].max():.0%}" if len(self.saturation) else "-"),
            ("Peak saturation: big bang",
             f"{bang.worst['ratio']:.0%} ({bang.worst['group']})" if len(bang.spike) else "-"),
        ]
        if self.optimum is not None:
            state = "proven optimal" if self.optimum.optimal else "best found in the time limit"
            rows.append((f"Value of the optimum ({state})", money(self.optimum.value, unit)))
            rows.append(("Installment plan as a share of it",
                         _share(plan.schedule.value, self.optimum.value)))
        return pd.DataFrame(rows, columns=["measure", "value"])


def analyse(plan: InstallmentPlan, *, solver: bool = True,
            solver_seconds: float = 10.0) -> PlanAnalysis:
    """Sequence ``plan`` if its schedule is missing or stale, and measure it.

    The optimal baseline runs when ``solver`` is true, OR-Tools is installed and the plan has at
    most :data:`SOLVER_MAX_ITEMS` items; otherwise ``optimum`` is None.
    """
    if plan.schedule is None or set(plan.schedule.starts) != {i.id for i in plan.items}:
        plan = sequence_plan(plan)
    optimum = None
    if solver and len(plan.items) <= SOLVER_MAX_ITEMS:
        from salesops_nb.installments.optimal import solve_optimal, solver_available

        if solver_available():
            optimum = solve_optimal(plan.items, plan.capacity, time_limit=solver_seconds,
                                    hint=plan.schedule)
    items, capacity, schedule = plan.items, plan.capacity, plan.schedule
    return PlanAnalysis(
        plan=plan, optimum=optimum,
        explanations=explain(items, capacity, schedule, score_method=plan.score),
        saturation=saturation(items, capacity, schedule),
        big_bang=big_bang(items, capacity, schedule),
        curves=comparison_curves(items, capacity, schedule, optimum),
    )


def _units(value: float) -> str:
    return f"{value:.3g}"


def _share(part: float, whole: float) -> str:
    return f"{part / whole:.0%}" if whole else "-"
