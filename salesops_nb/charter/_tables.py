"""The charter's tables as plain strings, shared by the Markdown, HTML and DOCX renderings.

Each function returns ``(headers, rows)`` of unescaped text; every renderer escapes for its own
format. Keeping the content in one place means the three exports always say the same thing.
"""

from __future__ import annotations

from datetime import date

from salesops_nb.charter.model import Charter, Objective
from salesops_nb.charter.screening import (
    OUTCOME_LABELS,
    boundary_matrix,
    included,
    outcome,
    sign_off_status,
    suggest,
)

Table = tuple[list[str], list[list[str]]]


def number(value: float | None) -> str:
    """A number as a person writes it: 21 not 21.0, 3.2 stays 3.2; blank when missing."""
    return "" if value is None else f"{value:g}"


def day(value: date | None) -> str:
    """A date as YYYY-MM-DD; blank when missing."""
    return "" if value is None else value.isoformat()


def services_table(charter: Charter) -> Table:
    """The services the charter commits to."""
    rows = [
        [s.name, s.service_class, s.customer, number(s.capacity_pct), s.description]
        for s in included(charter)
    ]
    return ["Service", "Class", "Customer", "Capacity %", "Description"], rows


def screening_rows(charter: Charter) -> Table:
    """Every candidate service with its screening outcome and the reason."""
    rows = []
    for s in charter.services:
        suggested, reason = suggest(s.screening)
        note = s.screening.note or reason
        rows.append([
            s.name, s.service_class, s.customer,
            OUTCOME_LABELS.get(suggested or "", "not screened"), OUTCOME_LABELS[outcome(s)], note,
        ])
    return ["Candidate service", "Class", "Customer", "Suggested", "Outcome", "Why"], rows


def boundaries_table(charter: Charter) -> Table:
    """The owns / influences / supports matrix, areas by adjacent functions."""
    matrix = boundary_matrix(charter)
    headers = ["Area", *[str(c) for c in matrix.columns[1:]]]
    return headers, [[str(v) for v in row] for row in matrix.itertuples(index=False)]


def boundary_notes(charter: Charter) -> list[tuple[str, str]]:
    """("area (function)", note) for boundaries that carry a note."""
    return [(f"{b.area} ({b.function})", b.note) for b in charter.scope.boundaries
            if b.note.strip()]


def kpi_table(objective: Objective) -> Table:
    """The KPIs measuring one objective."""
    rows = [
        [k.name, k.definition, number(k.baseline), number(k.target), k.unit, day(k.due),
         k.owner, k.data_source]
        for k in objective.kpis
    ]
    headers = ["KPI", "Definition", "Baseline", "Target", "Unit", "Due", "Owner", "Data source"]
    return headers, rows


def raci_table(charter: Charter) -> Table:
    """Decisions by parties, each cell a RACI letter; parties in first-mentioned order."""
    parties = list(dict.fromkeys(p for d in charter.decisions for p in d.raci))
    rows = [[d.name, *[d.raci.get(p, "") for p in parties]] for d in charter.decisions]
    return ["Decision", *parties], rows


def decision_notes(charter: Charter) -> list[tuple[str, str]]:
    """(decision name, description) for decisions that have a description."""
    return [(d.name, d.description) for d in charter.decisions if d.description.strip()]


def stakeholder_table(charter: Charter) -> Table:
    """Stakeholders with their sign-off: the tracker of the treaty test."""
    rows = [
        [p.name, p.role, p.function, "yes" if p.sponsor else "", p.sign_off, day(p.signed_on),
         p.comment]
        for p in charter.stakeholders
    ]
    return ["Name", "Role", "Function", "Sponsor", "Sign-off", "Signed on", "Comment"], rows


def sign_off_summary(charter: Charter) -> str:
    """One sentence on where the sign-off stands."""
    status = sign_off_status(charter)
    if not status.total:
        return "No stakeholder listed yet."
    sponsor = "the sponsor has agreed" if status.sponsor_agreed else "the sponsor has not agreed"
    verdict = ("every stakeholder has signed" if status.passes_treaty_test
               else "not every go-to-market leader has signed yet")
    return f"{len(status.agreed)} of {status.total} agreed; {sponsor}; {verdict}."


def cadence_table(charter: Charter) -> Table:
    """Recurring reviews and reports."""
    rows = [[c.name, c.frequency, c.audience, c.output] for c in charter.cadence]
    return ["Review or report", "Frequency", "Audience", "Output"], rows


def versions_table(charter: Charter) -> Table:
    """The version history, oldest first."""
    rows = [[v.version, day(v.changed_on), v.author, v.summary] for v in charter.versions]
    return ["Version", "Date", "Author", "What changed"], rows


def findings_table(findings: list) -> Table:
    """Coaching-check findings (from :func:`~salesops_nb.charter.lint.lint`)."""
    rows = [[f.severity, f.section, f.message, f.suggestion] for f in findings]
    return ["Severity", "Section", "Finding", "Suggestion"], rows


def maturity_table(report) -> Table:
    """The maturity breakdown (from :func:`~salesops_nb.charter.maturity.maturity`)."""
    rows = [
        [d.name, f"{d.points:.1f}", str(d.max_points), d.detail] for d in report.dimensions
    ]
    return ["Dimension", "Points", "Out of", "How scored"], rows
