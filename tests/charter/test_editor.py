"""The CharterEditor widget, driven in code: values set, buttons clicked, files checked."""

from __future__ import annotations

import html
from datetime import date

import pytest

from salesops_nb.charter import Charter, example_charter, lint
from salesops_nb.views.charter import STEPS, CharterEditor
from salesops_nb.workspace import Workspace


def _click(editor: CharterEditor, label: str) -> None:
    editor.buttons[label].click()


@pytest.fixture
def path(tmp_path):
    return tmp_path / "ws" / "charter" / "main.json"


def _build_from_library(editor: CharterEditor) -> None:
    """Everything a user does in the editor to get a charter with no errors, from the library."""
    editor.organisation.value = "Acme Robotics"
    editor.purpose.value = "Improve the whole selling system for more revenue and profit."
    _click(editor, "Next")
    editor.vision.value = "Fair territories, a trusted forecast, more time with customers."
    _click(editor, "Next")
    editor.in_scope.value = "Deficiencies anywhere in the selling system\nForecast discipline"
    editor.out_of_scope.value = "Billing"
    _click(editor, "Add the library's boundaries")
    _click(editor, "Next")
    editor.service_library.value = ("segmentation", "territory-design", "win-loss",
                                    "forecast-process", "ad-hoc-reports")
    _click(editor, "Add selected services")
    editor.service_pick.value = 0
    editor.s_capacity.value = "30"
    _click(editor, "Next")
    editor.objective_library.value = "raise-win-rate"
    _click(editor, "Add objective with its KPIs")
    editor.kpi_library.value = "value-win-rate"
    _click(editor, "Add KPI")
    for index in range(len(editor.kpi_pick.options)):
        editor.kpi_pick.value = index
        editor.k_fields["baseline"].value = "20"
        editor.k_fields["target"].value = "25%"
        editor.k_fields["due"].value = date(2027, 6, 30)
    _click(editor, "Next")
    for key in ("territory-design", "quota-setting", "pricing-exceptions"):
        editor.decision_library.value = key
        _click(editor, "Add decision")
    editor.decision_pick.value = 2
    editor.party.value = "Legal"
    editor.role.value = "C"
    _click(editor, "Set role")
    _click(editor, "Next")
    editor.p_name.value, editor.p_role.value = "Dana Whitfield", "Chief revenue officer"
    editor.p_sponsor.value = True
    _click(editor, "Add stakeholder")
    editor.sign_off.value = "agreed"
    editor.signed_on.value = date(2026, 5, 2)
    _click(editor, "Next")
    _click(editor, "Start from the library's wording")
    _click(editor, "Next")
    _click(editor, "Add the library's cadence")
    _click(editor, "Next")
    editor.review_date.value = date(2099, 1, 1)
    editor.v_author.value, editor.v_summary.value = "Priya", "First draft from the library"
    _click(editor, "Record version")


def test_editor_builds_an_error_free_charter_and_the_autosave_reloads_identically(path):
    editor = CharterEditor(path)
    _build_from_library(editor)
    charter = editor.charter
    assert [f for f in lint(charter) if f.severity == "error"] == []
    assert len(charter.services) == 5 and charter.services[0].capacity_pct == 30
    kpis = charter.objectives[0].kpis
    assert [k.library_id for k in kpis] == ["win-rate", "stage-conversion", "value-win-rate"]
    assert all(k.baseline == 20 and k.target == 25 and k.due == date(2027, 6, 30) for k in kpis)
    assert charter.decisions[2].raci["Legal"] == "C"
    assert charter.stakeholders[0].sponsor and charter.stakeholders[0].sign_off == "agreed"
    assert charter.licence.authority and charter.cadence
    assert charter.versions[0].version == "0.1"
    saved = Workspace(path.parent.parent).load(Charter, "main")
    assert saved == charter
    assert saved.model_dump_json() == charter.model_dump_json()
    # a new editor on the same file (closing the notebook) shows the same charter
    again = CharterEditor(path)
    assert again.charter == charter
    assert again.purpose.value == charter.purpose
    assert again.in_scope.value.splitlines() == charter.scope.in_scope
    assert "Errors" not in again.checks.value and "0 errors" in again.checks.value


def test_steps_progress_next_and_back(path):
    editor = CharterEditor(path)
    assert len(STEPS) == 11 and editor.step == 0 and editor.back.disabled
    _click(editor, "Next")
    _click(editor, "Next")
    assert editor.step == 2 and editor.progress.value == 3
    assert "Step 3 of 11" in editor.progress_label.value
    assert editor.body.children == (editor.panels["scope"],)
    _click(editor, "Back")
    assert editor.step == 1
    editor.go("export")
    assert editor.next.disabled and editor.body.children == (editor.panels["export"],)


def test_checks_and_preview_follow_typing(path):
    editor = CharterEditor(path)
    assert "purpose" in editor.checks.value.lower()
    before = editor.report.score
    editor.purpose.value = "Improve the <whole> selling system"
    assert editor.report.score > before
    assert "Improve the &lt;whole&gt; selling system" in editor.preview.value
    assert "states no purpose" not in editor.checks.value
    assert Workspace(path.parent.parent).load(Charter, "main").purpose.startswith("Improve")


def test_screening_answers_change_the_suggestion(path):
    editor = CharterEditor(path)
    editor.service_library.value = ("ad-hoc-reports",)
    _click(editor, "Add selected services")
    assert "leave behind" in editor.s_outcome.value
    editor.s_answers["helps_perform"].value = True
    editor.s_answers["informs_decisions"].value = True
    assert editor.charter.services[0].screening.helps_perform is True
    assert "Suggested: <b>include</b>" in editor.s_outcome.value


def test_bad_input_is_a_message_not_an_exception(path):
    editor = CharterEditor(path)
    editor.service_library.value = ("win-loss",)
    _click(editor, "Add selected services")
    editor.s_capacity.value = "lots"
    assert "not a number" in editor.message.value
    editor.s_capacity.value = "150"
    assert "capacity_pct" in editor.message.value
    assert editor.charter.services[0].capacity_pct is None
    _click(editor, "Add stakeholder")  # no name typed
    assert "Type a name first" in editor.message.value
    editor.party.value = "Finance"
    _click(editor, "Set role")  # no decision yet
    assert "decision" in editor.message.value


def test_hostile_text_is_escaped_in_the_panels(path):
    editor = CharterEditor(path)
    editor.p_name.value = "<script>alert(1)</script>"
    _click(editor, "Add stakeholder")
    assert "<script>" not in editor.tracker.value + editor.preview.value
    assert html.escape("<script>alert(1)</script>") in editor.tracker.value


def test_export_buttons_write_next_to_the_artefact_or_into_a_folder(path, tmp_path):
    editor = CharterEditor(path, charter=example_charter())
    _click(editor, "Export")
    assert {p.name for p in path.parent.glob("main.*")} >= {"main.md", "main.html",
                                                            "main.docx"}
    editor.formats.value = ("html",)
    editor.export_folder.value = str(tmp_path / "out")
    editor.export_checks.value = True
    _click(editor, "Export")
    page = (tmp_path / "out" / "main.html").read_text("utf-8")
    assert "Coaching checks" in page and "Exported 1 file" in editor.message.value


def test_starting_from_a_given_charter_saves_it_on_the_first_change(path):
    editor = CharterEditor(path, charter=example_charter())
    assert not path.exists()
    editor.vision.value = editor.vision.value + " Soon."
    assert Workspace(path.parent.parent).load(Charter, "main").organisation == (
        "Harbour Instruments")
