"""The whole ``analyse`` on engines: the same summary tables everywhere, no raw rows collected.

- Parity: sizes, quality, schemes, flagged entities, benchmarks and priorities of ``analyse``
  on pandas equal those on Polars lazy, DuckDB and Spark, for reps (entity table collected)
  and for deals (entity table kept on the engine), including a shrunk win rate of deals.
- No collect: on Spark, ``analyse`` of 20,000 deals by rep and by deal never brings more than
  a few thousand rows to the driver at once (a spy on every Spark action that returns rows).
- Deals on an engine: the result says what it kept (the flagged deals shown, every count) and
  the export writes every deal's assignment from the engine.
"""

from __future__ import annotations

import warnings
from typing import Any

import pandas as pd
import pytest
from tests._frames import plain

from salesops_nb import backends
from salesops_nb.data.sample import generate_crm
from salesops_nb.segmentation import _deal_level
from salesops_nb.segmentation.analysis import analyse
from salesops_nb.segmentation.exports import export

CASES = {  # name: (entity, metric)
    "reps": ("reps", None),
    "deals": ("opportunities", None),
    "deals-win-rate": ("opportunities", "win_rate"),
}


@pytest.fixture(scope="module")
def deals() -> pd.DataFrame:
    return generate_crm(2500, seed=11).opportunities


@pytest.fixture(scope="module")
def on_pandas(deals) -> dict[str, Any]:
    return {name: analyse(deals, entity=entity, metric=metric)
            for name, (entity, metric) in CASES.items()}


def _on(engine: str, frame: pd.DataFrame, request: pytest.FixtureRequest) -> Any:
    if engine == "spark":
        return backends.to_engine(frame, "spark", spark=request.getfixturevalue("spark"))
    return backends.to_engine(frame, engine)  # Polars: a LazyFrame


def _summary(result) -> dict[str, pd.DataFrame]:
    """The tables a report shows, as plain pandas (float64 numbers, object text, None)."""
    tables = {
        "sizes": result.profile, "quality": result.quality_table(),
        "schemes": result.schemes, "bad": result.flagged("bad"),
        "good": result.flagged("good"), "benchmarks": result.benchmarks(),
        "priorities": result.priorities,
        "counts": pd.DataFrame(sorted(result.outcome_counts.items()), columns=["flag", "n"]),
    }
    return {name: plain(table) for name, table in tables.items()}


@pytest.mark.slow
@pytest.mark.parametrize("engine", ["polars", "duckdb", "spark"])
def test_analyse_gives_the_same_summary_tables_on_every_engine(engine, deals, on_pandas,
                                                               request):
    frame = _on(engine, deals, request)
    for name, (entity, metric) in CASES.items():
        # Spark is slow (a JVM job per aggregate): one deal case, schemes left to the others.
        spark = engine == "spark"
        if spark and name == "deals-win-rate":
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            got = analyse(frame, entity=entity, metric=metric, schemes=not spark)
        expected = on_pandas[name]
        assert got.complete is (entity != "opportunities"), name
        want, have = _summary(expected), _summary(got)
        for table in want:
            if spark and table == "schemes":
                continue
            left = want[table]
            if not got.complete and table in ("bad", "good"):
                left = left.head(_deal_level.SHOWN_ROWS)  # the engine keeps the rows shown
            pd.testing.assert_frame_equal(left, have[table], check_exact=False, rtol=1e-9,
                                          atol=1e-12, obj=f"{name}: {table}")
        assert got.size == expected.size == (len(deals) if entity == "opportunities"
                                             else len(expected.table))


def test_deals_on_an_engine_keep_the_flagged_rows_shown_and_every_count(deals, on_pandas):
    expected = on_pandas["deals"]
    got = analyse(backends.to_engine(deals, "duckdb"), entity="opportunities")
    assert not got.complete and got.size == len(deals)
    assert expected.outcome_counts["bad"] > _deal_level.SHOWN_ROWS  # so the bound is used
    assert len(got.table) == 2 * _deal_level.SHOWN_ROWS
    assert set(got.table["outcome"]) == {"bad", "good"}
    assert got.outcome_counts == expected.outcome_counts
    assert got.funnel_chart() is None  # one point per deal: not drawn for deals on an engine
    assert "title" in str(got.distribution_chart().to_dict())


def test_the_export_of_deals_on_an_engine_writes_every_assignment_from_the_engine(
        deals, on_pandas, tmp_path):
    result = analyse(backends.to_engine(deals, "duckdb"), entity="opportunities",
                     schemes=False)
    files = export(result, tmp_path)
    assert files["csv"].name == "segmentation-flagged.csv"
    flagged = pd.read_csv(files["csv"])
    assert len(flagged) == 2 * _deal_level.SHOWN_ROWS
    everything = pd.read_parquet(files["parquet"]).sort_values("opportunity_id")
    expected = on_pandas["deals"].table.sort_values("opportunity_id")
    assert len(everything) == len(deals)
    assert everything["outcome"].tolist() == expected["outcome"].tolist()
    assert everything["treatment"].tolist() == expected["treatment"].tolist()


# ----------------------------------------------------------------------------- no collect
@pytest.mark.slow
def test_analyse_collects_no_raw_rows_on_spark(spark, collected_rows):
    """20,000 deals by rep and by deal: only aggregates and the shown rows come back."""
    deals = generate_crm(20_000, seed=3).opportunities
    frame = backends.to_engine(deals, "spark", spark=spark)
    biggest = {}
    for entity in ("reps", "opportunities"):
        collected_rows.clear()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", FutureWarning)
            result = analyse(frame, entity=entity)
        assert collected_rows, "the spy saw no collect: it is not wired to the path used"
        biggest[entity] = max(rows for _, rows in collected_rows)
        assert result.size == (20_000 if entity == "opportunities" else len(result.table))
    assert biggest["reps"] <= 3000, biggest
    assert biggest["opportunities"] <= 3000, biggest
    assert result.outcome_counts["bad"] > 3000  # the deals flagged bad were counted, not brought
