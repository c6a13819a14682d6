from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest

from salesops_nb.data.sample import generate_crm
from salesops_nb.errors import MissingColumnsError, ParameterError
from salesops_nb.segmentation.charts.comparison import (
    distribution_chart,
    funnel_chart,
    priority_chart,
)
from salesops_nb.segmentation.compare import OutcomeRule, compare
from salesops_nb.segmentation.entities import rep_table
from salesops_nb.segmentation.priorities import priorities


def _datasets(chart) -> list[list[dict]]:
    return list(chart.to_dict()["datasets"].values())  # to_dict also validates the spec


def _walk(spec, key):
    """Every value stored under ``key`` anywhere in a chart spec."""
    if isinstance(spec, dict):
        for k, v in spec.items():
            if k == key:
                yield v
            yield from _walk(v, key)
    elif isinstance(spec, list):
        for item in spec:
            yield from _walk(item, key)


@pytest.fixture(scope="module")
def result():
    reps = rep_table(generate_crm(5000, seed=7).opportunities)
    reps["segment"] = reps.team + " / " + reps.region
    return compare(reps, metrics=["win_rate",
                                  OutcomeRule(metric="avg_cycle_days", higher_is_better=False)])


def test_funnel_chart_panels_lines_and_points(result):
    chart = funnel_chart(result.entities)
    spec = chart.to_dict()
    assert len(spec["concat"]) == 12  # one panel per team x region segment
    assert spec["title"]["text"] == "Funnel plot of win rate"
    rows = sum(len(d) for d in _datasets(chart))
    assert rows < 12 * (4 * 160 + 30)  # limit lines and entities: aggregates only
    titles = {t for t in _walk(spec, "title") if isinstance(t, str)}
    assert {"Closed deals", "Win rate"} <= titles
    assert any(t.get("title") == "Shrunk estimate" for tips in _walk(spec, "tooltip")
               if isinstance(tips, list) for t in tips)


def test_funnel_chart_of_one_segment_has_a_legend(result):
    chart = funnel_chart(pl.from_pandas(result.entities), only="SMB / EMEA")
    spec = chart.to_dict()
    assert "layer" in spec and "concat" not in spec
    points = [d for d in _datasets(chart) if d and "flag" in d[0]]
    assert {p["segment"] for p in points[0]} == {"SMB / EMEA"}
    with pytest.raises(ParameterError, match="no segment 'Nowhere'"):
        funnel_chart(result.entities, only="Nowhere")


def test_distribution_chart_draws_quartiles_and_flagged_points(result):
    chart = distribution_chart(result)
    data = _datasets(chart)
    boxes = next(d for d in data if d and "q1" in d[0])
    points = next(d for d in data if d and "flag" in d[0])
    assert len(boxes) == 12
    assert {p["flag"] for p in points} == {"good", "bad"}
    bad = result.entities[result.entities.win_rate_flag == "bad"]
    assert len([p for p in points if p["flag"] == "bad"]) == len(bad)
    spec = chart.to_dict()
    assert "Win rate (shrunk toward the segment)" in set(
        t for t in _walk(spec, "title") if isinstance(t, str))
    everyone = distribution_chart(result, metric="avg_cycle_days", show="all",
                                  label="Average cycle (days)")
    points = next(d for d in _datasets(everyone) if d and "flag" in d[0])
    assert len(points) == result.entities.avg_cycle_days_basis.notna().sum()
    assert "Average cycle (days)" in set(
        t for t in _walk(everyone.to_dict(), "title") if isinstance(t, str))
    with pytest.raises(ParameterError, match="was not compared"):
        distribution_chart(result, metric="pipeline")


def test_priority_chart_shows_the_arithmetic(result):
    cells = result.entities.assign(stratum=result.entities.outcome)
    table = priorities(cells, treatments=[{"kind": "treatment", "name": "Standard"},
                                          {"stratum": "bad", "kind": "intervention",
                                           "name": "Coaching"}])
    chart = priority_chart(table, top=5)
    bars = next(d for d in _datasets(chart) if d and "impact" in d[0])
    assert len(bars) == 5
    assert [b["explanation"] for b in bars] == table.explanation.head(5).tolist()
    assert bars[0]["kind"] == table.treatment_kind.iloc[0]
    assert "Impact (deals-equivalent)" in set(
        t for t in _walk(chart.to_dict(), "title") if isinstance(t, str))
    plain = priority_chart(priorities(cells))  # without treatments: coloured by position
    assert "position" in _datasets(plain)[0][0]


def test_many_entities_are_thinned_keeping_the_flagged_ones():
    rng = np.random.default_rng(1)
    n = 9000
    closed = rng.integers(5, 200, n)
    reps = pd.DataFrame({"rep_id": [f"r{i}" for i in range(n)], "segment": "S",
                         "closed": closed, "won": rng.binomial(closed, 0.3)})
    reps["win_rate"] = reps.won / reps.closed
    result = compare(reps, metrics=["win_rate"])
    chart = funnel_chart(result.entities)
    points = next(d for d in _datasets(chart) if d and "flag" in d[0])
    outside = (result.entities.win_rate_funnel != "within").sum()
    assert len(points) <= 3000
    assert sum(p["flag"] != "within" for p in points) == outside
    assert "Showing 3,000 of 9,000" in chart.to_dict()["title"]["subtitle"]


def test_charts_refuse_raw_deals():
    deals = generate_crm(300, seed=1).opportunities
    with pytest.raises(MissingColumnsError, match="rate_table"):
        funnel_chart(deals)
    with pytest.raises(MissingColumnsError, match="priorities"):
        priority_chart(deals)


def test_too_many_segments_ask_for_one_at_a_time():
    reps = pd.DataFrame({"rep_id": [f"r{i}" for i in range(26)],
                         "segment": [f"s{i // 2:02d}" for i in range(26)],
                         "won": 5, "closed": 20})
    reps["win_rate"] = 0.25
    with pytest.raises(ParameterError, match="only='s00'"):
        funnel_chart(compare(reps, metrics=["win_rate"]).entities)
