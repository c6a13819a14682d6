"""The charter template, run headless once on a saved charter holding hostile text."""

from __future__ import annotations

import html

import docx
import pytest

from salesops_nb.charter import example_charter
from salesops_nb.charter.model import SECTIONS
from salesops_nb.report import run_template
from salesops_nb.templates import get_template
from salesops_nb.workspace import Workspace

HOSTILE = "<script>alert(1)</script> & \"Co\""


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    root = tmp_path_factory.mktemp("charter-run")
    charter = example_charter()
    charter.organisation = HOSTILE
    charter.stakeholders[-1].name = HOSTILE  # pending: named in the sign-off line
    Workspace(root / "ws").save(charter, "main")
    result = run_template(
        "charter",
        {"charter_path": str(root / "ws" / "charter" / "main.json"),
         "export_formats": "html,docx", "include_checks": True},
        out_dir=root / "out",
    )
    return result, charter


def test_template_is_registered_with_order_50_and_its_parameters():
    template = get_template("charter")
    assert template.order == 50
    names = [p.name for p in template.parameters]
    assert names == ["charter_path", "data_path", "sheet", "dayfirst", "decimal", "organisation",
                     "export_formats", "include_checks", "interactive"]


@pytest.mark.slow
def test_headless_run_reads_the_saved_charter_and_escapes_it(report):
    result, _ = report
    page = result.html.read_text("utf-8")
    assert "Reading the saved charter" in page
    assert "<script>alert(1)</script>" not in page
    # the report's sanitiser writes quotes in text back as plain quotes; tags stay escaped
    assert "Sales Operations charter: &lt;script&gt;alert(1)&lt;/script&gt; &amp;" in page
    for _, title in SECTIONS:
        assert html.escape(title) in page
    assert "Maturity score:" in page and "Services by class" in page
    assert "Median sales cycle" in page  # baselines measured on the built-in sample


@pytest.mark.slow
def test_headless_run_writes_the_chosen_exports_next_to_the_report(report):
    result, charter = report
    folder = result.html.parent
    assert sorted(p.name for p in folder.glob("charter-document.*")) == [
        "charter-document.docx", "charter-document.html"]
    exported = (folder / "charter-document.html").read_text("utf-8")
    assert "Coaching checks" in exported and "<script>alert" not in exported
    document = docx.Document(str(folder / "charter-document.docx"))
    assert document.paragraphs[0].text == charter.title
