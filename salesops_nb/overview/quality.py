"""Data-quality summary of an opportunities table: what to fix before trusting any analysis.

Each function takes a canonical opportunities frame (see
:data:`salesops_nb.data.schema.OPPORTUNITIES`) and returns a small table. Optional
columns that are absent are skipped, never invented. :func:`data_quality` runs them all
and adds a one-line-per-check summary.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesops_nb.data.schema import OPPORTUNITIES
from salesops_nb.errors import ParameterError
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


def missing_values(frame: pd.DataFrame) -> pd.DataFrame:
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
    required = set(OPPORTUNITIES.required)
    counts = frame.isna().sum()
    for name in frame.columns:
        column = frame[name]
        if pd.api.types.is_string_dtype(column) or column.dtype == object:
            blank = column.astype("string").str.strip().eq("").fillna(False)
            counts[name] += int(blank.sum())
    table = pd.DataFrame(
        {
            "column": [str(c) for c in frame.columns],
            "required": [c in required for c in frame.columns],
            "missing": counts.to_numpy(dtype="int64"),
        }
    )
    table["share"] = table["missing"] / max(len(frame), 1)
    order = table.sort_values(["missing", "required"], ascending=[False, False], kind="stable")
    return order.reset_index(drop=True)


def duplicate_ids(
    frame: pd.DataFrame, *, key: str = _KEY, limit: int | None = None
) -> pd.DataFrame:
    """Ids that appear on more than one row, most repeated first.

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
    table = table.sort_values("rows", ascending=False, kind="stable")
    if limit is not None:
        table = table.head(limit)
    return table.rename_axis("id").reset_index()[columns]


def date_ranges(frame: pd.DataFrame, *, today: pd.Timestamp | str | None = None) -> pd.DataFrame:
    """First and last date, missing and future dates of ``created_date`` and ``close_date``.

    A future close date is normal for an open deal, so only won or lost deals are counted as
    "future" for ``close_date``; any future ``created_date`` is suspect.

    Returns
    -------
    DataFrame
        ``column``, ``first``, ``last``, ``missing``, ``in_future``.
    """
    now = _today(today)
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


def spelling_variants(frame: pd.DataFrame, columns: list[str] | None = None) -> pd.DataFrame:
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
    parts = []
    for name in columns:
        if name not in frame.columns:
            continue
        counts = frame[name].astype("string").value_counts(dropna=True)
        if counts.empty:
            continue
        spelled = pd.Series(counts.index, dtype="string")
        table = pd.DataFrame(
            {"column": name, "raw": spelled, "rows": counts.to_numpy(), "group":
             normalised_key(spelled).to_numpy()}
        )
        size = table.groupby("group")["raw"].transform("size")
        table = table.loc[size > 1]
        if table.empty:
            continue
        # value_counts sorted by frequency, so the first spelling per group is the commonest.
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


def data_quality(
    frame: pd.DataFrame,
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
    checks.append(
        {
            "check": "Columns with missing values",
            "count": int((missing["missing"] > 0).sum()),
            "share": np.nan,
            "status": "ok" if not (missing["missing"] > 0).any() else "review",
            "examples": ", ".join(missing.loc[missing["missing"] > 0, "column"].head(4)),
        }
    )
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
    return {
        "check": name,
        "count": count,
        "share": count / n if n else np.nan,
        "status": "ok" if count == 0 else "review",
        "examples": examples(frame, mask, key) if count else "",
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
