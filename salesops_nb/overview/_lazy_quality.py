"""Engine-side aggregates behind :mod:`salesops_nb.overview.quality` (lazy engines).

Every check is a count, a minimum/maximum or a small group-by computed by the engine; only
those numbers, at most :data:`~salesops_nb.overview._engine.MAX_DISTINCT` distinct values per
category column, at most ``limit`` duplicated ids and three example ids per check come back.
"""

from __future__ import annotations

from typing import Any

import narwhals as nw
import pandas as pd

from salesops_nb.overview import _engine
from salesops_nb.overview._columns import LOST, WON


def missing_counts(frame: nw.LazyFrame) -> tuple[int, list[int]]:
    """Rows, and missing values per column (null, float NaN, blank text), in one pass."""
    columns = _engine.schema(frame)
    exprs = [nw.len().alias("__rows")]
    for i, (name, dtype) in enumerate(columns.items()):
        exprs.append(_missing(name, dtype).cast(nw.Int64).sum().alias(f"c{i}"))
    found = _engine.scalars(frame, *exprs)
    counts = [int(found[f"c{i}"] or 0) for i in range(len(columns))]
    return int(found["__rows"] or 0), counts


#: What Python's (and so pandas') ``str.strip()`` strips: every character ``isspace()`` accepts.
WHITESPACE = "".join(chr(c) for c in range(0x3001) if chr(c).isspace())


def _missing(name: str, dtype: Any) -> nw.Expr:
    column = nw.col(name)
    if dtype.is_float():
        return column.is_null() | column.is_nan().fill_null(value=False)
    if dtype == nw.String:
        # CRM exports write "" (or spaces) where a value was never set. Only text starting
        # with a space can be blank: the (slow) strip runs on those few values alone.
        maybe = (column == "") | column.str.slice(0, 1).is_in(list(WHITESPACE))
        blank = nw.when(maybe).then(column.str.strip_chars(WHITESPACE) == "").otherwise(
            nw.lit(value=False))
        return column.is_null() | blank.fill_null(value=False)
    return column.is_null()


def distinct_rows(frame: nw.LazyFrame) -> nw.LazyFrame:
    """One row per distinct row of ``frame`` with ``__copies``, the rows it stands for.

    A group-by on every column: engines run it as a hash aggregation (narwhals' ``unique``
    is a window over all columns, about twice as slow on DuckDB). Nulls and NaNs group
    together, as pandas' ``duplicated`` treats them.
    """
    return frame.group_by(*_engine.schema(frame)).agg(nw.len().alias("__copies"))


def duplicates(frame: nw.LazyFrame, key: str, limit: int | None) -> tuple[pd.DataFrame, int]:
    """Ids on more than one row (most rows first, ties by id) and how many rows share an id.

    Returns the table ``id``, ``rows``, ``identical`` (at most ``limit`` ids) and the number of
    rows carrying a repeated id (over all of them).
    """
    ids = (
        frame.filter(~nw.col(key).is_null()).group_by(key).agg(nw.len().alias("rows"))
        .filter(nw.col("rows") > 1)
    )
    total = int(_engine.scalars(ids, nw.col("rows").sum().alias("n"))["n"] or 0)
    if total == 0:
        return pd.DataFrame(columns=["id", "rows", "identical"]), 0
    ordered = ids.sort(["rows", key], descending=[True, False])
    top = _engine.collect(ordered.head(limit) if limit is not None else ordered)
    # Rows of those ids that differ in any column: one distinct row per id = a double export.
    distinct = _engine.collect(
        distinct_rows(frame.filter(nw.col(key).is_in(top[key].tolist())))
        .group_by(key).agg(nw.len().alias("distinct"))
    )
    per_id = dict(zip(distinct[key].tolist(), distinct["distinct"].tolist(), strict=True))
    table = pd.DataFrame(
        {
            "id": top[key].astype(object),
            "rows": top["rows"].astype("int64"),
            "identical": [int(per_id.get(i, 0)) == 1 for i in top[key].tolist()],
        }
    )
    return table, total


def copies(frame: nw.LazyFrame, n: int, key: str | None) -> tuple[int, str]:
    """Extra copies of exactly duplicated rows, and the smallest ids carrying one."""
    if not key or key not in _engine.schema(frame):
        distinct = int(_engine.scalars(distinct_rows(frame), nw.len().alias("n"))["n"] or 0)
        return max(n - distinct, 0), ""
    # An exact copy repeats its id: only rows whose id repeats (or is missing) can be copies,
    # usually a handful, so the group-by on every column runs on those alone.
    repeated = (
        frame.group_by(key).agg(nw.len().alias("__rows"))
        .filter(nw.col("__rows") > 1).select(key)
    )
    candidates = nw.concat([
        frame.join(repeated, on=key, how="semi"),
        frame.filter(nw.col(key).is_null()),
    ])
    groups = distinct_rows(candidates)
    found = _engine.scalars(
        groups, nw.col("__copies").sum().alias("rows"), nw.len().alias("distinct"))
    count = int(found["rows"] or 0) - int(found["distinct"] or 0)
    if count <= 0:
        return 0, ""
    held = groups.filter(nw.col("__copies") > 1).select(nw.col(key)).unique()
    ids = _engine.collect(held.sort(key, nulls_last=True).head(3))[key]
    shown = ids.astype("string").fillna("(no id)").tolist()
    more = count - len(shown)
    return count, ", ".join(shown) + (f" (+{more:,} more)" if more > 0 else "")


def date_rows(frame: nw.LazyFrame, names: list[str], now: pd.Timestamp) -> list[dict]:
    """First, last, missing and future dates of each date column, in one pass."""
    outcome = _engine.outcome_expr(frame) if "close_date" in names else None
    exprs = []
    for i, name in enumerate(names):
        value = _engine.date_expr(frame, name)
        future = value > _engine.now_literal(frame, name, now)
        if name == "close_date":  # an open deal may close in the future
            future = future & outcome.is_in([WON, LOST])
        exprs += [
            value.min().alias(f"first{i}"), value.max().alias(f"last{i}"),
            value.is_null().cast(nw.Int64).sum().alias(f"missing{i}"),
            future.fill_null(value=False).cast(nw.Int64).sum().alias(f"future{i}"),
        ]
    if not exprs:
        return []
    found = _engine.scalars(frame, *exprs)
    return [
        {
            "column": name,
            "first": pd.Timestamp(found[f"first{i}"]) if found[f"first{i}"] is not None
            else pd.NaT,
            "last": pd.Timestamp(found[f"last{i}"]) if found[f"last{i}"] is not None
            else pd.NaT,
            "missing": int(found[f"missing{i}"] or 0),
            "in_future": int(found[f"future{i}"] or 0),
        }
        for i, name in enumerate(names)
    ]


def spelling_counts(frame: nw.LazyFrame, name: str) -> pd.Series:
    """Rows per distinct value of ``name`` worth comparing, most rows first, ties by value.

    The :data:`~salesops_nb.overview._engine.MAX_DISTINCT` most frequent values, plus (from
    the long tail) up to as many values that share a rough key (lower case, letters and
    digits only) with another value: the exact comparison then runs in pandas on these few.
    """
    value = nw.col(name).cast(nw.String)
    top = _engine.distinct_counts(frame, value)
    if top.attrs["distinct"] > len(top):
        rough = nw.col("value").str.to_lowercase().str.replace_all("[^a-z0-9]", "")
        tail = (
            frame.select(value.alias("value")).drop_nulls()
            .group_by("value").agg(nw.len().alias("rows"))
            .with_columns(rough.alias("rough"))
            .filter(nw.col("rows").count().over("rough") > 1)
            .select("value", "rows")
            .sort(["rows", "value"], descending=[True, False])
            .head(_engine.MAX_DISTINCT)
        )
        tail = _engine.collect(tail).astype({"value": object, "rows": "int64"})
        top = pd.concat([top, tail], ignore_index=True).drop_duplicates("value")
    table = top.sort_values(["rows", "value"], ascending=[False, True], kind="stable")
    return pd.Series(table["rows"].to_numpy(), index=pd.Index(table["value"], dtype="string"),
                     name="rows")


def check_counts(frame: nw.LazyFrame, checks: dict[str, nw.Expr]) -> dict[str, int]:
    """How many rows each mask flags, every mask counted in one pass."""
    if not checks:
        return {}
    names = {f"m{i}": name for i, name in enumerate(checks)}
    found = _engine.scalars(frame, *[
        checks[name].fill_null(value=False).cast(nw.Int64).sum().alias(alias)
        for alias, name in names.items()
    ])
    return {name: int(found[alias] or 0) for alias, name in names.items()}
