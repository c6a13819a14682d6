"""The executive summary: the headline figures, the top findings and what to do next.

Every sentence is built from the review's computed results; every piece of user or data text
in it is escaped.
"""

from __future__ import annotations

from dataclasses import dataclass
from html import escape

from salesops_nb.review.build import Review
from salesops_nb.review.style import CSS, fmt_value

__all__ = ["Finding", "executive_summary", "next_steps", "top_findings"]


@dataclass(frozen=True)
class Finding:
    """One line of the summary: the fundamental it comes from and what it says (plain text)."""

    area: str
    text: str


def top_findings(review: Review) -> list[Finding]:
    """The most important finding of each fundamental, then workspace problems."""
    found: list[Finding] = []
    result = review.segmentation
    if result is not None:
        cells = _cells(review)
        if not cells.empty:
            cell = cells.iloc[0]
            found.append(Finding("Segmentation", (
                f"Largest gap: the {cell['stratum']} of {cell['segment']} wins "
                f"{fmt_value(result.metric, cell['value'])} against a segment benchmark of "
                f"{fmt_value(result.metric, cell['benchmark'])} ({cell['explanation']}).")))
        bad = sum(m.ok is False for m in result.quality)
        if bad:
            names = ", ".join(m.name for m in result.quality if m.ok is False)
            found.append(Finding("Segmentation", f"{bad} quality measure(s) miss their aim "
                                 f"({names}): read the comparisons of small segments with care."))
    open_analyses = _open_analyses(review)
    if open_analyses:
        roots = [node.answer for a in open_analyses.values() for node in a.root_causes()]
        text = f"{len(open_analyses)} open 5-Why analysis(es)"
        if roots:
            text += f"; root causes found: {'; '.join(roots[:3])}"
            text += f" (and {len(roots) - 3} more)" if len(roots) > 3 else ""
        found.append(Finding("5 Why", text + "."))
    if review.plan is not None:
        plan = review.plan.plan
        ends = [s + plan.item(i).duration for i, s in plan.schedule.starts.items()]
        peak = review.plan.saturation["ratio"].max() if len(review.plan.saturation) else 0.0
        found.append(Finding("Installments", (
            f"{len(plan.items)} installments scheduled over {max(ends, default=0)} "
            f"{plan.capacity.period}s; peak load {peak:.0%} of the change capacity"
            + (" (over capacity somewhere: re-plan)" if peak > 1 else " (absorbable)") + ".")))
    if review.maturity is not None:
        text = f"Charter maturity {review.maturity.score}/100 ({review.maturity.level})"
        measured = review.kpis[review.kpis["current"].notna()] if review.kpis is not None \
            else None
        if measured is not None and len(measured):
            kpi = measured.iloc[-1]
            text += (f"; KPI '{kpi['kpi']}' is {_number(kpi['current'], kpi['unit'])} against a "
                     f"target of {_number(kpi['target'], kpi['unit'])} ({kpi['status']})")
        found.append(Finding("Charter", text + "."))
    broken = review.status.broken if review.status is not None else []
    if broken or review.problems:
        found.append(Finding("Workspace", (
            f"{len(broken)} broken link(s) and {len(review.problems)} unreadable file(s) in "
            "the workspace: see the last section.")))
    return found


def next_steps(review: Review) -> list[str]:
    """What to do next, most valuable first (plain text)."""
    steps: list[str] = []
    cells = _cells(review)
    if not cells.empty:
        cell = cells.iloc[0]
        treatment = str(cell.get("treatment") or "").strip() or "an intervention"
        steps.append(f"Act on the {cell['stratum']} of {cell['segment']}: {treatment}.")
    if review.plan is not None:
        why = review.plan.explanations.sort_values("start_period")
        if len(why):
            first = why.iloc[0]
            steps.append(f"Start the first installment in {first['start']}: {first['title']}.")
    for name, analysis in _open_analyses(review).items():
        undone = [c for n in analysis.root_causes() for c in n.countermeasures
                  if c.status in ("planned", "in progress") and c.check is not None]
        if undone:
            check = undone[0].check
            steps.append(f"Check on {check.check_date:%Y-%m-%d} whether '{undone[0].action}' "
                         f"worked ({check.criterion()}; analysis {name}).")
            break
    if review.maturity is not None:
        first = review.maturity.fix_first(1)
        if first:
            steps.append(f"Charter: {first[0].suggestion or first[0].message}")
    if review.status is not None and review.status.broken:
        steps.append("Repair the broken links listed at the end (a renamed or deleted "
                     "artefact).")
    return steps


def executive_summary(review: Review) -> str:
    """The summary as an HTML fragment: headline figures, top findings, next steps."""
    deals = review.segment_deals
    closed = deals["is_closed"].fillna(False).astype(bool)
    won = deals["is_won"].fillna(False).astype(bool) & closed
    rate = won.sum() / closed.sum() if closed.sum() else None
    scope = f"segment {review.segment}" if review.segment else "all segments"
    tiles = [
        ("Deals in scope", f"{len(deals):,}"),
        ("Win rate", fmt_value("win_rate", rate)),
        ("Flagged cells", f"{len(_cells(review))}"),
        ("Installments", f"{len(review.plan.plan.items)}" if review.plan is not None else "–"),
        ("Charter maturity",
         f"{review.maturity.score}/100" if review.maturity is not None else "–"),
    ]
    figures = "".join(f'<div class="tile"><div class="figure">{escape(v)}</div>'
                      f'<div class="caption">{escape(k)}</div></div>' for k, v in tiles)
    findings = "".join(f"<li><b>{escape(f.area)}.</b> {escape(f.text)}</li>"
                       for f in top_findings(review))
    steps = "".join(f"<li>{escape(s)}</li>" for s in next_steps(review))
    return (f'{CSS}<div class="salesops-review">'
            f'<p class="scope">{escape(review.period[:1].upper() + review.period[1:])}; '
            f'{escape(scope)}.</p>'
            f'<div class="tiles">{figures}</div>'
            f"<h3>Top findings</h3><ul>{findings or '<li>Nothing to report.</li>'}</ul>"
            f"<h3>What to do next</h3><ol>{steps or '<li>Nothing pressing.</li>'}</ol>"
            f'<p class="source">{escape(review.source)}</p></div>')


def _cells(review: Review):
    from salesops_nb.links import flagged_cells

    if review.segmentation is None:
        import pandas as pd

        return pd.DataFrame()
    cells = flagged_cells(review.segmentation, n=50)
    if review.segment:
        cells = cells[cells["segment"].astype(str) == review.segment]
    return cells.reset_index(drop=True)


def _open_analyses(review: Review) -> dict:
    """Analyses with a root cause still lacking a finished countermeasure, or none yet."""
    out = {}
    for name, analysis in review.analyses.items():
        roots = analysis.root_causes()
        finished = roots and all(any(c.status == "done" for c in n.countermeasures)
                                 for n in roots)
        source = analysis.problem.source_segment
        if review.segment and source is not None and source.segment != review.segment:
            continue
        if not finished:
            out[name] = analysis
    return out


def _number(value, unit: str) -> str:
    if value is None or value != value:
        return "–"
    unit = str(unit or "")
    return f"{value:g}%" if unit.strip() == "%" else f"{value:g} {unit}".strip()
