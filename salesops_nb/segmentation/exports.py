"""Exports of a segmentation: the assignments (CSV, XLSX) and the spec (JSON).

The assignments go to people who open them in a spreadsheet, and their text came from a CRM:
a value such as ``=HYPERLINK(...)`` or ``@SUM(...)`` in a rep or account name would run as a
formula. Every text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return is
therefore prefixed with an apostrophe (the usual neutralisation; numbers stay numbers).

The spec is written as plain JSON (``SegmentationSpec.model_validate_json`` reads it back
losslessly, fitted edges included), so it can be reviewed, versioned or copied into another
workspace.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING

import narwhals as nw
import pandas as pd

from salesops_nb.errors import ParameterError, ReportError
from salesops_nb.segmentation.spec import SegmentationSpec

if TYPE_CHECKING:
    from salesops_nb.segmentation.analysis import SegmentationAnalysis

__all__ = ["FORMATS", "assignments_table", "export", "neutralise", "write_spec"]

FORMATS = ("csv", "xlsx", "json")
_RISKY = r"^[=+\-@\t\r]"


def neutralise(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells cannot run as spreadsheet formulas.

    Text starting with ``= + - @``, tab or carriage return gets a leading apostrophe (column
    names too); other values (numbers, dates, missing) are unchanged. Vectorised per column.

    Examples
    --------
    >>> neutralise(pd.DataFrame({"name": ["=1+1", "Ann"], "n": [-1, 2]}))["name"].tolist()
    ["'=1+1", 'Ann']
    """
    out = frame.copy()
    # Column names become the header row: a data column named "=cmd" must not run either.
    names = pd.Series([str(c) for c in out.columns], dtype=object)
    out.columns = names.where(~names.str.contains(_RISKY, regex=True), "'" + names)
    for column in out.columns:
        values = out[column]
        if not (pd.api.types.is_object_dtype(values) or pd.api.types.is_string_dtype(values)
                or isinstance(values.dtype, pd.CategoricalDtype)):
            continue
        text = values.astype("string")
        risky = text.str.contains(_RISKY, regex=True, na=False).to_numpy(dtype=bool)
        if risky.any():
            fixed = values.astype(object).copy()
            fixed[risky] = "'" + text[risky].astype(object)
            out[column] = fixed
    return out


def assignments_table(result: SegmentationAnalysis) -> pd.DataFrame:
    """One row per entity: id, name, attributes, segment, stratum, metric, flag, treatment.

    For deals kept on an engine (``result.complete`` False) these are the flagged deals the
    report shows; :func:`export` writes every deal's assignment from the engine instead.
    """
    columns, names = _assignment_columns(result, list(result.table.columns))
    return result.table[columns].rename(columns=names).reset_index(drop=True)


def _assignment_columns(result: SegmentationAnalysis,
                        present: list[str]) -> tuple[list[str], dict[str, str]]:
    m = result.metric
    wanted = [result.key, result.name_column, *_attributes(result), "segment", "stratum",
              m, f"{m}_basis", f"{m}_percentile", f"{m}_z", f"{m}_flag", "deals", "closed",
              "won", "treatment", "treatment_kind"]
    columns = [c for c in dict.fromkeys(wanted) if c and c in present]
    return columns, {f"{m}_basis": f"{m}_compared", f"{m}_flag": "outcome"}


def _write_on_engine(result: SegmentationAnalysis, path: Path) -> Path:
    """Every deal's assignment, written to Parquet by the engine that holds the deals."""
    frame = nw.from_native(result.entities)
    columns, names = _assignment_columns(result, frame.collect_schema().names())
    frame.select(nw.col(c).alias(names.get(c, c)) for c in columns).sink_parquet(str(path))
    return path


def write_spec(spec: SegmentationSpec, path: str | Path) -> Path:
    """Write ``spec`` as indented JSON to ``path``; returns the path."""
    target = Path(path)
    try:
        target.write_text(spec.model_dump_json(indent=2) + "\n", encoding="utf-8")
    except OSError as err:
        raise ReportError(f"Cannot write the spec to {target}: {err.strerror}.",
                          hint="Choose a folder you can write to.") from err
    return target


def export(result: SegmentationAnalysis, folder: str | Path = ".", *,
           formats: str | Iterable[str] = FORMATS, stem: str = "segmentation") -> dict[str, Path]:
    """Write the assignments (CSV/XLSX, neutralised) and the spec (JSON) into ``folder``.

    Parameters
    ----------
    result
        The analysis (:func:`~salesops_nb.segmentation.analysis.analyse`).
    folder
        Where to write (created if needed).
    formats
        Any of "csv", "xlsx", "json", as a list or a comma-separated string.
    stem
        File name stem: ``<stem>-assignments.csv``, ``.xlsx`` and ``<stem>-spec.json``.

    Returns
    -------
    dict
        Format -> path written. For deals kept on an engine (a deal-level analysis on
        DuckDB, Spark or Polars lazy), CSV and XLSX hold the flagged deals the report shows
        (``<stem>-flagged.csv``, ``.xlsx``: a spreadsheet cannot hold millions of rows) and
        every deal's assignment is written by the engine to ``<stem>-assignments.parquet``
        (key "parquet"; Spark writes a folder of that name).
    """
    chosen = _formats(formats)
    target = Path(folder)
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ReportError(f"Cannot create the export folder {target}: {err.strerror}.",
                          hint="Choose a folder you can write to.") from err
    safe = neutralise(assignments_table(result))
    # Deals kept on an engine: the spreadsheets hold the flagged deals shown, Parquet all.
    rows = "assignments" if result.complete else "flagged"
    written: dict[str, Path] = {}
    try:
        if not result.complete and ("csv" in chosen or "xlsx" in chosen):
            written["parquet"] = _write_on_engine(result, target / f"{stem}-assignments.parquet")
        if "csv" in chosen:
            written["csv"] = target / f"{stem}-{rows}.csv"
            # CRLF rows (RFC 4180): with pandas' bare "\n", a text cell holding a lone "\r"
            # is left unquoted, and a spreadsheet splits the row there, so the text after the
            # "\r" starts a new line, where it can run as a formula.
            safe.to_csv(written["csv"], index=False, lineterminator="\r\n")
        if "xlsx" in chosen:
            written["xlsx"] = target / f"{stem}-{rows}.xlsx"
            safe.to_excel(written["xlsx"], index=False, sheet_name=rows)
    except OSError as err:
        raise ReportError(f"Cannot write the assignments into {target}: {err.strerror}.",
                          hint="Close the file if a spreadsheet has it open, or choose "
                               "another folder.") from err
    if "json" in chosen:
        written["json"] = write_spec(result.spec, target / f"{stem}-spec.json")
    return written


def _formats(formats: str | Iterable[str]) -> list[str]:
    items = formats.split(",") if isinstance(formats, str) else list(formats)
    chosen = [f.strip().lower().lstrip(".") for f in items if f and f.strip()]
    unknown = [f for f in chosen if f not in FORMATS]
    if unknown:
        raise ParameterError(f"Unknown export format(s): {', '.join(unknown)}.",
                             hint=f"Choose among {', '.join(FORMATS)}, e.g. 'csv,json'.")
    return chosen


def _attributes(result: SegmentationAnalysis) -> list[str]:
    """The spec's categorical fields (team, region ...) and banded fields, as context."""
    spec = result.spec
    fields = [c.field for r in spec.rules for c in r.when] + [b.field for b in spec.bandings]
    fields += [b.name for b in spec.bandings] + [m.name for m in spec.matrices]
    return list(dict.fromkeys(fields))
