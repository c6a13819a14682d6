"""The start-here tour and the workshop: headless runs pass every exercise with the default
answers; trainer notes are marked; links point at templates that exist."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from salesops_nb.report import run_template
from salesops_nb.status import workspace_status
from salesops_nb.templates import bundled_dir, get_template
from salesops_nb.workspace import Workspace

NAMES = ("start_here", "workshop")


@pytest.fixture(scope="module", params=NAMES)
def executed(request, tmp_path_factory):
    caller = tmp_path_factory.mktemp(request.param)  # the folder the user runs from
    # The workshop saves its case when asked; a relative folder is read from the caller's.
    params = {"save_path": "saved-case"} if request.param == "workshop" else {}
    before = os.getcwd()
    os.chdir(caller)
    try:
        report = run_template(request.param, params, out_dir="reports", progress=False)
    finally:
        os.chdir(before)
    return request.param, json.loads(Path(report.notebook).read_text()), Path(report.html)


def _panels(notebook) -> dict[str, str]:
    found = {}
    for cell in notebook["cells"]:
        for output in cell.get("outputs", []):
            page = "".join(output.get("data", {}).get("text/html", ""))
            if "salesops-feedback" in page:
                found[cell["id"]] = re.search(r"&#\d+; ([^<]*)</p>", page).group(1)
    return found


@pytest.mark.slow
def test_every_exercise_passes_with_the_default_answers(executed):
    name, notebook, html = executed
    panels = _panels(notebook)
    not_yet = {k: v for k, v in panels.items() if ": passed" not in v}
    if name == "start_here":
        assert list(panels.values()) == ["Segmentation: passed", "5 Why: passed",
                                         "Installment plan: passed",
                                         "Charter KPI &#x27;Referral win rate&#x27;: passed"]
    else:
        assert len(panels) == 7
        # the one deliberate "not yet": the coach's review of the draft the group is handed
        assert not_yet == {"workshop-18": "5 Why: not yet, 1 thing to fix"}
    assert not [o for c in notebook["cells"] for o in c.get("outputs", [])
                if o.get("output_type") == "error"]
    assert "salesops-feedback" in html.read_text(encoding="utf-8")


@pytest.mark.slow
def test_the_workshop_saves_its_case_where_the_caller_asked(executed):
    name, _, html = executed
    saved = html.parent.parent / "saved-case"  # next to the reports folder, not inside it
    if name == "start_here":  # asked nothing, saves nothing
        assert not saved.exists()
        return
    infos = Workspace(saved).list()
    assert sorted((i.kind, i.name, i.problem) for i in infos) == [
        (kind, "main", None) for kind in ("charter", "five_whys", "installments", "segmentation")]
    assert not workspace_status(saved).broken  # the plan's items point at the saved 5 Why
    assert not (html.parent / "saved-case").exists()


@pytest.mark.parametrize("name", NAMES)
def test_metadata_and_exercise_cells(name):
    template = get_template(name)
    assert template.order < 10  # listed before the fundamentals' own templates
    assert {p.name for p in template.parameters} >= {"sample_rows", "seed"}
    notebook = json.loads(template.path.read_text(encoding="utf-8"))
    sources = ["".join(c["source"]) for c in notebook["cells"]]
    assert sum("# YOUR ANSWER" in s for s in sources) >= 4
    assert all(not c.get("outputs") for c in notebook["cells"] if c["cell_type"] == "code")


def test_workshop_trainer_notes_are_tagged_and_marked():
    notebook = json.loads(get_template("workshop").path.read_text(encoding="utf-8"))
    notes = [c for c in notebook["cells"] if "trainer-note" in c["metadata"].get("tags", [])]
    assert len(notes) >= 5
    assert all(c["cell_type"] == "markdown" for c in notes)
    assert all("".join(c["source"]).startswith("> **TRAINER NOTE**") for c in notes)
    marked = [c for c in notebook["cells"] if "".join(c["source"]).startswith("> **TRAINER")]
    assert marked == notes  # every marked note is tagged (a copy for participants drops them)


@pytest.mark.parametrize("name", NAMES)
def test_links_open_templates_that_exist(name):
    notebook = json.loads(get_template(name).path.read_text(encoding="utf-8"))
    text = "".join("".join(c["source"]) for c in notebook["cells"] if c["cell_type"] == "markdown")
    links = set(re.findall(r"\]\(([^)]+)\)", text))
    assert links, "no link to the full templates"
    for link in links:
        assert re.fullmatch(r"[a-z_]+\.ipynb", link), f"{link}: a sibling notebook, relative"
        assert (bundled_dir() / link).exists(), f"{link} is not a bundled template"


def test_start_here_takes_the_fundamentals_in_workshop_order():
    notebook = json.loads(get_template("start_here").path.read_text(encoding="utf-8"))
    headings = [line for c in notebook["cells"] if c["cell_type"] == "markdown"
                for line in "".join(c["source"]).splitlines() if line.startswith("## ")]
    assert [h.split(".")[0] for h in headings[:4]] == ["## 1", "## 2", "## 3", "## 4"]
    assert ["Segmentation" in headings[0], "5 Why" in headings[1],
            "Installment" in headings[2], "charter" in headings[3]] == [True] * 4
    assert "salesops-nb new" in "".join("".join(c["source"]) for c in notebook["cells"])
