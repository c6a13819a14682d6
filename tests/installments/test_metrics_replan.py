"""Value curve, saturation, the big bang (the worked example's argument) and re-planning."""

from __future__ import annotations

import pytest

from salesops_nb.errors import ParameterError
from salesops_nb.installments.metrics import big_bang, comparison_curves, saturation, value_curve
from salesops_nb.installments.replan import replan


def test_the_value_curve_ends_at_the_scheduled_value(example_plan):
    p = example_plan
    curve = value_curve(p.items, p.capacity, p.schedule)
    assert len(curve) == p.capacity.horizon
    assert curve["value_to_date"].iloc[-1] == pytest.approx(p.schedule.value)
    assert curve["run_rate"].is_monotonic_increasing
    assert curve["run_rate"].iloc[0] == 0  # nothing is delivered before the first period ends


def test_saturation_flags_near_and_over_and_counts_changes(example_plan):
    p = example_plan
    sat = saturation(p.items, p.capacity, p.schedule)
    assert (sat["ratio"] <= 1 + 1e-9).all()  # the plan stays within capacity
    at_cap = sat[(sat["group"] == "sales managers") & (sat["label"] == "2027-03")].iloc[0]
    assert (at_cap["load"], at_cap["capacity"], at_cap["status"]) == (4.0, 4.0, "near")
    assert at_cap["changes"] == 2  # pipeline review and the qualification checklist
    assert set(sat["status"]) <= {"ok", "near", "over", "idle"}


def test_the_worked_example_beats_the_big_bang_on_value_within_capacity(example_plan):
    p = example_plan
    bang = big_bang(p.items, p.capacity, p.schedule)
    sat = saturation(p.items, p.capacity, p.schedule)
    assert (sat["status"] != "over").all()
    assert bang.value_lost > 0.5 * bang.plan_value  # waiting costs more than half the value
    assert bang.plan_value == pytest.approx(p.schedule.value)
    worst = bang.worst
    assert worst["group"] == "field sales" and worst["ratio"] > 3  # 13 units against 4
    assert "3.2 times its capacity of 4" in bang.summary()
    curves = comparison_curves(p.items, p.capacity, p.schedule)
    final = curves.groupby("schedule")["value_to_date"].last()
    assert final["installment plan"] > final["big bang"]


def test_replanning_keeps_work_under_way_and_explains_what_moved(example_plan):
    p = example_plan
    tighter = p.capacity.model_copy(update={"groups": {**p.capacity.groups, "field sales": 3.0}})
    result = replan(p, capacity=tighter, as_of=2)
    assert result.capacity_changes == ["Capacity of 'field sales': 4 -> 3 per period."]
    diff = result.diff.set_index("id")
    for started in ("stage-defs", "crm-fields", "pipe-review"):
        assert diff.loc[started, "change"] == "under way"
        assert result.plan.schedule.starts[started] == p.schedule.starts[started]
    moved = result.moved[result.moved["change"].isin(["earlier", "later"])]
    assert not moved.empty
    assert moved["why"].str.contains("field sales").any()


def test_replanning_names_new_and_removed_items(example_plan):
    p = example_plan
    extra = p.items[0].model_copy(update={"id": "extra", "title": "Extra", "depends_on": []})
    new = [*p.items[:-1], extra]
    diff = replan(p, items=new).diff.set_index("id")
    assert diff.loc["win-loss", "change"] == "removed"
    assert diff.loc["extra", "change"] == "new"
    with pytest.raises(ParameterError, match="no schedule"):
        replan(p.model_copy(update={"schedule": None}))
