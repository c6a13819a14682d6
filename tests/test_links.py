"""Cross-links: created from domain results, followed in the workspace, broken ones reported."""

from __future__ import annotations

import datetime as dt
import json

import pytest

from salesops_nb.case import OBJECTIVE, build_case
from salesops_nb.charter.model import Charter, Kpi, MetricRef
from salesops_nb.data.load import load_opportunities
from salesops_nb.five_whys.model import WhyAnalysis
from salesops_nb.installments.model import ImprovementItem, InstallmentPlan
from salesops_nb.links import (
    LinkError,
    broken_links,
    flagged_cells,
    follow_objective,
    kpi_status,
    metric_value,
    problem_from_segment,
    serve_objective,
    workspace_links,
)
from salesops_nb.workspace import Workspace

TODAY = dt.date(2026, 11, 1)


@pytest.fixture(scope="module")
def deals():
    return load_opportunities()


@pytest.fixture(scope="module")
def case(deals):
    return build_case(deals, today=TODAY)


@pytest.fixture
def workspace(case, tmp_path):
    ws = Workspace(tmp_path / "ws")
    case.save(ws)
    return ws


def test_problem_from_a_flagged_cell_carries_the_gap_computed_from_the_data(case):
    result = case.segmentation
    cell = flagged_cells(result, n=1).iloc[0]
    analysis = problem_from_segment(result, cell["segment"], cell["stratum"], segmentation="q3")
    ref = analysis.problem.source_segment
    assert (ref.segmentation, ref.segment, ref.stratum) == ("q3", cell["segment"], cell["stratum"])
    assert ref.value == pytest.approx(cell["value"]) and ref.gap == pytest.approx(cell["gap"])
    assert ref.benchmark - ref.value == pytest.approx(ref.gap)
    members = result.table[(result.table["segment"] == cell["segment"])
                           & (result.table["stratum"] == cell["stratum"])]
    assert sorted(ref.entities) == sorted(members[result.key])
    assert f"{cell['value']:.1%}" in analysis.problem.how_big
    assert cell["segment"] in analysis.problem.where
    # blameless: the statement counts people, it does not name them
    names = members[result.name_column]
    assert not any(name in analysis.problem.statement() for name in names)


def test_the_flagged_cell_of_the_sample_holds_a_planted_underperformer(case):
    from salesops_nb.data.sample import generate_crm

    planted = set(generate_crm().planted_underperformers)
    assert planted & set(case.analysis.problem.source_segment.entities)


def test_whole_segment_problem_is_compared_with_all_segments(case):
    result = case.segmentation
    segment = case.segment
    analysis = problem_from_segment(result, segment)
    row = result.profile.set_index("segment").loc[segment]
    assert analysis.problem.source_segment.value == pytest.approx(row["win_rate"])
    overall = result.profile["won"].sum() / result.profile["closed"].sum()
    assert analysis.problem.source_segment.benchmark == pytest.approx(overall)


def test_unknown_segment_or_stratum_is_a_teaching_error(case):
    with pytest.raises(LinkError, match="Atlantis") as caught:
        problem_from_segment(case.segmentation, "Atlantis")
    assert case.segment in caught.value.hint
    with pytest.raises(LinkError, match="no stratum"):
        problem_from_segment(case.segmentation, case.segment, "middle-ish")


def test_every_link_of_the_case_can_be_followed(case, workspace):
    links = workspace_links(workspace)
    kinds = sorted({(link.source_kind, link.target_kind) for link in links})
    assert kinds == [("charter", "segmentation"), ("five_whys", "segmentation"),
                     ("installments", "charter"), ("installments", "five_whys")]
    assert all(link.ok for link in links)
    assert len(links) == 1 + 1 + 2 * len(case.plan.items)
    charter, objective = follow_objective(case.plan.items[0], workspace)
    assert objective.library_id == OBJECTIVE and charter.title == case.charter.title


def test_a_deleted_analysis_leaves_broken_links_reported_not_raised(case, workspace):
    workspace.delete(WhyAnalysis, case.name)
    broken = broken_links(workspace)
    assert len(broken) == len(case.plan.items)
    assert all(link.target_kind == "five_whys" and "deleted or renamed" in link.problem
               for link in broken)
    assert "installments/main item main-c1 -> five_whys/main node" in broken[0].describe()


def test_changed_targets_break_their_links(case, workspace):
    analysis = case.analysis.mark_root_cause(case.plan.items[0].root_cause.node, root=False)
    workspace.save(analysis, case.name)
    charter = case.charter.model_copy(update={"objectives": case.charter.objectives[1:]})
    workspace.save(charter, case.name)
    problems = {link.problem for link in broken_links(workspace)}
    assert any("no longer marked as a root cause" in p for p in problems)
    assert any(f"no objective {OBJECTIVE!r}" in p for p in problems)
    with pytest.raises(LinkError, match="no such objective"):
        follow_objective(case.plan.items[0], workspace)


def test_a_damaged_target_is_a_broken_link(case, workspace):
    (workspace.root / "segmentation" / "main.json").write_text("{not json", encoding="utf-8")
    broken = broken_links(workspace)
    assert {link.source_kind for link in broken} == {"five_whys", "charter"}
    assert all("cannot be read" in link.problem for link in broken)


def test_linked_kpis_are_measured_on_the_data(case, workspace, deals):
    table = kpi_status(case.charter, deals, workspace, linked_only=True)
    assert len(table) == 2
    overall = deals["is_won"][deals["is_closed"]].mean()
    assert table.loc[0, "current"] == pytest.approx(round(100 * overall, 1))
    ref = case.analysis.problem.source_segment
    assert table.loc[1, "current"] == pytest.approx(round(100 * ref.value, 1), abs=0.05)
    assert table.loc[1, "measured_on"].startswith(f"{ref.segment}, {ref.stratum}")
    assert set(table["status"]) == {"not moved yet"}  # measured on the data it was set from


def test_kpi_progress_words(workspace, deals):
    def status(baseline, target, direction="increase"):
        kpi = Kpi(name="k", unit="%", baseline=baseline, target=target, direction=direction,
                  metric_ref=MetricRef(metric="win_rate"))
        from salesops_nb.charter.model import Objective

        charter = Charter(objectives=[Objective(title="o", kpis=[kpi])])
        return kpi_status(charter, deals, workspace).loc[0, "status"]

    rate = 100 * deals["is_won"][deals["is_closed"]].mean()
    assert status(rate - 5, rate - 1) == "target met"
    assert status(rate - 5, rate + 5) == "improving"
    assert status(rate + 1, rate + 5) == "behind baseline"
    assert status(rate + 5, rate - 1, "decrease") == "improving"
    assert status(rate - 2, rate - 4, "decrease") == "behind baseline"


def test_a_kpi_linked_to_a_missing_segment_reports_instead_of_raising(workspace, deals):
    from salesops_nb.charter.model import Objective

    kpi = Kpi(name="k", metric_ref=MetricRef(segment="Atlantis"))
    charter = Charter(objectives=[Objective(title="o", kpis=[kpi])])
    row = kpi_status(charter, deals, workspace).loc[0]
    assert row["current"] is None and row["status"].startswith("broken link")
    kpi = Kpi(name="k", metric_ref=MetricRef(segment="x", segmentation="gone"))
    charter = Charter(objectives=[Objective(title="o", kpis=[kpi])])
    assert "not in" in kpi_status(charter, deals, workspace).loc[0, "status"]
    with pytest.raises(LinkError, match="not computed from data"):
        metric_value(MetricRef(metric="happiness"), deals)


def test_serve_objective_returns_linked_copies():
    items = [ImprovementItem(id="a", title="A")]
    linked = serve_objective(items, "main", "raise-win-rate")
    assert items[0].objective is None
    assert linked[0].objective.charter == "main"


def test_files_written_before_the_links_still_load(workspace, case):
    plan_file = workspace.root / "installments" / "main.json"
    envelope = json.loads(plan_file.read_text())
    for item in envelope["data"]["items"]:
        del item["objective"]
    plan_file.write_text(json.dumps(envelope))
    assert workspace.load(InstallmentPlan, "main").items[0].objective is None
    why_file = workspace.root / "five_whys" / "main.json"
    envelope = json.loads(why_file.read_text())
    del envelope["data"]["problem"]["source_segment"]
    why_file.write_text(json.dumps(envelope))
    assert workspace.load(WhyAnalysis, "main").problem.source_segment is None
