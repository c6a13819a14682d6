"""The worked example's numbers come from the data: recomputed here with plain pandas."""

from __future__ import annotations

import pandas as pd
import pytest

from salesops_nb.five_whys.example import declining_segment, half_years, worked_example
from salesops_nb.five_whys.lint import lint, summary


def _rate(deals: pd.DataFrame, start: str, end: str, **filters) -> tuple[float, int]:
    rows = deals[deals.is_closed & (deals.close_date >= start)
                 & (deals.close_date <= pd.Timestamp(end))]
    for column, value in filters.items():
        rows = rows[rows[column] == value]
    return float(rows.is_won.mean()), len(rows)


@pytest.fixture(scope="module")
def example(deals):
    return worked_example(deals)


def test_periods_are_the_two_half_years_ending_with_the_data(deals):
    (b0, b1), (a0, a1) = half_years(deals)
    assert (str(b0), str(b1), str(a0), str(a1)) == (
        "2025-10-01", "2026-03-31", "2026-04-01", "2026-09-30")


def test_the_segment_is_the_largest_single_dimension_drop(deals):
    segment = declining_segment(deals)
    assert (segment.column, segment.value) == ("lead_source", "Referral")
    rate_0, n_0 = _rate(deals, "2025-10-01", "2026-03-31", lead_source="Referral")
    rate_1, n_1 = _rate(deals, "2026-04-01", "2026-09-30", lead_source="Referral")
    assert segment.rate_before == pytest.approx(rate_0) and segment.closed_before == n_0
    assert segment.rate_after == pytest.approx(rate_1) and segment.closed_after == n_1
    # no other lead source, team, region, product line or industry fell further
    for column in ("lead_source", "team", "region", "product_line", "industry"):
        for value in deals[column].dropna().unique():
            r0, m0 = _rate(deals, "2025-10-01", "2026-03-31", **{column: value})
            r1, m1 = _rate(deals, "2026-04-01", "2026-09-30", **{column: value})
            if min(m0, m1) >= 60:
                assert r1 - r0 >= segment.drop - 1e-12


def test_problem_numbers_equal_pandas(deals, example):
    rate_0, n_0 = _rate(deals, "2025-10-01", "2026-03-31", lead_source="Referral")
    rate_1, n_1 = _rate(deals, "2026-04-01", "2026-09-30", lead_source="Referral")
    metric = example.problem.metric
    assert metric.before_result.value == pytest.approx(rate_0) and metric.before_result.n == n_0
    assert metric.after_result.value == pytest.approx(rate_1) and metric.after_result.n == n_1
    assert f"from {rate_0:.0%} to {rate_1:.0%}" in example.problem.how_big
    assert f"{(rate_1 - rate_0) * 100:+.1f} points" in example.problem.how_big


def test_every_query_evidence_equals_pandas(deals, example):
    checked = 0
    for node in example.nodes:
        for evidence in node.evidence:
            if evidence.kind != "query":
                continue
            query = evidence.query
            filters = {c: v[0] for c, v in query.filters.items()}
            rate, n = _rate(deals, str(query.start), str(query.end), **filters)
            assert evidence.result.value == pytest.approx(rate)
            assert evidence.result.n == n
            assert f"{rate:.1%}" in node.answer
            checked += 1
    assert checked == 4  # two data factors, before and after each


def test_the_mix_hypothesis_is_judged_by_the_data(deals, example):
    mix = [n for n in example.nodes if n.answer.startswith("The deals shifted")]
    assert len(mix) == 1 and mix[0].status == "refuted"
    assert "the mix explains" in mix[0].evidence[0].text


def test_the_example_is_a_good_model_with_one_coaching_point(deals, example):
    findings = lint(example, deals=deals)
    assert [f.rule for f in findings] == ["unverified"]
    measures = summary(example)
    assert measures.branches == 2 and measures.root_causes == 2
    assert measures.countermeasure_share == 1.0


def test_countermeasure_checks_use_the_segment_numbers(deals, example):
    for root in example.root_causes():
        check = root.countermeasures[0].check
        factor = example.path(root.id)[0]
        before, after = (e.result.value for e in factor.evidence)
        assert check.baseline == pytest.approx(after)
        assert check.target == pytest.approx(round((before + after) / 2, 2))


def test_too_little_history_falls_back_to_the_sample(tmp_path):
    from salesops_nb.data.load import load_opportunities
    from salesops_nb.five_whys.example import saved_or_example

    small = load_opportunities(sample_rows=300)
    analysis, note = saved_or_example(tmp_path / "ws" / "five_whys" / "main.json", small,
                                      source="crm.csv")
    assert "too little history" in note and "crm.csv" in note
    assert analysis.nodes  # the worked example, built on the built-in sample
