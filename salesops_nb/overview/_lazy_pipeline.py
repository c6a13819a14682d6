"""Engine-side aggregates behind :mod:`salesops_nb.overview.pipeline` (lazy engines).

Each function takes a narwhals LazyFrame, derives the per-deal columns it needs as engine
expressions (outcome, period number, size band) and returns the group-by result as a small
pandas frame; :mod:`~salesops_nb.overview.pipeline` finishes it with the same code as the
pandas path. Nothing here brings back more than a few hundred rows.
"""

from __future__ import annotations

import math
from typing import Any

import narwhals as nw
import numpy as np
import pandas as pd

from salesops_nb.overview import _engine
from salesops_nb.overview._columns import LOST, OPEN, WON

_ORDINAL_BASE = 1970  # pandas period ordinals count from 1970 (month 0 = 1970-01)


def stage_counts(frame: nw.LazyFrame, missing: str, cap: int,
                 known: tuple[str, ...]) -> tuple[pd.DataFrame, dict | None]:
    """Per stage: ``deals``, ``amount``, ``average_amount``, ``amount_n``, won/lost/open counts.

    The ``known`` stages and then those with most deals (ties by name), ``cap`` in all, and
    the rest summed into one dict (or None when every stage fits).
    """
    stage = nw.col("stage").cast(nw.String).fill_null(nw.lit(missing))
    outcome = _engine.outcome_expr(frame)
    rows = frame.select(
        stage.alias("stage"),
        _engine.amount_expr(frame).alias("amount"),
        *[(outcome == name).cast(nw.Int64).alias(f"_{name}") for name in (WON, LOST, OPEN)],
    )
    grouped = rows.group_by("stage").agg(
        nw.len().alias("deals"),
        nw.col("amount").sum().alias("amount"),
        nw.col("amount").mean().alias("average_amount"),
        nw.col("amount").count().alias("amount_n"),
        *[nw.col(f"_{name}").sum().alias(name) for name in (WON, LOST, OPEN)],
    )
    ranked = grouped.with_columns(nw.col("stage").is_in(list(known)).alias("_known"))
    top = _engine.collect(
        ranked.sort(["_known", "deals", "stage"], descending=[True, True, False]).head(cap + 1)
    )
    top = _counts_types(top.drop(columns="_known"))
    if len(top) <= cap:
        return top, None
    top = top.head(cap)
    rest = grouped.filter(~nw.col("stage").is_in(top["stage"].tolist()))
    other = _engine.scalars(
        rest,
        nw.len().alias("stages"),
        *[nw.col(c).sum().alias(c) for c in ("deals", "amount", "amount_n", WON, LOST, OPEN)],
    )
    return top, {k: (v if v is not None else 0) for k, v in other.items()}


def _counts_types(table: pd.DataFrame) -> pd.DataFrame:
    table["stage"] = table["stage"].astype("string")
    for name in ("deals", "amount_n", WON, LOST, OPEN):
        table[name] = table[name].fillna(0).astype("int64")
    # A stage whose amounts are all missing sums to null on SQL engines, 0 on pandas.
    table["amount"] = table["amount"].astype("float64").fillna(0.0)
    table["average_amount"] = table["average_amount"].astype("float64")
    return table


def close_range(frame: nw.LazyFrame) -> tuple[nw.LazyFrame, Any, Any]:
    """Closed deals with a close date (``close``, ``won``, ``amount``) and their first/last date."""
    outcome = _engine.outcome_expr(frame)
    closed = frame.select(
        _engine.date_expr(frame, "close_date").alias("close"),
        (outcome == WON).alias("won"),
        (outcome != OPEN).alias("closed"),
        _engine.amount_expr(frame).alias("amount"),
    ).filter(nw.col("closed") & ~nw.col("close").is_null())
    ends = _engine.scalars(closed, nw.col("close").min().alias("first"),
                           nw.col("close").max().alias("last"))
    return closed, ends["first"], ends["last"]


def period_counts(closed: nw.LazyFrame, freq: str) -> pd.DataFrame:
    """Won/lost deals and amounts per period, indexed by a pandas PeriodIndex of ``freq``."""
    year = nw.col("close").dt.year().cast(nw.Int64) - _ORDINAL_BASE
    month = nw.col("close").dt.month().cast(nw.Int64) - 1
    ordinal = {"M": year * 12 + month, "Q": year * 4 + month // 3, "Y": year}[freq]
    won = nw.col("won")
    grouped = closed.with_columns(
        ordinal.alias("ordinal"),
        won.cast(nw.Int64).alias("_won"),
        (~won).cast(nw.Int64).alias("_lost"),
        nw.when(won).then(nw.col("amount")).otherwise(nw.lit(0.0)).alias("_won_amount"),
        nw.when(won).then(nw.lit(0.0)).otherwise(nw.col("amount")).alias("_lost_amount"),
    ).group_by("ordinal").agg(
        *[nw.col(f"_{c}").sum().alias(c) for c in ("won", "lost", "won_amount", "lost_amount")]
    )
    table = _engine.collect(grouped)
    index = pd.PeriodIndex.from_ordinals(table["ordinal"].astype("int64"), freq=freq)
    table = table.drop(columns="ordinal").set_index(index).sort_index()
    for name in ("won", "lost"):
        table[name] = table[name].fillna(0).astype("int64")
    for name in ("won_amount", "lost_amount"):
        table[name] = table[name].astype("float64").fillna(0.0)
    return table


def positive_amounts(frame: nw.LazyFrame) -> tuple[nw.LazyFrame, dict]:
    """Deals with a positive, finite amount (``value``, ``outcome``) and their n/min/max/sum."""
    amount = _engine.amount_expr(frame)
    values = frame.select(
        amount.alias("value"), _engine.outcome_expr(frame).alias("outcome")
    ).filter((nw.col("value") > 0) & (nw.col("value") < math.inf))
    summary = _engine.scalars(
        values,
        nw.len().alias("n"),
        nw.col("value").min().alias("low"),
        nw.col("value").max().alias("high"),
        nw.col("value").sum().alias("total"),
    )
    return values, summary


def quantiles(values: nw.LazyFrame, probabilities: np.ndarray) -> np.ndarray:
    """Linear (type 7) quantiles of ``value``, computed by the engine."""
    found = _engine.scalars(values, *[
        nw.col("value").quantile(float(p), interpolation="linear").alias(f"q{i}")
        for i, p in enumerate(probabilities)
    ])
    return np.asarray([float(v) for v in found.values()], dtype=float)


def band_counts(values: nw.LazyFrame, edges: np.ndarray) -> pd.DataFrame:
    """Deals, amount and outcome counts per band ``[edges[i], edges[i+1])`` (last band closed).

    Returns one row per band that holds a deal, indexed by band number.
    """
    grouped = values.with_columns(
        _band_of(nw.col("value"), edges, 0, len(edges) - 2).cast(nw.Int64).alias("band"),
        *[(nw.col("outcome") == name).cast(nw.Int64).alias(f"_{name}")
          for name in (WON, LOST, OPEN)],
    ).group_by("band").agg(
        nw.len().alias("deals"),
        nw.col("value").sum().alias("amount"),
        *[nw.col(f"_{name}").sum().alias(name) for name in (WON, LOST, OPEN)],
    )
    table = _engine.collect(grouped).set_index("band")
    return table


def _band_of(value: nw.Expr, edges: np.ndarray, low: int, high: int) -> nw.Expr:
    """Band number of ``value`` among bands ``low..high``: a balanced tree of comparisons.

    The same comparisons as ``searchsorted`` on the pandas path, nested only ``log2(bands)``
    deep: amounts from 1e-300 to 1e308 make some 1,800 log bands, and a flat chain of that
    many cases exceeds the recursion limit when narwhals builds the expression.
    """
    if low == high:
        return nw.lit(low)
    middle = (low + high + 1) // 2
    return nw.when(value < float(edges[middle])).then(
        _band_of(value, edges, low, middle - 1)).otherwise(_band_of(value, edges, middle, high))


GROUPS = ("all deals", WON, LOST, OPEN)


def size_stats(frame: nw.LazyFrame) -> pd.DataFrame:
    """Per group ("all deals", won, lost, open): positive-amount statistics, one engine pass
    for the statistics and one for the top-decile sums.

    Returns a pandas frame indexed by group with ``deals``, ``total``, ``mean``, ``median``,
    ``p90``, ``max``, ``top`` (sum of the largest ``ceil(10%)`` amounts) and ``not_positive``.
    """
    amount = _engine.amount_expr(frame)
    outcome = _engine.outcome_expr(frame)
    names = {g: f"g{i}" for i, g in enumerate(GROUPS)}
    rows = frame.select(amount.alias("v"), outcome.alias("o"))
    v = nw.col("v")
    tests = {"all deals": nw.lit(value=True), WON: nw.col("o") == WON,
             LOST: nw.col("o") == LOST, OPEN: nw.col("o") == OPEN}
    # Conditional columns first, then plain aggregations: SQL engines refuse filters inside
    # an aggregation, and one select computes every group in one pass.
    columns = rows.with_columns(
        *[nw.when(tests[g] & (v > 0)).then(v).alias(names[g]) for g in GROUPS],
        *[(tests[g] & (v <= 0)).fill_null(value=False).cast(nw.Int64).alias(f"{names[g]}_bad")
          for g in GROUPS],
    )
    exprs = []
    for g in GROUPS:
        c = nw.col(names[g])
        exprs += [
            c.count().alias(f"{names[g]}_deals"), c.sum().alias(f"{names[g]}_total"),
            c.mean().alias(f"{names[g]}_mean"),
            c.quantile(0.5, interpolation="linear").alias(f"{names[g]}_median"),
            c.quantile(0.9, interpolation="linear").alias(f"{names[g]}_p90"),
            c.max().alias(f"{names[g]}_max"),
            nw.col(f"{names[g]}_bad").sum().alias(f"{names[g]}_not_positive"),
        ]
    found = _engine.scalars(columns, *exprs)
    fields = ("deals", "total", "mean", "median", "p90", "max", "not_positive")
    table = pd.DataFrame(
        {f: [found[f"{names[g]}_{f}"] for g in GROUPS] for f in fields}, index=list(GROUPS)
    )
    for f in ("deals", "not_positive"):
        table[f] = table[f].fillna(0).astype("int64")
    for f in ("total", "mean", "median", "p90", "max"):
        table[f] = table[f].astype("float64")
    table["top"] = _top_decile_sums(columns, table, names)
    return table


def _top_decile_sums(columns: nw.LazyFrame, table: pd.DataFrame, names: dict) -> list[float]:
    """Sum of the ``k = ceil(10% n)`` largest amounts of each group, on the engine.

    The k-th largest amount ``t`` is the linear quantile at ``(n - k) / (n - 1)`` (an order
    statistic); the top sum is then ``sum(v > t) + (k - count(v > t)) * t``, which does not
    depend on how tied amounts are ordered (a window over all deals would move every row of
    the table into one Spark task).
    """
    k = {g: math.ceil(int(table.loc[g, "deals"]) * 0.1) for g in GROUPS}
    present = [g for g in GROUPS if table.loc[g, "deals"] > 0]
    if not present:
        return [np.nan] * len(GROUPS)
    cuts = {}
    quantile_exprs = []
    for g in present:
        n = int(table.loc[g, "deals"])
        if n == 1:
            cuts[g] = float(table.loc[g, "max"])
        else:
            q = (n - k[g]) / (n - 1)
            quantile_exprs.append(
                nw.col(names[g]).quantile(q, interpolation="linear").alias(names[g]))
    if quantile_exprs:
        found = _engine.scalars(columns, *quantile_exprs)
        cuts.update({g: float(found[names[g]]) for g in present if names[g] in found})
    sums = []
    for g in present:
        above = nw.when(nw.col(names[g]) > cuts[g]).then(nw.col(names[g]))
        sums += [above.sum().alias(f"{names[g]}_s"), above.count().alias(f"{names[g]}_c")]
    found = _engine.scalars(columns, *sums)
    result = []
    for g in GROUPS:
        if g not in present:
            result.append(np.nan)
            continue
        above_sum = float(found[f"{names[g]}_s"] or 0.0)
        above_n = int(found[f"{names[g]}_c"] or 0)
        result.append(above_sum + (k[g] - above_n) * cuts[g])
    return result
