"""Rules: first match wins, missing values fall through, warnings for overlaps and dead rules."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from salesops_nb.errors import MissingColumnsError, SpecError
from salesops_nb.segmentation._frames import NonNumericFieldError
from salesops_nb.segmentation.engine import assign
from salesops_nb.segmentation.spec import SegmentationSpec
from salesops_nb.segmentation.spec_parts import Condition, Rule


@pytest.fixture
def deals() -> pd.DataFrame:
    return pd.DataFrame({
        "team": pd.Categorical(["Ent", "Ent", "SMB", "Mid", None, "SMB"]),
        "region": ["EMEA", "NA", "EMEA", "NA", "EMEA", None],
        "amount": [100.0, 5.0, 50.0, np.nan, 70.0, 10.0],
        "is_won": [True, False, True, False, True, False],
    })


def _spec(*rules: Rule) -> SegmentationSpec:
    return SegmentationSpec(rules=list(rules), catch_all="Other")


def test_first_match_wins_and_missing_values_fall_through(deals):
    spec = _spec(
        Rule(label="Big", when=[Condition(field="amount", op=">=", value=60)]),
        Rule(label="Ent", when=[Condition(field="team", op="in", value=["Ent"])]),
        Rule(label="EMEA small", when=[Condition(field="region", value="EMEA"),
                                       Condition(field="amount", op="<", value=60)]),
    )
    out = assign(deals, spec)
    assert out["segment"].tolist() == ["Big", "Ent", "EMEA small", "Other", "Big", "Other"]
    assert "segment" not in deals.columns  # the input is untouched


def test_any_and_not_in(deals):
    spec = _spec(
        Rule(label="EMEA or won", match="any", when=[Condition(field="region", value="EMEA"),
                                                      Condition(field="is_won", value=True)]),
        Rule(label="not SMB", when=[Condition(field="team", op="not in", value=["SMB"])]),
    )
    out = assign(deals, spec)
    assert out["segment"].tolist() == [
        "EMEA or won", "not SMB", "EMEA or won", "not SMB", "EMEA or won", "Other"]


def test_check_reports_overlap_unreachable_and_unseen_values(deals):
    spec = _spec(
        Rule(label="Ent", when=[Condition(field="team", value="Ent")]),
        Rule(label="Ent again", when=[Condition(field="team", op="in", value=["Ent"])]),
        Rule(label="EMEA", when=[Condition(field="region", value="EMEA")]),
        Rule(label="Typo", when=[Condition(field="team", op="in", value=["Enterprize"])]),
    )
    warnings = spec.check(deals)
    kinds = {(w.kind, w.rule) for w in warnings}
    assert ("unreachable", "Ent again") in kinds
    assert ("overlap", "EMEA") in kinds  # row 0 is Ent and EMEA
    assert ("matches nothing", "Typo") in kinds
    assert ("value not found", "Typo") in kinds
    overlap = next(w for w in warnings if w.kind == "overlap")
    assert overlap.rows == 1 and "first match wins" in str(overlap)


def test_clean_rules_give_no_warning(deals):
    spec = _spec(Rule(label="SMB", when=[Condition(field="team", value="SMB")]))
    assert spec.check(deals) == []


def test_unknown_field_names_it_and_suggests(deals):
    spec = _spec(Rule(label="x", when=[Condition(field="regoin", value="EMEA")]))
    with pytest.raises(MissingColumnsError, match="'regoin'") as info:
        assign(deals, spec)
    assert "'region'" in info.value.hint
    assert info.value.suggestions["regoin"][0] == "region"


def test_wrong_value_kinds_are_refused(deals):
    with pytest.raises(NonNumericFieldError, match="'team'"):
        assign(deals, _spec(Rule(label="x", when=[Condition(field="team", op=">", value=3)])))
    with pytest.raises(SpecError, match="numbers"):
        assign(deals, _spec(Rule(label="x", when=[Condition(field="amount", op="in",
                                                            value=["100"])])))
