"""The sample CRM generator: shape, invariants, planted effects, messy mode, writing files."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from salesops_nb.data.sample import SampleCRM, generate_crm, sample_opportunities, write_sample
from salesops_nb.data.schema import ACCOUNTS, OPPORTUNITIES, REPS
from salesops_nb.errors import DataFileError, ParameterError

STAGES = ["Prospecting", "Qualification", "Proposal", "Negotiation", "Closed Won", "Closed Lost"]
OPEN_STAGES = STAGES[:4]


@pytest.fixture(scope="module")
def crm() -> SampleCRM:
    return generate_crm(5000, seed=7)


@pytest.fixture(scope="module")
def messy() -> SampleCRM:
    return generate_crm(5000, seed=7, messy=True)


def _closed(crm: SampleCRM) -> pd.DataFrame:
    opps = crm.opportunities
    return opps[opps["is_closed"]]


def _win_rate(frame: pd.DataFrame, by: str) -> pd.Series:
    return frame.groupby(by, observed=True)["is_won"].mean()


# --- shape and value conventions ----------------------------------------------------------


def test_tables_have_the_canonical_columns_in_order(crm):
    assert list(crm.accounts.columns) == ACCOUNTS.names
    assert list(crm.reps.columns) == REPS.names
    assert list(crm.opportunities.columns) == OPPORTUNITIES.names
    assert len(crm.opportunities) == 5000


def test_table_sizes_scale_with_rows():
    small, large = generate_crm(400, seed=1), generate_crm(40_000, seed=1)
    assert len(small.accounts) == 100 and len(large.accounts) == 10_000
    assert 12 <= len(small.reps) < len(large.reps) <= 400
    assert set(small.tables) == {"accounts", "reps", "opportunities"}


def test_value_conventions(crm):
    opps = crm.opportunities
    assert set(opps["stage"].astype(str)) == set(STAGES)
    assert opps["is_closed"].dtype == bool and opps["is_won"].dtype == bool
    assert opps["amount"].dtype == np.float64 and (opps["amount"] > 0).all()
    assert str(opps["cycle_days"].dtype) == "Int64"
    for column in ("created_date", "close_date"):
        assert pd.api.types.is_datetime64_dtype(opps[column])
        assert (opps[column] == opps[column].dt.normalize()).all()  # dates, no time of day
    assert opps["discount"].between(0.0, 0.5).all() and (opps["discount"] > 0).mean() > 0.5
    assert opps["opportunity_id"].str.fullmatch(r"OPP-\d{6}").all()
    assert crm.accounts["account_id"].str.fullmatch(r"ACC-\d{5}").all()
    assert crm.reps["rep_id"].str.fullmatch(r"REP-\d{3}").all()
    assert set(opps["region"].astype(str)) == {"North America", "EMEA", "APAC", "LATAM"}
    assert set(crm.reps["team"].astype(str)) == {"SMB", "Mid-Market", "Enterprise"}
    assert 6 <= opps["industry"].nunique() <= 10
    assert opps["product_line"].nunique() == 4 and opps["lead_source"].nunique() == 5
    assert crm.reps["quota"].gt(0).all() and crm.reps["manager"].notna().all()
    assert crm.reps["hire_date"].max() < opps["created_date"].min()
    assert opps.notna().all().drop("cycle_days").all()


# --- invariants ---------------------------------------------------------------------------


def test_dates_stages_and_outcomes_agree(crm):
    opps = crm.opportunities
    stage = opps["stage"].astype(str)
    assert (opps["close_date"] >= opps["created_date"]).all()
    assert not (opps["is_won"] & ~opps["is_closed"]).any()
    assert (stage.eq("Closed Won") == opps["is_won"]).all()
    assert (stage.isin(["Closed Won", "Closed Lost"]) == opps["is_closed"]).all()
    assert stage[~opps["is_closed"]].isin(OPEN_STAGES).all()
    closed = opps["is_closed"]
    days = (opps["close_date"] - opps["created_date"]).dt.days
    assert (opps.loc[closed, "cycle_days"].astype("int64") == days[closed]).all()
    assert opps.loc[~closed, "cycle_days"].isna().all()


def test_ids_are_unique_and_every_reference_exists(crm):
    opps, accounts, reps = crm.opportunities, crm.accounts, crm.reps
    assert opps["opportunity_id"].is_unique
    assert accounts["account_id"].is_unique and accounts["account_name"].is_unique
    assert reps["rep_id"].is_unique and reps["rep_name"].is_unique
    assert opps["account_id"].astype(str).isin(accounts["account_id"]).all()
    assert opps["rep_id"].astype(str).isin(reps["rep_id"]).all()
    assert accounts["rep_id"].isin(reps["rep_id"]).all()
    assert set(crm.planted_underperformers) <= set(reps["rep_id"])


def test_opportunities_repeat_their_account_and_rep_attributes(crm):
    opps = crm.opportunities.astype({"account_id": str, "rep_id": str})
    account_cols = ["account_name", "industry", "region", "country", "employees",
                    "annual_revenue"]
    joined = opps[["account_id", *account_cols]].merge(
        crm.accounts, on="account_id", suffixes=("", "_account"), validate="many_to_one")
    for column in account_cols:
        left, right = joined[column], joined[f"{column}_account"]
        assert (left.astype(str) == right.astype(str)).all(), column
    with_rep = opps[["rep_id", "rep_name", "team", "region"]].merge(
        crm.reps, on="rep_id", suffixes=("", "_rep"), validate="many_to_one")
    for column in ("rep_name", "team", "region"):  # a rep sells in their own region
        assert (with_rep[column].astype(str) == with_rep[f"{column}_rep"].astype(str)).all()
    account_created = crm.accounts.set_index("account_id")["created_date"][opps["account_id"]]
    assert (opps["created_date"].to_numpy() >= account_created.to_numpy()).all()


def test_same_seed_same_data_other_seed_other_data(crm):
    again = generate_crm(5000, seed=7)
    for name, frame in crm.tables.items():
        pd.testing.assert_frame_equal(frame, again.tables[name])
    assert again.planted_underperformers == crm.planted_underperformers
    other = generate_crm(5000, seed=8)
    assert not other.opportunities["amount"].equals(crm.opportunities["amount"])


@pytest.mark.parametrize("rows", [1, 2, 17, 100])
def test_tiny_samples_work(rows):
    crm = generate_crm(rows, seed=3)
    assert len(crm.opportunities) == rows
    assert len(crm.planted_underperformers) >= 1
    assert len(generate_crm(rows, seed=3, messy=True).opportunities) == rows


def test_sample_opportunities_is_the_opportunities_table(crm):
    pd.testing.assert_frame_equal(sample_opportunities(5000, seed=7), crm.opportunities)


def test_generating_prints_nothing(capsys):
    generate_crm(300, seed=2, messy=True)
    captured = capsys.readouterr()
    assert captured.out == "" and captured.err == ""


# --- history ------------------------------------------------------------------------------


def test_history_spans_years_up_to_end_and_open_deals_are_recent():
    crm = generate_crm(5000, seed=5, years=2, end="2025-06-30")
    opps = crm.opportunities
    end, start = pd.Timestamp("2025-06-30"), pd.Timestamp("2023-07-01")
    assert opps["created_date"].max() <= end
    assert opps["created_date"].min() >= start - pd.Timedelta(days=2)  # weekends move
    assert opps["created_date"].min() < start + pd.Timedelta(days=30)
    closed = opps["is_closed"]
    assert (opps.loc[closed, "close_date"] <= end).all()
    assert (opps.loc[~closed, "close_date"] > end).all()  # expected close of open deals
    assert 0.02 < (~closed).mean() < 0.2
    open_created = opps.loc[~closed, "created_date"]
    assert (open_created > end - pd.Timedelta(days=365)).mean() > 0.95  # long cycles: a few
    assert open_created.median() > end - pd.Timedelta(days=90)
    assert opps["opportunity_id"].is_monotonic_increasing
    assert opps["created_date"].is_monotonic_increasing  # ids follow creation, as in a CRM


def test_end_accepts_a_date_object():
    crm = generate_crm(300, seed=1, end=dt.date(2024, 12, 31), years=1)
    assert crm.opportunities["created_date"].max() <= pd.Timestamp("2024-12-31")


# --- planted structure --------------------------------------------------------------------


def test_win_rate_differs_by_segment(crm):
    closed = _closed(crm)
    by_source = _win_rate(closed, "lead_source")
    assert by_source["Referral"] > by_source["Outbound"] + 0.10
    by_team = _win_rate(closed, "team")
    assert by_team["SMB"] > by_team["Mid-Market"] > by_team["Enterprise"]
    by_industry = _win_rate(closed, "industry")
    assert by_industry.max() - by_industry.min() > 0.07


def test_deal_size_differs_by_segment(crm):
    size = crm.opportunities.groupby("team", observed=True)["amount"].median()
    assert size["Mid-Market"] > 2 * size["SMB"]
    assert size["Enterprise"] > 2 * size["Mid-Market"]
    by_product = crm.opportunities.groupby("product_line", observed=True)["amount"].median()
    assert by_product["Core Platform"] > 1.5 * by_product["Integrations"]


@pytest.mark.parametrize("seed", [7, 11, 23])
def test_planted_underperformers_sit_in_their_segments_bottom_quartile(seed):
    crm = generate_crm(5000, seed=seed)
    assert len(crm.planted_underperformers) >= 3
    closed = _closed(crm).astype({"rep_id": str})
    rates = closed.groupby("rep_id")["is_won"].agg(["mean", "size"])
    reps = crm.reps.set_index("rep_id").join(rates, how="inner")
    segment = [reps["team"], reps["region"]]
    bottom_quartile = reps.groupby(segment, observed=True)["mean"].transform(
        lambda rate: rate.quantile(0.25))
    peers = reps.groupby(segment, observed=True)["mean"].transform("size")
    planted = reps.loc[list(crm.planted_underperformers)]
    assert (peers[planted.index] >= 4).all()  # enough peers for a quartile to mean something
    assert (planted["size"] >= 30).all()  # and enough deals for a rate to mean something
    assert (planted["mean"] <= bottom_quartile[planted.index]).all()
    others = reps.drop(planted.index)
    assert planted["mean"].mean() < 0.6 * others["mean"].mean()


def test_more_deals_close_in_the_last_month_of_a_quarter(crm):
    month = _closed(crm)["close_date"].dt.month
    last_month_share = (month % 3 == 0).mean()
    assert last_month_share > 0.45  # about a third without quarter-end pressure


def test_revenue_has_a_long_tail(crm):
    won = _closed(crm).query("is_won")
    by_account = won.groupby("account_id", observed=True)["amount"].sum().sort_values()[::-1]
    top = by_account.iloc[: max(1, len(by_account) // 5)]
    assert top.sum() / by_account.sum() > 0.6
    revenue = crm.accounts["annual_revenue"].sort_values()[::-1]
    assert revenue.iloc[: len(revenue) // 5].sum() / revenue.sum() > 0.6


# --- messy mode ---------------------------------------------------------------------------


def test_messy_has_missing_values_in_several_columns(messy):
    missing = messy.opportunities.isna().mean()
    flawed = missing[(missing > 0.005) & (missing < 0.1)].index
    assert {"lead_source", "industry", "discount", "employees", "amount"} <= set(flawed)
    assert missing["opportunity_id"] == 0 and missing["stage"] == 0


def test_messy_duplicates_opportunity_ids(messy):
    opps = messy.opportunities
    duplicated = opps["opportunity_id"].duplicated(keep=False)
    assert 0.01 < opps["opportunity_id"].duplicated().mean() < 0.03
    copies = opps[duplicated].astype(str).sort_values(list(opps.columns))
    assert copies.duplicated(keep=False).all()  # re-exported rows: exact copies


def test_messy_spells_categories_several_ways(messy):
    regions = set(messy.opportunities["region"].dropna().astype(str))
    assert {"EMEA", "emea", "Emea ", "E.M.E.A."} <= regions
    assert {"United States", "USA"} <= set(messy.opportunities["country"].dropna().astype(str))
    share_canonical = messy.opportunities["region"].isin(
        ["North America", "EMEA", "APAC", "LATAM"]).mean()
    assert 0.85 < share_canonical < 0.99


def test_messy_amounts_are_text_that_means_the_clean_amount(crm, messy):
    text = messy.opportunities["amount"]
    assert pd.api.types.is_string_dtype(text)
    dollar = text.str.startswith("$", na=False)
    assert 0.02 < dollar.mean() < 0.1
    assert text[dollar].str.fullmatch(r"\$\d{1,3}(,\d{3})*\.\d{2}").all()
    assert text[~dollar].dropna().str.fullmatch(r"\d+\.\d{2}").all()
    # Rows that were not replaced by a duplicate keep their clean values.
    kept = ~messy.opportunities["opportunity_id"].duplicated(keep=False)
    kept &= text.notna()
    parsed = pd.to_numeric(text[kept].str.replace(r"[$,]", "", regex=True))
    clean = crm.opportunities.set_index("opportunity_id")["amount"]
    ids = messy.opportunities.loc[kept, "opportunity_id"]
    np.testing.assert_allclose(parsed.to_numpy(), clean[ids].to_numpy(), atol=0.005)


def test_messy_keeps_the_clean_data_underneath(crm, messy):
    opps = messy.opportunities
    kept = ~opps["opportunity_id"].duplicated(keep=False)
    clean = crm.opportunities.set_index("opportunity_id")
    ids = opps.loc[kept, "opportunity_id"]
    for column in ("stage", "created_date", "rep_id", "is_won"):
        assert (opps.loc[kept, column].to_numpy() == clean.loc[ids, column].to_numpy()).all()
    again = generate_crm(5000, seed=7, messy=True)
    pd.testing.assert_frame_equal(opps, again.opportunities)


# --- writing files ------------------------------------------------------------------------


def _assert_same_values(original: pd.DataFrame, loaded: pd.DataFrame, kinds: dict[str, str]):
    assert list(loaded.columns) == list(original.columns)
    assert len(loaded) == len(original)
    for column in original.columns:
        want, got = original[column], loaded[column]
        kind = kinds[column]
        if kind == "date":
            assert (pd.to_datetime(got).to_numpy() == want.to_numpy()).all(), column
        elif kind in ("number", "integer"):
            np.testing.assert_allclose(pd.to_numeric(got).to_numpy(dtype=float),
                                       want.to_numpy(dtype=float, na_value=np.nan),
                                       equal_nan=True, err_msg=column)
        elif kind == "bool":
            assert (got.astype(bool).to_numpy() == want.to_numpy()).all(), column
        else:
            assert got.astype(str).tolist() == want.astype(str).tolist(), column


@pytest.mark.parametrize("fmt", ["csv", "xlsx", "parquet"])
def test_write_sample_round_trips(tmp_path, fmt):
    crm = generate_crm(300, seed=4)
    paths = write_sample(crm, tmp_path / "new" / "folder", fmt)
    assert set(paths) == {"accounts", "reps", "opportunities"}
    schemas = {"accounts": ACCOUNTS, "reps": REPS, "opportunities": OPPORTUNITIES}
    for name, path in paths.items():
        assert path == tmp_path / "new" / "folder" / f"{name}.{fmt}" and path.is_file()
        if fmt == "csv":
            loaded = pd.read_csv(path)
        elif fmt == "xlsx":
            loaded = pd.read_excel(path)
        else:
            loaded = pd.read_parquet(path)
            pd.testing.assert_frame_equal(loaded, crm.tables[name])
        kinds = {c.name: c.kind for c in schemas[name].columns}
        _assert_same_values(crm.tables[name], loaded, kinds)


def test_write_sample_refuses_xlsx_beyond_a_worksheet(tmp_path):
    small = generate_crm(100, seed=1)
    too_long = pd.DataFrame({"opportunity_id": np.zeros(1_048_576, dtype=np.int8)})
    crm = SampleCRM(small.accounts, small.reps, too_long)
    with pytest.raises(DataFileError) as caught:
        write_sample(crm, tmp_path / "out", "xlsx")
    assert "1,048,576" in caught.value.message and "opportunities" in caught.value.message
    assert "parquet" in caught.value.hint
    assert not (tmp_path / "out").exists()


def test_write_sample_unknown_format(tmp_path):
    with pytest.raises(DataFileError) as caught:
        write_sample(generate_crm(100), tmp_path, "xls")  # type: ignore[arg-type]
    assert "'xls'" in caught.value.message and "parquet" in caught.value.hint


def test_write_sample_into_a_file_path_explains(tmp_path):
    blocker = tmp_path / "taken"
    blocker.write_text("not a folder")
    with pytest.raises(DataFileError) as caught:
        write_sample(generate_crm(100), blocker, "csv")
    assert str(blocker) in caught.value.message and caught.value.hint
    assert blocker.read_text() == "not a folder"


# --- arguments ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "word"),
    [
        ({"rows": 0}, "rows"),
        ({"rows": 12.5}, "rows"),
        ({"rows": True}, "rows"),
        ({"rows": 10, "years": 0}, "years"),
        ({"rows": 10, "seed": -1}, "seed"),
        ({"rows": 10, "end": "the end of days"}, "end"),
        ({"rows": 10, "messy": "yes"}, "messy"),
    ],
)
def test_bad_arguments_raise_a_parameter_error(kwargs, word):
    with pytest.raises(ParameterError) as caught:
        generate_crm(**kwargs)
    assert caught.value.message.startswith(word) and caught.value.hint


# --- large --------------------------------------------------------------------------------


@pytest.mark.slow
def test_one_million_rows_generate_with_invariants_intact(tmp_path: Path):
    crm = generate_crm(1_000_000, seed=7)
    opps = crm.opportunities
    assert opps.shape == (1_000_000, len(OPPORTUNITIES.names))
    assert opps["opportunity_id"].is_unique
    assert opps["opportunity_id"].iloc[-1] == "OPP-1000000"
    assert (opps["close_date"] >= opps["created_date"]).all()
    assert not (opps["is_won"] & ~opps["is_closed"]).any()
    assert (opps["stage"].eq("Closed Won") == opps["is_won"]).all()
    assert opps["rep_id"].astype(str).isin(crm.reps["rep_id"]).all()
    assert opps["account_id"].astype(str).isin(crm.accounts["account_id"]).all()
    assert len(crm.accounts) == 250_000 and len(crm.reps) == 400
    assert len(crm.planted_underperformers) == 6
    assert opps.memory_usage(deep=True).sum() < 400e6  # categoricals keep it compact
