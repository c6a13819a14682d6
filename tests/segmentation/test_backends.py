"""The same spec gives the same results on pandas, Polars (eager, lazy), DuckDB and Spark.

One generated data set with missing values (null and NaN) and many ties runs through the whole
segmentation pipeline on every engine: fitted edges, deal labels, profiles, entity tables,
comparison, benchmarks, treatment priorities, the mix check and the rule checks. Results are
compared with pandas' after turning every table into plain pandas (float64 numbers, text as
objects, None for missing), so dtype flavours (nullable Int64, Arrow strings) do not count as
differences but any value does.

A second part checks that on Spark no step brings more than a few thousand rows to the driver.
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
from salesops_nb.segmentation.bandings import pareto_curve
from salesops_nb.segmentation.compare import compare
from salesops_nb.segmentation.engine import assign, fit, profile
from salesops_nb.segmentation.entities import account_table, opportunity_table, rep_table
from salesops_nb.segmentation.mix import mix_check
from salesops_nb.segmentation.priorities import priorities
from salesops_nb.segmentation.quality import measures_table, quality_report
from salesops_nb.segmentation.rules import check_rules
from salesops_nb.segmentation.spec import SegmentationSpec
from salesops_nb.segmentation.spec_parts import (
    Banding,
    Condition,
    Matrix,
    MatrixCell,
    Rule,
    Stratification,
    Treatment,
)

ENGINES = ["polars", "polars-lazy", "duckdb", "spark"]
DEAL_LABELS = ["segment", "stratum", "size", "abc", "jenks", "width", "staff", "grid"]


# ----------------------------------------------------------------------------- fixtures
@pytest.fixture(scope="module")
def deals() -> pd.DataFrame:
    frame = generate_crm(3000, seed=11).opportunities
    rng = np.random.default_rng(5)
    amount = frame["amount"].round(-3)  # many ties, also at quantile edges
    amount[rng.random(len(frame)) < 0.05] = np.nan
    discount = frame["discount"].copy()
    discount[rng.random(len(frame)) < 0.1] = np.nan
    return frame.assign(amount=amount, discount=discount)


def _on(engine: str, frame: pd.DataFrame, request: pytest.FixtureRequest) -> Any:
    if engine == "duckdb":
        pytest.importorskip("duckdb")
        return backends.to_engine(frame, "duckdb")
    if engine == "spark":
        return backends.to_engine(frame, "spark", spark=request.getfixturevalue("spark"))
    if engine == "polars":
        return backends.to_engine(frame, "polars", lazy=False)
    return backends.to_engine(frame, "polars", lazy=True)


def _deal_spec() -> SegmentationSpec:
    return SegmentationSpec(
        name="parity",
        rules=[
            Rule(label="Enterprise", when=[Condition(field="team", value="Enterprise")]),
            Rule(label="Big EMEA", when=[Condition(field="region", op="in", value=["EMEA"]),
                                         Condition(field="amount", op=">", value=40_000)]),
            Rule(label="Partner or small", match="any", when=[
                Condition(field="lead_source", value="Partner"),
                Condition(field="employees", op="<", value=100)]),
            Rule(label="Nobody", when=[Condition(field="lead_source", value="Carrier pigeon")]),
        ],
        catch_all="Other",
        bandings=[
            Banding(name="size", field="amount", quantiles=[0.1, 0.25, 0.5, 0.9]),
            Banding(name="abc", field="amount", method="abc"),
            Banding(name="jenks", field="discount", method="jenks", bins=4),
            Banding(name="width", field="discount", method="equal_width", bins=5),
            Banding(name="staff", field="employees", method="thresholds",
                    thresholds=[200, 2000], labels=["S", "M", "L"]),
        ],
        matrices=[Matrix(name="grid", rows="staff", columns="abc",
                         cells=[MatrixCell(row="L", column="A", label="Strategic")])],
        strata=Stratification(metric="amount"),
    )


def _rep_spec() -> SegmentationSpec:
    return SegmentationSpec(
        name="reps",
        bandings=[Banding(name="volume", field="won_amount", quantiles=[0.25, 0.5, 0.75])],
        strata=Stratification(metric="win_rate", count=4),
        treatments=[Treatment(kind="treatment", name="Standard coverage"),
                    Treatment(stratum="bottom quartile", kind="intervention",
                              name="Coaching")],
    )


def _same(expected: Any, got: Any, *, sort: list[str] | None = None) -> None:
    left, right = plain(expected), plain(got)
    if sort:
        left = left.sort_values(sort, kind="stable").reset_index(drop=True)
        right = right.sort_values(sort, kind="stable").reset_index(drop=True)
    pd.testing.assert_frame_equal(left, right, check_exact=False, rtol=1e-9, atol=1e-12)


def _pipeline(deals: Any) -> dict[str, Any]:
    """Every step of a segmentation, run on one engine; results as that engine gives them."""
    spec = fit(deals, _deal_spec())
    labelled = assign(deals, spec)
    out: dict[str, Any] = {
        "spec": spec,
        "labels": backends.to_pandas(
            _frames_select(labelled, ["opportunity_id", *DEAL_LABELS])),
        "profile": profile(labelled, spec=spec, by=["segment", "stratum"]),
        "profile_grid": profile(labelled, spec=spec, by="grid",
                                aggregations={"biggest": ("amount", "max")}),
        "quality": measures_table(quality_report(labelled, spec, metric="amount")),
        "warnings": [w.message for w in check_rules(deals, spec)],
        "pareto": pareto_curve(deals, "amount", points=50),
        "accounts": account_table(deals),
        "opportunities": backends.to_pandas(
            _frames_select(opportunity_table(deals), ["opportunity_id", "win_rate", "won"])),
    }
    reps = rep_table(deals)
    out["reps"] = reps
    rep_spec = fit(reps, _rep_spec())
    assigned = assign(reps, rep_spec)
    comparison = compare(assigned, metrics=["win_rate", "avg_deal_size"])
    out["comparison"] = comparison.entities
    out["benchmarks"] = comparison.benchmarks
    out["priorities"] = priorities(comparison.entities, metric="win_rate", volume="closed",
                                   treatments=rep_spec.treatments)
    out["mix"] = mix_check(opportunity_table(deals), segment="lead_source").entities
    return out


def _frames_select(frame: Any, columns: list[str]) -> Any:
    import narwhals as nw

    return nw.from_native(frame).select(columns).to_native()


@pytest.fixture(scope="module")
def expected(deals) -> dict[str, Any]:
    return _pipeline(deals)


@pytest.fixture(scope="module", params=ENGINES)
def got(request, deals) -> tuple[str, dict[str, Any]]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        return request.param, _pipeline(_on(request.param, deals, request))


# ----------------------------------------------------------------------------- parity
def test_the_data_has_nans_nulls_and_ties(deals):
    assert deals["amount"].isna().sum() > 100
    assert deals["amount"].dropna().duplicated().sum() > 1000
    assert deals["discount"].isna().sum() > 200


def test_fitted_edges_are_identical(expected, got):
    assert got[1]["spec"] == expected["spec"]


def test_deal_labels_are_identical(expected, got):
    _same(expected["labels"], got[1]["labels"], sort=["opportunity_id"])
    # The stratification and the quantile edges really cut the data (not one big band).
    assert expected["labels"]["size"].nunique() >= 4
    assert expected["labels"]["stratum"].nunique() >= 4


@pytest.mark.parametrize("name", ["profile", "profile_grid", "quality", "pareto"])
def test_aggregates_are_identical(expected, got, name):
    _same(expected[name], got[1][name])


def test_rule_checks_are_identical(expected, got):
    assert got[1]["warnings"] == expected["warnings"]
    assert any("Nobody" in w or "no row" in w for w in expected["warnings"])


@pytest.mark.parametrize("name,key", [("reps", "rep_id"), ("accounts", "account_id"),
                                      ("opportunities", "opportunity_id")])
def test_entity_tables_are_identical(expected, got, name, key):
    _same(expected[name], got[1][name], sort=[key])


def test_comparison_benchmarks_and_priorities_are_identical(expected, got):
    _same(expected["comparison"], got[1]["comparison"], sort=["rep_id"])
    _same(expected["benchmarks"], got[1]["benchmarks"])
    _same(expected["priorities"], got[1]["priorities"])
    _same(expected["mix"], got[1]["mix"], sort=["entity"])
    flags = plain(expected["comparison"])["outcome"].value_counts()
    assert flags.get("good", 0) > 0 and flags.get("bad", 0) > 0


def test_quantile_edges_follow_linear_interpolation(expected, deals):
    """The one quantile definition: numpy's linear interpolation of the non-missing values."""
    size = next(b for b in expected["spec"].bandings if b.name == "size")
    values = deals["amount"].dropna().to_numpy()
    wanted = np.unique(np.quantile(values, [0.1, 0.25, 0.5, 0.9], method="linear"))
    assert size.edges == pytest.approx(wanted.tolist())


# ----------------------------------------------------------------------------- engines
def test_unknown_engine_teaches():
    with pytest.raises(backends.EngineError, match="not an engine") as info:
        backends.require("excel")
    assert "duckdb" in info.value.hint


def test_missing_engine_names_the_install_command(monkeypatch):
    import builtins

    real = builtins.__import__

    def no_duckdb(name, *args, **kwargs):
        if name == "duckdb":
            raise ImportError("No module named 'duckdb'")
        return real(name, *args, **kwargs)

    monkeypatch.setattr(builtins, "__import__", no_duckdb)
    monkeypatch.delitem(__import__("sys").modules, "duckdb", raising=False)
    with pytest.raises(backends.EngineError) as info:
        backends.require("duckdb")
    assert 'pip install "salesops-nb[duckdb]"' in info.value.hint


@pytest.mark.parametrize("engine", ["pandas", "polars", "duckdb", "spark"])
def test_scan_reads_parquet_lazily_on_each_engine(engine, deals, tmp_path, request):
    path = tmp_path / "deals.parquet"
    deals.to_parquet(path)
    spark = request.getfixturevalue("spark") if engine == "spark" else None
    frame = backends.scan(path, engine, spark=spark)
    assert backends.engine_of(frame) == engine
    if engine != "pandas":
        import narwhals as nw

        assert isinstance(nw.from_native(frame), nw.LazyFrame)
    spec = fit(deals, _deal_spec())
    table = profile(assign(frame, spec), spec=spec)
    _same(profile(assign(deals, spec), spec=spec), table)


def test_scan_missing_file_teaches(tmp_path):
    with pytest.raises(Exception, match="No file") as info:
        backends.scan(tmp_path / "nope.parquet", "duckdb")
    assert "path" in info.value.hint


def test_open_deals_scans_parquet_and_moves_the_sample(deals, tmp_path):
    import narwhals as nw

    path = tmp_path / "deals.parquet"
    deals.to_parquet(path)
    scanned = backends.open_deals(str(path), "duckdb")
    assert isinstance(nw.from_native(scanned), nw.LazyFrame)
    assert backends.to_pandas(nw.from_native(scanned).select(nw.len())).iloc[0, 0] == len(deals)
    sample = backends.open_deals("", "polars", sample_rows=300, seed=3)
    assert backends.engine_of(sample) == "polars"
    assert backends.to_pandas(sample)["opportunity_id"].nunique() == 300


def test_open_deals_refuses_a_parquet_file_without_canonical_columns(tmp_path):
    from salesops_nb.errors import MissingColumnsError

    path = tmp_path / "export.parquet"
    pd.DataFrame({"Opportunity ID": ["a"], "Amount": [1.0]}).to_parquet(path)
    with pytest.raises(MissingColumnsError, match="canonical") as info:
        backends.open_deals(str(path), "duckdb")
    assert "load_opportunities" in info.value.hint


# ----------------------------------------------------------------------------- no collect
def test_no_step_collects_the_rows_to_the_driver_on_spark(spark, collected_rows):
    """20,000 deals through the rep pipeline: only aggregates come back (a few thousand rows)."""
    deals = generate_crm(20_000, seed=3).opportunities
    frame = backends.to_engine(deals, "spark", spark=spark)
    collected_rows.clear()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FutureWarning)
        spec = fit(frame, _deal_spec())
        labelled = assign(frame, spec)
        profile(labelled, spec=spec, by=["segment", "stratum"])
        quality_report(labelled, spec, metric="amount")
        pareto_curve(frame, "amount")
        reps = rep_table(frame)
        rep_spec = fit(reps, _rep_spec())
        comparison = compare(assign(reps, rep_spec), metrics=["win_rate"])
        priorities(comparison.entities, metric="win_rate", volume="closed")
        mix_check(opportunity_table(frame), segment="lead_source")
    assert collected_rows, "the spy saw no collect: it is not wired to the path narwhals uses"
    biggest = max(rows for _, rows in collected_rows)
    assert biggest <= 3000, collected_rows
    assert len(deals) >= 20_000
