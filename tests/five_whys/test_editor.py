"""The editor, driven in code: set widget values, click buttons, read the saved file."""

from __future__ import annotations

import datetime as dt

import pytest

from salesops_nb.five_whys.model import WhyAnalysis
from salesops_nb.views.five_whys import FiveWhysEditor
from salesops_nb.workspace import Workspace


@pytest.fixture
def editor(tmp_path, deals):
    return FiveWhysEditor(tmp_path / "five_whys" / "main.json", deals=deals, source="sample")


def saved(tmp_path) -> WhyAnalysis:
    return Workspace(tmp_path).load(WhyAnalysis, "main")


def ask(editor: FiveWhysEditor, answer: str, *, sibling: bool = False) -> str:
    editor.answer.value = answer
    (editor.add_sibling if sibling else editor.ask_why).click()
    return editor.selected


def test_a_whole_session_builds_and_autosaves_the_tree(editor, tmp_path, deals):
    editor.what.value = "Win rate of Referral deals fell"
    editor.how_big.value = "from 42% to 28%"
    editor.save_problem.click()
    assert saved(tmp_path).problem.how_big == "from 42% to 28%"

    first = ask(editor, "Proposals go out without a qualification call")
    second = ask(editor, "The CRM allows Proposal with empty fields")
    other = ask(editor, "Leads reach sellers late", sibling=True)
    tree = saved(tmp_path)
    assert [(n.id, n.parent) for n in tree.nodes] == [(first, None), (second, first),
                                                        (other, first)]

    editor.picker.value = second
    editor.evidence_kind.value = "query"
    editor.evidence_query.value = "win_rate where lead_source = Referral"
    editor.evidence_text.value = "all referral deals"
    editor.evidence_verified.value = True
    editor.attach.click()
    evidence = saved(tmp_path).node(second).evidence[0]
    closed = deals[(deals.lead_source == "Referral") & deals.is_closed]
    assert evidence.result.value == pytest.approx(closed.is_won.mean())
    assert evidence.result.source == "sample" and evidence.verified

    editor.status.value = "supported"
    editor.control.value = "yes"
    editor.root.value = True
    editor.stop_reason.value = "The CRM set-up is what we can change"
    editor.save_node.click()
    node = saved(tmp_path).node(second)
    assert node.root_cause and node.within_control is True and node.status == "supported"

    editor.action.value = "Require qualification fields to enter Proposal"
    editor.measure_owner.value = "Head of sales ops"
    editor.due.value = dt.date(2026, 11, 15)
    editor.check_query.value = "win_rate where lead_source = Referral"
    editor.baseline.value, editor.target.value = 0.28, 0.35
    editor.check_date.value = dt.date(2027, 2, 15)
    editor.add_measure.click()
    measure = saved(tmp_path).node(second).countermeasures[0]
    assert measure.owner == "Head of sales ops" and measure.check.target == 0.35
    assert measure.check.measure_from == dt.date(2026, 11, 15)


def test_diagram_and_checks_update_live(editor):
    assert "no measurable gap" in editor.checks.value
    ask(editor, "Proposals go out late")
    assert "Proposals go out late" in editor.diagram.value
    assert editor.diagram.value.count('class="node') == 2  # problem + one cause
    ask(editor, "The rep forgot to call")
    assert "blames a person" in editor.checks.value
    editor.what.value, editor.how_big.value = "Win rate fell", "from 31% to 22%"
    editor.save_problem.click()
    assert "no measurable gap" not in editor.checks.value


def test_undo_takes_back_the_last_edit_and_saves_it(editor, tmp_path):
    assert editor.undo.disabled
    first = ask(editor, "Cause one")
    ask(editor, "Cause two")
    editor.undo.click()
    assert [n.id for n in saved(tmp_path).nodes] == [first]
    assert "Cause two" not in editor.diagram.value
    editor.undo.click()
    assert saved(tmp_path).nodes == [] and editor.undo.disabled
    editor.undo.click()
    assert "Nothing to undo" in editor.message.value


def test_mistakes_show_a_message_and_change_nothing(editor, tmp_path):
    ask(editor, "Cause one")
    before = saved(tmp_path)
    editor.evidence_kind.value = "query"
    editor.evidence_query.value = "win_rate where amount = 5"
    editor.attach.click()
    assert "Cannot filter on" in editor.message.value
    editor.evidence_kind.value = "link"
    editor.evidence_url.value = "javascript:alert(1)"
    editor.attach.click()
    assert "http" in editor.message.value
    editor.action.value = "Act"
    editor.add_measure.click()
    assert "not marked as a root cause" in editor.message.value
    editor.answer.value = "  "
    editor.ask_why.click()
    assert "cannot be empty" in editor.message.value
    editor.picker.value = ""
    editor.save_node.click()
    assert "Select a cause" in editor.message.value
    assert saved(tmp_path) == before and len(editor.history) == 1


def test_reopening_loads_the_saved_analysis(editor, tmp_path):
    node = ask(editor, "Cause one")
    again = FiveWhysEditor(tmp_path / "five_whys" / "main.json")
    assert again.analysis == editor.analysis
    again.picker.value = node
    assert again.answer.value == "Cause one"


def test_hostile_text_is_escaped_in_the_live_views(editor):
    ask(editor, '<img src=x onerror=alert(1)> "quoted"')
    assert "<img" not in editor.diagram.value and "<img" not in editor.checks.value
    assert "&lt;img" in editor.diagram.value


def test_the_problem_metric_is_computed_from_the_data(editor, tmp_path, deals):
    editor.what.value = "Win rate of Referral deals fell"
    editor.metric_before.value = ("win_rate where lead_source = Referral and "
                                  "close_date 2025-10-01..2026-03-31")
    editor.metric_after.value = "win_rate where lead_source = Referral and close_date 2026-04-01.."
    editor.save_problem.click()
    metric = saved(tmp_path).problem.metric
    after = deals[(deals.lead_source == "Referral") & deals.is_closed
                  & (deals.close_date >= "2026-04-01")]
    assert metric.after_result.value == pytest.approx(after.is_won.mean())
    assert "no measurable gap" not in editor.checks.value
    editor.metric_after.value = ""
    editor.save_problem.click()
    assert "both a before and an after" in editor.message.value
    reopened = FiveWhysEditor(tmp_path / "five_whys" / "main.json")
    assert reopened.metric_before.value.startswith("win_rate where lead_source = Referral")
