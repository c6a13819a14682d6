"""Turn the raw cells of a CRM export into typed columns, or say exactly which cells are wrong.

Each ``coerce_*`` function takes one raw column (text, numbers, Excel datetimes or a mix) and
returns a typed pandas Series: ``Float64`` numbers, ``Int64`` integers, ``datetime64`` dates,
``boolean`` flags, ``string`` text and ids. Empty cells become missing values (NA). Cells that
cannot be read raise :class:`~salesops_nb.errors.ValueParseError` with the count of bad cells
and up to five example rows as the user sees them (see :class:`RowOrigin`).

Work is done on the distinct values of a column (``pd.factorize``) with pandas string
methods, then spread back to the rows: a million-row export has far fewer distinct dates or
stage names than rows, and no step loops over rows in Python.

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

Day order (:func:`detect_dayfirst`): a numeric date such as "03/04/2025" is day-first if some
value has a first part above 12, month-first if some value has a second part above 12; when
no value decides and some differ from their mirror image, ``dayfirst=`` must be given.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

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

_NULL_TOKENS = ["", "na", "n/a", "nan", "null", "none", "-", "--", "—", "#n/a", "<na>", "nat"]
_MAX_EXAMPLES = 5

# Currency marks: symbols anywhere, dollar prefixes, ISO codes and "kr" at either end.
# (No look-arounds: pyarrow's regex engine runs these natively, Python's would loop per value.)
_CURRENCY = r"[A-Z]{0,3}\$|[€£¥₹₩₽₺₪₫฿¢]|^[A-Z]{3}|[A-Z]{3}$|[Kk][Rr]\.?$"
_NUMERIC_DATE = r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})$"
_TIME = r"(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?\s*([AaPp])?\.?(?:[Mm]\.?)?"
_DATE_AND_TIME = rf"^(?P<date>.*?\d)(?:(?:\s+|T|,\s*){_TIME})?$"
_NAMED_FORMATS = ["%d %b %Y", "%d %B %Y", "%b %d %Y", "%B %d %Y", "%d %b %y", "%b %d %y"]
_TRUE = {"true", "t", "yes", "y", "1", "10", "x", "checked", "on"}  # "1.0" normalises to "10"
_FALSE = {"false", "f", "no", "n", "0", "00", "unchecked", "off"}


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


# ----------------------------------------------------------------------------------- dates
def _numeric_date_parts(text: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    parts = text.str.extract(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](?:\d{4}|\d{2})(?!\d)")
    first = pd.to_numeric(parts[0], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    second = pd.to_numeric(parts[1], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
    return first, second


def detect_dayfirst(columns: Mapping[str, pd.Series], *, origin: RowOrigin | None = None,
                    headers: Mapping[str, str] | None = None) -> bool | None:
    """Decide whether numeric dates such as "03/04/2025" put the day first.

    Returns ``True`` (day first), ``False`` (month first), or ``None`` when no value depends
    on it (ISO dates, month names, or only dates like "05/05/2025").

    Raises
    ------
    ValueParseError
        When some values need day-first and others month-first, or when the order matters
        but no value has a part above 12 to decide it.
    """
    origin = origin or RowOrigin()
    headers = headers or {}
    seen: dict[str, tuple[str, object, str]] = {}
    for name, values in columns.items():
        d = _distinct(values)
        if not d.text.notna().any():
            continue
        first, second = _numeric_date_parts(d.text)
        with np.errstate(invalid="ignore"):
            kinds = {"day": (first > 12) & (second <= 12), "month": (second > 12) & (first <= 12),
                     "either": (first <= 12) & (second <= 12) & (first != second)}
        for kind, flagged in kinds.items():
            if flagged.any() and kind not in seen:
                row = _first_rows(d, flagged, origin)
                seen[kind] = (name, row[0] if row else "?", d.text[flagged].iloc[0])

    def example(kind: str) -> str:
        name, row, value = seen[kind]
        header = headers.get(name)
        named = f" ('{header}')" if header and header != name else ""
        return f"{value!r} (column '{name}'{named}, row {row})"

    hint = ("Pass dayfirst=True if 03/04/2025 means 3 April 2025, or dayfirst=False if it "
            "means March 4, 2025.")
    if "day" in seen and "month" in seen:
        raise ValueParseError(
            f"Dates in {origin.source} mix day-first and month-first: {example('day')} must "
            f"be day-first, {example('month')} must be month-first. {origin.convention}",
            hint=hint + " Values that disagree are then reported row by row.",
            column=seen["day"][0], rows=[seen["day"][1], seen["month"][1]])
    if "day" in seen:
        return True
    if "month" in seen:
        return False
    if "either" in seen:
        raise ValueParseError(
            f"Dates in {origin.source} such as {example('either')} could be day-first or "
            f"month-first, and no date has a day above 12 to decide. {origin.convention}",
            hint=hint, column=seen["either"][0], rows=[seen["either"][1]])
    return None


def _parse_date_text(text: pd.Series, dayfirst: bool) -> pd.Series:
    """Parse stripped date strings with explicit formats; NaT where none fits."""
    out = pd.Series(pd.NaT, index=text.index, dtype="datetime64[us]")
    iso = text.str.match(r"^\d{4}[-/]\d{1,2}[-/]\d{1,2}(?:$|[T ]\d)").to_numpy(dtype=bool)
    if iso.any():
        # Keep the wall-clock time the CRM showed: a deal closed late on the 31st stays
        # on the 31st instead of moving to another day (or month) in UTC.
        local = text[iso].str.replace(r"(?<=\d)\s*(?:Z|[+-]\d{2}:?\d{2})$", "", regex=True)
        out[iso] = pd.to_datetime(local, format="ISO8601", errors="coerce")
    rest = ~iso
    if not rest.any():
        return out
    parts = text[rest].str.extract(_DATE_AND_TIME)
    dates = parts["date"]
    numeric = dates.str.replace(r"(?<=\d)[.\-](?=\d)", "/", regex=True)
    named = (dates.str.replace(r"(?<=\d)(?:st|nd|rd|th)\b", "", regex=True)
             .str.replace(r"[,.\-/]", " ", regex=True).str.replace(r"\s+", " ", regex=True))
    order = ["%d/%m/%Y", "%d/%m/%y"] if dayfirst else ["%m/%d/%Y", "%m/%d/%y"]
    tries = [(numeric, f) for f in [*order, "%Y/%m/%d", "%Y%m%d"]]
    tries += [(named, f) for f in _NAMED_FORMATS]
    day = pd.Series(pd.NaT, index=dates.index, dtype="datetime64[us]")
    for source, fmt in tries:
        todo = day.isna() & source.notna()
        if not todo.any():
            break
        day[todo] = pd.to_datetime(source[todo], format=fmt, errors="coerce")
    hour, minute, second, fraction, half = (parts[i] for i in range(1, 6))
    hours = pd.to_numeric(hour, errors="coerce").fillna(0).to_numpy(dtype=float)
    minutes = pd.to_numeric(minute, errors="coerce").fillna(0).to_numpy(dtype=float)
    seconds = pd.to_numeric(second, errors="coerce").fillna(0).to_numpy(dtype=float)
    seconds = seconds + pd.to_numeric("0." + fraction.fillna("0"), errors="coerce").to_numpy(
        dtype=float, na_value=0.0)
    half = half.str.lower().fillna("").to_numpy(dtype=object)
    clock_ok = np.where(half == "", hours <= 23, (hours >= 1) & (hours <= 12))
    clock_ok &= (minutes <= 59) & (seconds < 60)
    hours = np.where((half == "p") & (hours < 12), hours + 12, hours)
    hours = np.where((half == "a") & (hours == 12), 0, hours)
    offset = pd.to_timedelta(hours * 3600 + minutes * 60 + seconds, unit="s")
    stamped = day + pd.Series(offset, index=day.index)
    out[rest] = stamped.where(clock_ok).to_numpy()
    return out


def coerce_date(values: pd.Series, *, column: str, header: str | None = None,
                origin: RowOrigin | None = None, dayfirst: bool | None = None) -> pd.Series:
    """Read a column of dates as naive ``datetime64[us]``, keeping each value's local time.

    Accepts Excel dates, ISO text ("2025-03-04", "2025-03-04T10:22:33Z"), numeric dates
    ("04/03/2025", "4.3.25", with an optional time such as "2:30 PM"), month names
    ("4 Mar 2025", "March 4, 2025") and Excel serial day numbers.

    Parameters
    ----------
    dayfirst
        Whether "03/04/2025" is 3 April; ``None`` detects it (:func:`detect_dayfirst`).

    Raises
    ------
    ValueParseError
        For unreadable dates (count and example rows) or an undecidable day order.
    """
    origin = origin or RowOrigin()
    if pd.api.types.is_datetime64_any_dtype(values.dtype):
        if getattr(values.dt, "tz", None) is not None:
            values = values.dt.tz_localize(None)  # keep the local wall-clock time
        return values.astype("datetime64[us]")
    if dayfirst is None:
        dayfirst = detect_dayfirst({column: values}, origin=origin, headers={column: header})
    d = _distinct(values)
    result = pd.Series(pd.NaT, index=d.uniques.index, dtype="datetime64[us]")
    is_text = d.text.notna().to_numpy(dtype=bool)
    if is_text.any():
        result[is_text] = _parse_date_text(d.text[is_text], bool(dayfirst)).to_numpy()
    bad = is_text & result.isna().to_numpy()
    other = ~is_text
    if other.any():
        raw = d.uniques[other]
        serial = pd.to_numeric(raw.astype("string"), errors="coerce")
        is_serial = serial.notna().to_numpy(dtype=bool)
        in_range = serial.between(10_000, 80_000).fillna(False).to_numpy(dtype=bool)
        stamps = pd.to_datetime(raw.where(~is_serial), errors="coerce", utc=True)
        stamps = stamps.dt.tz_localize(None).astype("datetime64[us]")  # only objects get here
        excel = pd.to_datetime(serial.where(in_range).astype("float64"), unit="D",
                               origin="1899-12-30").astype("datetime64[us]")
        result[other] = np.where(is_serial, excel.to_numpy(), stamps.to_numpy())
        bad[other] = (is_serial & ~in_range) | (~is_serial & stamps.isna().to_numpy())
    _raise_bad(d, bad, column=column, header=header, origin=origin, what="dates",
               hint="Fix or clear those cells (an empty cell is read as missing); dates may be "
                    "written like 2025-03-31, 31/03/2025 or 31 Mar 2025. If the day and month "
                    "were read the wrong way round, pass dayfirst=True or dayfirst=False.")
    return d.spread(result.to_numpy(), "datetime64[us]")


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
