from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest

from salesops_nb.data.sample import generate_crm
from salesops_nb.errors import MissingColumnsError, ParameterError
from salesops_nb.segmentation.compare import OutcomeRule, benchmark_table, compare
from salesops_nb.segmentation.entities import rep_table


def _peers() -> pd.DataFrame:
    return pd.DataFrame({
        "rep_id": [f"r{i}" for i in range(10)],
        "segment": ["A"] * 8 + ["B"] * 2,
        "score": [10.0, 20, 30, 40, 50, 60, 70, 80, 5, 6],
        "cycle": [30.0, 35, 40, 45, 50, 55, 60, 90, 20, 25],
    })


def test_percentiles_are_mid_ranks_within_the_segment():
    result = compare(_peers(), metrics=["score"])
    table = result.entities
    a = table[table.segment == "A"]
    assert a.score_percentile.tolist() == pytest.approx([(i + 0.5) / 8 for i in range(8)])
    assert a.score_flag.tolist() == ["bad", "bad"] + ["typical"] * 4 + ["good", "good"]
    assert (a.score_peers == 8).all()
    # Two peers are too few for quartiles: flagged "unrated", never good or bad.
    assert table[table.segment == "B"].score_flag.tolist() == ["unrated", "unrated"]
    assert table.outcome.tolist() == table.score_flag.tolist()


def test_z_scores_use_the_segment_mean_and_sd():
    table = compare(_peers(), metrics=["score"]).entities
    a = table[table.segment == "A"].score.to_numpy()
    expected = (a - a.mean()) / a.std(ddof=1)
    assert table.score_z.iloc[:8].to_numpy() == pytest.approx(expected)


def test_lower_is_better_flips_the_flags_not_the_z_scores():
    rule = OutcomeRule(metric="cycle", higher_is_better=False)
    table = compare(_peers(), metrics=[rule]).entities.iloc[:8]
    assert table.cycle_flag.tolist() == ["good", "good"] + ["typical"] * 4 + ["bad", "bad"]
    assert table.cycle_percentile.iloc[0] == pytest.approx(15 / 16)
    assert table.cycle_z.iloc[-1] > 0  # 90 days is above the mean


def test_zscore_rule_with_custom_thresholds():
    rule = OutcomeRule(metric="cycle", higher_is_better=False, method="zscore", good=0.5, bad=-1.5)
    table = compare(_peers(), metrics=[rule]).entities.iloc[:8]
    z = table.cycle_z.to_numpy()
    assert table.cycle_flag.tolist() == np.select([-z > 0.5, -z < -1.5], ["good", "bad"],
                                                  "typical").tolist()
    assert table.cycle_flag.iloc[-1] == "bad"  # 90 days is 1.9 sd slow


def test_missing_values_are_unrated_and_ties_share_a_percentile():
    frame = _peers().assign(score=[10.0, 10, 30, 40, np.nan, 60, 70, 80, 5, 6])
    table = compare(frame, metrics=["score"]).entities
    assert table.score_flag[4] == "unrated" and pd.isna(table.score_percentile[4])
    assert table.score_percentile[0] == table.score_percentile[1] == pytest.approx(1 / 7)
    assert (table.score_peers.iloc[:8] == 7).all()


def test_benchmarks_are_quartiles_of_the_ranked_values():
    result = compare(_peers(), metrics=["score", OutcomeRule(metric="cycle",
                                                             higher_is_better=False)])
    bench = result.benchmarks
    assert bench[["segment", "metric"]].values.tolist() == [
        ["A", "score"], ["A", "cycle"], ["B", "score"], ["B", "cycle"]]
    row = bench.iloc[0]
    values = _peers().score.iloc[:8]
    assert (row.n, row["min"], row["max"]) == (8, 10, 80)
    assert row.q1 == values.quantile(0.25) and row.q3 == values.quantile(0.75)
    assert row["median"] == 45
    assert set(bench.basis) == {"value"}


def test_win_rate_is_ranked_on_the_shrunk_rate():
    # Seven reps with 100 deals around 30%, and one with 3 wins from 3 deals.
    frame = pd.DataFrame({"rep_id": [f"r{i}" for i in range(8)], "segment": "S",
                          "won": [25, 27, 29, 30, 31, 33, 35, 3],
                          "closed": [100] * 7 + [3]})
    frame["win_rate"] = frame.won / frame.closed
    result = compare(frame, metrics=["win_rate"])
    table = result.entities
    assert table.win_rate_percentile.iloc[-1] < 0.75  # not the best on three deals
    assert table.win_rate_flag.iloc[-1] == "typical"
    assert table.win_rate_basis.iloc[-1] == pytest.approx(table.win_rate_shrunk.iloc[-1])
    assert "win_rate_funnel" in table.columns
    assert result.benchmarks.basis.iloc[0] == "shrunk rate"
    assert "win_rate" in result.priors
    raw = compare(frame, metrics=[OutcomeRule(metric="win_rate", shrink=False)]).entities
    assert raw.win_rate_flag.iloc[-1] == "good"  # what the noise alone would say


@pytest.fixture(scope="module", params=[7, 1, 2])
def sample(request):
    crm = generate_crm(5000, seed=request.param)
    reps = rep_table(crm.opportunities)
    reps["segment"] = reps.team + " / " + reps.region
    return crm, reps


def test_planted_underperformers_are_bad_within_their_segments(sample):
    crm, reps = sample
    result = compare(reps, metrics=["win_rate"])
    bad = set(result.flagged("bad").rep_id)
    assert set(crm.planted_underperformers) <= bad
    # Bad is a quartile, not a verdict on everyone.
    assert len(bad) <= 0.3 * len(reps)


def test_pandas_and_polars_give_identical_results(sample):
    _, reps = sample
    rules = ["win_rate", OutcomeRule(metric="avg_cycle_days", higher_is_better=False),
             OutcomeRule(metric="won_amount", method="zscore")]
    ours = compare(reps, metrics=rules)
    theirs = compare(pl.from_pandas(reps), metrics=rules)
    assert isinstance(theirs.entities, pl.DataFrame)
    plain = ours.entities.astype({c: "float64" for c in ours.entities.columns
                                  if ours.entities[c].dtype == "Float64"})
    pd.testing.assert_frame_equal(plain, theirs.entities.to_pandas(), check_dtype=False)
    pd.testing.assert_frame_equal(ours.benchmarks, theirs.benchmarks.to_pandas(),
                                  check_dtype=False)


def test_benchmark_table_alone():
    bench = benchmark_table(_peers(), metrics=["score"])
    assert bench.n.tolist() == [8, 2] and bench["median"].tolist() == [45, 5.5]


def test_bad_rules_and_columns_raise_teaching_errors():
    with pytest.raises(ParameterError, match=r"bad .* must be below good"):
        compare(_peers(), metrics=[{"metric": "score", "good": 0.2, "bad": 0.5}])
    with pytest.raises(ParameterError, match="at least one metric"):
        compare(_peers(), metrics=[])
    with pytest.raises(ParameterError, match="more than once"):
        compare(_peers(), metrics=["score", "score"])
    with pytest.raises(ParameterError, match="not numbers"):
        compare(_peers().assign(score="x"), metrics=["score"])
    with pytest.raises(MissingColumnsError, match="'margin'"):
        compare(_peers(), metrics=["margin"])
    with pytest.raises(ParameterError, match="min_peers"):
        compare(_peers(), metrics=["score"], min_peers=0)
    with pytest.raises(ParameterError, match="successes and trials"):
        compare(_peers(), metrics=[{"metric": "score", "successes": "won"}])


def test_lazy_frames_are_collected_and_non_tables_refused():
    lazy = compare(pl.from_pandas(_peers()).lazy(), metrics=["score"])
    assert isinstance(lazy.entities, pl.DataFrame)
    assert lazy.entities["score_flag"].to_list() == compare(
        _peers(), metrics=["score"]).entities.score_flag.tolist()
    with pytest.raises(ParameterError, match="Expected a table"):
        compare([1, 2, 3], metrics=["score"])
