"""The charter as Markdown: one heading per section, tables for services, KPIs, RACI and sign-off.

User text is data: characters that Markdown or embedded HTML would interpret (``<``, ``&``,
``|``, ``*``, ``_``, backticks, brackets, leading ``#``) are escaped, and line breaks inside a
table cell become ``<br>`` so a cell cannot break its table.
"""

from __future__ import annotations

import html
import re

from salesops_nb.charter import _tables
from salesops_nb.charter.lint import Finding
from salesops_nb.charter.maturity import MaturityReport
from salesops_nb.charter.model import SECTIONS, Charter

__all__ = ["escape_markdown", "to_markdown"]

# Inline punctuation Markdown acts on; "(" and "!" only matter next to "[", which is escaped.
_SPECIAL = re.compile(r"([\\`*_\[\]|~])")
# Characters that start a block (heading, list, numbered list) at the start of a line.
_BLOCK_START = re.compile(r"^([#+-]|\d+(?=[.)]))")
_TITLES = dict(SECTIONS)


def escape_markdown(text: str) -> str:
    """Escape ``text`` so Markdown shows it literally, on one line.

    HTML-significant characters become entities (a Markdown viewer would otherwise run embedded
    tags), Markdown punctuation gets a backslash, and line breaks become ``<br>``.

    >>> escape_markdown("<b>*Q3* | plan</b>")
    '&lt;b&gt;\\\\*Q3\\\\* \\\\| plan&lt;/b&gt;'
    """
    escaped = html.escape(str(text), quote=False)
    escaped = _SPECIAL.sub(r"\\\1", escaped)
    lines = [_BLOCK_START.sub(_escape_block, line.strip()) for line in escaped.splitlines()]
    return "<br>".join(lines)


def to_markdown(
    charter: Charter,
    *,
    findings: list[Finding] | None = None,
    report: MaturityReport | None = None,
) -> str:
    """Render ``charter`` as a Markdown document.

    Parameters
    ----------
    charter
        The charter.
    findings, report
        When given, a "Coaching checks" section lists them (leave out for the copy circulated
        for sign-off).

    Returns
    -------
    str
        The document; every section of :data:`~salesops_nb.charter.model.SECTIONS` has a
        ``##`` heading, with "Not written yet." under an empty one.
    """
    e = escape_markdown
    out = [f"# {e(charter.title)}", ""]
    if charter.versions:
        latest = charter.versions[-1]
        out += [f"*Version {e(latest.version)}, {latest.changed_on.isoformat()}*", ""]

    out += _heading("purpose")
    out += _para("Purpose", charter.purpose) + _para("Mission", charter.mission)
    if not (charter.purpose.strip() or charter.mission.strip()):
        out += [_EMPTY, ""]
    out += _heading("vision") + (_para("", charter.vision) or [_EMPTY, ""])

    out += _heading("scope")
    out += _bullets("In scope", charter.scope.in_scope)
    out += _bullets("Out of scope", charter.scope.out_of_scope)
    out += ["**Boundaries with adjacent functions** (owns / influences / supports)", ""]
    out += _table(_tables.boundaries_table(charter))
    out += _notes(_tables.boundary_notes(charter))

    out += _heading("services") + _table(_tables.services_table(charter))
    out += ["**Screening of candidate services**", "", *_table(_tables.screening_rows(charter))]

    out += _heading("objectives")
    if not charter.objectives:
        out += [_EMPTY, ""]
    for objective in charter.objectives:
        tie = f" (ties to {objective.ties_to})" if objective.ties_to else " (not tied yet)"
        out += [f"### {e(objective.title)}{tie}", ""]
        out += _para("", objective.description)
        out += _table(_tables.kpi_table(objective))

    out += _heading("decisions")
    out += ["R = responsible, A = accountable (the one decider), C = consulted, I = informed.", ""]
    out += _table(_tables.raci_table(charter))
    out += _notes(_tables.decision_notes(charter))

    out += [*_heading("stakeholders"), e(_tables.sign_off_summary(charter)), ""]
    out += _table(_tables.stakeholder_table(charter))

    out += _heading("licence")
    out += _para("Authority", charter.licence.authority) or [_EMPTY, ""]
    out += _bullets("Access", charter.licence.access)
    out += _para("Escalation", charter.licence.escalation)

    out += _heading("cadence") + _table(_tables.cadence_table(charter))

    out += _heading("review")
    review = charter.review_date.isoformat() if charter.review_date else "not set"
    out += [f"**Next review:** {review}", "", *_table(_tables.versions_table(charter))]

    if findings is not None or report is not None:
        out += ["## Coaching checks", ""]
        if report is not None:
            out += [f"**Maturity score: {report.score}/100 ({report.level})**", ""]
            out += _table(_tables.maturity_table(report))
        if findings is not None:
            out += _table(_tables.findings_table(findings))
    return "\n".join(out).rstrip() + "\n"


_EMPTY = "*Not written yet.*"


def _escape_block(match: re.Match[str]) -> str:
    # "#", "-", "+" take a backslash; "12." keeps its digits and escapes the dot after them.
    mark = match.group(1)
    return "\\" + mark if not mark.isdigit() else mark + "\\"


def _heading(key: str) -> list[str]:
    return [f"## {_TITLES[key]}", ""]


def _para(label: str, text: str) -> list[str]:
    if not text.strip():
        return []
    lead = f"**{label}:** " if label else ""
    return [lead + escape_markdown(text), ""]


def _bullets(label: str, items: list[str]) -> list[str]:
    lines = [f"**{label}**", ""]
    lines += [f"- {escape_markdown(item)}" for item in items] or ["- none listed"]
    return [*lines, ""]


def _notes(notes: list[tuple[str, str]]) -> list[str]:
    if not notes:
        return []
    lines = [f"- **{escape_markdown(name)}**: {escape_markdown(text)}" for name, text in notes]
    return [*lines, ""]


def _table(table: _tables.Table) -> list[str]:
    headers, rows = table
    if not rows:
        return ["*None yet.*", ""]
    lines = [
        "| " + " | ".join(escape_markdown(h) for h in headers) + " |",
        "|" + "|".join("---" for _ in headers) + "|",
    ]
    lines += ["| " + " | ".join(escape_markdown(c) for c in row) + " |" for row in rows]
    return [*lines, ""]
