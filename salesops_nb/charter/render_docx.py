"""The charter as a Word document (python-docx), the form in which charters go round for sign-off.

Headings for every section, tables for boundaries, services, KPIs, the RACI and the sign-off
tracker (with a blank signature column), and the services chart as a PNG. python-docx writes
text as text, so user input cannot become markup; control characters that XML forbids are
dropped so that any typed text can be saved.
"""

from __future__ import annotations

import io
import os
import re
from pathlib import Path

from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Inches, Pt

from salesops_nb.charter import _tables
from salesops_nb.charter.charts import services_chart_png
from salesops_nb.charter.lint import Finding
from salesops_nb.charter.maturity import MaturityReport
from salesops_nb.charter.model import RACI_ROLES, SECTIONS, Charter

__all__ = ["to_docx", "write_docx"]

_TITLES = dict(SECTIONS)
# XML 1.0 forbids these; python-docx would raise on them.
_XML_FORBIDDEN = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def to_docx(
    charter: Charter,
    *,
    findings: list[Finding] | None = None,
    report: MaturityReport | None = None,
    chart: bool = True,
):
    """Build the charter as a ``docx.Document``.

    Parameters
    ----------
    charter
        The charter.
    findings, report
        When given, a "Coaching checks" section is added (leave out for the sign-off copy).
    chart
        Include the services-by-class chart as a picture.

    Returns
    -------
    docx.document.Document
        Save it with ``.save(path)``, or use :func:`write_docx`.
    """
    doc = Document()
    doc.styles["Normal"].font.size = Pt(10)
    doc.add_heading(_clean(charter.title), level=0)
    if charter.versions:
        latest = charter.versions[-1]
        doc.add_paragraph(f"Version {_clean(latest.version)}, {latest.changed_on.isoformat()}")

    _heading(doc, "purpose")
    _para(doc, charter.purpose, "Purpose")
    _para(doc, charter.mission, "Mission")
    if not (charter.purpose.strip() or charter.mission.strip()):
        _empty(doc)
    _heading(doc, "vision")
    if not _para(doc, charter.vision):
        _empty(doc)

    _heading(doc, "scope")
    _bullets(doc, "In scope", charter.scope.in_scope)
    _bullets(doc, "Out of scope", charter.scope.out_of_scope)
    doc.add_heading("Boundaries with adjacent functions (owns / influences / supports)", 2)
    _table(doc, _tables.boundaries_table(charter))
    for name, note in _tables.boundary_notes(charter):
        _para(doc, note, name, style="List Bullet")

    _heading(doc, "services")
    if chart and charter.services:
        doc.add_picture(io.BytesIO(services_chart_png(charter)), width=Inches(5.5))
    _table(doc, _tables.services_table(charter))
    doc.add_heading("Screening of candidate services", 2)
    _table(doc, _tables.screening_rows(charter))

    _heading(doc, "objectives")
    if not charter.objectives:
        _empty(doc)
    for objective in charter.objectives:
        tie = f"ties to {objective.ties_to}" if objective.ties_to else "not tied yet"
        doc.add_heading(_clean(f"{objective.title} ({tie})"), 2)
        _para(doc, objective.description)
        _table(doc, _tables.kpi_table(objective))

    _heading(doc, "decisions")
    doc.add_paragraph("; ".join(f"{k} = {v}" for k, v in RACI_ROLES.items()) + ".")
    _table(doc, _tables.raci_table(charter), centre_from=1)
    for name, description in _tables.decision_notes(charter):
        _para(doc, description, name, style="List Bullet")

    _heading(doc, "stakeholders")
    doc.add_paragraph(_tables.sign_off_summary(charter))
    headers, rows = _tables.stakeholder_table(charter)
    _table(doc, ([*headers, "Signature"], [[*row, ""] for row in rows]))

    _heading(doc, "licence")
    if not _para(doc, charter.licence.authority, "Authority"):
        _empty(doc)
    _bullets(doc, "Access to", charter.licence.access)
    _para(doc, charter.licence.escalation, "Escalation")

    _heading(doc, "cadence")
    _table(doc, _tables.cadence_table(charter))

    _heading(doc, "review")
    review = charter.review_date.isoformat() if charter.review_date else "not set"
    _para(doc, review, "Next review")
    _table(doc, _tables.versions_table(charter))

    if findings is not None or report is not None:
        doc.add_heading("Coaching checks", 1)
        if report is not None:
            _para(doc, f"{report.score}/100 ({report.level})", "Maturity score")
            _table(doc, _tables.maturity_table(report))
        if findings is not None:
            _table(doc, _tables.findings_table(findings))
    return doc


def write_docx(charter: Charter, path: str | os.PathLike[str], **options) -> Path:
    """Write the charter to ``path`` as DOCX; ``options`` go to :func:`to_docx`."""
    target = Path(path)
    to_docx(charter, **options).save(str(target))
    return target


def _clean(text: str) -> str:
    return _XML_FORBIDDEN.sub("", str(text))


def _heading(doc, key: str) -> None:
    doc.add_heading(_TITLES[key], level=1)


def _para(doc, text: str, label: str = "", style: str | None = None) -> bool:
    if not text.strip():
        return False
    paragraph = doc.add_paragraph(style=style)
    if label:
        paragraph.add_run(_clean(label) + ": ").bold = True
    paragraph.add_run(_clean(text))
    return True


def _empty(doc) -> None:
    doc.add_paragraph().add_run("Not written yet.").italic = True


def _bullets(doc, label: str, items: list[str]) -> None:
    doc.add_paragraph().add_run(label).bold = True
    for item in items or ["none listed"]:
        doc.add_paragraph(_clean(item), style="List Bullet")


def _table(doc, table: _tables.Table, centre_from: int | None = None) -> None:
    headers, rows = table
    if not rows:
        doc.add_paragraph().add_run("None yet.").italic = True
        return
    grid = doc.add_table(rows=1 + len(rows), cols=len(headers))
    grid.style = "Table Grid"
    for i, header in enumerate(headers):
        cell = grid.rows[0].cells[i]
        cell.text = ""
        cell.paragraphs[0].add_run(_clean(header)).bold = True
    for r, row in enumerate(rows, start=1):
        for i, value in enumerate(row):
            cell = grid.rows[r].cells[i]
            cell.text = _clean(value)
            if centre_from is not None and i >= centre_from:
                cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.CENTER
    doc.add_paragraph()
