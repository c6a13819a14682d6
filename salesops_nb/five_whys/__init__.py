"""The 5 Why diagnostic: why-trees with evidence, coaching checks, countermeasures, renderings.

Pure domain code (no widgets): build a :class:`WhyAnalysis`, check it with :func:`lint`,
measure it with :func:`summary`, back answers with live :class:`EvidenceQuery` numbers,
evaluate countermeasure checks on later data, render it (Mermaid, Markdown, HTML with an
offline SVG diagram) and turn countermeasures into installment-plan items.

>>> from salesops_nb import five_whys
>>> analysis = five_whys.worked_example(deals)                      # doctest: +SKIP
>>> five_whys.lint(analysis, deals=deals)                           # doctest: +SKIP
>>> five_whys.html_report(analysis)                                 # doctest: +SKIP
"""

from __future__ import annotations

from salesops_nb.five_whys.diagram import tree_svg
from salesops_nb.five_whys.effectiveness import checks_table, evaluate_check, evaluate_checks
from salesops_nb.five_whys.evidence import (
    METRICS,
    EvidenceQuery,
    QueryResult,
    QuerySyntaxError,
    describe_query,
    parse_query,
    run_query,
)
from salesops_nb.five_whys.example import declining_segment, saved_or_example, worked_example
from salesops_nb.five_whys.factors import contributing_factors, decompose
from salesops_nb.five_whys.lint import Finding, Summary, findings_table, lint, summary
from salesops_nb.five_whys.model import (
    Countermeasure,
    EffectivenessCheck,
    Evidence,
    Problem,
    ProblemMetric,
    SegmentRef,
    WhyAnalysis,
    WhyEditError,
    WhyNode,
)
from salesops_nb.five_whys.refresh import refresh
from salesops_nb.five_whys.render import (
    html_report,
    markdown_table,
    mermaid,
    outline,
    root_cause_table,
)

__all__ = [
    "METRICS",
    "Countermeasure",
    "EffectivenessCheck",
    "Evidence",
    "EvidenceQuery",
    "Finding",
    "Problem",
    "ProblemMetric",
    "QueryResult",
    "QuerySyntaxError",
    "SegmentRef",
    "Summary",
    "WhyAnalysis",
    "WhyEditError",
    "WhyNode",
    "checks_table",
    "contributing_factors",
    "declining_segment",
    "decompose",
    "describe_query",
    "evaluate_check",
    "evaluate_checks",
    "findings_table",
    "html_report",
    "lint",
    "markdown_table",
    "mermaid",
    "outline",
    "parse_query",
    "refresh",
    "root_cause_table",
    "run_query",
    "saved_or_example",
    "summary",
    "tree_svg",
    "worked_example",
]
