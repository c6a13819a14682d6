"""The hostile corpus through the bundled templates, run headless as a user runs them.

Each template that reads a deals file (``data_path``) runs on corpus files (which: below)
through the product's batch runner (:func:`salesops_nb.batch.run_batch`, two worker
processes, one batch per template, a failed run does not stop the batch). Every run either
writes its HTML report, holding a number or label computed from that file, or fails with the
template's :class:`~salesops_nb.errors.ReportError` text saying "stopped in cell N" followed
by the loader's or the analysis' own message, word for word, with its hint (read from the
kept notebook; the batch keeps the same hint and shows it in its index page); never "failed
in" (the path of an unexplained exception) or a traceback, and a report that works shows no
Python warning. Each run writes into its own folder of the batch's output folder.

Which files each template gets (a kernel run costs ~5 s and the machine has 2 cores, so 50
runs rather than 100):

- ``data_overview`` (the template with every loader option): all 20 files;
- ``segmentation``: the eight content cases (odd values met after loading: empty, constant,
  negative, astronomical amounts, future dates, duplicate ids, 100k categories, formula
  cells), the empty file and the workbook with its deals on the second sheet;
- ``five_whys`` and ``sales_ops_review``: six each, the content cases that move numbers or
  segments in them (empty columns, astronomical amounts, future dates, 100k categories, and
  negative amounts or formula text) and the empty file; on the files the default
  segmentation refuses (empty columns, 100k categories) the review reports the improvement
  case built on the built-in sample and names the reason;
- ``charter`` (reads deals only for its KPI baselines): empty columns, astronomical amounts,
  the empty file.

The four file-format cases (delimiters, UTF-16, BOM) load to exactly the clean sample's deals
(``test_format_cases_load_to_the_clean_deals``), so after the loading line, which every
template shares, they cannot take another path; the loader-error cases stop on that line
(shown for all six in ``data_overview``, for the empty file in every template). Templates that
open saved artefacts (``charter_path``, ``analysis_path``, ``plan_path``, ``spec_path``) run
once each on a damaged file, one damage each (corrupt JSON, empty file, newer schema version,
another kind); all 16 combinations are checked without a kernel through the functions the
templates call. ``sales_ops_review`` runs once on a workspace holding damaged files.
Outcomes per case: the table in ``test_corpus.py``.
"""

from __future__ import annotations

import html
import json
import re
import warnings
from pathlib import Path

import pandas as pd
import pytest

from salesops_nb import charter as ch
from salesops_nb import five_whys
from salesops_nb import installments as inst
from salesops_nb import segmentation as seg
from salesops_nb.batch import BatchRun, run_batch
from salesops_nb.data.load import load_opportunities
from salesops_nb.errors import (
    CorruptArtefactError,
    SalesOpsError,
    SchemaVersionError,
)
from tests.hostile._corpus import ARTEFACT_CASES, CASES, build_artefacts
from tests.hostile._expected import (
    CONTENT_CASES,
    FORMAT_CASES,
    LOAD_FAILS,
    SEGMENTATION_FAILS,
)

pytestmark = pytest.mark.slow

_VALUES = [c for c in CONTENT_CASES if c != "keyword column names"]
TEMPLATE_CASES: dict[str, list[str]] = {
    "data_overview": list(CASES),
    "segmentation": [*_VALUES, "empty", "Excel several sheets"],
    "five_whys": ["all-NaN columns", "negative amounts", "astronomical amounts", "future dates",
                  "100k distinct categories", "empty"],
    "sales_ops_review": ["all-NaN columns", "astronomical amounts", "future dates",
                         "100k distinct categories", "=HYPERLINK formula cells", "empty"],
    "charter": ["all-NaN columns", "astronomical amounts", "empty"],
}
#: Templates that stop when the default rep segmentation cannot be built on the file. The
#: review does not: it builds its improvement case on the built-in sample and says why.
SEGMENTING = {"segmentation"}

#: template -> (its artefact parameter, artefact kind, the damaged cases it runs on)
ARTEFACT_RUNS = {
    "charter": ("charter_path", "charter", ["corrupt JSON"]),
    "five_whys": ("analysis_path", "five_whys", ["empty file"]),
    "installments": ("plan_path", "installments", ["newer schema_version"]),
    "segmentation": ("spec_path", "segmentation", ["JSON of another kind"]),
}
ARTEFACT_ERRORS = {
    "corrupt JSON": (CorruptArtefactError, "not valid JSON"),
    "empty file": (CorruptArtefactError, "it is empty"),
    "JSON of another kind": (CorruptArtefactError, "holds a 'note' artefact"),
    "newer schema_version": (SchemaVersionError, "schema version 99"),
}


def _batch(template: str, name: str, values: list[str], shared: dict, out: Path
           ) -> dict[str, BatchRun]:
    result = run_batch(template, {name: values}, shared, out_dir=out, jobs=2, progress=False,
                       from_strings=False)
    assert result.index.exists()
    return {run.values[name]: run for run in result.runs}


@pytest.fixture(scope="module")
def template_runs(corpus, tmp_path_factory) -> dict[str, dict[str, BatchRun]]:
    """template -> case -> its run (one batch per template)."""
    root = tmp_path_factory.mktemp("hostile-templates")
    nowhere = root / "no-workspace"  # nothing saved: every template uses its worked example
    shared = {
        "data_overview": {},
        "segmentation": {"spec_path": str(nowhere / "segmentation" / "main.json")},
        "five_whys": {"analysis_path": str(nowhere / "five_whys" / "main.json")},
        "sales_ops_review": {"workspace_path": str(nowhere)},
        "charter": {"charter_path": str(nowhere / "charter" / "main.json")},
    }
    runs = {}
    for template, cases in TEMPLATE_CASES.items():
        by_file = _batch(template, "data_path", [str(corpus[c]) for c in cases],
                         shared[template], root / template)
        runs[template] = {case: by_file[str(corpus[case])] for case in cases}
    return runs


@pytest.fixture(scope="module")
def artefact_runs(tmp_path_factory) -> dict[str, dict[str, tuple[Path, BatchRun]]]:
    """template -> damaged case -> (the damaged file, its run)."""
    root = tmp_path_factory.mktemp("hostile-artefacts")
    runs = {}
    for template, (name, kind, cases) in ARTEFACT_RUNS.items():
        files = build_artefacts(root / template, kind, cases)
        shared = {"sample_rows": 500} if template in ("five_whys", "segmentation") else {}
        by_file = _batch(template, name, [str(files[c]) for c in cases], shared,
                         root / f"{template}-reports")
        runs[template] = {case: (files[case], by_file[str(files[case])]) for case in cases}
    return runs


# -- helpers ---------------------------------------------------------------------------------


def _kernel_error(run: BatchRun) -> tuple[str, str]:
    """(exception name, text) of the error the kernel raised, from the kept notebook."""
    assert run.notebook is not None and run.notebook.exists(), run.error
    cells = json.loads(run.notebook.read_text(encoding="utf-8"))["cells"]
    errors = [out for cell in cells for out in cell.get("outputs", [])
              if out.get("output_type") == "error"]
    assert errors, f"no error output in {run.notebook}"
    return errors[-1]["ename"], errors[-1]["evalue"]


def _assert_clear_failure(run: BatchRun, kind: type, words: str, api_message: str | None,
                          where: str) -> None:
    """The run stopped on one of our errors: its message passed through, with a hint."""
    assert not run.ok, f"{where}: expected {kind.__name__}, the report was written"
    assert "stopped in cell" in run.error, f"{where}: not one of our errors: {run.error}"
    assert "Traceback" not in run.error and not re.match(r"\w+(Error|Exception): ", run.error)
    if api_message is not None:
        assert api_message in run.error, f"{where}: {run.error!r} lacks {api_message!r}"
    ename, evalue = _kernel_error(run)
    assert ename == kind.__name__, f"{where}: {ename}: {evalue}"
    hint = evalue.partition("\nHint: ")[2]
    assert hint.strip(), f"{where}: {ename} without a hint"
    assert run.hint == hint, f"{where}: the batch lost the hint: {run.hint!r}"
    assert words in evalue, f"{where}: {words!r} not in {evalue!r}"
    assert run.notebook.exists() and "kept at" in run.error


def _api_outcome(template: str, path: Path) -> str | None:
    """The message the same steps raise in this process (None when they work)."""
    try:
        deals = load_opportunities(path)
        if template in SEGMENTING:
            seg.analyse(deals, schemes=False)
    except SalesOpsError as err:
        return err.message
    return None


def _expected(template: str, case: str) -> tuple[type, str] | None:
    if case in LOAD_FAILS:
        return LOAD_FAILS[case]
    if template in SEGMENTING:
        return SEGMENTATION_FAILS.get(case)
    return None


def _page(run: BatchRun) -> str:
    return html.unescape(run.html.read_text(encoding="utf-8"))


def _shows_what_it_read(template: str, path: Path, page: str) -> None:
    """A number or label computed from ``path`` (in this process) appears in the report."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # overflows of 1e308 (REPORT_BUGS)
        _check_page(template, load_opportunities(path), path, page)


def _check_page(template: str, deals: pd.DataFrame, path: Path, page: str) -> None:
    if template == "data_overview":
        rows = f"{len(deals):,}"
        assert re.search(rf"Rows</td>\s*<td[^>]*>{rows}</td>", page), f"Rows {rows} not shown"
    elif template == "segmentation":
        labels = seg.analyse(deals, schemes=False).profile["segment"].astype(str)
        missing = [label for label in labels if label not in page]
        assert not missing, f"segments not in the report: {missing}"
    elif template == "charter":
        table = ch.kpi_baselines(deals)
        basis = table.loc[table["kpi_id"] == "win-rate", "basis"].iloc[0]
        assert basis in page, f"win-rate baseline {basis!r} not in the report"
    else:  # five_whys and the review name the file they computed from
        assert path.name in page, f"{path.name} not named in the report"
        why = _api_outcome("segmentation", path) if template == "sales_ops_review" else None
        if why is not None:  # the case is built on the sample: the report says why
            assert f"cannot be built on {path.name}: {why.rstrip('.')}" in page, \
                f"the reason {why!r} is not in the review"


# -- deals files -----------------------------------------------------------------------------


class WarningInReport(AssertionError):
    """A Python warning (file path, line, category) printed into a report a user reads."""


#: Known, in files not this test's: (template, case) -> reason. Strict: fails once fixed.
REPORT_BUGS: dict[tuple[str, str], str] = {}  # charter/astronomical amounts: fixed


def _template_params():
    for template, cases in TEMPLATE_CASES.items():
        for case in cases:
            bug = REPORT_BUGS.get((template, case))
            marks = (pytest.mark.xfail(strict=True, raises=WarningInReport, reason=bug)
                     if bug else ())
            yield pytest.param(template, case, marks=marks, id=f"{template}-{case}")


@pytest.mark.parametrize(("template", "case"), list(_template_params()))
def test_each_template_on_each_hostile_file(template_runs, corpus, template, case):
    run = template_runs[template][case]
    path = corpus[case]
    expected = _expected(template, case)
    if expected is not None:
        _assert_clear_failure(run, *expected, _api_outcome(template, path), f"{template}/{case}")
        return
    assert run.ok, f"{template}/{case}: {run.error}"
    assert run.html is not None and run.html.exists()
    page = _page(run)
    assert "Traceback" not in page
    _shows_what_it_read(template, path, page)
    warned = re.findall(r"[^\s>]+\.py:\d+: \w*Warning: [^<\n]*", page)
    if warned:
        raise WarningInReport(f"{template}/{case}: {warned}")


def test_format_cases_load_to_the_clean_deals(corpus):
    # Why the templates after data_overview skip them: once loaded, they are the same deals.
    reference = load_opportunities(corpus["UTF-8 BOM"])
    for case in FORMAT_CASES:
        pd.testing.assert_frame_equal(load_opportunities(corpus[case]), reference, obj=case)


def test_a_workbook_hint_names_a_parameter_only_data_overview_has(template_runs):
    # The hint says sheet='Opportunities'; only data_overview declares `sheet` (see report).
    hint = _kernel_error(template_runs["segmentation"]["Excel several sheets"])[1]
    assert "sheet='Opportunities'" in hint


def test_the_batch_index_lists_every_run_with_its_reason(template_runs):
    runs = template_runs["data_overview"]
    index = runs["empty"].folder.parent / "index.html"  # each run has its own folder
    page = html.unescape(index.read_text(encoding="utf-8"))
    for case in LOAD_FAILS:
        assert runs[case].error.split(" The partially")[0][-60:] in page, case
        assert f"How to fix: {runs[case].hint}" in page, case


# -- damaged artefacts -----------------------------------------------------------------------

_OPENERS = {
    "charter": lambda path: ch.load_or_example(path),
    "five_whys": lambda path: five_whys.saved_or_example(path, pd.DataFrame()),
    "installments": lambda path: inst.open_plan(str(path)),
    "segmentation": lambda path: seg.saved_spec(str(path)),
}


@pytest.mark.parametrize("case", list(ARTEFACT_ERRORS))
@pytest.mark.parametrize("template", list(ARTEFACT_RUNS))
def test_each_damaged_artefact_is_refused_naming_the_file(tmp_path, template, case):
    kind = ARTEFACT_RUNS[template][1]
    path = build_artefacts(tmp_path, kind, [case])[case]
    before = path.read_bytes()
    error, words = ARTEFACT_ERRORS[case]
    with pytest.raises(error) as info:
        _OPENERS[template](path)
    assert str(path) in info.value.message and words in info.value.message
    assert info.value.hint
    assert path.read_bytes() == before  # never replaced by the worked example


def _artefact_params():
    for template, (_, _, cases) in ARTEFACT_RUNS.items():
        for case in cases:
            yield pytest.param(template, case, id=f"{template}-{case}")


@pytest.mark.parametrize(("template", "case"), list(_artefact_params()))
def test_each_template_stops_on_a_damaged_artefact_naming_it(artefact_runs, template, case):
    path, run = artefact_runs[template][case]
    error, words = ARTEFACT_ERRORS[case]
    _assert_clear_failure(run, error, words, None, f"{template}/{case}")
    assert str(path) in run.error


def test_the_review_lists_damaged_artefacts_and_still_reports(tmp_path):
    workspace = tmp_path / "workspace"
    for kind, case in (("five_whys", "corrupt JSON"), ("charter", "newer schema_version")):
        (workspace / kind).mkdir(parents=True)
        (workspace / kind / "main.json").write_text(
            ARTEFACT_CASES[case].replace("{kind}", kind), encoding="utf-8")
    runs = _batch("sales_ops_review", "workspace_path", [str(workspace)],
                  {"sample_rows": 500}, tmp_path / "reports")
    run = runs[str(workspace)]
    assert run.ok, run.error
    page = _page(run)
    assert "five_whys/main cannot be read" in page and "not valid JSON" in page
    assert "charter/main cannot be read" in page and "schema version 99" in page
