"""`salesops-nb --help` and `salesops-nb templates` start without importing anything heavy.

The start time itself is measured by ``python -m benchmarks`` (no wall-clock limits in tests);
here each command runs in a fresh interpreter and reports which modules it loaded. The template
parameters read from the syntax tree (the fast path) must equal papermill's inspection.
"""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from salesops_nb.templates import bundled_dir, list_templates, load_template

HEAVY = ("pandas", "numpy", "altair", "papermill", "nbformat", "nbconvert", "narwhals",
         "polars", "duckdb", "pyspark", "pydantic", "jupyter_client", "scipy", "pyarrow")

_PROBE = """
import io, json, sys
from contextlib import redirect_stdout
from salesops_nb.cli import main
out = io.StringIO()
with redirect_stdout(out):
    try:
        code = main({argv!r})
    except SystemExit as exit:
        code = exit.code
print(json.dumps({{"code": code, "out": out.getvalue(), "modules": sorted(sys.modules)}}))
"""


def _run(argv: list[str]) -> dict:
    done = subprocess.run([sys.executable, "-c", _PROBE.format(argv=argv)],
                          capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


@pytest.mark.parametrize("argv", [["--help"], ["templates"], ["run", "--help"]])
def test_cli_commands_import_nothing_heavy(argv):
    result = _run(argv)
    assert result["code"] == 0
    loaded = {name.split(".")[0] for name in result["modules"]}
    assert not loaded & set(HEAVY), sorted(loaded & set(HEAVY))
    assert "salesops_nb.cli" in result["modules"]  # the probe did run our command


def test_templates_listing_names_every_bundled_template():
    result = _run(["templates"])
    for path in bundled_dir().glob("*.ipynb"):
        assert path.stem in result["out"]
    assert "data_path: str" in result["out"]


@pytest.mark.parametrize("path", sorted(bundled_dir().glob("*.ipynb")), ids=lambda p: p.stem)
def test_syntax_tree_parameters_equal_papermill_inspection(path):
    papermill = pytest.importorskip("papermill")
    from salesops_nb.parameters import normalise_type_name
    from salesops_nb.templates import _literal

    template = load_template(path)
    inspected = papermill.inspect_notebook(str(path))
    ours = {p.name: p for p in template.parameters}
    # papermill reads every line we read (bundled templates keep one "=" per line) ...
    assert list(inspected) == list(ours)
    for name, info in inspected.items():
        mine = ours[name]
        # ... the same type and help ...
        assert mine.type == normalise_type_name(info["inferred_type_name"]), name
        assert mine.help == info["help"], name
        # ... and the same default value (papermill gives the source text of it).
        assert mine.default == _literal(info["default"]), name


def test_a_cell_python_cannot_parse_still_lists_its_parameters(tmp_path):
    pytest.importorskip("papermill")
    source = "n: int = 3  # rows\nbroken = (\n"
    notebook = {
        "cells": [{"cell_type": "code", "id": "params", "metadata": {"tags": ["parameters"]},
                   "source": source, "outputs": [], "execution_count": None}],
        "metadata": {"kernelspec": {"name": "python3", "language": "python",
                                    "display_name": "Python 3"},
                     "language_info": {"name": "python"}},
        "nbformat": 4, "nbformat_minor": 5,
    }
    path = tmp_path / "odd.ipynb"
    path.write_text(json.dumps(notebook), encoding="utf-8")
    names = [p.name for p in load_template(path).parameters]
    assert "n" in names


def test_listing_is_unchanged_by_the_fast_path():
    templates = list_templates()
    assert templates, "no bundled template found"
    for template in templates:
        for parameter in template.parameters:
            assert parameter.type in ("int", "float", "str", "bool", "list", "dict", "any")


def test_engine_option_needs_a_template_with_an_engine_parameter(tmp_path, capsys):
    from salesops_nb.cli import main

    code = main(["run", "charter", "--engine", "duckdb", "--out", str(tmp_path)])
    assert code == 2
    assert "no engine parameter" in capsys.readouterr().err
    assert not list(tmp_path.iterdir())  # refused before any kernel started


def test_engine_option_refuses_an_unknown_engine(capsys):
    from salesops_nb.cli import main

    with pytest.raises(SystemExit):
        main(["run", "data_overview", "--engine", "excel"])
    assert "invalid choice" in capsys.readouterr().err
