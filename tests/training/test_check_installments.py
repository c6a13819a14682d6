"""check.installments: the planner's own checks (oversize, capacity, dependencies) as feedback."""

from __future__ import annotations

import pytest

from salesops_nb import installments as inst
from salesops_nb.training import check


@pytest.fixture
def plan() -> inst.InstallmentPlan:
    return inst.worked_example()


def _with_item(plan, index, **changes):
    items = list(plan.items)
    items[index] = items[index].model_copy(update=changes)
    return plan.model_copy(update={"items": items, "schedule": None})


def test_the_worked_plan_passes_and_compares_with_a_big_bang(plan):
    feedback = check.installments(plan)
    assert feedback.passed, str(feedback)
    assert feedback.notes[-1].text == (
        "10 installments fit the change capacity (peak 100%) and are all delivered by "
        "2027-10; they bring $718,000 within the horizon, against $214,000 for a big bang.")
    assert feedback.topics("tip") == {"link"}


def test_an_item_too_big_for_a_group_says_how_many_installments(plan):
    feedback = check.installments(_with_item(plan, 0, change_load={"field sales": 9}))
    assert feedback.topics("fix") == {"oversized"}
    assert feedback.fixes[0].text == (
        "'Write stage exit criteria' (stage-defs) asks 'field sales' for 9 change units per "
        "period, but 'field sales' can absorb 4: cut it in at least 3 installments.")
    assert "installments.split(plan.item('stage-defs'), 3)" in feedback.fixes[0].hint


def test_a_single_item_is_a_big_bang(plan):
    feedback = check.installments(plan.model_copy(update={"items": plan.items[:1]}))
    assert feedback.topics("fix") == {"one item"}


def test_a_group_without_capacity_and_a_cycle_come_from_the_sequencer(plan):
    missing = check.installments(_with_item(plan, 0, change_load={"legal": 1}))
    assert missing.topics("fix") == {"MissingCapacityError"}
    assert missing.fixes[0].text.startswith("No change capacity is set for 'legal'")
    cycle = check.installments(_with_item(plan, 0, depends_on=["win-loss"]))
    assert cycle.topics("fix") == {"DependencyCycleError"}
    assert "Dependency cycle" in cycle.fixes[0].text


def test_an_item_worth_nothing_and_one_loading_nobody(plan):
    feedback = check.installments(_with_item(plan, 3, value_per_period=0, change_load={}))
    assert feedback.topics("fix") == {"no value"}
    assert "no load" in feedback.topics("tip")
    assert feedback.fixes[0].text == (
        "Item 'Pipeline hygiene dashboard' (hygiene-dash) has no value per period.")


def test_an_empty_backlog():
    feedback = check.installments(inst.InstallmentPlan())
    assert feedback.messages == ["The backlog is empty."]
