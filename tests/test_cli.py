"""The `salesops-nb` command as a user types it (in-process, except where noted)."""

from __future__ import annotations

import json
import subprocess
import sys

import nbformat
import pytest

from salesops_nb.cli import main

SUBCOMMANDS = ["templates", "new", "run", "sample", "demo"]


@pytest.mark.parametrize("command", [[], *([c] for c in SUBCOMMANDS)])
def test_every_command_has_help(command, capsys):
    with pytest.raises(SystemExit) as exit_info:
        main([*command, "--help"])
    assert exit_info.value.code == 0
    assert "usage: salesops-nb" in capsys.readouterr().out


def test_console_script_runs_without_a_traceback():
    done = subprocess.run(
        [sys.executable, "-m", "salesops_nb.cli", "run", "no_such_template"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 2
    assert "Traceback" not in done.stderr
    assert "no_such_template" in done.stderr and "data_overview" in done.stderr


def test_templates_lists_the_data_overview_with_its_parameters(capsys):
    assert main(["templates"]) == 0
    out = capsys.readouterr().out
    assert "data_overview" in out
    assert "data_path: str" in out


def test_new_copies_without_overwriting(tmp_path, capsys):
    assert main(["new", "data_overview", str(tmp_path)]) == 0
    assert main(["new", "data_overview", str(tmp_path), "-p", "sample_rows", "300"]) == 0
    first, second = tmp_path / "data_overview.ipynb", tmp_path / "data_overview-2.ipynb"
    assert first.exists() and second.exists()
    injected = [
        c
        for c in nbformat.read(second, as_version=4).cells
        if "injected-parameters" in c.metadata.get("tags", [])
    ]
    assert len(injected) == 1 and "sample_rows = 300" in injected[0].source
    assert not [
        c
        for c in nbformat.read(first, as_version=4).cells
        if "injected-parameters" in c.metadata.get("tags", [])
    ]


def test_new_into_a_file_is_a_clear_error(tmp_path, capsys):
    target = tmp_path / "taken.txt"
    target.write_text("keep me")
    assert main(["new", "data_overview", str(target)]) == 2
    assert "it is a file" in capsys.readouterr().err
    assert target.read_text() == "keep me"


@pytest.mark.parametrize(
    ("args", "expected"),
    [
        (["-p", "no_such_parameter", "1"], "no_such_parameter"),
        (["-p", "sample_rows", "lots"], "sample_rows"),
    ],
)
def test_run_refuses_bad_parameters_before_any_kernel(tmp_path, capsys, args, expected):
    code = main(["run", "data_overview", *args, "--out", str(tmp_path / "out")])
    err = capsys.readouterr().err
    assert code == 2
    assert expected in err and "data_path" in err  # the valid parameters are listed
    assert "Hint:" in err
    assert not (tmp_path / "out").exists() or not any((tmp_path / "out").iterdir())


def test_run_with_a_missing_data_file(tmp_path, capsys):
    assert main(["run", "data_overview", "--data", str(tmp_path / "nope.csv")]) == 2
    assert "nope.csv" in capsys.readouterr().err


def test_run_with_a_bad_parameter_file(tmp_path, capsys):
    params = tmp_path / "params.yaml"
    params.write_text("sample_rows: [1, 2\n")
    assert main(["run", "data_overview", "--params", str(params)]) == 2
    assert "params.yaml" in capsys.readouterr().err


def test_sample_writes_the_three_tables(tmp_path, capsys):
    assert main(["sample", "--rows", "200", "--out", str(tmp_path), "--format", "parquet"]) == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "accounts.parquet",
        "opportunities.parquet",
        "reps.parquet",
    ]


def test_sample_rejects_a_bad_row_count(capsys):
    with pytest.raises(SystemExit) as exit_info:
        main(["sample", "--rows", "0"])
    assert exit_info.value.code == 2
    assert "above 0" in capsys.readouterr().err


@pytest.mark.slow
def test_a_failing_cell_exits_non_zero_and_keeps_the_notebook(tmp_path, capsys):
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {
        "name": "python3",
        "display_name": "Python 3",
        "language": "python",
    }
    params = nbformat.v4.new_code_cell("divisor: int = 0  # what to divide by")
    params.metadata["tags"] = ["parameters"]
    nb.cells = [
        nbformat.v4.new_markdown_cell("# Broken"),
        params,
        nbformat.v4.new_code_cell("ratio = 1 / divisor"),
    ]
    template = tmp_path / "broken.ipynb"
    nbformat.write(nb, template)
    code = main(["run", str(template), "--out", str(tmp_path / "out"), "--no-progress"])
    err = capsys.readouterr().err
    assert code == 1
    assert "ZeroDivisionError" in err
    kept = tmp_path / "out" / "broken.ipynb"
    assert kept.exists() and str(kept) in err
    assert json.loads(kept.read_text())["cells"]


@pytest.mark.slow
def test_a_data_mistake_in_a_run_reads_as_the_loaders_own_message(tmp_path, capsys):
    export = tmp_path / "export.csv"
    export.write_text(
        "Opportunity ID,Stage,Amount,Created Date,Closing Date\n"
        "O1,Closed Won,100,2025-01-01,2025-02-01\n"
    )
    code = main(["run", "data_overview", "--data", str(export), "--out", str(tmp_path / "out"),
                 "--no-progress"])
    err = capsys.readouterr().err
    assert code == 1
    assert "stopped in cell" in err and "'close_date'" in err and "'Closing Date'" in err
    assert err.count("Hint:") == 1
    assert 'mapping={"Closing Date": "close_date"}' in err
    assert "Traceback" not in err
