"""The template registry: discovery, metadata, parameter inspection, lookup errors."""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from salesops_nb import templates
from salesops_nb.errors import TemplateError, UnknownTemplateError
from salesops_nb.parameters import PARAMETER_TYPES
from salesops_nb.templates import (
    bundled_dir,
    get_template,
    list_templates,
    load_template,
    user_dir,
)

NOTEBOOKS = Path(__file__).parent / "notebooks"
REPO = Path(__file__).resolve().parent.parent


def _bundled_notebooks() -> list[Path]:
    return sorted(bundled_dir().glob("*.ipynb"))


def test_bundled_dir_in_a_checkout_is_the_repository_templates_folder():
    assert bundled_dir() == REPO / "templates"


def test_user_dir_comes_from_the_environment_or_home(monkeypatch, tmp_path):
    monkeypatch.setenv("SALESOPS_NB_TEMPLATES", str(tmp_path / "mine"))
    assert user_dir() == tmp_path / "mine"
    monkeypatch.delenv("SALESOPS_NB_TEMPLATES")
    monkeypatch.setenv("HOME", str(tmp_path))
    assert user_dir() == tmp_path / ".salesops-nb" / "templates"
    assert not user_dir().exists()  # never created just by asking


def test_listing_merges_bundled_and_user_templates_sorted_by_order():
    listed = list_templates(NOTEBOOKS)
    names = [template.name for template in listed]
    assert {"toy_chart", "toy_fail", "toy_types"} <= set(names)
    assert {path.stem for path in _bundled_notebooks()} <= set(names)
    keys = [(template.order, template.name) for template in listed]
    assert keys == sorted(keys)
    # toy_chart declares order 5; the others have none and come after every ordered one
    assert names.index("toy_chart") < names.index("toy_fail") < names.index("toy_types")
    sources = {template.name: template.source for template in listed}
    assert sources["toy_chart"] == "user"
    assert all(sources[path.stem] == "bundled" for path in _bundled_notebooks())


def test_env_var_user_folder_is_used_by_default(monkeypatch):
    monkeypatch.setenv("SALESOPS_NB_TEMPLATES", str(NOTEBOOKS))
    assert get_template("toy_fail").source == "user"


def test_title_description_order_from_metadata():
    template = get_template("toy_chart", NOTEBOOKS)
    assert template.title == "Toy chart report"
    assert template.description == "Bars from a tiny table, for the report tests."
    assert template.order == 5
    assert template.path == (NOTEBOOKS / "toy_chart.ipynb").resolve()


def test_title_and_description_fall_back_to_the_first_heading_and_its_paragraph():
    template = get_template("toy_types", NOTEBOOKS)
    assert template.title == "Toy types"
    # the paragraph after the heading, not the text before it
    assert template.description == "A notebook declaring every kind of parameter."
    assert template.order == 1000


def test_parameters_are_read_with_types_defaults_and_help():
    template = get_template("toy_types", NOTEBOOKS)
    found = {p.name: (p.type, p.default, p.help) for p in template.parameters}
    assert found == {
        "count": ("int", 10, "how many"),
        "rate": ("float", 0.25, "a rate"),
        "label": ("str", "x", "a label"),
        "flag": ("bool", False, "a switch"),
        "regions": ("list", ["EMEA", "APAC"], "regions to keep"),
        "weights": ("dict", {"a": 1.0}, "weights by key"),
        "limit": ("int", None, "optional limit"),
        # papermill skips this annotation; the syntax tree still finds it
        "cap": ("int", None, "optional cap"),
        # papermill cuts this line at the '#' inside the string
        "colour": ("str", "#ff0000", "bar colour"),
        "untyped": ("any", 3, "no annotation"),
        "mapping": ("dict", {"a": 1}, "spans lines"),
    }
    # listed in the order the cell declares them
    assert [p.name for p in template.parameters][:3] == ["count", "rate", "label"]
    assert template.parameter("cap").type == "int"
    assert template.parameter("nope") is None


def test_help_comments_with_an_equals_sign_are_read_without_papermill_warnings(caplog):
    caplog.set_level(logging.WARNING)
    load_template(NOTEBOOKS / "toy_chart.ipynb")
    templates._inspect.cache_clear()  # make sure papermill really reads the file again
    template = load_template(NOTEBOOKS / "toy_chart.ipynb")
    data_path = template.parameter("data_path")
    assert data_path is not None
    assert data_path.help == "CSV with columns x and y; empty = built-in toy data"
    assert not [r for r in caplog.records if "Unable to parse" in r.getMessage()]


def test_lookup_by_path_and_forgiving_names(tmp_path, monkeypatch):
    by_path = get_template(str(NOTEBOOKS / "toy_fail.ipynb"))
    assert by_path.name == "toy_fail" and by_path.source == "path"
    assert get_template("TOY-FAIL", NOTEBOOKS).name == "toy_fail"
    assert get_template("toy_fail.ipynb", NOTEBOOKS).name == "toy_fail"


def test_unknown_template_lists_names_and_suggests_the_closest():
    with pytest.raises(UnknownTemplateError) as caught:
        get_template("toy_chrat", NOTEBOOKS)
    err = caught.value
    assert err.message == "No template named 'toy_chrat'. Did you mean 'toy_chart'?"
    assert "toy_chart, toy_die, toy_export, toy_fail, toy_slow, toy_types" in err.hint
    assert str(NOTEBOOKS) in err.hint


def test_missing_notebook_path_is_an_unknown_template(tmp_path):
    with pytest.raises(UnknownTemplateError, match="no notebook file at"):
        get_template(str(tmp_path / "gone.ipynb"), NOTEBOOKS)


def test_a_user_template_shadows_the_bundled_one_of_the_same_name(tmp_path, monkeypatch):
    bundled, mine = tmp_path / "bundled", tmp_path / "mine"
    bundled.mkdir()
    mine.mkdir()
    shutil.copy(NOTEBOOKS / "toy_fail.ipynb", bundled / "report.ipynb")
    shutil.copy(NOTEBOOKS / "toy_types.ipynb", bundled / "other.ipynb")
    shutil.copy(NOTEBOOKS / "toy_chart.ipynb", mine / "report.ipynb")
    monkeypatch.setattr(templates, "bundled_dir", lambda: bundled)

    listed = {t.name: t for t in list_templates(mine)}
    assert set(listed) == {"report", "other"}
    assert listed["report"].source == "user"
    assert listed["report"].title == "Toy chart report"
    assert get_template("report", mine).path == (mine / "report.ipynb").resolve()
    # without the user's folder the bundled one is back
    assert get_template("report", tmp_path / "nothing").title == "Toy failure"


def test_broken_notebooks_are_skipped_in_listings_and_named_when_asked_for(tmp_path):
    (tmp_path / "broken.ipynb").write_text("this is not json")
    shutil.copy(NOTEBOOKS / "toy_fail.ipynb", tmp_path / "fine.ipynb")
    (tmp_path / ".hidden.ipynb").write_text("{}")
    with pytest.warns(UserWarning, match="broken.ipynb"):
        names = [t.name for t in list_templates(tmp_path)]
    assert "fine" in names and "broken" not in names and ".hidden" not in names
    with pytest.raises(TemplateError, match="is not a readable Jupyter notebook") as caught:
        get_template(str(tmp_path / "broken.ipynb"))
    assert caught.value.hint


def test_a_notebook_without_parameters_cell_has_no_parameters(tmp_path):
    notebook = json.loads((NOTEBOOKS / "toy_fail.ipynb").read_text())
    for cell in notebook["cells"]:
        cell["metadata"].pop("tags", None)
    (tmp_path / "plain.ipynb").write_text(json.dumps(notebook))
    assert load_template(tmp_path / "plain.ipynb").parameters == ()


def test_inspection_is_redone_when_the_file_changes(tmp_path):
    path = tmp_path / "changing.ipynb"
    notebook = json.loads((NOTEBOOKS / "toy_fail.ipynb").read_text())
    path.write_text(json.dumps(notebook))
    assert [p.name for p in load_template(path).parameters] == ["divisor"]
    notebook["cells"][1]["source"] = "divisor: int = 0  # what to divide by\nextra: int = 1  # more"
    path.write_text(json.dumps(notebook, indent=2))  # a different size: a new version
    assert [p.name for p in load_template(path).parameters] == ["divisor", "extra"]


@pytest.mark.parametrize("path", _bundled_notebooks(), ids=lambda path: path.stem)
def test_every_bundled_template_declares_typed_documented_parameters(path):
    notebook = json.loads(path.read_text(encoding="utf-8"))
    tagged = [c for c in notebook["cells"] if "parameters" in c["metadata"].get("tags", [])]
    assert len(tagged) == 1, "exactly one cell tagged 'parameters'"
    template = load_template(path, source="bundled")
    assert template.parameters, "the parameters cell declares no parameter"
    for param in template.parameters:
        assert param.type in PARAMETER_TYPES and param.type != "any", (
            f"{param.name}: annotate it (name: int = 3  # help)"
        )
        assert param.help.strip(), f"{param.name}: add a help comment after the value"
    data_path = template.parameter("data_path")
    assert data_path is None or (data_path.type == "str" and data_path.default == ""), (
        'a template reading data takes data_path: str = ""  (empty = built-in sample)'
    )
    assert template.title and template.description


def test_bundled_templates_exist():
    assert _bundled_notebooks(), f"no template in {bundled_dir()}"


def test_importing_the_registry_stays_light():
    code = (
        "import sys, salesops_nb.templates, salesops_nb.parameters, salesops_nb.report, "
        "salesops_nb.notebook\n"
        "heavy = ['pandas', 'altair', 'papermill', 'nbconvert', 'IPython', 'yaml']\n"
        "print([m for m in heavy if m in sys.modules])"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=REPO
    )
    assert out.stdout.strip() == "[]"
