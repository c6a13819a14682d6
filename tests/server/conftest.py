"""Fixtures for the server extension tests: a Jupyter Server with salesops-nb enabled.

pytest-jupyter's fixtures are imported here (rather than through a top-level
``pytest_plugins``) so that only these tests start servers.
"""

from __future__ import annotations

from pathlib import Path

import nbformat
import pytest
from pytest_jupyter.jupyter_server import *  # noqa: F403  (fixtures and the async test runner)


@pytest.fixture
def jp_server_config():
    return {"ServerApp": {"jpserver_extensions": {"salesops_nb.server": True}}}


def write_template(folder: Path, name: str, code_cells: list[str], params: str = "") -> Path:
    """A minimal template notebook: a title, a parameters cell, then ``code_cells``."""
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    nb.metadata["language_info"] = {"name": "python"}
    nb.metadata["salesops_nb"] = {"title": name.replace("_", " ").title(), "order": 900}
    nb.cells.append(nbformat.v4.new_markdown_cell(f"# {name}\n\nA test template."))
    nb.cells.append(nbformat.v4.new_code_cell(params, metadata={"tags": ["parameters"]}))
    nb.cells.extend(nbformat.v4.new_code_cell(code) for code in code_cells)
    for index, cell in enumerate(nb.cells):
        cell["id"] = f"cell-{index}"
    path = folder / f"{name}.ipynb"
    path.write_text(nbformat.writes(nb), encoding="utf-8")
    return path


@pytest.fixture
def user_templates(tmp_path, monkeypatch) -> Path:
    """A user template folder with a quick, a failing and a slow template."""
    folder = tmp_path / "user-templates"
    folder.mkdir()
    write_template(
        folder,
        "quick",
        ["print('QUICK', rows * 2)"],
        params="rows: int = 3  # how many rows\nlabel: str = 'x'  # a label",
    )
    write_template(
        folder,
        "broken",
        ["value = 1", "ratio = value / divisor", "print('never')"],
        params="divisor: int = 0  # divides",
    )
    write_template(
        folder,
        "slow",
        [
            "import os, pathlib\npathlib.Path('kernel.pid').write_text(str(os.getpid()))",
            "import time\nfor _ in range(600):\n    time.sleep(0.1)",
        ],
        params="pause: int = 1  # unused",
    )
    monkeypatch.setenv("SALESOPS_NB_TEMPLATES", str(folder))
    return folder
