"""Strategic functional charter: model, starter library, screening, coaching checks, renderings.

A charter states that sales operations exists to improve the whole selling system for more
revenue and profit, and licenses it to pursue deficiencies wherever they occur.

>>> from salesops_nb import charter
>>> c = charter.example_charter()                 # a worked example
>>> report = charter.maturity(c)                   # score, breakdown, findings
>>> charter.export(c, "out", formats="md,html,docx")  # doctest: +SKIP

The renderings (HTML, DOCX, chart) import altair and python-docx on first use.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from salesops_nb._lazy import lazy_attributes
from salesops_nb.charter.baselines import baseline_table, kpi_baselines
from salesops_nb.charter.edit import (
    add_decision,
    add_kpi,
    add_objective,
    add_service,
    next_version,
    record_version,
    remove_item,
    set_role,
    use_library_cadence,
    use_library_licence,
)
from salesops_nb.charter.example import example_charter, load_or_example
from salesops_nb.charter.library import Library, load_library
from salesops_nb.charter.lint import (
    RULES,
    Finding,
    LintConfig,
    findings_table,
    lint,
    strategic_shares,
)
from salesops_nb.charter.maturity import MaturityReport, maturity
from salesops_nb.charter.model import (
    SECTIONS,
    Boundary,
    CadenceItem,
    Charter,
    Decision,
    Kpi,
    Licence,
    MetricRef,
    Objective,
    Scope,
    Screening,
    Service,
    Stakeholder,
    VersionEntry,
)
from salesops_nb.charter.render_markdown import escape_markdown, to_markdown
from salesops_nb.charter.screening import (
    boundary_matrix,
    included,
    outcome,
    screening_table,
    sign_off_status,
    suggest,
)
from salesops_nb.errors import CharterError

_LAZY = {
    "export": "salesops_nb.charter.exports",
    "services_chart": "salesops_nb.charter.charts",
    "services_by_class": "salesops_nb.charter.charts",
    "to_docx": "salesops_nb.charter.render_docx",
    "write_docx": "salesops_nb.charter.render_docx",
    "to_html": "salesops_nb.charter.render_html",
}

__all__ = [
    "RULES",
    "SECTIONS",
    "Boundary",
    "CadenceItem",
    "Charter",
    "CharterError",
    "Decision",
    "Finding",
    "Kpi",
    "Library",
    "Licence",
    "LintConfig",
    "MaturityReport",
    "MetricRef",
    "Objective",
    "Scope",
    "Screening",
    "Service",
    "Stakeholder",
    "VersionEntry",
    "add_decision",
    "add_kpi",
    "add_objective",
    "add_service",
    "baseline_table",
    "boundary_matrix",
    "escape_markdown",
    "example_charter",
    "export",
    "findings_table",
    "included",
    "kpi_baselines",
    "lint",
    "load_library",
    "load_or_example",
    "maturity",
    "next_version",
    "outcome",
    "record_version",
    "remove_item",
    "screening_table",
    "services_by_class",
    "services_chart",
    "set_role",
    "sign_off_status",
    "strategic_shares",
    "suggest",
    "to_docx",
    "to_html",
    "to_markdown",
    "use_library_cadence",
    "use_library_licence",
    "write_docx",
]

if TYPE_CHECKING:
    from salesops_nb.charter.charts import services_by_class, services_chart
    from salesops_nb.charter.exports import export
    from salesops_nb.charter.render_docx import to_docx, write_docx
    from salesops_nb.charter.render_html import to_html


__getattr__ = lazy_attributes(__name__, _LAZY)


def __dir__() -> list[str]:
    return __all__
