"""The installments template, run headless once on a saved plan (nbval runs it on the example)."""

from __future__ import annotations

import pytest

from salesops_nb.installments.example import worked_example
from salesops_nb.installments.model import InstallmentPlan
from salesops_nb.installments.split import split_in_backlog
from salesops_nb.report import run_template
from salesops_nb.templates import get_template
from salesops_nb.workspace import Workspace


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    root = tmp_path_factory.mktemp("inst")
    plan = worked_example()
    # A user's plan: the example with one item split and a renamed title holding markup.
    items = split_in_backlog(plan.items, "deal-qual", 2)
    items[0] = items[0].model_copy(update={"title": "Stage <b>exit</b> criteria"})
    Workspace(root / "ws").save(plan.with_items(items), "mine")
    out = root / "out"
    result = run_template("installments", {
        "plan_path": str(root / "ws" / "installments" / "mine.json"),
        "horizon": 15, "solver_seconds": 5.0,
    }, out_dir=out)
    return result, root


@pytest.mark.slow
def test_the_report_reads_the_saved_plan_and_shows_every_section(report):
    result, _ = report
    text = result.html.read_text(encoding="utf-8")
    assert "The plan saved in mine.json (11 items)" in text
    assert "Deal qualification checklist - pilot" in text
    assert "Stage &lt;b&gt;exit&lt;/b&gt; criteria" in text and "<b>exit</b>" not in text
    for heading in ("The plan at a glance", "Roadmap", "Change load against capacity",
                    "Why each item sits where it is", "Installments against the big bang"):
        assert heading in text
    assert "Value lost by waiting for the big bang" in text
    assert "proven optimal" in text
    assert "<svg" in text  # charts drawn inline, offline
    assert "2028-03" in text  # the 15-period horizon reached the report


def test_the_template_is_registered_with_order_40_and_typed_parameters():
    template = get_template("installments")
    assert template.order == 40
    names = {p.name for p in template.parameters}
    assert {"plan_path", "period", "horizon", "use_solver", "interactive"} <= names


def test_the_report_run_does_not_write_the_plan(report):
    _, root = report
    assert Workspace(root / "ws").names(InstallmentPlan) == ["mine"]
