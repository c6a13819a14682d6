"""Open a CRM export: CSV (delimiter and encoding sniffed), XLSX, Parquet, or a DataFrame.

:func:`open_source` reads just enough to know the headers; ``Opened.read(text_columns)`` then
reads the table with the given columns kept as raw text for the coercers. Anything that stops a
file from being read raises a :class:`~salesops_nb.errors.DataFileError` naming the file and
saying how to fix it.
"""

from __future__ import annotations

import codecs
import csv
import difflib
import os
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from salesops_nb.data.coerce import RowOrigin
from salesops_nb.errors import DataError, DataFileError

__all__ = ["SUPPORTED_EXTENSIONS", "Opened", "open_source"]

SUPPORTED_EXTENSIONS: dict[str, str] = {
    ".csv": "csv", ".tsv": "csv", ".txt": "csv",
    ".xlsx": "excel", ".xlsm": "excel",
    ".parquet": "parquet", ".pq": "parquet",
}
_DELIMITERS = (",", ";", "\t", "|")
_SNIFF_BYTES = 64 * 1024
_FALLBACK_ENCODINGS = ("cp1252", "latin-1")  # Excel on Windows writes cp1252; latin-1 never fails

@dataclass
class Opened:
    """A source whose headers are known; ``read`` gets the frame (text headers kept as text)."""

    origin: RowOrigin
    headers: list
    read: Callable[[list], pd.DataFrame]


# -------------------------------------------------------------------------------- reading
def open_source(source: str | os.PathLike | pd.DataFrame, sheet: str | int | None) -> Opened:
    if isinstance(source, pd.DataFrame):
        duplicated = source.columns[source.columns.duplicated()].unique().tolist()
        if duplicated:
            raise DataError(f"The DataFrame has more than one column named {duplicated[0]!r}.",
                            hint="Rename or drop the duplicates before loading it.")
        origin = RowOrigin("the DataFrame", None)
        _require_rows(source, origin)
        return Opened(origin, list(source.columns), lambda _text: source)
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


def _open_csv(path: Path, shown: str) -> Opened:
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
    return Opened(origin, list(probe.columns), read)


def _open_excel(path: Path, shown: str, sheet: str | int | None) -> Opened:
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
    return Opened(origin, list(frame.columns), lambda _text: frame)


def _sheet_list(names: list[str]) -> str:
    return ", ".join(f"{i}: {n!r}" for i, n in enumerate(names))


def _open_parquet(path: Path, shown: str) -> Opened:
    try:
        frame = pd.read_parquet(path)
    except (ValueError, OSError, TypeError) as err:  # pyarrow's ArrowInvalid is a ValueError
        raise DataFileError(f"'{shown}' could not be read as a Parquet file ({err}).",
                            hint="Write it again (e.g. DataFrame.to_parquet) or export CSV.") \
            from err
    origin = RowOrigin(f"'{shown}'", 1 if isinstance(frame.index, pd.RangeIndex) else None)
    _require_rows(frame, origin)
    return Opened(origin, list(frame.columns), lambda _text: frame)
