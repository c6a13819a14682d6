from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import polars as pl
import pytest

from salesops_nb.data.load import load_opportunities
from salesops_nb.data.sample import generate_crm
from salesops_nb.errors import DataError, MissingColumnsError, ParameterError
from salesops_nb.segmentation.entities import (
    DEAL_METRICS,
    account_table,
    entity_table,
    opportunity_table,
    rep_table,
)


@pytest.fixture(scope="module")
def deals() -> pd.DataFrame:
    return generate_crm(3000, seed=5).opportunities


def assert_same(ours: pd.DataFrame, theirs: pl.DataFrame) -> None:
    """Same values; pandas' nullable Float64 (<NA>) and Polars' nulls both read as NaN."""
    plain = ours.astype({c: "float64" for c in ours.columns if ours[c].dtype == "Float64"})
    pd.testing.assert_frame_equal(plain, theirs.to_pandas(), check_dtype=False)


def _tiny() -> pd.DataFrame:
    return pd.DataFrame({
        "opportunity_id": ["o1", "o2", "o3", "o4", "o5", "o6"],
        "rep_id": ["r1", "r1", "r1", "r1", "r2", "r2"],
        "rep_name": ["Ann", "Ann", "Ann", "Ann", "Bo", "Bo"],
        "team": ["SMB", "SMB", "SMB", "Mid", "SMB", "SMB"],
        "region": ["EMEA"] * 6,
        "amount": [100.0, 300.0, 50.0, 1000.0, 70.0, 30.0],
        "is_closed": [True, True, True, False, False, False],
        "is_won": [True, True, False, False, False, False],
        "cycle_days": pd.array([10, 20, 60, None, None, None], dtype="Int64"),
        "close_date": pd.to_datetime(["2025-01-05", "2025-02-01", "2025-04-30", "2025-07-01",
                                      "2025-03-01", "2025-12-31"]),
    })


def test_rep_metrics_by_hand():
    reps = rep_table(_tiny())
    assert reps.columns.tolist() == ["rep_id", "rep_name", "team", "region", *DEAL_METRICS]
    ann = reps.iloc[0].to_dict()
    assert ann["rep_id"] == "r1" and ann["team"] == "SMB"  # most frequent team wins
    assert (ann["deals"], ann["closed"], ann["won"], ann["lost"]) == (4, 3, 2, 1)
    assert ann["win_rate"] == pytest.approx(2 / 3)
    assert ann["won_amount"] == 400.0
    assert ann["avg_deal_size"] == 200.0  # mean of won deals
    assert ann["avg_cycle_days"] == pytest.approx(30.0)  # closed deals only
    assert ann["pipeline"] == 1000.0  # the open deal
    bo = reps.iloc[1]
    assert bo["closed"] == 0 and pd.isna(bo["win_rate"]) and pd.isna(bo["avg_deal_size"])
    assert bo["pipeline"] == 100.0 and bo["won_amount"] == 0.0


def test_between_keeps_deals_in_the_window_both_ends_included():
    reps = rep_table(_tiny(), between=("2025-01-05", dt.date(2025, 4, 30)))
    assert reps.set_index("rep_id")["deals"].to_dict() == {"r1": 3, "r2": 1}


def test_per_quarter_gives_one_row_per_rep_and_period():
    reps = rep_table(_tiny(), per="quarter")
    assert list(zip(reps.rep_id, reps.period, strict=True)) == [
        ("r1", "2025-Q1"), ("r1", "2025-Q2"), ("r1", "2025-Q3"),
        ("r2", "2025-Q1"), ("r2", "2025-Q4")]
    months = rep_table(_tiny(), per="month")
    assert months.period.tolist()[:3] == ["2025-01", "2025-02", "2025-04"]
    assert rep_table(_tiny(), per="year").period.unique().tolist() == ["2025"]


def test_one_row_per_rep_and_every_deal_counted(deals):
    reps = rep_table(deals)
    assert reps.rep_id.is_unique
    assert reps.deals.sum() == len(deals)
    assert reps.won.sum() == int(deals.is_won.sum())
    assert reps.pipeline.sum() == pytest.approx(deals.loc[~deals.is_closed, "amount"].sum())
    expected = deals.groupby("rep_id", observed=True)["is_won"].sum()
    assert reps.set_index("rep_id")["won"].to_dict() == expected.to_dict()


def test_account_table_has_firmographics_and_revenue_won(deals):
    accounts = account_table(deals)
    assert accounts.account_id.is_unique
    for column in ("industry", "region", "country", "employees", "annual_revenue"):
        assert accounts[column].notna().all()
    won = deals[deals.is_won].groupby("account_id", observed=True)["amount"].sum()
    got = accounts.set_index("account_id")["won_amount"]
    assert np.allclose(got.loc[won.index], won.to_numpy())


@pytest.mark.parametrize("kind", ["reps", "accounts"])
@pytest.mark.parametrize("options", [{}, {"per": "quarter"},
                                     {"between": ("2024-01-01", "2024-12-31"), "per": "month"}])
def test_pandas_and_polars_give_the_same_table(deals, kind, options):
    ours = entity_table(deals, kind, **options)
    theirs = entity_table(pl.from_pandas(deals), kind, **options)
    assert isinstance(theirs, pl.DataFrame)
    assert_same(ours, theirs)


def test_opportunity_pass_through_keeps_rows_and_adds_metrics():
    table = opportunity_table(_tiny())
    assert table.opportunity_id.tolist() == ["o1", "o2", "o3", "o4", "o5", "o6"]
    assert table.columns.tolist()[-len(DEAL_METRICS):] == list(DEAL_METRICS)
    assert table.won.tolist() == [1, 1, 0, 0, 0, 0]
    assert table.win_rate.tolist()[:3] == [1.0, 1.0, 0.0] and table.win_rate[3:].isna().all()


def test_loaded_export_works():
    deals = load_opportunities(sample_rows=800, seed=2)
    assert rep_table(deals).deals.sum() == 800


def test_mistakes_raise_teaching_errors():
    with pytest.raises(MissingColumnsError, match="is_won"):
        rep_table(_tiny().drop(columns="is_won"))
    with pytest.raises(DataError, match="amount holds text"):
        rep_table(_tiny().assign(amount=["$1"] * 6))
    with pytest.raises(ParameterError, match="entity="):
        entity_table(_tiny(), "teams")
    with pytest.raises(ParameterError, match="per="):
        rep_table(_tiny(), per="week")
    with pytest.raises(ParameterError, match="before the start"):
        rep_table(_tiny(), between=("2025-12-01", "2025-01-01"))
    with pytest.raises(ParameterError, match="not a date"):
        rep_table(_tiny(), between=("soon", "2025-01-01"))
    with pytest.raises(DataError, match="does not hold dates"):
        rep_table(_tiny().assign(close_date="2025-01-01"), per="year")
