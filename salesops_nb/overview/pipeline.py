"""Pipeline, outcomes and deal-size aggregations of an opportunities table.

Every function returns a small frame (one row per stage, period or size band) that the
charts in :mod:`salesops_nb.overview.charts` draw as is: the raw deals never reach a chart.

Each function takes a pandas table (computed eagerly with pandas) or any table narwhals
wraps: Polars (eager or lazy), DuckDB, Spark. On those the per-deal work (outcome, period,
size band) is an engine expression and only the group-by results come back
(:mod:`salesops_nb.overview._lazy_pipeline`); both paths end in the same finishing code, so
the tables are the same whatever the engine.
"""

from __future__ import annotations

import itertools
import math
from typing import Any

import numpy as np
import pandas as pd

from salesops_nb.errors import ParameterError
from salesops_nb.overview import _engine, _lazy_pipeline
from salesops_nb.overview._columns import (
    LOST,
    OPEN,
    WON,
    amounts,
    dates,
    normalised_key,
    outcomes,
    require_columns,
)

__all__ = [
    "STAGE_ORDER",
    "deal_size_bins",
    "deal_size_stats",
    "outcomes_over_time",
    "pipeline_by_stage",
    "stage_order",
]

STAGE_ORDER: tuple[str, ...] = (
    "Prospecting",
    "Qualification",
    "Proposal",
    "Negotiation",
    "Closed Won",
    "Closed Lost",
)
"""The natural order of the built-in sample's stages; other stages follow them."""

MISSING_STAGE = "(missing)"
OTHER_STAGES = "(other stages)"
MAX_STAGES = 100
"""Stages shown one by one in the pipeline; the rest (fewest deals) are summed in one row."""

_PERIODS = {"month": "M", "quarter": "Q", "year": "Y"}
_MAX_BARS = 24  # more bars than this and a time chart stops being readable


def stage_order(stages: pd.Series, known: tuple[str, ...] = STAGE_ORDER) -> list[str]:
    """Order stage names: known stages in funnel order, each followed by its other spellings.

    Stages that match no known one come last, most frequent first (ties by name). ``stages``
    holds one entry per deal (or per distinct stage; only the counts differ).
    """
    counts = stages.astype("string").fillna(MISSING_STAGE).value_counts(sort=False)
    return _order_stages(counts, known)


def _order_stages(deals: pd.Series, known: tuple[str, ...]) -> list[str]:
    """Stage names (the index of ``deals``, the deal count per stage) in funnel order."""
    names = pd.Series(deals.index, dtype="string")
    rank = normalised_key(names).map(
        {k: i for i, k in enumerate(normalised_key(pd.Series(known)))}
    )
    exact = names.isin(known)
    table = pd.DataFrame(
        {
            "name": names,
            "rank": rank.fillna(len(known)).to_numpy(dtype=float),
            "exact": exact.to_numpy(dtype=bool),
            "deals": deals.to_numpy(),
        }
    )
    table = table.sort_values(["rank", "exact", "deals", "name"],
                              ascending=[True, False, False, True], kind="stable")
    return table["name"].tolist()


def pipeline_by_stage(frame: Any, *, known: tuple[str, ...] = STAGE_ORDER) -> pd.DataFrame:
    """Deals and amount per stage, in funnel order.

    Parameters
    ----------
    frame
        Canonical opportunities: a pandas table, or a Polars, DuckDB or Spark one (aggregated
        on its engine).
    known
        Stage names in funnel order; other stages follow them, most deals first.

    Returns
    -------
    DataFrame
        ``stage``, ``outcome`` (won/lost/open: what most deals in the stage are; a tie goes
        to won, then lost), ``deals``, ``amount``, ``average_amount``, ``deal_share`` and
        ``amount_share``. Deals without a stage are grouped as "(missing)". Beyond
        :data:`MAX_STAGES` stages, the ones with fewest deals (never a ``known`` one) are
        summed into one "(other stages)" row, so the chart stays readable whatever the data.
    """
    data = _engine.lazy(frame)
    if data is None:
        frame = _engine.pandas_frame(frame)
        require_columns(frame, ["stage", "amount"], purpose="Pipeline by stage")
        counts, other = _stage_counts(frame, known)
    else:
        require_columns(data, ["stage", "amount"], purpose="Pipeline by stage")
        counts, other = _lazy_pipeline.stage_counts(data, MISSING_STAGE, MAX_STAGES,
                                                    known)
    table = counts.set_index("stage")
    table = table.reindex(_order_stages(table["deals"], known)).rename_axis("stage")
    if other is not None:
        average = other["amount"] / other["amount_n"] if other["amount_n"] else np.nan
        row = pd.DataFrame(
            {"deals": [int(other["deals"])], "amount": [float(other["amount"])],
             "average_amount": [average], **{o: [int(other[o])] for o in (WON, LOST, OPEN)}},
            index=pd.Index([OTHER_STAGES], dtype="string", name="stage"),
        )
        table = pd.concat([table, row])
    mix = table[[WON, LOST, OPEN]].to_numpy()
    table["outcome"] = pd.array(np.array([WON, LOST, OPEN])[mix.argmax(axis=1)],
                                dtype="string")
    table = table.reset_index()
    table["deal_share"] = table["deals"] / max(int(table["deals"].sum()), 1)
    total = table["amount"].sum()
    table["amount_share"] = table["amount"] / total if total else np.nan
    return table[["stage", "outcome", "deals", "amount", "average_amount", "deal_share",
                  "amount_share"]]


def _stage_counts(frame: pd.DataFrame,
                  known: tuple[str, ...]) -> tuple[pd.DataFrame, dict | None]:
    """The pandas twin of :func:`_lazy_pipeline.stage_counts`."""
    data = pd.DataFrame(
        {
            "stage": frame["stage"].astype("string").fillna(MISSING_STAGE),
            "amount": amounts(frame).to_numpy(),
            "outcome": outcomes(frame).to_numpy(),
        }
    )
    table = data.groupby("stage", sort=False).agg(
        deals=("amount", "size"), amount=("amount", "sum"), amount_n=("amount", "count"))
    # The same number as pandas' mean, and infinity (not NaN) past the float range, as on engines.
    table.insert(2, "average_amount", table["amount"] / table["amount_n"])
    mix = data.groupby(["stage", "outcome"], sort=False).size().unstack(fill_value=0)
    table = table.join(mix.reindex(columns=[WON, LOST, OPEN], fill_value=0)).reset_index()
    if len(table) <= MAX_STAGES:
        return table, None
    table = table.assign(_known=table["stage"].isin(known)).sort_values(
        ["_known", "deals", "stage"], ascending=[False, False, True], kind="stable"
    ).drop(columns="_known")
    rest = table.iloc[MAX_STAGES:]
    other = {c: rest[c].sum() for c in ("deals", "amount", "amount_n", WON, LOST, OPEN)}
    return table.head(MAX_STAGES).reset_index(drop=True), other


def outcomes_over_time(frame: Any, *, period: str = "auto") -> pd.DataFrame:
    """Won and lost deals per period of their close date, with the win rate.

    Open deals are left out. Periods with no closed deal appear with zeros, so gaps show.

    Parameters
    ----------
    frame
        Canonical opportunities.
    period
        "month", "quarter", "year", or "auto": months unless that gives more than 24 bars,
        then quarters, then years.

    Returns
    -------
    DataFrame
        ``period`` (label such as "2024-03" or "2024-Q1"), ``period_start``, ``won``,
        ``lost``, ``won_amount``, ``lost_amount``, ``win_rate`` (won / closed deals) and
        ``value_win_rate`` (won amount / closed amount); rates are NaN without closed deals.
    """
    columns = ["period", "period_start", "won", "lost", "won_amount", "lost_amount",
               "win_rate", "value_win_rate"]
    data = _engine.lazy(frame)
    if data is None:
        table, freq = _period_counts(_engine.pandas_frame(frame), period)
    else:
        require_columns(data, ["close_date", "amount"], purpose="Won/lost over time")
        closed, first, last = _lazy_pipeline.close_range(data)
        if first is None:
            table, freq = None, None
        else:
            freq = _frequency(period, _naive(first), _naive(last))
            table = _lazy_pipeline.period_counts(closed, freq)
    if table is None or table.empty:
        return pd.DataFrame(columns=columns)
    table = table.reindex(pd.period_range(table.index.min(), table.index.max(), freq=freq),
                          fill_value=0)
    closed = table["won"] + table["lost"]
    table["win_rate"] = table["won"] / closed.where(closed > 0)
    value = table["won_amount"] + table["lost_amount"]
    table["value_win_rate"] = table["won_amount"] / value.where(value != 0)
    index = table.index
    table.insert(0, "period_start", index.start_time)
    table.insert(0, "period", _period_labels(index))
    return table.reset_index(drop=True)[columns]


def _period_counts(frame: pd.DataFrame, period: str) -> tuple[pd.DataFrame | None, str | None]:
    """Won/lost deals and amounts per period with a closed deal (pandas), and the frequency."""
    require_columns(frame, ["close_date", "amount"], purpose="Won/lost over time")
    result = outcomes(frame)
    close = dates(frame, "close_date")
    keep = (result.isin([WON, LOST]) & close.notna()).to_numpy(dtype=bool)
    if not keep.any():
        return None, None
    close = close[keep]
    if getattr(close.dt, "tz", None) is not None:
        close = close.dt.tz_localize(None)  # periods are calendar months wherever the data is
    freq = _frequency(period, close.min(), close.max())
    periods = close.dt.to_period(freq)
    won = (result[keep] == WON).to_numpy()
    money = amounts(frame).to_numpy()[keep]
    data = pd.DataFrame(
        {
            "period": periods.to_numpy(),
            "won": won.astype("int64"),
            "lost": (~won).astype("int64"),
            "won_amount": np.where(won, money, 0.0),
            "lost_amount": np.where(won, 0.0, money),
        }
    )
    return data.groupby("period").sum(), freq


def _naive(value: Any) -> pd.Timestamp:
    """A date from an engine as a time-zone-free Timestamp (periods are calendar periods)."""
    stamp = pd.Timestamp(value)
    return stamp.tz_localize(None) if stamp.tzinfo else stamp


def deal_size_bins(frame: Any, *, scale: str = "log", bins: int = 10) -> pd.DataFrame:
    """Histogram of deal amounts, with the outcome mix of each size band.

    Deal amounts are long-tailed, so equal-width bins would put nearly every deal in the
    first bar. ``scale="log"`` uses round 1-2-5 edges (1k, 2k, 5k, 10k ...);
    ``scale="quantile"`` uses ``bins`` equal-count bands. Only positive amounts are binned
    (the data-quality summary counts the others).

    Returns
    -------
    DataFrame
        ``bin_start``, ``bin_end``, ``label``, ``deals``, ``amount``, ``won``, ``lost``,
        ``open``, ``win_rate`` (won / closed in the band), ``deal_share``, ``amount_share``.
    """
    require_columns(frame, ["amount"], purpose="Deal size distribution")
    if scale not in ("log", "quantile"):
        raise ParameterError(
            f"scale={scale!r} is not a deal-size scale.",
            hint='Use "log" (round 1-2-5 bands) or "quantile" (equal-count bands).',
        )
    if scale == "quantile" and (not isinstance(bins, int) or bins < 1):
        raise ParameterError(f"bins={bins!r} must be a positive whole number.",
                             hint="Use e.g. bins=10 for deciles.")
    columns = ["bin_start", "bin_end", "label", "deals", "amount", "won", "lost", "open",
               "win_rate", "deal_share", "amount_share"]
    data = _engine.lazy(frame)
    if data is None:
        frame = _engine.pandas_frame(frame)
        money = amounts(frame)
        # An amount too large for a float (e.g. 400 digits) reads as infinity: no band holds it.
        positive = ((money > 0) & (money < np.inf)).to_numpy(dtype=bool, na_value=False)
        values = money.to_numpy(dtype=float, na_value=np.nan)[positive]
        if values.size == 0:
            return pd.DataFrame(columns=columns)
        if scale == "log":
            edges = _log_edges(values.min(), values.max())
        else:
            edges = _quantile_edges(np.quantile(values, _probabilities(bins)), values)
        # Right-open bands [a, b); the largest deal belongs to the last band.
        band = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, len(edges) - 2)
        n_bands = len(edges) - 1
        outcome = outcomes(frame).to_numpy()[positive]
        counts = pd.DataFrame(
            {
                "deals": np.bincount(band, minlength=n_bands),
                "amount": np.bincount(band, weights=values, minlength=n_bands),
                **{name: np.bincount(band[outcome == name], minlength=n_bands)
                   for name in (WON, LOST, OPEN)},
            }
        )
        n = values.size
        with np.errstate(over="ignore"):  # amounts near 1e308 add up to infinity: shares 0
            total = values.sum()
    else:
        require_columns(data, ["amount"], purpose="Deal size distribution")
        values, summary = _lazy_pipeline.positive_amounts(data)
        n = int(summary["n"] or 0)
        if n == 0:
            return pd.DataFrame(columns=columns)
        low, high, total = (float(summary[k]) for k in ("low", "high", "total"))
        if scale == "log":
            edges = _log_edges(low, high)
        else:
            found = _lazy_pipeline.quantiles(values, _probabilities(bins))
            edges = _quantile_edges(found, np.array([low, high]))
        n_bands = len(edges) - 1
        counts = _lazy_pipeline.band_counts(values, edges).reindex(range(n_bands))
        counts = counts.fillna(0).astype({"deals": "int64", "amount": "float64", WON: "int64",
                                          LOST: "int64", OPEN: "int64"})
    table = pd.DataFrame({"bin_start": edges[:-1], "bin_end": edges[1:],
                          "label": _band_labels(edges)})
    for name in ("deals", "amount", WON, LOST, OPEN):
        table[name] = counts[name].to_numpy()
    closed = table[WON] + table[LOST]
    table["win_rate"] = table[WON] / closed.where(closed > 0)
    table["deal_share"] = table["deals"] / n
    table["amount_share"] = table["amount"] / total
    return table[columns]


def deal_size_stats(frame: Any) -> pd.DataFrame:
    """Typical and large deal sizes, for all deals and per outcome.

    The median is the typical deal; p90 is the size only one deal in ten exceeds; the
    ``top_decile_share`` says how much of the amount the largest 10% of deals carry
    (Pareto-like data: often half or more).

    Returns
    -------
    DataFrame
        ``deals`` (with a positive amount), ``total``, ``mean``, ``median``, ``p90``,
        ``max``, ``top_decile_share`` and ``not_positive`` (zero or negative amounts, left
        out), one row per group "all deals", "won", "lost", "open".
    """
    order = ["all deals", WON, LOST, OPEN]
    data = _engine.lazy(frame)
    if data is None:
        table = _size_stats(_engine.pandas_frame(frame))
    else:
        require_columns(data, ["amount"], purpose="Deal size statistics")
        table = _lazy_pipeline.size_stats(data)
    table["top_decile_share"] = table.pop("top") / table["total"]
    table = table[["deals", "total", "mean", "median", "p90", "max", "top_decile_share",
                   "not_positive"]].reindex(order)
    table["not_positive"] = table["not_positive"].fillna(0).astype("int64")
    table["deals"] = table["deals"].fillna(0).astype("int64")
    table = table.loc[(table["deals"] > 0) | (table["not_positive"] > 0)]
    table.index = pd.Index(table.index, dtype="string")
    return table.rename_axis("group").reset_index()


def _size_stats(frame: pd.DataFrame) -> pd.DataFrame:
    """The pandas twin of :func:`_lazy_pipeline.size_stats`."""
    require_columns(frame, ["amount"], purpose="Deal size statistics")
    data = pd.DataFrame({"amount": amounts(frame).to_numpy(), "group": outcomes(frame).to_numpy()})
    both = pd.concat([data.assign(group="all deals"), data], ignore_index=True)
    bad = both["amount"].le(0).groupby(both["group"]).sum()
    good = both.loc[both["amount"] > 0]
    grouped = good.groupby("group")["amount"]
    table = grouped.agg(deals="size", total="sum", median="median", max="max")
    # The mean as total / deals, as engines compute it: the same number, and infinity (not
    # NaN, as pandas' compensated mean gives) when amounts near 1e308 add up past the range.
    table.insert(2, "mean", table["total"] / table["deals"])
    table.insert(4, "p90", grouped.quantile(0.9))
    # Top decile: rank within group, descending; a deal is "top" when its rank is within
    # the first ceil(10%) of its group (which of tied deals is "first" does not change the sum).
    ranks = grouped.rank(method="first", ascending=False)
    cutoff = np.ceil(grouped.transform("size") * 0.1)
    table["top"] = good["amount"].where(ranks <= cutoff, 0.0).groupby(good["group"]).sum()
    table = table.reindex(bad.index)  # a group may hold only zero or negative amounts
    table["not_positive"] = bad
    return table


def _frequency(period: str, first: pd.Timestamp, last: pd.Timestamp) -> str:
    choice = str(period).strip().casefold()
    if choice in _PERIODS:
        return _PERIODS[choice]
    if choice != "auto":
        raise ParameterError(
            f"period={period!r} is not a period.",
            hint='Use "month", "quarter", "year" or "auto".',
        )
    months = (last.year - first.year) * 12 + (last.month - first.month) + 1
    if months <= _MAX_BARS:
        return "M"
    quarters = (last.year - first.year) * 4 + (last.quarter - first.quarter) + 1
    return "Q" if quarters <= _MAX_BARS else "Y"


def _period_labels(index: pd.PeriodIndex) -> list[str]:
    if index.freqstr.startswith("Q"):
        return [f"{p.year}-Q{p.quarter}" for p in index]
    return [str(p) for p in index]


def _log_edges(low: float, high: float) -> np.ndarray:
    """Round 1-2-5 edges from the last one at or below ``low`` to the first past ``high``."""
    low, high = float(low), float(high)
    decades = np.arange(math.floor(math.log10(low)), math.floor(math.log10(high)) + 2)
    with np.errstate(over="ignore"):  # 10 ** 309 is infinity: the last edge past 1e308
        steps = (np.array([1.0, 2.0, 5.0])[None, :] * 10.0 ** decades[:, None]).ravel()
    first = np.searchsorted(steps, low, side="right") - 1
    last = np.searchsorted(steps, high, side="right")
    return steps[max(first, 0): last + 1]


def _probabilities(bins: int) -> np.ndarray:
    return np.linspace(0.0, 1.0, bins + 1)


def _quantile_edges(quantiles: np.ndarray, values: np.ndarray) -> np.ndarray:
    """Distinct quantile edges; one round band when all amounts are equal (``values``: any
    array holding the smallest and largest amount)."""
    edges = np.unique(quantiles)
    if edges.size < 2:  # every deal has the same amount: fall back to one round band
        return _log_edges(np.min(values), np.max(values))
    return edges


def _band_labels(edges: np.ndarray) -> list[str]:
    text = [_compact(e) for e in edges]
    return [f"{a}–{b}" for a, b in itertools.pairwise(text)]


def _compact(value: float) -> str:
    """1500 -> "1.5k", 2_000_000 -> "2M": short labels for band edges."""
    for size, suffix in ((1e9, "B"), (1e6, "M"), (1e3, "k")):
        if abs(value) >= size:
            return f"{value / size:.3g}{suffix}"
    return f"{value:.3g}"
