"""The strategic functional charter as a pydantic model, saved in the workspace as JSON.

A :class:`Charter` holds every section a functional charter commonly has: purpose and mission,
vision of the selling system, scope (in, out, and the owns / influences / supports boundaries
with adjacent functions), services with their class and customer (each with its screening
answers), strategic objectives measured by KPIs, decision rights as a RACI, stakeholders with
their sign-off, the licence clause, the operating cadence, and the review date with a version
history.

Every free-text field is plain text: renderings escape it (HTML, Markdown, DOCX), never trust it.

Example
-------
>>> c = Charter(organisation="Acme", purpose="Improve the whole selling system.")
>>> Charter.model_validate_json(c.model_dump_json()) == c
True
"""

from __future__ import annotations

from datetime import date
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from salesops_nb.artefact import Artefact

__all__ = [
    "ADJACENT_FUNCTIONS",
    "RACI_ROLES",
    "SECTIONS",
    "SERVICE_CLASSES",
    "Boundary",
    "CadenceItem",
    "Charter",
    "Decision",
    "Kpi",
    "Licence",
    "MetricRef",
    "Objective",
    "Scope",
    "Screening",
    "Service",
    "Stakeholder",
    "VersionEntry",
]

ServiceClass = Literal["tactical", "operational", "strategic"]
#: The three classes of a service, from least to most strategic.
SERVICE_CLASSES: tuple[str, ...] = ("tactical", "operational", "strategic")
Stance = Literal["owns", "influences", "supports"]
Outcome = Literal["include", "later", "leave"]
Tie = Literal["", "revenue", "profit", "revenue and profit"]
Role = Literal["R", "A", "C", "I"]
#: RACI letters and what they mean; exactly one "A" (the decider) per decision.
RACI_ROLES: dict[str, str] = {
    "R": "Responsible (does the work)",
    "A": "Accountable (decides, exactly one)",
    "C": "Consulted (asked before)",
    "I": "Informed (told after)",
}
SignOff = Literal["pending", "agreed", "agreed with changes", "declined"]
#: Functions a sales-ops charter usually draws boundaries with.
ADJACENT_FUNCTIONS: tuple[str, ...] = (
    "Sales leadership", "RevOps", "Finance", "Marketing", "Sales enablement", "IT",
    "HR", "Customer success", "Product", "Legal",
)

#: (key, title) of each charter section, in document order; renderings follow it.
SECTIONS: tuple[tuple[str, str], ...] = (
    ("purpose", "Purpose and mission"),
    ("vision", "Vision of the selling system"),
    ("scope", "Scope and boundaries"),
    ("services", "Services"),
    ("objectives", "Strategic objectives and KPIs"),
    ("decisions", "Decision rights"),
    ("stakeholders", "Stakeholders and sign-off"),
    ("licence", "Licence to investigate"),
    ("cadence", "Operating cadence"),
    ("review", "Review and version history"),
)


class _Part(BaseModel):
    # Assignments are validated too: the editor widget sets fields one by one.
    model_config = ConfigDict(extra="forbid", validate_assignment=True)


class Screening(_Part):
    """The four screening questions for a candidate service; None means not answered yet.

    Attributes
    ----------
    informs_decisions
        Does it produce insight used in sales decisions?
    reach
        Does it benefit many sellers or few?
    helps_perform
        Does it help sales perform (win more, faster, at better margin)?
    better_elsewhere
        Would another function do it better?
    decision
        The analyst's own call, overriding the suggested outcome when set.
    note
        Why, in a sentence.
    """

    informs_decisions: bool | None = None
    reach: Literal["many", "few"] | None = None
    helps_perform: bool | None = None
    better_elsewhere: bool | None = None
    decision: Outcome | None = None
    note: str = ""


class Service(_Part):
    """A service the function offers: what, of which class, for whom, at what capacity."""

    name: str
    description: str = ""
    service_class: ServiceClass = "operational"
    customer: str = ""
    capacity_pct: float | None = Field(default=None, ge=0, le=100)
    screening: Screening = Field(default_factory=Screening)
    library_id: str | None = None


class MetricRef(_Part):
    """A KPI's link to a metric computed from the data, over a segment of a saved segmentation.

    With a link, a report computes the KPI's current value from the opportunities instead of
    relying on a typed number (see :func:`salesops_nb.links.kpi_status`).

    Attributes
    ----------
    metric
        A metric of the evidence queries: ``win_rate``, ``avg_cycle_days``, ``avg_discount``,
        ``avg_amount``, ``won_amount``, ``deal_count``, ``closed_count``, ``won_count``.
    segmentation
        Name of the segmentation spec in the workspace whose segment is measured.
    segment, stratum
        The segment label (and stratum) measured; empty: all deals.
    """

    metric: str = "win_rate"
    segmentation: str = "main"
    segment: str = ""
    stratum: str = ""


class Kpi(_Part):
    """A key performance indicator with everything needed to track it.

    ``metric_ref`` (optional) links it to a metric computed from the data.
    """

    name: str
    definition: str = ""
    unit: str = ""
    direction: Literal["increase", "decrease"] = "increase"
    baseline: float | None = None
    target: float | None = None
    due: date | None = None
    owner: str = ""
    data_source: str = ""
    library_id: str | None = None
    metric_ref: MetricRef | None = None


class Objective(_Part):
    """A strategic objective, tied to revenue or profit and measured by KPIs."""

    title: str
    description: str = ""
    ties_to: Tie = ""
    kpis: list[Kpi] = Field(default_factory=list)
    library_id: str | None = None


class Decision(_Part):
    """A named decision and who plays which RACI role in it (party -> letter)."""

    name: str
    description: str = ""
    raci: dict[str, Role] = Field(default_factory=dict)
    library_id: str | None = None

    def accountable(self) -> list[str]:
        """The parties marked "A" (a sound decision has exactly one)."""
        return [party for party, role in self.raci.items() if role == "A"]


class Boundary(_Part):
    """One cell of the owns / influences / supports matrix: sales ops' stance on an area."""

    function: str
    area: str
    stance: Stance = "influences"
    note: str = ""


class Scope(_Part):
    """What the function covers, what it leaves out, and where it meets its neighbours."""

    in_scope: list[str] = Field(default_factory=list)
    out_of_scope: list[str] = Field(default_factory=list)
    boundaries: list[Boundary] = Field(default_factory=list)


class Stakeholder(_Part):
    """A stakeholder, whether they sponsor the charter, and their sign-off."""

    name: str
    role: str = ""
    function: str = ""
    sponsor: bool = False
    sign_off: SignOff = "pending"
    signed_on: date | None = None
    comment: str = ""


class Licence(_Part):
    """The licence clause: authority to pursue deficiencies wherever they occur."""

    authority: str = ""
    access: list[str] = Field(default_factory=list)
    escalation: str = ""


class CadenceItem(_Part):
    """A recurring review or report and who it is for."""

    name: str
    frequency: str = "monthly"
    audience: str = ""
    output: str = ""


class VersionEntry(_Part):
    """One line of the version history: who changed what, when."""

    version: str
    changed_on: date
    author: str
    summary: str = ""


class Charter(Artefact):
    """A strategic functional charter for a sales-operations function.

    Saved with :class:`~salesops_nb.workspace.Workspace` under ``<root>/charter/<name>.json``.
    Services are candidates until screened: :func:`~salesops_nb.charter.screening.included`
    gives the ones the charter commits to.
    """

    kind = "charter"
    model_config = ConfigDict(extra="forbid", validate_assignment=True)

    organisation: str = ""
    function_name: str = "Sales Operations"
    purpose: str = ""
    mission: str = ""
    vision: str = ""
    scope: Scope = Field(default_factory=Scope)
    services: list[Service] = Field(default_factory=list)
    objectives: list[Objective] = Field(default_factory=list)
    decisions: list[Decision] = Field(default_factory=list)
    stakeholders: list[Stakeholder] = Field(default_factory=list)
    licence: Licence = Field(default_factory=Licence)
    cadence: list[CadenceItem] = Field(default_factory=list)
    review_date: date | None = None
    versions: list[VersionEntry] = Field(default_factory=list)

    @property
    def title(self) -> str:
        """The document title, e.g. "Sales Operations charter: Acme"."""
        name = self.function_name.strip() or "Sales Operations"
        org = self.organisation.strip()
        return f"{name} charter: {org}" if org else f"{name} charter"
