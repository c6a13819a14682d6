"""Measures of a schedule: the value curve, saturation per group and period, the big bang.

- **Value curve**: per period, the value per period of everything delivered so far (the run
  rate) and the value realised to date. The value realised by the end of the horizon is the
  area under the run-rate curve, the quantity the sequencer maximises.
- **Saturation**: per group and period, change load / capacity. At or above
  :data:`NEAR` the group is near saturation (risky); above 1 it is over capacity.
- **Big bang**: the same backlog delivered as one change at the end of the plan. Nothing is worth
  anything until then, and every group absorbs the change of every item in one period.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesops_nb.installments._problem import (
    DELIVERY,
    Problem,
    compile_problem,
    usage_profile,
)
from salesops_nb.installments.explain import money
from salesops_nb.installments.model import Capacity, ImprovementItem, Schedule

__all__ = [
    "NEAR",
    "BigBang",
    "big_bang",
    "comparison_curves",
    "saturation",
    "value_curve",
    "value_curves",
]

#: Saturation ratio from which a group is called out as near its limit.
NEAR = 0.9


def value_curve(items: Sequence[ImprovementItem], capacity: Capacity,
                schedule: Schedule) -> pd.DataFrame:
    """Value per period of the delivered items, and the value realised to date, per period.

    Returns
    -------
    pandas.DataFrame
        One row per period of the horizon: ``period, label, period_start, delivered``
        (items delivered before the period), ``run_rate`` and ``value_to_date``.
    """
    problem = compile_problem(items, capacity, schedule.starts)
    ends = _starts(problem, schedule) + problem.duration
    return _curve(problem, capacity, ends)


def value_curves(items: Sequence[ImprovementItem], capacity: Capacity,
                 schedules: Mapping[str, Schedule]) -> pd.DataFrame:
    """The value curves of several schedules stacked, with a ``schedule`` column naming each."""
    frames = [value_curve(items, capacity, s).assign(schedule=name)
              for name, s in schedules.items()]
    return pd.concat(frames, ignore_index=True)


def saturation(items: Sequence[ImprovementItem], capacity: Capacity,
               schedule: Schedule) -> pd.DataFrame:
    """Load, capacity and saturation ratio of every group in every period of the plan.

    Returns
    -------
    pandas.DataFrame
        ``group, period, label, load, capacity, ratio, changes, status``: ``changes`` is the
        number of items in progress that touch the group; ``status`` is "over" above 1,
        "near" from :data:`NEAR`, "ok" below and "idle" with no load. Periods run to the end of
        the horizon or of the plan, whichever is later.
    """
    problem = compile_problem(items, capacity, schedule.starts)
    starts = _starts(problem, schedule)
    length = int(max(problem.horizon, (starts + problem.duration).max(initial=0)))
    usage = usage_profile(problem, starts, length)
    touched = _concurrent(problem, starts, length)
    return _saturation_frame(problem, capacity, usage, touched)


def comparison_curves(items: Sequence[ImprovementItem], capacity: Capacity, plan: Schedule,
                      optimum: Schedule | None = None) -> pd.DataFrame:
    """Value curves of the installment plan, the big bang and (when given) the optimum.

    The ``schedule`` column reads "installment plan", "big bang" and "optimum"; feed the frame
    to :func:`~salesops_nb.installments.charts.value_curve_chart`.
    """
    named = {"installment plan": plan}
    if optimum is not None:
        named["optimum"] = optimum
    curves = value_curves(items, capacity, named)
    bang = big_bang(items, capacity, plan).curve.assign(schedule="big bang")
    return pd.concat([curves, bang], ignore_index=True)


@dataclass(frozen=True)
class BigBang:
    """The big-bang alternative to an installment plan (see :func:`big_bang`)."""

    launch: int
    launch_label: str
    value: float
    plan_value: float
    unit: str
    spike: pd.DataFrame
    curve: pd.DataFrame

    @property
    def value_lost(self) -> float:
        """Value the installment plan delivers within the horizon that the big bang does not."""
        return self.plan_value - self.value

    @property
    def worst(self) -> pd.Series:
        """The row of :attr:`spike` with the highest load / capacity."""
        return self.spike.sort_values("ratio", ascending=False).iloc[0]

    def summary(self) -> str:
        """The argument in two sentences, for the sponsor.

        Shown as Markdown by the template: the user's text in it (group, unit, period label) is
        HTML-escaped so that it reads as text and never runs as markup.
        """
        worst = self.worst
        share = self.value_lost / self.plan_value if self.plan_value else 0.0
        group = html.escape(repr(worst["group"]), quote=False)
        lost = html.escape(money(self.value_lost, self.unit))
        return (
            f"Delivered as one big bang in {html.escape(str(self.launch_label))}, the backlog "
            f"would ask {group} to absorb {worst['load']:g} change units in one period, "
            f"{worst['ratio']:.1f} times its capacity of {worst['capacity']:g}. Waiting for it "
            f"would forgo {lost} ({share:.0%}) of the value the "
            f"installment plan delivers within the horizon, all within capacity."
        )


def big_bang(items: Sequence[ImprovementItem], capacity: Capacity, plan: Schedule, *,
             launch: int | None = None) -> BigBang:
    """The same backlog delivered as one change, for contrast with the installment plan.

    Parameters
    ----------
    items, capacity
        The backlog and its capacity.
    plan
        The installment schedule to compare with.
    launch
        Period in which the whole change lands; by default the last period of ``plan`` (the
        same finish date: the big bang is not penalised for lateness, only for waiting).

    Returns
    -------
    BigBang
        ``value`` realised within the horizon when everything lands in ``launch``; ``spike``
        per group: the load of every item landing at once (each item's per-period load,
        which understates the shock: the work of several periods arrives together) against
        the capacity; ``curve`` its value curve.
    """
    problem = compile_problem(items, capacity, plan.starts)
    ends = _starts(problem, plan) + problem.duration
    if launch is None:
        launch = int(ends.max(initial=1)) - 1
    bang_ends = np.full(problem.n, launch + 1, dtype=np.int64)
    curve = _curve(problem, capacity, bang_ends)
    # The delivery team's effort is the build, not change to absorb: only the groups spike.
    change = [g for g, name in enumerate(problem.groups) if name != DELIVERY]
    spike = pd.DataFrame({
        "group": [problem.groups[g] for g in change],
        "load": problem.load[:, change].sum(axis=0),
        "capacity": problem.cap[change],
    })
    spike["ratio"] = spike["load"] / spike["capacity"]
    units = {item.value_unit for item in problem.items}
    return BigBang(
        launch=launch, launch_label=capacity.period_label(launch),
        value=float(curve["value_to_date"].iloc[-1]) if len(curve) else 0.0,
        plan_value=float(_curve(problem, capacity, ends)["value_to_date"].iloc[-1]),
        unit=units.pop() if len(units) == 1 else "points",
        spike=spike.sort_values("ratio", ascending=False, ignore_index=True),
        curve=curve,
    )


def _starts(problem: Problem, schedule: Schedule) -> np.ndarray:
    missing = [i for i in problem.ids if i not in schedule.starts]
    if missing:
        from salesops_nb.errors import PlanInputError

        raise PlanInputError(
            f"The schedule has no start for {', '.join(map(repr, missing))}: it was made for "
            "another backlog.",
            hint="Sequence the plan again after changing the backlog.", items=missing,
        )
    return np.array([schedule.starts[i] for i in problem.ids], dtype=np.int64)


def _curve(problem: Problem, capacity: Capacity, ends: np.ndarray) -> pd.DataFrame:
    periods = np.arange(problem.horizon)
    # delivered_by[t] = items whose last period is before t: their value counts in period t.
    delivered = (ends[None, :] <= periods[:, None])
    run_rate = delivered.astype(float) @ problem.value
    return pd.DataFrame({
        "period": periods,
        "label": [capacity.period_label(int(t)) for t in periods],
        "period_start": pd.to_datetime([capacity.period_start(int(t)) for t in periods]),
        "delivered": delivered.sum(axis=1),
        "run_rate": run_rate,
        "value_to_date": np.cumsum(run_rate),
    })


def _concurrent(problem: Problem, starts: np.ndarray, length: int) -> np.ndarray:
    touches = (problem.load > 0).astype(float)
    counting = Problem(**{**problem.__dict__, "load": touches})
    return usage_profile(counting, starts, length)


def _saturation_frame(problem: Problem, capacity: Capacity, usage: np.ndarray,
                      touched: np.ndarray) -> pd.DataFrame:
    g_count, length = usage.shape
    ratio = usage / problem.cap[:, None]
    frame = pd.DataFrame({
        "group": np.repeat(problem.groups, length),
        "period": np.tile(np.arange(length), g_count),
        "load": usage.ravel().round(9),
        "capacity": np.repeat(problem.cap, length),
        "ratio": ratio.ravel().round(9),
        "changes": touched.ravel().round().astype(int),
    })
    labels = np.array([capacity.period_label(int(t)) for t in range(length)], dtype=object)
    frame.insert(2, "label", labels[frame["period"].to_numpy()])
    frame["status"] = np.select(
        [frame["ratio"] > 1 + 1e-9, frame["ratio"] >= NEAR, frame["load"] > 0],
        ["over", "near", "ok"], "idle")
    return frame
