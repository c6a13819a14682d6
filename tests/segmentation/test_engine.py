"""The engine: assign (bandings, matrices, segments, strata), fit/re-apply, profile."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest

from salesops_nb.data.sample import generate_crm
from salesops_nb.errors import MissingColumnsError, ParameterError
from salesops_nb.segmentation.engine import assign, fit, profile
from salesops_nb.segmentation.spec import SegmentationSpec
from salesops_nb.segmentation.spec_parts import (
    Banding,
    Condition,
    Matrix,
    MatrixCell,
    Rule,
    Stratification,
)


@pytest.fixture
def deals() -> pd.DataFrame:
    return pd.DataFrame({
        "team": ["A"] * 5 + ["B"] * 4,
        "amount": [10.0, 20.0, 30.0, 40.0, np.nan, 1.0, 2.0, 2.0, 3.0],
        "employees": [10, 300, 5000, 20, 40, 3000, 3000, 50, 60],
        "is_won": [True, False, True, True, False, False, True, False, True],
        "is_closed": [True, True, True, True, False, True, True, True, True],
        "cycle_days": pd.array([10, 20, 30, 40, None, 5, 5, 5, 5], dtype="Int64"),
    })


def _team_spec(**extra) -> SegmentationSpec:
    return SegmentationSpec(
        bandings=[Banding(name="team_band", field="employees", method="thresholds",
                          thresholds=[1000], labels=["small", "large"])],
        **extra,
    )


def test_strata_rank_within_each_segment(deals):
    spec = SegmentationSpec(
        bandings=[Banding(name="size", field="employees", method="thresholds",
                          thresholds=[1000], labels=["small", "large"])],
        strata=Stratification(metric="amount", count=2),
    )
    out = assign(deals, spec)
    # small: amounts 10, 20, 40, nan(40 employees), 2.0 (50), 3.0 (60)
    small = out[out["segment"] == "small"].set_index("amount", drop=False)
    assert out.loc[4, "stratum"] == "unknown"
    assert small.loc[40.0, "stratum"] == "top half"
    assert small.loc[2.0, "stratum"] == "bottom half"
    assert small.loc[10.0, "stratum"] == "bottom half"  # the median sits at position 0.5
    large = out[out["segment"] == "large"]
    # Mid-rank positions among 30, 1, 2: 1/6, 5/6, 3/6 -> only 30 is below one half.
    assert large["stratum"].tolist() == ["top half", "bottom half", "bottom half"]


def test_lower_is_better_reverses_strata(deals):
    spec = _team_spec(strata=Stratification(metric="cycle_days", count=2,
                                            higher_is_better=False))
    out = assign(deals, spec)
    # Small segment cycle days 10, 20, 40, -, 5, 5: the two 5-day deals are the best half.
    assert out.loc[[7, 8], "stratum"].tolist() == ["top half", "top half"]
    assert out.loc[0, "stratum"] == "bottom half"


def test_ties_share_a_stratum():
    frame = pd.DataFrame({"g": ["x"] * 8, "m": [0.0] * 4 + [1.0, 2.0, 3.0, 4.0]})
    spec = SegmentationSpec(bandings=[Banding(name="b", field="m", method="thresholds",
                                              thresholds=[100])],
                            strata=Stratification(metric="m"))
    out = assign(frame, spec)
    assert out["stratum"].iloc[:4].nunique() == 1
    assert out["stratum"].iloc[:4].iloc[0] in ("3rd quartile", "bottom quartile")


def test_matrix_column_and_segment_from_matrix(deals):
    spec = SegmentationSpec(
        bandings=[
            Banding(name="size", field="employees", method="thresholds", thresholds=[1000],
                    labels=["small", "large"]),
            Banding(name="value", field="amount", method="thresholds", thresholds=[15],
                    labels=["low", "high"]),
        ],
        matrices=[Matrix(name="grid", rows="size", columns="value",
                         cells=[MatrixCell(row="large", column="high", label="Strategic")])],
    )
    out = assign(deals, spec)
    assert out["grid"].tolist() == [
        "small / low", "small / high", "Strategic", "small / high", "unknown",
        "large / low", "large / low", "small / low", "small / low"]
    assert out["segment"].tolist() == out["grid"].tolist()


def test_fit_freezes_edges_for_next_quarter(deals):
    spec = SegmentationSpec(bandings=[Banding(name="q", field="amount")])
    fitted = fit(deals, spec)
    assert fitted.is_fitted and not spec.is_fitted
    next_quarter = deals.assign(amount=deals["amount"] * 10)
    again = SegmentationSpec.model_validate_json(fitted.model_dump_json())
    assert assign(next_quarter, again)["q"].tolist() == assign(next_quarter, fitted)["q"].tolist()
    # Frozen edges: every bigger amount lands in a higher or equal band than before.
    assert (assign(next_quarter, fitted)["q"] != assign(deals, fitted)["q"]).any()
    assert fitted.fit(next_quarter) == fitted
    assert fitted.fit(next_quarter, refit=True) != fitted


def test_output_keeps_the_backend_and_laziness(deals):
    spec = _team_spec(strata=Stratification(metric="amount"))
    assert isinstance(assign(deals, spec), pd.DataFrame)
    assert isinstance(assign(pl.from_pandas(deals), spec), pl.DataFrame)
    assert isinstance(assign(pl.from_pandas(deals).lazy(), spec), pl.LazyFrame)


def test_profile_counts_rates_measures_and_custom_aggregations(deals):
    spec = _team_spec()
    table = profile(assign(deals, spec), spec=spec, measures=["amount"],
                    aggregations={"largest": ("amount", "max")})
    assert table["segment"].tolist() == ["small", "large"]
    small = table.iloc[0]
    assert small["count"] == 6
    assert small["share"] == pytest.approx(6 / 9)
    assert small["amount_sum"] == pytest.approx(75.0)
    assert small["amount_median"] == pytest.approx(10.0)  # 2, 3, 10, 20, 40
    assert small["won"] == 3 and small["closed"] == 5
    assert small["win_rate"] == pytest.approx(0.6)
    assert small["avg_cycle_days"] == pytest.approx(16.0)
    assert small["largest"] == pytest.approx(40.0)


def test_profile_shows_empty_segments_and_refuses_bad_aggregations(deals):
    spec = SegmentationSpec(bandings=[Banding(name="b", field="employees",
                                              method="thresholds", thresholds=[10_000_000])])
    table = profile(assign(deals, spec), spec=spec)
    assert table["segment"].tolist() == ["< 10,000,000", ">= 10,000,000"]
    assert table["count"].tolist() == [9, 0]
    with pytest.raises(ParameterError, match="'worst'"):
        profile(assign(deals, spec), aggregations={"worst": ("amount", "avg")})
    with pytest.raises(MissingColumnsError, match="'amonut'"):
        profile(assign(deals, spec), measures=["amonut"])


def test_profile_by_segment_and_stratum(deals):
    spec = _team_spec(strata=Stratification(metric="amount", count=2))
    table = profile(assign(deals, spec), spec=spec, by=["segment", "stratum"])
    assert len(table) == 2 * 3  # every segment x stratum, unknown shown as it holds rows
    cells = table.set_index(["segment", "stratum"])["count"]
    assert cells[("small", "unknown")] == 1 and cells[("large", "unknown")] == 0
    assert table["count"].sum() == 9


def test_profile_without_closed_column_uses_known_outcomes():
    frame = pd.DataFrame({"segment": ["a", "a", "b"], "is_won": [True, None, False]})
    table = profile(frame, closed=None)
    assert table.set_index("segment")["win_rate"].to_dict() == {"a": 1.0, "b": 0.0}


def test_planted_underperformers_fall_in_the_bottom_stratum_of_their_segment():
    crm = generate_crm(20_000, seed=7)
    closed = crm.opportunities[crm.opportunities["is_closed"]]
    reps = closed.groupby("rep_id", observed=True).agg(
        team=("team", "first"), region=("region", "first"), win_rate=("is_won", "mean"),
    ).reset_index()
    reps["cell"] = reps["team"].astype(str) + " / " + reps["region"].astype(str)
    spec = SegmentationSpec(
        entity="reps", key="rep_id",
        rules=[Rule(label=c, when=[Condition(field="cell", value=c)])
               for c in sorted(reps["cell"].unique())],
        catch_all="Other",
        strata=Stratification(metric="win_rate"),
    )
    out = assign(reps, spec)
    planted = out[out["rep_id"].isin(crm.planted_underperformers)]
    assert len(planted) == len(crm.planted_underperformers) > 0
    assert set(planted["stratum"]) == {"bottom quartile"}
    assert (out["segment"] != "Other").all()
