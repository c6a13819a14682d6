from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from salesops_nb.errors import ParameterError
from salesops_nb.overview.charts import deal_size_chart, outcomes_chart, pipeline_chart
from salesops_nb.overview.pipeline import (
    deal_size_bins,
    deal_size_stats,
    outcomes_over_time,
    pipeline_by_stage,
)


def _datasets(chart) -> list[list[dict]]:
    return list(chart.to_dict()["datasets"].values())  # to_dict also validates the spec


@pytest.fixture
def many_deals() -> pd.DataFrame:
    rng = np.random.default_rng(5)
    n = 50_000
    return pd.DataFrame(
        {
            "stage": rng.choice(["Prospecting", "Proposal", "Closed Won", "Closed Lost"], n),
            "amount": rng.lognormal(10, 1.4, n),
            "close_date": pd.Timestamp("2023-01-01")
            + pd.to_timedelta(rng.integers(0, 800, n), unit="D"),
        }
    )


def test_charts_embed_only_aggregates(many_deals):
    charts = [
        pipeline_chart(pipeline_by_stage(many_deals)),
        outcomes_chart(outcomes_over_time(many_deals)),
        deal_size_chart(deal_size_bins(many_deals), deal_size_stats(many_deals)),
    ]
    for chart in charts:
        rows = sum(len(d) for d in _datasets(chart))
        assert 0 < rows < 200


def test_pipeline_chart_keeps_funnel_order_and_titles(deals):
    spec = pipeline_chart(pipeline_by_stage(deals), currency="€").to_dict()
    assert spec["title"]["text"] == "Pipeline by stage"
    sort = spec["hconcat"][0]["encoding"]["y"]["sort"]
    assert sort == ["Prospecting", "Negotiation", "Closed Won", "Closed Lost", "(missing)"]
    label = spec["hconcat"][1]["encoding"]["x"]["axis"]["labelExpr"]
    assert json.loads(label.split(" + format(")[0]) == "€"  # amounts labelled in euros


def test_currency_text_cannot_break_the_vega_expression(deals):
    spec = pipeline_chart(pipeline_by_stage(deals), currency="'\"); alert(1); //").to_dict()
    expr = spec["hconcat"][1]["encoding"]["x"]["axis"]["labelExpr"]
    # The symbol is one JSON string literal, then the format call.
    literal, rest = expr.split(" + format(", 1)
    assert json.loads(literal) == "'\"); alert(1); //"
    assert rest == "datum.value, '~s')"


def test_outcomes_chart_stacks_won_and_lost(deals):
    table = outcomes_over_time(deals)
    chart = outcomes_chart(table, measure="amount")
    bars = next(d for d in _datasets(chart) if "outcome" in d[0])
    assert len(bars) == 2 * len(table)
    won = {r["period"]: r["amount"] for r in bars if r["outcome"] == "won"}
    assert won["2024-04"] == 24000.0
    with pytest.raises(ParameterError):
        outcomes_chart(table, measure="profit")


def test_deal_size_chart_stacks_bands_and_marks_median(deals):
    bins = deal_size_bins(deals)
    chart = deal_size_chart(bins, deal_size_stats(deals))
    data = _datasets(chart)
    bars = next(d for d in data if "y1" in d[0])
    tops = pd.DataFrame(bars).groupby("bin_start")["y1"].max()
    assert tops.tolist() == bins["deals"].astype(float).tolist()
    marks = next(d for d in data if d and "name" in d[0])
    values = {m["name"]: m["value"] for m in marks}
    assert values == {"median": 12000.0, "p90": pytest.approx(184800.0)}


def test_charts_cope_with_empty_aggregates(deals):
    open_only = deals.iloc[[0, 5]]
    outcomes_chart(outcomes_over_time(open_only)).to_dict()
    nothing = deals.assign(amount=0.0)
    deal_size_chart(deal_size_bins(nothing), deal_size_stats(nothing)).to_dict()
