"""Headless report runs: papermill execution, failing cells, offline HTML without code.

Kernel runs cost seconds each, so the two real runs (a good one, a failing one) are
module-scoped fixtures shared by the tests that read their outputs.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from salesops_nb.errors import DataFileError, ParameterError, ReportError, UnknownTemplateError
from salesops_nb.report import Report, export_html, run_template

NOTEBOOKS = Path(__file__).parent / "notebooks"

# A reference that makes a browser fetch something: a script or stylesheet with a remote (or
# protocol-relative) address, a CSS import or url(), an ES module import of a URL.
_REMOTE = re.compile(
    r"""<script[^>]*\ssrc\s*=\s*["']?(?:https?:)?//"""
    r"""|<link[^>]*\shref\s*=\s*["']?(?:https?:)?//"""
    r"""|<(?:img|iframe|embed|source)[^>]*\ssrc\s*=\s*["']?(?:https?:)?//"""
    r"""|@import\s+(?:url\()?["']?(?:https?:)?//"""
    r"""|url\(\s*["']?(?:https?:)?//"""
    r"""|import\s*\(\s*["'](?:https?:)?//""",
    re.IGNORECASE,
)


def assert_offline(html: str) -> None:
    """No reference the browser would fetch from the network."""
    found = [m.group(0) for m in _REMOTE.finditer(html)]
    assert not found, f"remote references in the report: {found[:5]}"
    for cdn in ("cdnjs", "jsdelivr", "unpkg", "esm.sh", "require.min.js", "mathjax"):
        assert cdn not in html.lower(), cdn


@pytest.fixture(scope="module")
def chart_report(tmp_path_factory) -> tuple[Report, Path]:
    """toy_chart run on a CSV given by a path relative to the current folder."""
    work = tmp_path_factory.mktemp("work")
    data = work / "inputs" / "crm.csv"
    data.parent.mkdir()
    data.write_text("x,y\nEMEA,10\nAPAC,20\nAmericas,15\n")
    with pytest.MonkeyPatch.context() as patch:
        patch.chdir(work)
        report = run_template(
            "toy_chart",
            {"data_path": "inputs/crm.csv", "title": "Pipeline <b>&</b> more", "show_table": True},
            out_dir=work / "reports",
            user_dir=NOTEBOOKS,
            output_name="q3-pipeline",
        )
    return report, work


@pytest.fixture(scope="module")
def failed_run(tmp_path_factory) -> tuple[ReportError, Path]:
    out = tmp_path_factory.mktemp("failing")
    with pytest.raises(ReportError) as caught:
        run_template("toy_fail", out_dir=out, user_dir=NOTEBOOKS)
    return caught.value, out


@pytest.mark.slow
def test_run_writes_the_executed_notebook_and_the_report(chart_report):
    report, work = chart_report
    assert report.template == "toy_chart"
    assert report.notebook == work / "reports" / "q3-pipeline.ipynb"
    assert report.html == work / "reports" / "q3-pipeline.html"
    executed = nbformat.read(report.notebook, as_version=4)
    outputs = [out for cell in executed.cells if cell.cell_type == "code" for out in cell.outputs]
    assert not [out for out in outputs if out.output_type == "error"]
    # data_path was made absolute although the kernel ran in the reports folder
    assert executed.metadata.papermill.parameters["data_path"] == str(work / "inputs" / "crm.csv")
    streams = "".join(out.get("text", "") for out in outputs if out.output_type == "stream")
    assert "TOY-REPORT-MARKER rows: 3" in streams
    svgs = [out.data["image/svg+xml"] for out in outputs if "image/svg+xml" in out.get("data", {})]
    assert len(svgs) == 1 and "mark-rect" in svgs[0]
    # the offline renderer writes no vega-lite mime key (altair 6's one fails validation)
    assert not [out for out in outputs if any("vegalite" in key for key in out.get("data", {}))]
    nbformat.validate(executed)


@pytest.mark.slow
def test_report_has_no_code_and_loads_nothing_from_the_network(chart_report):
    report, _ = chart_report
    html = report.html.read_text(encoding="utf-8")
    assert_offline(html)
    for code in ("from salesops_nb.notebook import setup", "alt.Chart(", "bars: int = 4"):
        assert code not in html
    assert 'class="jp-InputPrompt' not in html and 'class="jp-OutputPrompt' not in html
    assert "<title>Toy chart report</title>" in html
    assert "TOY-REPORT-MARKER rows: 3" in html
    assert "Americas" in html  # the table
    assert html.count("<svg") == 1 and 'class="mark-rect role-mark' in html  # inline chart
    assert "Taller bars are bigger segments." in html  # Markdown stays


@pytest.mark.slow
def test_report_footer_escapes_user_text_and_hides_folders(chart_report):
    report, work = chart_report
    html = report.html.read_text(encoding="utf-8")
    footer = html[html.index('<footer class="salesops-report-footer">') :]
    assert "&lt;b&gt;&amp;&lt;/b&gt;" in footer
    assert "<b>&</b>" not in html
    assert "crm.csv" in footer
    assert str(work) not in footer  # a report travels by email: no local folders


@pytest.mark.slow
def test_failing_cell_names_template_cell_and_error(failed_run):
    err, _ = failed_run
    assert err.message.startswith(
        "Template 'toy_fail' failed in cell 4 (`ratio = numerator / divisor`): "
        "ZeroDivisionError: division by zero."
    )
    assert err.cell_index == 3  # 0-based position among the template's own cells
    assert err.hint and "traceback" in err.hint


@pytest.mark.slow
def test_failing_run_keeps_the_partial_notebook_and_its_report(failed_run):
    err, out = failed_run
    kept = Path(err.notebook_path)
    assert kept == out / "toy_fail.ipynb" and kept.exists()
    assert str(kept) in err.message
    executed = nbformat.read(kept, as_version=4)
    texts = json.dumps([cell.get("outputs", []) for cell in executed.cells])
    assert "before the failure" in texts
    assert "never reached" not in texts
    html = (out / "toy_fail.html").read_text(encoding="utf-8")
    assert "ZeroDivisionError" in html
    assert_offline(html)


def test_parameters_are_checked_before_any_kernel_starts(tmp_path):
    out = tmp_path / "never"
    with pytest.raises(ParameterError, match="did you mean 'divisor'"):
        run_template("toy_fail", {"divisr": 2}, out_dir=out, user_dir=NOTEBOOKS)
    with pytest.raises(ParameterError, match="is text, not a whole number"):
        run_template("toy_fail", {"divisor": "2"}, out_dir=out, user_dir=NOTEBOOKS)
    assert not out.exists()


def test_unknown_template(tmp_path):
    with pytest.raises(UnknownTemplateError, match="Did you mean 'toy_fail'"):
        run_template("toy_fial", out_dir=tmp_path, user_dir=NOTEBOOKS)


def test_missing_data_file_is_reported_before_the_run(tmp_path):
    with pytest.raises(DataFileError, match="does not exist") as caught:
        run_template(
            "toy_chart", {"data_path": "no/such.csv"}, out_dir=tmp_path / "o", user_dir=NOTEBOOKS
        )
    assert "built-in sample" in caught.value.hint
    assert not (tmp_path / "o").exists()


def test_unknown_kernel_says_how_to_install_one(tmp_path):
    with pytest.raises(ReportError, match="no Jupyter kernel named 'cobol'") as caught:
        run_template("toy_fail", out_dir=tmp_path, user_dir=NOTEBOOKS, kernel_name="cobol")
    assert "ipykernel install" in caught.value.hint


@pytest.mark.parametrize("name", ["../escape", "a/b", "..", ".ipynb"])
def test_output_name_must_be_a_plain_file_name(tmp_path, name):
    with pytest.raises(ReportError, match="cannot be used as a report name"):
        run_template("toy_fail", out_dir=tmp_path, user_dir=NOTEBOOKS, output_name=name)


def test_output_folder_that_cannot_be_made(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(ReportError, match="cannot be created"):
        run_template("toy_fail", out_dir=blocker / "reports", user_dir=NOTEBOOKS)


def _svg() -> str:
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" width="20" height="10">'
        '<g class="mark-rect role-mark"><path d="M0,0h5v10h-5Z"/></g></svg>'
    )


def test_export_html_offline_without_a_kernel(tmp_path):
    code = new_code_cell("secret_source_code = 1", execution_count=1)
    code.outputs = [new_output("display_data", data={"image/svg+xml": _svg(), "text/plain": "c"})]
    widget = new_code_cell("slider", execution_count=2)
    widget.outputs = [
        new_output(
            "display_data",
            data={
                "application/vnd.jupyter.widget-view+json": {
                    "model_id": "abc",
                    "version_major": 2,
                    "version_minor": 0,
                },
                "text/plain": "IntSlider(value=3)",
            },
        )
    ]
    hidden = new_code_cell("print('x')", execution_count=3, metadata={"tags": ["remove-cell"]})
    hidden.outputs = [new_output("stream", name="stdout", text="HIDDEN-CELL-OUTPUT\n")]
    quiet = new_code_cell("print('y')", execution_count=4, metadata={"tags": ["remove-output"]})
    quiet.outputs = [new_output("stream", name="stdout", text="HIDDEN-OUTPUT\n")]
    notebook = new_notebook(
        cells=[
            new_markdown_cell("# Hand made\n\n```mermaid\ngraph TD\n  A --> B\n```\n\n$e^x$"),
            code,
            widget,
            hidden,
            quiet,
        ],
        metadata={"kernelspec": {"name": "python3", "language": "python", "display_name": "P"}},
    )
    source = tmp_path / "hand.ipynb"
    nbformat.write(notebook, source)

    html = export_html(source, tmp_path / "hand.html").read_text(encoding="utf-8")
    assert_offline(html)
    assert "<title>Hand made</title>" in html
    assert "secret_source_code" not in html
    assert 'class="mark-rect role-mark"' in html  # SVG inline, not an <img> data URI
    assert '<img src="data:image/svg+xml' not in html
    assert "widget-view+json" not in html and "IntSlider" not in html
    assert "HIDDEN-CELL-OUTPUT" not in html and "HIDDEN-OUTPUT" not in html
    assert "graph TD" in html  # Mermaid source shows as text rather than a CDN import
    assert "Default parameters." in html


def test_export_html_of_a_missing_notebook(tmp_path):
    with pytest.raises(ReportError, match="cannot be read"):
        export_html(tmp_path / "missing.ipynb", tmp_path / "out.html")


def test_default_paths_are_read_from_the_callers_folder(tmp_path, monkeypatch):
    from salesops_nb.parameters import Parameter
    from salesops_nb.report import _headless_values
    from salesops_nb.templates import Template

    template = Template(
        name="toy", path=tmp_path / "toy.ipynb", title="Toy", description="", order=1,
        parameters=(
            Parameter("plan_path", "str", "salesops-workspace/plan/main.json", "the plan"),
            Parameter("notes_path", "str", "", "optional notes"),
            Parameter("interactive", "bool", True, "show the widget"),
        ),
    )
    monkeypatch.chdir(tmp_path)
    values = _headless_values(template, {})
    assert values == {
        "plan_path": str(tmp_path / "salesops-workspace" / "plan" / "main.json"),
        "interactive": False,
    }
    assert _headless_values(template, {"interactive": True})["interactive"] is True
