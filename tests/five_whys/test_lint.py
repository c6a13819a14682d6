"""Every coaching rule has a case that triggers it and one that does not."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pandas as pd
import pytest

from salesops_nb.five_whys.evidence import EvidenceQuery, QueryResult
from salesops_nb.five_whys.lint import RULES, findings_table, lint, people_in, summary
from salesops_nb.five_whys.model import Evidence, Problem, ProblemMetric, WhyAnalysis


def rules(analysis, **kwargs) -> list[str]:
    return [f.rule for f in lint(analysis, **kwargs)]


def test_the_clean_chain_passes_every_rule_but_the_single_chain_prompt(chain):
    assert rules(chain) == ["single_chain"]
    assert lint(chain)[0].severity == "info"


def test_every_rule_is_documented_and_tested_here():
    tested = {"problem_gap", "early_stop", "blame", "circular", "no_evidence", "unverified",
              "no_countermeasure", "incomplete_countermeasure", "single_chain"}
    assert set(RULES) == tested


# -- problem_gap -------------------------------------------------------------------------------
def test_problem_without_a_number_is_flagged(chain):
    vague = chain.with_problem(how_big="a lot")
    assert "problem_gap" in rules(vague)
    assert "problem_gap" not in rules(chain)  # "from 42% to 28%"


def test_a_problem_metric_with_results_counts_as_a_measurable_gap(chain):
    query = EvidenceQuery(metric="win_rate")
    stamp = dt.datetime(2026, 10, 1, tzinfo=dt.timezone.utc)
    metric = ProblemMetric(before=query, after=query,
                           before_result=QueryResult(value=0.4, n=90, computed_at=stamp),
                           after_result=QueryResult(value=0.3, n=95, computed_at=stamp))
    assert "problem_gap" not in rules(chain.with_problem(how_big="", metric=metric))
    assert "problem_gap" in rules(chain.with_problem(how_big="", metric=ProblemMetric(
        before=query, after=query)))


# -- early_stop --------------------------------------------------------------------------------
def test_root_cause_above_the_fifth_why_needs_a_reason(chain):
    early = chain.remove_node("w4").mark_root_cause("w3")
    early = early.update_node("w3", within_control=True)
    found = [f for f in lint(early) if f.rule == "early_stop"]
    assert [f.node_id for f in found] == ["w3"]
    with_reason = early.mark_root_cause("w3", stop_reason="Next cause is the vendor's own")
    assert "early_stop" not in rules(with_reason)
    assert "early_stop" not in rules(chain)  # root at the fifth why


# -- blame -------------------------------------------------------------------------------------
def test_a_rep_name_from_the_data_is_blame(chain, deals):
    name = people_in(deals)[0]
    named = chain.update_node("w2", answer=f"{name} sends proposals without a call")
    found = [f for f in lint(named, deals=deals) if f.rule == "blame"]
    assert [f.node_id for f in found] == ["w2"] and name in found[0].message
    assert "blame" not in rules(chain, deals=deals)
    assert "blame" not in rules(named)  # without the data the name is not known


@pytest.mark.parametrize("phrase", ["The rep didn't care", "Sales is lazy", "She forgot the call",
                                    "Ops didn’t care about it", "Human error"])
def test_blame_phrases_are_flagged(chain, phrase):
    assert "blame" in rules(chain.update_node("w3", answer=phrase))


def test_process_wording_is_not_blame(chain):
    process = chain.update_node("w3", answer="The reminder step is missing from the checklist")
    assert "blame" not in rules(process, people=["Ana Costa"])
    assert "blame" in rules(process.update_node("w3", answer="ana costa skipped it"),
                            people=["Ana Costa"])


# -- circular ----------------------------------------------------------------------------------
def test_an_answer_repeating_the_problem_or_an_ancestor_is_circular(chain):
    echo_problem = chain.update_node("w1", answer="Because the win rate of referral deals fell")
    assert [f.node_id for f in lint(echo_problem) if f.rule == "circular"] == ["w1"]
    echo_parent = chain.update_node("w3", answer="The CRM allows Proposal with empty "
                                    "qualification fields, really")
    found = [f for f in lint(echo_parent) if f.rule == "circular"]
    assert [f.node_id for f in found] == ["w3"] and "w2" in found[0].message
    assert "circular" not in rules(chain)


# -- no_evidence and unverified -----------------------------------------------------------------
def test_a_node_without_evidence(chain):
    bare = chain.add_cause(None, "Discount approvals slowed down")
    found = [f for f in lint(bare) if f.rule == "no_evidence"]
    assert [(f.node_id, f.severity) for f in found] == [("w6", "info")]
    stripped = chain.update_node("w2", evidence=[])
    found = [f for f in lint(stripped) if f.rule == "no_evidence"]
    assert [(f.node_id, f.severity) for f in found] == [("w2", "warning")]  # feeds a root cause
    assert "no_evidence" not in rules(chain)


def test_unverified_evidence_feeding_a_root_cause(chain):
    guess = chain.update_node("w2", evidence=[Evidence(text="A manager thinks so")])
    assert [f.node_id for f in lint(guess) if f.rule == "unverified"] == ["w2"]
    side = chain.add_cause(None, "Side cause", evidence=[Evidence(text="a guess")])
    assert "unverified" not in rules(side)  # does not lead to a root cause
    assert "unverified" not in rules(chain)


# -- countermeasures ---------------------------------------------------------------------------
def test_root_cause_without_countermeasure(chain):
    bare = chain.update_node("w5", countermeasures=[])
    assert [f.node_id for f in lint(bare) if f.rule == "no_countermeasure"] == ["w5"]
    assert "no_countermeasure" not in rules(chain)


@pytest.mark.parametrize(("missing", "words"), [
    ({"owner": ""}, "an owner"),
    ({"due": None}, "a due date"),
    ({"check": None}, "an effectiveness check"),
])
def test_incomplete_countermeasure(chain, missing, words):
    measure = chain.node("w5").countermeasures[0].model_copy(update=missing)
    incomplete = chain.update_node("w5", countermeasures=[measure.model_dump()])
    found = [f for f in lint(incomplete) if f.rule == "incomplete_countermeasure"]
    assert len(found) == 1 and words in found[0].message and found[0].countermeasure_id == "c1"
    dropped = incomplete.update_node("w5", countermeasures=[
        {**measure.model_dump(), "status": "dropped"}])
    assert "incomplete_countermeasure" not in rules(dropped)


# -- single_chain ------------------------------------------------------------------------------
def _two_factor_deals() -> pd.DataFrame:
    """A segment whose win rate fell in two teams at once, both material."""
    rng = np.random.default_rng(3)
    rows = []
    for date, rates in (("2026-02-15", {"SMB": 0.5, "Enterprise": 0.4}),
                        ("2026-08-15", {"SMB": 0.3, "Enterprise": 0.2})):
        for team, rate in rates.items():
            won = rng.random(200) < rate
            rows.append(pd.DataFrame({"team": team, "close_date": pd.Timestamp(date),
                                      "is_closed": True, "is_won": won,
                                      "lead_source": "Referral"}))
    return pd.concat(rows, ignore_index=True)


def _one_factor_deals() -> pd.DataFrame:
    frame = _two_factor_deals()
    after_enterprise = (frame.close_date > "2026-06-01") & (frame.team == "Enterprise")
    keep = frame[~after_enterprise]
    before_enterprise = frame[(frame.team == "Enterprise") & (frame.close_date < "2026-06-01")]
    again = before_enterprise.assign(close_date=pd.Timestamp("2026-08-15"))
    return pd.concat([keep, again], ignore_index=True)  # only SMB falls


def _with_metric(analysis: WhyAnalysis) -> WhyAnalysis:
    before = EvidenceQuery(metric="win_rate", filters={"lead_source": ["Referral"]},
                           start=dt.date(2026, 1, 1), end=dt.date(2026, 3, 31))
    metric = ProblemMetric(before=before, after=before.between(dt.date(2026, 7, 1),
                                                               dt.date(2026, 9, 30)))
    return analysis.with_problem(metric=metric)


def test_single_chain_where_the_data_shows_two_factors(chain):
    analysis = _with_metric(chain)
    found = [f for f in lint(analysis, deals=_two_factor_deals()) if f.rule == "single_chain"]
    assert len(found) == 1 and found[0].severity == "warning"
    assert "what else had to be true" in found[0].suggestion
    assert "SMB" in found[0].message and "Enterprise" in found[0].message


def test_single_chain_is_fine_when_the_data_shows_one_factor(chain):
    analysis = _with_metric(chain)
    assert "single_chain" not in rules(analysis, deals=_one_factor_deals())


def test_a_branched_tree_is_not_a_single_chain(chain):
    branched = _with_metric(chain).add_sibling("w2", "Discovery calls are skipped",
                                               evidence=[Evidence(text="x", verified=True)])
    assert "single_chain" not in rules(branched, deals=_two_factor_deals())
    assert "single_chain" not in rules(branched)


# -- summary -----------------------------------------------------------------------------------
def test_summary_measures(chain):
    tree = chain.add_cause(None, "Second branch, no evidence")
    tree = tree.add_cause(None, "Refuted idea", status="refuted",
                          evidence=[Evidence(text="data says no", verified=True)])
    tree = tree.update_node("w2", evidence=[Evidence(text="guess")])
    measures = summary(tree)
    assert measures.nodes == 7
    assert measures.evidence_share == pytest.approx(6 / 7)
    assert measures.verified_share == pytest.approx(5 / 7)
    assert measures.branches == 2  # w5 and w6; the refuted leaf does not count
    assert measures.root_causes == 1
    assert measures.within_control_share == 1.0
    assert measures.countermeasure_share == 1.0
    table = measures.table()
    assert table.loc[table.measure == "Nodes with evidence", "value"].item() == "86%"


def test_summary_of_an_empty_analysis_has_no_shares():
    measures = summary(WhyAnalysis(problem=Problem(what="x")))
    assert measures.evidence_share is None and measures.countermeasure_share is None
    assert measures.branches == 0


def test_findings_table_names_where(chain):
    table = findings_table(lint(chain.update_node("w5", countermeasures=[])))
    assert list(table["where"]) == ["w5", "problem"]
