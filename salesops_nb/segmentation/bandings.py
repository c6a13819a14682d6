"""Numeric bandings: fit their edges on data, and assign labels with narwhals expressions.

Fitting computes a handful of numbers from the data (quantiles, min/max, cumulative-share cut
values, natural breaks) in the backend itself; only Fisher-Jenks brings values into Python, at most
a deterministic 2,000 of them. Assigning is a chain of comparisons against the frozen edges, so a
fitted banding gives identical labels on every backend and on next quarter's data.

Hostile data never crashes a fit: no values (all missing) gives one band holding every future
value; ties, a constant column or one row give equal edges, which are merged
(:func:`salesops_nb.segmentation._bands.collapse`).
"""

from __future__ import annotations

import math
from typing import Any

import jenkspy
import narwhals as nw
import numpy as np
import pandas as pd

from salesops_nb.segmentation import _bands, _frames
from salesops_nb.segmentation.spec_parts import Banding

__all__ = ["JENKS_SAMPLE", "band_expr", "fit_banding", "pareto_curve"]

#: Most values Fisher-Jenks runs on (its exact algorithm is quadratic in the values).
JENKS_SAMPLE = 2000


def fit_banding(frame: nw.DataFrame | nw.LazyFrame, banding: Banding) -> Banding:
    """Return ``banding`` with edges and labels computed from ``frame`` (thresholds unchanged).

    Raises
    ------
    MissingColumnsError
        The field is not a column (close names suggested).
    NonNumericFieldError
        The field does not hold numbers.
    """
    where = f"Banding {banding.name!r} ({banding.method})"
    _frames.require_fields(frame, [banding.field], where)
    _frames.require_numeric(frame, banding.field, where)
    if banding.method == "thresholds":
        return banding
    value = _frames.numeric(banding.field, frame).cast(nw.Float64)
    if banding.method == "quantiles":
        raw = _quantile_edges(frame, value, banding.probabilities())
    elif banding.method == "equal_width":
        raw = _equal_width_edges(frame, value, banding.bins or 4)
    elif banding.method == "abc":
        raw = _abc_edges(frame, value, banding.abc_cuts or [0.8, 0.95])
    else:
        raw = _jenks_edges(frame, value, banding.bins or 4)
    nominal = banding.nominal_labels()
    display = nominal[::-1] if banding.method == "abc" else nominal
    if raw is None:  # no values to learn from: a single band covering everything
        edges, labels = [], [_bands.merged_label(nominal, display)]
    else:
        edges, labels = _bands.collapse(raw, nominal, banding.closed, display)
    return banding.model_copy(update={"edges": edges, "fitted_labels": labels})


def band_expr(banding: Banding, frame: nw.DataFrame | nw.LazyFrame) -> nw.Expr:
    """String expression of the band label of each row (unknown label where missing)."""
    edges, labels = banding.cut_points()
    value = _frames.numeric(banding.field, frame)
    cases = [(value.is_null(), banding.unknown_label)]
    for edge, label in zip(edges, labels[:-1], strict=True):
        cases.append((value <= edge if banding.closed == "right" else value < edge, label))
    return _frames.label_chain(cases, labels[-1], frame).alias(banding.name)


def pareto_curve(frame: Any, field: str, *, points: int = 200) -> Any:
    """Cumulative share of the total ``field`` against the share of entities, largest first.

    Returns at most ``points + 1`` rows (pandas): ``entity_share``, ``value_share``, ``value``;
    negative values count as zero, as in ABC banding. For charts: never the whole table.

    The curve is computed on the distinct values (largest first): tied entities are
    indistinguishable, so the points sit where a run of equal values ends. That makes the
    result the same on every engine (a lazy engine orders ties arbitrarily) and keeps the work
    in the engine: only the picked points are collected.
    """
    nw_frame = _frames.to_narwhals(frame)
    _frames.require_fields(nw_frame, [field], "The Pareto curve")
    _frames.require_numeric(nw_frame, field, "The Pareto curve")
    value = _frames.numeric(field, nw_frame).cast(nw.Float64).clip(lower_bound=0.0)
    values = nw_frame.select(value.alias("value")).drop_nulls()
    n, total = _scalars(values, nw.len().alias("n"), nw.col("value").sum().alias("total"))
    n = int(n or 0)
    if n == 0:
        return pd.DataFrame({"entity_share": [0.0], "value_share": [0.0], "value": [0.0]})
    # Per distinct value: how many entities hold it or more (n_ge) and their total (s_ge).
    # Points: the last distinct value of each of ``points`` equal slices of the entities.
    runs = (
        values.group_by("value").agg(nw.len().alias("count"))
        .with_columns(nw.col("count").cast(nw.Int64))
        .with_columns(weight=nw.col("value") * nw.col("count"))
        .with_columns(
            n_ge=nw.col("count").cum_sum(reverse=True).over(order_by="value"),
            s_ge=nw.col("weight").cum_sum(reverse=True).over(order_by="value"),
        )
        .with_columns(slice=(nw.col("n_ge") * points + (n - 1)) // n)  # ceil, in integers
    )
    picked = _frames.collect_pandas(
        runs.filter(nw.col("n_ge") == nw.col("n_ge").max().over("slice"))
        .select("value", "n_ge", "s_ge")
    ).sort_values("n_ge")
    share = picked["s_ge"].to_numpy(dtype=float) / total if total and total > 0 else 0.0
    curve = pd.DataFrame(
        {
            "entity_share": picked["n_ge"].to_numpy(dtype=float) / n,
            "value_share": share,
            "value": picked["value"].to_numpy(dtype=float),
        }
    )
    start = pd.DataFrame({"entity_share": [0.0], "value_share": [0.0], "value": [np.nan]})
    return pd.concat([start, curve], ignore_index=True)


# -- edges per method -----------------------------------------------------------------------------


def _scalars(frame: nw.DataFrame | nw.LazyFrame, *exprs: nw.Expr) -> list[float | None]:
    row = _frames.collect_pandas(frame.select(*exprs)).iloc[0]
    return [None if _missing(v) else float(v) for v in row.tolist()]


def _missing(v: Any) -> bool:
    return v is None or v is pd.NA or (isinstance(v, float) and math.isnan(v))


def _quantile_edges(frame, value: nw.Expr, probabilities: list[float]) -> list[float] | None:
    exprs = [
        value.quantile(p, interpolation="linear").alias(f"q{i}")
        for i, p in enumerate(probabilities)
    ]
    edges = _scalars(frame, *exprs)
    if any(e is None for e in edges):
        return None
    # Linear interpolation is monotone, but guard against float noise between near-equal values.
    return list(np.maximum.accumulate(np.asarray(edges, dtype=float)))


def _equal_width_edges(frame, value: nw.Expr, bins: int) -> list[float] | None:
    low, high = _scalars(frame, value.min().alias("lo"), value.max().alias("hi"))
    if low is None or high is None:
        return None
    step = (high - low) / bins
    return [low + step * i if step > 0 else low for i in range(1, bins)]


def _abc_edges(frame, value: nw.Expr, cuts: list[float]) -> list[float] | None:
    """Value thresholds of each class: the smallest value whose preceding share is below a cut."""
    positive = value.clip(lower_bound=0.0).alias("v")
    (total,) = _scalars(frame, positive.sum().alias("total"))
    if total is None or total <= 0:
        return None
    # Sum of the values at or above each one, minus itself: the share before it, largest first.
    # Tied values may be ordered either way, but they share their value, so the cuts do not move.
    ordered = (
        frame.select(positive)
        .drop_nulls()
        .with_columns(
            before=(nw.col("v").cum_sum(reverse=True).over(order_by="v") - nw.col("v")) / total
        )
    )
    # A conditional column then a plain min (not ``filter().min()``): lazy SQL backends such as
    # DuckDB and Spark refuse length-changing expressions inside an aggregation.
    ordered = ordered.with_columns(
        nw.when(nw.col("before") < cut).then(nw.col("v")).alias(f"c{i}")
        for i, cut in enumerate(cuts)
    )
    exprs = [nw.col(f"c{i}").min() for i in range(len(cuts))]
    # The largest value always has a preceding share of 0, below every cut: none is missing.
    found = _scalars(ordered, *exprs)
    # found[0] is the A threshold (largest); ascending edges are the reversed list.
    return [float(v) for v in reversed(found) if v is not None]


def _jenks_edges(frame, value: nw.Expr, bins: int) -> list[float] | None:
    values = frame.select(value.alias("v")).drop_nulls()
    (n,) = _scalars(values, nw.len().alias("n"))
    n = int(n or 0)
    if n == 0:
        return None
    if n > JENKS_SAMPLE:
        # Evenly spaced order statistics, picked by rank in the backend itself: deterministic,
        # faithful to the distribution, and only JENKS_SAMPLE values leave the engine (a
        # DuckDB or Spark table is never brought whole into Python). Tied values share their
        # value, so which of them holds a rank does not matter.
        ranks = ((np.arange(JENKS_SAMPLE) + 0.5) * n / JENKS_SAMPLE).astype(int) + 1
        values = values.with_columns(r=nw.col("v").rank(method="ordinal")).filter(
            nw.col("r").is_in(ranks.tolist())
        )
    data = np.sort(_frames.collect_pandas(values.select("v"))["v"].to_numpy(dtype=float))
    unique = np.unique(data)
    if unique.size <= bins:
        # Fewer distinct values than classes: each value its own class; pad with the largest.
        edges = list(unique[:-1]) or [float(unique[0])]
        return [float(e) for e in edges + [edges[-1]] * (bins - 1 - len(edges))][: bins - 1]
    breaks = jenkspy.jenks_breaks(data.tolist(), n_classes=bins)
    return [float(b) for b in breaks[1:-1]]
