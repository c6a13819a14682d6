"""Structure charts: built from aggregates, titled, with tooltips; they render offline."""

from __future__ import annotations

import altair as alt
import pandas as pd
import pytest
import vl_convert as vlc

from salesops_nb.data.sample import generate_crm
from salesops_nb.errors import ParameterError
from salesops_nb.segmentation.bandings import pareto_curve
from salesops_nb.segmentation.charts.structure import (
    migration_chart,
    pareto_chart,
    segment_sizes_chart,
    segment_stratum_heatmap,
)
from salesops_nb.segmentation.engine import assign, profile
from salesops_nb.segmentation.quality import migration
from salesops_nb.segmentation.spec import SegmentationSpec
from salesops_nb.segmentation.spec_parts import Banding, Stratification


@pytest.fixture(scope="module")
def assigned():
    deals = generate_crm(6000, seed=2).opportunities
    spec = SegmentationSpec(bandings=[Banding(name="size", field="amount", method="abc")],
                            strata=Stratification(metric="discount", higher_is_better=False))
    return spec, deals, assign(deals, spec)


def _spec_of(chart: alt.TopLevelMixin) -> dict:
    spec = chart.to_dict()
    svg = vlc.vegalite_to_svg(spec)
    assert "<svg" in svg
    return spec


def _datasets_rows(spec: dict) -> int:
    return sum(len(rows) for rows in spec.get("datasets", {}).values())


def test_segment_sizes(assigned):
    spec, _, frame = assigned
    chart = segment_sizes_chart(profile(frame, spec=spec), entity="deals")
    data = _spec_of(chart)
    assert data["title"]["text"] == "Segment sizes"
    assert "Deals" in str(data["layer"][0]["encoding"]["x"]["title"])
    assert "tooltip" in data["layer"][0]["encoding"]
    assert _datasets_rows(data) <= 4


def test_pareto_curve_chart_has_cut_lines(assigned):
    _, deals, _ = assigned
    chart = pareto_chart(pareto_curve(deals, "amount"), field="amount", entity="deals")
    data = _spec_of(chart)
    assert _datasets_rows(data) <= 250
    assert "A up to 80%" in str(data) and "B up to 95%" in str(data)
    assert data["layer"][0]["encoding"]["x"]["axis"]["format"] == ".0%"


def test_heatmap_by_count_and_rate(assigned):
    spec, _, frame = assigned
    table = profile(frame, spec=spec, by=["segment", "stratum"])
    for value in ("count", "win_rate"):
        data = _spec_of(segment_stratum_heatmap(table, value=value))
        assert "by segment and stratum" in data["title"]["text"]
    with pytest.raises(ParameterError, match="'amount'"):
        segment_stratum_heatmap(table, value="amount")


def test_migration_chart():
    before = pd.DataFrame({"id": list("abcd"), "segment": ["X", "X", "Y", "Y"]})
    after = pd.DataFrame({"id": list("abcd"), "segment": ["X", "Y", "Y", "Y"]})
    data = _spec_of(migration_chart(migration(before, after, key="id").counts,
                                    entity="accounts"))
    assert data["title"]["text"] == "Migration between periods"
    assert _datasets_rows(data) == 3


def test_charts_refuse_raw_rows(assigned):
    _, deals, _ = assigned
    with pytest.raises(ParameterError, match="count"):
        segment_sizes_chart(deals)
