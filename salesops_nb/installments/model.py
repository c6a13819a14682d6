"""The installment plan: backlog items, change capacity and the chosen schedule.

An :class:`ImprovementItem` is one installment of an improvement: what it fixes, the value it
brings per period once delivered, how long it takes, the delivery effort, and how much change it
asks of each affected group *per period while it lands*. A :class:`Capacity` is the planning
calendar with what each group can absorb per period. An :class:`InstallmentPlan` (an artefact of
kind ``"installments"``) holds both, the chosen schedule and notes.

Periods are counted from 0, the first period of the calendar (``Capacity.start``). An item that
starts in period ``s`` and lasts ``d`` periods is in progress in periods ``s .. s+d-1`` and brings
its value from period ``s+d`` on.

Example
-------
>>> item = ImprovementItem(
...     id="crm-stages", title="Define CRM stage exit criteria",
...     value_per_period=8000, duration=2, effort=3,
...     change_load={"field sales": 2, "sales ops": 1},
... )
>>> item.groups
['field sales', 'sales ops']
"""

from __future__ import annotations

import math
from datetime import date
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

from salesops_nb.artefact import Artefact, Migrations

__all__ = [
    "Capacity",
    "ImprovementItem",
    "InstallmentPlan",
    "ObjectiveRef",
    "PeriodKind",
    "RootCauseRef",
    "Schedule",
    "ScoreMethod",
]

PeriodKind = Literal["month", "quarter", "sprint"]
ScoreMethod = Literal["wsjf", "cd3", "rice"]


class RootCauseRef(BaseModel):
    """A link to a root cause in a saved 5-Why analysis.

    Parameters
    ----------
    analysis
        Name of the 5-Why analysis in the workspace (its file name without ``.json``).
    node
        Id of the root-cause node inside that analysis.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    analysis: str
    node: str


class ObjectiveRef(BaseModel):
    """A link to the charter objective an item serves.

    Parameters
    ----------
    charter
        Name of the charter in the workspace (its file name without ``.json``).
    objective
        The objective's ``library_id`` (e.g. ``"raise-win-rate"``) or, for an objective
        written from scratch, its title.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    charter: str
    objective: str


class ImprovementItem(BaseModel):
    """One installment of the improvement backlog.

    Only ``id`` and ``title`` are required; everything else has a neutral default, so a
    countermeasure from a 5-Why analysis becomes an item with
    ``ImprovementItem(id=..., title=..., problem=..., root_cause=RootCauseRef(analysis, node))``
    and is completed later.

    Parameters
    ----------
    id
        Short unique key used in dependencies, e.g. ``"crm-stages"``.
    title
        What the change is, in a few words.
    problem
        The problem it addresses (free text).
    root_cause
        Optional link to a 5-Why root cause (:class:`RootCauseRef`).
    objective
        Optional link to the charter objective the item serves (:class:`ObjectiveRef`).
    value_per_period
        Value the item brings each period once delivered (in ``value_unit``).
    value_unit
        Unit of the value: a currency symbol or "points".
    business_value, time_criticality, risk_reduction
        The three parts of the cost of delay (relative numbers, e.g. 1-20), kept so the WSJF
        score can be recomputed and explained.
    confidence
        How sure we are of the estimates, 0-1 (used by RICE).
    reach, impact
        RICE inputs: people or deals reached per period, impact per reach (0.25-3).
    effort
        Delivery effort of the improving team in total (e.g. person-periods); spread evenly
        over the item's duration.
    duration
        Periods the change takes to land (>= 1).
    change_load
        Change units per period asked of each affected group while the item lands,
        e.g. ``{"field sales": 3, "sales managers": 1}``.
    depends_on
        Ids of items that must finish before this one starts.
    earliest_start
        First period (0 = the first of the calendar) the item may start, if constrained.
    deadline
        Period by whose end the item must be delivered, if any.
    tags
        Free labels.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    id: str = Field(min_length=1, max_length=80)
    title: str = Field(min_length=1)
    problem: str = ""
    root_cause: RootCauseRef | None = None
    objective: ObjectiveRef | None = None
    value_per_period: float = Field(default=0.0, ge=0, allow_inf_nan=False)
    value_unit: str = "points"
    business_value: float = Field(default=0.0, ge=0, allow_inf_nan=False)
    time_criticality: float = Field(default=0.0, ge=0, allow_inf_nan=False)
    risk_reduction: float = Field(default=0.0, ge=0, allow_inf_nan=False)
    confidence: float = Field(default=1.0, ge=0, le=1)
    reach: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    impact: float | None = Field(default=None, ge=0, allow_inf_nan=False)
    effort: float = Field(default=1.0, gt=0, allow_inf_nan=False)
    duration: int = Field(default=1, ge=1, le=120)
    change_load: dict[str, float] = Field(default_factory=dict)
    depends_on: list[str] = Field(default_factory=list)
    earliest_start: int | None = Field(default=None, ge=0)
    deadline: int | None = Field(default=None, ge=0)
    tags: list[str] = Field(default_factory=list)

    @field_validator("change_load")
    @classmethod
    def _loads_are_finite_and_positive(cls, loads: dict[str, float]) -> dict[str, float]:
        bad = {g: v for g, v in loads.items() if not math.isfinite(v) or v < 0}
        if bad:
            raise ValueError(f"change loads must be finite and >= 0, got {bad}")
        # A zero load is no load: keep the mapping minimal so "groups affected" stays true.
        return {g.strip(): float(v) for g, v in loads.items() if v > 0 and g.strip()}

    @field_validator("depends_on", "tags")
    @classmethod
    def _unique_in_order(cls, values: list[str]) -> list[str]:
        return list(dict.fromkeys(v.strip() for v in values if v.strip()))

    @property
    def groups(self) -> list[str]:
        """The groups this item loads, sorted."""
        return sorted(self.change_load)

    @property
    def effort_per_period(self) -> float:
        """Delivery effort per period while the item is in progress."""
        return self.effort / self.duration

    @property
    def most_affected_group(self) -> str | None:
        """The group with the highest change load (ties: alphabetical), or None."""
        if not self.change_load:
            return None
        return min(self.change_load, key=lambda g: (-self.change_load[g], g))


class Capacity(BaseModel):
    """The planning calendar and how much change each group can absorb per period.

    Parameters
    ----------
    period
        Length of a planning period: "month", "quarter" or "sprint".
    start
        First day of period 0.
    sprint_weeks
        Length of a sprint in weeks (when ``period`` is "sprint").
    horizon
        Periods over which value is counted (the plan's time frame).
    groups
        Change units each group can absorb per period, e.g. ``{"field sales": 4}``.
    delivery
        Effort per period of the improving team (same unit as ``ImprovementItem.effort``);
        None for no limit.
    """

    model_config = ConfigDict(extra="forbid")

    period: PeriodKind = "month"
    start: date = Field(default_factory=lambda: date.today().replace(day=1))
    sprint_weeks: int = Field(default=2, ge=1, le=8)
    horizon: int = Field(default=12, ge=1, le=600)
    groups: dict[str, float] = Field(default_factory=dict)
    delivery: float | None = Field(default=None, gt=0, allow_inf_nan=False)

    @field_validator("groups")
    @classmethod
    def _capacities_are_positive(cls, groups: dict[str, float]) -> dict[str, float]:
        bad = {g: v for g, v in groups.items() if not math.isfinite(v) or v <= 0}
        if bad:
            raise ValueError(f"group capacities must be finite and > 0, got {bad}")
        return {g.strip(): float(v) for g, v in groups.items() if g.strip()}

    def period_start(self, index: int) -> date:
        """First day of period ``index`` (0-based; negative and past-the-horizon work too)."""
        if self.period == "sprint":
            return date.fromordinal(self.start.toordinal() + 7 * self.sprint_weeks * index)
        step = 1 if self.period == "month" else 3
        months = self.start.year * 12 + self.start.month - 1 + step * index
        return date(months // 12, months % 12 + 1, 1)

    def period_label(self, index: int) -> str:
        """Name period ``index`` (0-based) as a reader sees it: "2026-03", "2026 Q2", "S4 (…)"."""
        if self.period == "month":
            months = self.start.year * 12 + self.start.month - 1 + index
            return f"{months // 12}-{months % 12 + 1:02d}"
        if self.period == "quarter":
            quarters = self.start.year * 4 + (self.start.month - 1) // 3 + index
            return f"{quarters // 4} Q{quarters % 4 + 1}"
        begins = date.fromordinal(self.start.toordinal() + 7 * self.sprint_weeks * index)
        return f"S{index + 1} ({begins.isoformat()})"


class Schedule(BaseModel):
    """Where each item starts, as the sequencer chose it.

    Parameters
    ----------
    starts
        Start period of each item id.
    method
        How it was made: "heuristic (wsjf)", "optimal", "optimal (time limit)", "big bang" ...
    value
        Value delivered within the horizon (area under the cumulative value curve).
    optimal
        True when a solver proved the schedule optimal; None when not known.
    upper_bound
        The solver's proven upper bound on the value (equal to ``value`` when optimal).
    seconds
        Run time of the sequencer.
    """

    model_config = ConfigDict(extra="forbid")

    starts: dict[str, int]
    method: str = "heuristic"
    value: float = 0.0
    optimal: bool | None = None
    upper_bound: float | None = None
    seconds: float = 0.0


class InstallmentPlan(Artefact):
    """An improvement backlog, the capacity to absorb it, and the chosen schedule.

    Saved in a workspace as ``<root>/installments/<name>.json``.
    """

    kind: ClassVar[str] = "installments"
    schema_version: ClassVar[int] = 1
    migrations: ClassVar[Migrations] = {}

    title: str = "Improvement installment plan"
    items: list[ImprovementItem] = Field(default_factory=list)
    capacity: Capacity = Field(default_factory=Capacity)
    score: ScoreMethod = "wsjf"
    schedule: Schedule | None = None
    notes: str = ""

    def item(self, item_id: str) -> ImprovementItem:
        """Return the item with id ``item_id`` (KeyError naming the known ids if absent)."""
        for candidate in self.items:
            if candidate.id == item_id:
                return candidate
        known = ", ".join(i.id for i in self.items) or "none"
        raise KeyError(f"No item {item_id!r} in the plan; items: {known}")

    def with_items(self, items: list[ImprovementItem]) -> InstallmentPlan:
        """Return a copy with ``items`` as the backlog and no schedule (it is out of date)."""
        return self.model_copy(update={"items": list(items), "schedule": None})

