"""Templates as the browser sees them, and form values as the package needs them.

The launcher and the parameter form are built from :func:`template_json`: each parameter
carries its type, default and help text, plus what the form should show: a file picker for
``*_path`` parameters, a drop-down when the help text offers quoted choices that include the
default (``"month", "quarter" or "auto"``).
"""

from __future__ import annotations

import json
import math
import os
import re
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from salesops_nb.parameters import Parameter, coerce_parameters
from salesops_nb.server.paths import resolve_inside
from salesops_nb.templates import Template

__all__ = ["checked_values", "parameter_json", "template_json"]

_QUOTED = re.compile(r'"([^"\n]{1,40})"')


def template_json(template: Template) -> dict[str, Any]:
    """A template's listing entry: name, title, description, order, source and parameters."""
    return {
        "name": template.name,
        "title": template.title,
        "description": template.description,
        "order": template.order,
        "source": template.source,
        "parameters": [parameter_json(param) for param in template.parameters],
    }


def parameter_json(param: Parameter) -> dict[str, Any]:
    """One parameter for the form: ``name, type, default, help, widget`` (+ ``choices``).

    ``widget`` is ``"path"`` (file picker), ``"choice"``, ``"bool"``, ``"number"``, ``"json"``
    (lists and dicts, edited as JSON text) or ``"text"``.
    """
    entry: dict[str, Any] = {
        "name": param.name,
        "type": param.type,
        "default": _jsonable(param.default),
        "help": param.help,
    }
    choices = _choices(param)
    if param.name.endswith("_path") and param.type in {"str", "any"}:
        entry["widget"] = "path"
    elif choices:
        entry["widget"] = "choice"
        entry["choices"] = choices
    elif param.type == "bool":
        entry["widget"] = "bool"
    elif param.type in {"int", "float"}:
        entry["widget"] = "number"
    elif param.type in {"list", "dict"}:
        entry["widget"] = "json"
    else:
        entry["widget"] = "text"
    return entry


def _choices(param: Parameter) -> list[str]:
    """Quoted options in the help text, when the default is one of them (else none)."""
    if param.type != "str" or not isinstance(param.default, str):
        return []
    options = list(dict.fromkeys(_QUOTED.findall(param.help)))
    if len(options) >= 2 and param.default in options:
        return options
    return []


def _jsonable(value: Any) -> Any:
    """A default the browser can hold; anything JSON cannot carry is shown as its text."""
    if isinstance(value, float) and not math.isfinite(value):
        return repr(value)
    try:
        json.dumps(value, allow_nan=False)
    except (TypeError, ValueError):
        return repr(value)
    return value


def checked_values(
    template: Template,
    values: Mapping[str, Any],
    root: str | os.PathLike[str],
    *,
    relative_to: Path | None = None,
) -> dict[str, Any]:
    """Form values typed and checked like the CLI's, with ``*_path`` values kept inside the root.

    Parameters
    ----------
    template
        The template the values are for.
    values
        What the form sent: typed JSON values, or strings as a command line writes them.
    root
        The server's root folder: a ``*_path`` value is an API path inside it.
    relative_to
        For a new notebook, its folder: path values are rewritten relative to it, because the
        notebook's kernel runs there. ``None`` (a report run) makes them absolute.

    Raises
    ------
    ParameterError
        Unknown names or values of the wrong type (every problem at once).
    UnsafePathError
        A path value outside the root.
    """
    typed = coerce_parameters(template, values, from_strings=True)
    for name, value in typed.items():
        if not (_is_location(name) and isinstance(value, str) and value):
            continue
        location = resolve_inside(root, value, what=name)
        typed[name] = (
            str(location) if relative_to is None else os.path.relpath(location, relative_to)
        )
    return typed


def _is_location(name: str) -> bool:
    """A parameter naming a file or folder: ``*_path``, ``*_dir``, ``*_folder``.

    Every such value from a request must stay inside the server's root (the workshop saves its
    case into ``save_path``, which would otherwise write wherever a request says).
    """
    return name.endswith(("_path", "_dir", "_folder")) or name in {"out", "output"}
