"""Scores with their arithmetic; boil-the-ocean detection and split."""

from __future__ import annotations

from datetime import date

import pytest

from salesops_nb.errors import ParameterError
from salesops_nb.installments import Capacity, ImprovementItem
from salesops_nb.installments.scores import explain_score, score
from salesops_nb.installments.split import oversized, parts_needed, split, split_in_backlog


def test_wsjf_cd3_and_rice_recompute_from_the_fields():
    item = ImprovementItem(id="a", title="A", business_value=8, time_criticality=5,
                           risk_reduction=3, effort=4, value_per_period=900, duration=3,
                           reach=200, impact=2, confidence=0.5)
    assert score(item) == 4.0
    assert score(item, "cd3") == 300.0
    assert score(item, "rice") == 200 * 2 * 0.5 / 4
    assert explain_score(item) == "WSJF = cost of delay (8 + 5 + 3) / effort 4 = 4"
    with pytest.raises(ParameterError, match="not a score method"):
        score(item, "moscow")


def test_wsjf_falls_back_to_the_value_when_no_cost_of_delay_part_is_given():
    item = ImprovementItem(id="a", title="A", value_per_period=600, effort=2)
    assert score(item) == 300
    assert "value per period 600" in explain_score(item)


def test_split_makes_a_chained_pilot_and_rollouts_that_fit():
    big = ImprovementItem(id="mm", title="New methodology", value_per_period=900, effort=6,
                          duration=2, change_load={"field sales": 9, "managers": 3},
                          depends_on=["x"], earliest_start=2, deadline=9)
    parts = split(big, 3)
    assert [p.id for p in parts] == ["mm-pilot", "mm-rollout-1", "mm-rollout-2"]
    assert [p.depends_on for p in parts] == [["x"], ["mm-pilot"], ["mm-rollout-1"]]
    assert sum(p.value_per_period for p in parts) == pytest.approx(900)
    assert sum(p.effort for p in parts) == pytest.approx(6)
    assert all(p.change_load == {"field sales": 3, "managers": 1} for p in parts)
    assert (parts[0].earliest_start, parts[-1].deadline, parts[0].deadline) == (2, 9, None)
    assert parts[0].title == "New methodology - pilot"


def test_split_in_backlog_rewires_dependents_to_the_last_rollout():
    items = [ImprovementItem(id="a", title="A", change_load={"fs": 8}),
             ImprovementItem(id="b", title="B", depends_on=["a"])]
    after = split_in_backlog(items, "a", 2)
    assert [i.id for i in after] == ["a-pilot", "a-rollout-1", "b"]
    assert after[-1].depends_on == ["a-rollout-1"]
    with pytest.raises(ParameterError, match="No item 'zz'"):
        split_in_backlog(items, "zz")
    with pytest.raises(ParameterError, match="at least 2 parts"):
        split(items[0], 1)


def test_oversized_names_item_group_load_and_capacity_including_delivery():
    items = [ImprovementItem(id="a", title="Overhaul", change_load={"fs": 10}, effort=9),
             ImprovementItem(id="b", title="Small", change_load={"fs": 2})]
    capacity = Capacity(start=date(2027, 1, 1), groups={"fs": 4}, delivery=3)
    found = oversized(items, capacity)
    assert [(o.item_id, o.group, o.load, o.capacity, o.parts) for o in found] == [
        ("a", "delivery team", 9.0, 3.0, 3), ("a", "fs", 10.0, 4.0, 3)]
    assert "'Overhaul' (a) asks 'fs' for 10 change units per period" in found[1].describe()
    assert parts_needed(4.5, 4) == 2 and parts_needed(12, 4) == 3
