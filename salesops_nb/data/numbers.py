"""Numbers and currency amounts from CRM cells: "$1,200.50", "1.200,50 €", "(1,200)", "15%".

Decimal separator rule (:func:`detect_decimal`), applied to all number columns of a table:

* a value with both ``.`` and ``,`` uses the last one as the decimal mark ("1.200,50");
* a separator repeated in a value is a thousands mark ("1,200,000");
* a single separator followed by other than three digits, or after more than three digits
  or a lone zero, is a decimal mark ("12,5", "1200.50", "0,150");
* a single separator followed by exactly three digits ("1,200", "1.200") votes for nothing.

If the votes disagree, the table is ambiguous (an error asks for ``decimal=``). With no votes,
"1,200"-style values are read with the separator as a thousands mark when that is consistent:
one separator character throughout and no ungrouped value of four or more integer digits
("1500" beside "1,200" is inconsistent and is an error asking for ``decimal=``).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from salesops_nb.data._cells import RowOrigin, _Distinct, _distinct, _first_rows, _raise_bad
from salesops_nb.errors import ValueParseError

__all__ = ["coerce_integer", "coerce_number", "detect_decimal"]

# Currency marks: symbols anywhere, dollar prefixes, ISO codes and "kr" at either end.
# (No look-arounds: pyarrow's regex engine runs these natively, Python's would loop per value.)
_CURRENCY = r"[A-Z]{0,3}\$|[€£¥₹₩₽₺₪₫฿¢]|^[A-Z]{3}|[A-Z]{3}$|[Kk][Rr]\.?$"


# --------------------------------------------------------------------------------- numbers
@dataclass
class _Numbers:
    """A number column's distinct values, split into sign, percent, digits and exponent."""

    d: _Distinct
    core: pd.Series         # digits and separators only, e.g. "1.200,50"
    exponent: pd.Series     # "e+05" or ""
    negative: np.ndarray
    percent: np.ndarray
    shaped: np.ndarray      # text whose core looks like a number at all
    is_text: np.ndarray


def _prepare_numbers(values: pd.Series) -> _Numbers:
    d = _distinct(values)
    s = d.text.fillna("").str.replace(_CURRENCY, "", regex=True)
    s = s.str.replace(r"[\s\u00a0\u202f']", "", regex=True)
    paren = s.str.match(r"^\(.*\)$").to_numpy(dtype=bool)
    s = s.str.replace(r"^\((.*)\)$", r"\1", regex=True)
    negative = s.str.match(r"^[-−]|.*\d[-−]$").to_numpy(dtype=bool) ^ paren
    s = s.str.replace(r"^[-+−]|[-−]$", "", regex=True)
    percent = s.str.contains("%", regex=False).to_numpy(dtype=bool)
    s = s.str.replace(r"^%|%$", "", regex=True)
    exponent = s.str.replace(r"^.*?([eE][+-]?[0-9]+)?$", r"\1", regex=True)
    core = s.str.replace(r"[eE][+-]?[0-9]+$", "", regex=True)
    is_text = d.text.notna().to_numpy(dtype=bool)
    shaped = core.str.fullmatch(r"[0-9.,]*[0-9][0-9.,]*").to_numpy(dtype=bool) & is_text
    return _Numbers(d, core, exponent, negative, percent, shaped, is_text)


def _decimal_votes(core: pd.Series) -> np.ndarray:
    """Per value: "." or "," when it shows the decimal mark, "?." / "?," when ambiguous, ""."""
    if not len(core):
        return np.array([], dtype=object)
    dots = core.str.count(r"\.").to_numpy()
    commas = core.str.count(",").to_numpy()
    last = core.str.replace(r"^.*([.,])[0-9]*$", r"\1", regex=True).to_numpy(dtype=object)
    before = core.str.replace(r"[.,].*$", "", regex=True).str.len().to_numpy()
    after = core.str.replace(r"^.*[.,]", "", regex=True).str.len().to_numpy()
    lone_zero = core.str.match(r"0[.,]").to_numpy(dtype=bool)
    one = (dots + commas) == 1
    grouped_like = one & (after == 3) & (before >= 1) & (before <= 3) & ~lone_zero
    marked = np.char.add("?", last.astype(str)).astype(object)
    return np.select(
        [(dots > 0) & (commas > 0), (dots > 1) & (commas == 0), (commas > 1) & (dots == 0),
         grouped_like, one],
        [last, ",", ".", marked, last],
        default="",
    ).astype(object)


def detect_decimal(columns: Mapping[str, pd.Series], *, origin: RowOrigin | None = None,
                   headers: Mapping[str, str] | None = None) -> str:
    """Decide the decimal mark ("." or ",") shared by a table's number columns.

    Parameters
    ----------
    columns
        Raw number columns by canonical name.
    origin, headers
        Where the data comes from and each column's header, for error messages.

    Returns
    -------
    str
        ``"."`` or ``","`` (``"."`` when nothing in the data depends on it).

    Raises
    ------
    ValueParseError
        When the values support both readings; the hint says how to pass ``decimal=``.
    """
    prepared = {name: _prepare_numbers(values) for name, values in columns.items()}
    return _decide_decimal(prepared, origin or RowOrigin(), headers or {})


def _decide_decimal(prepared: Mapping[str, _Numbers], origin: RowOrigin,
                    headers: Mapping[str, str]) -> str:
    found: dict[str, tuple[str, object, str]] = {}
    for name, n in prepared.items():
        if not n.shaped.any():
            continue
        votes = np.where(n.shaped, _decimal_votes(n.core), "")
        flags = {vote: votes == vote for vote in (".", ",", "?.", "?,")}
        flags["long"] = n.shaped & n.core.str.fullmatch(r"[0-9]{4,}").to_numpy(dtype=bool)
        for vote, flagged in flags.items():
            if flagged.any() and vote not in found:
                row = _first_rows(n.d, flagged, origin)
                if row:  # distinct values only count when some row holds them
                    found[vote] = (name, row[0], n.d.text[flagged].iloc[0])

    def example(vote: str) -> str:
        name, row, value = found[vote]
        header = headers.get(name)
        named = f" ('{header}')" if header and header != name else ""
        return f"{value!r} in column '{name}'{named} row {row}"

    def ambiguous(message: str, vote: str) -> ValueParseError:
        return ValueParseError(
            f"Numbers in {origin.source} {message} {origin.convention}", column=found[vote][0],
            rows=[found[vote][1]],
            hint="Pass decimal=',' if your file writes one thousand two hundred and a half as "
                 "1.200,50, or decimal='.' if it writes 1,200.50.")

    if "." in found and "," in found:
        raise ambiguous(f"use both '.' and ',' as the decimal mark: {example('.')} reads '.' "
                        f"as decimal, {example(',')} reads ','.", ".")
    for mark in (".", ","):
        if mark in found:
            return mark
    if "?." in found and "?," in found:
        raise ambiguous(f"are ambiguous: {example('?.')} and {example('?,')} group digits "
                        "differently and no value shows the decimal mark.", "?.")
    for mark in (".", ","):
        if "?" + mark in found:
            if "long" in found:
                raise ambiguous(f"are ambiguous: {example('?' + mark)} could be a thousands "
                                f"group or three decimals, and {example('long')} is not "
                                "grouped.", "?" + mark)
            return "," if mark == "." else "."
    return "."


def _number_column(n: _Numbers, *, column: str, header: str | None, origin: RowOrigin,
                   decimal: str | None, percent: bool = False,
                   integer: bool = False) -> pd.Series:
    if decimal is None:
        decimal = _decide_decimal({column: n}, origin, {column: header or column})
    if decimal not in (".", ","):
        raise ValueParseError(f"decimal={decimal!r} is not a decimal mark.",
                              hint="Pass decimal='.' or decimal=','.", column=column)
    thousands = "," if decimal == "." else "."
    t, m = "\\" + thousands, "\\" + decimal
    valid = n.shaped & n.core.str.fullmatch(
        rf"(?:[0-9]{{1,3}}(?:{t}[0-9]{{3}})+|[0-9]*)(?:{m}[0-9]*)?").to_numpy(dtype=bool)
    plain = n.core.str.replace(thousands, "", regex=False).str.replace(decimal, ".",
                                                                       regex=False)
    parsed = pd.to_numeric((plain + n.exponent).where(valid), errors="coerce")
    parsed = parsed.to_numpy(dtype=float, na_value=np.nan)
    parsed = np.where(n.negative, -parsed, parsed)
    parsed = np.where(n.percent, parsed / 100.0, parsed)
    if pd.api.types.is_bool_dtype(n.d.uniques.dtype):
        numbers = np.full(len(n.d.uniques), np.nan)  # True/False are not amounts
    else:
        numbers = pd.to_numeric(n.d.uniques.where(~n.is_text), errors="coerce").to_numpy(
            dtype=float, na_value=np.nan)
    values = np.where(n.is_text, parsed, numbers)
    bad = np.isnan(values) | (n.is_text & n.percent & (not percent))
    if integer:
        bad |= np.round(values) != values
    what = "whole numbers" if integer else "numbers"
    if integer:
        hint = "Fix or clear those cells; this column holds whole numbers such as 42."
    else:
        extra = " or a percentage such as 15%" if percent else ""
        hint = ("Fix or clear those cells (an empty cell is read as missing); numbers may carry "
                f"a currency sign, thousands marks and parentheses for negatives{extra}. If the "
                "decimal mark was guessed wrong, pass decimal=',' or decimal='.'.")
    _raise_bad(n.d, bad, column=column, header=header, origin=origin, what=what, hint=hint)
    result = n.d.spread(values, "Float64")
    return result.astype("Int64") if integer else result


def coerce_number(values: pd.Series, *, column: str, header: str | None = None,
                  origin: RowOrigin | None = None, decimal: str | None = None,
                  percent: bool = False) -> pd.Series:
    """Read a column of amounts as ``Float64``.

    Accepts numbers and text such as ``"$1,200.50"``, ``"1.200,50 €"``, ``"(1,200)"``
    (negative), ``"USD 900"`` and, with ``percent=True``, ``"15%"`` (0.15).

    Parameters
    ----------
    values
        The raw column.
    column, header
        Canonical name and the user's header, for messages.
    origin
        Where the rows come from (see :class:`RowOrigin`).
    decimal
        ``"."`` or ``","``; ``None`` detects it (see the module notes).
    percent
        Allow ``"15%"``-style values (read as fractions).

    Raises
    ------
    ValueParseError
        Naming the column, the count of unreadable cells and example rows.

    Examples
    --------
    >>> coerce_number(pd.Series(["$1,200.50", "(300)", ""]), column="amount").tolist()
    [1200.5, -300.0, <NA>]
    """
    return _number_column(_prepare_numbers(values), column=column, header=header,
                          origin=origin or RowOrigin(), decimal=decimal, percent=percent)


def coerce_integer(values: pd.Series, *, column: str, header: str | None = None,
                   origin: RowOrigin | None = None, decimal: str | None = None) -> pd.Series:
    """Read a column of whole numbers (``Int64``); "1,200" and 12.0 are fine, 12.5 is not."""
    return _number_column(_prepare_numbers(values), column=column, header=header,
                          origin=origin or RowOrigin(), decimal=decimal, integer=True)


