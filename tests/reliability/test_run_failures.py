"""Runs that stop from outside their cells: a dying kernel, a timeout, a missing kernel.

Each ends with a ReportError saying what happened and where, a non-zero exit from the CLI,
and the partial notebook kept; a batch goes on past a run whose kernel died. The toy notebooks
live in ``tests/notebooks`` (kept away from nbval by its conftest).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from salesops_nb.batch import run_batch
from salesops_nb.cli import main
from salesops_nb.errors import ParameterError, ReportError
from salesops_nb.report import run_template

NOTEBOOKS = Path(__file__).resolve().parent.parent / "notebooks"
DIE = str(NOTEBOOKS / "toy_die.ipynb")
SLOW = str(NOTEBOOKS / "toy_slow.ipynb")


def _outputs(notebook: Path) -> str:
    cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    return "".join("".join(o.get("text", "")) for c in cells for o in c.get("outputs", []))


def test_kernel_that_dies_mid_run_is_named_and_the_partial_notebook_kept(tmp_path):
    with pytest.raises(ReportError) as info:
        run_template(DIE, {"exit_code": 3}, out_dir=tmp_path)
    err = info.value
    assert "the kernel died while running cell 4" in err.message
    assert "(`import os`)" in err.message
    assert "out of memory" in err.hint
    notebook = Path(err.notebook_path)
    assert notebook == tmp_path / "toy_die.ipynb" and notebook.exists()
    assert "before the kernel dies" in _outputs(notebook)  # the part that ran is kept
    assert (tmp_path / "toy_die.html").exists()
    assert err.cell_index == 3


def test_run_longer_than_the_timeout_stops_with_exit_1_from_the_cli(tmp_path, capsys):
    code = main(["run", SLOW, "--out", str(tmp_path), "--timeout", "2", "--no-progress",
                 "-p", "seconds", "60"])
    assert code == 1
    err = capsys.readouterr().err
    assert "ran longer than the 2 s timeout in cell 4 (`import time`)" in err
    assert "--timeout SECONDS" in err
    notebook = tmp_path / "toy_slow.ipynb"
    assert notebook.exists() and "before the slow cell" in _outputs(notebook)


@pytest.mark.parametrize("bad", [0, -5, float("nan"), "10"])
def test_a_bad_timeout_is_refused_before_a_kernel_starts(tmp_path, bad):
    with pytest.raises(ParameterError, match="timeout"):
        run_template(SLOW, out_dir=tmp_path, timeout=bad)
    assert not (tmp_path / "toy_slow.ipynb").exists()


def test_missing_kernel_keeps_the_prepared_notebook_and_lists_kernels(tmp_path):
    with pytest.raises(ReportError) as info:
        run_template(DIE, {"exit_code": 5}, out_dir=tmp_path, kernel_name="no-such-kernel")
    err = info.value
    assert "no Jupyter kernel named 'no-such-kernel'" in err.message
    assert "Kernels installed:" in err.hint and "python3" in err.hint
    notebook = Path(err.notebook_path)
    assert notebook.exists()
    # The kept notebook carries the parameters the user gave, ready to run by hand.
    assert "exit_code = 5" in notebook.read_text(encoding="utf-8")


def test_cli_exits_non_zero_on_a_missing_kernel(tmp_path, capsys, monkeypatch):
    import salesops_nb.report as report

    real = report.run_template
    monkeypatch.setattr(report, "run_template",
                        lambda *a, **k: real(*a, **{**k, "kernel_name": "no-such-kernel"}))
    assert main(["run", DIE, "--out", str(tmp_path), "--no-progress"]) == 1
    assert "no Jupyter kernel named 'no-such-kernel'" in capsys.readouterr().err


def test_batch_continues_past_a_run_whose_kernel_died(tmp_path):
    result = run_batch(DIE, {"exit_code": ["3", "0"]}, out_dir=tmp_path, progress=False)
    assert [run.ok for run in result.runs] == [False, True]
    dead = result.runs[0]
    assert "kernel died" in dead.error and dead.notebook is not None and dead.notebook.exists()
    assert dead.notebook == tmp_path / "toy_die-3" / "toy_die-3.ipynb"
    assert "out of memory" in dead.hint  # how to fix it travels with the failure
    assert result.runs[1].html == tmp_path / "toy_die-0" / "toy_die-0.html"
    assert result.runs[1].html.exists()
    assert "kernel died" in result.index.read_text(encoding="utf-8")


def test_batch_passes_the_timeout_to_each_run_and_goes_on(tmp_path, capsys):
    code = main(["batch", SLOW, "--over", "seconds=60,0", "--timeout", "3", "--jobs", "2",
                 "--out", str(tmp_path), "--no-progress"])
    assert code == 1
    captured = capsys.readouterr()
    assert "1 of 2 runs failed: seconds=60" in captured.err
    assert "ran longer than the 3 s timeout" in captured.out  # the summary names the reason
    # seconds=0.0: its run went on, in its own folder
    assert (tmp_path / "toy_slow-0-0" / "toy_slow-0-0.html").exists()


def test_batch_refuses_a_bad_timeout_before_any_run(tmp_path):
    with pytest.raises(ParameterError, match="timeout"):
        run_batch(SLOW, {"seconds": ["0"]}, out_dir=tmp_path, progress=False, timeout=-1)
    assert not list(tmp_path.iterdir())
