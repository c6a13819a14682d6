from __future__ import annotations

import datetime as dt

import pytest

from salesops_nb.errors import MissingColumnsError
from salesops_nb.five_whys.evidence import (
    METRICS,
    EvidenceQuery,
    QuerySyntaxError,
    describe_query,
    format_value,
    parse_query,
    run_query,
)


def test_win_rate_query_equals_a_direct_pandas_computation(deals):
    query = parse_query("win_rate where lead_source = Referral and team in (SMB, Mid-Market) "
                        "and close_date 2026-04-01..2026-09-30")
    rows = deals[(deals.lead_source == "Referral") & deals.team.isin(["SMB", "Mid-Market"])
                 & (deals.close_date >= "2026-04-01") & (deals.close_date < "2026-10-01")
                 & deals.is_closed]
    result = run_query(query, deals)
    assert result.n == len(rows) > 0
    assert result.value == pytest.approx(rows.is_won.mean())


@pytest.mark.parametrize("metric", list(METRICS))
def test_every_metric_runs_and_matches_pandas(deals, metric):
    region = deals[deals.region == "EMEA"]
    closed = region[region.is_closed]
    expected = {
        "win_rate": closed.is_won.mean(),
        "deal_count": len(region),
        "closed_count": len(closed),
        "won_count": region.is_won.sum(),
        "avg_amount": region.amount.mean(),
        "won_amount": region.amount[region.is_won].sum(),
        "avg_cycle_days": closed.cycle_days.mean(),
        "avg_discount": region.discount.mean(),
    }[metric]
    value = run_query(EvidenceQuery(metric=metric, filters={"region": ["EMEA"]}), deals).value
    assert value == pytest.approx(float(expected))


def test_an_empty_slice_has_no_rate_not_zero(deals):
    result = run_query(EvidenceQuery(metric="win_rate", filters={"region": ["Mars"]}), deals)
    assert result.value is None and result.n == 0
    assert format_value("win_rate", result.value) == "no data"


def test_text_form_round_trips():
    query = EvidenceQuery(metric="avg_amount", filters={"region": ["North America"],
                                                        "team": ["SMB", "Mid-Market"]},
                          date_column="created_date", start=dt.date(2026, 1, 1))
    assert parse_query(describe_query(query)) == query
    odd = EvidenceQuery(metric="deal_count", filters={"rep_name": ['A "quoted" and name']})
    assert parse_query(describe_query(odd)).filters["rep_name"] == ["A 'quoted' and name"]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "empty"),
        ("__import__('os').system('echo hacked')", "Unknown metric"),
        ("win_rate where amount = 5", "Cannot filter on 'amount'"),
        ("win_rate where team = SMB or region = EMEA", "'and'"),
        ("win_rate where team SMB", "'=' or 'in'"),
        ("win_rate where close_date 2026-13-01..", "impossible date"),
        ("win_rate where close_date 2026-05-01..2026-01-01", "starts"),
        ("win_rate where team in (SMB", "a value is missing|',' or"),
        ("win_rate team = SMB", "'where'"),
    ],
)
def test_bad_queries_say_what_is_wrong(text, message):
    with pytest.raises(QuerySyntaxError, match=f"(?i){message}") as info:
        parse_query(text)
    assert info.value.hint


def test_a_frame_without_the_column_gets_a_teaching_error(deals):
    with pytest.raises(MissingColumnsError, match="lead_source") as info:
        run_query(parse_query("win_rate where lead_source = Event"),
                  deals.drop(columns="lead_source"))
    assert info.value.missing == ["lead_source"]


def test_run_query_does_not_touch_the_frame(deals):
    before = deals.copy()
    run_query(parse_query("win_rate where team = SMB and close_date 2026-01-01.."), deals)
    assert deals.equals(before)
