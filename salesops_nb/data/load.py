"""Read a CRM export (CSV, XLSX, Parquet or a DataFrame) into a canonical, typed table.

:func:`load_table` reads the file, maps its headers onto a canonical schema
(:mod:`salesops_nb.data.schema`), converts every canonical column to its type
(:mod:`salesops_nb.data.coerce`) and, for opportunities, derives ``is_closed``, ``is_won``,
``outcome`` and ``cycle_days`` when the export lacks them. Anything that stops a file from
being used raises a :class:`~salesops_nb.errors.DataError` that names the file, the columns
and example rows, with a hint saying how to fix it.

The result holds the canonical columns in schema order (absent optional ones are left out),
then ``outcome`` (opportunities only), then the file's other columns unchanged, which stay
useful for segmenting. Rows keep the order of the file; a DataFrame keeps its index.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import os
import zipfile
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from salesops_nb.data.coerce import (
    RowOrigin,
    _decide_decimal,
    _number_column,
    _Numbers,
    _prepare_numbers,
    coerce_bool,
    coerce_date,
    coerce_id,
    coerce_text,
    detect_dayfirst,
)
from salesops_nb.data.schema import TABLES, Column, TableSchema, normalise_name
from salesops_nb.errors import DataError, DataFileError, MissingColumnsError

__all__ = ["SUPPORTED_EXTENSIONS", "load_opportunities", "load_table"]

SUPPORTED_EXTENSIONS: dict[str, str] = {
    ".csv": "csv", ".tsv": "csv", ".txt": "csv",
    ".xlsx": "excel", ".xlsm": "excel",
    ".parquet": "parquet", ".pq": "parquet",
}
_DELIMITERS = (",", ";", "\t", "|")
_SNIFF_BYTES = 64 * 1024
_FALLBACK_ENCODINGS = ("cp1252", "latin-1")  # Excel on Windows writes cp1252; latin-1 never fails
_FRACTIONS = {"discount"}  # number columns where "15%" means 0.15
# Words that CRM exports put in flag columns, beyond yes/no/true/false/1/0.
_FLAG_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "is_won": (("won", "closed won"), ("lost", "closed lost", "open")),
    "is_closed": (("closed", "closed won", "closed lost", "won", "lost"), ("open",)),
}
_DERIVED = "outcome"


@dataclass
class _Opened:
    """A source whose headers are known; ``read`` gets the frame (text headers kept as text)."""

    origin: RowOrigin
    headers: list
    read: Callable[[list], pd.DataFrame]


# -------------------------------------------------------------------------------- reading
def _open(source: str | os.PathLike | pd.DataFrame, sheet: str | int | None) -> _Opened:
    if isinstance(source, pd.DataFrame):
        duplicated = source.columns[source.columns.duplicated()].unique().tolist()
        if duplicated:
            raise DataError(f"The DataFrame has more than one column named {duplicated[0]!r}.",
                            hint="Rename or drop the duplicates before loading it.")
        origin = RowOrigin("the DataFrame", None)
        _require_rows(source, origin)
        return _Opened(origin, list(source.columns), lambda _text: source)
    path = Path(os.fspath(source)).expanduser()
    shown = os.fspath(source)
    if not path.exists():
        raise DataFileError(f"No file at '{shown}'.", hint=_missing_file_hint(path))
    if path.is_dir():
        inside = sorted(p.name for p in path.iterdir()
                        if p.suffix.lower() in SUPPORTED_EXTENSIONS)[:5]
        found = f" It holds: {', '.join(inside)}." if inside else ""
        raise DataFileError(f"'{shown}' is a folder, not a data file.{found}",
                            hint="Pass the path of one CSV, XLSX or Parquet file.")
    kind = SUPPORTED_EXTENSIONS.get(path.suffix.lower())
    if kind is None:
        raise DataFileError(
            f"Cannot read '{shown}': files ending in '{path.suffix or '(no extension)'}' are "
            "not supported.",
            hint=f"Use one of {', '.join(SUPPORTED_EXTENSIONS)}; from Excel, save as .xlsx or "
                 "CSV.")
    if path.stat().st_size == 0:
        raise DataFileError(f"'{shown}' is empty: it has no header and no rows.",
                            hint="Export the report again with its data rows.")
    if kind == "csv":
        return _open_csv(path, shown)
    if kind == "excel":
        return _open_excel(path, shown, sheet)
    return _open_parquet(path, shown)


def _missing_file_hint(path: Path) -> str:
    parent = path.parent if str(path.parent) else Path(".")
    near: list[str] = []
    if parent.is_dir():
        names = [p.name for p in parent.iterdir()]
        near = difflib.get_close_matches(path.name, names, n=3, cutoff=0.6)
    if near:
        return f"Did you mean {' or '.join(repr(n) for n in near)}? They are in the same folder."
    return (f"Check the file name and folder; a relative path starts from the current folder "
            f"({Path.cwd()}).")


def _require_rows(frame: pd.DataFrame, origin: RowOrigin) -> None:
    if len(frame.columns) == 0:
        raise DataFileError(f"{origin.source} has no columns and no rows.",
                            hint="Check that it is the export you meant and that it has data.")
    if len(frame) == 0:
        raise DataFileError(f"{origin.source} has a header but no rows of data.",
                            hint="Export the report again with its data rows, or check filters "
                                 "that may have excluded every row.")


def _sniff_encoding(head: bytes, shown: str) -> str:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return "utf-16"
    signatures = {b"PK\x03\x04": "a zip archive (an Excel .xlsx workbook?)",
                  b"\xd0\xcf\x11\xe0": "an old Excel .xls workbook", b"PAR1": "a Parquet file"}
    for magic, what in signatures.items():
        if head.startswith(magic):
            raise DataFileError(f"'{shown}' is named like a CSV file but is {what}.",
                                hint="Rename it with its real extension, or export it as CSV.")
    if b"\x00" in head:
        raise DataFileError(f"'{shown}' is not a text file (it contains binary data).",
                            hint="Export the report as CSV (comma or semicolon separated).")
    try:
        codecs.getincrementaldecoder("utf-8")().decode(head, final=False)
        return "utf-8"
    except UnicodeDecodeError:
        for encoding in _FALLBACK_ENCODINGS:
            try:
                head.decode(encoding)
                return encoding
            except UnicodeDecodeError:
                continue
    return "latin-1"


def _sniff_delimiter(text: str, complete: bool) -> str:
    """The delimiter that splits the header into the most fields, consistently with the rows."""
    lines = [line for line in text.splitlines() if line.strip()]
    if not complete and len(lines) > 1:
        lines = lines[:-1]  # the sample may end mid-line
    lines = lines[:50]
    best, best_score = ",", (0, 0)
    for delimiter in _DELIMITERS:
        counts = [len(row) for row in csv.reader(lines, delimiter=delimiter)]
        if not counts or counts[0] < 2:
            continue
        score = (sum(c == counts[0] for c in counts), counts[0])
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _open_csv(path: Path, shown: str) -> _Opened:
    with path.open("rb") as handle:
        head = handle.read(_SNIFF_BYTES)
    encoding = _sniff_encoding(head, shown)
    decoder = codecs.getincrementaldecoder(encoding)(errors="replace")
    text = decoder.decode(head, final=len(head) < _SNIFF_BYTES)
    if not text.strip():
        raise DataFileError(f"'{shown}' is empty: it has no header and no rows.",
                            hint="Export the report again with its data rows.")
    delimiter = _sniff_delimiter(text, complete=len(head) < _SNIFF_BYTES)
    origin = RowOrigin(f"'{shown}'", 2)

    def read(text_headers: list, nrows: int | None = None) -> pd.DataFrame:
        encodings = [encoding, *(e for e in _FALLBACK_ENCODINGS if e != encoding)]
        for attempt, enc in enumerate(encodings):
            try:
                return pd.read_csv(path, sep=delimiter, encoding=enc, nrows=nrows,
                                   dtype={h: "str" for h in text_headers}, low_memory=False)
            except UnicodeDecodeError as err:
                if attempt == len(encodings) - 1 or encoding.startswith("utf-16"):
                    raise DataFileError(
                        f"'{shown}' could not be decoded as {enc} text ({err.reason}).",
                        hint="Save it again as CSV UTF-8 from Excel or your CRM.") from err
            except pd.errors.EmptyDataError as err:
                raise DataFileError(f"'{shown}' is empty: it has no header and no rows.",
                                    hint="Export the report again with its data rows.") from err
            except pd.errors.ParserError as err:
                detail = str(err).strip().splitlines()[-1]
                raise DataFileError(
                    f"'{shown}' could not be read as a table separated by {delimiter!r}: "
                    f"{detail}.",
                    hint="Check that every line has as many fields as the header and that "
                         "text containing the separator is in double quotes.") from err
        raise AssertionError("unreachable")

    # One row tells the headers and whether there is any data, before the full read.
    probe = read([], nrows=1)
    _require_rows(probe, origin)
    return _Opened(origin, list(probe.columns), read)


def _open_excel(path: Path, shown: str, sheet: str | int | None) -> _Opened:
    try:
        book = pd.ExcelFile(path, engine="openpyxl")
    except (zipfile.BadZipFile, KeyError, ValueError, OSError) as err:
        raise DataFileError(
            f"'{shown}' could not be opened as an Excel workbook ({err}).",
            hint="Open it in Excel and save it again as .xlsx without a password, or export "
                 "the data as CSV.") from err
    names = list(book.sheet_names)
    if sheet is None:
        chosen = names[0]
    elif isinstance(sheet, int) and not isinstance(sheet, bool):
        if not -len(names) <= sheet < len(names):
            raise DataFileError(
                f"'{shown}' has {len(names)} sheet(s), so there is no sheet number {sheet}.",
                hint=f"Sheets are numbered from 0: {_sheet_list(names)}.")
        chosen = names[sheet]
    elif str(sheet) in names:
        chosen = str(sheet)
    else:
        near = difflib.get_close_matches(str(sheet), names, n=1)
        guess = f" Did you mean {near[0]!r}?" if near else ""
        raise DataFileError(f"'{shown}' has no sheet named {sheet!r}.{guess}",
                            hint=f"Pass sheet= one of: {_sheet_list(names)}.")
    try:
        frame = pd.read_excel(book, sheet_name=chosen)
    except (ValueError, KeyError, OSError) as err:
        raise DataFileError(
            f"Sheet {chosen!r} of '{shown}' could not be read ({err}).",
            hint="Save the workbook again from Excel, or export it as CSV.") from err
    origin = RowOrigin(f"sheet '{chosen}' of '{shown}'", 2)
    _require_rows(frame, origin)
    return _Opened(origin, list(frame.columns), lambda _text: frame)


def _sheet_list(names: list[str]) -> str:
    return ", ".join(f"{i}: {n!r}" for i, n in enumerate(names))


def _open_parquet(path: Path, shown: str) -> _Opened:
    try:
        frame = pd.read_parquet(path)
    except (ValueError, OSError, TypeError) as err:  # pyarrow's ArrowInvalid is a ValueError
        raise DataFileError(f"'{shown}' could not be read as a Parquet file ({err}).",
                            hint="Write it again (e.g. DataFrame.to_parquet) or export CSV.") \
            from err
    origin = RowOrigin(f"'{shown}'", 1 if isinstance(frame.index, pd.RangeIndex) else None)
    _require_rows(frame, origin)
    return _Opened(origin, list(frame.columns), lambda _text: frame)


# ------------------------------------------------------------------------- column mapping
def _resolve_columns(headers: list, schema: TableSchema, mapping: Mapping[str, str] | None,
                     origin: RowOrigin) -> dict[str, object]:
    """Which header holds each canonical column: the explicit mapping first, then aliases."""
    chosen: dict[str, object] = {}
    for theirs, canonical in (mapping or {}).items():
        if canonical not in schema.names:
            near = difflib.get_close_matches(str(canonical), schema.names, n=1)
            guess = f" Did you mean {near[0]!r}?" if near else ""
            raise DataError(
                f"mapping sends {theirs!r} to {canonical!r}, which is not a column of the "
                f"{schema.name} table.{guess}",
                hint=f"Map onto one of: {', '.join(schema.names)}.")
        header = _find_header(theirs, headers)
        if header is None:
            near = difflib.get_close_matches(str(theirs), [str(h) for h in headers], n=3)
            found = f" Similar headers: {', '.join(map(repr, near))}." if near else ""
            raise MissingColumnsError(
                f"mapping names the header {theirs!r}, but {origin.source} has no such "
                f"column.{found}",
                hint="Use the header exactly as it appears in the file: "
                     f"{_header_list(headers)}.",
                missing=[str(theirs)], suggestions={str(theirs): near})
        if canonical in chosen:
            raise DataError(
                f"mapping sends both {chosen[canonical]!r} and {theirs!r} to {canonical!r}.",
                hint="Keep one of them in mapping; the other stays in the table unchanged.")
        chosen[canonical] = header
    used = set(chosen.values())
    for column in schema.columns:
        if column.name in chosen:
            continue
        candidates = [h for h in headers if h not in used and column.matches(str(h))]
        if len(candidates) > 1:
            exact = [h for h in candidates if str(h) == column.name]
            if len(exact) != 1:
                first, second = candidates[:2]
                raise DataError(
                    f"{origin.source} has two headers for column '{column.name}': "
                    f"{first!r} and {second!r}.",
                    hint=f'Say which one to use, e.g. mapping={{"{second}": "{column.name}"}}; '
                         "the other is kept as an extra column.")
            candidates = exact
        if candidates:
            chosen[column.name] = candidates[0]
            used.add(candidates[0])
    return chosen


def _find_header(theirs: object, headers: list) -> object | None:
    if theirs in headers:
        return theirs
    key = normalise_name(str(theirs))
    loose = [h for h in headers if normalise_name(str(h)) == key]
    return loose[0] if len(loose) == 1 else None


def _header_list(headers: list, limit: int = 25) -> str:
    shown = ", ".join(repr(str(h)) for h in headers[:limit])
    return shown + (f" and {len(headers) - limit} more" if len(headers) > limit else "")


def _suggest(column: Column, headers: list) -> list[str]:
    """Headers whose normalised name is close to the column's name or one of its aliases."""
    keys = {column.name, *(normalise_name(a) for a in column.aliases)}
    scored = []
    for header in headers:
        name = normalise_name(str(header))
        score = max(difflib.SequenceMatcher(None, name, key).ratio() for key in keys)
        if score >= 0.6:
            scored.append((-score, str(header)))
    return [header for _, header in sorted(scored)[:3]]


def _check_required(chosen: dict[str, object], headers: list, schema: TableSchema,
                    origin: RowOrigin) -> None:
    missing = [c for c in schema.columns if c.required and c.name not in chosen]
    if not missing:
        return
    free = [h for h in headers if h not in set(chosen.values())]
    suggestions = {c.name: _suggest(c, free) for c in missing}
    parts = []
    for column in missing:
        known = " or ".join(repr(a) for a in column.aliases[:2])
        near = suggestions[column.name]
        close = (f"closest headers in the file: {', '.join(map(repr, near))}" if near
                 else "no similar header in the file")
        parts.append(f"'{column.name}' ({column.description.lower()}; usually headed "
                     f"{known}; {close})")
    count = len(missing)
    example_header = next((s[0] for s in suggestions.values() if s), "Your Header")
    example_target = next((n for n, s in suggestions.items() if s), missing[0].name)
    raise MissingColumnsError(
        f"{origin.source} lacks {count} required column{'s' if count > 1 else ''} of the "
        f"{schema.name} table: {'; '.join(parts)}. Its headers are: {_header_list(headers)}.",
        hint=f"Tell the loader which header holds each one, e.g. "
             f'mapping={{"{example_header}": "{example_target}"}}.',
        missing=[c.name for c in missing], suggestions=suggestions)


# ------------------------------------------------------------------------------- coercion
def _coerce(column: Column, values: pd.Series, *, header: object, origin: RowOrigin,
            decimal: str, dayfirst: bool | None, key: str,
            numbers: Mapping[str, _Numbers]) -> pd.Series:
    shown = str(header)
    if column.kind in ("number", "integer"):
        return _number_column(numbers[column.name], column=column.name, header=shown,
                              origin=origin, decimal=decimal,
                              percent=column.name in _FRACTIONS,
                              integer=column.kind == "integer")
    if column.kind == "date":
        return coerce_date(values, column=column.name, header=shown, origin=origin,
                           dayfirst=dayfirst)
    if column.kind == "bool":
        true_words, false_words = _FLAG_WORDS.get(column.name, ((), ()))
        return coerce_bool(values, column=column.name, header=shown, origin=origin,
                           true_values=true_words, false_values=false_words)
    if column.kind == "id":
        return coerce_id(values, column=column.name, header=shown, origin=origin,
                         required=column.name == key)
    return coerce_text(values, column=column.name, header=shown, origin=origin)


def _derive_opportunity_fields(out: dict[str, pd.Series]) -> pd.Series:
    """Fill is_closed / is_won / cycle_days from the stage and dates; return ``outcome``."""
    stage = out["stage"].str.lower()
    won_word = stage.str.contains("won", regex=False)
    lost_word = stage.str.contains("lost", regex=False)
    closed_word = won_word | lost_word | stage.str.contains("closed", regex=False)
    if "is_closed" not in out:
        closed = closed_word.astype("boolean")
        if "is_won" in out:
            closed = closed | out["is_won"]  # a won deal is closed whatever its stage says
        out["is_closed"] = closed
    closed = out["is_closed"]
    if "is_won" not in out:
        # "Closed" with neither won nor lost stays unknown; open deals are not won.
        won = won_word.astype("boolean").mask(~won_word & ~lost_word, pd.NA)
        out["is_won"] = won.mask(closed.eq(False).fillna(False), False)
    else:
        is_open = closed.eq(False).fillna(False)
        out["is_won"] = out["is_won"].mask(is_open & out["is_won"].isna(), False)
    won = out["is_won"]
    if "cycle_days" not in out and "created_date" in out and "close_date" in out:
        days = (out["close_date"] - out["created_date"]).dt.days.astype("Int64")
        out["cycle_days"] = days.where(closed.eq(True).fillna(False))
    outcome = np.select(
        [won.eq(True).fillna(False).to_numpy(dtype=bool),
         (closed.eq(True) & won.eq(False)).fillna(False).to_numpy(dtype=bool),
         closed.eq(False).fillna(False).to_numpy(dtype=bool)],
        ["won", "lost", "open"], default="")
    return pd.Series(outcome, index=stage.index, dtype="string").replace("", pd.NA)


# --------------------------------------------------------------------------------- public
def load_table(source: str | os.PathLike | pd.DataFrame, table: str = "opportunities", *,
               mapping: Mapping[str, str] | None = None, sheet: str | int | None = None,
               dayfirst: bool | None = None, decimal: str | None = None) -> pd.DataFrame:
    """Read a CRM table and return it with canonical column names and types.

    Parameters
    ----------
    source
        A CSV (``,`` ``;`` tab or ``|`` separated; UTF-8, UTF-16 or Latin-1), XLSX or
        Parquet file, or a DataFrame (never modified).
    table
        ``"opportunities"``, ``"accounts"`` or ``"reps"`` (see :mod:`~salesops_nb.data.schema`).
    mapping
        ``{"Their Header": "canonical_name"}`` for headers the built-in CRM aliases do not
        recognise; applied before the aliases.
    sheet
        XLSX sheet name or 0-based number; the first sheet by default.
    dayfirst
        Whether "03/04/2025" means 3 April; ``None`` detects it and raises when the data
        cannot tell.
    decimal
        The decimal mark, ``"."`` or ``","``; ``None`` detects it from all number columns
        and raises when the data cannot tell (rules in :mod:`salesops_nb.data.coerce`).

    Returns
    -------
    pandas.DataFrame
        Canonical columns in schema order, then ``outcome`` (opportunities), then the
        source's other columns unchanged.

    Raises
    ------
    DataFileError
        Missing, empty, unreadable or unsupported file, or unknown sheet.
    MissingColumnsError
        Required columns not found (all of them, with similar headers suggested).
    ValueParseError
        Cells that cannot be read, with counts and example rows.

    Examples
    --------
    >>> deals = load_table("report.csv", mapping={"Deal Value": "amount"})  # doctest: +SKIP
    """
    schema = TABLES.get(table)
    if schema is None:
        raise DataError(f"There is no table called {table!r}.",
                        hint=f"Use one of: {', '.join(TABLES)}.")
    opened = _open(source, sheet)
    origin = opened.origin
    chosen = _resolve_columns(opened.headers, schema, mapping, origin)
    _check_required(chosen, opened.headers, schema, origin)
    raw = opened.read(list(chosen.values()))
    headers = {name: str(header) for name, header in chosen.items()}
    present = [c for c in schema.columns if c.name in chosen]
    # Split number text once: the decimal mark is decided across all number columns.
    numbers = {c.name: _prepare_numbers(raw[chosen[c.name]]) for c in present
               if c.kind in ("number", "integer")}
    if decimal is None:
        decimal = _decide_decimal(numbers, origin, headers)
    if dayfirst is None:
        dates = {c.name: raw[chosen[c.name]] for c in present if c.kind == "date"}
        dayfirst = detect_dayfirst(dates, origin=origin, headers=headers) if dates else None
    out = {c.name: _coerce(c, raw[chosen[c.name]], header=chosen[c.name], origin=origin,
                           decimal=decimal, dayfirst=dayfirst, key=schema.key, numbers=numbers)
           for c in present}
    derived: dict[str, pd.Series] = {}
    if schema.name == "opportunities":
        derived[_DERIVED] = _derive_opportunity_fields(out)
    columns = {name: out[name].array for name in schema.names if name in out}
    columns.update({name: values.array for name, values in derived.items()})
    used = set(chosen.values())
    for header in opened.headers:
        if header in used or _is_blank_filler(header, raw[header]):
            continue
        name = header
        while name in columns:  # e.g. an "amount" column left over after mapping another
            name = f"{name}_original"
        columns[name] = raw[header].array
    return pd.DataFrame(columns, index=raw.index)


def _is_blank_filler(header: object, values: pd.Series) -> bool:
    """A header-less, empty column, as a trailing separator or a spreadsheet margin makes."""
    return str(header).startswith("Unnamed: ") and bool(values.isna().all())


def load_opportunities(source: str | os.PathLike | pd.DataFrame | None = None, *,
                       sample_rows: int = 5000, seed: int = 7, **kwargs) -> pd.DataFrame:
    """Load opportunities from ``source``, or the built-in sample when it is ``None`` or "".

    Parameters
    ----------
    source
        Anything :func:`load_table` reads; ``None`` or ``""`` for the sample CRM.
    sample_rows, seed
        Size and seed of the sample (ignored for a real source).
    **kwargs
        ``mapping``, ``sheet``, ``dayfirst``, ``decimal``: see :func:`load_table`.

    Examples
    --------
    >>> deals = load_opportunities()  # doctest: +SKIP
    >>> deals["outcome"].value_counts()  # doctest: +SKIP
    """
    if source is None or (isinstance(source, str) and not source.strip()):
        from salesops_nb.data.sample import sample_opportunities

        source = sample_opportunities(rows=sample_rows, seed=seed)
    return load_table(source, "opportunities", **kwargs)
