"""Bandings on real and hostile data: edges, ties, collapse, unknowns, property tests."""

from __future__ import annotations

import math

import narwhals as nw
import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from salesops_nb.segmentation import _bands
from salesops_nb.segmentation._frames import NonNumericFieldError
from salesops_nb.segmentation.bandings import band_expr, fit_banding, pareto_curve
from salesops_nb.segmentation.spec_parts import Banding


def _apply(values, banding: Banding) -> tuple[Banding, list[str]]:
    frame = nw.from_native(pd.DataFrame({"x": pd.Series(values, dtype="float64")}))
    fitted = fit_banding(frame, banding)
    labels = frame.select(band_expr(fitted, frame)).to_native()[fitted.name].tolist()
    return fitted, labels


def test_quartiles_use_linear_quantiles_and_right_closed_bands():
    values = list(range(1, 9))  # linear quartiles: 2.75, 4.5, 6.25
    fitted, labels = _apply(values, Banding(name="q", field="x"))
    assert fitted.edges == [2.75, 4.5, 6.25]
    assert labels == ["Q1", "Q1", "Q2", "Q2", "Q3", "Q3", "Q4", "Q4"]


def test_ties_collapse_edges_into_merged_labels():
    values = [0.0] * 6 + [1.0, 2.0, 3.0, 4.0]
    fitted, labels = _apply(values, Banding(name="q", field="x"))
    assert fitted.fitted_labels == ["Q1 to Q2", "Q3", "Q4"]
    assert labels[:6] == ["Q1 to Q2"] * 6
    assert fitted.band_labels() == ["Q1 to Q2", "Q3", "Q4"]


def test_constant_column_and_all_missing_and_one_row():
    fitted, labels = _apply([5.0] * 4, Banding(name="q", field="x"))
    assert set(labels) == {"Q1 to Q3"} and fitted.edges == [5.0]
    fitted, labels = _apply([np.nan] * 3, Banding(name="q", field="x"))
    assert labels == ["unknown"] * 3 and fitted.fitted_labels == ["Q1 to Q4"]
    fitted, labels = _apply([42.0], Banding(name="j", field="x", method="jenks"))
    assert len(set(labels)) == 1 and "unknown" not in labels


def test_missing_values_get_the_unknown_label():
    _, labels = _apply([1.0, np.nan, 3.0], Banding(name="t", field="x", method="thresholds",
                                                   thresholds=[2], unknown_label="no data"))
    assert labels == ["< 2", "no data", ">= 2"]


def test_thresholds_are_left_closed():
    _, labels = _apply([199, 200, 1999, 2000], Banding(
        name="t", field="x", method="thresholds", thresholds=[200, 2000],
        labels=["SMB", "Mid", "Ent"]))
    assert labels == ["SMB", "Mid", "Mid", "Ent"]


def test_abc_classes_by_cumulative_share():
    # Total 100: 50 + 30 reach 80% -> A; 10 + 5 to 95% -> B; the rest C.
    values = [50, 30, 10, 5, 3, 2]
    fitted, labels = _apply(values, Banding(name="abc", field="x", method="abc"))
    assert labels == ["A", "A", "B", "B", "C", "C"]
    assert fitted.band_labels() == ["A", "B", "C"]
    _, labels = _apply([-5.0, 0.0, 10.0], Banding(name="abc", field="x", method="abc",
                                                  abc_cuts=[0.7]))
    assert labels == ["B", "B", "A"]


def test_equal_width_and_jenks_find_the_obvious_groups():
    values = [1, 2, 3, 101, 102, 103, 1001, 1002]
    fitted, labels = _apply(values, Banding(name="j", field="x", method="jenks", bins=3))
    assert labels == ["low"] * 3 + ["medium"] * 3 + ["high"] * 2
    fitted, labels = _apply([0, 10, 20, 30], Banding(name="w", field="x", method="equal_width",
                                                     bins=3))
    assert fitted.edges == pytest.approx([10, 20])
    assert labels == ["low", "low", "medium", "high"]


def test_jenks_on_large_data_uses_a_deterministic_sample():
    rng = np.random.default_rng(3)
    values = np.concatenate([rng.normal(0, 1, 20_000), rng.normal(50, 1, 20_000)])
    first, _ = _apply(values, Banding(name="j", field="x", method="jenks", bins=2))
    second, _ = _apply(values[::-1].copy(), Banding(name="j", field="x", method="jenks", bins=2))
    assert first.edges == second.edges
    assert 3 < first.edges[0] < 47


def test_non_numeric_field_is_refused():
    frame = nw.from_native(pd.DataFrame({"team": ["a", "b"]}))
    with pytest.raises(NonNumericFieldError, match="'team'") as info:
        fit_banding(frame, Banding(name="q", field="team"))
    assert "rules" in info.value.hint


def test_collapse_left_closed_merges_into_the_next_band():
    assert _bands.collapse([3.0, 3.0], ["C", "B", "A"], "left", ["A", "B", "C"]) == (
        [3.0], ["C", "A to B"])


def test_pareto_curve_is_small_and_ends_at_one():
    values = pd.DataFrame({"x": np.arange(10_000, dtype=float)})
    curve = pareto_curve(values, "x", points=50)
    assert len(curve) <= 51
    assert curve["value_share"].iloc[-1] == pytest.approx(1.0)
    assert curve["value_share"].is_monotonic_increasing


# -- property tests on hostile inputs --------------------------------------------------------------

_FLOATS = st.one_of(st.floats(min_value=-1e9, max_value=1e12), st.just(float("nan")))
_HOSTILE = st.one_of(
    st.lists(_FLOATS, min_size=1, max_size=60),
    st.builds(lambda v, n: [v] * n, _FLOATS, st.integers(1, 30)),  # constant / all-NaN
    st.lists(st.sampled_from([0.0, 1.0, np.nan, -3.0]), min_size=1, max_size=60),  # ties
    st.lists(st.floats(0, 10), min_size=1, max_size=40).map(
        lambda v: [*v, 1e12]),  # extreme skew
)
_BANDINGS = st.sampled_from([
    Banding(name="b", field="x"),
    Banding(name="b", field="x", quantiles=[0.1, 0.5, 0.9]),
    Banding(name="b", field="x", bins=10),
    Banding(name="b", field="x", method="abc"),
    Banding(name="b", field="x", method="abc", abc_cuts=[0.7, 0.9]),
    Banding(name="b", field="x", method="jenks", bins=3),
    Banding(name="b", field="x", method="jenks", bins=5),
    Banding(name="b", field="x", method="equal_width", bins=4),
    Banding(name="b", field="x", method="thresholds", thresholds=[-1, 0, 100]),
])


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(values=_HOSTILE, banding=_BANDINGS)
def test_every_banding_survives_hostile_data(values, banding):
    fitted, labels = _apply(values, banding)
    valid = fitted.all_labels()
    assert len(valid) == len(set(valid))
    assert set(labels) <= set(valid)
    for value, label in zip(values, labels, strict=True):
        assert (label == fitted.unknown_label) == (value is None or math.isnan(value))
    # Ordered: a larger value never gets a lower band (ABC is shown A first, largest first).
    order = fitted.band_labels()
    if banding.method == "abc":
        order = order[::-1]
    rank = {label: i for i, label in enumerate(order)}
    known = sorted((v, rank[lab]) for v, lab in zip(values, labels, strict=True)
                   if lab != fitted.unknown_label)
    assert [r for _, r in known] == sorted(r for _, r in known)
    # The fitted banding re-applies identically after a JSON round trip.
    again = Banding.model_validate_json(fitted.model_dump_json())
    assert _apply(values, again)[1] == labels
