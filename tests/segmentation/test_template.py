"""The segmentation template, run headless once (nbval runs it too)."""

from __future__ import annotations

import re

import pandas as pd
import pytest

from salesops_nb.data.load import load_opportunities
from salesops_nb.data.sample import generate_crm
from salesops_nb.report import run_template
from salesops_nb.segmentation.spec import SegmentationSpec
from salesops_nb.templates import get_template


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    out = tmp_path_factory.mktemp("segmentation") / "out"
    spec_path = out.parent / "ws" / "segmentation" / "main.json"  # none saved: the default
    result = run_template("segmentation", {"spec_path": str(spec_path)},
                          out_dir=out)
    return result, out


@pytest.fixture(scope="module")
def duckdb_report(tmp_path_factory):
    """The same report on DuckDB, from a canonical Parquet file scanned lazily."""
    pytest.importorskip("duckdb")
    folder = tmp_path_factory.mktemp("segmentation-duckdb")
    data = folder / "deals.parquet"
    load_opportunities(None, sample_rows=5000, seed=7).to_parquet(data)
    spec_path = folder / "ws" / "segmentation" / "main.json"
    result = run_template("segmentation", {"data_path": str(data), "engine": "duckdb",
                                           "spec_path": str(spec_path)},
                          out_dir=folder / "out", progress=False)
    return result, folder / "out"


def _section(text: str, start: str, end: str) -> str:
    return text[text.index(start):text.index(end, text.index(start))]


@pytest.mark.slow
def test_the_report_names_the_planted_underperformers_as_bad(report):
    result, _ = report
    text = result.html.read_text(encoding="utf-8")
    bad = _section(text, "Flagged bad within their segment", "Flagged good within their")
    planted = generate_crm(5000, seed=7).planted_underperformers
    assert planted
    for rep_id in planted:
        assert rep_id in bad
    good = _section(text, "Flagged good within their segment", "Funnel plot")
    assert not any(rep_id in good for rep_id in planted)


@pytest.mark.slow
def test_the_duckdb_report_names_the_planted_underperformers_as_the_pandas_one_does(
        report, duckdb_report):
    result, out = duckdb_report
    text = result.html.read_text(encoding="utf-8")
    bad = _section(text, "Flagged bad within their segment", "Flagged good within their")
    planted = generate_crm(5000, seed=7).planted_underperformers
    for rep_id in planted:
        assert rep_id in bad
    good = _section(text, "Flagged good within their segment", "Funnel plot")
    assert not any(rep_id in good for rep_id in planted)
    # The same assignments as the pandas report, and the same quality verdicts.
    ours = pd.read_csv(out / "segmentation-assignments.csv").sort_values("rep_id")
    theirs = pd.read_csv(report[1] / "segmentation-assignments.csv").sort_values("rep_id")
    pd.testing.assert_frame_equal(ours.reset_index(drop=True), theirs.reset_index(drop=True))
    assert "The segments explain 48% of the variation in win_rate" in text


@pytest.mark.slow
def test_the_quality_section_reports_coverage_min_size_and_eta_squared(report):
    result, _ = report
    text = result.html.read_text(encoding="utf-8")
    quality = _section(text, "2. Quality of the segmentation", "Scheme comparison")
    for measure in ("coverage", "smallest segment", "eta squared"):
        assert re.search(rf">\s*{measure}\s*<", quality), measure
    assert "Good coverage: 100% of rows fall in a named segment." in quality
    assert "The segments explain 48% of the variation in win_rate" in quality
    assert "<svg" in text and "cdn" not in text.lower()


@pytest.mark.slow
def test_the_report_writes_the_exports_next_to_it(report):
    _, out = report
    table = pd.read_csv(out / "segmentation-assignments.csv")
    assert len(table) == 66 and {"segment", "stratum", "outcome"} <= set(table.columns)
    spec = SegmentationSpec.model_validate_json(
        (out / "segmentation-spec.json").read_text(encoding="utf-8"))
    assert spec.is_fitted and spec.entity == "reps"
    assert (out / "segmentation-assignments.xlsx").exists()


def test_the_template_is_registered_with_order_20_and_typed_parameters():
    template = get_template("segmentation")
    assert template.order == 20
    names = {p.name for p in template.parameters}
    assert {"data_path", "engine", "spark_master", "entity", "spec_path", "metric", "outcome",
            "period_column", "min_segment_size", "interactive", "sample_rows", "seed"} <= names
