"""The end-to-end segmentation analysis the template and the builder widget both call.

``deals -> entity table -> fit/assign -> profile -> quality -> scheme comparison -> stability ->
within-segment comparison (good/bad flags) -> mix check -> treatment priorities``.

:func:`analyse` returns one :class:`~.result.SegmentationAnalysis` holding the small result
tables (one row per segment, cell or entity) and drawing its charts on demand. The steps are also
public on their own: :func:`entities_for` builds (once) the entity table a spec segments, and
:func:`apply_spec` fits and applies a spec to it, deriving the shrunk rate the default strata
rank on.

Where the work happens. The deals stay where they are (pandas, Polars, DuckDB, Spark): entity
tables, the stability windows and the mix cells are aggregated on the engine and only their
rows come back. For reps and accounts that is one row per entity (hundreds to thousands of rows;
the mix check brings entities x ``mix_by`` values), and the rest of the analysis works on that
pandas table. For ``entity="opportunities"`` on a lazy engine the entity table *is* the deals, so
it is never collected: fitting, strata, the within-segment comparison, treatments and priorities
run on the engine (:mod:`._deal_level`), and what comes back is per segment or per cell, plus
at most :data:`~._deal_level.SHOWN_ROWS` flagged deals per flag (what a report shows). On
pandas or an eager Polars frame the deals are already in memory and the table is complete.

Example
-------
>>> from salesops_nb.data.sample import sample_opportunities
>>> result = analyse(sample_opportunities(5000))            # doctest: +SKIP
>>> result.flagged("bad")[["rep_id", "segment"]]             # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import narwhals as nw
import pandas as pd

from salesops_nb.errors import ParameterError
from salesops_nb.segmentation import _deal_level, _frames
from salesops_nb.segmentation.compare import OutcomeRule, compare
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
    compare_schemes,
    migration,
    quality_report,
)
from salesops_nb.segmentation.rates import eager, fit_priors
from salesops_nb.segmentation.result import SegmentationAnalysis
from salesops_nb.segmentation.spec import SegmentationSpec

__all__ = ["SegmentationAnalysis", "analyse", "apply_spec", "entities_for", "profile_entities"]

_NAMES = {"reps": "rep_name", "accounts": "account_name", "opportunities": "opportunity_name"}


def entities_for(deals: Any, entity: str = "reps", *, outcome: str = "is_won",
                 between: tuple[Any, Any] | None = None,
                 date_column: str = "close_date") -> pd.DataFrame:
    """The entity table of ``entity`` from canonical deals, as pandas.

    The table is aggregated where the deals live (a DuckDB or Spark table of deals is never
    collected; only its one row per rep or account is). ``outcome`` names the deals' won flag
    when it is not ``is_won`` (it is copied to ``is_won``, which the entity table counts).
    For ``entity="opportunities"`` the table is every deal: on an engine, prefer
    :func:`analyse`, which keeps it there.
    """
    return _pandas(_entity_frame(deals, entity, outcome=outcome, between=between,
                                 date_column=date_column))


def _deals_frame(deals: Any) -> nw.DataFrame | nw.LazyFrame:
    """The deals as narwhals, lazy frames left lazy (anything else gets the teaching error)."""
    try:
        frame = nw.from_native(deals)
    except TypeError:
        return eager(deals)
    return frame if isinstance(frame, nw.DataFrame | nw.LazyFrame) else eager(deals)


def _entity_frame(deals: Any, entity: str, *, outcome: str = "is_won",
                  between: tuple[Any, Any] | None = None,
                  date_column: str = "close_date") -> nw.DataFrame | nw.LazyFrame:
    data = _deals_frame(deals)
    if outcome != "is_won":
        if outcome not in data.collect_schema().names():
            raise ParameterError(f"No outcome column {outcome!r} in the deals.",
                                 hint="Name the true/false column of won deals, e.g. is_won.")
        data = data.with_columns(nw.col(outcome).cast(nw.Boolean).alias("is_won"))
    return nw.from_native(entity_table(data.to_native(), entity, between=between,
                                       date_column=date_column))


def _pandas(frame: nw.DataFrame | nw.LazyFrame) -> pd.DataFrame:
    """A small result as pandas (an eager pandas frame keeps its index, as before)."""
    return _frames.collect_pandas(frame) if isinstance(frame, nw.LazyFrame) else frame.to_pandas()


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
    columns = _frames.to_narwhals(assigned).collect_schema().names()
    sums = [c for c in ("deals", "won", "closed") if c in columns]
    table = profile(assigned, spec=spec, by=by, outcome=None, cycle=None,
                    measures=[m for m in ("won_amount",) if m in columns],
                    aggregations={c: (c, "sum") for c in sums})
    for column in sums:  # empty segments show 0, not a missing count
        table[column] = table[column].fillna(0).astype("int64")
    if {"won", "closed"} <= set(table.columns):
        closed = table["closed"].astype(float)
        table["win_rate"] = (table["won"] / closed.where(closed > 0)).astype(float)
    return table


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
    frame = _deals_frame(deals)
    on_engine = table is None and entity == "opportunities" and isinstance(frame, nw.LazyFrame)
    if table is None:
        table = _entity_frame(frame, entity, outcome=outcome)
        if not on_engine:  # one row per rep or account (or deals already in memory)
            table = _pandas(table)
    metric, higher = _metric(spec, entity, metric)
    if spec is None:
        spec = default_spec(table, entity, metric=metric, higher_is_better=higher)
    key = spec.key or ENTITY_KEYS[entity]
    if on_engine:
        assigned, fitted = _deal_level.apply(table, spec)
        # DuckDB recomputes the strata fast; one materialised copy (below) is enough there.
        assigned = _deal_level.persist(assigned, duckdb=False)
    else:
        assigned, fitted = apply_spec(table, spec)
    warnings = fitted.check(assigned)
    by_segment = profile_entities(assigned, fitted)
    strata = (profile_entities(assigned, fitted, by=["segment", "stratum"])
              if fitted.strata is not None else None)
    columns = _frames.to_narwhals(assigned).collect_schema().names()
    quality = quality_report(assigned, fitted, metric=metric if metric in columns else None,
                             outcome=None, min_size=min_size)
    stability = _stability(frame, fitted, entity, key, outcome, period_column)
    if stability is not None:
        quality.append(stability.measure)
    scored = (compare_schemes(assigned, candidate_schemes(
        fitted, _rule_values(assigned, fitted) if on_engine else assigned), metric=metric,
        outcome=None, min_size=min_size) if schemes else pd.DataFrame())
    rule = OutcomeRule(metric=metric, higher_is_better=higher)
    plan = TreatmentMap.from_spec(fitted)
    stratum = "stratum" if fitted.strata is not None else None
    closed = RATE_COUNTS.get(metric, ("", "deals"))[1]
    volume = closed if closed in columns else "deals"
    options = {"stratum": stratum, "metric": metric, "volume": volume,
               "higher_is_better": higher,
               # Most accounts win few deals: the median account's rate is often 0.
               "benchmark": "mean" if entity == "accounts" else "median",
               "volume_label": "closed deals" if volume == "closed" else volume}
    if on_engine:
        comparison = _deal_level.compare(assigned, entity=key, rule=rule,
                                         min_peers=min(3, min_size))
        everything = nw.from_native(comparison.entities)
        if len(plan):
            everything = _deal_level.with_treatments(everything, plan, stratum=stratum)
        everything = _deal_level.persist(everything)
        ranked = _deal_level.priorities(everything, treatments=plan if len(plan) else None,
                                        **options)
        compared = _deal_level.shown_rows(everything, key=key, metric=metric)
        counts = _deal_level.outcome_counts(everything)
        everything = everything.to_native()
    else:
        comparison = compare(assigned, entity=key, metrics=[rule], min_peers=min(3, min_size))
        compared = eager(comparison.entities).to_pandas()
        if len(plan):
            compared = eager(plan.assign(compared, stratum=stratum)).to_pandas()
        ranked = eager(priorities(compared, treatments=plan if len(plan) else None,
                                  **options)).to_pandas()
        everything, counts = None, {}
    mix = _mix(frame, entity, key, mix_by, outcome)
    return SegmentationAnalysis(
        spec=fitted, entity=entity, key=key,
        name_column=_NAMES[entity] if _NAMES[entity] in compared.columns else None,
        metric=metric, higher_is_better=higher, min_size=min_size, table=compared,
        profile=by_segment, strata_profile=strata, quality=quality, schemes=scored,
        comparison=comparison, mix=mix, priorities=ranked, stability=stability,
        warnings=warnings, entities=everything, outcome_counts=counts)


def _rule_values(assigned: Any, spec: SegmentationSpec, limit: int = 61) -> pd.DataFrame:
    """The distinct values of each rule field (at most ``limit``), for the candidate schemes.

    :func:`~.defaults.candidate_schemes` writes one rule per value of each field; a field
    with more values than that is skipped there anyway, so more are never collected.
    """
    frame = _frames.to_narwhals(assigned)
    fields = list(dict.fromkeys(c.field for r in spec.rules for c in r.when))
    parts = [_frames.collect_pandas(frame.select(nw.col(f).cast(nw.String)).drop_nulls()
                                    .unique().sort(f).head(limit))[f].reset_index(drop=True)
             for f in fields]
    return pd.concat(parts, axis=1) if parts else pd.DataFrame()


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


def _stability(deals: nw.DataFrame | nw.LazyFrame, spec: SegmentationSpec, entity: str,
               key: str, outcome: str, period_column: str | None) -> Migration | None:
    """Segments of the last 12 months against the 12 months before, same fitted spec.

    The last date is found on the engine and each window's entity table is aggregated there:
    only the two entity tables come back.
    """
    if not period_column or entity == "opportunities":
        return None
    schema = deals.collect_schema()
    if period_column not in schema or not schema[period_column].is_temporal():
        return None
    closed = deals.filter(nw.col("is_closed").fill_null(False)) if "is_closed" in schema \
        else deals
    last = _frames.collect_pandas(closed.select(nw.col(period_column).max().alias("last")))
    last = last["last"].iloc[0]
    if last is None or pd.isna(last):
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


def _mix(deals: nw.DataFrame | nw.LazyFrame, entity: str, key: str, mix_by: str | None,
         outcome: str) -> MixCheck | None:
    """The mix check; on a lazy engine the deals are summed into entity x mix cells there."""
    if not mix_by or entity == "opportunities":
        return None
    columns = deals.collect_schema().names()
    if mix_by not in columns or key not in columns:
        return None
    won = nw.col(outcome).cast(nw.Boolean).fill_null(False)
    closed = nw.col("is_closed").cast(nw.Boolean).fill_null(False)
    per_deal = deals.select(nw.col(key).cast(nw.String), nw.col(mix_by).cast(nw.String),
                            won=(won & closed).cast(nw.Int64), closed=closed.cast(nw.Int64))
    return mix_check(per_deal.to_native(), entity=key, segment=mix_by)
