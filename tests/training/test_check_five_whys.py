"""check.five_whys: the coaching checks of the 5-Why lint become exercise feedback."""

from __future__ import annotations

import datetime as dt

import pytest

from salesops_nb import five_whys as fw
from salesops_nb.training import check


@pytest.fixture(scope="module")
def draft(deals) -> fw.WhyAnalysis:
    """The worked example: sound but for one unverified cause (w7)."""
    return fw.worked_example(deals)


@pytest.fixture(scope="module")
def sound(draft) -> fw.WhyAnalysis:
    evidence = [e.model_copy(update={"verified": True}) for e in draft.node("w7").evidence]
    return draft.update_node("w7", evidence=evidence)


def test_a_sound_analysis_passes_with_its_figures(sound, deals):
    feedback = check.five_whys(sound, deals=deals)
    assert feedback.passed, str(feedback)
    assert feedback.notes[-1].text.startswith("9 causes in 2 branch(es)")
    assert dict(feedback.figures) == {"causes": "9", "branches": "2", "with evidence": "100%",
                                      "root causes": "2"}


def test_unverified_evidence_under_a_root_cause_fails(draft, deals):
    feedback = check.five_whys(draft, deals=deals)
    assert feedback.topics("fix") == {"unverified"}
    assert "(w7)" in feedback.fixes[0].text
    assert feedback.fixes[0].hint.startswith("Verify it before acting")


def test_blaming_a_person_fails_and_says_to_ask_about_the_system(sound, deals):
    blamed = sound.update_node("w2", answer="Diego Patel did not bother to qualify")
    feedback = check.five_whys(blamed, deals=deals)
    assert feedback.topics("fix") == {"blame"}
    assert "blames a person (names Diego Patel)" in feedback.fixes[0].text
    assert "Ask why the system made the mistake easy" in feedback.fixes[0].hint


def test_stopping_early_without_a_reason_fails(sound, deals):
    early = sound.mark_root_cause("w2").add_countermeasure(
        "w2", "Qualification call before every proposal", owner="Sales managers",
        due=dt.date(2027, 1, 31), check=sound.node("w5").countermeasures[0].check)
    feedback = check.five_whys(early, deals=deals)
    assert "early_stop" in feedback.topics("fix")
    assert "marked as a root cause after 2 why(s)" in feedback.fixes[0].text


def test_a_countermeasure_without_owner_and_check_fails(sound, deals):
    measure = sound.node("w8").countermeasures[0].model_copy(update={"owner": "",
                                                                     "check": None})
    weak = sound.update_node("w8", countermeasures=[measure])
    feedback = check.five_whys(weak, deals=deals)
    assert feedback.topics("fix") == {"incomplete_countermeasure"}
    assert feedback.fixes[0].text.endswith("lacks an owner or an effectiveness check.")


def test_a_cause_without_evidence_and_an_unmeasured_problem_fail(sound):
    bare = sound.with_problem(how_big="a lot", metric=None).add_cause("w9", "Mix moved")
    feedback = check.five_whys(bare)
    assert {"problem_gap", "no_evidence"} <= feedback.topics()
    assert "problem_gap" in feedback.topics("fix")


def test_no_cause_and_no_root_cause_are_explained():
    empty = check.five_whys(fw.WhyAnalysis())
    assert empty.messages == ["No why yet: the analysis has a problem but no answer to 'why?'."]
    one = fw.WhyAnalysis().with_problem(how_big="from 40% to 30%").add_cause(
        None, "Leads wait a week in a shared inbox")
    feedback = check.five_whys(one)
    assert "no root cause" in feedback.topics("fix")


def test_a_dict_that_is_no_analysis_is_explained():
    feedback = check.five_whys({"nodes": [{"id": "w1"}]})
    assert feedback.messages[0].startswith("This is not a valid 5-Why analysis: nodes.0.answer")
