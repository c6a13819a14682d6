"""The charter editor's read-only panels: the checks (maturity, fix first) and item tables."""

from __future__ import annotations

from html import escape

from salesops_nb.charter._tables import Table
from salesops_nb.charter.maturity import MaturityReport


def _table_html(table: Table) -> str:
    headers, rows = table
    if not rows:
        return "<p><i>None yet.</i></p>"
    head = "".join(f"<th style='text-align:left'>{escape(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{escape(c)}</td>" for c in row) + "</tr>"
                   for row in rows)
    return (f"<table style='border-collapse:collapse;font-size:90%'><thead><tr>{head}</tr>"
            f"</thead><tbody>{body}</tbody></table>")


def _checks_html(report: MaturityReport) -> str:
    colours = {"error": "#b71c1c", "warning": "#e65100", "info": "#1565c0"}
    parts = [f"<h4>Maturity {report.score}/100 ({escape(report.level)})</h4><table>"]
    parts += [f"<tr><td>{escape(d.name)}</td><td>{d.points:.1f} / {d.max_points}</td></tr>"
              for d in report.dimensions]
    parts.append("</table><h4>Fix first</h4><ul>")
    parts += [f"<li><b style='color:{colours[f.severity]}'>{f.severity}</b> "
              f"{escape(f.message)} <i>{escape(f.suggestion)}</i></li>"
              for f in report.fix_first(5)]
    errors = sum(f.severity == "error" for f in report.findings)
    parts.append(f"</ul><p>{len(report.findings)} findings, {errors} errors.</p>")
    return "".join(parts)
