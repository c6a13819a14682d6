"""Create a fresh notebook from a template, for an analyst to open and work in.

The copy is named after the template (``segmentation.ipynb``, then ``segmentation-2.ipynb``...)
and an existing file is never overwritten, even when two copies are made at the same moment.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from salesops_nb.errors import TemplateError
from salesops_nb.templates import Template

__all__ = ["create_notebook"]

_MAX_COPIES = 999


def create_notebook(
    template: Template,
    dest: str | os.PathLike[str] = ".",
    parameters: Mapping[str, Any] | None = None,
) -> Path:
    """Copy ``template`` into the folder ``dest`` as a new, unexecuted notebook.

    Parameters
    ----------
    template
        The template to copy (see :func:`salesops_nb.templates.get_template`).
    dest
        The folder to create the notebook in; created if missing.
    parameters
        Values already checked by :func:`salesops_nb.parameters.coerce_parameters`; injected in a
        cell after the template's ``parameters`` cell, as papermill does.

    Returns
    -------
    Path
        The new notebook, e.g. ``dest/data_overview.ipynb`` or ``dest/data_overview-2.ipynb``.

    Examples
    --------
    >>> from salesops_nb.templates import get_template
    >>> create_notebook(get_template("data_overview"), "work")  # doctest: +SKIP
    PosixPath('work/data_overview.ipynb')
    """
    import nbformat
    from papermill.iorw import load_notebook_node

    folder = Path(dest).expanduser()
    if folder.exists() and not folder.is_dir():
        raise TemplateError(
            f"Cannot create a notebook in {str(folder)!r}: it is a file, not a folder.",
            hint="Give a folder as the destination, e.g. `salesops-nb new data_overview work/`.",
        )
    folder.mkdir(parents=True, exist_ok=True)
    notebook = load_notebook_node(str(template.path))  # adds the cell tags papermill relies on
    if parameters:
        from papermill.parameterize import parameterize_notebook

        notebook = parameterize_notebook(
            notebook, dict(parameters), kernel_name="python3", language="python"
        )
    text = nbformat.writes(notebook)
    for path in _candidate_paths(folder, template.name):
        try:
            with open(path, "x", encoding="utf-8") as handle:  # "x": never overwrite
                handle.write(text)
        except FileExistsError:
            continue
        return path
    raise TemplateError(
        f"{folder} already holds {_MAX_COPIES} copies of {template.name!r}.",
        hint="Pick another destination folder or tidy up old copies.",
    )


def _candidate_paths(folder: Path, name: str):
    yield folder / f"{name}.ipynb"
    for n in range(2, _MAX_COPIES + 1):
        yield folder / f"{name}-{n}.ipynb"
