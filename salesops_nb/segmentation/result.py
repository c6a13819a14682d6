"""The result of a segmentation analysis: small tables, charts drawn on demand.

:func:`~salesops_nb.segmentation.analysis.analyse` builds it; the template's report cells
and :mod:`~salesops_nb.segmentation.tables` read it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import pandas as pd

from salesops_nb.segmentation.compare import Comparison
from salesops_nb.segmentation.defaults import RATE_COUNTS
from salesops_nb.segmentation.mix import MixCheck
from salesops_nb.segmentation.quality import Migration, QualityMeasure, measures_table
from salesops_nb.segmentation.rates import eager
from salesops_nb.segmentation.spec import SegmentationSpec, SegmentationWarning

__all__ = ["SegmentationAnalysis"]

_MAX_PANELS = 12


@dataclass(frozen=True, eq=False)
class SegmentationAnalysis:
    """Everything the segmentation report shows, as small tables; charts drawn on demand.

    Attributes
    ----------
    spec
        The fitted spec that was applied (save it to re-apply the same edges next quarter).
    entity, key, name_column
        What was segmented ("reps"), its id and display-name columns.
    metric, higher_is_better
        The performance metric judged within segments.
    table
        One row per entity: attributes, segment, stratum, comparison columns (percentile,
        z-score, flag, funnel), ``outcome`` and the treatment.
    profile, strata_profile
        Per segment, and per segment x stratum (see :func:`profile_entities`).
    quality
        Coverage, smallest segment, eta squared (or GVF) and, with two periods, stability.
    schemes
        Candidate schemes scored side by side (:func:`~.quality.compare_schemes`).
    comparison
        The within-segment comparison (:class:`~.compare.Comparison`).
    mix
        The Simpson's-paradox check of the entities' win rates across ``mix_by`` (or None).
    priorities
        Cells ranked by gap to the segment benchmark x volume, with treatments.
    stability
        The migration between two periods (or None).
    warnings
        Spec warnings on this data (overlapping or unreachable rules, unseen values).
    entities
        Every entity with its columns, where it was computed: the same frame as ``table``,
        except for deals on a lazy engine, where it stays a lazy frame (never collected) and
        ``table`` holds only the flagged deals a report shows.
    outcome_counts
        Entities per outcome flag ("good", "typical", "bad", "unrated"), counted on the engine.
    """

    spec: SegmentationSpec
    entity: str
    key: str
    name_column: str | None
    metric: str
    higher_is_better: bool
    min_size: int
    table: pd.DataFrame
    profile: pd.DataFrame
    strata_profile: pd.DataFrame | None
    quality: list[QualityMeasure]
    schemes: pd.DataFrame
    comparison: Comparison
    mix: MixCheck | None
    priorities: pd.DataFrame
    stability: Migration | None = None
    warnings: list[SegmentationWarning] = field(default_factory=list)
    entities: Any = None
    outcome_counts: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.entities is None:
            object.__setattr__(self, "entities", self.table)
        if not self.outcome_counts and "outcome" in self.table:
            counts = self.table["outcome"].astype(object).value_counts()
            object.__setattr__(self, "outcome_counts",
                               {str(k): int(v) for k, v in counts.items()})

    @property
    def complete(self) -> bool:
        """True when ``table`` holds every entity (False: deals kept on a lazy engine)."""
        return self.entities is self.table

    @property
    def size(self) -> int:
        """How many entities were compared."""
        return sum(self.outcome_counts.values()) if self.outcome_counts else len(self.table)

    # -- tables ------------------------------------------------------------------------------

    def quality_table(self) -> pd.DataFrame:
        """The quality measures: measure, value, ok, verdict, detail."""
        return measures_table(self.quality)

    def flagged(self, flag: str = "bad") -> pd.DataFrame:
        """Entities whose outcome within their segment is ``flag``, worst (or best) first."""
        m = self.metric
        columns = [c for c in (self.key, self.name_column, "segment", "stratum", m,
                               f"{m}_basis", f"{m}_percentile", f"{m}_peers", "closed",
                               "outcome", "treatment") if c and c in self.table.columns]
        rows = self.table[self.table["outcome"] == flag]
        # Ties in position go by id, so every engine lists the same entities in one order.
        order = [f"{m}_percentile"] + ([self.key] if self.key in rows else [])
        return rows.sort_values(order, ascending=[flag != "good", True][: len(order)],
                                kind="stable")[columns].reset_index(drop=True)

    def benchmarks(self) -> pd.DataFrame:
        """Peer benchmarks per segment: n, median and quartiles of the compared value."""
        return eager(self.comparison.benchmarks).to_pandas()

    def mix_table(self) -> pd.DataFrame:
        """The entities whose ranking flips once the mix is evened out (may be empty)."""
        if self.mix is None:
            return pd.DataFrame(columns=["entity", "crude_rate", "adjusted_rate", "explanation"])
        table = eager(self.mix.entities).to_pandas()
        table = table[table["paradox"]].sort_values("rank_shift", ascending=False)
        for column in ("trials", "crude_rank", "adjusted_rank"):  # whole numbers
            table[column] = table[column].round().astype("Int64")
        return table[["entity", "trials", "crude_rate", "adjusted_rate", "crude_rank",
                      "adjusted_rank", "explanation"]].reset_index(drop=True)

    # -- charts ------------------------------------------------------------------------------

    def sizes_chart(self):
        """Entities per segment, with shares."""
        from salesops_nb.segmentation.charts.structure import segment_sizes_chart

        return segment_sizes_chart(self.profile, entity=self.entity)

    def strata_chart(self):
        """Segment x stratum heatmap of the pooled win rate (or counts)."""
        from salesops_nb.segmentation.charts.structure import segment_stratum_heatmap

        if self.strata_profile is None:
            return None
        value = "win_rate" if "win_rate" in self.strata_profile else "count"
        return segment_stratum_heatmap(self.strata_profile, value=value)

    def distribution_chart(self):
        """The metric within each segment, with the good and bad entities marked."""
        from salesops_nb.segmentation.charts.comparison import distribution_chart

        comparison = self.comparison
        if not self.complete:  # the chart shows the flagged entities: those that were kept
            comparison = replace(comparison, entities=self.table)
        return distribution_chart(comparison, entity=self.name_column or self.key)

    def funnel_chart(self):
        """Win rate against closed deals inside each segment's exact binomial limits."""
        from salesops_nb.segmentation.charts.comparison import funnel_chart

        name = self.metric
        if f"{name}_funnel" not in self.table.columns or not self.complete:
            return None  # (one point per deal on an engine: not a chart for millions)
        table = self.table
        sizes = table.groupby("segment")["closed"].sum().sort_values(ascending=False)
        table = table[table["segment"].isin(sizes.index[:_MAX_PANELS])]
        closed = RATE_COUNTS.get(name, ("won", "closed"))[1]
        return funnel_chart(table, name=name, entity=self.name_column or self.key,
                            trials=closed)

    def priority_chart(self, top: int = 15):
        """Where acting pays most (impact = gap x volume)."""
        from salesops_nb.segmentation.charts.comparison import priority_chart

        unit = "deals-equivalent" if self.metric in RATE_COUNTS else self.metric
        return priority_chart(self.priorities, top=top, unit=unit)

    def migration_chart(self):
        """Where entities moved between the two periods (None without periods)."""
        from salesops_nb.segmentation.charts.structure import migration_chart

        if self.stability is None or self.stability.counts.empty:
            return None
        return migration_chart(self.stability.counts, entity=self.entity)
