"""Installment plans for improvement: a big fix cut into changes the organisation can absorb.

The model (:class:`ImprovementItem`, :class:`Capacity`, :class:`InstallmentPlan`), priority
scores, the capacity-aware sequencer (:func:`sequence`) and its optimal CP-SAT baseline
(:func:`solve_optimal`), boil-the-ocean detection and :func:`split`, explanations, saturation,
re-planning and the big-bang comparison. Pure Python: nothing here imports Jupyter.

>>> from salesops_nb import installments as inst
>>> plan = inst.sequence_plan(inst.worked_example())
>>> inst.big_bang(plan.items, plan.capacity, plan.schedule).value_lost > 0
True
"""

from __future__ import annotations

from salesops_nb.errors import (
    BoilTheOceanError,
    DeadlineError,
    DependencyCycleError,
    DuplicateItemError,
    MissingCapacityError,
    PlanInputError,
    SolverUnavailableError,
    UnknownDependencyError,
)
from salesops_nb.installments.analysis import PlanAnalysis, analyse, open_plan
from salesops_nb.installments.example import generated_backlog, worked_example
from salesops_nb.installments.explain import explain
from salesops_nb.installments.metrics import (
    BigBang,
    big_bang,
    comparison_curves,
    saturation,
    value_curve,
)
from salesops_nb.installments.model import (
    Capacity,
    ImprovementItem,
    InstallmentPlan,
    ObjectiveRef,
    RootCauseRef,
    Schedule,
)
from salesops_nb.installments.optimal import solve_optimal, solver_available
from salesops_nb.installments.replan import Replan, replan
from salesops_nb.installments.scores import explain_score, score
from salesops_nb.installments.sequence import sequence, sequence_plan
from salesops_nb.installments.split import Oversize, oversized, split, split_in_backlog

__all__ = [
    "BigBang",
    "BoilTheOceanError",
    "Capacity",
    "DeadlineError",
    "DependencyCycleError",
    "DuplicateItemError",
    "ImprovementItem",
    "InstallmentPlan",
    "MissingCapacityError",
    "ObjectiveRef",
    "Oversize",
    "PlanAnalysis",
    "PlanInputError",
    "Replan",
    "RootCauseRef",
    "Schedule",
    "SolverUnavailableError",
    "UnknownDependencyError",
    "analyse",
    "big_bang",
    "comparison_curves",
    "explain",
    "explain_score",
    "generated_backlog",
    "open_plan",
    "oversized",
    "replan",
    "saturation",
    "score",
    "sequence",
    "sequence_plan",
    "solve_optimal",
    "solver_available",
    "split",
    "split_in_backlog",
    "value_curve",
    "worked_example",
]
