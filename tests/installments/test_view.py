"""The planner widget, driven in code: edit rows, capacities, sequence, split, autosave."""

from __future__ import annotations

import pytest

from salesops_nb.installments import InstallmentPlan
from salesops_nb.installments.example import worked_example
from salesops_nb.views.installments import InstallmentPlanner, format_loads, parse_loads
from salesops_nb.workspace import Workspace


@pytest.fixture
def planner(tmp_path):
    return InstallmentPlanner(path=tmp_path / "ws" / "installments" / "main.json")


def saved(tmp_path) -> InstallmentPlan:
    return Workspace(tmp_path / "ws").load(InstallmentPlan, "main")


def test_loads_text_round_trips_and_bad_text_is_named():
    assert parse_loads("field sales: 3, sales ops:2.5") == {"field sales": 3, "sales ops": 2.5}
    assert format_loads({"a": 1.0, "b": 2.5}) == "a: 1, b: 2.5"
    with pytest.raises(ValueError, match="'field sales 3' is not 'group: number'"):
        parse_loads("field sales 3")


def test_a_new_planner_starts_from_the_worked_example_and_saves_on_first_change(planner,
                                                                                 tmp_path):
    assert [i.id for i in planner.plan.items] == [i.id for i in worked_example().items]
    planner._rows[0]["value"].value = 7500
    assert saved(tmp_path).items[0].value_per_period == 7500
    assert "Saved to" in planner.status.value


def test_rows_edit_add_delete_and_pick_dependencies(planner, tmp_path):
    planner.add_button.click()
    row = planner._rows[-1]
    assert row["id"].value == "item-11"
    assert "stage-defs" in row["depends"].allowed_tags
    row["title"].value = "Quota <script>"
    row["loads"].value = "field sales: 1, sales ops: 1"
    row["depends"].value = ["crm-fields"]
    row["deadline"].value = "10"
    item = saved(tmp_path).item("item-11")
    assert (item.title, item.change_load, item.depends_on, item.deadline) == (
        "Quota <script>", {"field sales": 1, "sales ops": 1}, ["crm-fields"], 10)
    row["loads"].value = "field sales three"
    assert "not saved" in planner.status.value
    assert saved(tmp_path).item("item-11").change_load == {"field sales": 1, "sales ops": 1}
    # Renaming an item keeps the dependencies that point to it.
    planner._rows[0]["id"].value = "stages"
    assert saved(tmp_path).item("crm-fields").depends_on == ["stages"]
    # Deleting removes the row and every dependency on it.
    index = [i.id for i in planner.plan.items].index("crm-fields")
    planner._rows[index]["delete"].click()
    after = saved(tmp_path)
    assert "crm-fields" not in [i.id for i in after.items]
    assert all("crm-fields" not in i.depends_on for i in after.items)


def test_sequence_shows_roadmap_heatmap_explanations_and_big_bang(planner, tmp_path):
    planner.sequence_button.click()
    plan = saved(tmp_path)
    assert plan.schedule is not None and plan.schedule.value > 0
    assert planner.roadmap.value.startswith("<svg") and "Roadmap" in planner.roadmap.value
    assert "Change load against capacity" in planner.heatmap.value
    assert "Waits for" in planner.explanations.value
    assert "Big bang instead?" in planner.explanations.value


def test_capacity_edits_are_saved_and_clear_the_schedule(planner, tmp_path):
    planner.sequence_button.click()
    box = next(b for b in planner.groups_box.children if b.description == "field sales")
    box.value = 6
    planner.horizon.value = 18
    plan = saved(tmp_path)
    assert plan.capacity.groups["field sales"] == 6 and plan.capacity.horizon == 18
    assert plan.schedule is None
    planner.new_group.value = "legal"
    planner.add_group_button.click()
    assert saved(tmp_path).capacity.groups["legal"] == 1


def test_an_oversized_item_is_explained_and_split_with_one_action(planner, tmp_path):
    index = [i.id for i in planner.plan.items].index("deal-qual")
    planner._rows[index]["loads"].value = "field sales: 10, sales managers: 1"
    planner.sequence_button.click()
    assert "Boil-the-ocean" in planner.status.value
    assert "can absorb 4" in planner.status.value
    assert planner.split_item.value == "deal-qual" and planner.split_parts.value == 3
    planner.split_button.click()
    ids = [i.id for i in saved(tmp_path).items]
    assert {"deal-qual-pilot", "deal-qual-rollout-1", "deal-qual-rollout-2"} <= set(ids)
    assert planner.split_button.disabled
    planner.sequence_button.click()
    assert saved(tmp_path).schedule is not None


def test_a_saved_plan_is_reopened_as_it_was(planner, tmp_path):
    planner.sequence_button.click()
    again = InstallmentPlanner(path=tmp_path / "ws" / "installments" / "main.json")
    assert again.plan == planner.plan
    assert again.roadmap.value.startswith("<svg")
