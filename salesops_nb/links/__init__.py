"""Cross-links between the artefacts of one workspace: the improvement case as one path.

The four fundamentals are strongest together. A segmentation shows *where* outcomes are bad
against true peers; a 5-Why analysis finds *why*; its countermeasures become installment items
the organisation can absorb; the charter gives the function the licence and the KPIs. The links
are ids stored in the JSON files (never object references), each one optional:

========================================  ===================================================
link (field)                              points at
========================================  ===================================================
``WhyAnalysis.problem.source_segment``    a segment (and stratum) of a saved segmentation
``ImprovementItem.root_cause``            a root-cause node of a saved 5-Why analysis
``ImprovementItem.objective``             an objective of a saved charter
``Kpi.metric_ref``                        a metric over a segment of a saved segmentation
========================================  ===================================================

Creating links: :func:`problem_from_segment` (a 5-Why problem from a flagged cell, its gap
filled in from the data), :func:`~salesops_nb.five_whys.to_installments.to_improvement_items`
(countermeasures to items), :func:`serve_objective` (items to a charter objective) and
:class:`~salesops_nb.charter.model.MetricRef` on a KPI. Reading them: :func:`workspace_links`
lists every link with its state; a target deleted or renamed makes a *broken* link that is
reported (:func:`broken_links`), never a crash. :func:`kpi_status` computes each linked KPI's
current value from the data.
"""

from __future__ import annotations

from salesops_nb.links._common import KINDS, LinkError, artefact_models
from salesops_nb.links.check import Link, broken_links, links_html, workspace_links
from salesops_nb.links.create import (
    flagged_cells,
    follow_objective,
    problem_from_segment,
    serve_objective,
)
from salesops_nb.links.kpis import MetricValue, kpi_status, metric_value

__all__ = [
    "KINDS",
    "Link",
    "LinkError",
    "MetricValue",
    "artefact_models",
    "broken_links",
    "flagged_cells",
    "follow_objective",
    "kpi_status",
    "links_html",
    "metric_value",
    "problem_from_segment",
    "serve_objective",
    "workspace_links",
]
