"""Quality measures with verdicts, migration between periods, and scheme comparison."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest

from salesops_nb.data.sample import generate_crm
from salesops_nb.segmentation.engine import assign
from salesops_nb.segmentation.quality import (
    compare_schemes,
    coverage,
    eta_squared,
    measures_table,
    migration,
    quality_report,
    separation,
    smallest_segment,
)
from salesops_nb.segmentation.spec import SegmentationSpec
from salesops_nb.segmentation.spec_parts import Banding, Condition, Rule


@pytest.fixture
def frame() -> pd.DataFrame:
    return pd.DataFrame({
        "segment": ["a"] * 4 + ["b"] * 4 + ["Other"] * 2,
        "x": [1.0, 2.0, 3.0, 2.0, 11.0, 12.0, 13.0, 12.0, 7.0, np.nan],
    })


def test_coverage_counts_the_catch_all_out(frame):
    spec = SegmentationSpec(rules=[Rule(label="a", when=[Condition(field="k", value=1)])],
                            catch_all="Other")
    measure = coverage(frame, spec)
    assert measure.value == pytest.approx(0.8)
    assert measure.ok is False and "Partial coverage" in measure.verdict
    assert coverage(frame, catch_all="nothing").value == 1.0


def test_smallest_segment_against_minimum(frame):
    measure = smallest_segment(frame, min_size=3)
    assert measure.value == 2 and measure.ok is False
    assert "Other" in measure.verdict
    assert smallest_segment(frame, min_size=2).ok is True


def test_eta_squared_matches_the_definition(frame):
    x = frame["x"].dropna()
    groups = frame.dropna().groupby("segment")["x"]
    between = (groups.count() * (groups.mean() - x.mean()) ** 2).sum()
    total = ((x - x.mean()) ** 2).sum()
    measure = eta_squared(frame, "x")
    assert measure.value == pytest.approx(between / total)
    assert measure.ok is True and "explain" in measure.verdict
    same = eta_squared(pl.from_pandas(frame), "x")
    assert same.value == pytest.approx(measure.value, rel=1e-12)


def test_constant_metric_cannot_be_explained():
    measure = eta_squared(pd.DataFrame({"segment": ["a", "b"], "x": [1.0, 1.0]}), "x")
    assert measure.value is None and measure.ok is None


def test_separation_tells_real_from_chance():
    rng = np.random.default_rng(0)
    n = 2000
    segment = np.repeat(["a", "b"], n // 2)
    won = rng.random(n) < np.where(segment == "a", 0.4, 0.2)
    real = separation(pd.DataFrame({"segment": segment, "is_won": won}), closed=None)
    rates = pd.Series(won).groupby(segment).mean()
    assert real.ok is True and real.value == pytest.approx(rates["a"] - rates["b"])
    noise = separation(pd.DataFrame({"segment": segment, "is_won": rng.random(n) < 0.3}),
                       closed=None)
    assert noise.ok is False and "chance" in noise.verdict


def test_migration_matrix_stayed_share_and_adjusted_rand():
    before = pd.DataFrame({"id": list("abcdef"), "segment": ["X", "X", "Y", "Y", "Z", "Z"]})
    after = pd.DataFrame({"id": list("abcdeg"), "segment": ["X", "Y", "Y", "Y", "Z", "X"]})
    result = migration(before, after, key="id", labels=["X", "Y", "Z"])
    assert result.matched == 5 and result.only_before == 1 and result.only_after == 1
    assert result.matrix.loc["X", "Y"] == 1 and result.matrix.loc["Y", "Y"] == 2
    assert result.stayed == pytest.approx(4 / 5)
    # Hand computation: contingency [[1,1,0],[0,2,0],[0,0,1]] -> index 1, rows 2, cols 3, n 5.
    expected = (1 - 2 * 3 / 10) / ((2 + 3) / 2 - 2 * 3 / 10)
    assert result.adjusted_rand == pytest.approx(expected)
    assert result.measure.ok is True
    identical = migration(before, before, key="id")
    assert identical.stayed == 1.0 and identical.adjusted_rand == pytest.approx(1.0)


def test_migration_without_common_entities_says_so():
    result = migration(pd.DataFrame({"id": ["a"], "segment": ["X"]}),
                       pd.DataFrame({"id": ["b"], "segment": ["X"]}), key="id")
    assert result.stayed is None and "'id'" in result.measure.verdict


def test_report_and_scheme_comparison_on_sample_data():
    deals = generate_crm(8000, seed=3).opportunities
    spec = SegmentationSpec(rules=[
        Rule(label=t, when=[Condition(field="team", value=t)])
        for t in ["SMB", "Mid-Market", "Enterprise"]], catch_all="Other")
    report = quality_report(assign(deals, spec), spec, metric="amount")
    table = measures_table(report)
    assert table["measure"].tolist() == [
        "coverage", "smallest segment", "eta squared", "separation"]
    assert table["ok"].tolist() == [True, True, True, True]

    schemes = {
        method: SegmentationSpec(name=method, bandings=[
            Banding(name="b", field="amount", method=method, bins=4)])
        for method in ["quantiles", "jenks", "abc", "equal_width"]
    }
    compared = compare_schemes(deals, schemes, metric="amount", min_size=50)
    assert set(compared["scheme"]) == set(schemes)
    # Natural breaks maximise the variance explained of the field they cut.
    assert compared.set_index("scheme")["eta_squared"].idxmax() == "jenks"
    assert compared.iloc[0]["checks_passed"] == compared["checks_passed"].max()
    assert compared.set_index("scheme").loc["abc", "segments"] == 3
