"""Errors of the installment planner: each names the items, groups and periods at fault.

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

from salesops_nb.errors import DataError, SalesOpsError

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


class PlanInputError(DataError):
    """The backlog or the capacity cannot be planned as given."""

    def __init__(self, message: str, *, hint: str | None = None,
                 items: list[str] | None = None) -> None:
        super().__init__(message, hint=hint)
        self.items = list(items or [])


class DuplicateItemError(PlanInputError):
    """Two or more backlog items share an id."""


class UnknownDependencyError(PlanInputError):
    """An item depends on an id that no backlog item has."""


class DependencyCycleError(PlanInputError):
    """Items wait for each other in a circle; ``items`` holds the cycle in order."""


class MissingCapacityError(PlanInputError):
    """An item puts change load on a group whose capacity is not set."""


class BoilTheOceanError(PlanInputError):
    """An item asks more of a group in one period than the group can ever absorb.

    ``oversized`` holds one :class:`~salesops_nb.installments.split.Oversize` per item and group.
    """

    def __init__(self, message: str, *, hint: str | None = None,
                 items: list[str] | None = None, oversized: list | None = None) -> None:
        super().__init__(message, hint=hint, items=items)
        self.oversized = list(oversized or [])


class DeadlineError(PlanInputError):
    """A deadline cannot be met; ``items`` holds the blocking chain, first item first."""


class SolverUnavailableError(SalesOpsError):
    """The optional OR-Tools solver is not installed."""
