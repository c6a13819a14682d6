"""check.segmentation: a good spec passes; small, misspelt, uninformative or lopsided specs
get specific feedback, computed by the segmentation quality measures."""

from __future__ import annotations

import pytest

from salesops_nb import segmentation as seg
from salesops_nb.segmentation.defaults import category_rules
from salesops_nb.training import check


def _spec(reps, fields, **extra):
    return seg.SegmentationSpec(name="x", entity="reps", key="rep_id",
                                rules=category_rules(reps, fields), catch_all="Other", **extra)


def _rules(field, values):
    return [seg.Rule(label=v, when=[seg.Condition(field=field, value=v)]) for v in values]


def test_reps_by_team_with_strata_passes_with_its_figures(deals, reps):
    spec = _spec(reps, ["team"], strata=seg.Stratification(metric="win_rate_shrunk"))
    feedback = check.segmentation(spec, deals)
    assert feedback.passed, str(feedback)
    summary = feedback.notes[-1].text
    assert summary.startswith("3 segments of reps; the smallest, 'SMB', has 11 (aim 5+)")
    assert "explain 38% of the variation in win_rate" in summary
    assert dict(feedback.figures) == {"Enterprise": "31 reps", "Mid-Market": "24 reps",
                                      "SMB": "11 reps"}
    assert feedback.topics() == {"summary"}


def test_the_entity_table_itself_is_accepted_and_missing_strata_is_only_a_tip(reps):
    feedback = check.segmentation(_spec(reps, ["team"]), reps)
    assert feedback.passed
    assert feedback.topics("tip") == {"strata"}


def test_team_by_region_names_the_small_segments_and_the_aim(deals, reps):
    feedback = check.segmentation(_spec(reps, ["team", "region"]), deals)
    assert not feedback.passed
    assert feedback.messages[:3] == [
        "Segment 'Mid-Market / LATAM' has 2 reps; aim for at least 5.",
        "Segment 'SMB / APAC' has 2 reps; aim for at least 5.",
        "Segment 'SMB / LATAM' has 2 reps; aim for at least 5.",
    ]
    assert "... and 3 more like this (smallest segment)." in feedback.messages
    assert "Merge it with a similar segment" in feedback.fixes[0].hint


def test_a_field_that_explains_little_is_named_with_the_share(deals, reps):
    feedback = check.segmentation(_spec(reps, ["region"]), deals)
    assert feedback.topics("fix") == {"eta squared"}
    assert feedback.fixes[0].text.startswith(
        "The segments explain only 2% of the variation in win_rate (aim 14%)")


def test_a_misspelt_value_is_named_with_the_values_the_data_has(deals):
    spec = seg.SegmentationSpec(name="x", entity="reps", key="rep_id",
                                rules=_rules("team", ["Enterprse", "Mid-Market", "SMB"]),
                                catch_all="Other")
    feedback = check.segmentation(spec, deals)
    rule = [n for n in feedback.fixes if n.topic == "rules"]
    assert [n.text for n in rule] == [
        "Rule 'Enterprse': no row has team == 'Enterprse'; check the spelling against the data."
    ]
    assert rule[0].hint == (
        "Use a value the data has: team has 'Enterprise', 'Mid-Market' and 'SMB'.")
    assert "coverage" in feedback.topics("fix")  # the Enterprise reps fell into 'Other'


def test_a_catch_all_holding_most_reps_fails_on_coverage(deals):
    spec = seg.SegmentationSpec(name="x", entity="reps", key="rep_id",
                                rules=_rules("team", ["SMB"]), catch_all="Other")
    feedback = check.segmentation(spec, deals)
    assert {"coverage", "one segment"} <= feedback.topics("fix")
    coverage = next(n for n in feedback.fixes if n.topic == "coverage")
    assert coverage.text.startswith("Poor coverage: only 17% of rows fall in a named segment")


def test_a_misspelt_column_is_feedback_not_a_traceback(deals):
    spec = seg.SegmentationSpec(name="x", entity="reps", key="rep_id",
                                rules=_rules("teem", ["SMB"]), catch_all="Other")
    feedback = check.segmentation(spec, deals)
    assert feedback.messages == ["Spec 'x' uses 'teem', not a column of the data."]
    assert "did you mean 'team'" in feedback.fixes[0].hint


def test_empty_bands_and_a_custom_min_size_and_metric(deals):
    spec = seg.SegmentationSpec(
        name="size", entity="accounts", key="account_id",
        bandings=[seg.Banding(name="size", field="employees", method="thresholds",
                              thresholds=[200, 2000, 1_000_000],
                              labels=["SMB", "Mid", "Ent", "Giant"])])
    feedback = check.segmentation(spec, deals, metric="avg_deal_size", min_size=100)
    assert feedback.messages[0] == "No accounts fall in segment(s) 'Giant'."
    assert not feedback.passed
    good = check.segmentation(spec.model_copy(update={"bandings": [spec.bandings[0].model_copy(
        update={"thresholds": [200, 2000], "labels": ["SMB", "Mid", "Ent"]})]}), deals,
        metric="avg_deal_size", min_size=100)
    assert good.passed, str(good)
    assert "explain 59% of the variation in avg_deal_size" in good.notes[-1].text


@pytest.mark.parametrize("bad", [{"name": 3}, "not json", 42])
def test_an_invalid_spec_is_explained(bad, deals):
    feedback = check.segmentation(bad, deals)
    assert not feedback.passed
    assert feedback.messages[0].startswith("This is not a valid segmentation spec")


def test_data_that_is_not_a_frame_is_explained(reps):
    feedback = check.segmentation(_spec(reps, ["team"]), [1, 2])
    assert feedback.messages == ["The data to check against must be a pandas DataFrame, got list."]
