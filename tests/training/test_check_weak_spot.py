"""check.weak_spot: the segment whose win rate fell most, judged by five_whys.declining_segment."""

from __future__ import annotations

import pandas as pd

from salesops_nb.training import check


def test_the_largest_drop_passes_whatever_the_case(deals):
    feedback = check.weak_spot("referral", deals)
    assert feedback.passed
    assert feedback.messages == [
        "Yes: the win rate of lead source Referral deals fell from 42% to 28% (-14.1 points), "
        "the largest drop among segments with 60+ closed deals in each half-year."]


def test_a_smaller_drop_is_quantified(deals):
    feedback = check.weak_spot("Enterprise", deals)
    assert feedback.topics("fix") == {"not the largest drop"}
    assert feedback.messages[0].startswith("The win rate of 'Enterprise' (team) fell from 20% to")
    assert feedback.messages[0].endswith("another segment fell further.")


def test_an_unknown_value_lists_real_ones(deals):
    feedback = check.weak_spot("Web", deals)
    assert feedback.topics("fix") == {"unknown value"}
    assert "'Partner' and 'Referral'" in feedback.fixes[0].hint


def test_too_few_deals_and_no_answer(deals):
    small = deals.copy()
    small["industry"] = small["industry"].astype("string")
    small.loc[small.index[:30], "industry"] = "Space"
    feedback = check.weak_spot("space", small)
    assert feedback.topics("fix") == {"too few deals"}
    assert check.weak_spot("", deals).messages == ["No answer yet."]


def test_data_without_closed_deals_is_explained(deals):
    open_only = deals.assign(is_closed=False, close_date=pd.NaT)
    feedback = check.weak_spot("Referral", open_only)
    assert feedback.topics("fix") == {"data"}
