"""The combined review's package code: period, empty workspace, filters, summary, escaping."""

from __future__ import annotations

import datetime as dt
import re

import pandas as pd
import pytest

from salesops_nb import review
from salesops_nb.case import build_case
from salesops_nb.data.load import load_opportunities
from salesops_nb.errors import ParameterError
from salesops_nb.five_whys.model import WhyAnalysis
from salesops_nb.installments.model import InstallmentPlan
from salesops_nb.workspace import Workspace

HOSTILE = "<script>alert(1)</script>"


@pytest.fixture(scope="module")
def deals():
    return load_opportunities()


@pytest.fixture(scope="module")
def saved(deals, tmp_path_factory):
    folder = tmp_path_factory.mktemp("ws")
    case = build_case(deals, today=dt.date(2026, 11, 1)).save(folder)
    return case, folder


def _text(fragment: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", fragment.split("</style>")[-1]))


def test_periods(deals):
    closed = pd.to_datetime(deals.loc[deals["is_closed"], "close_date"])
    year = str(closed.max().year - 1)
    chosen, label = review.select_period(deals, year)
    assert (pd.to_datetime(chosen["close_date"]).dt.year == int(year)).all()
    assert label == f"deals closing in {year}"
    quarter, _ = review.select_period(deals, f"{year}-Q2")
    assert pd.to_datetime(quarter["close_date"]).dt.month.isin([4, 5, 6]).all()
    last, _ = review.select_period(deals, "last 6 months")
    start = closed.max() - pd.DateOffset(months=6)
    assert (pd.to_datetime(last["close_date"]) > start).all()
    assert len(review.select_period(deals, "")[0]) == len(deals)
    ranged, _ = review.select_period(deals, f"{year}-01-01..{year}-01-31")
    assert pd.to_datetime(ranged["close_date"]).dt.month.eq(1).all()
    for bad in ("Q7", "1999", "2026-13", "2026-02-01..2026-01-01"):
        with pytest.raises(ParameterError):
            review.select_period(deals, bad)


def test_empty_workspace_gets_the_case_in_a_temporary_folder(deals, tmp_path):
    empty = tmp_path / "empty"
    result = review.open_review(empty, deals)
    assert not empty.exists()  # nothing written where the report runs
    assert result.workspace.root != empty and result.analyses and result.plan is not None
    assert "No artefacts are saved in empty yet" in result.source
    assert str(tmp_path) not in result.source  # a report travels: no local folders


def test_summary_names_the_gap_and_the_next_steps(saved, deals):
    case, folder = saved
    result = review.open_review(folder, deals)
    found = review.top_findings(result)
    findings = {f.area: f.text for f in reversed(found)}  # the first of each area wins
    assert found[0].area == "Segmentation" and case.segment in found[0].text
    assert case.analysis.root_causes()[0].answer in findings["5 Why"]
    assert f"{len(case.plan.items)} installments" in findings["Installments"]
    assert "Charter maturity" in findings["Charter"]
    steps = review.next_steps(result)
    assert steps[0].startswith(f"Act on the {case.stratum} of {case.segment}")
    assert any(case.plan.items[0].title in step for step in steps)


def test_segment_filter(saved, deals):
    case, folder = saved
    other = next(s for s in case.segmentation.profile["segment"] if s != case.segment)
    result = review.open_review(folder, deals, segment=other)
    assert (result.segment_deals["team"] + " / " + result.segment_deals["region"]).eq(
        other).all()
    summary = _text(review.executive_summary(result))
    assert f"segment {other}" in summary and case.segment not in summary.split("Charter")[0]
    overall = result.kpis.iloc[0]
    assert overall["measured_on"].startswith(other)
    with pytest.raises(ParameterError, match="not a segment") as caught:
        review.open_review(folder, deals, segment="Atlantis")
    assert case.segment in caught.value.hint


def test_missing_artefacts_leave_a_note_not_an_error(saved, deals, tmp_path):
    case, _ = saved
    ws = Workspace(tmp_path)
    ws.save(case.charter, "main")  # only a charter: the plan and analyses are missing
    result = review.open_review(tmp_path, deals)
    assert result.plan is None and not result.analyses
    assert "No installment plan is saved" in review.installments_html(result)
    assert "No 5-Why analysis is saved" in review.five_whys_html(result)
    assert review.charter_html(result)


def test_user_text_is_escaped_everywhere(saved, deals, tmp_path):
    case, _ = saved
    ws = Workspace(tmp_path)
    analysis = case.analysis.model_copy(update={"title": HOSTILE})
    analysis = analysis.update_node(analysis.root_causes()[0].id, answer=HOSTILE)
    plan = case.plan.with_items([i.model_copy(update={"title": HOSTILE})
                                 for i in case.plan.items])
    for artefact in (case.segmentation.spec, analysis, plan, case.charter):
        ws.save(artefact, "main")
    result = review.open_review(tmp_path, deals)
    for fragment in (review.executive_summary(result), review.five_whys_html(result),
                     review.installments_html(result), review.charter_html(result),
                     review.workspace_html(result), review.segmentation_html(result)):
        assert "<script>" not in fragment
    assert "&lt;script&gt;" in review.five_whys_html(result)
    assert "&lt;script&gt;" in review.installments_html(result)


def test_broken_links_show_in_the_review(saved, deals, tmp_path):
    case, _ = saved
    ws = Workspace(tmp_path)
    case.save(ws)
    ws.delete(WhyAnalysis, "main")
    result = review.open_review(tmp_path, deals)
    assert any(f.area == "Workspace" for f in review.top_findings(result))
    assert "(broken link)" in review.installments_html(result)
    assert "deleted or renamed" in review.workspace_html(result)
    assert ws.load(InstallmentPlan, "main")  # nothing was changed by reading


def test_charts(saved, deals):
    _, folder = saved
    result = review.open_review(folder, deals)
    for chart in (review.priority_chart(result), review.roadmap_chart(result),
                  review.load_chart(result), review.kpi_chart(result)):
        assert chart.to_dict()
