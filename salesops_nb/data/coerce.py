"""Turn the raw cells of a CRM export into typed columns, or say exactly which cells are wrong.

Each ``coerce_*`` function takes one raw column (text, numbers, Excel datetimes or a mix) and
returns a typed pandas Series: ``Float64`` numbers, ``Int64`` integers, ``datetime64`` dates,
``boolean`` flags, ``string`` text and ids. Empty cells become missing values (NA). Cells that
cannot be read raise :class:`~salesops_nb.errors.ValueParseError` with the count of bad cells
and up to five example rows as the user sees them (see :class:`RowOrigin`).

Numbers live in :mod:`~salesops_nb.data.numbers` and dates in :mod:`~salesops_nb.data.dates`;
this module adds flags, ids and text, and is the one place callers import the coercers from.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from salesops_nb.data._cells import (
    _MAX_EXAMPLES,
    RowOrigin,
    _Distinct,
    _distinct,
    _raise_bad,
    _where,
)
from salesops_nb.data.dates import coerce_date, detect_dayfirst
from salesops_nb.data.numbers import coerce_integer, coerce_number, detect_decimal
from salesops_nb.errors import ValueParseError

__all__ = [
    "RowOrigin",
    "coerce_bool",
    "coerce_date",
    "coerce_id",
    "coerce_integer",
    "coerce_number",
    "coerce_text",
    "detect_dayfirst",
    "detect_decimal",
]

_TRUE = {"true", "t", "yes", "y", "1", "10", "x", "checked", "on"}  # "1.0" normalises to "10"
_FALSE = {"false", "f", "no", "n", "0", "00", "unchecked", "off"}


# -------------------------------------------------------------------------- flags and text
def _flag_key(text: pd.Series) -> pd.Series:
    """"Closed Won", "closed_won" and "closedwon" all become "closedwon"; "1.0" becomes "1"."""
    lowered = text.str.lower().str.replace(r"^([01])\.0*$", r"\1", regex=True)
    return lowered.str.replace(r"[^0-9a-z]", "", regex=True)


def coerce_bool(values: pd.Series, *, column: str, header: str | None = None,
                origin: RowOrigin | None = None, true_values: Iterable[str] = (),
                false_values: Iterable[str] = ()) -> pd.Series:
    """Read a column of yes/no flags as ``boolean``.

    Understands True/False, "TRUE", yes/no, y/n, 1/0, checked/unchecked, plus the words in
    ``true_values`` / ``false_values`` (e.g. "Won"/"Lost" or "Closed"/"Open"), compared
    without case, spaces or punctuation.

    Raises
    ------
    ValueParseError
        For cells that are none of these (count and example rows).
    """
    origin = origin or RowOrigin()
    if pd.api.types.is_bool_dtype(values.dtype):
        return values.astype("boolean")
    d = _distinct(values)
    truthy = _TRUE | set(_flag_key(pd.Series(list(true_values), dtype="string")))
    falsy = _FALSE | set(_flag_key(pd.Series(list(false_values), dtype="string")))
    key = _flag_key(d.text)
    is_true = key.isin(truthy).fillna(False).to_numpy(dtype=bool)
    is_false = key.isin(falsy).fillna(False).to_numpy(dtype=bool)
    other = d.text.isna().to_numpy(dtype=bool)
    if other.any():
        numbers = pd.to_numeric(d.uniques.where(other).astype("string"), errors="coerce")
        spelled = d.uniques.where(other).astype("string").str.lower()
        is_true = is_true | (other & (numbers.eq(1) | spelled.eq("true")).fillna(False)
                             .to_numpy(dtype=bool))
        is_false = is_false | (other & (numbers.eq(0) | spelled.eq("false")).fillna(False)
                               .to_numpy(dtype=bool))
    words = sorted({*true_values, *false_values})
    extra = f", {', '.join(words)}" if words else ""
    _raise_bad(d, ~is_true & ~is_false, column=column, header=header, origin=origin,
               what="yes/no values",
               hint=f"Use TRUE/FALSE, yes/no or 1/0{extra}; an empty cell is read as missing.")
    result = pd.array(np.where(is_true, True, False), dtype="boolean")
    return d.spread(result, "boolean")


def _labels(d: _Distinct) -> pd.Series:
    """Text of each distinct value; whole numbers without a trailing ".0" (Excel ids)."""
    labels = d.text.copy()
    other = labels.isna() & d.uniques.notna()
    if other.any():
        raw = d.uniques[other]
        numbers = pd.to_numeric(raw.astype("string"), errors="coerce")
        whole = numbers.notna() & (numbers.round() == numbers)
        as_text = raw.astype("string")
        as_text[whole] = numbers[whole].astype("Int64").astype("string")
        labels[other] = as_text
    return labels


def coerce_id(values: pd.Series, *, column: str, header: str | None = None,
              origin: RowOrigin | None = None, required: bool = False) -> pd.Series:
    """Read identifiers as ``string`` (``1001.0`` from Excel becomes ``"1001"``).

    With ``required=True`` an empty cell is an error naming the rows, since each row must
    be identifiable.
    """
    origin = origin or RowOrigin()
    d = _distinct(values, nulls=False)
    result = d.spread(_labels(d), "string")
    if required:
        empty = d.codes < 0
        if empty.any():
            positions = np.flatnonzero(empty)
            rows = origin.rows(values.index, positions[:_MAX_EXAMPLES])
            count = len(positions)
            raise ValueParseError(
                f"{_where(column, header, origin)}: {count:,} "
                f"{'rows have' if count != 1 else 'row has'} no {column}, "
                f"e.g. row{'s' if len(rows) > 1 else ''} "
                f"{', '.join(map(str, rows))}. {origin.convention}",
                hint=f"Every row needs a value in {column}: fill those cells in or remove "
                     "the rows.",
                column=column, rows=rows)
    return result


def coerce_text(values: pd.Series, *, column: str = "", header: str | None = None,
                origin: RowOrigin | None = None) -> pd.Series:
    """Read names and categories as ``string``: whitespace stripped, empty cells missing."""
    if isinstance(values.dtype, pd.StringDtype):
        text = values.astype("string").str.strip()
        return text.mask(text.eq(""))
    d = _distinct(values, nulls=False)
    return d.spread(_labels(d), "string")
