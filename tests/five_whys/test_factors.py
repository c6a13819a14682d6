from __future__ import annotations

import datetime as dt

import pytest

from salesops_nb.five_whys.evidence import EvidenceQuery, run_query
from salesops_nb.five_whys.factors import contributing_factors, decompose


@pytest.fixture(scope="module")
def periods():
    before = EvidenceQuery(metric="win_rate", filters={"lead_source": ["Referral"]},
                           start=dt.date(2025, 10, 1), end=dt.date(2026, 3, 31))
    return before, before.between(dt.date(2026, 4, 1), dt.date(2026, 9, 30))


@pytest.mark.parametrize("dimension", ["team", "region", "product_line", "industry"])
def test_mix_and_rate_terms_add_up_to_the_change(deals, periods, dimension):
    before, after = periods
    total = run_query(after, deals).value - run_query(before, deals).value
    terms = decompose(deals, before, after, dimension, min_deals=0)
    assert terms[0].label == f"mix of {dimension}"
    assert sum(t.points for t in terms) == pytest.approx(total)


def test_the_sample_referral_drop_has_two_material_factors(deals, periods):
    report = contributing_factors(deals, *periods)
    assert report is not None and len(report.factors) >= 2
    assert all(f.points < 0 for f in report.factors)
    assert "pts" in report.sentence()


def test_only_win_rates_are_decomposed(deals, periods):
    before, after = periods
    counts = before.model_copy(update={"metric": "deal_count"})
    assert contributing_factors(deals, counts, after) is None
