"""Entity tables: one row per rep or per account, built from canonical opportunities.

A segmentation compares entities (reps, accounts, or the deals themselves) with their peers.
These functions turn the deals table that :func:`salesops_nb.data.load.load_opportunities`
returns (or the built-in sample) into the entity tables the comparison works on:

- :func:`rep_table`: ``rep_id``, ``rep_name``, ``team``, ``region`` and the deal metrics;
- :func:`account_table`: ``account_id``, ``account_name``, ``industry``, ``region``, ``country``,
  ``employees``, ``annual_revenue`` and the deal metrics (``won_amount`` is the revenue won);
- :func:`opportunity_table`: the deals themselves with the same metric columns per deal.

The deal metrics are ``deals``, ``closed``, ``won``, ``lost``, ``win_rate`` (won / closed,
null without closed deals), ``won_amount``, ``avg_deal_size`` (mean amount of won deals),
``avg_cycle_days`` (mean days to close of closed deals) and ``pipeline`` (amount still open).

An entity's descriptive attributes (a rep's team and region, ...) are taken as their most
frequent combination among its deals: in a denormalised export a rep who moved region has deals
in both, and the table must still hold one row per rep.

Everything is written against narwhals: a pandas frame gives a pandas table, a Polars frame a
Polars table, with the same values. A ``between`` window and a ``per`` period column serve the
stability check (the same entities in two periods).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

import narwhals as nw
from narwhals.typing import IntoFrameT

from salesops_nb.errors import DataError, MissingColumnsError, ParameterError
from salesops_nb.segmentation.rates import eager

__all__ = [
    "DEAL_METRICS",
    "Entity",
    "account_table",
    "entity_table",
    "opportunity_table",
    "rep_table",
]

Entity = Literal["reps", "accounts", "opportunities"]
Period = Literal["month", "quarter", "year"]

DEAL_METRICS: tuple[str, ...] = (
    "deals", "closed", "won", "lost", "win_rate", "won_amount", "avg_deal_size",
    "avg_cycle_days", "pipeline",
)
"""The metric columns every entity table carries, in order."""

_KEYS: dict[str, str] = {"reps": "rep_id", "accounts": "account_id",
                         "opportunities": "opportunity_id"}
_ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "reps": ("rep_name", "team", "region"),
    "accounts": ("account_name", "industry", "region", "country", "employees", "annual_revenue"),
}
_NEEDED = ("amount", "is_closed", "is_won")
_LOAD_HINT = (
    "Load the deals with salesops_nb.data.load.load_opportunities(...): it maps CRM headers "
    "to canonical names and derives is_closed, is_won and cycle_days."
)


def rep_table(opportunities: IntoFrameT, *, between: tuple[Any, Any] | None = None,
              per: Period | None = None, date_column: str = "close_date") -> IntoFrameT:
    """One row per rep: ``rep_id``, ``rep_name``, ``team``, ``region`` and the deal metrics.

    Parameters
    ----------
    opportunities
        Canonical opportunities (pandas or Polars), with at least ``rep_id``, ``amount``,
        ``is_closed`` and ``is_won``.
    between
        Optional ``(start, end)`` dates, both included: only deals whose ``date_column`` falls
        in the window count (e.g. one quarter, to compare with the next).
    per
        Optional "month", "quarter" or "year": one row per rep and period, with a ``period``
        label ("2025", "2025-Q3", "2025-07") taken from ``date_column``.
    date_column
        The date that places a deal in time; ``close_date`` by default (for open deals the
        expected close).

    Returns
    -------
    DataFrame
        Same kind of frame as the input, sorted by ``rep_id`` (and ``period``).

    Examples
    --------
    >>> from salesops_nb.data.sample import sample_opportunities
    >>> reps = rep_table(sample_opportunities(2000, seed=3))
    >>> list(reps.columns[:5])
    ['rep_id', 'rep_name', 'team', 'region', 'deals']
    """
    return entity_table(opportunities, "reps", between=between, per=per,
                        date_column=date_column)


def account_table(opportunities: IntoFrameT, *, between: tuple[Any, Any] | None = None,
                  per: Period | None = None, date_column: str = "close_date") -> IntoFrameT:
    """One row per account: firmographics and the deal metrics (``won_amount`` = revenue won).

    Parameters are those of :func:`rep_table`; the key is ``account_id``.
    """
    return entity_table(opportunities, "accounts", between=between, per=per,
                        date_column=date_column)


def opportunity_table(opportunities: IntoFrameT, *, between: tuple[Any, Any] | None = None,
                      per: Period | None = None, date_column: str = "close_date") -> IntoFrameT:
    """The deals themselves, each with the metric columns of a one-deal entity.

    Every input column is kept; ``deals`` is 1, ``closed``/``won``/``lost`` are 0 or 1,
    ``win_rate`` is 1/0 for closed deals and null for open ones, and so on. Rows keep their
    order (after the optional ``between`` filter).
    """
    return entity_table(opportunities, "opportunities", between=between, per=per,
                        date_column=date_column)


def entity_table(opportunities: IntoFrameT, entity: Entity = "reps", *,
                 between: tuple[Any, Any] | None = None, per: Period | None = None,
                 date_column: str = "close_date") -> IntoFrameT:
    """The entity table of ``entity`` ("reps", "accounts" or "opportunities").

    See :func:`rep_table` for the parameters and the columns.

    Raises
    ------
    ParameterError
        Unknown entity or period.
    MissingColumnsError
        A column the table needs is absent.
    DataError
        ``amount`` is not numeric, or ``date_column`` does not hold dates.
    """
    if entity not in _KEYS:
        raise ParameterError(f"entity={entity!r} is not an entity table.",
                             hint=f"Use one of: {', '.join(_KEYS)}.")
    if per is not None and per not in ("month", "quarter", "year"):
        raise ParameterError(f"per={per!r} is not a period.",
                             hint='Use "month", "quarter", "year" or None.')
    frame = _deals_frame(opportunities)
    key = _KEYS[entity]
    dated = between is not None or per is not None
    _require(frame, [key, *_NEEDED, *([date_column] if dated else [])], entity)
    _check_types(frame, date_column if dated else None)

    deals = _deal_columns(frame)
    if between is not None:
        deals = deals.filter(_window(deals, date_column, between))
    group = [key]
    if per is not None:
        deals = deals.with_columns(period=_period_label(nw.col(date_column), per))
        group.append("period")

    if entity == "opportunities":
        metrics = deals.with_columns(
            deals=nw.lit(1, nw.Int64), closed="_closed", won="_won",
            lost=nw.col("_closed") - nw.col("_won"), won_amount="_won_amount",
            avg_deal_size="_won_deal", avg_cycle_days="_cycle", pipeline="_open_amount",
            win_rate=nw.when(nw.col("_closed") > 0).then(nw.col("_won").cast(nw.Float64)),
        )
        kept = [c for c in metrics.columns if c not in DEAL_METRICS and c not in _HELPERS]
        return metrics.select(*kept, *DEAL_METRICS).to_native()

    # Group on the columns as they are (categoricals group fast) and turn the keys into text
    # on the small result, where it is cheap.
    table = (
        deals.group_by(group)
        .agg(
            nw.len().alias("deals"),
            nw.col("_closed").sum().alias("closed"),
            nw.col("_won").sum().alias("won"),
            nw.col("_won_amount").sum().alias("won_amount"),
            nw.col("_won_deal").mean().alias("avg_deal_size"),
            nw.col("_cycle").mean().alias("avg_cycle_days"),
            nw.col("_open_amount").sum().alias("pipeline"),
        )
        .with_columns(
            nw.col("deals").cast(nw.Int64),
            lost=nw.col("closed") - nw.col("won"),
            win_rate=nw.when(nw.col("closed") > 0).then(nw.col("won") / nw.col("closed")),
        )
        .with_columns(nw.col(key).cast(nw.String))
    )
    attributes = [a for a in _ATTRIBUTES[entity] if a in frame.columns]
    if attributes:
        table = table.join(_most_frequent(deals, key, attributes), on=key, how="left")
    table = table.select(*group, *attributes, *DEAL_METRICS).sort(group)
    if isinstance(table, nw.DataFrame):
        table = nw.maybe_reset_index(table)
    return table.to_native()


_HELPERS = ("_closed", "_won", "_won_amount", "_won_deal", "_cycle", "_open_amount")


def _deals_frame(opportunities: Any) -> nw.DataFrame | nw.LazyFrame:
    """The deals as narwhals; lazy frames (Polars, DuckDB, Spark) stay lazy.

    The entity table is an aggregate, so it is computed where the deals live and only its
    rows (one per entity) are ever collected: a DuckDB or Spark table of deals never comes
    whole into Python.
    """
    try:
        frame = nw.from_native(opportunities)
    except TypeError:
        return eager(opportunities)  # raises the teaching error
    if isinstance(frame, nw.DataFrame | nw.LazyFrame):
        return frame
    return eager(opportunities)


def _deal_columns(frame: nw.DataFrame) -> nw.DataFrame:
    """Per-deal helper columns, so the aggregation itself uses plain sums and means only.

    (narwhals on pandas falls to a slow path for anything fancier inside ``agg``.)
    """
    closed = nw.col("is_closed").cast(nw.Boolean).fill_null(False)
    won = nw.col("is_won").cast(nw.Boolean).fill_null(False) & closed
    amount = nw.col("amount").cast(nw.Float64)
    columns = {
        "_closed": closed.cast(nw.Int64),
        "_won": won.cast(nw.Int64),
        "_won_amount": nw.when(won).then(amount).otherwise(nw.lit(0.0)),
        "_won_deal": nw.when(won).then(amount),
        "_open_amount": nw.when(~closed).then(amount).otherwise(nw.lit(0.0)).fill_null(0.0),
    }
    if "cycle_days" in frame.columns:
        columns["_cycle"] = nw.when(closed).then(nw.col("cycle_days").cast(nw.Float64))
    else:
        columns["_cycle"] = nw.lit(None, nw.Float64)
    return frame.with_columns(**columns).with_columns(nw.col("_won_amount").fill_null(0.0))


def _most_frequent(deals: nw.DataFrame, key: str, names: list[str]) -> nw.DataFrame:
    """Each entity's most frequent combination of ``names``; ties go to the smallest values.

    One grouping over all the attributes at once: in an export they are constant per entity
    almost always, and grouping a million rows once per attribute costs seconds. The winner is
    then picked by successive window filters (most deals, fewest missing values, then the
    smallest value of each attribute in turn, missing last), not by sorting and keeping the
    first row: lazy engines (DuckDB, Spark) keep no row order, and the filters give the same
    answer on every backend.
    """
    counted = deals.select(key, *names).group_by(key, *names).agg(nw.len().alias("_n"))
    schema = counted.collect_schema()
    text = [n for n in names if not (schema[n].is_numeric() or schema[n] == nw.Boolean)]
    # Categoricals become plain text, which compares the same in every backend; a combination
    # with a missing value counts after any complete one.
    counted = counted.with_columns(
        nw.col(key).cast(nw.String), *[nw.col(n).cast(nw.String) for n in text],
        _missing=nw.sum_horizontal(nw.col(n).is_null().cast(nw.Int64) for n in names),
    )
    counted = counted.filter(nw.col("_n") == nw.col("_n").max().over(key))
    counted = counted.filter(nw.col("_missing") == nw.col("_missing").min().over(key))
    for name in names:
        smallest = nw.col(name).min().over(key)
        counted = counted.filter((nw.col(name) == smallest).fill_null(False)
                                 | smallest.is_null())
    return counted.select(key, *names)


def _require(frame: nw.DataFrame, columns: list[str], entity: str) -> None:
    missing = [c for c in dict.fromkeys(columns) if c not in frame.columns]
    if missing:
        shown = ", ".join(map(str, frame.columns[:12])) or "none"
        raise MissingColumnsError(
            f"The {entity} table needs the column(s) {', '.join(missing)} in the deals; the "
            f"table has: {shown}.",
            hint=_LOAD_HINT,
            missing=missing,
        )


def _check_types(frame: nw.DataFrame | nw.LazyFrame, date_column: str | None) -> None:
    schema = frame.collect_schema()
    if not schema["amount"].is_numeric():
        raise DataError("Column amount holds text, not numbers.",
                        hint=_LOAD_HINT + " It parses currency strings such as '$1,200.50'.")
    if date_column is not None and not schema[date_column].is_temporal():
        raise DataError(f"Column {date_column} does not hold dates, so deals cannot be placed "
                        "in a period.", hint=_LOAD_HINT)


def _window(frame: nw.DataFrame, date_column: str, between: tuple[Any, Any]) -> nw.Expr:
    try:
        start, end = between
    except (TypeError, ValueError) as err:
        raise ParameterError(f"between={between!r} must be a (start, end) pair of dates.",
                             hint='For example between=("2025-01-01", "2025-06-30").') from err
    low, high = _as_datetime(start, "start"), _as_datetime(end, "end")
    if high < low:
        raise ParameterError(f"between: the end {end} is before the start {start}.",
                             hint="Give the earlier date first.")
    # Compare on the calendar day: the end day is included whole.
    day = nw.col(date_column).dt.truncate("1d")
    return (day >= low) & (day <= high)


def _as_datetime(value: Any, which: str) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value.replace(tzinfo=None)
    if isinstance(value, dt.date):
        return dt.datetime(value.year, value.month, value.day)
    try:
        return dt.datetime.fromisoformat(str(value)).replace(tzinfo=None)
    except ValueError as err:
        raise ParameterError(f"between: the {which} {value!r} is not a date.",
                             hint='Use ISO dates such as "2025-01-01".') from err


def _period_label(date: nw.Expr, per: Period) -> nw.Expr:
    year = date.dt.year().cast(nw.String)
    if per == "year":
        return year
    if per == "month":
        return date.dt.to_string("%Y-%m")
    quarter = ((date.dt.month() - 1) // 3 + 1).cast(nw.String)
    return nw.concat_str([year, nw.lit("-Q"), quarter])
