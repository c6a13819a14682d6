"""`salesops-nb demo` and `salesops-nb run data_overview` end to end, on real files."""

from __future__ import annotations

import html
import re

import pytest

from salesops_nb.cli import main
from salesops_nb.data.sample import generate_crm, write_sample
from salesops_nb.five_whys.model import WhyAnalysis
from salesops_nb.status import workspace_status
from salesops_nb.templates import list_templates
from salesops_nb.workspace import Workspace

pytestmark = pytest.mark.slow

# How a Salesforce opportunity report names the canonical columns.
SALESFORCE_HEADERS = {
    "opportunity_id": "Opportunity ID",
    "opportunity_name": "Opportunity Name",
    "account_name": "Account Name",
    "rep_name": "Opportunity Owner",
    "stage": "Stage",
    "amount": "Amount",
    "created_date": "Created Date",
    "close_date": "Close Date",
    "is_won": "Won",
    "is_closed": "Closed",
    "lead_source": "Lead Source",
}


def _svg_charts(html: str) -> int:
    return len(re.findall(r"<svg\b", html))


def test_demo_writes_an_index_and_one_report_per_template(tmp_path, capsys):
    workspace = tmp_path / "ws"
    # 2,000 deals: enough reps for several peers per team x region segment
    assert main(["demo", "--workspace", str(workspace), "--rows", "2000", "--no-progress"]) == 0
    out = capsys.readouterr().out
    index = workspace / "reports" / "index.html"
    assert str(index) in out and "jupyter lab" in out
    bundled = [t for t in list_templates() if t.source == "bundled"]
    page = index.read_text()
    for template in bundled:
        report = workspace / "reports" / f"{template.name}.html"
        assert report.exists()
        assert f'href="{template.name}.html"' in page
        assert _svg_charts(report.read_text()) >= 1
    assert (workspace / "data" / "opportunities.csv").exists()
    # the improvement case is saved, linked, and the combined report shows it
    status = workspace_status(workspace)
    assert [a.kind for a in status.artefacts] == ["segmentation", "five_whys", "installments",
                                                  "charter"]
    assert status.links and not status.broken
    analysis = Workspace(workspace).load(WhyAnalysis, "main")
    review = html.unescape((workspace / "reports" / "sales_ops_review.html").read_text())
    assert analysis.problem.source_segment.segment in review
    assert analysis.root_causes()[0].answer in review
    assert "built on" not in review  # the saved case, not a stand-in


@pytest.fixture(scope="module")
def sample_files(tmp_path_factory):
    folder = tmp_path_factory.mktemp("exports")
    crm = generate_crm(600, seed=11)
    files = {
        fmt: write_sample(crm, folder / fmt, fmt)["opportunities"]
        for fmt in ("csv", "xlsx", "parquet")
    }
    salesforce = crm.opportunities.rename(columns=SALESFORCE_HEADERS)
    salesforce = salesforce[list(SALESFORCE_HEADERS.values())]
    files["salesforce"] = folder / "salesforce_report.csv"
    salesforce.to_csv(files["salesforce"], index=False)
    return files


@pytest.mark.parametrize("kind", ["csv", "xlsx", "parquet", "salesforce"])
def test_run_data_overview_on_each_input(sample_files, tmp_path, capsys, kind):
    out = tmp_path / "out"
    code = main(
        [
            "run",
            "data_overview",
            "--data",
            str(sample_files[kind]),
            "--out",
            str(out),
            "--no-progress",
        ]
    )
    assert code == 0, capsys.readouterr().err
    html = (out / "data_overview.html").read_text()
    assert _svg_charts(html) >= 3
    assert "600" in html  # the row count of the input appears in the quality summary
    assert (out / "data_overview.ipynb").exists()


def test_a_second_demo_keeps_the_case_already_in_the_workspace(tmp_path, monkeypatch):
    import salesops_nb.case
    import salesops_nb.report
    from salesops_nb.demo import run_demo
    from salesops_nb.report import Report

    edited = tmp_path / "ws" / "charter" / "main.json"
    edited.parent.mkdir(parents=True)
    edited.write_text('{"an analyst": "edited this"}')

    def never(*args, **kwargs):
        raise AssertionError("the case must not be rebuilt over saved work")

    def fake_run(path, parameters, *, out_dir, output_name):
        html = out_dir / f"{output_name}.html"
        out_dir.mkdir(parents=True, exist_ok=True)
        html.write_text("<svg></svg>")
        return Report(template=output_name, notebook=html.with_suffix(".ipynb"), html=html)

    monkeypatch.setattr(salesops_nb.case, "build_case", never)
    monkeypatch.setattr(salesops_nb.report, "run_template", fake_run)
    result = run_demo(tmp_path / "ws", rows=300, progress=False)
    assert result.case_kept and "never overwrites" in result.summary()
    assert edited.read_text() == '{"an analyst": "edited this"}'
