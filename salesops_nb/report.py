"""Headless report runs: a template executed with papermill, then exported to offline HTML.

``run_template`` checks the parameters before any kernel starts, executes the template into an
output folder (``<name>.ipynb``) and writes the report next to it (``<name>.html``). The HTML
hides code and prompts and loads nothing from the network: it uses the nbconvert template in
``salesops_nb/report_template`` (JupyterLab's look without its CDN scripts), and charts are
inline SVG (see :func:`salesops_nb.notebook.setup`).

A failing cell raises :class:`~salesops_nb.errors.ReportError` naming the template, the cell
and the error; the partly executed notebook is kept, and its HTML written when possible. So do
a kernel that dies mid-run (named as such, with the cell that was running), a cell that runs
longer than ``timeout`` seconds, and a kernel that does not exist (then the notebook with the
parameters filled in is kept, ready to open with another kernel).
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from salesops_nb.errors import DataFileError, ReportError
from salesops_nb.parameters import coerce_parameters
from salesops_nb.templates import (
    Template,
    _markdown_intro,
    _quiet_papermill_parsing,
    get_template,
)

__all__ = ["Report", "export_html", "report_template_dir", "run_template"]

_INJECTED_TAG = "injected-parameters"  # papermill's tag on the cell it adds
_ERROR_MARKER_TAG = "papermill-error-cell-tag"  # papermill's tag on its error banner cells
#: Cells with these tags are left out of the HTML report (Jupyter Book's names).
REMOVE_CELL_TAGS = frozenset({"remove-cell", "remove_cell"})
REMOVE_OUTPUT_TAGS = frozenset({"remove-output", "remove_output"})


@dataclass(frozen=True)
class Report:
    """The files a report run wrote.

    Attributes
    ----------
    template
        The template's name.
    notebook
        The executed notebook.
    html
        The HTML report.
    """

    template: str
    notebook: Path
    html: Path


def report_template_dir() -> Path:
    """The nbconvert template folder used for reports (shipped inside the package)."""
    return Path(__file__).resolve().parent / "report_template"


def run_template(
    name_or_path: str,
    parameters: Mapping[str, Any] | None = None,
    *,
    out_dir: str | Path,
    user_dir: Path | None = None,
    output_name: str | None = None,
    progress: bool = False,
    kernel_name: str = "python3",
    timeout: float | None = None,
) -> Report:
    """Execute a template headless and write the executed notebook and its HTML report.

    Parameters
    ----------
    name_or_path
        A template name or the path of a notebook (see :func:`~salesops_nb.templates.get_template`).
    parameters
        Values for the template's parameters, already typed (use
        :func:`~salesops_nb.parameters.coerce_parameters` with ``from_strings=True`` for
        command-line strings). Non-empty ``*_path`` values are made absolute, relative to the
        current folder, because the kernel runs in ``out_dir``; ``interactive`` defaults to False.
    out_dir
        Folder for the outputs (created if needed); also the kernel's working folder.
    user_dir
        The user's template folder; default :func:`~salesops_nb.templates.user_dir`.
    output_name
        File name stem of the outputs; default the template's name.
    progress
        Show papermill's progress bar.
    kernel_name
        Jupyter kernel to run the notebook with.
    timeout
        Seconds any one cell may run before the run is stopped (None: no limit). A stopped run
        raises ReportError naming the cell; the notebook up to that cell is kept.

    Returns
    -------
    Report
        Paths of the executed notebook and the HTML report.

    Raises
    ------
    UnknownTemplateError, ParameterError
        Before any kernel starts.
    DataFileError
        If ``data_path`` names a file or folder that does not exist.
    ReportError
        If the kernel is missing or cannot start, dies, a cell fails or runs past ``timeout``
        (``notebook_path`` is the partial notebook).

    Examples
    --------
    >>> report = run_template("data_overview", {"data_path": "crm.csv"}, out_dir="reports")
    ... # doctest: +SKIP
    """
    template = get_template(name_or_path, user_dir)
    values = coerce_parameters(template, parameters or {})
    values = _headless_values(template, values)
    _check_timeout(timeout)
    stem = _output_stem(output_name or template.name)
    out = Path(out_dir).resolve()
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise ReportError(
            f"The output folder '{out}' cannot be created: {err.strerror}.",
            hint="Choose an output folder you can write to.",
        ) from err
    notebook = out / f"{stem}.ipynb"
    html = out / f"{stem}.html"

    import papermill  # deferred: heavy, and only needed once a run is certain
    from jupyter_client.kernelspec import NoSuchKernel
    from nbclient.exceptions import CellTimeoutError, DeadKernelError

    run = {
        "parameters": values,
        "kernel_name": kernel_name,
        "progress_bar": progress,
        "cwd": str(out),
    }
    try:
        with _quiet_papermill_parsing():
            options = _kernel_options(kernel_name)
            if timeout is not None:
                options["execution_timeout"] = timeout
            papermill.execute_notebook(str(template.path), str(notebook), **run, **options)
    except papermill.PapermillExecutionError as err:
        partial_html = _try_export(notebook, html)
        raise _cell_failure(template.name, notebook, partial_html, err) from err
    except NoSuchKernel as err:
        raise _missing_kernel(template, notebook, kernel_name, run) from err
    except DeadKernelError as err:
        raise _stopped(
            template.name, notebook, html, "the kernel died while running",
            "The kernel process ended (out of memory, a crash in a library, or code that exits "
            "the process). Try a smaller data file first; open the kept notebook to see what ran.",
        ) from err
    except CellTimeoutError as err:
        raise _stopped(
            template.name, notebook, html, f"it ran longer than the {timeout:g} s timeout in",
            "Give the run more time (--timeout SECONDS, or timeout= in Python), or make the "
            "data smaller (filter it, or aggregate it before the template).",
        ) from err
    export_html(notebook, html)
    return Report(template.name, notebook, html)


def export_html(notebook: str | Path, html: str | Path) -> Path:
    """Write a notebook as a self-contained HTML report without code.

    Code inputs and prompts are hidden, cells tagged ``remove-cell`` are dropped and outputs
    of cells tagged ``remove-output`` are left out. Nothing in the page is fetched from the
    network.

    Parameters
    ----------
    notebook
        An (executed) notebook file.
    html
        Where to write the report; its folder must exist.

    Returns
    -------
    Path
        ``html``.

    Raises
    ------
    ReportError
        If the notebook cannot be read or the report cannot be written.
    """
    import nbformat
    from nbconvert import HTMLExporter
    from nbconvert.preprocessors import TagRemovePreprocessor
    from traitlets.config import Config

    source, target = Path(notebook), Path(html)
    try:
        node = nbformat.read(source, as_version=4)
    except (OSError, ValueError) as err:  # json and nbformat errors are ValueErrors
        raise ReportError(
            f"Notebook '{source}' cannot be read for the HTML report: {err}.",
            hint="Check that the file exists and is a Jupyter notebook.",
        ) from err

    config = Config()
    config.TagRemovePreprocessor.enabled = True
    config.TagRemovePreprocessor.remove_cell_tags = set(REMOVE_CELL_TAGS)
    config.TagRemovePreprocessor.remove_all_outputs_tags = set(REMOVE_OUTPUT_TAGS)
    template_dir = report_template_dir()
    exporter = HTMLExporter(
        config=config,
        extra_template_basedirs=[str(template_dir.parent)],
        template_name=template_dir.name,
        exclude_input=True,
        exclude_input_prompt=True,
        exclude_output_prompt=True,
        embed_images=True,  # local images in Markdown become data URIs: one file to email
    )
    exporter.register_preprocessor(TagRemovePreprocessor(config=config), enabled=True)
    resources = {"metadata": {"name": _title(node, source)}}
    body, _ = exporter.from_notebook_node(node, resources=resources)
    try:
        target.write_text(body, encoding="utf-8")
    except OSError as err:
        raise ReportError(
            f"The HTML report cannot be written to '{target}': {err.strerror}.",
            hint="Choose an output folder you can write to.",
        ) from err
    return target


def _check_timeout(timeout: float | None) -> None:
    from salesops_nb.errors import ParameterError

    if timeout is None:
        return
    if isinstance(timeout, bool) or not isinstance(timeout, (int, float)) or not timeout > 0:
        raise ParameterError(
            f"The run timeout must be a number of seconds above 0, not {timeout!r}.",
            hint="E.g. timeout=600 (ten minutes per cell), or leave it out for no limit.",
        )


def _stopped(template: str, notebook: Path, html: Path, what: str, hint: str) -> ReportError:
    """A ReportError for a run stopped from outside its cells (dead kernel, timeout)."""
    partial_html = _try_export(notebook, html)
    position, first_line = _running_cell(notebook)
    where = f" cell {position + 1}" if position is not None else " a cell"
    code = f" (`{first_line}`)" if first_line else ""
    if notebook.exists():
        kept = f" The partial notebook is kept at {notebook}" + (
            f"; the report of the part that ran is at {partial_html}." if partial_html else "."
        )
    else:
        kept = " No notebook was written."
    return ReportError(
        f"Template '{template}' stopped: {what}{where}{code}.{kept}",
        hint=hint,
        notebook_path=str(notebook) if notebook.exists() else None,
        cell_index=position,
    )


def _running_cell(notebook: Path) -> tuple[int | None, str]:
    """The template cell that was running when a run stopped: the last one papermill started."""
    try:
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):
        return None, ""
    own = [
        cell
        for cell in cells
        if not {_INJECTED_TAG, _ERROR_MARKER_TAG} & set(cell.get("metadata", {}).get("tags", []))
    ]
    started = [
        position
        for position, cell in enumerate(own)
        if (cell.get("metadata", {}).get("papermill") or {}).get("start_time")
    ]
    if not started:
        return None, ""
    source = own[started[-1]].get("source", "")
    lines = [line.strip() for line in "".join(source).splitlines() if line.strip()]
    first = next((line for line in lines if not line.startswith("#")), "")
    return started[-1], first


def _missing_kernel(template: Template, notebook: Path, kernel_name: str, run: dict) -> ReportError:
    """No such kernel: keep the notebook with its parameters filled in; list the kernels."""
    import papermill
    from jupyter_client.kernelspec import KernelSpecManager

    kept = ""
    try:
        with _quiet_papermill_parsing():
            papermill.execute_notebook(
                str(template.path), str(notebook), prepare_only=True,
                **{k: v for k, v in run.items() if k != "kernel_name"},
            )
        kept = (f" The notebook with your parameters filled in is kept at {notebook}; open it in "
                "JupyterLab and pick a kernel to run it by hand.")
    except Exception:  # the missing kernel is what the user needs to hear about
        pass
    try:
        names = sorted(KernelSpecManager().find_kernel_specs())
    except Exception:
        names = []
    known = f" Kernels installed: {', '.join(names)}." if names else " No kernel is installed."
    return ReportError(
        f"Template '{template.name}' cannot run: there is no Jupyter kernel named "
        f"'{kernel_name}'.{kept}",
        hint=f"Install one with: python -m ipykernel install --user.{known}",
        notebook_path=str(notebook) if kept else None,
    )


def _kernel_options(kernel_name: str) -> dict[str, Any]:
    """Quiet an IPython kernel's own log (its TCP warning on every start reads like a fault).

    Only IPython kernels understand the option; warnings raised by cells still reach the
    notebook as their output.
    """
    from jupyter_client.kernelspec import get_kernel_spec

    argv = get_kernel_spec(kernel_name).argv  # NoSuchKernel here is reported by the caller
    if any("ipykernel" in part for part in argv):
        return {"extra_arguments": ["--IPKernelApp.log_level=ERROR"]}
    return {}


def _title(node: Any, source: Path) -> str:
    meta_title = node.metadata.get("salesops_nb", {}).get("title")
    heading, _ = _markdown_intro(node.cells)
    return str(meta_title or heading or source.stem)


def _headless_values(template: Template, values: dict[str, Any]) -> dict[str, Any]:
    """Adapt parameter values to a headless run in ``out_dir``.

    Every ``*_path`` parameter, given or default, is made absolute from the caller's folder (the
    kernel runs in the output folder, where a template's exports land); ``data_path`` must
    exist. A template's ``interactive`` flag defaults to False: widgets draw nothing in a report.
    """
    adapted = dict(values)
    for param in template.parameters:
        value = values.get(param.name, param.default)
        if param.name.endswith("_path") and isinstance(value, str) and value:
            adapted[param.name] = str(Path(value).expanduser().resolve())
    data_path = values.get("data_path")
    if isinstance(data_path, str) and data_path and not Path(adapted["data_path"]).exists():
        raise DataFileError(
            f"Data file '{data_path}' does not exist (looked for {adapted['data_path']}).",
            hint="Check the path; a relative path is read from the current folder. "
            "Leave data_path empty to use the built-in sample data.",
        )
    if template.parameter("interactive") is not None:
        adapted.setdefault("interactive", False)
    return adapted


def _output_stem(name: str) -> str:
    stem = name.removesuffix(".ipynb").removesuffix(".html")
    if not stem or stem in {".", ".."} or "/" in stem or "\\" in stem:
        raise ReportError(
            f"'{name}' cannot be used as a report name.",
            hint="Give a plain file name without folders, e.g. q3-pipeline; "
            "choose the folder with the output directory.",
        )
    return stem


def _try_export(notebook: Path, html: Path) -> Path | None:
    """Export the partial notebook of a failed run; a failure here must not hide the first."""
    if not notebook.exists():
        return None
    try:
        return export_html(notebook, html)
    except Exception:  # the cell error is what the user needs to see
        return None


def _cell_failure(template: str, notebook: Path, html: Path | None, err: Any) -> ReportError:
    """A ReportError naming the failing cell by its position in the template (1-based).

    When the cell raised one of our own errors (a user mistake such as a missing column), its
    message and hint are passed on as they are: they already say what, where and how to fix.
    """
    position, first_line = _template_cell(notebook, err.cell_index, err.source)
    line = _failing_line(err.source, getattr(err, "traceback", None)) or first_line
    where = f"cell {position + 1}" if position is not None else f"cell [{err.exec_count}]"
    code = f" (`{line}`)" if line else ""
    kept = f"The partially executed notebook is kept at {notebook}" + (
        f"; the report of the part that ran is at {html}." if html else "."
    )
    if _is_own_error(err.ename):
        what, _, their_hint = str(err.evalue).partition("\nHint: ")
        message = f"Template '{template}' stopped in {where}{code}: {what} {kept}"
        hint = their_hint or "Check the data file and the parameters given."
    else:
        error = f"{err.ename}: {err.evalue}"
        message = f"Template '{template}' failed in {where}{code}: {error}. {kept}"
        hint = (
            "Open the kept notebook in JupyterLab to see the full traceback. If the error is "
            "about the data, check the data file and the parameters given."
        )
    return ReportError(message, hint=hint, notebook_path=str(notebook), cell_index=position)


def _failing_line(source: str, traceback: list[str] | None) -> str | None:
    """The cell's line the error came from, read off IPython's ``Cell In[n], line m`` frame.

    Its outermost frame in the cell: the statement the cell was running, not a line inside a
    function the cell defined.
    """
    text = _ANSI.sub("", "\n".join(traceback or []))
    found = _CELL_FRAME.search(text)
    lines = source.splitlines()
    if found is None or not 0 < int(found.group(1)) <= len(lines):
        return None
    return lines[int(found.group(1)) - 1].strip() or None


_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_CELL_FRAME = re.compile(r"Cell In\[\d+\], line (\d+)")


def _is_own_error(name: str) -> bool:
    from salesops_nb import errors

    cls = getattr(errors, name, None)
    return isinstance(cls, type) and issubclass(cls, errors.SalesOpsError)


def _template_cell(notebook: Path, index: int, source: str) -> tuple[int | None, str]:
    """Position of the failing cell among the template's own cells, and its first code line.

    The first line that is not a comment: ``ratio = 1 / divisor`` says more than
    ``# compute the ratio``.

    papermill's ``cell_index`` counts its injected parameters cell; the kept notebook also has
    its error banners. Neither exists in the template the user edits, so neither is counted.
    """
    lines = [line.strip() for line in source.splitlines() if line.strip()]
    first_line = next(
        (line for line in lines if not line.startswith("#")), lines[0] if lines else ""
    )
    try:
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError):
        return None, first_line
    own = [
        cell
        for cell in cells
        if not {_INJECTED_TAG, _ERROR_MARKER_TAG} & set(cell.get("metadata", {}).get("tags", []))
    ]
    for position, cell in enumerate(own):
        if cell.get("metadata", {}).get("papermill", {}).get("exception"):
            return position, first_line
    injected_before = sum(
        _INJECTED_TAG in cell.get("metadata", {}).get("tags", []) for cell in cells[:index]
    )
    return index - injected_before, first_line
