"""The charter as a standalone, printable HTML page: styled, RACI as a table, inline SVG chart.

Nothing is loaded from the network: the style sheet is inline and the services chart is an SVG
drawn by vl-convert in the kernel. Every piece of user text goes through :func:`html.escape`
(quotes included), so a name such as ``<script>alert(1)</script>`` shows as text.
"""

from __future__ import annotations

from html import escape

from salesops_nb.charter import _tables
from salesops_nb.charter.charts import services_chart_svg
from salesops_nb.charter.lint import Finding
from salesops_nb.charter.maturity import MaturityReport
from salesops_nb.charter.model import RACI_ROLES, SECTIONS, Charter

__all__ = ["STYLE", "to_html"]

_TITLES = dict(SECTIONS)

#: The page's style sheet, scoped to ``.so-charter`` so a fragment can sit inside a notebook.
STYLE = """
.so-charter { font-family: "Segoe UI", Helvetica, Arial, sans-serif; color: #222;
  max-width: 980px; margin: 0 auto; padding: 1.5em; line-height: 1.45; }
.so-charter h1 { font-size: 1.8em; border-bottom: 3px solid #2e7d32; padding-bottom: .2em; }
.so-charter h2 { font-size: 1.3em; color: #1b5e20; margin-top: 1.6em;
  border-bottom: 1px solid #ddd; }
.so-charter h3 { font-size: 1.05em; margin-bottom: .3em; }
.so-charter table { border-collapse: collapse; width: 100%; margin: .6em 0 1em;
  font-size: .9em; table-layout: auto; }
/* Two classes and two elements outweigh notebook styles that right-align every cell. */
.so-charter table.so-table th, .so-charter table.so-table td { border: 1px solid #ccc;
  padding: .35em .5em; text-align: left; vertical-align: top; }
.so-charter th { background: #f1f5f1; }
.so-charter table.so-table.raci td.role { text-align: center; font-weight: 600; width: 3.5em; }
.so-charter .role-A { background: #c8e6c9; } .so-charter .role-R { background: #e3f2fd; }
.so-charter .role-C { background: #fff8e1; } .so-charter .role-I { background: #f5f5f5; }
.so-charter .meta { color: #555; font-size: .95em; }
.so-charter .empty { color: #888; font-style: italic; }
.so-charter .sev-error { color: #b71c1c; font-weight: 600; }
.so-charter .sev-warning { color: #e65100; font-weight: 600; }
.so-charter .sev-info { color: #1565c0; }
.so-charter .score { font-size: 1.4em; font-weight: 600; }
.so-charter .chart svg { max-width: 100%; height: auto; }
@media print {
  .so-charter { max-width: none; padding: 0; font-size: 10.5pt; }
  .so-charter h2 { page-break-after: avoid; }
  .so-charter table, .so-charter .chart { page-break-inside: avoid; }
}
"""


def to_html(
    charter: Charter,
    *,
    findings: list[Finding] | None = None,
    report: MaturityReport | None = None,
    fragment: bool = False,
    chart: bool = True,
) -> str:
    """Render ``charter`` as HTML.

    Parameters
    ----------
    charter
        The charter.
    findings, report
        When given, a "Coaching checks" section shows the maturity score and the findings.
    fragment
        Return only the ``<div class="so-charter">`` (with its style) for embedding in a
        notebook or a widget, instead of a whole page.
    chart
        Include the services-by-class chart (inline SVG).

    Returns
    -------
    str
        A standalone page (``<!DOCTYPE html>``) or a fragment, with an ``<h2>`` per section.
    """
    body = [f"<h1>{escape(charter.title)}</h1>"]
    if charter.versions:
        latest = charter.versions[-1]
        body.append(f'<p class="meta">Version {escape(latest.version)}, '
                    f"{latest.changed_on.isoformat()}</p>")
    body += _purpose(charter) + _scope(charter) + _services(charter, chart)
    body += _objectives(charter) + _decisions(charter) + _stakeholders(charter)
    body += _licence(charter) + _cadence(charter) + _review(charter)
    if findings is not None or report is not None:
        body += _checks(findings, report)
    div = f'<style>{STYLE}</style>\n<div class="so-charter">\n' + "\n".join(body) + "\n</div>"
    if fragment:
        return div
    return (
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n"
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(charter.title)}</title>\n</head>\n<body>\n{div}\n</body>\n</html>\n"
    )


def _h2(key: str) -> str:
    return f'<h2 id="{key}">{escape(_TITLES[key])}</h2>'


def _p(text: str, label: str = "") -> list[str]:
    if not text.strip():
        return []
    lead = f"<strong>{escape(label)}:</strong> " if label else ""
    paragraphs = [escape(part) for part in text.split("\n\n")]
    return [f"<p>{lead}" + "</p><p>".join(p.replace("\n", "<br>") for p in paragraphs) + "</p>"]


_EMPTY = '<p class="empty">Not written yet.</p>'


def _list(label: str, items: list[str]) -> list[str]:
    inner = "".join(f"<li>{escape(i)}</li>" for i in items) or '<li class="empty">none</li>'
    return [f"<p><strong>{escape(label)}</strong></p><ul>{inner}</ul>"]


def _table(table: _tables.Table, css: str = "", cell_class=None) -> list[str]:
    headers, rows = table
    if not rows:
        return ['<p class="empty">None yet.</p>']
    head = "".join(f"<th>{escape(h)}</th>" for h in headers)
    lines = [f'<table class="so-table {css}"><thead><tr>{head}</tr></thead><tbody>']
    for row in rows:
        cells = []
        for i, value in enumerate(row):
            klass = cell_class(i, value) if cell_class else ""
            attr = f' class="{klass}"' if klass else ""
            cells.append(f"<td{attr}>{escape(value)}</td>")
        lines.append("<tr>" + "".join(cells) + "</tr>")
    lines.append("</tbody></table>")
    return ["".join(lines)]


def _purpose(charter: Charter) -> list[str]:
    out = [_h2("purpose")]
    out += _p(charter.purpose, "Purpose") + _p(charter.mission, "Mission")
    if len(out) == 1:
        out.append(_EMPTY)
    out += [_h2("vision"), *(_p(charter.vision) or [_EMPTY])]
    return out


def _scope(charter: Charter) -> list[str]:
    out = [_h2("scope")]
    out += _list("In scope", charter.scope.in_scope)
    out += _list("Out of scope", charter.scope.out_of_scope)
    out.append("<h3>Boundaries with adjacent functions: owns / influences / supports</h3>")
    out += _table(_tables.boundaries_table(charter), "boundaries")
    return out + _notes(_tables.boundary_notes(charter))


def _services(charter: Charter, chart: bool) -> list[str]:
    out = [_h2("services")]
    if chart and charter.services:
        out.append(f'<div class="chart">{services_chart_svg(charter)}</div>')
    out += _table(_tables.services_table(charter), "services")
    out.append("<h3>Screening of candidate services</h3>")
    return out + _table(_tables.screening_rows(charter), "screening")


def _objectives(charter: Charter) -> list[str]:
    out = [_h2("objectives")]
    if not charter.objectives:
        out.append(_EMPTY)
    for objective in charter.objectives:
        tie = f"ties to {objective.ties_to}" if objective.ties_to else "not tied yet"
        out.append(f"<h3>{escape(objective.title)} <small>({escape(tie)})</small></h3>")
        out += _p(objective.description)
        out += _table(_tables.kpi_table(objective), "kpis")
    return out


def _decisions(charter: Charter) -> list[str]:
    legend = "; ".join(f"<strong>{k}</strong> {escape(v)}" for k, v in RACI_ROLES.items())
    out = [_h2("decisions"), f'<p class="meta">{legend}.</p>']
    out += _table(_tables.raci_table(charter), "raci", cell_class=_raci_class)
    return out + _notes(_tables.decision_notes(charter))


def _notes(notes: list[tuple[str, str]]) -> list[str]:
    if not notes:
        return []
    items = "".join(f"<li><strong>{escape(n)}</strong>: {escape(d)}</li>" for n, d in notes)
    return [f"<ul>{items}</ul>"]


def _raci_class(column: int, value: str) -> str:
    if not column:
        return ""  # the decision's name
    return f"role role-{value}" if value in RACI_ROLES else "role"


def _stakeholders(charter: Charter) -> list[str]:
    out = [_h2("stakeholders"), f"<p>{escape(_tables.sign_off_summary(charter))}</p>"]
    return out + _table(_tables.stakeholder_table(charter), "stakeholders")


def _licence(charter: Charter) -> list[str]:
    licence = charter.licence
    out = [_h2("licence"), *(_p(licence.authority, "Authority") or [_EMPTY])]
    out += _list("Access to", licence.access)
    return out + _p(licence.escalation, "Escalation")


def _cadence(charter: Charter) -> list[str]:
    return [_h2("cadence"), *_table(_tables.cadence_table(charter), "cadence")]


def _review(charter: Charter) -> list[str]:
    review = charter.review_date.isoformat() if charter.review_date else "not set"
    out = [_h2("review"), f"<p><strong>Next review:</strong> {review}</p>"]
    return out + _table(_tables.versions_table(charter), "versions")


def _checks(findings: list[Finding] | None, report: MaturityReport | None) -> list[str]:
    out = ['<h2 id="checks">Coaching checks</h2>']
    if report is not None:
        out.append(f'<p class="score">Maturity score: {report.score}/100 '
                   f"({escape(report.level)})</p>")
        out += _table(_tables.maturity_table(report), "maturity")
    if findings is not None:
        out += _table(
            _tables.findings_table(findings), "findings",
            cell_class=lambda i, v: f"sev-{v}" if i == 0 else "",
        )
    return out
