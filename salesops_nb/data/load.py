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

import difflib
import os
from collections.abc import Mapping

import numpy as np
import pandas as pd

from salesops_nb.data.coerce import RowOrigin, coerce_bool, coerce_id, coerce_text
from salesops_nb.data.dates import coerce_date, detect_dayfirst
from salesops_nb.data.files import SUPPORTED_EXTENSIONS, open_source
from salesops_nb.data.numbers import _decide_decimal, _number_column, _Numbers, _prepare_numbers
from salesops_nb.data.schema import TABLES, Column, TableSchema, normalise_name
from salesops_nb.errors import DataError, MissingColumnsError

__all__ = ["SUPPORTED_EXTENSIONS", "load_opportunities", "load_table"]

_FRACTIONS = {"discount"}  # number columns where "15%" means 0.15
# Words that CRM exports put in flag columns, beyond yes/no/true/false/1/0.
_FLAG_WORDS: dict[str, tuple[tuple[str, ...], tuple[str, ...]]] = {
    "is_won": (("won", "closed won"), ("lost", "closed lost", "open")),
    "is_closed": (("closed", "closed won", "closed lost", "won", "lost"), ("open",)),
}
_DERIVED = "outcome"


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


def _layout_hint(source: object, sheet: object, headers: list) -> str:
    """Why the headers may be wrong: a title row above them, or the data on another sheet."""
    notes = []
    unnamed = sum(str(h).startswith("Unnamed:") for h in headers)
    if headers and unnamed >= len(headers) / 2:
        notes.append("Most headers are blank: the first row looks like a title or merged cells "
                     "above the real header row; delete the rows above the header (or export "
                     "the table alone) and load it again.")
    if sheet is None and isinstance(source, (str, os.PathLike)) and str(source).lower().endswith(
            (".xlsx", ".xlsm")):
        try:
            names = list(pd.ExcelFile(source, engine="openpyxl").sheet_names)
        except Exception:  # only a hint: the missing columns are the error
            names = []
        if len(names) > 1:
            others = ", ".join(repr(n) for n in names[1:])
            notes.append(f"The workbook has other sheets ({others}) and the first one, "
                         f"{names[0]!r}, was read; pass sheet= the one holding the deals, "
                         f"e.g. sheet={names[1]!r}.")
    return " ".join(notes)


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
    opened = open_source(source, sheet)
    origin = opened.origin
    chosen = _resolve_columns(opened.headers, schema, mapping, origin)
    try:
        _check_required(chosen, opened.headers, schema, origin)
    except MissingColumnsError as err:
        err.hint = " ".join(filter(None, [_layout_hint(source, sheet, opened.headers), err.hint]))
        raise
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
