"""Shared machinery of the coercers: distinct values, row origins and error messages.

Work is done on the distinct values of a column (``pd.factorize``) with pandas string
methods, then spread back to the rows: a million-row export has far fewer distinct dates or
stage names than rows, and no step loops over rows in Python.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesops_nb.errors import ValueParseError

_NULL_TOKENS = ["", "na", "n/a", "nan", "null", "none", "-", "--", "—", "#n/a", "<na>", "nat"]
_MAX_EXAMPLES = 5


@dataclass(frozen=True)
class RowOrigin:
    """Where a column's cells come from, so errors point at rows the user can find.

    Parameters
    ----------
    source
        How to name the data in messages, e.g. ``"deals.csv"`` or ``"the DataFrame"``.
    first_row
        The row number a spreadsheet shows for the first data row (2 below one header
        line; 1 for files without a header line, such as Parquet); ``None`` names rows by
        the frame's index labels instead.
    """

    source: str = "the data"
    first_row: int | None = None

    def rows(self, index: pd.Index, positions: np.ndarray) -> list:
        if self.first_row is None:
            return [index[p] for p in positions]
        return [int(p) + self.first_row for p in positions]

    @property
    def convention(self) -> str:
        if self.first_row is None:
            return "Rows are named by the DataFrame's index labels."
        if self.first_row == 1:
            return "Row numbers count the first data row as row 1."
        return (f"Row numbers are as a spreadsheet shows them (header = row {self.first_row - 1}, "
                f"first data row = row {self.first_row}).")


# --------------------------------------------------------------------------- shared plumbing
@dataclass
class _Distinct:
    """A column reduced to its distinct non-missing values, and the way back to rows."""

    values: pd.Series          # the raw column
    codes: np.ndarray          # row -> position in ``uniques``, -1 for missing
    uniques: pd.Series         # distinct raw values (any dtype)
    text: pd.Series            # stripped text of each unique, NA where it was not text

    def spread(self, result: pd.Series | np.ndarray, dtype: str) -> pd.Series:
        filled = pd.array(result, dtype=dtype)
        out = filled.take(self.codes, allow_fill=True)
        return pd.Series(out, index=self.values.index, name=self.values.name)


def _distinct(values: pd.Series, *, nulls: bool = True) -> _Distinct:
    codes, uniques = pd.factorize(values, use_na_sentinel=True)
    uniques = pd.Series(uniques)
    if pd.api.types.is_string_dtype(uniques.dtype) and uniques.dtype != object:
        text = uniques.astype("string")
    elif uniques.dtype == object:
        # .str on a mixed object column gives NA for non-text cells (Excel numbers, dates).
        try:
            is_text = uniques.str.len().notna()
        except AttributeError:  # no text at all (numbers, dates or flags only)
            is_text = pd.Series(False, index=uniques.index)
        text = uniques.where(is_text).astype("string")
    else:
        text = pd.Series(pd.NA, index=uniques.index, dtype="string")
    text = text.str.strip()
    empty = text.eq("")
    if nulls:
        empty = empty | text.str.lower().isin(_NULL_TOKENS)
    empty = empty.fillna(False).to_numpy(dtype=bool)
    if empty.any():  # cells that only look filled: treat as missing everywhere
        remap = np.where(empty, -1, np.arange(len(uniques)))
        codes = np.where(codes >= 0, remap[np.maximum(codes, 0)], -1)
    return _Distinct(values, codes, uniques, text)


def _raise_bad(d: _Distinct, bad: np.ndarray, *, column: str, header: str | None,
               origin: RowOrigin, what: str, hint: str) -> None:
    """Raise ValueParseError for the rows whose distinct value is flagged in ``bad``."""
    if not bad.any():
        return
    in_rows = np.zeros(len(d.codes), dtype=bool)
    ok = d.codes >= 0
    in_rows[ok] = bad[d.codes[ok]]
    positions = np.flatnonzero(in_rows)
    if not len(positions):  # only values that count as empty were flagged
        return
    rows = origin.rows(d.values.index, positions[:_MAX_EXAMPLES])
    shown = ", ".join(f"row {r}: {_quote(d.values.iloc[p])}"
                      for r, p in zip(rows, positions[:_MAX_EXAMPLES], strict=True))
    more = " and more" if len(positions) > _MAX_EXAMPLES else ""
    count = len(positions)
    raise ValueParseError(
        f"{_where(column, header, origin)}: {count:,} value{'s' if count != 1 else ''} "
        f"cannot be read as {what}: {shown}{more}. {origin.convention}",
        hint=hint, column=column, rows=rows,
    )


def _where(column: str, header: str | None, origin: RowOrigin) -> str:
    named = f" (header '{header}')" if header is not None and str(header) != column else ""
    return f"Column '{column}'{named} in {origin.source}"


def _quote(value: object) -> str:
    text = str(value)
    return repr(text if len(text) <= 40 else text[:37] + "...")


def _first_rows(d: _Distinct, flagged: np.ndarray, origin: RowOrigin) -> list:
    in_rows = np.zeros(len(d.codes), dtype=bool)
    ok = d.codes >= 0
    in_rows[ok] = flagged[d.codes[ok]]
    return origin.rows(d.values.index, np.flatnonzero(in_rows)[:_MAX_EXAMPLES])


