"""Default specs and the end-to-end analysis the template and the builder call."""

from __future__ import annotations

import pandas as pd
import polars as pl
import pytest

from salesops_nb import segmentation as seg
from salesops_nb.data.sample import generate_crm
from salesops_nb.errors import MissingColumnsError, ParameterError, SpecError
from salesops_nb.segmentation.analysis import analyse, apply_spec, entities_for
from salesops_nb.segmentation.defaults import candidate_schemes, category_rules, default_spec
from salesops_nb.segmentation.rates import rate_table
from salesops_nb.segmentation.spec import SegmentationSpec
from salesops_nb.segmentation.spec_parts import Banding


@pytest.fixture(scope="module", params=[7, 1])
def crm(request):
    return generate_crm(5000, seed=request.param)


@pytest.fixture(scope="module")
def result(crm):
    return analyse(crm.opportunities)


def test_the_report_finds_the_planted_underperformers_bad_within_their_segments(crm, result):
    bad = result.flagged("bad")
    assert set(crm.planted_underperformers) <= set(bad["rep_id"])
    planted = result.table.set_index("rep_id").loc[list(crm.planted_underperformers)]
    # Bad against the peers of their own team x region, in its bottom stratum.
    assert (planted["segment"] == planted["team"].astype(str) + " / "
            + planted["region"].astype(str)).all()
    assert set(planted["stratum"]) == {"bottom quartile"}
    assert set(planted["treatment"]) == {"Coaching and deal reviews"}
    assert len(bad) <= 0.3 * len(result.table)


def test_the_quality_section_reports_coverage_min_size_and_eta_squared(result):
    table = result.quality_table().set_index("measure")
    assert {"coverage", "smallest segment", "eta squared"} <= set(table.index)
    assert table.loc["coverage", "value"] == 1.0
    assert table.loc["smallest segment", "value"] == result.profile.query("count > 0")[
        "count"].min()
    assert 0 < table.loc["eta squared", "value"] < 1
    assert all(isinstance(v, str) and v for v in table["verdict"])


def test_default_reps_spec_is_team_by_region_stratified_on_the_shrunk_win_rate(crm):
    reps = entities_for(crm.opportunities, "reps")
    spec = default_spec(reps, "reps")
    assert len(spec.rules) == reps[["team", "region"]].drop_duplicates().shape[0] == 12
    assert spec.rules[0].label == "Enterprise / APAC"
    assert spec.strata.metric == "win_rate_shrunk" and spec.strata.count == 4
    assigned, fitted = apply_spec(reps, spec)
    # The derived shrunk rate is the empirical-Bayes estimate among the segment's peers.
    expected = rate_table(assigned[["segment", "won", "closed"]])["win_rate_shrunk"]
    pd.testing.assert_series_equal(assigned["win_rate_shrunk"], expected, check_names=False)
    assert fitted.is_fitted and (assigned["segment"] != "Other").all()


def test_default_accounts_spec_crosses_abc_revenue_with_size(crm):
    accounts = entities_for(crm.opportunities, "accounts")
    assigned, fitted = apply_spec(accounts, default_spec(accounts, "accounts"))
    assert fitted.source == "value x size"
    cells = assigned.groupby(["value", "size"], observed=True)["segment"].first()
    assert cells[("A", "Enterprise")] == "Strategic"
    assert cells[("C", "SMB")] == "Low touch"
    # A = the accounts making the first 80% of revenue won.
    won = assigned.groupby("value")["won_amount"].sum()
    assert won["A"] / won.sum() == pytest.approx(0.8, abs=0.03)


def test_every_entity_runs_end_to_end(crm):
    for entity in ("accounts", "opportunities"):
        out = analyse(crm.opportunities, entity=entity, schemes=False)
        assert out.entity == entity and len(out.priorities) > 0
        assert set(out.table["outcome"]) <= {"good", "typical", "bad", "unrated"}
        assert out.profile["count"].sum() == len(out.table)


def test_scheme_comparison_scores_the_spec_against_simpler_ones(result):
    schemes = result.schemes
    assert {"reps by team x region (yours)", "team only", "region only"} == set(schemes.scheme)
    yours = schemes.set_index("scheme").loc["reps by team x region (yours)"]
    assert yours["segments"] == 12
    # Team x region explains more of the win-rate variance than either field alone.
    assert yours["eta_squared"] > schemes.set_index("scheme")["eta_squared"].drop(
        "reps by team x region (yours)").max()


def test_candidate_schemes_of_a_banding_try_other_methods(crm):
    accounts = entities_for(crm.opportunities, "accounts")
    schemes = candidate_schemes(default_spec(accounts, "accounts"), accounts)
    assert {"won_amount: quartiles", "won_amount: jenks", "employees: abc"} <= set(schemes)


def test_a_saved_spec_reapplies_to_next_quarters_data_with_the_same_edges(result):
    later = generate_crm(3000, seed=11).opportunities
    spec = SegmentationSpec.model_validate_json(result.spec.model_dump_json())
    again = analyse(later, spec, schemes=False)
    assert again.spec.rules == result.spec.rules
    assert again.spec.labels() == result.spec.labels()


def test_fitted_band_edges_are_kept_not_refitted(crm):
    accounts = entities_for(crm.opportunities, "accounts")
    _, fitted = apply_spec(accounts, default_spec(accounts, "accounts"))
    other = entities_for(generate_crm(2000, seed=3).opportunities, "accounts")
    _, again = apply_spec(other, fitted)
    assert again.banding("value").edges == fitted.banding("value").edges


def test_stability_compares_the_last_two_years(result):
    assert result.stability is not None and result.stability.matched > 0
    assert any(m.name == "stability" for m in result.quality)
    assert result.migration_chart() is not None


def test_charts_are_drawn_from_small_tables(result):
    for chart in (result.sizes_chart(), result.strata_chart(), result.funnel_chart(),
                  result.distribution_chart(), result.priority_chart()):
        spec = chart.to_dict()
        assert "title" in str(spec)


def test_a_bad_spec_names_the_field_and_the_fix(crm):
    spec = SegmentationSpec(entity="reps", key="rep_id",
                            bandings=[Banding(name="size", field="won_amont")])
    with pytest.raises(MissingColumnsError) as info:
        analyse(crm.opportunities, spec)
    assert "won_amont" in str(info.value) and "won_amount" in str(info.value)
    with pytest.raises(SpecError, match="overlap"):
        Banding(name="x", field="won_amount", method="thresholds", thresholds=[200, 100])


def test_category_rules_refuse_too_many_segments_and_unknown_fields(crm):
    reps = entities_for(crm.opportunities, "reps")
    with pytest.raises(ParameterError, match="too many"):
        category_rules(reps, ["rep_name"], max_cells=10)
    with pytest.raises(ParameterError, match="teams"):
        category_rules(reps, ["teams"])
    with pytest.raises(ParameterError, match="'team' x 'region' hold no values"):
        category_rules(reps.assign(team=None), ["team", "region"])
    with pytest.raises(ParameterError, match="entity"):
        analyse(crm.opportunities, entity="territories")


def test_another_outcome_column_and_polars_give_the_same_flags(crm):
    deals = crm.opportunities.rename(columns={"is_won": "won_flag"})
    ours = analyse(deals, outcome="won_flag", schemes=False, period_column=None)
    theirs = analyse(pl.from_pandas(crm.opportunities), schemes=False, period_column=None)
    assert ours.table.set_index("rep_id")["outcome"].to_dict() == \
        theirs.table.set_index("rep_id")["outcome"].to_dict()


def test_the_facade_exports_a_sorted_resolving_list():
    assert seg.__all__ == sorted(set(seg.__all__))
    for name in seg.__all__:
        assert getattr(seg, name) is not None, name
    assert callable(seg.compare) and callable(seg.priorities)
