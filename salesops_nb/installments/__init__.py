"""Installment plans for improvement: a big fix cut into changes the organisation can absorb.

Model (:mod:`.model`), scores, the capacity-aware sequencer and its optimal CP-SAT baseline,
boil-the-ocean detection and split, explanations, saturation, re-planning and the big-bang
comparison. Pure Python: nothing here imports Jupyter.
"""

from __future__ import annotations

from salesops_nb.installments.errors import (
    BoilTheOceanError,
    DeadlineError,
    DependencyCycleError,
    DuplicateItemError,
    MissingCapacityError,
    PlanInputError,
    SolverUnavailableError,
    UnknownDependencyError,
)
from salesops_nb.installments.model import (
    Capacity,
    ImprovementItem,
    InstallmentPlan,
    RootCauseRef,
    Schedule,
)

__all__ = [
    "BoilTheOceanError",
    "Capacity",
    "DeadlineError",
    "DependencyCycleError",
    "DuplicateItemError",
    "ImprovementItem",
    "InstallmentPlan",
    "MissingCapacityError",
    "PlanInputError",
    "RootCauseRef",
    "Schedule",
    "SolverUnavailableError",
    "UnknownDependencyError",
]
