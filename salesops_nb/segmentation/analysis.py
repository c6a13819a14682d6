"""The end-to-end segmentation analysis the template and the builder widget both call.

``deals -> entity table -> fit/assign -> profile -> quality -> scheme comparison -> stability ->
within-segment comparison (good/bad flags) -> mix check -> treatment priorities``.

:func:`analyse` returns one :class:`SegmentationAnalysis` holding the small result tables
(one row per segment, cell or entity) and drawing its charts on demand. The steps are also
public on their own: :func:`entities_for` builds (once) the entity table a spec segments, and
:func:`apply_spec` fits and applies a spec to it, deriving the shrunk rate the default strata
rank on.

Example
-------
>>> from salesops_nb.data.sample import sample_opportunities
>>> result = analyse(sample_opportunities(5000))            # doctest: +SKIP
>>> result.flagged("bad")[["rep_id", "segment"]]             # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

import narwhals as nw
import pandas as pd

from salesops_nb.errors import ParameterError
from salesops_nb.segmentation import _frames
from salesops_nb.segmentation.compare import Comparison, OutcomeRule, compare
from salesops_nb.segmentation.defaults import (
    DEFAULT_METRICS,
    ENTITY_KEYS,
    RATE_COUNTS,
    SHRUNK_SUFFIX,
    candidate_schemes,
    default_spec,
)
from salesops_nb.segmentation.engine import assign, profile, stratum_expr
from salesops_nb.segmentation.entities import entity_table
from salesops_nb.segmentation.mix import MixCheck, mix_check
from salesops_nb.segmentation.priorities import TreatmentMap, priorities
from salesops_nb.segmentation.quality import (
    Migration,
    QualityMeasure,
    compare_schemes,
    measures_table,
    migration,
    quality_report,
)
from salesops_nb.segmentation.rates import eager, fit_priors
from salesops_nb.segmentation.spec import SegmentationSpec, SegmentationWarning

__all__ = ["SegmentationAnalysis", "analyse", "apply_spec", "entities_for", "profile_entities"]

_NAMES = {"reps": "rep_name", "accounts": "account_name", "opportunities": "opportunity_name"}
_MAX_PANELS = 12


def entities_for(deals: Any, entity: str = "reps", *, outcome: str = "is_won",
                 between: tuple[Any, Any] | None = None,
                 date_column: str = "close_date") -> pd.DataFrame:
    """The entity table of ``entity`` from canonical deals, as pandas.

    ``outcome`` names the deals' won flag when it is not ``is_won`` (it is copied to
    ``is_won``, which the entity table counts).
    """
    data = eager(deals)
    if outcome != "is_won":
        if outcome not in data.columns:
            raise ParameterError(f"No outcome column {outcome!r} in the deals.",
                                 hint="Name the true/false column of won deals, e.g. is_won.")
        data = data.with_columns(nw.col(outcome).cast(nw.Boolean).alias("is_won"))
    table = entity_table(data.to_native(), entity, between=between, date_column=date_column)
    return eager(table).to_pandas()


def apply_spec(table: Any, spec: SegmentationSpec, *, refit: bool = False
               ) -> tuple[pd.DataFrame, SegmentationSpec]:
    """Fit ``spec`` on an entity table (if needed) and assign segments and strata.

    A stratification on ``<rate>_shrunk`` (e.g. ``win_rate_shrunk``) absent from the table
    is derived first: segments are assigned, then each entity's empirical-Bayes rate is
    estimated among the peers of its segment (as :func:`~.rates.rate_table` does).

    Returns
    -------
    (assigned table, fitted spec)
    """
    data = eager(table).to_pandas()
    bare = spec.model_copy(update={"strata": None, "treatments": []})
    fitted_bare = bare.fit(data, refit=refit)
    fitted = SegmentationSpec.model_validate(
        {**spec.model_dump(), "bandings": [b.model_dump() for b in fitted_bare.bandings]})
    # Segments once; the strata are ranked on top (a second full assign would redo the bands).
    out = assign(data, fitted_bare)
    if spec.strata is None:
        return out, fitted
    metric = spec.strata.metric
    rate = metric[: -len(SHRUNK_SUFFIX)] if metric.endswith(SHRUNK_SUFFIX) else None
    if metric not in out.columns and rate in RATE_COUNTS and all(
            c in out.columns for c in RATE_COUNTS[rate]):
        out[metric] = _shrunk(out, *RATE_COUNTS[rate])
    frame = nw.from_native(out)
    _frames.require_fields(frame, [metric], f"The strata metric of spec {spec.name!r}")
    _frames.require_numeric(frame, metric, f"The strata metric of spec {spec.name!r}")
    return frame.with_columns(stratum_expr(spec.strata, frame)).to_native(), fitted


def _shrunk(frame: pd.DataFrame, won: str, closed: str) -> pd.Series:
    """Each entity's empirical-Bayes rate among the peers of its segment.

    The same estimate as :func:`~salesops_nb.segmentation.rates.rate_table`'s ``_shrunk``
    column, without its funnel limits (a third of a second on 200,000 accounts).
    """
    priors = fit_priors(frame[["segment", won, closed]], successes=won, trials=closed)
    per_segment = priors.set_index("segment")
    key = frame["segment"].astype(object).where(frame["segment"].notna(), "(no segment)")
    alpha = key.map(per_segment["alpha"]).astype(float)
    beta = key.map(per_segment["beta"]).astype(float)
    w, n = frame[won].astype(float), frame[closed].astype(float)
    return ((w + alpha) / (n + alpha + beta)).where(n > 0)


def profile_entities(assigned: Any, spec: SegmentationSpec, *,
                     by: str | list[str] = "segment") -> pd.DataFrame:
    """Per segment (or cell): entities, share, deals, won, closed, pooled win rate, revenue won."""
    data = eager(assigned)
    sums = [c for c in ("deals", "won", "closed") if c in data.columns]
    table = profile(assigned, spec=spec, by=by, outcome=None, cycle=None,
                    measures=[m for m in ("won_amount",) if m in data.columns],
                    aggregations={c: (c, "sum") for c in sums})
    for column in sums:  # empty segments show 0, not a missing count
        table[column] = table[column].fillna(0).astype("int64")
    if {"won", "closed"} <= set(table.columns):
        closed = table["closed"].astype(float)
        table["win_rate"] = (table["won"] / closed.where(closed > 0)).astype(float)
    return table


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
        return rows.sort_values(f"{m}_percentile", ascending=flag != "good")[columns] \
            .reset_index(drop=True)

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

        return distribution_chart(self.comparison, entity=self.name_column or self.key)

    def funnel_chart(self):
        """Win rate against closed deals inside each segment's exact binomial limits."""
        from salesops_nb.segmentation.charts.comparison import funnel_chart

        name = self.metric
        if f"{name}_funnel" not in self.table.columns:
            return None
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


def analyse(deals: Any, spec: SegmentationSpec | None = None, *, entity: str | None = None,
            metric: str | None = None, outcome: str = "is_won",
            period_column: str | None = "close_date", min_size: int = 5,
            mix_by: str | None = "lead_source", table: pd.DataFrame | None = None,
            schemes: bool = True) -> SegmentationAnalysis:
    """Run the whole segmentation analysis on canonical deals.

    Parameters
    ----------
    deals
        Canonical opportunities (:func:`~salesops_nb.data.load.load_opportunities`).
    spec
        The spec to apply (e.g. the one saved by the builder); None: :func:`default_spec`.
    entity
        "reps", "accounts" or "opportunities"; default the spec's entity, else "reps".
    metric
        The performance metric judged within segments; default the spec's strata metric
        (a shrunk rate counts as its rate), else :data:`~.defaults.DEFAULT_METRICS`.
    outcome
        The deals' won flag (copied to ``is_won`` when named otherwise).
    period_column
        Date column for the stability check: the last 12 months against the 12 before
        (None: skip it).
    min_size
        Fewest entities a segment needs (quality verdict; fewer peers are not flagged).
    mix_by
        Deal column whose mix may flatter a win rate (Simpson's paradox check); None: skip.
    table
        The entity table, when already built (the widget caches it).
    schemes
        Score candidate schemes side by side.
    """
    entity = entity or (spec.entity if spec is not None else "reps")
    if entity not in ENTITY_KEYS:
        raise ParameterError(f"entity={entity!r} is not an entity table.",
                             hint=f"Use one of: {', '.join(ENTITY_KEYS)}.")
    if not isinstance(min_size, int) or min_size < 1:
        raise ParameterError(f"min_size={min_size!r} must be a whole number >= 1.",
                             hint="5 entities is a small but usable peer group.")
    if table is None:
        table = entities_for(deals, entity, outcome=outcome)
    metric, higher = _metric(spec, entity, metric)
    if spec is None:
        spec = default_spec(table, entity, metric=metric, higher_is_better=higher)
    key = spec.key or ENTITY_KEYS[entity]
    assigned, fitted = apply_spec(table, spec)
    warnings = fitted.check(assigned)
    by_segment = profile_entities(assigned, fitted)
    strata = (profile_entities(assigned, fitted, by=["segment", "stratum"])
              if fitted.strata is not None else None)
    quality = quality_report(assigned, fitted, metric=metric if metric in assigned else None,
                             outcome=None, min_size=min_size)
    stability = _stability(deals, fitted, entity, key, outcome, period_column)
    if stability is not None:
        quality.append(stability.measure)
    scored = (compare_schemes(assigned, candidate_schemes(fitted, assigned), metric=metric,
                              outcome=None, min_size=min_size) if schemes else pd.DataFrame())
    rule = OutcomeRule(metric=metric, higher_is_better=higher)
    comparison = compare(assigned, entity=key, metrics=[rule], min_peers=min(3, min_size))
    compared = eager(comparison.entities).to_pandas()
    plan = TreatmentMap.from_spec(fitted)
    stratum = "stratum" if fitted.strata is not None else None
    if len(plan):
        compared = eager(plan.assign(compared, stratum=stratum)).to_pandas()
    closed = RATE_COUNTS.get(metric, ("", "deals"))[1]
    volume = closed if closed in compared.columns else "deals"
    ranked = priorities(compared, stratum=stratum, metric=metric, volume=volume,
                        higher_is_better=higher, treatments=plan if len(plan) else None,
                        # Most accounts win few deals: the median account's rate is often 0.
                        benchmark="mean" if entity == "accounts" else "median",
                        volume_label="closed deals" if volume == "closed" else volume)
    mix = _mix(deals, entity, key, mix_by, outcome)
    return SegmentationAnalysis(
        spec=fitted, entity=entity, key=key,
        name_column=_NAMES[entity] if _NAMES[entity] in compared.columns else None,
        metric=metric, higher_is_better=higher, min_size=min_size, table=compared,
        profile=by_segment, strata_profile=strata, quality=quality, schemes=scored,
        comparison=comparison, mix=mix, priorities=eager(ranked).to_pandas(),
        stability=stability, warnings=warnings)


def _metric(spec: SegmentationSpec | None, entity: str, metric: str | None) -> tuple[str, bool]:
    default_metric, default_higher = DEFAULT_METRICS[entity]
    if metric:
        higher = default_higher if metric == default_metric else True
        if spec is not None and spec.strata is not None and _unshrunk(spec.strata.metric) == metric:
            higher = spec.strata.higher_is_better
        return metric, higher
    if spec is not None and spec.strata is not None:
        return _unshrunk(spec.strata.metric), spec.strata.higher_is_better
    return default_metric, default_higher


def _unshrunk(metric: str) -> str:
    if metric.endswith(SHRUNK_SUFFIX) and metric[: -len(SHRUNK_SUFFIX)] in RATE_COUNTS:
        return metric[: -len(SHRUNK_SUFFIX)]
    return metric


def _stability(deals: Any, spec: SegmentationSpec, entity: str, key: str, outcome: str,
               period_column: str | None) -> Migration | None:
    """Segments of the last 12 months against the 12 months before, same fitted spec."""
    if not period_column or entity == "opportunities":
        return None
    data = eager(deals)
    if period_column not in data.columns or not data.schema[period_column].is_temporal():
        return None
    closed = data.filter(nw.col("is_closed").fill_null(False)) if "is_closed" in data.columns \
        else data
    last = closed.select(nw.col(period_column).max()).item()
    if last is None:
        return None
    end = pd.Timestamp(last).to_pydatetime()
    middle, start = end - dt.timedelta(days=365), end - dt.timedelta(days=730)
    bare = spec.model_copy(update={"strata": None, "treatments": []})
    frames = []
    for window in ((start + dt.timedelta(days=1), middle), (middle + dt.timedelta(days=1), end)):
        part = entities_for(deals, entity, outcome=outcome, between=window,
                            date_column=period_column)
        if part.empty:
            return None
        frames.append(assign(part, bare))
    return migration(frames[0], frames[1], key=key, labels=spec.labels())


def _mix(deals: Any, entity: str, key: str, mix_by: str | None, outcome: str) -> MixCheck | None:
    if not mix_by or entity == "opportunities":
        return None
    data = eager(deals)
    if mix_by not in data.columns or key not in data.columns:
        return None
    won = nw.col(outcome).cast(nw.Boolean).fill_null(False)
    closed = nw.col("is_closed").cast(nw.Boolean).fill_null(False)
    per_deal = data.select(nw.col(key).cast(nw.String), nw.col(mix_by).cast(nw.String),
                           won=(won & closed).cast(nw.Int64), closed=closed.cast(nw.Int64))
    return mix_check(per_deal.to_native(), entity=key, segment=mix_by)
