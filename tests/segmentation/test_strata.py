"""Strata by selection (``_strata``) equal the rank-based definition, ties and gaps included."""

from __future__ import annotations

import narwhals as nw
import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesops_nb import backends
from salesops_nb.segmentation import _strata
from salesops_nb.segmentation.engine import assign, stratum_expr, within_percentile_expr
from salesops_nb.segmentation.spec import SegmentationSpec
from salesops_nb.segmentation.spec_parts import Banding, Condition, Rule, Stratification

GROUPS = ["a", "b", "c", None]


def rank_strata(frame: pd.DataFrame, strata: Stratification, by: list[str]) -> list[str]:
    """The definition: mid-rank position within the group, cut at i / count (grouped rank)."""
    data = nw.from_native(frame)
    position = within_percentile_expr(strata.metric, data, by=by,
                                      higher_is_better=strata.higher_is_better)
    return data.with_columns(stratum_expr(strata, data, position=position))["stratum"].to_list()


def selected_strata(frame: pd.DataFrame, strata: Stratification, by: list[str]) -> list[str]:
    codes = _strata.pandas_strata(frame, strata.metric, by, strata.count,
                                  higher_is_better=strata.higher_is_better)
    assert codes is not None
    labels = [*strata.stratum_labels(), strata.unknown_label]
    return _strata.pandas_labels(codes, labels, frame.index).tolist()


# Heavy ties: values from a handful of numbers, a fifth of them missing (None or NaN).
values = st.lists(
    st.one_of(st.sampled_from([0.0, -0.0, 1.0, 2.5, 7.0, float("inf")]),
              st.integers(-3, 3).map(float), st.none(), st.just(float("nan"))),
    min_size=0, max_size=60,
)


@settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(data=st.data(), count=st.integers(2, 20), higher=st.booleans())
def test_selection_equals_the_grouped_rank(data, count, higher):
    metric = data.draw(values)
    n = len(metric)
    frame = pd.DataFrame({
        "g": data.draw(st.lists(st.sampled_from(GROUPS), min_size=n, max_size=n)),
        "h": data.draw(st.lists(st.sampled_from(["x", "y"]), min_size=n, max_size=n)),
        "v": pd.array(metric, dtype="float64"),
    })
    strata = Stratification(metric="v", count=count, higher_is_better=higher)
    for by in (["g"], ["g", "h"]):
        assert selected_strata(frame, strata, by) == rank_strata(frame, strata, by)


@settings(max_examples=60, deadline=None)
@given(numbers=st.lists(st.one_of(st.integers(-(2**62), 2**62), st.sampled_from([5, 6]),
                                  st.none()), max_size=40),
       count=st.integers(2, 9), higher=st.booleans())
def test_integer_metrics_keep_exact_ties(numbers, count, higher):
    # Large integers would collide as floats: the selection compares them as integers.
    frame = pd.DataFrame({"g": ["a", "b"] * (len(numbers) // 2) + ["a"] * (len(numbers) % 2),
                          "v": pd.array(numbers, dtype="Int64")})
    strata = Stratification(metric="v", count=count, higher_is_better=higher)
    assert selected_strata(frame, strata, ["g"]) == rank_strata(frame, strata, ["g"])


def test_large_segment_against_the_rank():
    rng = np.random.default_rng(3)
    n = 20_000
    frame = pd.DataFrame({"g": rng.choice(["a", "b", "c"], n),
                          "v": rng.integers(0, 50, n).astype(float)})
    frame.loc[rng.random(n) < 0.1, "v"] = np.nan
    for count, higher in ((4, True), (10, False), (20, True), (3, False)):
        strata = Stratification(metric="v", count=count, higher_is_better=higher)
        assert selected_strata(frame, strata, ["g"]) == rank_strata(frame, strata, ["g"])


def test_stratum_codes_cut_a_plain_segment_into_equal_parts():
    values = np.arange(8, dtype=float)
    codes = _strata.stratum_codes(values, np.ones(8, bool), np.zeros(8, int), 1, 4)
    assert codes.tolist() == [3, 3, 2, 2, 1, 1, 0, 0]  # best (largest) first
    missing = _strata.stratum_codes(values, np.zeros(8, bool), np.zeros(8, int), 1, 4)
    assert missing.tolist() == [4] * 8


def test_too_many_segments_fall_back_to_the_rank():
    frame = pd.DataFrame({"g": np.arange(_strata.MAX_GROUPS + 1), "v": 1.0})
    frame["g"] = frame["g"].astype(str)
    assert _strata.pandas_strata(frame, "v", ["g"], 4, higher_is_better=True) is None


# -- through assign, on every in-process engine -----------------------------------------------

def _spec(count: int, higher: bool, segment_by: str) -> SegmentationSpec:
    return SegmentationSpec(
        name="strata",
        rules=[Rule(label="A", when=[Condition(field="g", value="a")]),
               Rule(label="B", when=[Condition(field="g", value="b")])],
        catch_all="rest",
        bandings=[Banding(name="band", field="w", method="thresholds", thresholds=[0.5])],
        segment_by=segment_by,
        strata=Stratification(metric="v", count=count, higher_is_better=higher),
    )


def _assigned(frame: pd.DataFrame, spec: SegmentationSpec, engine: str) -> list[str]:
    if engine == "pandas":
        out = assign(frame, spec)
    elif engine == "polars":
        out = assign(pl.from_pandas(frame), spec)
    else:
        out = assign(backends.to_engine(frame, engine), spec)
    table = backends.to_pandas(out) if engine == "duckdb" else nw.from_native(out).to_pandas()
    return table.sort_values("id")["stratum"].astype(str).tolist()


@pytest.mark.parametrize("segment_by", ["rules", "band"])
@settings(max_examples=25, deadline=None, suppress_health_check=[
    HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(data=st.data(), count=st.integers(2, 12), higher=st.booleans())
def test_assign_strata_equal_the_definition_on_every_engine(segment_by, data, count, higher):
    metric = data.draw(st.lists(st.one_of(st.sampled_from([0.0, 1.0, 2.0, 3.0]), st.none()),
                                min_size=1, max_size=40))
    n = len(metric)
    frame = pd.DataFrame({
        "id": np.arange(n),
        "g": data.draw(st.lists(st.sampled_from(["a", "b", "c"]), min_size=n, max_size=n)),
        "w": data.draw(st.lists(st.sampled_from([0.0, 1.0]), min_size=n, max_size=n)),
        "v": pd.array(metric, dtype="float64"),
    })
    spec = _spec(count, higher, segment_by).fit(frame)
    segments = assign(frame.assign(v=np.nan), spec)["segment"]  # the segments, no strata input
    expected = rank_strata(frame.assign(segment=segments), spec.strata, ["segment"])
    for engine in ("pandas", "polars", "duckdb"):
        assert _assigned(frame, spec, engine) == expected, engine
