"""Data-quality summary of an opportunities table: what to fix before trusting any analysis.

Each function takes a canonical opportunities frame (see
:data:`salesops_nb.data.schema.OPPORTUNITIES`) and returns a small table. Optional
columns that are absent are skipped, never invented. :func:`data_quality` runs them all
and adds a one-line-per-check summary.

A pandas table is checked with pandas; a Polars, DuckDB or Spark table (anything narwhals
wraps) is checked on its engine, which sends back counts and a few ids only
(:mod:`salesops_nb.overview._lazy_quality`). Two differences follow from lazy engines having
no row order: example ids are the smallest flagged ids rather than the first flagged rows
(and none without an id column), and each category column's spellings are compared among its
2,000 most frequent values plus the long-tail values that share a rough key with another.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import narwhals as nw
import numpy as np
import pandas as pd

from salesops_nb.data.schema import OPPORTUNITIES
from salesops_nb.errors import ParameterError
from salesops_nb.overview import _engine, _lazy_quality
from salesops_nb.overview._columns import (
    LOST,
    WON,
    amounts,
    dates,
    examples,
    normalised_key,
    outcomes,
)

__all__ = [
    "DataQuality",
    "data_quality",
    "date_ranges",
    "duplicate_ids",
    "missing_values",
    "spelling_variants",
]

_DATE_COLUMNS = ("created_date", "close_date")
_KEY = OPPORTUNITIES.key


@dataclass(frozen=True)
class DataQuality:
    """All data-quality tables of one opportunities frame.

    Attributes
    ----------
    summary
        One row per check: ``check``, ``count``, ``share`` (of rows), ``status``
        ("ok" / "review" / "" for plain facts) and ``examples`` (ids to look up).
    missing
        :func:`missing_values`.
    duplicate_ids
        :func:`duplicate_ids`.
    dates
        :func:`date_ranges`.
    spellings
        :func:`spelling_variants`.
    """

    summary: pd.DataFrame
    missing: pd.DataFrame
    duplicate_ids: pd.DataFrame
    dates: pd.DataFrame
    spellings: pd.DataFrame


def missing_values(frame: Any) -> pd.DataFrame:
    """Missing values per column, worst first.

    Empty or blank text counts as missing: CRM exports write "" where a value was never set.

    Returns
    -------
    DataFrame
        ``column``, ``required`` (by the canonical schema), ``missing`` and ``share``,
        one row per column of ``frame``.

    Examples
    --------
    >>> missing_values(pd.DataFrame({"stage": ["Proposal", None, " "]}))[["column", "missing"]]
      column  missing
    0  stage        2
    """
    data = _engine.lazy(frame)
    if data is not None:
        n, found = _lazy_quality.missing_counts(data)
        return _missing_table(list(_engine.schema(data)), found, n)
    frame = _engine.pandas_frame(frame)
    counts = frame.isna().sum()
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_string_dtype(column) or column.dtype == object:
            blank = column.astype("string").str.strip().eq("").fillna(False)
            counts[name] += int(blank.sum())
    return _missing_table(list(frame.columns), counts.to_numpy(dtype="int64"), len(frame))


def _missing_table(columns: list, counts: Any, n: int) -> pd.DataFrame:
    required = set(OPPORTUNITIES.required)
    table = pd.DataFrame(
        {
            "column": [str(c) for c in columns],
            "required": [c in required for c in columns],
            "missing": np.asarray(counts, dtype="int64"),
        }
    )
    table["share"] = table["missing"] / max(n, 1)
    order = table.sort_values(["missing", "required"], ascending=[False, False], kind="stable")
    return order.reset_index(drop=True)


def duplicate_ids(
    frame: Any, *, key: str = _KEY, limit: int | None = None
) -> pd.DataFrame:
    """Ids that appear on more than one row, most repeated first (ties by id).

    Parameters
    ----------
    frame
        Canonical opportunities.
    key
        The id column.
    limit
        List at most this many ids (default all; the summary counts all of them).

    Returns
    -------
    DataFrame
        ``id``, ``rows`` (how many rows carry it) and ``identical`` (whether those rows are
        exact copies, a double export, rather than different deals sharing an id).
    """
    columns = ["id", "rows", "identical"]
    data = _engine.lazy(frame)
    if data is not None:
        if key not in _engine.schema(data):
            return pd.DataFrame(columns=columns)
        return _lazy_quality.duplicates(data, key, limit)[0]
    frame = _engine.pandas_frame(frame)
    if key not in frame.columns:
        return pd.DataFrame(columns=columns)
    ids = frame[key]
    repeated = ids.duplicated(keep=False) & ids.notna()
    if not repeated.any():
        return pd.DataFrame(columns=columns)
    subset = frame.loc[repeated]
    rows = subset.groupby(key, sort=False).size().rename("rows")
    distinct = subset.drop_duplicates().groupby(key, sort=False).size()
    table = rows.to_frame().assign(identical=distinct.reindex(rows.index).eq(1))
    table = table.rename_axis("id").reset_index()
    try:  # ties by id, as on every engine (mixed id types keep their first-seen order)
        table = table.sort_values(["rows", "id"], ascending=[False, True], kind="stable")
    except TypeError:
        table = table.sort_values("rows", ascending=False, kind="stable")
    if limit is not None:
        table = table.head(limit)
    return table.reset_index(drop=True)[columns]


def date_ranges(frame: Any, *, today: pd.Timestamp | str | None = None) -> pd.DataFrame:
    """First and last date, missing and future dates of ``created_date`` and ``close_date``.

    A future close date is normal for an open deal, so only won or lost deals are counted as
    "future" for ``close_date``; any future ``created_date`` is suspect.

    Returns
    -------
    DataFrame
        ``column``, ``first``, ``last``, ``missing``, ``in_future``.
    """
    now = _today(today)
    data = _engine.lazy(frame)
    if data is not None:
        names = [c for c in _DATE_COLUMNS if c in _engine.schema(data)]
        rows = _lazy_quality.date_rows(data, names, now)
        return pd.DataFrame(rows, columns=["column", "first", "last", "missing", "in_future"])
    frame = _engine.pandas_frame(frame)
    rows = []
    for name in _DATE_COLUMNS:
        if name not in frame.columns:
            continue
        values = dates(frame, name)
        future = values > _aligned(now, values)
        if name == "close_date":
            future &= outcomes(frame).isin([WON, LOST])
        rows.append(
            {
                "column": name,
                "first": values.min(),
                "last": values.max(),
                "missing": int(values.isna().sum()),
                "in_future": int(future.sum()),
            }
        )
    return pd.DataFrame(rows, columns=["column", "first", "last", "missing", "in_future"])


def spelling_variants(frame: Any, columns: list[str] | None = None) -> pd.DataFrame:
    """Category values that look like one value spelled several ways.

    Values are grouped by a key that ignores case, accents, spaces and punctuation, so
    "EMEA", "emea", "Emea " and "E.M.E.A." form one group. Only groups with more than one
    spelling are returned. Works on the distinct values, so it is cheap on large tables.

    Parameters
    ----------
    frame
        Canonical opportunities.
    columns
        Columns to check; default the schema's category columns present in ``frame``.

    Returns
    -------
    DataFrame
        ``column``, ``spelling`` (shown in quotes so stray spaces are visible), ``rows``,
        ``suggested`` (the group's most common spelling) and ``group`` (the shared key).
    """
    if columns is None:
        columns = [c.name for c in OPPORTUNITIES.columns if c.kind == "category"]
    out = ["column", "spelling", "rows", "suggested", "group"]
    data = _engine.lazy(frame)
    present = list(_engine.schema(data)) if data is not None else list(
        _engine.pandas_frame(frame).columns)
    parts = []
    for name in columns:
        if name not in present:
            continue
        if data is not None:
            counts = _lazy_quality.spelling_counts(data, name)
        else:
            counts = _value_counts(_engine.pandas_frame(frame)[name])
        if counts.empty:
            continue
        spelled = pd.Series(counts.index, dtype="string")
        table = pd.DataFrame(
            {"column": name, "raw": spelled, "rows": counts.to_numpy(), "group":
             normalised_key(spelled).to_numpy()}
        )
        # Blank or punctuation-only values are missing values, not spellings of one another.
        table = table.loc[table["group"] != ""]
        size = table.groupby("group")["raw"].transform("size")
        table = table.loc[size > 1]
        if table.empty:
            continue
        # Sorted by frequency (ties by value): the first spelling per group is the commonest.
        table["suggested"] = table.groupby("group")["raw"].transform("first")
        parts.append(table)
    if not parts:
        return pd.DataFrame(columns=out)
    result = pd.concat(parts, ignore_index=True)
    total = result.groupby(["column", "group"])["rows"].transform("sum")
    result = result.assign(_total=total).sort_values(
        ["column", "_total", "group", "rows"], ascending=[True, False, True, False], kind="stable"
    )
    result["spelling"] = "'" + result["raw"] + "'"
    return result[out].reset_index(drop=True)


def _value_counts(values: pd.Series) -> pd.Series:
    """Rows per distinct value, most rows first, ties by value (the same order on every engine)."""
    counts = values.astype("string").value_counts(dropna=True)
    table = pd.DataFrame({"value": counts.index, "rows": counts.to_numpy()})
    table = table.sort_values(["rows", "value"], ascending=[False, True], kind="stable")
    return pd.Series(table["rows"].to_numpy(), index=pd.Index(table["value"], dtype="string"),
                     name="rows")


def data_quality(
    frame: Any,
    *,
    today: pd.Timestamp | str | None = None,
    key: str = _KEY,
    limit: int = 1000,
) -> DataQuality:
    """Run every data-quality check and summarise them, one line per check.

    Parameters
    ----------
    frame
        Canonical opportunities, e.g. from ``load_opportunities``.
    today
        The date treated as today for "future date" checks; default the current date.
        Set it to make a report reproducible.
    key
        The id column.
    limit
        How many duplicated ids the ``duplicate_ids`` table keeps (most repeated first).

    Returns
    -------
    DataQuality
        ``summary`` plus the detail tables.
    """
    data = _engine.lazy(frame)
    if data is not None:
        return _engine_quality(data, today=today, key=key, limit=limit)
    frame = _engine.pandas_frame(frame)
    n = len(frame)
    missing = missing_values(frame)
    dupes = duplicate_ids(frame, key=key, limit=limit)
    date_table = date_ranges(frame, today=today)
    spellings = spelling_variants(frame)

    checks: list[dict] = [
        _fact("Rows", n),
        _fact("Columns", frame.shape[1]),
    ]
    required = [c for c in OPPORTUNITIES.required if c in frame.columns]
    if required:
        gaps = frame[required].isna().any(axis=1).to_numpy()
        checks.append(_check("Rows missing a required value", gaps, frame, key, n))
    if key in frame.columns:
        ids = frame[key]
        repeated = (ids.duplicated(keep=False) & ids.notna()).to_numpy()
        row = _check("Rows sharing an id with another row", repeated, frame, key, n)
        row["examples"] = ", ".join(dupes["id"].astype(str).head(3))
        checks.append(row)
    copies = frame.duplicated(keep="first").to_numpy()
    checks.append(_check("Exact duplicate rows (extra copies)", copies, frame, key, n))
    checks.extend(_date_checks(frame, today, key, n))
    if "amount" in frame.columns:
        values = amounts(frame)
        checks.append(_check("Amount missing", values.isna().to_numpy(), frame, key, n))
        checks.append(_check("Amount negative", (values < 0).to_numpy(), frame, key, n))
        checks.append(_check("Amount zero", (values == 0).to_numpy(), frame, key, n))
    return _report(checks, missing, dupes, date_table, spellings)


def _report(checks: list[dict], missing: pd.DataFrame, dupes: pd.DataFrame,
            date_table: pd.DataFrame, spellings: pd.DataFrame) -> DataQuality:
    """Add the missing-columns line (after the facts and the required-values line) and the
    spellings line (last), and assemble the result."""
    flagged = missing["missing"] > 0
    after = 3 if len(checks) > 2 and checks[2]["check"] == "Rows missing a required value" else 2
    checks.insert(after, {
        "check": "Columns with missing values",
        "count": int(flagged.sum()),
        "share": np.nan,
        "status": "ok" if not flagged.any() else "review",
        "examples": ", ".join(missing.loc[flagged, "column"].head(4)),
    })
    groups = spellings.drop_duplicates(["column", "group"])
    checks.append(
        {
            "check": "Category values spelled several ways",
            "count": len(groups),
            "share": np.nan,
            "status": "ok" if groups.empty else "review",
            "examples": _spelling_examples(spellings),
        }
    )
    summary = pd.DataFrame(checks, columns=["check", "count", "share", "status", "examples"])
    return DataQuality(summary, missing, dupes, date_table, spellings)


def _engine_quality(data: Any, *, today: Any, key: str, limit: int) -> DataQuality:
    """:func:`data_quality` on a lazy engine: a handful of aggregate queries."""
    n, found = _lazy_quality.missing_counts(data)
    columns = _engine.schema(data)
    missing = _missing_table(list(columns), found, n)
    empty = pd.DataFrame(columns=["id", "rows", "identical"])
    dupes, sharing = _lazy_quality.duplicates(data, key, limit) if key in columns else (empty, 0)
    date_table = date_ranges(data, today=today)
    spellings = spelling_variants(data)
    now = _today(today)

    masks = {}
    required = [c for c in OPPORTUNITIES.required if c in columns]
    if required:
        masks["Rows missing a required value"] = nw.any_horizontal(
            *[_lazy_quality._missing(c, columns[c]) if columns[c].is_float()
              else nw.col(c).is_null() for c in required], ignore_nulls=True)
    if "created_date" in columns:
        created = _engine.date_expr(data, "created_date")
        masks["Created date in the future"] = created > _engine.now_literal(
            data, "created_date", now)
    if "close_date" in columns:
        close = _engine.date_expr(data, "close_date")
        masks["Won/lost deals closing in the future"] = (
            close > _engine.now_literal(data, "close_date", now)
        ) & _engine.outcome_expr(data).is_in([WON, LOST])
    if "created_date" in columns and "close_date" in columns:
        masks["Close date before created date"] = nw.col("close_date") < nw.col("created_date")
    if "amount" in columns:
        value = _engine.amount_expr(data)
        masks["Amount missing"] = value.is_null()
        masks["Amount negative"] = value < 0
        masks["Amount zero"] = value == 0
    counts = _lazy_quality.check_counts(data, masks)

    def check(name: str) -> dict:
        row = _check_row(name, counts[name], n)
        row["examples"] = _engine.example_ids(data, masks[name].fill_null(value=False), key,
                                              counts[name])
        return row

    checks = [_fact("Rows", n), _fact("Columns", len(columns))]
    if required:
        checks.append(check("Rows missing a required value"))
    if key in columns:
        row = _check_row("Rows sharing an id with another row", sharing, n)
        row["examples"] = ", ".join(dupes["id"].astype(str).head(3))
        checks.append(row)
    copies, shown = _lazy_quality.copies(data, n, key)
    row = _check_row("Exact duplicate rows (extra copies)", copies, n)
    row["examples"] = shown
    checks.append(row)
    checks += [check(name) for name in masks if name != "Rows missing a required value"]
    return _report(checks, missing, dupes, date_table, spellings)

def _date_checks(
    frame: pd.DataFrame, today: pd.Timestamp | str | None, key: str, n: int
) -> list[dict]:
    have = [c for c in _DATE_COLUMNS if c in frame.columns]
    checks = []
    now = _today(today)
    if "created_date" in have:
        created = dates(frame, "created_date")
        future = (created > _aligned(now, created)).to_numpy()
        checks.append(_check("Created date in the future", future, frame, key, n))
    if "close_date" in have:
        close = dates(frame, "close_date")
        closed = outcomes(frame).isin([WON, LOST]).to_numpy(dtype=bool)
        future = (close > _aligned(now, close)).to_numpy() & closed
        checks.append(_check("Won/lost deals closing in the future", future, frame, key, n))
    if len(have) == 2:
        before = (frame["close_date"] < frame["created_date"]).to_numpy()
        checks.append(_check("Close date before created date", before, frame, key, n))
    return checks


def _spelling_examples(spellings: pd.DataFrame, limit: int = 2) -> str:
    """E.g. "region: 'EMEA' / 'emea'; stage: 'Closed Won' / 'closed won'" for the summary."""
    if spellings.empty:
        return ""
    joined = spellings.groupby(["column", "group"], sort=False)["spelling"].agg(" / ".join)
    shown = [f"{column}: {text}" for (column, _), text in joined.head(limit).items()]
    more = len(joined) - len(shown)
    return "; ".join(shown) + (f" (+{more} more)" if more > 0 else "")


def _check(name: str, mask: np.ndarray, frame: pd.DataFrame, key: str, n: int) -> dict:
    count = int(np.count_nonzero(mask))
    row = _check_row(name, count, n)
    row["examples"] = examples(frame, mask, key) if count else ""
    return row


def _check_row(name: str, count: int, n: int) -> dict:
    return {
        "check": name,
        "count": int(count),
        "share": count / n if n else np.nan,
        "status": "ok" if count == 0 else "review",
        "examples": "",
    }


def _fact(name: str, value: int) -> dict:
    return {"check": name, "count": int(value), "share": np.nan, "status": "", "examples": ""}


def _today(today: pd.Timestamp | str | None) -> pd.Timestamp:
    if today is None or (isinstance(today, str) and not today.strip()):
        return pd.Timestamp.today().normalize()
    try:
        return pd.Timestamp(today)
    except (TypeError, ValueError) as err:
        raise ParameterError(
            f"today={today!r} is not a date.",
            hint="Write it as YYYY-MM-DD, e.g. '2025-06-30', or leave it empty for today.",
        ) from err


def _aligned(now: pd.Timestamp, values: pd.Series) -> pd.Timestamp:
    """Give ``now`` the time zone of ``values`` so the comparison is allowed."""
    tz = getattr(values.dt, "tz", None)
    if tz is None:
        return now.tz_localize(None) if now.tzinfo else now
    return now.tz_localize(tz) if now.tzinfo is None else now.tz_convert(tz)
