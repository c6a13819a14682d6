"""Errors of the installment planner (defined in :mod:`salesops_nb.errors`, the one tree).

Each names the items, groups and periods at fault.

The tree (all under :class:`~salesops_nb.errors.DataError`, since a backlog is user input)::

    PlanInputError                 the backlog or capacity cannot be planned as given
    ├── DuplicateItemError         two items share an id
    ├── UnknownDependencyError     an item depends on an id that is not in the backlog
    ├── DependencyCycleError       items wait for each other in a circle (names the cycle)
    ├── MissingCapacityError       an item loads a group that has no capacity set
    ├── BoilTheOceanError          an item's load exceeds a group's capacity in every period
    └── DeadlineError              a deadline that cannot be met (names the blocking chain)
    SolverUnavailableError         OR-Tools is not installed (gives the pip command)
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

__all__ = [
    "BoilTheOceanError",
    "DeadlineError",
    "DependencyCycleError",
    "DuplicateItemError",
    "MissingCapacityError",
    "PlanInputError",
    "SolverUnavailableError",
    "UnknownDependencyError",
]
