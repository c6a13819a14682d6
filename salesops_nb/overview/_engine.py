"""The overview on lazy engines: column checks, outcomes and small results, through narwhals.

A pandas table takes the pandas code path of each overview function (eager, tuned, unchanged).
Any other table narwhals wraps (Polars eager or lazy, DuckDB, Spark ...) becomes a narwhals
LazyFrame here, and the overview asks the engine for aggregates only: counts, sums, minima,
quantiles, a few ids. Every result brought back is bounded (a few hundred rows at most), so a
10-million-row Spark table never reaches the driver.

Lazy engines have no row order, so where the pandas path names "the first rows" (example ids)
these name the smallest ids instead; ties are broken by value, never by position.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import narwhals as nw
import pandas as pd

from salesops_nb.errors import DataError
from salesops_nb.overview._columns import (
    _STAGE_OUTCOME,
    LOST,
    OPEN,
    WON,
    no_outcome_error,
    normalised_key,
    text_amounts_error,
    text_dates_error,
)
from salesops_nb.segmentation._frames import collect_pandas

__all__ = [
    "MAX_DISTINCT",
    "amount_expr",
    "collect",
    "date_expr",
    "example_ids",
    "lazy",
    "outcome_expr",
    "scalars",
    "schema",
]

MAX_DISTINCT = 2000
"""At most this many distinct values of a column are brought back (most frequent first)."""


def lazy(frame: Any) -> nw.LazyFrame | None:
    """``None`` for a pandas table (the pandas path); else the table as a narwhals LazyFrame."""
    if isinstance(frame, pd.DataFrame):
        return None
    if isinstance(frame, nw.DataFrame | nw.LazyFrame):
        data = frame
    else:
        try:
            data = nw.from_native(frame)
        except TypeError as err:
            raise DataError(
                f"A {type(frame).__name__} is not a data frame.",
                hint="Pass a pandas, Polars, DuckDB or Spark table, e.g. from "
                "salesops_nb.backends.open_deals(...).",
            ) from err
    if isinstance(data, nw.DataFrame):
        native = data.to_native()
        if isinstance(native, pd.DataFrame):
            return None
        return data.lazy()
    return data


def pandas_frame(frame: Any) -> pd.DataFrame:
    """The pandas DataFrame behind ``frame`` (a narwhals wrapper is unwrapped)."""
    if isinstance(frame, nw.DataFrame):
        return frame.to_native()
    return frame


def schema(frame: nw.LazyFrame) -> dict[str, Any]:
    """Column name -> narwhals dtype, read from the plan (nothing is computed)."""
    return dict(frame.collect_schema())


def collect(frame: nw.LazyFrame) -> pd.DataFrame:
    """A small (aggregated) result as pandas, engine-specific number types made plain."""
    return collect_pandas(frame).reset_index(drop=True)


def scalars(frame: nw.LazyFrame, *exprs: nw.Expr) -> dict[str, Any]:
    """One row of aggregates (``exprs`` aliased) as a dict; missing values become None."""
    row = collect(frame.select(*exprs)).iloc[0]
    return {k: (None if _missing(v) else v) for k, v in row.items()}


def _missing(value: Any) -> bool:
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):
        return False


def _examples_of(frame: nw.LazyFrame, column: str, limit: int = 3) -> list[str]:
    values = collect(frame.select(nw.col(column)).drop_nulls().head(limit))
    return values[column].astype(str).tolist() if column in values else []


def amount_expr(frame: nw.LazyFrame) -> nw.Expr:
    """``amount`` as Float64 with NaN as missing; text amounts are refused as on pandas."""
    dtype = schema(frame)["amount"]
    if not dtype.is_numeric() or dtype == nw.Boolean:
        raise text_amounts_error(_examples_of(frame, "amount"))
    value = nw.col("amount").cast(nw.Float64)
    return value.fill_nan(None)


def date_expr(frame: nw.LazyFrame, name: str) -> nw.Expr:
    """A date column as it is; text dates are refused rather than guessed at."""
    dtype = schema(frame)[name]
    if dtype != nw.Date and not isinstance(dtype, nw.Datetime) and dtype != nw.Datetime:
        raise text_dates_error(name, _examples_of(frame, name))
    return nw.col(name)


def now_literal(frame: nw.LazyFrame, name: str, now: pd.Timestamp) -> nw.Expr:
    """``now`` as a literal comparable with the date column ``name`` (zone, date or time)."""
    dtype = schema(frame)[name]
    if dtype == nw.Date:
        return nw.lit(now.date(), dtype=nw.Date)
    zone = getattr(dtype, "time_zone", None)
    if zone:
        aware = now.tz_localize(zone) if now.tzinfo is None else now.tz_convert(zone)
        return nw.lit(aware.to_pydatetime(), dtype=dtype)
    naive = now.tz_localize(None) if now.tzinfo else now
    return nw.lit(dt.datetime.fromisoformat(naive.isoformat()), dtype=nw.Datetime("us"))


def outcome_expr(frame: nw.LazyFrame) -> nw.Expr:
    """Each deal's outcome ("won", "lost", "open") as an engine expression.

    Same sources and precedence as :func:`salesops_nb.overview._columns.outcomes`: the
    ``outcome`` column, else ``is_won``/``is_closed``, else the stage name. Stage names are
    matched on the engine against the spellings found among the :data:`MAX_DISTINCT` most
    frequent stages (normalised in pandas on that small list).
    """
    columns = schema(frame)
    if "outcome" in columns:
        text = nw.col("outcome").cast(nw.String).str.strip_chars().str.to_lowercase()
        return nw.when(text == WON).then(nw.lit(WON)).when(text == LOST).then(
            nw.lit(LOST)).otherwise(nw.lit(OPEN))
    from_stage = _stage_outcome(frame) if "stage" in columns else None
    if "is_won" in columns:
        won = nw.col("is_won").cast(nw.Boolean).fill_null(value=False)
        if "is_closed" in columns:
            closed = nw.col("is_closed").cast(nw.Boolean).fill_null(value=False)
        elif from_stage is not None:
            closed = (from_stage != OPEN) | won
        else:
            closed = won
        return nw.when(won).then(nw.lit(WON)).when(closed).then(nw.lit(LOST)).otherwise(
            nw.lit(OPEN))
    if from_stage is not None:
        return from_stage
    raise no_outcome_error()


def _stage_outcome(frame: nw.LazyFrame) -> nw.Expr:
    stage = nw.col("stage").cast(nw.String)
    names = distinct_counts(frame, stage)["value"].tolist()
    keys = normalised_key(pd.Series(names, dtype="string")).map(_STAGE_OUTCOME)
    won = [n for n, k in zip(names, keys, strict=True) if k == WON]
    lost = [n for n, k in zip(names, keys, strict=True) if k == LOST]
    expr: Any = nw
    for label, group in ((WON, won), (LOST, lost)):
        if group:
            expr = expr.when(stage.is_in(group)).then(nw.lit(label))
    return nw.lit(OPEN) if expr is nw else expr.otherwise(nw.lit(OPEN))


def distinct_counts(frame: nw.LazyFrame, value: nw.Expr,
                    limit: int = MAX_DISTINCT) -> pd.DataFrame:
    """The ``limit`` most frequent non-missing values of ``value`` with their row counts.

    Returns a pandas frame of ``value`` and ``rows``, most rows first, ties by value; its
    ``attrs["distinct"]`` holds how many distinct values the column has in all.
    """
    counts = (
        frame.select(value.alias("value")).drop_nulls()
        .group_by("value").agg(nw.len().alias("rows"))
    )
    top = collect(counts.sort(["rows", "value"], descending=[True, False]).head(limit))
    top["value"] = top["value"].astype(object)
    top["rows"] = top["rows"].astype("int64")
    distinct = len(top)
    if distinct >= limit:
        distinct = int(scalars(counts, nw.len().alias("n"))["n"])
    top.attrs["distinct"] = distinct
    return top


def example_ids(frame: nw.LazyFrame, mask: nw.Expr, key: str | None, count: int,
                limit: int = 3) -> str:
    """Point a user at up to ``limit`` flagged deals: their smallest ids.

    Returns e.g. ``"OPP-1, OPP-7 (+12 more)"``, or ``""`` when nothing is flagged or the
    table has no id column (a lazy table has no row numbers to show instead).
    """
    if count <= 0 or not key or key not in schema(frame):
        return ""
    ids = collect(
        frame.filter(mask).select(nw.col(key)).sort(key, nulls_last=True).head(limit)
    )[key]
    shown = ids.astype("string").fillna("(no id)").tolist()
    more = count - len(shown)
    return ", ".join(shown) + (f" (+{more:,} more)" if more > 0 else "")
