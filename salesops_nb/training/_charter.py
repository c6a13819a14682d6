"""Exercise check of a charter, or of one of its KPIs."""

from __future__ import annotations

import datetime as dt
from typing import Any

from salesops_nb.errors import SalesOpsError
from salesops_nb.training._shared import validated
from salesops_nb.training.feedback import Feedback, Note, capped, join_names

__all__ = ["charter"]


def charter(charter: Any, *, kpi: str | None = None, today: dt.date | None = None) -> Feedback:
    """Check a charter with the charter coaching checks, or just one KPI of it.

    Parameters
    ----------
    charter
        A :class:`~salesops_nb.charter.Charter` (or its dict / JSON form).
    kpi
        Name of the KPI to check (case-insensitive): only it and its objective are judged,
        and an undefined KPI (no definition or data source) fails too. None: the whole
        charter, where errors and warnings fail and the rest are tips.
    today
        The date the review-date check compares with (default today).
    """
    from salesops_nb.charter import Charter, LintConfig, lint, maturity

    title = "Charter" if kpi is None else f"Charter KPI '{kpi}'"
    try:
        charter = validated(Charter, charter, "charter")
    except SalesOpsError as err:
        return Feedback(title, (Note("fix", err.message, err.hint, "charter"),))
    config = LintConfig(today=today)
    findings = lint(charter, config)
    if kpi is None:
        notes = [Note("fix" if f.severity in ("error", "warning") else "tip", f.message,
                      f.suggestion, f.rule) for f in findings]
        notes += _direction_notes(charter, None)
        report = maturity(charter, config)
        notes = capped(notes)
        if not any(n.level == "fix" for n in notes):
            notes.append(Note("pass", "No errors or warnings: every objective has a complete "
                              "KPI, every decision one decider, and the licence clause stands "
                              f"(maturity {report.score}/100, {report.level}).", topic="summary"))
        return Feedback(title, tuple(notes), (("maturity", f"{report.score}/100"),
                                              ("level", report.level)))
    found = _find_kpi(charter, kpi)
    if found is None:
        names = [k.name for o in charter.objectives for k in o.kpis]
        where = (f"Add it to an objective: charter.objectives[0].kpis.append(Kpi(name={kpi!r}, "
                 "...)). KPIs now: " + (join_names(names) or "none") + ".")
        return Feedback(title, (Note("fix", f"The charter has no KPI named {kpi!r}.", where,
                                     "missing kpi"),))
    i, j = found
    objective, target = charter.objectives[i], charter.objectives[i].kpis[j]
    mine = (f"objectives[{i}]", f"objectives[{i}].kpis[{j}]")
    notes = [Note("fix", f.message, f.suggestion, f.rule) for f in findings if f.where in mine
             and f.rule != "objective-without-kpi"]
    notes += _direction_notes(charter, (i, j))
    if not any(n.level == "fix" for n in notes):
        unit = target.unit
        notes.append(Note("pass", f"KPI {target.name!r} can be tracked: {target.baseline:g}"
                          f"{unit} -> {target.target:g}{unit} by {target.due}, owned by "
                          f"{target.owner}, measured from {target.data_source}; its objective "
                          f"{objective.title!r} ties to {objective.ties_to}.", topic="summary"))
    return Feedback(title, tuple(notes))


def _find_kpi(charter: Any, name: str) -> tuple[int, int] | None:
    wanted = name.strip().casefold()
    for i, objective in enumerate(charter.objectives):
        for j, kpi in enumerate(objective.kpis):
            if kpi.name.strip().casefold() == wanted:
                return i, j
    return None


def _direction_notes(charter: Any, only: tuple[int, int] | None) -> list[Note]:
    """A target on the wrong side of the baseline: the KPI would 'improve' by getting worse."""
    notes = []
    for i, objective in enumerate(charter.objectives):
        for j, kpi in enumerate(objective.kpis):
            if (only is not None and (i, j) != only) or kpi.baseline is None \
                    or kpi.target is None:
                continue
            wrong = kpi.target <= kpi.baseline if kpi.direction == "increase" \
                else kpi.target >= kpi.baseline
            if wrong:
                side = "above" if kpi.direction == "increase" else "below"
                notes.append(Note(
                    "fix", f"KPI {kpi.name!r}: the target {kpi.target:g} is not {side} the "
                    f"baseline {kpi.baseline:g}, but the KPI should {kpi.direction}.",
                    f"Set a target {side} today's value, or set direction="
                    f"{'decrease' if kpi.direction == 'increase' else 'increase'!r}.",
                    "kpi-direction"))
    return notes
