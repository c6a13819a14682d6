"""Batch report runs: one report per combination of parameter values, in worker processes.

``salesops-nb batch sales_ops_review --over segment="Enterprise / EMEA","SMB / APAC" --jobs 2``
runs the template once per combination of the ``--over`` values (their cartesian product), on
top of the parameters shared by every run (``--params`` file, ``-p`` flags). Every value is
checked against the template's declared types *before* anything starts. Runs go to a pool of
worker processes (each run starts its own kernel, so two workers keep two cores busy); a run
that fails does not stop the others. Each run has its own folder ``<out>/<output name>/``
holding its report, its executed notebook and whatever the template exports (the folder is the
kernel's working folder, so two runs writing an export of the same name never share it). At
the end ``<out>/index.html`` links every report with its status, and the failures are listed
with their reason and how to fix it.

Example
-------
>>> result = run_batch("data_overview", {"period": ["month", "quarter"]},
...                    out_dir="reports", jobs=2)                       # doctest: +SKIP
>>> [run.ok for run in result.runs]                                     # doctest: +SKIP
[True, True]
"""

from __future__ import annotations

import itertools
import re
import time
from collections.abc import Mapping, Sequence
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path
from typing import Any

from salesops_nb.errors import ParameterError, SalesOpsError
from salesops_nb.parameters import coerce_parameters

__all__ = ["BatchResult", "BatchRun", "combinations", "parse_over", "run_batch"]


@dataclass(frozen=True)
class BatchRun:
    """One run of a batch: its varying values, outputs, and what went wrong if it failed.

    Attributes
    ----------
    label
        The varying values in words, e.g. ``segment=Enterprise / EMEA``.
    values
        The varying parameter values of this run.
    output_name
        Name of its folder in the batch's output folder, and file name stem of its notebook
        and report in that folder.
    html, notebook
        The files written (the partial ones for a failed run, when they exist).
    error
        None when the run worked; else the reason, as the user would read it.
    seconds
        Wall time of the run.
    hint
        How to fix a failed run (the error's hint); "" when the run worked or there is none.
    """

    label: str
    values: dict[str, Any]
    output_name: str
    html: Path | None
    notebook: Path | None
    error: str | None
    seconds: float
    hint: str = ""

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def folder(self) -> Path | None:
        """The run's own folder (its report, notebook and exports), when it was written."""
        written = self.html or self.notebook
        return written.parent if written is not None else None


@dataclass(frozen=True)
class BatchResult:
    """All runs of a batch, in combination order, and the index page linking them."""

    template: str
    runs: list[BatchRun]
    index: Path

    @property
    def failed(self) -> list[BatchRun]:
        """The runs that failed."""
        return [run for run in self.runs if not run.ok]

    def summary(self) -> str:
        """What ran, what failed and why, and where the index is: for the terminal."""
        done = len(self.runs) - len(self.failed)
        lines = [f"{done} of {len(self.runs)} reports of '{self.template}' written."]
        lines += [f"  ok      {run.label}: {run.html}" for run in self.runs if run.ok]
        for run in self.failed:
            lines.append(f"  FAILED  {run.label}: {run.error}")
            if run.hint:
                lines.append(f"          How to fix: {run.hint}")
        lines.append(f"Index: {self.index}")
        return "\n".join(lines)


def parse_over(texts: Sequence[str]) -> dict[str, list[str]]:
    """Read ``--over NAME=V1,V2,...`` options into ``{name: [values]}`` (values as text).

    Raises
    ------
    ParameterError
        An option without ``=``, without values, or a name given twice.
    """
    over: dict[str, list[str]] = {}
    for text in texts:
        name, sep, values = text.partition("=")
        name = name.strip()
        items = [v.strip() for v in values.split(",") if v.strip()]
        if not sep or not name or not items:
            raise ParameterError(
                f"--over {text!r} is not NAME=VALUE1,VALUE2,...",
                hint='Write e.g. --over region=EMEA,APAC (quote values with spaces: '
                '--over segment="Enterprise / EMEA","SMB / APAC").')
        if name in over:
            raise ParameterError(f"--over names parameter {name!r} twice.",
                                 hint="Give all its values in one option, separated by commas.")
        over[name] = items
    return over


def combinations(template: Any, over: Mapping[str, Sequence[Any]],
                 parameters: Mapping[str, Any] | None = None, *,
                 from_strings: bool = True) -> list[dict[str, Any]]:
    """Every combination of the ``over`` values, each checked with the shared parameters.

    Parameters
    ----------
    template
        The :class:`~salesops_nb.templates.Template`.
    over
        ``{name: [values]}``; strings are parsed as the command line does when
        ``from_strings``.
    parameters
        Values shared by every run (already typed).

    Returns
    -------
    list of dict
        The varying values of each run, typed, in the order of the cartesian product.

    Raises
    ------
    ParameterError
        Unknown names or values that do not fit, all listed at once, before any run starts.
    """
    if not over:
        raise ParameterError("A batch needs at least one --over NAME=V1,V2,... option.",
                             hint="Name the parameter that changes from one report to the next.")
    checked: dict[str, list[Any]] = {}
    problems: list[str] = []
    for name, values in over.items():
        checked[name] = []
        for value in values:
            try:
                checked[name].append(coerce_parameters(
                    template, {name: value}, from_strings=from_strings)[name])
            except ParameterError as err:
                problems.append(err.message)
    if problems:
        raise ParameterError("\n".join(dict.fromkeys(problems)),
                             hint="Fix the --over values; nothing was run.")
    names = list(checked)
    runs = [dict(zip(names, values, strict=True))
            for values in itertools.product(*checked.values())]
    shared = dict(parameters or {})
    for run in runs:
        coerce_parameters(template, {**shared, **run})
    return runs


def run_batch(template_name: str, over: Mapping[str, Sequence[Any]],
              parameters: Mapping[str, Any] | None = None, *, out_dir: str | Path,
              jobs: int = 1, user_dir: Path | None = None, progress: bool = True,
              from_strings: bool = True, kernel_name: str = "python3",
              timeout: float | None = None) -> BatchResult:
    """Run a template once per combination of ``over`` values, ``jobs`` at a time.

    Parameters
    ----------
    template_name
        A template name or notebook path.
    over
        ``{name: [values]}``: one run per combination.
    parameters
        Values shared by every run (typed, e.g. from a YAML file and ``-p`` flags).
    out_dir
        Folder of ``index.html`` and of one folder per run (named after the run's values)
        holding its report, notebook and exports; also that run's working folder.
    jobs
        Worker processes; 1 runs in this process.
    progress
        Show a progress bar.
    timeout
        Seconds one cell of a run may take before that run is stopped (it fails; the batch
        goes on). Default: no limit.

    Returns
    -------
    BatchResult
        Every run with its status, and the index page. Failed runs do not raise: read
        :attr:`BatchResult.failed`.

    Raises
    ------
    UnknownTemplateError, ParameterError, DataFileError
        Before any run starts.
    """
    from salesops_nb.report import _check_timeout, _headless_values
    from salesops_nb.templates import get_template

    if not isinstance(jobs, int) or jobs < 1:
        raise ParameterError(f"jobs={jobs!r} must be a whole number >= 1.",
                             hint="Use about one job per CPU core, e.g. --jobs 2.")
    _check_timeout(timeout)
    template = get_template(template_name, user_dir)
    shared = coerce_parameters(template, dict(parameters or {}))
    runs = combinations(template, over, shared, from_strings=from_strings)
    for run in runs:  # data files checked up front: a typo should not cost N kernel starts
        _headless_values(template, {**shared, **run})
    out = Path(out_dir).expanduser().resolve()
    names = _output_names(template.name, runs)
    # One folder per run: it is the kernel's working folder, and templates export to fixed
    # file names (segmentation-assignments.csv, ...) that concurrent runs would overwrite.
    tasks = [(str(template.path), {**shared, **run}, str(out / name), name, kernel_name,
              timeout) for run, name in zip(runs, names, strict=True)]
    outcomes = _execute(tasks, jobs, progress, template.name)
    results = [BatchRun(_label(run), run, name, html, notebook, error, seconds, hint)
               for run, name, (html, notebook, error, hint, seconds)
               in zip(runs, names, outcomes, strict=True)]
    index = _write_index(template, results, out / "index.html")
    return BatchResult(template.name, results, index)


def _execute(tasks: list[tuple], jobs: int, progress: bool, name: str) -> list[tuple]:
    """Run the tasks (in a process pool when ``jobs`` > 1); results in task order."""
    from tqdm.auto import tqdm

    outcomes: list[tuple | None] = [None] * len(tasks)
    bar = tqdm(total=len(tasks), desc=f"Running {name}", unit="report", disable=not progress)
    failed = 0
    with bar:
        if jobs == 1:
            for i, task in enumerate(tasks):
                outcomes[i] = _run_one(*task)
                failed += outcomes[i][2] is not None
                bar.set_postfix(failed=failed)
                bar.update()
        else:
            # spawn: a fresh interpreter per worker, never a fork of a process holding threads
            with ProcessPoolExecutor(max_workers=min(jobs, len(tasks)),
                                     mp_context=get_context("spawn")) as pool:
                futures = {pool.submit(_run_one, *task): i for i, task in enumerate(tasks)}
                for future in as_completed(futures):
                    i = futures[future]
                    try:
                        outcomes[i] = future.result()
                    except Exception as err:  # a worker that died: that run failed, not all
                        outcomes[i] = (None, None, f"the worker process failed: {err!r}",
                                       "Run this combination alone with `salesops-nb run` "
                                       "to see what stops it.", 0.0)
                    failed += outcomes[i][2] is not None
                    bar.set_postfix(failed=failed)
                    bar.update()
    return outcomes  # type: ignore[return-value]


def _run_one(template_path: str, values: dict[str, Any], out_dir: str, output_name: str,
             kernel_name: str, timeout: float | None = None,
             ) -> tuple[Path | None, Path | None, str | None, str, float]:
    """One report run (in a worker): (html, notebook, error or None, hint, seconds).

    Never raises: a failure is returned as its message and hint (how to fix it).
    """
    from salesops_nb.report import run_template

    start = time.perf_counter()
    out = Path(out_dir)
    try:
        report = run_template(template_path, values, out_dir=out, output_name=output_name,
                              kernel_name=kernel_name, timeout=timeout)
    except SalesOpsError as err:
        html, notebook = out / f"{output_name}.html", out / f"{output_name}.ipynb"
        return (html if html.exists() else None, notebook if notebook.exists() else None,
                err.message, err.hint or "", time.perf_counter() - start)
    except Exception as err:  # one broken run must not take the batch down with it
        return (None, None, f"{type(err).__name__}: {err}", "", time.perf_counter() - start)
    return report.html, report.notebook, None, "", time.perf_counter() - start


def _label(values: Mapping[str, Any]) -> str:
    return ", ".join(f"{name}={value}" for name, value in values.items())


def _output_names(template: str, runs: list[dict[str, Any]]) -> list[str]:
    """``<template>-<value>-<value>`` as safe folder and file names, unique within the batch."""
    names, seen = [], set()
    for run in runs:
        slug = "-".join(re.sub(r"[^A-Za-z0-9]+", "-", str(v)).strip("-").lower() or "empty"
                        for v in run.values())
        name = f"{template}-{slug}"[:120]
        candidate, n = name, 2
        while candidate in seen:
            candidate, n = f"{name}-{n}", n + 1
        seen.add(candidate)
        names.append(candidate)
    return names


def _write_index(template: Any, runs: list[BatchRun], path: Path) -> Path:
    from salesops_nb.demo import IndexEntry, write_index

    # Linked relative to the page (``<name>/<name>.html``); the detail is escaped by the page.
    entries = [IndexEntry(title=run.label, html=run.html, ok=run.ok,
                          detail=(run.error or "") + (f" How to fix: {run.hint}" if run.hint
                                                      else ""))
               for run in runs]
    return write_index([], path, entries=entries, heading=f"{template.title}: batch reports")
