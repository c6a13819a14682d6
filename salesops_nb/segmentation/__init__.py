"""Segmentations and stratifications: spec, engine, quality, comparison and treatment priorities.

The public names, grouped by step (each lives in the module named after its concept):

- the spec: :class:`SegmentationSpec`, :class:`Rule`, :class:`Condition`, :class:`Banding`,
  :class:`Matrix`, :class:`MatrixCell`, :class:`Stratification`, :class:`Treatment`,
  :class:`SpecError`, :class:`SegmentationWarning` (``spec``);
- the engine: :func:`assign`, :func:`fit`, :func:`profile` (``engine``), :func:`pareto_curve`
  (``bandings``);
- entity tables: :func:`entity_table`, :func:`rep_table`, :func:`account_table`,
  :func:`opportunity_table` (``entities``);
- quality: :func:`quality_report`, :func:`measures_table`, :func:`compare_schemes`,
  :func:`migration` (``quality``);
- comparison: :func:`compare`, :class:`OutcomeRule`, :func:`rate_table`, :func:`fit_priors`,
  :func:`funnel_limits`, :func:`mix_check` (``compare``, ``rates``, ``mix``);
- treatments: :class:`TreatmentMap`, :func:`priorities` (``priorities``);
- the whole analysis: :func:`default_spec`, :func:`analyse`, :class:`SegmentationAnalysis`,
  :func:`apply_spec`, :func:`export` (``defaults``, ``analysis``, ``exports``);
- charts (altair): :func:`segment_sizes_chart`, :func:`pareto_chart`,
  :func:`segment_stratum_heatmap`, :func:`migration_chart`, :func:`funnel_chart`,
  :func:`distribution_chart`, :func:`priority_chart`.

The charts are imported on first use (altair takes about two seconds to import).

Example
-------
>>> from salesops_nb import segmentation as seg
>>> result = seg.analyse(deals)                       # doctest: +SKIP
>>> result.flagged("bad")                             # doctest: +SKIP
"""

from __future__ import annotations

from salesops_nb._lazy import lazy_attributes
from salesops_nb.errors import SpecError
from salesops_nb.segmentation import tables
from salesops_nb.segmentation.analysis import (
    SegmentationAnalysis,
    analyse,
    apply_spec,
    entities_for,
)
from salesops_nb.segmentation.bandings import pareto_curve
from salesops_nb.segmentation.compare import Comparison, OutcomeRule, compare
from salesops_nb.segmentation.defaults import default_spec, saved_spec
from salesops_nb.segmentation.engine import assign, fit, profile
from salesops_nb.segmentation.entities import (
    account_table,
    entity_table,
    opportunity_table,
    rep_table,
)
from salesops_nb.segmentation.exports import export, neutralise
from salesops_nb.segmentation.mix import MixCheck, mix_check
from salesops_nb.segmentation.priorities import TreatmentKeyError, TreatmentMap, priorities
from salesops_nb.segmentation.quality import (
    QualityMeasure,
    compare_schemes,
    measures_table,
    migration,
    quality_report,
)
from salesops_nb.segmentation.rates import fit_priors, funnel_limits, rate_table
from salesops_nb.segmentation.spec import SegmentationSpec, SegmentationWarning
from salesops_nb.segmentation.spec_parts import (
    Banding,
    Condition,
    Matrix,
    MatrixCell,
    Rule,
    Stratification,
    Treatment,
)

# Charts import altair (~2 s): loaded on first use.
_CHARTS: dict[str, str] = {
    "migration_chart": "structure", "pareto_chart": "structure",
    "segment_sizes_chart": "structure", "segment_stratum_heatmap": "structure",
    "distribution_chart": "comparison", "funnel_chart": "comparison",
    "priority_chart": "comparison",
}

__all__ = [
    "Banding",
    "Comparison",
    "Condition",
    "Matrix",
    "MatrixCell",
    "MixCheck",
    "OutcomeRule",
    "QualityMeasure",
    "Rule",
    "SegmentationAnalysis",
    "SegmentationSpec",
    "SegmentationWarning",
    "SpecError",
    "Stratification",
    "Treatment",
    "TreatmentKeyError",
    "TreatmentMap",
    "account_table",
    "analyse",
    "apply_spec",
    "assign",
    "compare",
    "compare_schemes",
    "default_spec",
    "distribution_chart",
    "entities_for",
    "entity_table",
    "export",
    "fit",
    "fit_priors",
    "funnel_chart",
    "funnel_limits",
    "measures_table",
    "migration",
    "migration_chart",
    "mix_check",
    "neutralise",
    "opportunity_table",
    "pareto_chart",
    "pareto_curve",
    "priorities",
    "priority_chart",
    "profile",
    "quality_report",
    "rate_table",
    "rep_table",
    "saved_spec",
    "segment_sizes_chart",
    "segment_stratum_heatmap",
    "tables",
]


__getattr__ = lazy_attributes(
    __name__, {name: f"{__name__}.charts.{module}" for name, module in _CHARTS.items()}
)


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(__all__))
