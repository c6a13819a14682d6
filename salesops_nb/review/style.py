"""How the review looks: one small stylesheet, value formats and an escaped table that fits."""

from __future__ import annotations

from html import escape
from typing import Any

import pandas as pd

__all__ = ["CSS", "fmt_value", "table_html"]

CSS = """<style>
.salesops-review{font-size:14px;line-height:1.45;max-width:1000px}
.salesops-review .tiles{display:flex;flex-wrap:wrap;gap:10px;margin:.6em 0 1em}
.salesops-review .tile{flex:1 1 150px;border:1px solid #dde3ea;border-radius:6px;
 padding:8px 12px;background:#f7f9fb}
.salesops-review .figure{font-size:22px;font-weight:600;color:#1f3b57}
.salesops-review .caption{font-size:12px;color:#5a6b7b}
.salesops-review .scope{color:#44566a;margin:.2em 0}
.salesops-review .source{color:#6b7785;font-size:12px;margin-top:1em}
.salesops-review table.review-table{border-collapse:collapse;width:100%;table-layout:auto;
 font-size:12.5px;margin:.4em 0 1em}
.salesops-review table.review-table th,.salesops-review table.review-table td{
 border:1px solid #e1e5ea;padding:4px 7px;text-align:left;vertical-align:top;
 overflow-wrap:break-word}
.salesops-review table.review-table th{background:#eef2f6;font-weight:600;white-space:nowrap}
.salesops-review table.review-table td.num{text-align:right;white-space:nowrap}
.salesops-review .status-good{color:#1b5e20;font-weight:600}
.salesops-review .status-bad{color:#b71c1c;font-weight:600}
.salesops-review .note{color:#5a6b7b}
.salesops-review .diagram{overflow-x:auto;border:1px solid #e0e0e0;padding:4px;background:#fff}
</style>"""

_GOOD = ("target met", "improving", "ok", "yes")
_BAD = ("behind", "broken", "over", "failed")


def fmt_value(metric: str, value: Any) -> str:
    """A metric value for a reader: shares in percent, days and amounts rounded."""
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    if metric in ("win_rate", "avg_discount"):
        return f"{value:.1%}"
    if metric == "avg_cycle_days":
        return f"{value:,.0f} days"
    return f"{value:,.1f}"


def table_html(frame: pd.DataFrame, *, empty: str = "None.", status: str | None = None,
               max_rows: int = 25, widths: dict[str, str] | None = None) -> str:
    """An escaped HTML table that wraps long text to the page width.

    Parameters
    ----------
    frame
        The rows to show; column names become headers (underscores as spaces).
    empty
        Shown instead of an empty table.
    status
        A column whose good / bad words are coloured.
    max_rows
        Rows shown; a note says how many were left out.
    widths
        Column name -> CSS width (e.g. ``"40%"``) for the long text columns.
    """
    if frame.empty:
        return f'<p class="note">{escape(empty)}</p>'
    widths = widths or {}
    shown = frame.head(max_rows)
    head = "".join(
        f'<th{_width(widths.get(c))}>{escape(str(c).replace("_", " "))}</th>'
        for c in shown.columns)
    rows = []
    for record in shown.itertuples(index=False):
        cells = []
        for column, value in zip(shown.columns, record, strict=True):
            text, numeric = _cell(value)
            css = ' class="num"' if numeric else ""
            if column == status:
                word = text.lower()
                if word.startswith(_GOOD):
                    css = ' class="status-good"'
                elif word.startswith(_BAD):
                    css = ' class="status-bad"'
            cells.append(f"<td{css}>{escape(text)}</td>")
        rows.append("<tr>" + "".join(cells) + "</tr>")
    more = (f'<p class="note">First {max_rows} of {len(frame)} rows.</p>'
            if len(frame) > max_rows else "")
    return (f'<table class="review-table"><thead><tr>{head}</tr></thead>'
            f"<tbody>{''.join(rows)}</tbody></table>{more}")


def _width(value: str | None) -> str:
    return f' style="width:{escape(value)}"' if value else ""


def _cell(value: Any) -> tuple[str, bool]:
    if value is None or (isinstance(value, float) and value != value) or value is pd.NA:
        return "–", False
    if isinstance(value, bool):
        return ("yes" if value else "no"), False
    if isinstance(value, int):
        return f"{value:,}", True
    if isinstance(value, float):
        return (f"{value:,.0f}" if abs(value) >= 1000 else f"{value:,.3g}"
                if abs(value) < 1 else f"{value:,.1f}"), True
    return str(value), False
