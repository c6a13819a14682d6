"""The sequencer on known cases; explanations; the optimal baseline; input errors."""

from __future__ import annotations

import builtins
from datetime import date

import pytest

from salesops_nb.installments import (
    Capacity,
    DuplicateItemError,
    ImprovementItem,
    MissingCapacityError,
    SolverUnavailableError,
)
from salesops_nb.installments.example import generated_backlog
from salesops_nb.installments.explain import explain
from salesops_nb.installments.optimal import INSTALL_SOLVER, solve_optimal
from salesops_nb.installments.sequence import sequence

CAP = Capacity(start=date(2027, 1, 1), horizon=6, groups={"fs": 4})


def test_one_lane_follows_smiths_rule():
    # Value per period / duration: c (300) > a (200) > b (100); each takes the whole group.
    items = [ImprovementItem(id="a", title="A", value_per_period=400, duration=2,
                             change_load={"fs": 4}),
             ImprovementItem(id="b", title="B", value_per_period=100, change_load={"fs": 4}),
             ImprovementItem(id="c", title="C", value_per_period=300, change_load={"fs": 4})]
    schedule = sequence(items, CAP, score="cd3", search=0)
    assert schedule.starts == {"c": 0, "a": 1, "b": 3}
    # Delivered after 1, 3 and 4 periods of a 6-period horizon.
    assert schedule.value == 300 * 5 + 400 * 3 + 100 * 2


def test_an_enabler_with_no_value_of_its_own_goes_first_when_it_unlocks_value():
    items = [ImprovementItem(id="quick", title="Quick", value_per_period=100,
                             change_load={"fs": 4}),
             ImprovementItem(id="enabler", title="Enabler", value_per_period=0,
                             change_load={"fs": 4}),
             ImprovementItem(id="big", title="Big", value_per_period=1000,
                             change_load={"fs": 4}, depends_on=["enabler"])]
    starts = sequence(items, CAP).starts
    assert starts["enabler"] == 0 and starts["big"] == 1 and starts["quick"] == 2


def test_explanations_name_the_item_waited_for_and_the_group_at_capacity():
    items = [ImprovementItem(id="a", title="Alpha", value_per_period=500, change_load={"fs": 3}),
             ImprovementItem(id="b", title="Beta", value_per_period=400, change_load={"fs": 2}),
             ImprovementItem(id="c", title="Gamma", value_per_period=50, depends_on=["a"],
                             deadline=4)]
    schedule = sequence(items, CAP)
    why = explain(items, CAP, schedule).set_index("id")["why"]
    assert why["a"].startswith("Starts in the first period")
    assert "'fs' has no room in 2027-01 (3 of 4 units in use; this item needs 2)" in why["b"]
    assert "Waits for 'Alpha' (a), delivered at the end of 2027-01" in why["c"]
    assert "due by the end of 2027-05: on time with 3 periods to spare" in why["c"]


def test_input_mistakes_are_explained():
    with pytest.raises(DuplicateItemError, match="used more than once: 'a'"):
        sequence([ImprovementItem(id="a", title="A"), ImprovementItem(id="a", title="B")], CAP)
    with pytest.raises(MissingCapacityError, match="No change capacity is set for 'finance'"):
        sequence([ImprovementItem(id="a", title="A", change_load={"finance": 1})], CAP)


def test_the_optimal_baseline_proves_a_small_instance_and_the_heuristic_is_close():
    plan = generated_backlog(12, seed=3)
    best = solve_optimal(plan.items, plan.capacity, time_limit=20)
    heuristic = sequence(plan.items, plan.capacity)
    assert best.optimal is True and best.upper_bound == best.value
    assert heuristic.value <= best.value + 1e-6
    assert heuristic.value >= 0.95 * best.value


def test_without_ortools_the_solver_says_how_to_install_it(monkeypatch):
    real_import = builtins.__import__

    def no_ortools(name, *args, **kwargs):
        if name.startswith("ortools"):
            raise ImportError("No module named 'ortools'")
        return real_import(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_ortools)
    with pytest.raises(SolverUnavailableError) as caught:
        solve_optimal([ImprovementItem(id="a", title="A")], CAP)
    assert INSTALL_SOLVER in caught.value.hint
    assert INSTALL_SOLVER == 'pip install "salesops-nb[solver]"'


def test_a_thousand_items_are_sequenced_within_capacity():
    plan = generated_backlog(1000, seed=5)
    schedule = sequence(plan.items, plan.capacity)
    assert len(schedule.starts) == 1000 and schedule.value > 0
