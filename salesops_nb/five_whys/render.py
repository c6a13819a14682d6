"""Renderings of a 5-Why analysis: Mermaid, a Markdown outline, tables and an HTML report.

User text is data everywhere: Mermaid labels keep only letters, digits, spaces and a few safe
punctuation marks and write every other character as a Mermaid entity code (``#60;`` for
``<``), so quotes, brackets or ``<script>`` neither break the diagram nor run; Markdown escapes
its syntax characters and HTML; HTML goes through :func:`html.escape`. The HTML report draws
the tree with :func:`salesops_nb.five_whys.diagram.tree_svg`, so it needs no network.
"""

from __future__ import annotations

import datetime as dt
import re
from html import escape

import pandas as pd

from salesops_nb.five_whys.diagram import tree_svg
from salesops_nb.five_whys.effectiveness import checks_table
from salesops_nb.five_whys.evidence import describe_query, format_value
from salesops_nb.five_whys.lint import Finding, findings_table, summary
from salesops_nb.five_whys.model import Evidence, WhyAnalysis, WhyNode

__all__ = [
    "Html",
    "html_report",
    "html_table",
    "markdown_table",
    "mermaid",
    "mermaid_label",
    "node_label",
    "outline",
    "root_cause_table",
]

# '%' is left out too: "%%{...}%%" is a Mermaid directive wherever it appears.
_MERMAID_SAFE = re.compile(r"[\w .,:!?'/+()-]")


class Html(str):
    """A piece of HTML that notebooks display as HTML (no IPython import needed)."""

    def _repr_html_(self) -> str:
        return str(self)


# ----------------------------------------------------------------------------------- Mermaid
def mermaid_label(text: str, limit: int = 120) -> str:
    """Make ``text`` safe inside a quoted Mermaid label (``id["..."]``).

    Characters outside a small safe set become Mermaid entity codes (``#34;`` for a double
    quote, ``#60;`` for ``<``), line breaks become spaces, and long text is cut with ``…``.

    >>> mermaid_label('Say "hi" <script>')
    'Say #34;hi#34; #60;script#62;'
    """
    text = " ".join(str(text).split())
    if len(text) > limit:
        text = text[: limit - 1] + "…"
    return "".join(c if _MERMAID_SAFE.fullmatch(c) and c != "_" else f"#{ord(c)};" for c in text)


def mermaid(analysis: WhyAnalysis, *, direction: str = "LR") -> str:
    """The tree as a Mermaid flowchart (for JupyterLab Markdown, wikis, slides).

    Node ids are generated (``p``, ``n1``, ``n2`` ...), never taken from user text; root causes
    get the ``root`` class, refuted causes the ``refuted`` class.
    """
    if direction not in ("LR", "TB", "RL", "BT"):
        raise ValueError(f"direction must be LR, TB, RL or BT, not {direction!r}")
    ids = {node.id: f"n{i + 1}" for i, node in enumerate(analysis.ordered())}
    lines = [f"flowchart {direction}",
             f'    p["{mermaid_label(_problem_label(analysis), 160)}"]']
    for node in analysis.ordered():
        prefix = f"Why {analysis.depth(node.id)}, {node.status}"
        if node.root_cause:
            prefix = "ROOT CAUSE, " + prefix
        lines.append(f'    {ids[node.id]}["{mermaid_label(f"{prefix}: {node.answer}")}"]')
        parent = ids[node.parent] if node.parent else "p"
        lines.append(f"    {parent} --> {ids[node.id]}")
    lines += [
        "    classDef problem fill:#fff3e0,stroke:#ef6c00",
        "    classDef root stroke:#1565c0,stroke-width:3px",
        "    classDef refuted fill:#fdecea,stroke:#c62828,stroke-dasharray:5 4",
        "    class p problem",
    ]
    roots = [ids[n.id] for n in analysis.ordered() if n.root_cause]
    refuted = [ids[n.id] for n in analysis.ordered() if n.status == "refuted"]
    if roots:
        lines.append(f"    class {','.join(roots)} root")
    if refuted:
        lines.append(f"    class {','.join(refuted)} refuted")
    return "\n".join(lines)


def _problem_label(analysis: WhyAnalysis) -> str:
    problem = analysis.problem
    if problem.what.strip():
        return f"Problem: {problem.what.strip()}" + (f", {problem.how_big.strip()}"
                                                      if problem.how_big.strip() else "")
    return f"Problem: {problem.statement()}"


# ---------------------------------------------------------------------------------- Markdown
# Markdown syntax that can act in the middle of a line: emphasis, code, links, tables, HTML.
_MD_SPECIAL = re.compile(r"([\\`*_{}\[\]#|~])")


def _md(text: str) -> str:
    """Escape user text for Markdown: HTML first, then Markdown's syntax characters."""
    return _MD_SPECIAL.sub(r"\\\1", escape(" ".join(str(text).split()), quote=False))


def outline(analysis: WhyAnalysis) -> str:
    """The tree as a nested Markdown list, with status, evidence and countermeasures."""
    lines = [f"**Problem:** {_md(analysis.problem.statement())}", ""]
    for node in analysis.ordered():
        indent = "  " * (analysis.depth(node.id) - 1)
        mark = " **root cause**" if node.root_cause else ""
        lines.append(f"{indent}- **Why {analysis.depth(node.id)}** ({node.id}, {node.status})"
                     f"{mark}: {_md(node.answer)}")
        for evidence in node.evidence:
            lines.append(f"{indent}  - evidence: {_md(_evidence_text(evidence))}")
        if node.stop_reason.strip():
            lines.append(f"{indent}  - stopped here because: {_md(node.stop_reason)}")
        for measure in node.countermeasures:
            due = measure.due.isoformat() if measure.due else "no date"
            lines.append(f"{indent}  - countermeasure {measure.id}: {_md(measure.action)} "
                         f"(owner: {_md(measure.owner or 'none')}, due {due}, {measure.status})")
    return "\n".join(lines)


def markdown_table(frame: pd.DataFrame) -> str:
    """A Markdown table of ``frame`` with every cell escaped (pipes and line breaks too)."""
    header = "| " + " | ".join(_md(c) for c in frame.columns) + " |"
    rule = "|" + "---|" * len(frame.columns)
    rows = ["| " + " | ".join(_md(v) for v in row) + " |"
            for row in frame.astype(str).itertuples(index=False)]
    return "\n".join([header, rule, *rows])


# ------------------------------------------------------------------------------------ tables
def root_cause_table(analysis: WhyAnalysis) -> pd.DataFrame:
    """One row per root cause: depth, cause, status, control, evidence, countermeasures."""
    rows = []
    for node in analysis.root_causes():
        measures = "; ".join(
            f"{m.action} ({m.owner or 'no owner'}, {m.due.isoformat() if m.due else 'no date'})"
            for m in node.countermeasures) or "none yet"
        control = {True: "yes", False: "no", None: "not judged"}[node.within_control]
        rows.append({
            "why": analysis.depth(node.id),
            "root cause": node.answer,
            "status": node.status,
            "within control": control,
            "evidence": f"{len(node.evidence)} ({sum(e.verified for e in node.evidence)} verified)",
            "countermeasures": measures,
        })
    columns = ["why", "root cause", "status", "within control", "evidence", "countermeasures"]
    return pd.DataFrame(rows, columns=columns)


def _evidence_text(evidence: Evidence) -> str:
    check = "verified" if evidence.verified else "not verified"
    if evidence.kind == "query" and evidence.query is not None:
        value = "not computed"
        if evidence.result is not None:
            stamp = evidence.result.computed_at.strftime("%Y-%m-%d %H:%M")
            value = (f"{format_value(evidence.query.metric, evidence.result.value)} on "
                     f"{evidence.result.n:,} deals, computed {stamp}")
        caption = f"{evidence.text}: " if evidence.text else ""
        return f"{caption}{describe_query(evidence.query)} = {value} ({check})"
    if evidence.kind == "link":
        return f"{evidence.text or 'link'} <{evidence.url}> ({check})"
    return f"{evidence.text} ({check})"


# -------------------------------------------------------------------------------------- HTML
def html_table(frame: pd.DataFrame, *, empty: str = "None.") -> str:
    """A plain HTML table with every header and cell escaped."""
    if frame.empty:
        return f'<p class="empty">{escape(empty)}</p>'
    head = "".join(f"<th>{escape(str(c))}</th>" for c in frame.columns)
    body = "".join("<tr>" + "".join(f"<td>{escape(str(v))}</td>" for v in row) + "</tr>"
                   for row in frame.itertuples(index=False))
    return (f'<table class="salesops-table"><thead><tr>{head}</tr></thead>'
            f"<tbody>{body}</tbody></table>")


def _html_outline(analysis: WhyAnalysis, parent: str | None = None) -> str:
    children = analysis.children(parent)
    if not children:
        return ""
    items = []
    for node in children:
        notes = [f"<li>evidence: {escape(_evidence_text(e))}</li>" for e in node.evidence]
        if node.stop_reason.strip():
            notes.append(f"<li>stopped here because: {escape(node.stop_reason)}</li>")
        notes += [f"<li>countermeasure {escape(m.id)}: {escape(m.action)} (owner: "
                  f"{escape(m.owner or 'none')}, due {m.due or 'no date'})</li>"
                  for m in node.countermeasures]
        mark = " <strong>root cause</strong>" if node.root_cause else ""
        sub = f"<ul>{''.join(notes)}</ul>" if notes else ""
        items.append(f"<li><strong>Why {analysis.depth(node.id)}</strong> ({escape(node.id)}, "
                     f"{escape(node.status)}){mark}: {escape(node.answer)}{sub}"
                     f"{_html_outline(analysis, node.id)}</li>")
    return f"<ul>{''.join(items)}</ul>"


_CSS = """<style>
.salesops-why h3{margin:1.2em 0 .4em}
.salesops-why .diagram{overflow-x:auto;border:1px solid #e0e0e0;padding:4px;background:#fff}
.salesops-why table.salesops-table{border-collapse:collapse;font-size:13px;margin:.4em 0}
.salesops-why table.salesops-table th,.salesops-why table.salesops-table td{
 border:1px solid #e0e0e0;padding:4px 8px;text-align:left;vertical-align:top}
.salesops-why table.salesops-table th{background:#f5f5f5}
</style>"""


def html_report(
    analysis: WhyAnalysis,
    *,
    findings: list[Finding] | None = None,
    today: dt.date | None = None,
    sections: tuple[str, ...] = ("problem", "diagram", "roots", "checks", "measures", "outline"),
    headings: bool = True,
) -> Html:
    """The analysis as one self-contained HTML fragment (no script, no network).

    Parameters
    ----------
    analysis
        The analysis to show.
    findings
        Coaching findings from :func:`~salesops_nb.five_whys.lint.lint` (section ``checks``);
        None leaves the findings out.
    today
        Date used to say whether countermeasure checks are due.
    sections
        Which parts, in order: ``problem``, ``diagram``, ``roots`` (root causes and
        countermeasures), ``checks`` (findings and summary measures), ``measures``
        (countermeasure effectiveness), ``outline``.
    headings
        Give each section its heading (leave them out when the page titles the sections).
    """

    def heading(text: str) -> str:
        return f"<h3>{text}</h3>" if headings else ""

    parts = ['<div class="salesops-why">', _CSS]
    for section in sections:
        if section == "problem":
            parts.append(f"<h3>{escape(analysis.title)}</h3>"
                         f"<p><strong>Problem:</strong> {escape(analysis.problem.statement())}</p>")
            if analysis.team or analysis.date:
                parts.append(f"<p>Team: {escape(analysis.team or '–')}; date: "
                             f"{analysis.date.isoformat() if analysis.date else '–'}</p>")
        elif section == "diagram":
            parts.append(f'<div class="diagram">{tree_svg(analysis)}</div>')
        elif section == "roots":
            parts.append(heading("Root causes and countermeasures"))
            parts.append(html_table(root_cause_table(analysis), empty="No root cause marked yet."))
        elif section == "checks":
            parts.append(heading("Coaching checks"))
            parts.append(html_table(summary(analysis).table()))
            if findings is not None:
                parts.append(html_table(findings_table(findings),
                                        empty="No findings: the analysis passes every check."))
        elif section == "measures":
            parts.append(heading("Did the countermeasures work?"))
            parts.append(html_table(checks_table(analysis, today=today),
                                    empty="No countermeasure yet."))
        elif section == "outline":
            parts.append(heading("Outline") + _html_outline(analysis))
        else:
            raise ValueError(f"unknown section {section!r}")
    parts.append("</div>")
    return Html("\n".join(parts))


def node_label(analysis: WhyAnalysis, node: WhyNode, limit: int = 60) -> str:
    """A short plain-text label of a node for pickers: ``Why 2 · w3 · answer…``."""
    text = " ".join(node.answer.split())
    text = text if len(text) <= limit else text[: limit - 1] + "…"
    return f"Why {analysis.depth(node.id)} · {node.id} · {text}"
