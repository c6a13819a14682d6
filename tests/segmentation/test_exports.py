"""Exports: assignments without formula injection, the spec as JSON that reads back."""

from __future__ import annotations

import pandas as pd
import pytest

from salesops_nb.data.sample import generate_crm
from salesops_nb.errors import ParameterError
from salesops_nb.segmentation.analysis import analyse
from salesops_nb.segmentation.exports import assignments_table, export, neutralise, write_spec
from salesops_nb.segmentation.spec import SegmentationSpec

_HOSTILE = '=HYPERLINK("http://x","click")'


@pytest.fixture(scope="module")
def result():
    deals = generate_crm(3000, seed=5).opportunities.copy()
    first = deals["rep_name"].cat.categories[0]
    deals["rep_name"] = deals["rep_name"].cat.rename_categories({first: _HOSTILE})
    return analyse(deals, schemes=False)


def test_neutralise_prefixes_risky_text_and_leaves_numbers():
    frame = pd.DataFrame({"name": ["=1+1", "+33 1", "-x", "@SUM(A1)", "\tTab", "Ann", None],
                          "n": [-1.5, 2, 3, 4, 5, 6, 7]})
    out = neutralise(frame)
    assert out["name"].tolist()[:6] == ["'=1+1", "'+33 1", "'-x", "'@SUM(A1)", "'\tTab", "Ann"]
    assert out["name"].isna().iloc[-1]
    assert out["n"].tolist() == frame["n"].tolist()
    assert frame["name"].iloc[0] == "=1+1"  # the input is not changed


def test_export_writes_neutralised_csv_and_xlsx_and_the_spec(result, tmp_path):
    files = export(result, tmp_path / "out")
    assert {p.name for p in files.values()} == {
        "segmentation-assignments.csv", "segmentation-assignments.xlsx",
        "segmentation-spec.json"}
    for frame in (pd.read_csv(files["csv"]), pd.read_excel(files["xlsx"])):
        assert len(frame) == len(result.table)
        assert f"'{_HOSTILE}" in set(frame["rep_name"])
        assert not frame["rep_name"].astype(str).str.startswith("=").any()
        assert {"segment", "stratum", "outcome", "treatment"} <= set(frame.columns)
    spec = SegmentationSpec.model_validate_json(files["json"].read_text(encoding="utf-8"))
    assert spec == result.spec


def test_assignments_hold_one_row_per_entity_with_its_flag(result):
    table = assignments_table(result)
    assert table["rep_id"].is_unique and len(table) == len(result.table)
    assert list(table.columns[:2]) == ["rep_id", "rep_name"]
    assert set(table["outcome"]) <= {"good", "typical", "bad", "unrated"}


def test_formats_are_checked_and_can_be_chosen(result, tmp_path):
    with pytest.raises(ParameterError, match="pdf"):
        export(result, tmp_path, formats="csv,pdf")
    files = export(result, tmp_path, formats="json", stem="q3")
    assert list(files) == ["json"] and files["json"].name == "q3-spec.json"
    assert write_spec(result.spec, tmp_path / "s.json").exists()
