"""Deals that cannot carry the improvement case: the review still reports, and says why.

An empty workspace gets the improvement case built on the report's deals; when those deals
cannot carry it (the default segmentation cannot be built on them) the case is built on the
built-in sample instead, and the reason is in the report, escaped.
"""

from __future__ import annotations

import html

import pytest

from salesops_nb import review
from salesops_nb.data.load import load_opportunities


@pytest.fixture(scope="module")
def deals():
    return load_opportunities()


def _no_team(frame):
    return frame.assign(team=None)  # team x region: nothing to segment by


def _a_team_per_deal(frame):
    # ParameterError: far too many segments to compare
    return frame.assign(team=[f"team {i}" for i in range(len(frame))])


@pytest.mark.parametrize(("damage", "reason"), [
    (_no_team, "hold no values"),
    (_a_team_per_deal, "too many to compare"),
])
def test_data_that_cannot_build_the_case_gets_the_sample_case_and_the_reason(
        deals, tmp_path, damage, reason):
    bad = damage(deals.copy())
    result = review.open_review(tmp_path / "empty", bad, data_source="the data file deals.csv")
    assert "improvement case built on the built-in sample data" in result.source
    assert "it cannot be built on the data file deals.csv: " in result.source
    assert reason in result.source
    assert result.analyses and result.plan is not None and result.charter is not None
    # The report goes on: every section the template shows renders, the reason escaped in it.
    summary = review.executive_summary(result)
    assert html.escape(result.source) in summary
    for section in (review.segmentation_html, review.five_whys_html, review.installments_html,
                    review.charter_html, review.workspace_html):
        assert section(result)


def test_data_that_builds_the_case_says_nothing_about_the_sample(deals, tmp_path):
    result = review.open_review(tmp_path / "empty", deals, data_source="the data file deals.csv")
    assert "built on the data file deals.csv" in result.source
    assert "cannot be built" not in result.source
