"""A report made from a million deals is about the size of one made from ten thousand.

Everything a template plots or tables is aggregated before it reaches pandas or altair, so the
HTML does not grow with the data. Each report template that reads deals (``data_path``) runs
headless on a 10,000-deal Parquet file and on a 1,000,000-deal one (a hundred times more,
affordable in a test run: about 20 s per template); the larger report must stay within 1.5x
of the smaller one's size.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from salesops_nb.data.sample import generate_crm
from salesops_nb.report import run_template

pytestmark = pytest.mark.slow

SMALL, LARGE = 10_000, 1_000_000
MAX_RATIO = 1.5
#: Templates whose report is made from the deals file.
TEMPLATES = ["data_overview", "segmentation"]


@pytest.fixture(scope="module")
def data_files(tmp_path_factory) -> dict[int, Path]:
    folder = tmp_path_factory.mktemp("deals")
    files = {}
    for rows in (SMALL, LARGE):
        path = folder / f"deals_{rows}.parquet"
        generate_crm(rows, seed=7).opportunities.to_parquet(path)
        files[rows] = path
    return files


@pytest.mark.parametrize("template", TEMPLATES)
def test_report_size_does_not_grow_with_the_data(template, data_files, tmp_path):
    sizes = {}
    for rows, path in data_files.items():
        report = run_template(template, {"data_path": str(path)},
                              out_dir=tmp_path / str(rows), progress=False)
        sizes[rows] = report.html.stat().st_size
    ratio = sizes[LARGE] / sizes[SMALL]
    assert ratio < MAX_RATIO, (
        f"{template}: {sizes[LARGE]:,} bytes from {LARGE:,} deals against {sizes[SMALL]:,} "
        f"from {SMALL:,} (x{ratio:.2f}): something is plotted or tabled row by row")
    # Both reports really read their file: the larger one counts a million deals.
    html = (tmp_path / str(LARGE) / f"{template}.html").read_text(encoding="utf-8")
    assert "1,000,000" in html or "1000000" in html
