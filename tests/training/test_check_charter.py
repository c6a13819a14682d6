"""check.charter: the charter lint (whole charter) or one KPI, with a target-direction check."""

from __future__ import annotations

import datetime as dt

import pytest

from salesops_nb import charter as ch
from salesops_nb.training import check

TODAY = dt.date(2026, 11, 1)


@pytest.fixture
def example() -> ch.Charter:
    return ch.example_charter()


def _complete(charter: ch.Charter) -> ch.Charter:
    for objective in charter.objectives:
        for kpi in objective.kpis:
            if kpi.due is None:
                kpi.due = dt.date(2027, 12, 31)
    return charter


def test_a_complete_charter_passes_with_its_maturity(example):
    feedback = check.charter(_complete(example), today=TODAY)
    assert feedback.passed, str(feedback)
    assert dict(feedback.figures)["level"] == "Ready to sign"
    assert feedback.topics("tip") == {"strategic-share", "strategic-capacity"}


def test_whole_charter_warnings_fail(example):
    feedback = check.charter(example, today=TODAY)
    assert [n.text for n in feedback.fixes] == [
        "KPI 'Average discount' of objective 'Protect margin on every deal' has no due date."]


def test_two_deciders_and_no_licence_fail(example):
    example.decisions[0].raci = {"Sales ops": "A", "Finance": "A"}
    example.licence = ch.Licence()
    feedback = check.charter(_complete(example), today=TODAY)
    assert {"decision-accountable", "no-licence"} <= feedback.topics("fix")


def test_one_kpi_passes_when_trackable(example):
    feedback = check.charter(example, kpi="WIN RATE", today=TODAY)
    assert feedback.passed
    assert feedback.notes[-1].text.startswith("KPI 'Win rate' can be tracked: 21% -> 25% by")


def test_one_kpi_reports_only_its_own_gaps(example):
    feedback = check.charter(example, kpi="Average discount", today=TODAY)
    assert feedback.messages == [
        "KPI 'Average discount' of objective 'Protect margin on every deal' has no due date."]


def test_an_unknown_kpi_lists_the_kpis_there_are(example):
    feedback = check.charter(example, kpi="Referral win rate", today=TODAY)
    assert feedback.messages == ["The charter has no KPI named 'Referral win rate'."]
    assert "'Win rate', 'Qualify-to-proposal conversion'" in feedback.fixes[0].hint


def test_an_undefined_kpi_and_an_untied_objective_fail_in_kpi_mode(example):
    example.objectives.append(ch.Objective(title="Faster referrals", kpis=[ch.Kpi(
        name="Referral win rate", unit="%", baseline=28, target=35, owner="Head of sales",
        due=dt.date(2027, 6, 30))]))
    feedback = check.charter(example, kpi="Referral win rate", today=TODAY)
    assert feedback.topics("fix") == {"objective-not-tied", "kpi-undefined"}


def test_a_target_on_the_wrong_side_of_the_baseline_fails(example):
    kpi = example.objectives[0].kpis[0]
    kpi.target = kpi.baseline - 1
    feedback = check.charter(example, kpi="Win rate", today=TODAY)
    assert feedback.topics("fix") == {"kpi-direction"}
    assert feedback.fixes[0].text == (
        f"KPI 'Win rate': the target {kpi.target:g} is not above the baseline "
        f"{kpi.baseline:g}, but the KPI should increase.")
    assert "direction='decrease'" in feedback.fixes[0].hint


def test_json_text_is_accepted(example):
    feedback = check.charter(_complete(example).model_dump_json(), today=TODAY)
    assert feedback.passed
