"""Static, readable renderings of the overview tables (pandas Styler, no widgets).

The computations return plain numbers so they stay testable and reusable; this module only
decides how a report shows them: amounts with a currency symbol, shares as percentages,
counts with thousands separators, headers in words.
"""

from __future__ import annotations

import html

import pandas as pd
from pandas.io.formats.style import Styler

__all__ = ["styled"]

_MONEY = {
    "amount", "won_amount", "lost_amount", "average_amount", "total", "mean", "median",
    "p90", "max", "bin_start", "bin_end",
}
_HEADERS = {"p90": "P90", "id": "Id", "top_decile_share": "Top 10% share"}


def styled(
    frame: pd.DataFrame, *, currency: str = "$", max_rows: int = 200, empty: str = "None found."
) -> Styler:
    """Format an overview table for a report.

    Column names decide the format: amount-like columns (``amount``, ``median``, ``p90`` ...)
    get ``currency`` and no decimals, ``*share`` and ``*rate`` columns become percentages,
    whole numbers get thousands separators and dates show as YYYY-MM-DD. Text is escaped,
    as it may come from a user's file.

    Parameters
    ----------
    frame
        Any table from :mod:`salesops_nb.overview`.
    currency
        Symbol written before amounts.
    max_rows
        Show at most this many rows; a report table longer than that is not read anyway.
    empty
        Caption shown when ``frame`` has no rows, so an empty check reads as good news
        rather than a broken table.
    """
    shown = frame.head(max_rows)
    symbol = html.escape(currency)  # formatter output is not escaped by the Styler
    formats = {}
    for name in shown.columns:
        column = shown[name]
        if name in _MONEY and pd.api.types.is_numeric_dtype(column):
            formats[name] = lambda v, c=symbol: f"{c}{v:,.0f}"
        elif str(name).endswith(("share", "rate")):
            formats[name] = "{:.1%}"
        elif pd.api.types.is_datetime64_any_dtype(column):
            formats[name] = lambda v: v.strftime("%Y-%m-%d")
        elif pd.api.types.is_bool_dtype(column):
            formats[name] = lambda v: "yes" if v else "no"
        elif pd.api.types.is_integer_dtype(column):
            formats[name] = "{:,}"
    text = [c for c in shown.columns
            if not (pd.api.types.is_numeric_dtype(shown[c])
                    or pd.api.types.is_datetime64_any_dtype(shown[c]))]
    headers = [_HEADERS.get(str(c), str(c).replace("_", " ").capitalize()) for c in shown.columns]
    styler = (
        shown.style.format(formats, na_rep="–", escape="html")
        .relabel_index(headers, axis="columns")
        .hide(axis="index")
        .set_properties(subset=text, **{"text-align": "left"})
        .set_table_styles(
            {c: [{"selector": "th", "props": "text-align: left"}] for c in text}, overwrite=False
        )
    )
    if shown.empty:
        styler = styler.set_caption(html.escape(empty))
    elif len(frame) > max_rows:
        styler = styler.set_caption(f"First {max_rows:,} of {len(frame):,} rows.")
    return styler
