"""The data overview on every engine: the same tables, and only aggregates leave the engine.

Parity: one generated table (missing and tied amounts, zero and negative ones, exact copies
with and without an id, two deals sharing an id, dates in the future, blank values and two
spellings of a category)
goes through every overview function on pandas (the reference), Polars eager and lazy, DuckDB
and Spark. The results must be the same frames once normalised: numbers as float64, text and
flags as Python objects with None for missing (engines differ in integer widths and string
types, not in values), dates as time-zone-free microseconds (Spark hands back its timestamps
as UTC instants), floats equal to 1e-9 relative (engines add in different orders).
Example ids match too: the generated ids ascend in row order, so pandas' "first flagged rows"
are the lazy engines' "smallest flagged ids".
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
import pytest
from tests._frames import plain

from salesops_nb import backends
from salesops_nb.data.sample import generate_crm
from salesops_nb.overview import (
    data_quality,
    deal_size_bins,
    deal_size_stats,
    outcomes_over_time,
    pipeline_by_stage,
)

TODAY = "2025-06-30"
ENGINES = ["polars", "polars-lazy", "duckdb", "spark"]
QUALITY_TABLES = ["summary", "missing", "duplicate_ids", "dates", "spellings"]


@pytest.fixture(scope="module")
def deals() -> pd.DataFrame:
    frame = generate_crm(1500, seed=11).opportunities
    rng = np.random.default_rng(5)
    amount = frame["amount"].round(-3)  # many ties, also at quantile edges
    amount[rng.random(len(frame)) < 0.05] = np.nan
    amount.iloc[[3, 4]] = [0.0, -250.0]
    country = frame["country"].astype(str)
    country.iloc[[7, 8, 9]] = [" ", "\xa0\t", "\u3000x"]  # blanks (any white space) are missing
    region = frame["region"].astype(str)
    region[region == "EMEA"] = region[region == "EMEA"].where(
        rng.random(int((region == "EMEA").sum())) < 0.8, "emea ")  # a second spelling
    frame = frame.assign(amount=amount, country=country, region=region)
    created = frame["created_date"].copy()
    created.iloc[20] = pd.Timestamp("2031-01-01")  # created in the future
    frame = frame.assign(created_date=created)
    clash = frame.iloc[[30]].assign(amount=123_000.0)  # another deal reusing an id
    copy = frame.iloc[[40]]  # an exact copy: a double export
    no_id = frame.iloc[[50, 50]].assign(opportunity_id=None)  # a copy without an id
    return pd.concat([frame, clash, copy, no_id]).sort_values("opportunity_id", kind="stable") \
        .reset_index(drop=True)


def _on(engine: str, frame: pd.DataFrame, request: pytest.FixtureRequest) -> Any:
    if engine == "spark":
        return backends.to_engine(frame, "spark", spark=request.getfixturevalue("spark"))
    if engine == "polars":
        return backends.to_engine(frame, "polars", lazy=False)
    if engine == "polars-lazy":
        return backends.to_engine(frame, "polars", lazy=True)
    return backends.to_engine(frame, engine)


def _everything(deals: Any) -> dict[str, pd.DataFrame]:
    quality = data_quality(deals, today=TODAY)
    tables = {name: getattr(quality, name) for name in QUALITY_TABLES}
    tables["pipeline"] = pipeline_by_stage(deals)
    for period in ("auto", "month", "year"):
        tables[f"over_time_{period}"] = outcomes_over_time(deals, period=period)
    tables["bins_log"] = deal_size_bins(deals)
    tables["bins_quantile"] = deal_size_bins(deals, scale="quantile", bins=7)
    tables["stats"] = deal_size_stats(deals)
    return tables


@pytest.fixture(scope="module")
def expected(deals) -> dict[str, pd.DataFrame]:
    return _everything(deals)


@pytest.fixture(scope="module", params=ENGINES)
def got(request, deals) -> tuple[str, dict[str, pd.DataFrame]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)  # pyspark: pandas >= 3 "not supported"
        return request.param, _everything(_on(request.param, deals, request))


def test_the_data_has_every_planted_flaw(expected, deals):
    checks = expected["summary"].set_index("check")["count"]
    assert checks["Rows sharing an id with another row"] == 4  # the clash and the copy
    assert checks["Exact duplicate rows (extra copies)"] == 2
    assert checks["Created date in the future"] >= 1
    assert checks["Amount missing"] > 0 and checks["Amount zero"] == 1
    assert checks["Category values spelled several ways"] == 1
    assert deals["amount"].round(-3).duplicated().sum() > 100  # ties
    missing = expected["missing"].set_index("column")["missing"]
    assert missing["country"] == 2 and missing["cycle_days"] > 0


@pytest.mark.parametrize("name", [*QUALITY_TABLES, "pipeline", "over_time_auto",
                                  "over_time_month", "over_time_year", "bins_log",
                                  "bins_quantile", "stats"])
def test_every_table_is_the_same_on_every_engine(expected, got, name):
    engine, tables = got
    left, right = plain(expected[name]), plain(tables[name])
    assert not left.empty, name
    pd.testing.assert_frame_equal(left, right, check_exact=False, rtol=1e-9, atol=1e-12,
                                  obj=f"{name} on {engine}")


def test_lazy_engines_keep_the_pandas_column_types(got, expected):
    """Counts stay whole numbers and text stays text, so reports format them alike."""
    _, tables = got
    for name in ("pipeline", "bins_log", "stats", "summary", "missing", "over_time_auto"):
        for column, dtype in expected[name].dtypes.items():
            kind = tables[name][column].dtype
            assert pd.api.types.is_integer_dtype(kind) == pd.api.types.is_integer_dtype(dtype), \
                (name, column, kind)
            assert pd.api.types.is_float_dtype(kind) == pd.api.types.is_float_dtype(dtype), \
                (name, column, kind)


# ----------------------------------------------------------------------------- no collect
@pytest.mark.slow
def test_the_overview_collects_no_rows_to_the_driver_on_spark(spark, collected_rows):
    """20,000 deals, 20,000 distinct regions and 5,000 stages: only aggregates come back."""
    deals = generate_crm(20_000, seed=3).opportunities
    n = len(deals)
    region = pd.Series([f"Region {i:05d}" for i in range(n)])
    region.iloc[-1] = "region-00001"  # a long-tail spelling of the first region
    stage = deals["stage"].astype(str).where(np.arange(n) % 4 > 0,
                                             [f"Stage {i % 5000}" for i in range(n)])
    deals = deals.assign(region=region.to_numpy(), stage=stage.to_numpy())
    frame = backends.to_engine(deals, "spark", spark=spark)
    collected_rows.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        quality = data_quality(frame, today=TODAY)
        stages = pipeline_by_stage(frame)
        outcomes_over_time(frame)
        deal_size_bins(frame)
        deal_size_bins(frame, scale="quantile")
        deal_size_stats(frame)
    assert collected_rows, "the spy saw no collect: it is not wired to the path narwhals uses"
    biggest = max(rows for _, rows in collected_rows)
    assert biggest <= 3000, collected_rows
    # Capped, not lost: the long-tail spelling is still found, the stages past 100 summed.
    assert set(quality.spellings["spelling"]) == {"'Region 00001'", "'region-00001'"}
    assert len(stages) == 101 and stages["stage"].iloc[-1] == "(other stages)"
    assert stages["deals"].sum() == n


def test_many_stages_are_capped_alike_on_pandas_and_duckdb():
    frame = pd.DataFrame({"stage": [f"S{i % 300:03d}" for i in range(3000)] + ["Closed Won"],
                          "amount": np.arange(3001, dtype=float)})
    frame.loc[frame["stage"] == "S007", "amount"] = np.nan
    expected = pipeline_by_stage(frame)
    assert len(expected) == 101 and expected["deals"].sum() == 3001
    assert expected["stage"].iloc[0] == "Closed Won"  # a known stage leads whatever its size
    got = pipeline_by_stage(backends.to_engine(frame, "duckdb"))
    pd.testing.assert_frame_equal(plain(expected), plain(got), rtol=1e-9)
