"""pandas and Polars give identical assignments and profiles on the same data."""

from __future__ import annotations

import numpy as np
import pandas as pd
import polars as pl
import pytest

from salesops_nb.data.sample import generate_crm
from salesops_nb.segmentation.engine import assign, fit, profile
from salesops_nb.segmentation.quality import quality_report
from salesops_nb.segmentation.spec import SegmentationSpec
from salesops_nb.segmentation.spec_parts import (
    Banding,
    Condition,
    Matrix,
    MatrixCell,
    Rule,
    Stratification,
)

LABELS = ["segment", "stratum", "size", "abc", "jenks", "width", "staff", "grid"]


@pytest.fixture(scope="module")
def deals() -> pd.DataFrame:
    frame = generate_crm(6000, seed=11).opportunities
    rng = np.random.default_rng(5)
    amount = frame["amount"].round(-3)  # many ties
    amount[rng.random(len(frame)) < 0.05] = np.nan
    discount = frame["discount"].copy()
    discount[rng.random(len(frame)) < 0.1] = np.nan
    return frame.assign(amount=amount, discount=discount)


def _spec() -> SegmentationSpec:
    return SegmentationSpec(
        name="parity",
        rules=[
            Rule(label="Enterprise", when=[Condition(field="team", value="Enterprise")]),
            Rule(label="Big EMEA", when=[Condition(field="region", op="in", value=["EMEA"]),
                                         Condition(field="amount", op=">", value=40_000)]),
            Rule(label="Partner or small", match="any", when=[
                Condition(field="lead_source", value="Partner"),
                Condition(field="employees", op="<", value=100)]),
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


def test_fitted_edges_are_identical(deals):
    spec = _spec()
    assert fit(deals, spec) == fit(pl.from_pandas(deals), spec)
    assert fit(deals, spec) == fit(pl.from_pandas(deals).lazy(), spec)


@pytest.mark.parametrize("to_polars", [
    pl.from_pandas,
    lambda f: pl.from_pandas(f, nan_to_null=False),  # real NaN values in Polars floats
    lambda f: pl.from_pandas(f).lazy(),
], ids=["eager", "with-nan", "lazy"])
def test_assignments_are_identical(deals, to_polars):
    spec = fit(deals, _spec())
    expected = assign(deals, spec)[LABELS]
    got = to_polars(deals).pipe(lambda f: assign(f, spec))
    if isinstance(got, pl.LazyFrame):
        got = got.collect()
    got = got.select(LABELS).to_pandas()
    for column in LABELS:
        assert expected[column].astype(str).tolist() == got[column].astype(str).tolist(), column
    assert expected["segment"].nunique() == 4
    assert (expected["stratum"] == "unknown").sum() == deals["amount"].isna().sum()


def test_unfitted_spec_fits_identically_inside_assign(deals):
    spec = _spec()
    left = assign(deals, spec)[LABELS].astype(str)
    right = assign(pl.from_pandas(deals), spec).select(LABELS).to_pandas().astype(str)
    pd.testing.assert_frame_equal(left, right, check_dtype=False)


@pytest.mark.parametrize("by", ["segment", ["segment", "stratum"], "grid"])
def test_profiles_are_identical(deals, by):
    spec = fit(deals, _spec())
    kwargs = dict(spec=spec, by=by, measures=["amount", "discount"],
                  aggregations={"biggest": ("amount", "max"), "reps": ("rep_id", "n_unique")})
    left = profile(assign(deals, spec), **kwargs)
    right = profile(assign(pl.from_pandas(deals), spec), **kwargs)
    assert left.columns.tolist() == right.columns.tolist()
    keys = [by] if isinstance(by, str) else by
    for key in keys:
        assert left[key].tolist() == right[key].tolist()
    for column in ["count", "won", "closed"]:
        assert left[column].tolist() == right[column].tolist()
    numbers = [c for c in left.columns if c not in keys]
    # Sums of floats may differ in the last bits with the order of addition.
    np.testing.assert_allclose(left[numbers].to_numpy(dtype=float),
                               right[numbers].to_numpy(dtype=float), rtol=1e-9)


def test_quality_is_identical(deals):
    spec = fit(deals, _spec())
    left = quality_report(assign(deals, spec), spec, metric="amount")
    right = quality_report(assign(pl.from_pandas(deals), spec), spec, metric="amount")
    assert [m.name for m in left] == [m.name for m in right]
    for a, b in zip(left, right, strict=True):
        assert a.value == pytest.approx(b.value, rel=1e-9)
        assert a.ok == b.ok
