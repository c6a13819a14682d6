"""One HTML fragment (and its charts) per fundamental, for the sections of the combined review.

Each function takes the :class:`~salesops_nb.review.build.Review` and returns escaped HTML, so
a template cell is one call. Charts are methods of the domain results, drawn on aggregates.
"""

from __future__ import annotations

from html import escape

import pandas as pd

from salesops_nb.review.build import Review
from salesops_nb.review.style import CSS, fmt_value, table_html

__all__ = [
    "charter_html",
    "five_whys_html",
    "installments_html",
    "kpi_chart",
    "load_chart",
    "priority_chart",
    "roadmap_chart",
    "segmentation_html",
    "workspace_html",
]


def _wrap(body: str) -> str:
    return f'{CSS}<div class="salesops-review">{body}</div>'


def _missing(kind: str, tool: str) -> str:
    return _wrap(f'<p class="note">No {escape(kind)} is saved in the workspace yet: build one '
                 f"with the {escape(tool)} and run this report again.</p>")


# -- segmentation --------------------------------------------------------------------------


def segmentation_html(review: Review, top: int = 10) -> str:
    """Which spec, its quality verdicts, the treatment priorities and the flagged entities."""
    from salesops_nb.segmentation import tables

    result = review.segmentation
    if result is None:
        return _wrap('<p class="note">The segmentation could not be applied to these deals: '
                     "see the workspace section at the end.</p>")
    spec = (f"the saved spec <b>{escape(result.spec.name)}</b>" if review.names["segmentation"]
            else f"the default spec <b>{escape(result.spec.name)}</b> (none saved)")
    used = int((result.profile["count"] > 0).sum())
    intro = (f"<p>{len(result.table):,} {escape(result.entity)} in {used} segments by {spec}, "
             f"judged on <b>{escape(result.metric.replace('_', ' '))}</b> against the peers "
             "of their own segment.</p>")
    quality = tables.quality_table(result)[["measure", "value", "aim_met", "verdict"]]
    priorities = tables.priority_table(result, top=200)
    flagged = tables.flagged_table(result, "bad")
    if review.segment:
        priorities = priorities[priorities["segment"].astype(str) == review.segment]
        flagged = flagged[flagged["segment"].astype(str) == review.segment]
    priorities = priorities.drop(columns=["kind"], errors="ignore").head(top)
    metric = result.metric
    shown = flagged.head(top).copy()
    for column in (f"own_{metric}", f"shrunk_{metric}"):
        if column in shown:
            shown[column] = shown[column].map(lambda v: fmt_value(metric, v))
    shown = shown.drop(columns=[c for c in ("peers", "treatment") if c in shown])
    return _wrap(
        intro
        + "<h3>Quality of the segmentation</h3>"
        + table_html(quality, status="aim_met", widths={"verdict": "55%"})
        + "<h3>Treatment priorities</h3><p class=\"note\">Cells ranked by gap to the segment "
        "benchmark x volume: below the benchmark, lifting the cell pays; above it, the figure "
        "is what a protection guards.</p>"
        + table_html(priorities, empty="No cell to prioritise.", widths={"gap_x_volume": "32%"})
        + "<h3>Flagged bad within their segment</h3>"
        + table_html(shown, empty="No entity is flagged bad.", max_rows=top))


def priority_chart(review: Review, top: int = 10):
    """Where acting pays most (the segment filter applied); None without a segmentation."""
    result = review.segmentation
    if result is None:
        return None
    if review.segment:
        from salesops_nb.segmentation.charts.comparison import priority_chart as chart

        rows = result.priorities[result.priorities["segment"].astype(str) == review.segment]
        return chart(rows, top=top, unit="deals-equivalent")
    return result.priority_chart(top=top)


# -- 5 Why --------------------------------------------------------------------------


def five_whys_html(review: Review) -> str:
    """Each 5-Why analysis: problem, where it came from, the tree, root causes and actions."""
    from salesops_nb.five_whys.diagram import tree_svg
    from salesops_nb.five_whys.render import root_cause_table

    if not review.analyses:
        return _missing("5-Why analysis", "5 Why editor")
    broken = {link.source_name: link for link in review.status.links
              if link.source_kind == "five_whys" and not link.ok} if review.status else {}
    parts = []
    for name, analysis in review.analyses.items():
        ref = analysis.problem.source_segment
        origin = ""
        if ref is not None:
            origin = (f"<p>Created from the segmentation cell <b>{escape(ref.segment)}"
                      + (f", {escape(ref.stratum)}" if ref.stratum else "") + "</b>"
                      + (f" (link broken: {escape(broken[name].problem)})" if name in broken
                         else "") + ".</p>")
        roots = root_cause_table(analysis)
        actions = pd.DataFrame(
            [{"countermeasure": c.action, "root_cause": n.answer, "owner": c.owner or "–",
              "due": c.due.isoformat() if c.due else "–", "status": c.status,
              "success_criterion": c.check.criterion() if c.check else "none set"}
             for n in analysis.root_causes() for c in n.countermeasures])
        parts.append(
            f"<h3>{escape(analysis.title)}</h3>"
            f"<p><b>Problem:</b> {escape(analysis.problem.statement())}</p>{origin}"
            f'<div class="diagram">{tree_svg(analysis)}</div>'
            "<h4>Root causes</h4>"
            + table_html(roots[["why", "root cause", "status", "within control", "evidence"]],
                         empty="No root cause marked yet.", widths={"root cause": "50%"})
            + "<h4>Countermeasures</h4>"
            + table_html(actions, empty="No countermeasure yet.", status="status",
                         widths={"countermeasure": "28%", "root_cause": "28%"}))
    return _wrap("".join(parts))


# -- installments --------------------------------------------------------------------------


def installments_html(review: Review) -> str:
    """The plan's headline figures and its schedule, each item with what it is linked to."""
    if review.plan is None:
        return _missing("installment plan", "installment planner")
    analysis = review.plan
    plan = analysis.plan
    why = analysis.explanations.set_index("id")
    links = {(link.where, link.target_kind): link for link in review.status.links
             if link.source_kind == "installments"} if review.status else {}
    rows = []
    for item in sorted(plan.items, key=lambda i: plan.schedule.starts.get(i.id, 0)):
        rows.append({
            "installment": item.title, "starts": why.loc[item.id, "start"],
            "ends": why.loc[item.id, "end"],
            "root_cause": _link_text(links.get((f"item {item.id}", "five_whys")), item.root_cause),
            "serves_objective": _link_text(links.get((f"item {item.id}", "charter")),
                                           item.objective),
        })
    intro = (f"<p><b>{escape(plan.title)}</b>: {len(plan.items)} installments, "
             f"{escape(plan.capacity.period)}ly periods from "
             f"{plan.capacity.period_label(0)}.</p>")
    return _wrap(intro + table_html(analysis.summary(), widths={"measure": "55%"})
                 + "<h3>Schedule</h3>"
                 + table_html(pd.DataFrame(rows), widths={"installment": "32%"}))


def _link_text(link, ref) -> str:
    if ref is None:
        return "–"
    text = f"{ref.analysis} / {ref.node}" if hasattr(ref, "node") else ref.objective
    if link is not None and not link.ok:
        return f"{text} (broken link)"
    return text


def roadmap_chart(review: Review):
    """Gantt chart of the schedule."""
    from salesops_nb.installments.charts import roadmap

    plan = review.plan.plan
    return roadmap(plan.items, plan.capacity, plan.schedule, score_method=plan.score)


def load_chart(review: Review):
    """Change load against capacity per group and period."""
    from salesops_nb.installments.charts import load_heatmap

    return load_heatmap(review.plan.saturation)


# -- charter --------------------------------------------------------------------------


def charter_html(review: Review) -> str:
    """Maturity score and breakdown, KPI status from the data, and what to fix first."""
    if review.charter is None:
        return _missing("charter", "charter editor")
    report = review.maturity
    kpis = review.kpis.copy()
    for column in ("baseline", "target", "current"):
        kpis[column] = kpis[column].map(lambda v: "–" if v is None or v != v else f"{v:g}")
    first = pd.DataFrame([{"severity": f.severity, "finding": f.message,
                           "suggestion": f.suggestion} for f in report.fix_first(3)])
    return _wrap(
        f"<p><b>{escape(review.charter.title)}</b>: maturity <b>{report.score}/100</b> "
        f"({escape(report.level)}).</p>"
        + table_html(report.table()[["dimension", "points", "max_points", "how_scored"]],
                     widths={"how_scored": "55%"})
        + "<h3>KPI status</h3><p class=\"note\">KPIs linked to the data are measured on the "
        "deals of this report; the others keep their typed values.</p>"
        + table_html(kpis.drop(columns=["objective"]), status="status",
                     widths={"kpi": "26%", "measured_on": "26%"})
        + "<h3>Fix first</h3>"
        + table_html(first, empty="No findings: the charter passes every check.",
                     widths={"finding": "40%"}))


def kpi_chart(review: Review):
    """Each data-linked KPI: baseline to target as a grey bar, the current value as a dot.

    One panel per unit (a percentage and a number of days do not share an axis); None when no
    KPI is measured on the data.
    """
    import altair as alt

    kpis = review.kpis if review.kpis is not None else pd.DataFrame()
    if kpis.empty:
        return None
    usable = kpis[kpis["current"].notna() & kpis["target"].notna()]
    if usable.empty:
        return None
    data = pd.DataFrame({
        "kpi": usable["kpi"].astype(str), "unit": usable["unit"].astype(str),
        "baseline": pd.to_numeric(usable["baseline"]).fillna(pd.to_numeric(usable["current"])),
        "current": pd.to_numeric(usable["current"]), "target": pd.to_numeric(usable["target"]),
        "status": usable["status"].astype(str)})
    base = alt.Chart(data).encode(y=alt.Y("kpi:N", title=None, axis=alt.Axis(labelLimit=300)))
    span = base.mark_rule(color="#b0bec5", strokeWidth=8).encode(
        x=alt.X("baseline:Q", title="value in the KPI's unit", scale=alt.Scale(zero=False)),
        x2="target:Q")
    target = base.mark_tick(color="#1f3b57", thickness=3, size=22).encode(x="target:Q")
    current = base.mark_circle(size=140, opacity=1).encode(
        x="current:Q",
        color=alt.Color("status:N", title="Status", legend=alt.Legend(orient="top"),
                        scale=alt.Scale(domain=list(_STATUS_COLOURS),
                                        range=list(_STATUS_COLOURS.values()))),
        tooltip=["kpi", "unit", "baseline", "current", "target", "status"])
    layers = alt.layer(span, target, current).properties(width=560,
                                                         height=max(50, 34 * len(data)))
    chart = layers.facet(row=alt.Row("unit:N", title="unit")) \
        if data["unit"].nunique() > 1 else layers
    return chart.properties(title=alt.Title(
        "KPIs measured on the data",
        subtitle="Grey bar: from the baseline to the target (dark tick); dot: the current value"))


_STATUS_COLOURS = {"target met": "#2e7d32", "improving": "#66bb6a", "not moved yet": "#f9a825",
                   "behind baseline": "#c62828", "no target": "#90a4ae",
                   "no deals in the period": "#90a4ae"}


# -- workspace --------------------------------------------------------------------------


def workspace_html(review: Review) -> str:
    """The artefacts behind the review, their checks and any broken link or unreadable file."""
    status = review.status
    table = status.table().drop(columns=["problem"]) if status is not None else pd.DataFrame()
    broken = "".join(f"<li>{escape(link.describe())}</li>" for link in status.broken) \
        if status is not None else ""
    problems = "".join(f"<li>{escape(p)}</li>" for p in review.problems)
    return _wrap(
        table_html(table, empty="No artefacts.")
        + f"<p>{len(status.links) if status else 0} links between the artefacts, "
        f"{len(status.broken) if status else 0} broken.</p>"
        + (f"<p><b>Broken links</b></p><ul>{broken}</ul>" if broken else "")
        + (f"<p><b>Files that cannot be read</b></p><ul>{problems}</ul>" if problems else ""))
