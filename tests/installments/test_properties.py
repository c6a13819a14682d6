"""Property tests on random backlogs: schedules respect dependencies and every capacity;
infeasible inputs raise the explained errors."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesops_nb.installments import (
    BoilTheOceanError,
    Capacity,
    DeadlineError,
    DependencyCycleError,
    ImprovementItem,
    UnknownDependencyError,
)
from salesops_nb.installments.sequence import sequence
from salesops_nb.installments.split import oversized, split_in_backlog

GROUPS = ["field sales", "managers", "sales ops"]
SEARCH = 300  # local-search decodes: enough to move items around, few enough for 150 examples


@st.composite
def backlogs(draw, max_items=12, deadlines=False):
    caps = {g: float(draw(st.integers(1, 6))) for g in GROUPS[: draw(st.integers(1, 3))]}
    delivery = draw(st.one_of(st.none(), st.integers(2, 6).map(float)))
    n = draw(st.integers(1, max_items))
    items = []
    for i in range(n):
        touched = draw(st.lists(st.sampled_from(sorted(caps)), max_size=len(caps), unique=True))
        load = {g: draw(st.floats(0.5, caps[g]).map(lambda v: round(v * 2) / 2)) for g in touched}
        duration = draw(st.integers(1, 3))
        effort_cap = (delivery or 6.0) * duration
        deps = draw(st.lists(st.integers(0, i - 1), max_size=2, unique=True)) if i else []
        items.append(ImprovementItem(
            id=f"i{i}", title=f"Item {i}",
            value_per_period=draw(st.integers(0, 100)) * 10.0,
            duration=duration,
            effort=draw(st.floats(0.5, effort_cap)),
            change_load=load,
            depends_on=[f"i{d}" for d in deps],
            earliest_start=draw(st.one_of(st.none(), st.integers(0, 4))),
            deadline=draw(st.one_of(st.none(), st.integers(0, 12))) if deadlines else None,
        ))
    capacity = Capacity(start=date(2027, 1, 1), horizon=draw(st.integers(2, 12)), groups=caps,
                        delivery=delivery)
    return items, capacity


def assert_respects_everything(items, capacity, starts):
    by_id = {item.id: item for item in items}
    assert set(starts) == set(by_id)
    for item in items:
        start = starts[item.id]
        assert start >= (item.earliest_start or 0)
        for dep in item.depends_on:
            assert start >= starts[dep] + by_id[dep].duration, (item.id, dep)
        if item.deadline is not None:
            assert start + item.duration - 1 <= item.deadline
    last = max(starts[i.id] + i.duration for i in items)
    for period in range(last):
        running = [i for i in items if starts[i.id] <= period < starts[i.id] + i.duration]
        for group, cap in capacity.groups.items():
            assert sum(i.change_load.get(group, 0) for i in running) <= cap + 1e-9
        if capacity.delivery is not None:
            assert sum(i.effort_per_period for i in running) <= capacity.delivery + 1e-9


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(backlogs())
def test_every_schedule_respects_dependencies_and_all_capacities(backlog):
    items, capacity = backlog
    schedule = sequence(items, capacity, search=SEARCH)
    assert_respects_everything(items, capacity, schedule.starts)


@settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(backlogs(deadlines=True))
def test_deadlines_are_met_or_explained(backlog):
    items, capacity = backlog
    try:
        schedule = sequence(items, capacity, search=SEARCH)
    except DeadlineError as err:
        assert err.items and set(err.items) <= {i.id for i in items}
        assert "due by the end of" in err.message and err.hint
    else:
        assert_respects_everything(items, capacity, schedule.starts)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(backlogs(max_items=7))
def test_the_heuristic_never_beats_the_proven_optimum(backlog):
    from salesops_nb.installments.optimal import solve_optimal

    items, capacity = backlog
    heuristic = sequence(items, capacity)
    best = solve_optimal(items, capacity, time_limit=5, workers=1)
    assert_respects_everything(items, capacity, best.starts)
    if best.optimal:
        assert heuristic.value <= best.value + 1e-6


@settings(max_examples=60, deadline=None)
@given(backlogs(), st.data())
def test_a_dependency_cycle_is_named_in_order(backlog, data):
    items, capacity = backlog
    if len(items) < 2:
        items = [*items, ImprovementItem(id="extra", title="Extra")]
    # Close a loop: the first item now waits for a later one that (transitively) may wait for it.
    k = data.draw(st.integers(1, len(items) - 1))
    chain = items[: k + 1]
    looped = [item.model_copy(update={"depends_on": [chain[j + 1].id]})
              for j, item in enumerate(chain[:-1])]
    looped.append(chain[-1].model_copy(update={"depends_on": [chain[0].id]}))
    with pytest.raises(DependencyCycleError) as caught:
        sequence([*looped, *items[k + 1:]], capacity)
    cycle = caught.value.items
    by_id = {i.id: i for i in looped}
    for a, b in zip(cycle, [*cycle[1:], cycle[0]], strict=True):
        assert b in by_id[a].depends_on  # each named item waits for the next
    assert all(f"({i})" in caught.value.message for i in cycle)


@settings(max_examples=40, deadline=None)
@given(backlogs(), st.text(alphabet="xyz", min_size=3, max_size=6))
def test_unknown_dependency_ids_are_named(backlog, ghost):
    items, capacity = backlog
    broken = items[0].model_copy(update={"depends_on": [ghost]})
    with pytest.raises(UnknownDependencyError) as caught:
        sequence([broken, *items[1:]], capacity)
    assert caught.value.items == [ghost]
    assert repr(ghost) in caught.value.message and items[0].id in caught.value.message


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(backlogs(), st.integers(2, 4))
def test_boil_the_ocean_items_are_named_and_split_makes_them_fit(backlog, factor):
    items, capacity = backlog
    group = sorted(capacity.groups)[0]
    cap = capacity.groups[group]
    giant = items[0].model_copy(update={"change_load": {group: cap * factor - 0.25},
                                        "effort": 0.5})
    backlog_ = [giant, *items[1:]]
    with pytest.raises(BoilTheOceanError) as caught:
        sequence(backlog_, capacity)
    found = caught.value.oversized[0]
    assert (found.item_id, found.group, found.capacity) == (giant.id, group, cap)
    assert f"can absorb {cap:g}" in caught.value.message
    assert found.parts == factor
    pieces = split_in_backlog(backlog_, giant.id, found.parts)
    assert not oversized(pieces, capacity)
    assert_respects_everything(pieces, capacity, sequence(pieces, capacity, search=SEARCH).starts)


def test_a_deadline_behind_a_long_chain_names_the_chain():
    items = [
        ImprovementItem(id="a", title="Define stages", duration=3),
        ImprovementItem(id="b", title="Train reps", duration=2, depends_on=["a"]),
        ImprovementItem(id="c", title="New forecast call", duration=2, depends_on=["b"],
                        deadline=5),
    ]
    with pytest.raises(DeadlineError) as caught:
        sequence(items, Capacity(start=date(2027, 1, 1)))
    assert caught.value.items == ["a", "b", "c"]
    assert "due by the end of 2027-06" in caught.value.message
    assert "before the end of 2027-07" in caught.value.message
    assert "'Define stages' (a) (3 periods) -> 'Train reps' (b)" in caught.value.message


def test_a_deadline_broken_by_capacity_names_the_busy_group():
    busy = [ImprovementItem(id=f"b{k}", title=f"Busy {k}", value_per_period=1000, duration=2,
                            change_load={"field sales": 3}, deadline=1 + 2 * k)
            for k in range(3)]
    late = ImprovementItem(id="late", title="Late one", value_per_period=10,
                           change_load={"field sales": 2}, duration=2, deadline=3)
    capacity = Capacity(start=date(2027, 1, 1), groups={"field sales": 4})
    with pytest.raises(DeadlineError) as caught:
        sequence([*busy, late], capacity)
    assert "'field sales' has no room" in caught.value.message
