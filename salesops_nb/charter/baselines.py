"""KPI baselines measured from opportunity data, for the library KPIs a CRM export can give.

A KPI without a baseline cannot be tracked; five of the library's KPIs can be measured straight
from the canonical opportunities frame (see :func:`~salesops_nb.data.load.load_opportunities`),
over the last twelve months of close dates: win rate, value win rate, median sales cycle, average
won deal size and average discount.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from salesops_nb.charter.model import Charter

__all__ = ["baseline_table", "kpi_baselines"]

_COLUMNS = ["kpi_id", "kpi", "value", "unit", "basis"]


def kpi_baselines(deals: pd.DataFrame, *, months: int = 12) -> pd.DataFrame:
    """Measure library KPIs on the deals closed in the last ``months`` months of the data.

    Parameters
    ----------
    deals
        Canonical opportunities (``is_closed``, ``is_won``, ``amount``, ``close_date``,
        ``cycle_days``; ``discount`` optional, as a fraction of list price).
    months
        Length of the baseline window, ending at the latest close date.

    Returns
    -------
    pandas.DataFrame
        kpi_id, kpi, value (percentages as 0-100, like the KPI units), unit, basis.
    """
    closed = deals[deals["is_closed"].fillna(False).astype(bool)]
    if closed.empty:
        return pd.DataFrame(columns=_COLUMNS)
    end = closed["close_date"].max()
    start = end - pd.DateOffset(months=months)
    recent = closed[closed["close_date"] > start]
    won = recent[recent["is_won"].fillna(False).astype(bool)]
    window = f"{start:%Y-%m-%d} to {end:%Y-%m-%d}"
    n_closed, n_won = len(recent), len(won)
    # Amounts near the float limit sum to infinity: such a baseline is unknown, not a warning.
    with np.errstate(over="ignore", invalid="ignore"):
        rows = _measures(recent, won, n_closed, n_won, window)
    frame = pd.DataFrame(rows, columns=_COLUMNS)
    frame["value"] = pd.to_numeric(frame["value"]).round(1)
    return frame


def _measures(recent: pd.DataFrame, won: pd.DataFrame, n_closed: int, n_won: int,
              window: str) -> list[tuple]:
    value_closed, value_won = recent["amount"].sum(), won["amount"].sum()
    rows = [
        ("win-rate", "Win rate", 100 * n_won / n_closed, "%",
         f"{n_won:,} won of {n_closed:,} closed, {window}"),
        ("value-win-rate", "Value win rate",
         _float(100 * value_won / value_closed) if _finite(value_closed, value_won) else None,
         "%", f"amount won / amount closed, {window}"),
        ("sales-cycle", "Median sales cycle", _float(won["cycle_days"].median()), "days",
         f"median over {n_won:,} won deals, {window}"),
        ("average-deal-size", "Average won deal size", _float(won["amount"].mean()),
         "currency", f"mean over {n_won:,} won deals, {window}"),
    ]
    if "discount" in won.columns:
        discount = won["discount"].astype("Float64")
        listed = won["amount"] / (1 - discount)
        known = listed.notna() & won["amount"].notna()
        total = listed[known].sum()
        value = 100 * (listed[known] - won["amount"][known]).sum() / total if _finite(
            total) else None
        rows.append(("average-discount", "Average discount", _float(value), "%",
                     f"list-weighted over {int(known.sum()):,} won deals, {window}"))
    return rows


def baseline_table(charter: Charter, baselines: pd.DataFrame) -> pd.DataFrame:
    """Measured baselines next to the charter's KPIs of the same library id.

    Columns: kpi, measured, unit, in_charter (yes/no), charter_baseline, basis. A KPI in the
    charter with no baseline yet can take the measured value.
    """
    recorded = {
        kpi.library_id: kpi.baseline
        for objective in charter.objectives for kpi in objective.kpis if kpi.library_id
    }
    table = baselines.rename(columns={"value": "measured"}).copy()
    table["in_charter"] = table["kpi_id"].map(lambda key: "yes" if key in recorded else "no")
    table["charter_baseline"] = pd.to_numeric(
        table["kpi_id"].map(lambda key: recorded.get(key)), errors="coerce"
    )
    return table[["kpi", "measured", "unit", "in_charter", "charter_baseline", "basis"]]


def _float(value) -> float | None:
    """A finite float, or None (missing, or beyond the float range)."""
    return None if value is None or pd.isna(value) or not np.isfinite(value) else float(value)


def _finite(*totals) -> bool:
    """Totals a rate can divide by: finite, and the first one not zero."""
    return bool(totals[0]) and all(np.isfinite(t) for t in totals)
