"""Pipeline, outcomes and deal-size aggregations of an opportunities table.

Every function returns a small frame (one row per stage, period or size band) that the
charts in :mod:`salesops_nb.overview.charts` draw as is: the raw deals never reach a chart.
"""

from __future__ import annotations

import itertools
import math

import numpy as np
import pandas as pd

from salesops_nb.errors import ParameterError
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

_PERIODS = {"month": "M", "quarter": "Q", "year": "Y"}
_MAX_BARS = 24  # more bars than this and a time chart stops being readable


def stage_order(stages: pd.Series, known: tuple[str, ...] = STAGE_ORDER) -> list[str]:
    """Order stage names: known stages in funnel order, each followed by its other spellings.

    Stages that match no known one come last, most frequent first. ``stages`` holds one
    entry per deal (or per distinct stage; only the counts differ).
    """
    counts = stages.astype("string").fillna(MISSING_STAGE).value_counts(sort=True)
    names = pd.Series(counts.index, dtype="string")
    rank = normalised_key(names).map(
        {k: i for i, k in enumerate(normalised_key(pd.Series(known)))}
    )
    exact = names.isin(known)
    table = pd.DataFrame(
        {
            "name": names,
            "rank": rank.fillna(len(known)).to_numpy(dtype=float),
            "exact": exact.to_numpy(dtype=bool),
            "deals": counts.to_numpy(),
        }
    )
    table = table.sort_values(["rank", "exact", "deals"], ascending=[True, False, False],
                              kind="stable")
    return table["name"].tolist()


def pipeline_by_stage(frame: pd.DataFrame, *, known: tuple[str, ...] = STAGE_ORDER) -> pd.DataFrame:
    """Deals and amount per stage, in funnel order.

    Returns
    -------
    DataFrame
        ``stage``, ``outcome`` (won/lost/open: what most deals in the stage are),
        ``deals``, ``amount``, ``average_amount``, ``deal_share`` and ``amount_share``.
        Deals without a stage are grouped as "(missing)".
    """
    require_columns(frame, ["stage", "amount"], purpose="Pipeline by stage")
    data = pd.DataFrame(
        {
            "stage": frame["stage"].astype("string").fillna(MISSING_STAGE),
            "amount": amounts(frame).to_numpy(),
            "outcome": outcomes(frame).to_numpy(),
        }
    )
    grouped = data.groupby("stage", sort=False)
    table = grouped.agg(deals=("amount", "size"), amount=("amount", "sum"),
                        average_amount=("amount", "mean"))
    modal = data.groupby(["stage", "outcome"], sort=False).size()
    modal = modal.sort_values(ascending=False, kind="stable").reset_index()
    table["outcome"] = modal.drop_duplicates("stage").set_index("stage")["outcome"]
    table = table.reindex(stage_order(data["stage"], known)).rename_axis("stage").reset_index()
    table["deal_share"] = table["deals"] / max(int(table["deals"].sum()), 1)
    total = table["amount"].sum()
    table["amount_share"] = table["amount"] / total if total else np.nan
    return table[["stage", "outcome", "deals", "amount", "average_amount", "deal_share",
                  "amount_share"]]


def outcomes_over_time(frame: pd.DataFrame, *, period: str = "auto") -> pd.DataFrame:
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
    require_columns(frame, ["close_date", "amount"], purpose="Won/lost over time")
    columns = ["period", "period_start", "won", "lost", "won_amount", "lost_amount",
               "win_rate", "value_win_rate"]
    result = outcomes(frame)
    close = dates(frame, "close_date")
    keep = (result.isin([WON, LOST]) & close.notna()).to_numpy(dtype=bool)
    if not keep.any():
        return pd.DataFrame(columns=columns)
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
    table = data.groupby("period").sum()
    table = table.reindex(pd.period_range(periods.min(), periods.max(), freq=freq), fill_value=0)
    closed = table["won"] + table["lost"]
    table["win_rate"] = table["won"] / closed.where(closed > 0)
    value = table["won_amount"] + table["lost_amount"]
    table["value_win_rate"] = table["won_amount"] / value.where(value != 0)
    index = table.index
    table.insert(0, "period_start", index.start_time)
    table.insert(0, "period", _period_labels(index))
    return table.reset_index(drop=True)[columns]


def deal_size_bins(frame: pd.DataFrame, *, scale: str = "log", bins: int = 10) -> pd.DataFrame:
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
    money = amounts(frame)
    # An amount too large for a float (e.g. 400 digits) reads as infinity: no band holds it.
    positive = ((money > 0) & (money < np.inf)).to_numpy(dtype=bool, na_value=False)
    values = money.to_numpy(dtype=float, na_value=np.nan)[positive]
    columns = ["bin_start", "bin_end", "label", "deals", "amount", "won", "lost", "open",
               "win_rate", "deal_share", "amount_share"]
    if values.size == 0:
        return pd.DataFrame(columns=columns)
    edges = _log_edges(values) if scale == "log" else _quantile_edges(values, bins)
    # Right-open bands [a, b); the largest deal belongs to the last band.
    band = np.clip(np.searchsorted(edges, values, side="right") - 1, 0, len(edges) - 2)
    n_bands = len(edges) - 1
    outcome = outcomes(frame).to_numpy()[positive]
    table = pd.DataFrame(
        {
            "bin_start": edges[:-1],
            "bin_end": edges[1:],
            "label": _band_labels(edges),
            "deals": np.bincount(band, minlength=n_bands),
            "amount": np.bincount(band, weights=values, minlength=n_bands),
        }
    )
    for name in (WON, LOST, OPEN):
        table[name] = np.bincount(band[outcome == name], minlength=n_bands)
    closed = table[WON] + table[LOST]
    table["win_rate"] = table[WON] / closed.where(closed > 0)
    table["deal_share"] = table["deals"] / values.size
    table["amount_share"] = table["amount"] / values.sum()
    return table[columns]


def deal_size_stats(frame: pd.DataFrame) -> pd.DataFrame:
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
    require_columns(frame, ["amount"], purpose="Deal size statistics")
    data = pd.DataFrame({"amount": amounts(frame).to_numpy(), "group": outcomes(frame).to_numpy()})
    both = pd.concat([data.assign(group="all deals"), data], ignore_index=True)
    bad = both["amount"].le(0).groupby(both["group"]).sum()
    good = both.loc[both["amount"] > 0]
    grouped = good.groupby("group")["amount"]
    table = grouped.agg(deals="size", total="sum", mean="mean", median="median",
                        max="max")
    table.insert(4, "p90", grouped.quantile(0.9))
    # Top decile share: rank within group, descending; a deal is "top" when its rank is
    # within the first ceil(10%) of its group.
    ranks = good.groupby("group")["amount"].rank(method="first", ascending=False)
    cutoff = np.ceil(good.groupby("group")["amount"].transform("size") * 0.1)
    top = good["amount"].where(ranks <= cutoff, 0.0).groupby(good["group"]).sum()
    table["top_decile_share"] = top / table["total"]
    order = ["all deals", WON, LOST, OPEN]
    table = table.reindex(order)
    table["not_positive"] = bad.reindex(order).fillna(0).astype("int64")
    table["deals"] = table["deals"].fillna(0).astype("int64")
    table = table.loc[(table["deals"] > 0) | (table["not_positive"] > 0)]
    return table.rename_axis("group").reset_index()


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


def _log_edges(values: np.ndarray) -> np.ndarray:
    """Round 1-2-5 edges from the last one at or below the smallest value past the largest."""
    low, high = float(values.min()), float(values.max())
    decades = np.arange(math.floor(math.log10(low)), math.floor(math.log10(high)) + 2)
    steps = (np.array([1.0, 2.0, 5.0])[None, :] * 10.0 ** decades[:, None]).ravel()
    first = np.searchsorted(steps, low, side="right") - 1
    last = np.searchsorted(steps, high, side="right")
    return steps[max(first, 0): last + 1]


def _quantile_edges(values: np.ndarray, bins: int) -> np.ndarray:
    edges = np.unique(np.quantile(values, np.linspace(0.0, 1.0, bins + 1)))
    if edges.size < 2:  # every deal has the same amount: fall back to one round band
        return _log_edges(values)
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
