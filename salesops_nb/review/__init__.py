"""The combined sales-ops review: the four fundamentals of one workspace in one report.

:func:`open_review` gathers everything (artefacts, data of the period, each section's results);
:func:`executive_summary` and the section functions turn it into escaped HTML and charts, so the
``sales_ops_review`` template is a handful of one-line cells.

>>> from salesops_nb import review
>>> r = review.open_review("salesops-workspace", deals)          # doctest: +SKIP
>>> review.executive_summary(r)                                   # doctest: +SKIP
"""

from __future__ import annotations

from salesops_nb.review.build import Review, open_review
from salesops_nb.review.period import select_period
from salesops_nb.review.sections import (
    charter_html,
    five_whys_html,
    installments_html,
    kpi_chart,
    load_chart,
    priority_chart,
    roadmap_chart,
    segmentation_html,
    workspace_html,
)
from salesops_nb.review.summary import executive_summary, next_steps, top_findings

__all__ = [
    "Review",
    "charter_html",
    "executive_summary",
    "five_whys_html",
    "installments_html",
    "kpi_chart",
    "load_chart",
    "next_steps",
    "open_review",
    "priority_chart",
    "roadmap_chart",
    "segmentation_html",
    "select_period",
    "top_findings",
    "workspace_html",
]
