"""Charts: the data each chart carries, and how over-capacity cells are marked."""

from __future__ import annotations

import pandas as pd

from salesops_nb.installments.charts import (
    MAX_ROADMAP_ITEMS,
    load_heatmap,
    roadmap,
    value_curve_chart,
)
from salesops_nb.installments.example import generated_backlog
from salesops_nb.installments.metrics import comparison_curves, saturation
from salesops_nb.installments.replan import replan
from salesops_nb.installments.sequence import sequence_plan


def _datasets(chart) -> list[pd.DataFrame]:
    spec = chart.to_dict()
    return [pd.DataFrame(rows) for rows in spec["datasets"].values()]


def test_the_roadmap_has_a_bar_per_item_coloured_by_the_most_affected_group(example_plan):
    p = example_plan
    bars = next(d for d in _datasets(roadmap(p.items, p.capacity, p.schedule)) if "item" in d)
    assert len(bars) == len(p.items)
    row = bars[bars["item"] == "Deal qualification checklist (deal-qual)"].iloc[0]
    assert row["group"] == "field sales"  # 3 units, more than its 1 for managers
    assert row["begin"].startswith("2027-04-01") and row["finish"].startswith("2027-06-01")
    assert "could start in 2027-02" in row["why"]


def test_a_long_roadmap_is_cut_and_says_so():
    plan = sequence_plan(generated_backlog(80, seed=2), search=0)
    chart = roadmap(plan.items, plan.capacity, plan.schedule)
    bars = next(d for d in _datasets(chart) if "item" in d)
    assert len(bars) == MAX_ROADMAP_ITEMS
    assert f"first {MAX_ROADMAP_ITEMS} of 80 items" in str(chart.to_dict()["title"])


def test_the_heatmap_marks_over_capacity_cells(example_plan):
    p = example_plan
    # Two items under way in 2027-02 load field sales 2 + 2 units when its capacity is cut to 3.
    cut = p.capacity.model_copy(update={"groups": {**p.capacity.groups, "field sales": 3.0}})
    after = replan(p, capacity=cut, as_of=2).plan
    sat = saturation(after.items, after.capacity, after.schedule)
    over = sat[sat["status"] == "over"]
    assert list(over["group"].unique()) == ["field sales"] and (over["label"] == "2027-02").any()
    spec = load_heatmap(sat).to_dict()
    flagged = next(layer for layer in spec["layer"] if "stroke" in layer["encoding"])
    assert flagged["encoding"]["stroke"]["scale"]["domain"] == ["over", "near"]
    assert (pd.DataFrame(next(iter(spec["datasets"].values())))["status"] == "over").any()


def test_the_value_chart_compares_plan_big_bang_and_optimum(example_plan):
    p = example_plan
    curves = comparison_curves(p.items, p.capacity, p.schedule, p.schedule)
    data = _datasets(value_curve_chart(curves))[0]
    assert set(data["schedule"]) == {"installment plan", "optimum", "big bang"}
    assert len(data) == 3 * p.capacity.horizon
