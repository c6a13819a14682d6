"""The maturity score and its breakdown."""

from __future__ import annotations

import pytest

from salesops_nb.charter import Charter, LintConfig, maturity

from .conftest import TODAY, make_clean

CONFIG = LintConfig(today=TODAY)


def test_complete_charter_scores_100_and_empty_scores_0():
    report = maturity(make_clean(), CONFIG)
    assert report.score == 100 and report.level == "Ready to sign"
    assert all(d.lost == pytest.approx(0) for d in report.dimensions)
    empty = maturity(Charter(), CONFIG)
    assert empty.score == 0 and empty.level == "Draft"


def test_breakdown_sums_to_the_score_and_maxima_to_100():
    charter = make_clean()
    charter.licence.escalation = ""
    charter.decisions[0].raci = {"Sales Operations": "R"}
    report = maturity(charter, CONFIG)
    table = report.table()
    assert table["max_points"].sum() == 100
    assert round(sum(d.points for d in report.dimensions)) == report.score
    points = dict(zip(table["dimension"], table["points"], strict=True))
    assert points["Licence"] == pytest.approx(7.0)  # authority 50% + access 20%
    assert points["Decision rights"] == pytest.approx(15 * 5 / 6, abs=0.05)
    assert report.score == round(100 - 3 - 15 / 6)


def test_strategic_focus_scales_with_the_share_of_capacity():
    charter = make_clean()
    for service in charter.services:
        service.capacity_pct = 10 if service.service_class == "strategic" else 40
    # strategic capacity 6 x 10 = 60 of 60 + 4 x 40 = 220 -> 27%; full marks at 60%
    report = maturity(charter, CONFIG)
    focus = next(d for d in report.dimensions if d.name == "Strategic focus")
    assert focus.points == pytest.approx(20 * (60 / 220) / 0.6)
    assert "27% strategic of capacity" in focus.detail


def test_fix_first_puts_errors_then_the_costliest_dimension():
    charter = make_clean()
    charter.licence.authority = ""          # error, Licence
    charter.review_date = None              # info, Upkeep
    for person in charter.stakeholders:     # warning, Sign-off
        person.sign_off = "pending"
    report = maturity(charter, CONFIG)
    assert [f.rule for f in report.fix_first(3)] == ["no-licence", "no-sign-off",
                                                     "no-review-date"]
