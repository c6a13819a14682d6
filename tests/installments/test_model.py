"""The plan model: defaults, validation, calendar labels, workspace round trip."""

from __future__ import annotations

from datetime import date

import pydantic
import pytest

from salesops_nb.installments import Capacity, ImprovementItem, InstallmentPlan, RootCauseRef
from salesops_nb.workspace import Workspace, locate


def test_an_item_from_a_countermeasure_needs_only_id_title_and_the_root_cause():
    item = ImprovementItem(id="cm-1", title="Stage exit criteria", problem="Forecast misses",
                           root_cause=RootCauseRef(analysis="forecast-miss", node="n4"))
    assert item.root_cause.analysis == "forecast-miss"
    assert (item.duration, item.effort, item.change_load, item.depends_on) == (1, 1.0, {}, [])


def test_zero_loads_are_dropped_and_dependencies_deduplicated():
    item = ImprovementItem(id="a", title="A", change_load={"fs": 0, " mgr ": 2},
                           depends_on=["b", "b", " c "])
    assert item.change_load == {"mgr": 2.0}
    assert item.depends_on == ["b", "c"]
    assert item.most_affected_group == "mgr"


@pytest.mark.parametrize("bad", [{"duration": 0}, {"effort": 0}, {"change_load": {"fs": -1}},
                                 {"value_per_period": float("nan")}, {"confidence": 2}])
def test_impossible_numbers_are_refused(bad):
    with pytest.raises(pydantic.ValidationError):
        ImprovementItem(id="a", title="A", **bad)


def test_period_labels_and_starts_follow_the_calendar():
    months = Capacity(period="month", start=date(2026, 11, 1))
    assert [months.period_label(k) for k in (0, 1, 2)] == ["2026-11", "2026-12", "2027-01"]
    quarters = Capacity(period="quarter", start=date(2027, 4, 1))
    assert quarters.period_label(3) == "2028 Q1"
    assert quarters.period_start(3) == date(2028, 1, 1)
    sprints = Capacity(period="sprint", start=date(2027, 1, 4), sprint_weeks=2)
    assert sprints.period_label(1) == "S2 (2027-01-18)"


def test_a_plan_saves_and_loads_through_the_workspace(tmp_path, example_plan):
    ws, name = locate(tmp_path / "installments" / "main.json", InstallmentPlan)
    ws.save(example_plan, name)
    again = Workspace(tmp_path).load(InstallmentPlan, "main")
    assert again == example_plan
    assert again.schedule.starts == example_plan.schedule.starts
