"""Deal-level analysis on the engine, for when the entity table is the deals themselves.

For reps and accounts, :func:`~salesops_nb.segmentation.analysis.analyse` collects the entity
table (one row per rep or account: an aggregate) and works on it in pandas. For
``entity="opportunities"`` the entity table is every deal. When the deals live on an engine
(DuckDB, Spark, a Polars LazyFrame), the steps that pandas does on an entity table are done
here, on the engine, with the same definitions, and only aggregates and a bounded number of
rows come back:

- :func:`apply` fits and assigns the spec; a shrunk rate for the strata comes from
  per-segment counts (:func:`~salesops_nb.segmentation.rates.single_trial_priors`);
- :func:`compare` ranks every deal within its segment with the expressions of
  :func:`~salesops_nb.segmentation.compare.compare` and collects the peer benchmarks;
- :func:`with_treatments` adds the treatment of each (segment, stratum) cell;
- :func:`priorities` ranks the cells as :func:`~salesops_nb.segmentation.priorities.priorities`
  does;
- :func:`shown_rows` collects the flagged deals a report shows (the ``limit`` worst bad and
  best good ones) and :func:`outcome_counts` how many of each flag there are.

Largest collect: the larger of segments x strata (cells), ``limit`` rows per flag (200 by
default, what a report table shows), the distinct values of a rule field in the scheme
comparison (at most 61) and the Fisher-Jenks sample (2,000 values): a few hundred to two
thousand rows, whatever the number of deals.
"""

from __future__ import annotations

from typing import Any

import narwhals as nw
import numpy as np
import pandas as pd

from salesops_nb.errors import DataError, ParameterError
from salesops_nb.segmentation import _frames
from salesops_nb.segmentation.compare import (
    _KEY,
    Comparison,
    OutcomeRule,
    _basis_clean,
    _name_bases,
    _rules,
    _scores,
    _summary,
)
from salesops_nb.segmentation.defaults import ENTITY_KEYS, RATE_COUNTS, SHRUNK_SUFFIX
from salesops_nb.segmentation.engine import assign, stratum_expr
from salesops_nb.segmentation.priorities import TreatmentMap, _explain
from salesops_nb.segmentation.rates import funnel_limits, require, single_trial_priors
from salesops_nb.segmentation.spec import SegmentationSpec

__all__ = ["SHOWN_ROWS", "apply", "compare", "needed", "outcome_counts", "persist",
           "priorities", "shown_rows", "with_treatments"]

SHOWN_ROWS = 200
"""Flagged deals collected per flag (a report table shows at most 200 rows)."""

_NO_SEGMENT = "(no segment)"
_SEP = "\x1f"  # joins segment and stratum into one lookup key (never in a label)


def _segment(column: str = "segment") -> nw.Expr:
    return nw.col(column).cast(nw.String).fill_null(_NO_SEGMENT)


def _lookup(key: nw.Expr, mapping: dict[str, Any], dtype: Any = nw.Float64) -> nw.Expr:
    """``mapping[key]`` per row, null where the key is absent (a few dozen keys: segments)."""
    clean = {k: v for k, v in mapping.items()
             if v is not None and not (isinstance(v, float) and not np.isfinite(v))}
    if not clean:
        return nw.lit(None, dtype)
    return key.replace_strict(clean, default=None, return_dtype=dtype)


def persist(frame: nw.LazyFrame, *, duckdb: bool = True) -> nw.LazyFrame:
    """Compute a deal-level result once, on the engine, for the steps that follow.

    A lazy frame is recomputed by every action: each collected aggregate (sizes, quality,
    benchmarks, priorities, flagged rows) would redo the segment windows from the scan.
    Spark's ``cache()`` keeps the rows on its executors, DuckDB's ``materialize()`` in its
    own column store: neither makes Python objects of the rows, and the windows run once.
    A Polars LazyFrame is left lazy (it recomputes quickly); ``duckdb=False`` leaves a DuckDB
    relation lazy too. What is stored is only what :func:`apply` kept (see :func:`needed`):
    with every deal column a materialised copy took about 2 GB for a million deals.
    """
    if frame.implementation in (nw.Implementation.PYSPARK, nw.Implementation.PYSPARK_CONNECT):
        return nw.from_native(frame.to_native().cache())
    if frame.implementation is nw.Implementation.DUCKDB and duckdb:
        return nw.from_native(frame.to_native().materialize())
    return frame


# ----------------------------------------------------------------------------- fit and assign
def apply(table: nw.LazyFrame, spec: SegmentationSpec, *, refit: bool = False
          ) -> tuple[nw.LazyFrame, SegmentationSpec]:
    """:func:`~salesops_nb.segmentation.analysis.apply_spec` on the engine (lazy in, lazy out).

    The result holds the columns the later steps read (:func:`needed`), not every deal
    column: it is what :func:`persist` stores.
    """
    table = needed(table, spec)
    bare = spec.model_copy(update={"strata": None, "treatments": []})
    fitted_bare = bare.fit(table, refit=refit)
    fitted = SegmentationSpec.model_validate(
        {**spec.model_dump(), "bandings": [b.model_dump() for b in fitted_bare.bandings]})
    out = nw.from_native(assign(table, fitted_bare))
    if spec.strata is None:
        return out, fitted
    metric = spec.strata.metric
    rate = metric[: -len(SHRUNK_SUFFIX)] if metric.endswith(SHRUNK_SUFFIX) else None
    names = out.collect_schema().names()
    if metric not in names and rate in RATE_COUNTS and all(
            c in names for c in RATE_COUNTS[rate]):
        won, closed = RATE_COUNTS[rate]
        priors = segment_priors(out, won, closed)
        w, n = _count(won), _count(closed)
        alpha = _lookup(_segment(), dict(zip(priors["segment"], priors["alpha"], strict=True)))
        beta = _lookup(_segment(), dict(zip(priors["segment"], priors["beta"], strict=True)))
        out = out.with_columns(nw.when(n > 0).then((w + alpha) / (n + alpha + beta))
                               .alias(metric))
    where = f"The strata metric of spec {spec.name!r}"
    _frames.require_fields(out, [metric], where)
    _frames.require_numeric(out, metric, where)
    return out.with_columns(stratum_expr(spec.strata, out)), fitted


def needed(frame: nw.LazyFrame, spec: SegmentationSpec) -> nw.LazyFrame:
    """The deal columns the steps after :func:`apply` can read, selected (lazily).

    Kept: the deal key and its name column, every field the spec reads, and every number or
    true/false column (the compared metric and the volume may be any of them; 8 bytes a deal
    each). Left out: the other text and date columns (names of accounts and reps, stages,
    countries, dates ...), which no later step reads and which made most of the memory of a
    persisted copy. A spec field missing from the data is not asked for here (the spec's own
    check names it).
    """
    schema = frame.collect_schema()
    keys = [spec.key or ENTITY_KEYS.get(spec.entity, ""), ENTITY_KEYS["opportunities"]]
    wanted = {*keys, *(f"{k[:-3]}_name" for k in keys if k.endswith("_id")), *spec.fields()}
    keep = [c for c, dtype in schema.items()
            if c in wanted or dtype.is_numeric() or dtype == nw.Boolean]
    return frame.select(keep) if len(keep) < len(schema) else frame


def _count(column: str) -> nw.Expr:
    return nw.col(column).cast(nw.Float64).fill_nan(None).fill_null(0.0)


def segment_priors(frame: nw.LazyFrame, successes: str, trials: str, *,
                   segment: str = "segment") -> pd.DataFrame:
    """The Beta prior of each segment of one-deal entities, from counts summed on the engine.

    Raises
    ------
    DataError
        Negative counts, or more successes than trials in some row.
    ParameterError
        An entity with more than one trial: not a table of deals.
    """
    require(frame, [segment, successes, trials], purpose="Rate shrinkage")
    w, n = _count(successes), _count(trials)
    sums = _frames.collect_pandas(
        frame.select(_segment(segment).alias("segment"), w.alias("w"), n.alias("n"),
                     ((w < 0) | (n < 0)).cast(nw.Int64).alias("negative"),
                     (w > n).cast(nw.Int64).alias("over"))
        .group_by("segment")
        .agg(nw.col("w").sum(), nw.col("n").sum(), nw.col("n").max().alias("top"),
             nw.col("negative").sum(), nw.col("over").sum()))
    if sums["negative"].sum() > 0:
        raise DataError(f"Column {successes!r} or {trials!r} holds negative counts.",
                        hint="Counts of deals are zero or more; check how they were built.")
    if sums["over"].sum() > 0:
        raise DataError(f"{successes!r} exceeds {trials!r} in some rows: more successes than "
                        "trials.", hint=f"Check that {successes!r} and {trials!r} are not "
                                         "swapped.")
    if (sums["top"].fillna(0) > 1).any():
        raise ParameterError(
            f"Some rows have more than one {trials!r}: this is not a table of single deals.",
            hint="Collect an entity table of reps or accounts (analysis.entities_for) and "
                 "compare it in pandas; the engine path is for deal-level tables.")
    return single_trial_priors(sums[["segment", "w", "n"]])


# ----------------------------------------------------------------------------- comparison
def compare(frame: nw.LazyFrame, *, entity: str, rule: OutcomeRule, min_peers: int,
            segment: str = "segment") -> Comparison:
    """:func:`~salesops_nb.segmentation.compare.compare` of one rule, on the engine.

    ``entities`` of the result is the lazy frame (every deal, not collected); ``benchmarks``
    (one row per segment) is pandas.
    """
    rules = _rules([rule], frame)
    needed = [entity, segment, *(r.metric for r in rules)]
    needed += [c for r in rules if r.successes for c in (r.successes, r.trials)]
    require(frame, needed, purpose="The comparison")
    schema = frame.collect_schema()
    for item in rules:  # compare's own check, without asking a lazy frame for .schema
        dtype = schema[item.metric]
        if not (dtype.is_numeric() or dtype == nw.Boolean):
            raise ParameterError(
                f"Metric {item.metric!r} holds {dtype}, not numbers: it cannot be ranked.",
                hint="Compare numeric columns such as win_rate, won_amount or avg_cycle_days.")
    data = frame.with_columns(_segment(segment).alias(_KEY))
    priors: dict[str, pd.DataFrame] = {}
    for item in rules:
        basis = f"{item.metric}_basis"
        if item.successes and item.shrink:
            columns, priors[item.metric] = _rate_columns(data, item, segment)
            data = data.with_columns(*columns).with_columns(
                nw.col(f"{item.metric}_shrunk").alias(basis))
        else:
            data = data.with_columns(nw.col(item.metric).cast(nw.Float64).alias(basis))
        data = data.with_columns(_basis_clean(basis)).with_columns(*_scores(item, min_peers))
    data = data.with_columns(nw.col(f"{rules[0].metric}_flag").alias("outcome")).drop(_KEY)
    benchmarks = _benchmarks(data, segment, [f"{r.metric}_basis" for r in rules])
    return Comparison(data.to_native(), _name_bases(benchmarks, rules), tuple(rules), priors)


def _rate_columns(data: nw.LazyFrame, rule: OutcomeRule, segment: str
                  ) -> tuple[list[nw.Expr], pd.DataFrame]:
    """The columns of :func:`~salesops_nb.segmentation.rates.rate_columns` for one-deal rows."""
    name = rule.metric
    priors = segment_priors(data, rule.successes, rule.trials, segment=segment)
    key = nw.col(_KEY)
    per = {c: dict(zip(priors["segment"], priors[c], strict=True))
           for c in ("peer_rate", "alpha", "beta")}
    p0 = _lookup(key, per["peer_rate"])
    alpha, beta = _lookup(key, per["alpha"]), _lookup(key, per["beta"])
    # Every rated deal has one trial: its limits are those of Binomial(1, p0), per segment.
    limits = funnel_limits(priors["peer_rate"].to_numpy(dtype=float), 1.0)
    limit = {b: _lookup(key, dict(zip(priors["segment"], limits[b], strict=True)))
             for b in limits}
    w, n = _count(rule.successes), _count(rule.trials)
    has = n > 0
    flag = (
        nw.when(~has | p0.is_null()).then(nw.lit("no data"))
        .when(w > limit["upper998_count"]).then(nw.lit("above 99.8%"))
        .when(w > limit["upper95_count"]).then(nw.lit("above 95%"))
        .when(w < limit["lower998_count"]).then(nw.lit("below 99.8%"))
        .when(w < limit["lower95_count"]).then(nw.lit("below 95%"))
        .otherwise(nw.lit("within"))
    )
    columns = [
        nw.when(has).then(w / n).alias(f"{name}_raw"),
        nw.when(has).then(p0).alias(f"{name}_peer"),
        *[nw.when(has).then(limit[b]).alias(f"{name}_{b}")
          for b in ("lower95", "upper95", "lower998", "upper998")],
        flag.alias(f"{name}_funnel"),
        nw.when(has).then((w + alpha) / (n + alpha + beta)).alias(f"{name}_shrunk"),
        nw.when(has).then(n / (n + alpha + beta)).alias(f"{name}_weight"),
    ]
    return columns, priors


def _benchmarks(data: nw.LazyFrame, segment: str, metrics: list[str]) -> pd.DataFrame:
    """:func:`~salesops_nb.segmentation.compare.benchmark_table`, aggregated on the engine."""
    parts = []
    for order, metric in enumerate(metrics):
        values = data.select(_segment(segment).alias("segment"),
                             nw.col(metric).cast(nw.Float64).fill_nan(None).alias("v"))
        part = values.drop_nulls("v").group_by("segment").agg(*_summary("v"))
        parts.append(_frames.collect_pandas(part).assign(metric=metric, _order=order))
    table = pd.concat(parts, ignore_index=True)
    table["segment"] = table["segment"].astype(object)
    table["n"] = table["n"].astype("int64")
    table = table.sort_values(["segment", "_order"], kind="stable").reset_index(drop=True)
    return table[["segment", "metric", "n", "mean", "sd", "min", "q1", "median", "q3", "max"]]


# ----------------------------------------------------------------------------- treatments
def with_treatments(frame: nw.LazyFrame, plan: TreatmentMap, *, segment: str = "segment",
                    stratum: str | None = "stratum") -> nw.LazyFrame:
    """:meth:`TreatmentMap.assign` on the engine: each cell looked up once, mapped by key."""
    keys = [nw.col(segment).cast(nw.String).fill_null("")]
    if stratum:
        keys.append(nw.col(stratum).cast(nw.String).fill_null(""))
    key = nw.concat_str([keys[0], nw.lit(_SEP), keys[-1]]) if stratum else keys[0]
    cells = _frames.collect_pandas(frame.select(*[k.alias(f"k{i}") for i, k in
                                                  enumerate(keys)]).unique())
    if plan.labels is None:
        plan.check(cells["k0"].tolist(), cells["k1"].tolist() if stratum else None)
    found: dict[str, dict[str, str]] = {}
    for row in cells.itertuples(index=False):  # one per (segment, stratum) cell, not per deal
        cell = f"{row.k0}{_SEP}{row.k1}" if stratum else row.k0
        found[cell] = plan.lookup(row.k0, row.k1 if stratum else None) or {}
    return frame.with_columns(
        _lookup(key, {c: f.get(field) for c, f in found.items()}, nw.String)
        .alias(f"treatment{suffix}")
        for suffix, field in (("", "name"), ("_kind", "kind"), ("_description", "description"))
    )


# ----------------------------------------------------------------------------- priorities
def priorities(frame: nw.LazyFrame, *, stratum: str | None, metric: str, volume: str,
               higher_is_better: bool, benchmark: str = "median",
               treatments: TreatmentMap | None = None, volume_label: str = "deals"
               ) -> pd.DataFrame:
    """:func:`~salesops_nb.segmentation.priorities.priorities` with the cells summed on the engine.

    Same definitions and output; only the cells (segments x strata) and the segments'
    benchmarks are collected.
    """
    require(frame, ["segment", metric, volume] + ([stratum] if stratum else []),
            purpose="Treatment priorities")
    schema = frame.collect_schema()
    for column in (metric, volume):
        if not schema[column].is_numeric():
            raise ParameterError(f"Column {column!r} holds {schema[column]}, not numbers.",
                                 hint="Priorities need a numeric metric and volume.")
    cells_by = ["segment"] + (["stratum"] if stratum else [])
    work = frame.select(
        _segment().alias("segment"),
        *([nw.col(stratum).cast(nw.String).fill_null("(no stratum)").alias("stratum")]
          if stratum else []),
        nw.col(metric).cast(nw.Float64).fill_nan(None).alias("_m"),
        nw.col(volume).cast(nw.Float64).fill_nan(None).fill_null(0.0).alias("_v"),
    ).drop_nulls("_m").with_columns(_mv=nw.col("_m") * nw.col("_v"))
    cells = _frames.collect_pandas(work.group_by(cells_by).agg(
        nw.len().alias("entities"), nw.col("_v").sum().alias("volume"),
        nw.col("_mv").sum().alias("_mv"), nw.col("_m").mean().alias("_plain")))
    totals = _frames.collect_pandas(work.select(
        nw.len().alias("n"),
        ((nw.col("_m") >= 0) & (nw.col("_m") <= 1)).cast(nw.Int64).sum().alias("unit")))
    cells["entities"] = cells["entities"].astype("int64")
    with np.errstate(invalid="ignore", divide="ignore"):
        cells["value"] = np.where(cells["volume"] > 0, cells["_mv"] / cells["volume"],
                                  cells["_plain"])
    cells = _with_benchmark(cells, work, stratum is not None, benchmark, higher_is_better)
    gap = cells["benchmark"] - cells["value"]
    cells["gap"] = gap if higher_is_better else -gap
    cells["impact"] = cells["gap"].abs() * cells["volume"]
    # The order narwhals gives on pandas in priorities(): impact first (missing first).
    cells = cells.sort_values(["impact", *cells_by], ascending=[False] + [True] * len(cells_by),
                              na_position="first", kind="stable").reset_index(drop=True)
    cells.insert(0, "priority", np.arange(1, len(cells) + 1, dtype=np.int64))
    n, unit = int(totals["n"].iloc[0] or 0), int(totals["unit"].iloc[0] or 0)
    as_rate = n > 0 and unit == n
    gaps, volumes = cells["gap"].to_numpy(dtype=float), cells["volume"].to_numpy(dtype=float)
    cells["position"] = np.where(np.isclose(gaps, 0.0, atol=1e-12), "at benchmark",
                                 np.where(gaps > 0, "below benchmark", "above benchmark"))
    cells["explanation"] = _explain(gaps, volumes, as_rate, volume_label, None)
    cells = cells[["priority", *cells_by, "entities", "volume", "value", "benchmark", "gap",
                   "impact", "position", "explanation"]]
    if treatments is not None:
        cells = treatments.assign(cells, segment="segment",
                                  stratum="stratum" if stratum else None)
        cells = cells.sort_values("priority", kind="stable").reset_index(drop=True)
    return cells


def _with_benchmark(cells: pd.DataFrame, work: nw.LazyFrame, stratified: bool,
                    benchmark: str, higher_is_better: bool) -> pd.DataFrame:
    if benchmark == "median":
        expr = nw.col("_m").median()
    elif benchmark == "mean":
        expr = nw.col("_mv").sum() / nw.col("_v").sum()
    elif benchmark == "top_quartile":
        expr = nw.col("_m").quantile(0.75 if higher_is_better else 0.25,
                                     interpolation="linear")
    else:
        raise ParameterError(f"benchmark={benchmark!r} is not a benchmark.",
                             hint='Use "median", "mean" or "top_quartile".')
    if not stratified:  # segments measured against all entities
        level = _frames.collect_pandas(work.select(expr.alias("benchmark")))["benchmark"]
        return cells.assign(benchmark=float(level.iloc[0]))
    if benchmark == "mean":  # a ratio of sums: sum first, divide after
        per = _frames.collect_pandas(work.group_by("segment").agg(
            nw.col("_mv").sum(), nw.col("_v").sum()))
        with np.errstate(invalid="ignore", divide="ignore"):
            per["benchmark"] = np.where(per["_v"] > 0, per["_mv"] / per["_v"], np.nan)
    else:
        per = _frames.collect_pandas(work.group_by("segment").agg(expr.alias("benchmark")))
    per["benchmark"] = per["benchmark"].astype(float)
    return cells.merge(per[["segment", "benchmark"]], on="segment", how="left")


# ----------------------------------------------------------------------------- shown rows
def shown_rows(frame: nw.LazyFrame, *, key: str, metric: str,
               limit: int = SHOWN_ROWS) -> pd.DataFrame:
    """The ``limit`` worst deals flagged bad and the ``limit`` best flagged good (pandas)."""
    position = f"{metric}_percentile"
    parts = []
    for flag, best_first in (("bad", False), ("good", True)):
        rows = (frame.filter(nw.col("outcome") == flag)
                .sort([position, key], descending=[best_first, False]).head(limit))
        parts.append(_frames.collect_pandas(rows))
    return pd.concat(parts, ignore_index=True)


def outcome_counts(frame: nw.LazyFrame) -> dict[str, int]:
    """How many entities carry each outcome flag."""
    counts = _frames.collect_pandas(frame.group_by("outcome").agg(nw.len().alias("n")))
    return {str(flag): int(n) for flag, n in zip(counts["outcome"], counts["n"], strict=True)}
