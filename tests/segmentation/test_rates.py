from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import binom

from salesops_nb.errors import DataError, MissingColumnsError, ParameterError
from salesops_nb.segmentation.rates import fit_priors, funnel_limits, funnel_lines, rate_table


def test_funnel_limits_are_exact_binomial_quantiles_over_n():
    n = np.array([5, 20, 100, 1000])
    limits = funnel_limits(0.3, n)
    assert np.allclose(limits["lower95"], binom.ppf(0.025, n, 0.3) / n)
    assert np.allclose(limits["upper95"], binom.ppf(0.975, n, 0.3) / n)
    assert np.allclose(limits["lower998"], binom.ppf(0.001, n, 0.3) / n)
    assert np.allclose(limits["upper998"], binom.ppf(0.999, n, 0.3) / n)
    assert (float(limits["lower95"][2]), float(limits["upper95"][2])) == (0.21, 0.39)
    # The 99.8% band holds the 95% band, and both narrow as the volume grows.
    assert (limits["lower998"] <= limits["lower95"]).all()
    assert (limits["upper998"] >= limits["upper95"]).all()
    width = limits["upper95"] - limits["lower95"]
    assert (np.diff(width) < 0).all()


def test_funnel_limits_without_trials_or_rate_are_missing():
    limits = funnel_limits(np.array([0.3, np.nan]), np.array([0, 10]))
    assert np.isnan(limits["lower95"]).all() and np.isnan(limits["upper998"]).all()


def test_funnel_lines_are_few_and_step_through_every_small_n():
    lines = funnel_lines(0.25, 20_000)
    assert len(lines) < 200
    assert lines.n.iloc[:30].tolist() == list(range(1, 31))
    assert lines.n.is_monotonic_increasing and lines.n.iloc[-1] == 20_000


def _segment() -> pd.DataFrame:
    # Seven peers around 30%, one rep far below and one with three deals, all won.
    won = [30, 27, 33, 29, 31, 28, 32, 5, 3]
    closed = [100] * 8 + [3]
    return pd.DataFrame({"rep_id": [f"r{i}" for i in range(9)], "segment": "S",
                         "won": won, "closed": closed})


def test_rate_table_flags_entities_outside_the_limits():
    table = rate_table(_segment())
    flags = dict(zip(table.rep_id, table.win_rate_funnel, strict=True))
    assert flags["r7"] == "below 99.8%"
    # 3 of 3 at a 27% peer rate happens 2.0% of the time: outside 95%, inside 99.8%.
    assert flags["r8"] == "above 95%"
    assert {flags[f"r{i}"] for i in range(7)} == {"within"}
    p0 = 218 / 803
    assert table.win_rate_peer.iloc[0] == pytest.approx(p0)
    assert table.win_rate_lower95.iloc[0] == binom.ppf(0.025, 100, p0) / 100


def test_shrinkage_follows_the_formula_and_pulls_small_numbers_in():
    table = rate_table(_segment())
    prior = fit_priors(_segment()).iloc[0]
    # The 5-in-100 rep and the 3-in-3 rep are winsorised rather than taken for peer spread.
    assert prior.prior_note == "method of moments"
    assert prior.winsorised == 2 and 100 < prior.strength < 400
    alpha, beta = prior.alpha, prior.beta
    expected = (table.won + alpha) / (table.closed + alpha + beta)
    assert np.allclose(table.win_rate_shrunk, expected)
    assert prior.alpha / prior.strength == pytest.approx(prior.prior_mean)
    assert prior.prior_mean == pytest.approx(218 / 803)
    tiny = table.set_index("rep_id").loc["r8"]
    assert tiny.win_rate_raw == 1.0
    # Three wins do not make a star: the rep sits among its peers, not above them.
    assert tiny.win_rate_shrunk < table.win_rate_shrunk.iloc[:7].max()
    assert tiny.win_rate_weight < 0.2
    assert table.win_rate_shrunk.idxmin() == 7  # the laggard stays last ...
    assert table.win_rate_shrunk[7] < 0.22  # ... and keeps much of its own story


def test_no_true_spread_gives_the_strongest_prior():
    rng = np.random.default_rng(3)
    n = rng.integers(20, 300, 400)
    prior = fit_priors(pd.DataFrame({"segment": "S", "won": rng.binomial(n, 0.25),
                                     "closed": n})).iloc[0]
    assert prior.strength > 1000


def test_method_of_moments_recovers_a_known_prior():
    strengths, means = [], []
    for seed in range(10):
        rng = np.random.default_rng(seed)
        n = rng.integers(20, 300, 400)
        w = rng.binomial(n, rng.beta(20, 60, 400))
        prior = fit_priors(pd.DataFrame({"segment": "S", "won": w, "closed": n})).iloc[0]
        assert prior.prior_note == "method of moments"
        strengths.append(prior.strength)
        means.append(prior.alpha / prior.strength)
    assert np.mean(means) == pytest.approx(0.25, abs=0.01)
    # True alpha + beta = 80; winsorising the z-scores costs a little (about +15%).
    assert 70 < np.mean(strengths) < 105


@pytest.mark.parametrize(("won", "closed", "note"), [
    ([10, 10, 10], [40, 40, 40], "spread no larger than chance"),
    ([12], [40], "fewer than 2 entities"),
    ([0, 0, 0], [10, 25, 3], "no wins or no losses"),
    ([5, 5], [5, 5], "no wins or no losses"),
    ([0, 1, 1], [1, 1, 1], "spread no larger than chance"),
    ([0, 0], [0, 0], "no trials"),
])
def test_degenerate_segments_fall_back_sensibly(won, closed, note):
    frame = pd.DataFrame({"segment": "S", "won": won, "closed": closed})
    prior = fit_priors(frame).iloc[0]
    assert note in prior.prior_note
    table = rate_table(frame)
    shrunk = table.win_rate_shrunk.dropna()
    assert ((shrunk > 0) & (shrunk < 1)).all() or prior.trials == 0
    if prior.trials == 0:
        assert table.win_rate_shrunk.isna().all()
        assert (table.win_rate_funnel == "no data").all()
    else:
        assert prior.alpha > 0 and prior.beta > 0


def test_no_wins_anywhere_still_orders_by_volume_of_losses():
    frame = pd.DataFrame({"segment": "S", "won": [0, 0], "closed": [2, 50]})
    table = rate_table(frame)
    assert table.win_rate_shrunk.iloc[1] < table.win_rate_shrunk.iloc[0]


def test_a_lone_entity_borrows_strength_from_all_entities():
    frame = pd.concat([_segment(), pd.DataFrame({"rep_id": ["x"], "segment": ["T"],
                                                 "won": [9], "closed": [20]})])
    priors = fit_priors(frame).set_index("segment")
    assert "borrowed" in priors.loc["T", "prior_note"]
    assert priors.loc["T", "peer_rate"] == pytest.approx(0.45)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.integers(0, 400), st.floats(0, 1), st.sampled_from("ABC")),
                min_size=1, max_size=25))
def test_shrunk_rates_lie_between_own_rate_and_prior_mean(rows):
    closed = np.array([r[0] for r in rows])
    won = np.floor(closed * np.array([r[1] for r in rows])).astype(int)
    frame = pd.DataFrame({"segment": [r[2] for r in rows], "won": won, "closed": closed})
    table = rate_table(frame)
    priors = fit_priors(frame).set_index("segment")
    mean = (priors.alpha / priors.strength).reindex(frame.segment).to_numpy()
    has = closed > 0
    raw, shrunk = table.win_rate_raw.to_numpy(), table.win_rate_shrunk.to_numpy()
    assert np.isnan(shrunk[~has]).all()
    low = np.minimum(raw, mean)[has] - 1e-12
    high = np.maximum(raw, mean)[has] + 1e-12
    assert ((shrunk[has] >= low) & (shrunk[has] <= high)).all()
    assert set(table.win_rate_funnel) <= {"within", "above 95%", "above 99.8%", "below 95%",
                                          "below 99.8%", "no data"}


def test_pandas_and_polars_agree():
    frame = pd.concat([_segment(), pd.DataFrame({"rep_id": ["x", "y"], "segment": ["T", None],
                                                 "won": [9, 0], "closed": [20, 0]})])
    ours = rate_table(frame)
    theirs = rate_table(pl.from_pandas(frame))
    assert isinstance(theirs, pl.DataFrame)
    pd.testing.assert_frame_equal(ours.reset_index(drop=True), theirs.to_pandas(),
                                  check_dtype=False)
    pd.testing.assert_frame_equal(fit_priors(frame), fit_priors(pl.from_pandas(frame)))


def test_bad_counts_raise_teaching_errors():
    with pytest.raises(DataError, match="more successes than trials"):
        rate_table(pd.DataFrame({"segment": "S", "won": [5], "closed": [3]}))
    with pytest.raises(DataError, match="negative counts"):
        rate_table(pd.DataFrame({"segment": "S", "won": [0], "closed": [-3]}))
    with pytest.raises(DataError, match="must hold counts"):
        rate_table(pd.DataFrame({"segment": "S", "won": ["a"], "closed": [3]}))
    with pytest.raises(MissingColumnsError, match="'closed'"):
        rate_table(pd.DataFrame({"segment": "S", "won": [1]}))
    with pytest.raises(ParameterError, match="max_strength"):
        fit_priors(_segment(), max_strength=0)
