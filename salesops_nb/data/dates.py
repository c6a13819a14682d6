"""Dates from CRM cells: ISO, day- or month-first numeric dates, month names, Excel serials.

Day order (:func:`detect_dayfirst`): a numeric date such as "03/04/2025" is day-first if some
value has a first part above 12, month-first if some value has a second part above 12; when
no value decides and some differ from their mirror image, ``dayfirst=`` must be given.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from salesops_nb.data._cells import RowOrigin, _distinct, _first_rows, _raise_bad
from salesops_nb.errors import ValueParseError

__all__ = ["coerce_date", "detect_dayfirst"]

_NUMERIC_DATE = r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})$"
_TIME = r"(\d{1,2}):(\d{2})(?::(\d{2})(?:[.,](\d{1,6}))?)?\s*([AaPp])?\.?(?:[Mm]\.?)?"
_DATE_AND_TIME = rf"^(?P<date>.*?\d)(?:(?:\s+|T|,\s*){_TIME})?$"
_NAMED_FORMATS = ["%d %b %Y", "%d %B %Y", "%b %d %Y", "%B %d %Y", "%d %b %y", "%b %d %y"]


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


