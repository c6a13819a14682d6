from __future__ import annotations

import datetime as dt

import pytest

from salesops_nb.five_whys.effectiveness import (
    check_status,
    checks_table,
    data_as_of,
    evaluate_check,
    evaluate_checks,
)
from salesops_nb.five_whys.evidence import EvidenceQuery
from salesops_nb.five_whys.model import EffectivenessCheck
from salesops_nb.five_whys.refresh import refresh


def _check(target: float, direction: str = "at least") -> EffectivenessCheck:
    return EffectivenessCheck(
        query=EvidenceQuery(metric="win_rate", filters={"lead_source": ["Referral"]}),
        baseline=0.28, direction=direction, target=target,
        measure_from=dt.date(2026, 4, 1), check_date=dt.date(2026, 9, 30))


def _rate(deals) -> float:
    rows = deals[(deals.lead_source == "Referral") & deals.is_closed
                 & (deals.close_date >= "2026-04-01") & (deals.close_date < "2026-10-01")]
    return float(rows.is_won.mean())


def test_a_check_is_met_or_not_met_against_the_criterion_set_in_advance(deals):
    measured = _rate(deals)
    met = evaluate_check(_check(measured - 0.01), deals)
    assert met.met is True and met.result.value == pytest.approx(measured)
    missed = evaluate_check(_check(measured + 0.01), deals)
    assert missed.met is False
    assert evaluate_check(_check(measured + 0.01, "at most"), deals).met is True
    assert check_status(met) == "met" and check_status(missed) == "not met"


def test_a_check_waits_until_the_data_covers_its_period(deals):
    assert data_as_of(deals) == dt.date(2026, 9, 30)
    later = _check(0.3).model_copy(update={"check_date": dt.date(2026, 12, 31)})
    waiting = evaluate_check(later, deals)
    assert waiting.met is None and waiting.result is None
    assert check_status(waiting) == "waiting for data"
    assert check_status(waiting, today=dt.date(2026, 10, 1)) == "not due"
    early = evaluate_check(_check(0.3), deals, today=dt.date(2026, 9, 1))
    assert early.met is None


def test_evaluating_an_analysis_fills_every_check_and_the_table_shows_it(chain, deals):
    dated = chain.update_node("w5", countermeasures=[
        {**chain.node("w5").countermeasures[0].model_dump(), "check": _check(0.2).model_dump()}])
    evaluated = evaluate_checks(dated, deals)
    check = evaluated.node("w5").countermeasures[0].check
    assert check.met is (_rate(deals) >= 0.2)
    table = checks_table(evaluated)
    assert table.loc[0, "result"] == "met" and table.loc[0, "check"] == "win_rate at least 20.0%"


def test_refresh_recomputes_evidence_and_problem_numbers(deals):
    from salesops_nb.five_whys.example import worked_example

    stamp = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
    old = worked_example(deals, now=stamp)
    later = dt.datetime(2026, 10, 2, tzinfo=dt.timezone.utc)
    fresh = refresh(old, deals, source="again", now=later)
    first = fresh.node("w1").evidence[0].result
    assert first.computed_at == later and first.source == "again"
    assert first.value == old.node("w1").evidence[0].result.value
    assert fresh.problem.metric.after_result.computed_at == later
