"""The data-overview template on a lazy engine: a DuckDB report from a canonical Parquet file.

One headless run (a kernel start costs seconds). The numbers the report shows must be those
pandas computes from the same file: the engine path is not just running, it is right.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pytest

from salesops_nb.data.sample import generate_crm
from salesops_nb.overview import data_quality, deal_size_stats, pipeline_by_stage
from salesops_nb.report import run_template

TODAY = "2025-06-30"


@pytest.fixture(scope="module")
def data_file(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("deals") / "deals.parquet"
    generate_crm(4321, seed=5).opportunities.to_parquet(path)
    return path


@pytest.fixture(scope="module")
def report_text(data_file, tmp_path_factory) -> str:
    out = tmp_path_factory.mktemp("report")
    report = run_template("data_overview", {"data_path": str(data_file), "engine": "duckdb",
                                            "as_of": TODAY}, out_dir=out, progress=False)
    return html.unescape(report.html.read_text(encoding="utf-8"))


def _cells(text: str) -> list[str]:
    return [re.sub(r"<[^>]+>", "", cell).strip()
            for cell in re.findall(r"<td[^>]*>(.*?)</td>", text, flags=re.S)]


def test_the_duckdb_report_shows_the_numbers_pandas_computes(report_text, data_file):
    deals = pd.read_parquet(data_file)
    cells = _cells(report_text)
    assert "Traceback" not in report_text and "Error" not in cells
    summary = data_quality(deals, today=TODAY).summary.set_index("check")["count"]
    future = summary["Won/lost deals closing in the future"]
    assert future > 0  # a real count, not zero by accident
    assert f"{future:,}" in cells and "4,321" in cells
    stats = deal_size_stats(deals).set_index("group")
    for field in ("median", "p90", "total"):
        assert f"${stats.loc['all deals', field]:,.0f}" in cells, field
    stages = pipeline_by_stage(deals).set_index("stage")
    won = stages.loc["Closed Won"]
    row = cells.index("Closed Won")
    assert cells[row + 1:row + 4] == ["won", f"{won['deals']:,}", f"${won['amount']:,.0f}"]
