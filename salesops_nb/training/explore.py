"""Small views of the data that exercises ask participants to read.

:func:`win_rate_change` lays out, for one dimension, the win rate of the last two half-years
side by side: the table a participant reads to find the weak spot that
:func:`~salesops_nb.training.check.weak_spot` then checks.
"""

from __future__ import annotations

import pandas as pd

from salesops_nb.errors import ParameterError

__all__ = ["win_rate_change"]


def win_rate_change(deals: pd.DataFrame, by: str = "lead_source") -> pd.DataFrame:
    """Win rate per value of ``by`` in the last two half-years, biggest drop first.

    The half-years are those of :func:`salesops_nb.five_whys.declining_segment` (the two
    six-month periods ending with the last full month of the data).

    Returns
    -------
    pandas.DataFrame
        ``by, closed_before, win_rate_before, closed_after, win_rate_after, change`` (change in
        points of win rate, e.g. -0.14).
    """
    from salesops_nb.five_whys.example import half_years

    if by not in deals.columns:
        raise ParameterError(f"No column {by!r} in the deals.",
                             hint="Use e.g. lead_source, team, region, product_line or industry.")
    (b0, b1), (a0, a1) = half_years(deals)
    dates = pd.to_datetime(deals["close_date"], errors="coerce")
    closed = deals["is_closed"].fillna(False).astype(bool)
    period = pd.Series(pd.NA, index=deals.index, dtype="string")
    period[closed & (dates >= pd.Timestamp(b0)) & (dates <= pd.Timestamp(b1))] = "before"
    period[closed & (dates >= pd.Timestamp(a0)) & (dates <= pd.Timestamp(a1))] = "after"
    frame = pd.DataFrame({by: deals[by].astype("string"), "period": period,
                          "won": deals["is_won"].fillna(False).astype(float)}).dropna()
    stats = frame.groupby([by, "period"])["won"].agg(["size", "mean"]).unstack("period")
    table = pd.DataFrame({
        "closed_before": stats.get(("size", "before")), "win_rate_before":
        stats.get(("mean", "before")), "closed_after": stats.get(("size", "after")),
        "win_rate_after": stats.get(("mean", "after")),
    }).reset_index()
    for column in ("closed_before", "closed_after"):
        table[column] = table[column].fillna(0).astype("int64")
    table["change"] = table["win_rate_after"] - table["win_rate_before"]
    return table.sort_values("change", kind="stable").reset_index(drop=True)
