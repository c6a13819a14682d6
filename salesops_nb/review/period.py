"""The review's period: which deals a report covers, from a short text a user types."""

from __future__ import annotations

import re

import pandas as pd

from salesops_nb.errors import ParameterError

__all__ = ["select_period"]

_HINT = ('Write "" for all deals, a year ("2026"), a quarter ("2026-Q3"), a month ("2026-07"), '
         '"last 12 months", or a date range "2026-01-01..2026-06-30".')


def select_period(deals: pd.DataFrame, period: str) -> tuple[pd.DataFrame, str]:
    """Keep the deals whose close date falls in ``period``.

    Parameters
    ----------
    deals
        Canonical opportunities (``close_date``).
    period
        ``""`` (all), ``"2026"``, ``"2026-Q3"``, ``"2026-07"``, ``"last N months"`` (ending
        with the latest close date) or ``"YYYY-MM-DD..YYYY-MM-DD"`` (either end open).

    Returns
    -------
    (deals, label)
        The deals of the period and the period in words for the report.

    Raises
    ------
    ParameterError
        A period that cannot be read, or one with no deals (the message gives the data's range).
    """
    text = (period or "").strip()
    dates = pd.to_datetime(deals["close_date"], errors="coerce")
    # Open deals carry expected close dates in the future: the data ends with the last close.
    closed = dates[deals["is_closed"].fillna(False).astype(bool)]
    if not text:
        first, last = closed.min(), closed.max()
        label = ("all deals" if pd.isna(first)
                 else f"all deals (closed {first:%Y-%m-%d} to {last:%Y-%m-%d})")
        return deals, label
    start, end, label = _bounds(text, closed)
    keep = (dates >= start) & (dates < end)
    chosen = deals[keep.fillna(False).astype(bool)]
    if chosen.empty:
        span = (f"{closed.min():%Y-%m-%d} to {closed.max():%Y-%m-%d}" if closed.notna().any()
                else "no closed deals")
        raise ParameterError(f'No deal closes in the period "{text}" (the data covers {span}).',
                             hint=_HINT)
    return chosen, label


def _bounds(text: str, dates: pd.Series) -> tuple[pd.Timestamp, pd.Timestamp, str]:
    """[start, end) of the period and its label."""
    lower = text.lower()
    if m := re.fullmatch(r"(\d{4})", text):
        start = pd.Timestamp(int(m[1]), 1, 1)
        return start, start + pd.DateOffset(years=1), f"deals closing in {m[1]}"
    if m := re.fullmatch(r"(\d{4})-?q([1-4])", lower):
        start = pd.Timestamp(int(m[1]), 3 * int(m[2]) - 2, 1)
        return start, start + pd.DateOffset(months=3), f"deals closing in {m[1]} Q{m[2]}"
    if m := re.fullmatch(r"(\d{4})-(\d{2})", text):
        if not 1 <= int(m[2]) <= 12:
            raise ParameterError(f'"{text}" is not a month.', hint=_HINT)
        start = pd.Timestamp(int(m[1]), int(m[2]), 1)
        return start, start + pd.DateOffset(months=1), f"deals closing in {start:%B %Y}"
    if m := re.fullmatch(r"last\s+(\d+)\s+months?", lower):
        end = dates.max().normalize() + pd.Timedelta(days=1)
        if pd.isna(end):
            raise ParameterError("The data has no close dates to count months back from.",
                                 hint=_HINT)
        return (end - pd.DateOffset(months=int(m[1])), end,
                f"deals closing in the last {m[1]} months of the data")
    if ".." in text:
        first, _, last = text.partition("..")
        try:
            start = pd.Timestamp(first.strip()) if first.strip() else pd.Timestamp.min
            end = (pd.Timestamp(last.strip()) + pd.Timedelta(days=1) if last.strip()
                   else pd.Timestamp.max)
        except ValueError as err:
            raise ParameterError(f'The period "{text}" has a date that cannot be read.',
                                 hint=_HINT) from err
        if start >= end:
            raise ParameterError(f'The period "{text}" ends before it starts.', hint=_HINT)
        return start, end, f"deals closing {first.strip() or 'from the start'} to " \
            f"{last.strip() or 'the end of the data'}"
    raise ParameterError(f'The period "{text}" cannot be read.', hint=_HINT)
