from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesops_nb.errors import MissingColumnsError, ParameterError
from salesops_nb.overview._columns import outcomes
from salesops_nb.overview.pipeline import (
    deal_size_bins,
    deal_size_stats,
    outcomes_over_time,
    pipeline_by_stage,
    stage_order,
)


def test_pipeline_by_stage_in_funnel_order(deals):
    table = pipeline_by_stage(deals)
    assert table["stage"].tolist() == [
        "Prospecting", "Negotiation", "Closed Won", "Closed Lost", "(missing)",
    ]
    assert table["deals"].tolist() == [1, 1, 3, 2, 1]
    assert table["amount"].tolist() == [1000.0, -50.0, 26500.0, 300000.0, 0.0]
    assert table["outcome"].tolist() == ["open", "open", "won", "lost", "open"]
    assert table["deal_share"].sum() == pytest.approx(1.0)
    assert table.loc[2, "average_amount"] == pytest.approx(26500 / 3)


def test_stage_order_keeps_other_spellings_next_to_the_known_stage():
    stages = pd.Series(["Custom", "closed won", "Closed Won", "Closed Won", "Prospecting",
                        "Zeta", "Zeta"])
    assert stage_order(stages) == ["Prospecting", "Closed Won", "closed won", "Zeta", "Custom"]


def test_outcomes_from_each_kind_of_column(deals):
    from_stage = outcomes(deals).tolist()
    assert from_stage == ["open", "won", "lost", "won", "won", "open", "lost", "open"]
    flags = deals.drop(columns="stage").assign(
        is_won=[False, True, False, True, True, False, False, pd.NA],
        is_closed=[False, True, True, True, True, False, True, pd.NA],
    )
    assert outcomes(flags).tolist() == from_stage
    given = deals.assign(outcome=["open", "Won", "lost", "won", "won", "open", "lost", None])
    assert outcomes(given).tolist() == from_stage
    with pytest.raises(MissingColumnsError, match="won, lost and open"):
        outcomes(deals[["amount"]])


def test_won_lost_per_month_with_empty_months_kept(deals):
    table = outcomes_over_time(deals, period="month")
    assert table["period"].tolist() == [f"2024-0{m}" for m in range(1, 9)]
    assert table["won"].tolist() == [0, 1, 0, 2, 0, 0, 0, 0]
    assert table["lost"].tolist() == [1, 0, 0, 0, 0, 0, 0, 1]
    assert table.loc[3, "won_amount"] == 24000.0
    assert table.loc[7, "lost_amount"] == 300000.0
    assert table.loc[0, "win_rate"] == 0.0 and table.loc[1, "win_rate"] == 1.0
    assert np.isnan(table.loc[2, "win_rate"])  # no closed deal: no rate, not 0%
    assert table.loc[0, "period_start"] == pd.Timestamp("2024-01-01")


def test_won_lost_per_quarter(deals):
    table = outcomes_over_time(deals, period="quarter")
    assert table["period"].tolist() == ["2024-Q1", "2024-Q2", "2024-Q3"]
    assert table["won"].tolist() == [1, 2, 0]
    assert table["win_rate"].tolist() == [0.5, 1.0, 0.0]
    assert table.loc[0, "value_win_rate"] == pytest.approx(1.0)  # the lost deal was worth 0


def test_auto_period_keeps_charts_readable(deals):
    assert len(outcomes_over_time(deals)) == 8  # months
    spread = deals.assign(close_date=deals["close_date"] + pd.to_timedelta(
        [0, 0, 0, 0, 0, 0, 1500, 0], unit="D"))
    labels = outcomes_over_time(spread)["period"]
    assert labels.iloc[0] == "2024-Q1" and len(labels) <= 36
    decade = spread.assign(close_date=spread["close_date"] + pd.to_timedelta(
        [0, 0, 0, 0, 0, 0, 3650, 0], unit="D"))
    assert outcomes_over_time(decade)["period"].iloc[0] == "2024"


def test_no_closed_deal_gives_an_empty_table(deals):
    table = outcomes_over_time(deals.iloc[[0, 5]])
    assert table.empty and "win_rate" in table.columns


def test_a_bad_period_is_a_parameter_error(deals):
    with pytest.raises(ParameterError, match="weekly") as info:
        outcomes_over_time(deals, period="weekly")
    assert "quarter" in info.value.hint


def test_log_bins_use_round_edges(deals):
    table = deal_size_bins(deals)
    assert table["bin_start"].tolist() == [1e3, 2e3, 5e3, 1e4, 2e4, 5e4, 1e5, 2e5]
    assert table["bin_end"].iloc[-1] == 5e5
    assert table["deals"].tolist() == [1, 1, 0, 2, 0, 0, 0, 1]
    assert table["won"].tolist() == [0, 1, 0, 2, 0, 0, 0, 0]
    assert table["lost"].tolist() == [0, 0, 0, 0, 0, 0, 0, 1]
    assert table["open"].tolist() == [1, 0, 0, 0, 0, 0, 0, 0]
    assert table["amount"].sum() == 327500.0  # zero, negative and missing left out
    assert table["label"].iloc[0] == "1k–2k"
    assert table["deal_share"].sum() == pytest.approx(1.0)


def test_quantile_bins_have_equal_counts():
    frame = pd.DataFrame({"stage": "Proposal", "amount": np.arange(1.0, 101.0)})
    table = deal_size_bins(frame, scale="quantile", bins=4)
    assert table["deals"].tolist() == [25, 25, 25, 25]
    assert table["bin_start"].iloc[0] == 1.0 and table["bin_end"].iloc[-1] == 100.0


def test_equal_amounts_still_get_a_band():
    frame = pd.DataFrame({"stage": "Proposal", "amount": [700.0] * 5})
    for scale in ("log", "quantile"):
        table = deal_size_bins(frame, scale=scale)
        assert table["deals"].sum() == 5 and len(table) == 1


def test_bad_scale_is_a_parameter_error(deals):
    with pytest.raises(ParameterError, match="linear"):
        deal_size_bins(deals, scale="linear")


def test_deal_size_stats(deals):
    table = deal_size_stats(deals).set_index("group")
    assert table.index.tolist() == ["all deals", "won", "lost", "open"]
    everyone = table.loc["all deals"]
    assert everyone["deals"] == 5 and everyone["total"] == 327500.0
    assert everyone["median"] == 12000.0
    assert everyone["p90"] == pytest.approx(184800.0)  # linear interpolation
    assert everyone["top_decile_share"] == pytest.approx(300000 / 327500)
    assert everyone["not_positive"] == 2
    assert table.loc["won", "deals"] == 3 and table.loc["won", "median"] == 12000.0
    assert table.loc["lost", "not_positive"] == 1 and table.loc["open", "not_positive"] == 1


def test_missing_required_columns_are_named(deals):
    with pytest.raises(MissingColumnsError, match="close_date") as info:
        outcomes_over_time(deals.drop(columns="close_date"))
    assert info.value.missing == ["close_date"]


def test_large_frames_reduce_to_small_tables():
    rng = np.random.default_rng(3)
    n = 200_000
    frame = pd.DataFrame(
        {
            "stage": rng.choice(["Proposal", "Closed Won", "Closed Lost"], n),
            "amount": rng.lognormal(10, 1.5, n),
            "close_date": pd.Timestamp("2023-01-01")
            + pd.to_timedelta(rng.integers(0, 900, n), unit="D"),
        }
    )
    assert len(pipeline_by_stage(frame)) == 3
    assert len(outcomes_over_time(frame)) <= 36
    assert len(deal_size_bins(frame)) <= 40
    assert deal_size_bins(frame)["deals"].sum() == n
