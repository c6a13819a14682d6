"""The improvement case end to end: built through the Python API, reported headless.

segmentation -> flagged segment -> 5-Why -> countermeasures -> installment plan -> charter KPI,
then the combined report run with papermill on the saved workspace (one kernel run).
"""

from __future__ import annotations

import datetime as dt
import html
import re

import pytest

from salesops_nb.case import OBJECTIVE, build_case
from salesops_nb.data.load import load_opportunities
from salesops_nb.data.sample import generate_crm
from salesops_nb.links import kpi_status
from salesops_nb.report import run_template
from salesops_nb.workspace import Workspace

TODAY = dt.date(2026, 11, 1)


@pytest.fixture(scope="module")
def deals():
    return load_opportunities()  # the template's default: the sample, 5000 deals, seed 7


@pytest.fixture(scope="module")
def case(deals, tmp_path_factory):
    return build_case(deals, today=TODAY).save(tmp_path_factory.mktemp("ws"))


@pytest.fixture(scope="module")
def report_html(case, tmp_path_factory):
    out = tmp_path_factory.mktemp("report")
    report = run_template("sales_ops_review", {"workspace_path": str(case.paths[
        "charter"].parent.parent)}, out_dir=out)
    return report.html.read_text(encoding="utf-8")


def test_the_case_follows_the_flagged_segment_to_the_plan_and_the_charter(case):
    ref = case.analysis.problem.source_segment
    assert (ref.segment, ref.stratum) == (case.segment, case.stratum)
    assert ref.gap > 0 and set(generate_crm().planted_underperformers) & set(ref.entities)
    roots = case.analysis.root_causes()
    assert len(roots) == 2 and all(n.countermeasures for n in roots)
    measures = [c for n in roots for c in n.countermeasures]
    assert [i.title for i in case.plan.items] == [c.action for c in measures]
    assert {i.root_cause.node for i in case.plan.items} == {n.id for n in roots}
    assert {i.objective.objective for i in case.plan.items} == {OBJECTIVE}
    assert set(case.plan.schedule.starts) == {i.id for i in case.plan.items}
    # the dependency holds: the proposal rule waits for the review cadence
    second = case.plan.items[1]
    first_end = case.plan.schedule.starts[second.depends_on[0]] + 1
    assert case.plan.schedule.starts[second.id] >= first_end
    linked = [k for o in case.charter.objectives for k in o.kpis if k.metric_ref]
    assert [k.metric_ref.segment for k in linked] == ["", case.segment]


def test_the_saved_case_reads_back_identically(case):
    workspace = Workspace(case.paths["charter"].parent.parent)
    for kind, artefact in case.artefacts.items():
        assert workspace.load(type(artefact), case.name) == artefact, kind


@pytest.mark.slow
def test_combined_report_names_segment_root_cause_installments_and_kpi_value(
        case, report_html, deals):
    text = html.unescape(report_html)  # nbconvert writes entities its own way
    assert case.segment in text and case.stratum in text
    for node in case.analysis.root_causes():
        assert node.answer in text
    for item in case.plan.items:
        assert item.title in text
        start = case.plan.capacity.period_label(case.plan.schedule.starts[item.id])
        assert start in text
    workspace = Workspace(case.paths["charter"].parent.parent)
    kpis = kpi_status(case.charter, deals, workspace, linked_only=True)
    for name, value in zip(kpis["kpi"], kpis["current"], strict=True):
        row = re.search(r"<tr><td>" + re.escape(name) + r"</td>(.*?)</tr>", text)
        cells = re.findall(r"<td[^>]*>(.*?)</td>", row.group(1))
        assert cells[3] == f"{value:g}"  # unit, baseline, target, *current*: from the data
    assert "Executive summary" in text and "What to do next" in text
    assert text.count("<svg") >= 5  # priority, 5-Why tree, roadmap, load, KPIs
    for code in ("open_review(", "import ", "display(HTML"):
        assert code not in text
