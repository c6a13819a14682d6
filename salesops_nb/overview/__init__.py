"""The data overview: data quality, pipeline, outcomes over time and deal sizes.

Each function takes a canonical opportunities frame (see
:func:`salesops_nb.data.load.load_opportunities`) and returns a small pandas table; the charts
draw those tables only. The frame may be pandas (computed with pandas) or any table narwhals
wraps, e.g. from :func:`salesops_nb.backends.open_deals`: Polars (eager or lazy), DuckDB or
Spark, where every count, sum, quantile and group-by runs on the engine and only the small
results come back. The ``data_overview`` template is a thin sequence of calls to these.

>>> from salesops_nb import overview
>>> quality = overview.data_quality(deals)              # doctest: +SKIP
>>> overview.pipeline_chart(overview.pipeline_by_stage(deals))  # doctest: +SKIP
"""

from __future__ import annotations

from salesops_nb.overview.charts import (
    OUTCOME_COLORS,
    deal_size_chart,
    outcomes_chart,
    pipeline_chart,
)
from salesops_nb.overview.options import date_order, decimal_mark
from salesops_nb.overview.pipeline import (
    STAGE_ORDER,
    deal_size_bins,
    deal_size_stats,
    outcomes_over_time,
    pipeline_by_stage,
    stage_order,
)
from salesops_nb.overview.quality import (
    DataQuality,
    data_quality,
    date_ranges,
    duplicate_ids,
    missing_values,
    spelling_variants,
)
from salesops_nb.overview.tables import styled

__all__ = [
    "OUTCOME_COLORS",
    "STAGE_ORDER",
    "DataQuality",
    "data_quality",
    "date_order",
    "date_ranges",
    "deal_size_bins",
    "deal_size_chart",
    "deal_size_stats",
    "decimal_mark",
    "duplicate_ids",
    "missing_values",
    "outcomes_chart",
    "outcomes_over_time",
    "pipeline_by_stage",
    "pipeline_chart",
    "spelling_variants",
    "stage_order",
    "styled",
]
