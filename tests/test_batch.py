"""Batch runs: every combination, in worker processes, failures kept apart and reported."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from salesops_nb.batch import combinations, parse_over, run_batch
from salesops_nb.cli import main
from salesops_nb.errors import ParameterError
from salesops_nb.templates import get_template

NOTEBOOKS = Path(__file__).parent / "notebooks"
TOY_FAIL = NOTEBOOKS / "toy_fail.ipynb"  # `ratio = 1 / divisor`: fails for divisor 0
TOY_EXPORT = NOTEBOOKS / "toy_export.ipynb"  # writes `value` to export.txt in its folder


@pytest.fixture(scope="module")
def failing_batch(tmp_path_factory):
    """divisor=1,0,2 with two workers, through the command line (one batch, three kernels)."""
    out = tmp_path_factory.mktemp("batch")
    code = main(["batch", str(TOY_FAIL), "--over", "divisor=1,0,2", "--jobs", "2",
                 "--out", str(out), "--no-progress"])
    return code, out


@pytest.mark.slow
def test_one_failing_combination_leaves_the_others_finished(failing_batch):
    code, out = failing_batch
    assert code == 1
    for ok in ("toy_fail-1", "toy_fail-2"):  # each run in its own folder
        assert (out / ok / f"{ok}.html").exists() and (out / ok / f"{ok}.ipynb").exists()
    assert (out / "toy_fail-0" / "toy_fail-0.ipynb").exists()  # the partial notebook is kept
    assert sorted(p.name for p in out.iterdir()) == ["index.html", "toy_fail-0", "toy_fail-1",
                                                    "toy_fail-2"]


@pytest.mark.slow
def test_the_index_marks_the_failure_and_links_every_report(failing_batch):
    _, out = failing_batch
    page = (out / "index.html").read_text(encoding="utf-8")
    assert "2 of 3 reports written; 1 failed." in page
    items = re.findall(r"<li>(.*?)</li>", page, flags=re.S)
    assert len(items) == 3
    failed = [item for item in items if 'class="status failed"' in item]
    assert len(failed) == 1 and "divisor=0" in failed[0] and "ZeroDivisionError" in failed[0]
    for value in ("1", "2"):  # linked relative to the index, into the run's folder
        item = next(item for item in items if f"divisor={value}" in item)
        assert 'class="status ok"' in item
        assert f'href="toy_fail-{value}/toy_fail-{value}.html"' in item


@pytest.mark.slow
def test_the_failures_are_reported_at_the_end(tmp_path, capsys):
    result = run_batch(str(TOY_FAIL), {"divisor": ["0", "4"]}, out_dir=tmp_path, jobs=1,
                       progress=False)
    assert [run.ok for run in result.runs] == [False, True]
    assert result.failed[0].values == {"divisor": 0}
    assert "ZeroDivisionError" in result.failed[0].error
    assert "full traceback" in result.failed[0].hint and result.runs[1].hint == ""
    summary = result.summary()
    assert "FAILED  divisor=0" in summary and "1 of 2 reports" in summary
    assert f"How to fix: {result.failed[0].hint}" in summary


@pytest.mark.slow
def test_runs_exporting_to_a_fixed_name_keep_their_own_exports(tmp_path):
    # Templates export to fixed names (segmentation-assignments.csv, ...): with one folder for
    # the whole batch, concurrent runs overwrote each other's exports.
    result = run_batch(str(TOY_EXPORT), {"value": ["alpha", "beta"]}, out_dir=tmp_path, jobs=2,
                       progress=False)
    assert [run.ok for run in result.runs] == [True, True]
    for run, value in zip(result.runs, ("alpha", "beta"), strict=True):
        assert run.folder == tmp_path / f"toy_export-{value}"
        assert (run.folder / "export.txt").read_text(encoding="utf-8") == value
        assert run.html == run.folder / f"toy_export-{value}.html"
        assert f"exported {value}" in run.html.read_text(encoding="utf-8")
    assert not (tmp_path / "export.txt").exists()
    assert result.index == tmp_path / "index.html"


def test_a_failed_runs_hint_is_in_the_summary_and_escaped_in_the_index(tmp_path, monkeypatch):
    def fake_run(template_path, values, out_dir, output_name, kernel_name, timeout):
        if values["divisor"] == 0:
            return None, None, "divisor <0> is refused.", "Use <b>1</b> & up.", 0.0
        return Path(out_dir) / f"{output_name}.html", None, None, "", 0.0

    monkeypatch.setattr("salesops_nb.batch._run_one", fake_run)
    result = run_batch(str(TOY_FAIL), {"divisor": ["0", "1"]}, out_dir=tmp_path,
                       progress=False)
    assert result.failed[0].hint == "Use <b>1</b> & up."
    assert "          How to fix: Use <b>1</b> & up." in result.summary().splitlines()
    page = result.index.read_text(encoding="utf-8")
    assert "divisor &lt;0&gt; is refused. How to fix: Use &lt;b&gt;1&lt;/b&gt; &amp; up." in page
    assert "<b>1</b>" not in page
    assert 'href="toy_fail-1/toy_fail-1.html"' in page


def test_values_are_type_checked_before_anything_runs(tmp_path, capsys):
    out = tmp_path / "never"
    assert main(["batch", str(TOY_FAIL), "--over", "divisor=1,two", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert "divisor = 'two' is not a whole number" in err
    assert not out.exists()
    assert main(["batch", str(TOY_FAIL), "--over", "divsor=1", "--out", str(out)]) == 2
    assert "did you mean 'divisor'" in capsys.readouterr().err


def test_over_options_are_parsed_and_multiplied():
    assert parse_over(["region=EMEA, APAC", "n=1"]) == {"region": ["EMEA", "APAC"], "n": ["1"]}
    for bad in (["region"], ["region="], ["=x"]):
        with pytest.raises(ParameterError, match="NAME=VALUE1,VALUE2"):
            parse_over(bad)
    with pytest.raises(ParameterError, match="twice"):
        parse_over(["n=1", "n=2"])
    template = get_template("sales_ops_review")
    runs = combinations(template, {"period": ["2025", "2026"], "seed": ["1", "2", "3"]})
    assert len(runs) == 6 and runs[0] == {"period": "2025", "seed": 1}
    with pytest.raises(ParameterError, match="at least one --over"):
        combinations(template, {})


def test_params_file_is_shared_by_every_run(tmp_path, monkeypatch):
    seen = []

    def fake_run(template_path, values, out_dir, output_name, kernel_name, timeout):
        seen.append((output_name, out_dir, values))
        return None, None, None, "", 0.0

    monkeypatch.setattr("salesops_nb.batch._run_one", fake_run)
    params = tmp_path / "params.yaml"
    params.write_text("sample_rows: 800\nperiod: '2026'\n", encoding="utf-8")
    code = main(["batch", "sales_ops_review", "--params", str(params), "-p", "seed", "3",
                 "--over", "segment=Enterprise / EMEA,SMB / APAC", "--out", str(tmp_path),
                 "--no-progress"])
    assert code == 0
    assert [name for name, _, _ in seen] == ["sales_ops_review-enterprise-emea",
                                             "sales_ops_review-smb-apac"]
    assert [Path(folder) for _, folder, _ in seen] == [  # each run works in its own folder
        tmp_path.resolve() / name for name, _, _ in seen]
    assert all(v["sample_rows"] == 800 and v["seed"] == 3 and v["period"] == "2026"
               for _, _, v in seen)
    assert seen[1][2]["segment"] == "SMB / APAC"


def test_a_missing_data_file_stops_the_batch_before_it_starts(tmp_path):
    from salesops_nb.errors import DataFileError

    with pytest.raises(DataFileError):
        run_batch("sales_ops_review", {"seed": ["1", "2"]}, {"data_path": "nope.csv"},
                  out_dir=tmp_path, progress=False)
    assert not (tmp_path / "index.html").exists()
