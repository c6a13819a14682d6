"""The segmentation spec: validation with teaching errors, labels, JSON round trip, workspace."""

from __future__ import annotations

import pytest

from salesops_nb.errors import SpecError
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
from salesops_nb.workspace import Workspace


def _team_rules() -> list[Rule]:
    return [
        Rule(label="Enterprise", when=[Condition(field="team", value="Enterprise")]),
        Rule(label="Mid", when=[Condition(field="team", op="in", value=["Mid-Market"])]),
    ]


def test_labels_follow_rule_order_then_catch_all():
    spec = SegmentationSpec(rules=_team_rules(), catch_all="Other")
    assert spec.labels() == ["Enterprise", "Mid", "Other"]
    assert spec.source == "rules"
    assert spec.stratum_labels() == []


def test_rules_without_catch_all_are_refused():
    with pytest.raises(SpecError, match="catch-all") as info:
        SegmentationSpec(rules=_team_rules())
    assert "catch_all=" in info.value.hint


def test_catch_all_alone_is_an_empty_rule_list():
    with pytest.raises(SpecError, match="no rules") as info:
        SegmentationSpec(catch_all="Everything")
    assert "'Everything'" in info.value.message
    assert "Rule(" in info.value.hint


def test_segment_by_rules_without_rules_is_refused():
    with pytest.raises(SpecError, match="no rules"):
        SegmentationSpec(bandings=[Banding(name="size", field="amount")], segment_by="rules")


def test_overlapping_thresholds_name_the_field():
    with pytest.raises(SpecError, match="'employees'") as info:
        Banding(name="size", field="employees", method="thresholds", thresholds=[200, 100])
    assert "increasing" in info.value.message
    assert "[100.0, 200.0]" in info.value.hint
    with pytest.raises(SpecError, match="repeat"):
        Banding(name="size", field="employees", method="thresholds", thresholds=[200, 200])


@pytest.mark.parametrize("quantiles", [[25, 50, 75], [0.5, 0.25], [0.0, 0.5], [0.5, 1.0]])
def test_bad_quantile_lists_are_refused(quantiles):
    with pytest.raises(SpecError, match="'amount'"):
        Banding(name="q", field="amount", method="quantiles", quantiles=quantiles)


def test_label_count_must_match_bands():
    with pytest.raises(SpecError, match="3 bands"):
        Banding(name="q", field="amount", method="thresholds", thresholds=[1, 2], labels=["a"])


def test_nominal_labels_per_method():
    assert Banding(name="q", field="x").band_labels() == ["Q1", "Q2", "Q3", "Q4"]
    assert Banding(name="q", field="x", bins=10).band_labels()[0] == "D1"
    assert Banding(name="q", field="x", quantiles=[0.2, 0.9]).band_labels() == [
        "P0-P20", "P20-P90", "P90-P100"]
    assert Banding(name="a", field="x", method="abc").band_labels() == ["A", "B", "C"]
    assert Banding(name="j", field="x", method="jenks", bins=3).band_labels() == [
        "low", "medium", "high"]
    assert Banding(name="t", field="x", method="thresholds", thresholds=[200, 2000]).band_labels(
    ) == ["< 200", "200 to < 2,000", ">= 2,000"]
    assert Banding(name="q", field="x").all_labels()[-1] == "unknown"


def test_treatment_keys_are_checked_against_labels():
    spec = SegmentationSpec(rules=_team_rules(), catch_all="Other",
                            strata=Stratification(metric="amount"))
    ok = spec.model_copy(update={"treatments": [
        Treatment(segment="Mid", stratum="bottom quartile", kind="intervention", name="coach")]})
    assert SegmentationSpec.model_validate(ok.model_dump()).treatments[0].name == "coach"
    with pytest.raises(SpecError, match="'Enterprize'") as info:
        SegmentationSpec(rules=_team_rules(), catch_all="Other", treatments=[
            Treatment(segment="Enterprize", kind="treatment", name="named accounts")])
    assert "Did you mean 'Enterprise'" in info.value.hint
    with pytest.raises(SpecError, match="stratum 'worst'") as info:
        SegmentationSpec(rules=_team_rules(), catch_all="Other",
                         strata=Stratification(metric="amount"),
                         treatments=[Treatment(stratum="worst", kind="intervention", name="x")])
    assert "bottom quartile" in info.value.hint


def test_matrix_cells_and_default_names():
    spec = SegmentationSpec(
        bandings=[
            Banding(name="size", field="employees", method="thresholds", thresholds=[500],
                    labels=["small", "large"]),
            Banding(name="growth", field="growth", method="thresholds", thresholds=[0.1],
                    labels=["slow", "fast"]),
        ],
        matrices=[Matrix(name="plan", rows="size", columns="growth", cells=[
            MatrixCell(row="large", column="fast", label="Strategic"),
            MatrixCell(row="large", column="slow", label="Maintain"),
        ])],
    )
    assert spec.source == "plan"
    assert spec.labels() == ["small / slow", "small / fast", "Maintain", "Strategic", "unknown"]
    with pytest.raises(SpecError, match="'huge'") as info:
        SegmentationSpec(bandings=spec.bandings, matrices=[Matrix(
            name="m", rows="size", columns="growth",
            cells=[MatrixCell(row="huge", column="fast", label="X")])])
    assert "'large'" in info.value.hint


def test_ambiguous_segment_source_asks_for_segment_by():
    bandings = [Banding(name="a", field="x"), Banding(name="b", field="y")]
    with pytest.raises(SpecError, match="ambiguous") as info:
        SegmentationSpec(bandings=bandings)
    assert "segment_by" in info.value.hint
    assert SegmentationSpec(bandings=bandings, segment_by="b").source == "b"
    with pytest.raises(SpecError, match="'c'"):
        SegmentationSpec(bandings=bandings, segment_by="c")


def test_reserved_and_duplicate_names():
    with pytest.raises(SpecError, match="reserved"):
        SegmentationSpec(bandings=[Banding(name="segment", field="x")])
    with pytest.raises(SpecError, match="twice"):
        SegmentationSpec(bandings=[Banding(name="a", field="x"), Banding(name="a", field="y")],
                         segment_by="a")


def test_conditions_check_their_values():
    with pytest.raises(SpecError, match="non-empty list"):
        Condition(field="team", op="in", value=[])
    with pytest.raises(SpecError, match="needs a number"):
        Condition(field="amount", op=">", value="big")
    with pytest.raises(SpecError, match="one value"):
        Condition(field="team", op="==", value=["a", "b"])


def test_json_round_trip_is_lossless_and_saves_in_workspace(tmp_path):
    spec = SegmentationSpec(
        name="full", entity="accounts", key="account_id",
        rules=[Rule(label="Big", when=[Condition(field="employees", op=">=", value=2000),
                                       Condition(field="region", op="in", value=["EMEA", 3])],
                    match="any")],
        catch_all="Rest",
        bandings=[Banding(name="rev", field="annual_revenue", method="abc",
                          edges=[0.1 + 0.2, 1e12 / 3], fitted_labels=["C", "B", "A"])],
        strata=Stratification(metric="win_rate", count=3, higher_is_better=False),
        treatments=[Treatment(segment="Big", kind="protection", name="key accounts")],
    )
    again = SegmentationSpec.model_validate_json(spec.model_dump_json())
    assert again == spec
    assert again.bandings[0].edges == [0.1 + 0.2, 1e12 / 3]
    assert isinstance(again.rules[0].when[0].value, int)
    ws = Workspace(tmp_path)
    ws.save(spec, "main")
    assert ws.load(SegmentationSpec, "main") == spec
    assert (tmp_path / "segmentation" / "main.json").is_file()
