"""Does the data suggest more than one contributing factor? A decomposition of a win-rate change.

A single unbranched why-chain is the technique's best-known weakness. When the problem is a
change of win rate between two periods, the change splits exactly into

- a **mix** effect: the deals moved toward sub-segments (of a dimension such as team) that
  already won less: ``sum((share_after - share_before) * rate_before)``;
- a **rate** effect per sub-segment: the same kind of deal is won less often:
  ``share_after * (rate_after - rate_before)`` for each value.

They add up to the total change. When, in some dimension, two or more of these terms each carry
a material part of the change (same sign, at least ``material`` of it), the data says more than
one thing had to be true: the tree should branch.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

from salesops_nb.five_whys.evidence import EvidenceQuery

__all__ = ["DIMENSIONS", "Factor", "FactorReport", "contributing_factors", "decompose"]

#: The dimensions a change is decomposed along, when the frame has them.
DIMENSIONS = ("team", "region", "product_line", "lead_source", "industry")


@dataclass(frozen=True)
class Factor:
    """One term of the decomposition: ``points`` of win rate (0.05 = 5 points)."""

    label: str
    points: float


@dataclass(frozen=True)
class FactorReport:
    """The dimension whose decomposition shows the most material factors."""

    dimension: str
    total: float
    factors: tuple[Factor, ...]

    def sentence(self) -> str:
        """E.g. "by team: rate within SMB -4.1 pts, mix -2.0 pts (of -7.3 pts)"."""
        shown = ", ".join(f"{f.label} {f.points * 100:+.1f} pts" for f in self.factors)
        return f"by {self.dimension}: {shown} (of {self.total * 100:+.1f} pts in all)"


def contributing_factors(
    deals: pd.DataFrame,
    before: EvidenceQuery,
    after: EvidenceQuery,
    *,
    material: float = 0.25,
    min_deals: int = 20,
) -> FactorReport | None:
    """Find the dimension where two or more terms each explain a material part of the change.

    Parameters
    ----------
    deals
        Canonical opportunities.
    before, after
        The problem's slice in the two periods (a ``win_rate`` query; other metrics return None).
    material
        Share of the total change a term must carry to count (same sign as the change).
    min_deals
        Sub-segments with fewer closed deals in either period get no rate term (noise).

    Returns
    -------
    FactorReport or None
        None when the metric is not a win rate, the change is nil, or no dimension shows two
        material factors.
    """
    if before.metric != "win_rate" or after.metric != "win_rate":
        return None
    first, second = _closed(deals, before), _closed(deals, after)
    if first.empty or second.empty:
        return None
    total = float(second["is_won"].mean() - first["is_won"].mean())
    if abs(total) < 1e-9:
        return None
    best: FactorReport | None = None
    for dimension in DIMENSIONS:
        if dimension not in deals.columns or dimension in after.filters:
            continue
        factors = _decompose(first, second, dimension, min_deals)
        kept = tuple(f for f in factors
                     if f.points * total > 0 and abs(f.points) >= material * abs(total))
        if len(kept) >= 2 and (best is None or len(kept) > len(best.factors)):
            best = FactorReport(dimension, total, tuple(sorted(kept, key=lambda f: f.points
                                                               * (1 if total > 0 else -1),
                                                               reverse=True)))
    return best


def decompose(deals: pd.DataFrame, before: EvidenceQuery, after: EvidenceQuery, dimension: str,
              *, min_deals: int = 20) -> list[Factor]:
    """Split the win-rate change from ``before`` to ``after`` along ``dimension``.

    Returns the mix term first (label ``"mix of <dimension>"``), then one rate term per value
    with at least ``min_deals`` closed deals in both periods (``"rate within <value>"``). With
    every value kept, the terms add up to the total change.
    """
    return _decompose(_closed(deals, before), _closed(deals, after), dimension, min_deals)


def _closed(deals: pd.DataFrame, query: EvidenceQuery) -> pd.DataFrame:
    keep = deals["is_closed"].fillna(False).astype(bool)
    for column, values in query.filters.items():
        keep &= deals[column].astype("string").isin(values).fillna(False).astype(bool)
    dates = pd.to_datetime(deals[query.date_column], errors="coerce")
    if query.start:
        keep &= (dates >= pd.Timestamp(query.start)).fillna(False).astype(bool)
    if query.end:
        keep &= (dates < pd.Timestamp(query.end) + pd.Timedelta(days=1)).fillna(False)
    return deals.loc[keep].assign(is_won=lambda f: f["is_won"].fillna(False).astype(float))


def _decompose(first: pd.DataFrame, second: pd.DataFrame, dimension: str,
               min_deals: int) -> list[Factor]:
    def stats(rows: pd.DataFrame) -> pd.DataFrame:
        key = rows[dimension].astype("string").fillna("(missing)")
        grouped = rows["is_won"].groupby(key).agg(["mean", "size"])
        return grouped.assign(share=grouped["size"] / grouped["size"].sum())

    a, b = stats(first), stats(second)
    table = a.join(b, how="outer", suffixes=("_0", "_1")).fillna(
        {"share_0": 0.0, "share_1": 0.0, "size_0": 0, "size_1": 0})
    # A value absent before has no rate of its own: compare it with the overall rate before.
    rate_0 = table["mean_0"].fillna(float(first["is_won"].mean()))
    mix = float(((table["share_1"] - table["share_0"]) * rate_0).sum())
    rate_terms = table["share_1"] * (table["mean_1"].fillna(0.0) - rate_0)
    thin = (table["size_0"] < min_deals) | (table["size_1"] < min_deals)
    factors = [Factor(f"mix of {dimension}", mix)]
    factors += [Factor(f"rate within {value}", float(points))
                for value, points in rate_terms[~thin].items()]
    return factors
