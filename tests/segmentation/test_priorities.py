from __future__ import annotations

import pandas as pd
import polars as pl
import pytest

from salesops_nb.data.sample import generate_crm
from salesops_nb.errors import MissingColumnsError, ParameterError, SpecError
from salesops_nb.segmentation.engine import assign
from salesops_nb.segmentation.entities import rep_table
from salesops_nb.segmentation.priorities import TreatmentKeyError, TreatmentMap, priorities
from salesops_nb.segmentation.spec import SegmentationSpec
from salesops_nb.segmentation.spec_parts import Condition, Rule, Stratification, Treatment

PLAN = [
    {"kind": "treatment", "name": "Standard cover"},
    {"segment": "T", "kind": "treatment", "name": "Inside sales"},
    {"stratum": "bottom", "kind": "intervention", "name": "Coaching"},
    {"segment": "T", "stratum": "bottom", "kind": "intervention", "name": "Deal review"},
    {"stratum": "top", "kind": "protection", "name": "Protect capacity"},
]


def test_most_specific_treatment_wins():
    plan = TreatmentMap(PLAN)
    assert plan.lookup("T", "bottom")["name"] == "Deal review"  # both exact
    assert plan.lookup("T", "top")["name"] == "Inside sales"  # segment beats stratum
    assert plan.lookup("Mid", "bottom")["name"] == "Coaching"
    assert plan.lookup("Mid", "top")["kind"] == "protection"
    assert plan.lookup("Mid", "middle")["name"] == "Standard cover"  # the wildcard
    assert TreatmentMap(PLAN[1:2]).lookup("Mid", "top") is None


def test_treatment_models_from_the_spec_are_accepted():
    plan = TreatmentMap([Treatment(segment="SMB", kind="protection", name="Keep")])
    assert plan.lookup("SMB", "x") == {"segment": "SMB", "stratum": "*", "kind": "protection",
                                       "name": "Keep", "description": ""}


def test_unknown_keys_name_the_key_and_the_valid_labels():
    plan = TreatmentMap([{"segment": "SBM", "kind": "treatment", "name": "Inside sales"}])
    with pytest.raises(TreatmentKeyError) as caught:
        plan.check(["SMB", "Mid", "Enterprise"], ["top", "bottom"])
    message = str(caught.value)
    assert "'SBM'" in message and "'Inside sales'" in message
    assert "'Enterprise', 'Mid', 'SMB'" in message and "Did you mean 'SMB'?" in message
    assert isinstance(caught.value, SpecError)
    strata = TreatmentMap([{"stratum": "Q1", "kind": "intervention", "name": "Coach"}])
    with pytest.raises(TreatmentKeyError, match=r"stratum 'Q1'.*none"):
        strata.check(["SMB"], None)


def test_bad_treatments_raise_spec_errors():
    with pytest.raises(SpecError, match="kind"):
        TreatmentMap([{"kind": "fix", "name": "x"}])
    with pytest.raises(SpecError, match="name"):
        TreatmentMap([{"kind": "treatment"}])
    with pytest.raises(SpecError, match="Two treatments"):
        TreatmentMap([{"segment": "A", "kind": "treatment", "name": "x"},
                      {"segment": "A", "kind": "protection", "name": "y"}])


def _cells() -> pd.DataFrame:
    # Segment S: the bottom reps win 20% of 200 deals, the others 30% and 40%.
    return pd.DataFrame({
        "rep_id": list("abcdef"),
        "segment": ["S", "S", "S", "T", "T", "T"],
        "stratum": ["bottom", "middle", "top", "bottom", "middle", "top"],
        "win_rate": [0.20, 0.30, 0.40, 0.50, 0.55, 0.60],
        "closed": [200, 100, 50, 10, 10, 10],
    })


def test_priorities_rank_gap_times_volume_with_the_arithmetic_shown():
    table = priorities(_cells(), treatments=PLAN[:3] + PLAN[4:])
    first = table.iloc[0]
    assert (first.segment, first.stratum, first.priority) == ("S", "bottom", 1)
    assert first.benchmark == pytest.approx(0.30)  # the segment's median rep
    assert first.gap == pytest.approx(0.10) and first.impact == pytest.approx(20.0)
    assert first.explanation == "gap 10.0 pts x 200 deals = 20.0 deals-equivalent"
    assert first.position == "below benchmark" and first.treatment == "Coaching"
    top = table.set_index(["segment", "stratum"]).loc[("S", "top")]
    assert top.explanation == "lead 10.0 pts x 50 deals = 5.0 deals-equivalent at stake"
    assert top.treatment_kind == "protection"
    assert table.impact.is_monotonic_decreasing
    assert table.priority.tolist() == list(range(1, 7))


def test_benchmark_choices():
    mean = priorities(_cells(), benchmark="mean").set_index(["segment", "stratum"])
    assert mean.benchmark[("S", "bottom")] == pytest.approx((40 + 30 + 20) / 350)
    ambitious = priorities(_cells(), benchmark="top_quartile").set_index(["segment", "stratum"])
    assert ambitious.benchmark[("S", "bottom")] == pytest.approx(0.35)


def test_lower_is_better_and_money_metrics():
    cells = _cells().assign(cycle=[90.0, 60, 30, 20, 20, 20], won=[40, 30, 20, 5, 5, 5])
    table = priorities(cells, metric="cycle", volume="won", higher_is_better=False,
                       volume_label="won deals")
    slow = table.iloc[0]
    assert (slow.segment, slow.stratum) == ("S", "bottom")
    assert slow.gap == pytest.approx(30.0)
    assert slow.explanation == "gap 30.00 x 40 won deals = 1,200"
    money = priorities(cells.assign(size=[1000.0, 5000, 9000, 1, 1, 1]), metric="size",
                       volume="won", currency="$")
    assert money.iloc[0].explanation == "gap $4,000 x 40 deals = $160,000"


def test_segments_alone_are_measured_against_everyone():
    table = priorities(_cells(), stratum=None)
    assert table.columns[:3].tolist() == ["priority", "segment", "entities"]
    assert table.benchmark.tolist() == pytest.approx([0.45, 0.45])  # median of all six reps
    assert table.iloc[0].segment == "S"


def test_pandas_and_polars_agree():
    ours = priorities(_cells(), treatments=PLAN)
    theirs = priorities(pl.from_pandas(_cells()), treatments=PLAN)
    assert isinstance(theirs, pl.DataFrame)
    pd.testing.assert_frame_equal(ours, theirs.to_pandas(), check_dtype=False)


def test_priority_mistakes_raise_teaching_errors():
    with pytest.raises(TreatmentKeyError, match="'Q9'"):
        priorities(_cells(), treatments=[{"stratum": "Q9", "kind": "treatment", "name": "x"}])
    with pytest.raises(ParameterError, match="benchmark="):
        priorities(_cells(), benchmark="best")
    with pytest.raises(MissingColumnsError, match="'deals'"):
        priorities(_cells(), volume="deals")
    with pytest.raises(ParameterError, match="not numbers"):
        priorities(_cells().assign(win_rate="x"))


def test_with_the_engine_on_sample_reps():
    reps = rep_table(generate_crm(5000, seed=7).opportunities)
    spec = SegmentationSpec(
        name="teams", entity="reps", key="rep_id",
        rules=[Rule(label="SMB", when=[Condition(field="team", op="==", value="SMB")])],
        catch_all="Larger deals",
        strata=Stratification(metric="win_rate", count=4),
        treatments=[Treatment(kind="treatment", name="Field cover"),
                    Treatment(stratum="bottom quartile", kind="intervention", name="Coaching")],
    )
    segmented = assign(reps, spec)
    plan = TreatmentMap.from_spec(spec)
    table = priorities(segmented, treatments=plan)
    assert len(table) == 8  # 2 segments x 4 strata
    below = table[table.position == "below benchmark"]
    assert set(below.stratum) >= {"bottom quartile"}
    assert (below.loc[below.stratum == "bottom quartile", "treatment"] == "Coaching").all()
    assert (table.loc[table.stratum == "top quartile", "position"] == "above benchmark").all()
    with_names = plan.assign(segmented)
    assert (with_names.loc[with_names.stratum == "top quartile", "treatment"]
            == "Field cover").all()
    assert len(with_names) == len(reps)


def test_a_spec_label_absent_from_the_data_is_still_a_valid_key():
    import pandas as pd

    from salesops_nb.segmentation.priorities import TreatmentMap
    from salesops_nb.segmentation.spec import SegmentationSpec

    spec = SegmentationSpec.model_validate({
        "name": "tiny", "entity": "reps", "key": "rep_id",
        "rules": [{"label": "SMB", "when": [{"field": "team", "op": "==", "value": "SMB"}]}],
        "catch_all": "Other",
        "treatments": [{"segment": "Other", "kind": "treatment", "name": "Pooled"}],
    })
    plan = TreatmentMap.from_spec(spec)
    only_smb = pd.DataFrame({"segment": ["SMB", "SMB"], "stratum": ["x", "y"]})
    assigned = plan.assign(only_smb, stratum=None)
    assert assigned["treatment"].isna().all()
