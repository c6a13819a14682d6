from __future__ import annotations

import datetime as dt

import pytest

from salesops_nb.errors import WorkspaceError
from salesops_nb.five_whys.example import worked_example
from salesops_nb.five_whys.model import WhyAnalysis
from salesops_nb.five_whys.to_installments import (
    add_to_plan,
    follow_link,
    to_improvement_items,
)
from salesops_nb.installments.model import Capacity, InstallmentPlan
from salesops_nb.workspace import Workspace


def test_each_countermeasure_becomes_a_linked_item(deals):
    analysis = worked_example(deals)
    items = to_improvement_items(analysis, "referral-drop")
    roots = analysis.root_causes()
    assert [i.root_cause.node for i in items] == [r.id for r in roots]
    assert {i.root_cause.analysis for i in items} == {"referral-drop"}
    assert [i.title for i in items] == [r.countermeasures[0].action for r in roots]
    assert items[0].id == "referral-drop-c1" and "5-why" in items[0].tags
    assert roots[0].answer in items[0].problem


def test_the_link_survives_saving_and_loading_both_artefacts(deals, tmp_path):
    workspace = Workspace(tmp_path)
    analysis = worked_example(deals)
    workspace.save(analysis, "referral-drop")
    plan = add_to_plan(InstallmentPlan(), analysis, "referral-drop")
    workspace.save(plan, "main")

    loaded_plan = Workspace(tmp_path).load(InstallmentPlan, "main")
    assert loaded_plan == plan
    for item in loaded_plan.items:
        linked, node = follow_link(item, Workspace(tmp_path))
        assert linked == Workspace(tmp_path).load(WhyAnalysis, "referral-drop")
        assert node.root_cause and node.countermeasures[0].action == item.title


def test_adding_twice_keeps_the_planner_s_edits(deals):
    analysis = worked_example(deals)
    plan = add_to_plan(InstallmentPlan(), analysis, "main")
    sized = plan.with_items([plan.items[0].model_copy(update={"effort": 5.0}), *plan.items[1:]])
    again = add_to_plan(sized, analysis, "main")
    assert again is sized and again.items[0].effort == 5.0


def test_due_dates_become_deadline_periods_of_the_plan_calendar(chain):
    months = Capacity(period="month", start=dt.date(2026, 10, 1))
    quarters = Capacity(period="quarter", start=dt.date(2026, 7, 1))
    assert to_improvement_items(chain, "a", capacity=months)[0].deadline == 2  # 2026-12
    assert to_improvement_items(chain, "a", capacity=quarters)[0].deadline == 1  # Q4
    assert to_improvement_items(chain, "a")[0].deadline is None


def test_dropped_countermeasures_are_left_out(chain):
    dropped = chain.update_node("w5", countermeasures=[
        {**chain.node("w5").countermeasures[0].model_dump(), "status": "dropped"}])
    assert to_improvement_items(dropped, "a") == []
    assert len(to_improvement_items(dropped, "a", include_dropped=True)) == 1


def test_a_broken_link_says_what_happened(chain, tmp_path):
    workspace = Workspace(tmp_path)
    item = to_improvement_items(chain, "gone")[0]
    with pytest.raises(WorkspaceError, match="No five_whys artefact named 'gone'"):
        follow_link(item, workspace)
    workspace.save(chain.remove_node("w5"), "gone")
    with pytest.raises(WorkspaceError, match="no longer has that node"):
        follow_link(item, workspace)
    with pytest.raises(WorkspaceError, match="not linked"):
        follow_link(item.model_copy(update={"root_cause": None}), workspace)


def test_a_bad_analysis_name_is_refused(chain):
    with pytest.raises(WorkspaceError, match="not a valid artefact name"):
        to_improvement_items(chain, "../escape")
