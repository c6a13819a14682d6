"""Template parameters: their declared types, and checking values against them.

A template declares its parameters in the cell tagged ``parameters``, one annotated assignment
with a help comment per line (``min_segment_size: int = 30  # smallest segment worth
comparing``). :mod:`salesops_nb.templates` reads those declarations; this module checks the
values a user supplies (command-line strings, a YAML file, a form in JupyterLab) *before* a
kernel starts, because papermill itself injects whatever it is given and only warns about
unknown names.

Type names are normalised to a short set: ``int``, ``float``, ``str``, ``bool``, ``list``,
``dict``, plus ``any`` for a parameter written without an annotation (accepted as is; bundled
templates never use it, a test checks that).
"""

from __future__ import annotations

import difflib
import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from salesops_nb.errors import ParameterError

if TYPE_CHECKING:
    from salesops_nb.templates import Template

__all__ = [
    "PARAMETER_TYPES",
    "Parameter",
    "coerce_parameters",
    "load_parameter_file",
    "normalise_type_name",
]

#: The type names a template parameter can have, after normalisation.
PARAMETER_TYPES = ("int", "float", "str", "bool", "list", "dict", "any")


@dataclass(frozen=True)
class Parameter:
    """One parameter a template declares in its ``parameters`` cell.

    Attributes
    ----------
    name
        The variable name in the notebook.
    type
        One of :data:`PARAMETER_TYPES`.
    default
        The default value as a Python object (the source text if it is not a literal).
    help
        The comment written after the assignment.
    """

    name: str
    type: str
    default: Any
    help: str

    def describe(self) -> str:
        """One line for listings and error messages: ``name (type, default 30): help``."""
        text = f"{self.name} ({self.type}, default {self.default!r})"
        return f"{text}: {self.help}" if self.help else text


_TYPE_ALIASES = {
    "int": "int",
    "float": "float",
    "str": "str",
    "bool": "bool",
    "list": "list",
    "tuple": "list",
    "sequence": "list",
    "dict": "dict",
    "mapping": "dict",
}
_OPTIONAL = re.compile(r"^(?:typing\.)?Optional\[(?P<inner>.*)\]$")


def normalise_type_name(annotation: str | None) -> str:
    """Map an annotation as papermill reports it to one of :data:`PARAMETER_TYPES`.

    ``list[str]``, ``List[str]`` and ``tuple`` become ``list``; ``Optional[int]`` and
    ``int | None`` become ``int``; anything missing or unrecognised becomes ``any``.

    Examples
    --------
    >>> normalise_type_name("Dict[str, int]")
    'dict'
    >>> normalise_type_name("None")
    'any'
    """
    if not annotation:
        return "any"
    text = annotation.strip().strip("\"'")
    match = _OPTIONAL.match(text)
    if match:
        text = match["inner"]
    # "int | None" and "None | int": keep the one non-None member
    members = [part.strip() for part in text.split("|") if part.strip() != "None"]
    if len(members) != 1:
        return "any"
    base = members[0].split("[", 1)[0].rsplit(".", 1)[-1].lower()
    return _TYPE_ALIASES.get(base, "any")


_TRUE = {"true", "yes", "on", "1"}
_FALSE = {"false", "no", "off", "0"}
_NULL = {"none", "null"}
_JSON_SCALARS = (str, int, float, bool, type(None))


class _BadValue(Exception):
    """Internal: a value does not fit its parameter; the text says why."""


def _parse_string(value: str, kind: str, allow_none: bool) -> Any:
    """Turn a command-line string into a value of ``kind``."""
    text = value.strip()
    if allow_none and text.lower() in _NULL:
        return None
    if kind == "int":
        try:
            return int(text)
        except ValueError:
            raise _BadValue("is not a whole number") from None
    if kind == "float":
        try:
            return float(text)
        except ValueError:
            raise _BadValue("is not a number") from None
    if kind == "bool":
        if text.lower() in _TRUE:
            return True
        if text.lower() in _FALSE:
            return False
        raise _BadValue("is not true/false (also accepted: yes/no, on/off, 1/0)")
    if kind == "list":
        # A bare "EMEA,APAC" is the friendly way to write a list of words on a command line.
        if not text.startswith("["):
            return [item.strip() for item in text.split(",") if item.strip()]
        return _parse_json(text, list)
    if kind == "dict":
        return _parse_json(text, dict)
    return value  # str and any: taken literally, never guessed


def _parse_json(text: str, wanted: type) -> Any:
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as err:
        raise _BadValue(f"is not valid JSON ({err.msg} at character {err.pos})") from None
    if not isinstance(parsed, wanted):
        raise _BadValue(f"is JSON but not a {wanted.__name__}")
    return parsed


def _check_value(value: Any, kind: str, allow_none: bool) -> Any:
    """Check an already-typed value (YAML, Python) and return it in canonical form."""
    if value is None:
        if allow_none or kind == "any":
            return None
        raise _BadValue("is empty (null) but the parameter has a non-empty default")
    if kind == "int":
        if isinstance(value, bool) or not isinstance(value, int):
            raise _BadValue(f"is {_kind_of(value)}, not a whole number")
        return value
    if kind == "float":
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            raise _BadValue(f"is {_kind_of(value)}, not a number")
        if not math.isfinite(value):
            raise _BadValue("is not a finite number")
        return float(value)
    if kind == "bool":
        if not isinstance(value, bool):
            raise _BadValue(f"is {_kind_of(value)}, not true/false")
        return value
    if kind == "str":
        if not isinstance(value, str):
            raise _BadValue(f"is {_kind_of(value)}, not text (quote it)")
        return value
    if kind == "list":
        if not isinstance(value, (list, tuple)):
            raise _BadValue(f"is {_kind_of(value)}, not a list")
        _check_plain(value)
        return list(value)
    if kind == "dict":
        if not isinstance(value, Mapping):
            raise _BadValue(f"is {_kind_of(value)}, not a mapping")
        _check_plain(value)
        return dict(value)
    _check_plain(value)
    return value


def _kind_of(value: Any) -> str:
    """What a value is, in the words of someone who writes YAML rather than Python."""
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, int):
        return "a whole number"
    if isinstance(value, float):
        return "a decimal number"
    if isinstance(value, str):
        return "text"
    if isinstance(value, (list, tuple)):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    return f"a {type(value).__name__}"


def _check_plain(value: Any) -> None:
    """Refuse what papermill cannot write back as Python source faithfully (dates, objects)."""
    if isinstance(value, _JSON_SCALARS):
        if isinstance(value, float) and not math.isfinite(value):
            raise _BadValue("contains a number that is not finite")
        return
    if isinstance(value, (list, tuple)):
        for item in value:
            _check_plain(item)
        return
    if isinstance(value, Mapping):
        for key, item in value.items():
            if not isinstance(key, str):
                raise _BadValue(f"has a key {key!r} that is not text")
            _check_plain(item)
        return
    raise _BadValue(f"contains {_kind_of(value)} ({value!r}); quote it as text")


def coerce_parameters(
    template: Template, values: Mapping[str, Any], *, from_strings: bool = False
) -> dict[str, Any]:
    """Check parameter values against a template's declared parameters.

    Parameters
    ----------
    template
        The template the values are for.
    values
        Parameter name to value.
    from_strings
        Parse string values the way a command line writes them: ``"3"`` for an int,
        ``true``/``false`` (yes/no, on/off, 1/0) for a bool, JSON for a dict, JSON or
        ``a,b,c`` for a list, ``none``/``null`` where the default is None. Without it (YAML,
        Python), values must already have the declared type; an int is accepted for a float.

    Returns
    -------
    dict
        The values converted to their declared types, in the template's parameter order.

    Raises
    ------
    ParameterError
        For every unknown name or misfit value at once, with the list of valid parameters.

    Examples
    --------
    >>> coerce_parameters(template, {"min_segment_size": "50"}, from_strings=True)  # doctest: +SKIP
    {'min_segment_size': 50}
    """
    declared = {param.name: param for param in template.parameters}
    problems: list[str] = []
    checked: dict[str, Any] = {}
    for name, value in values.items():
        param = declared.get(name)
        if param is None:
            close = difflib.get_close_matches(str(name), list(declared), n=1)
            suggestion = f" (did you mean '{close[0]}'?)" if close else ""
            problems.append(f"'{name}' is not a parameter of this template{suggestion}")
            continue
        allow_none = param.default is None
        try:
            if from_strings and isinstance(value, str):
                checked[name] = _check_value(
                    _parse_string(value, param.type, allow_none), param.type, allow_none
                )
            else:
                checked[name] = _check_value(value, param.type, allow_none)
        except _BadValue as reason:
            problems.append(f"{name} = {value!r} {reason} (expected {param.type})")
    if problems:
        raise ParameterError(
            _problem_message(template, problems),
            hint=(
                "Use the parameter names listed above. Write booleans as true/false, lists as "
                'JSON (["EMEA", "APAC"]) or comma-separated words, dicts as JSON '
                '({"EMEA": 2}), and quote text that looks like a number or date in YAML.'
            ),
        )
    order = list(declared)
    return {name: checked[name] for name in sorted(checked, key=order.index)}


def _problem_message(template: Template, problems: list[str]) -> str:
    lines = [f"Parameters for template '{template.name}' do not fit:"]
    lines += [f"  - {problem}" for problem in problems]
    if template.parameters:
        lines.append("Valid parameters:")
        lines += [f"  {param.describe()}" for param in template.parameters]
    else:
        lines.append("This template takes no parameters.")
    return "\n".join(lines)


def load_parameter_file(path: str | Path) -> dict[str, Any]:
    """Read parameter values from a YAML file holding one mapping of name to value.

    Parameters
    ----------
    path
        The YAML file. An empty file means no parameters.

    Returns
    -------
    dict
        The mapping as YAML typed it; check it with :func:`coerce_parameters`.

    Raises
    ------
    ParameterError
        If the file is missing, unreadable, not valid YAML, or not a mapping with text keys.
    """
    import yaml  # only the commands that read a parameter file pay for it

    file = Path(path)
    example = "min_segment_size: 50\nregions: [EMEA, APAC]"
    try:
        text = file.read_text(encoding="utf-8")
    except FileNotFoundError as err:
        raise ParameterError(
            f"Parameter file '{file}' does not exist.",
            hint="Check the path; it is read relative to the current folder.",
        ) from err
    except (OSError, UnicodeDecodeError) as err:
        raise ParameterError(
            f"Parameter file '{file}' cannot be read: {err}.",
            hint="Give a UTF-8 text file in YAML format.",
        ) from err
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(err, "problem", None) or "invalid syntax"
        raise ParameterError(
            f"Parameter file '{file}' is not valid YAML{where}: {problem}.",
            hint=f"Write one 'name: value' per line, for example:\n{example}",
        ) from err
    if data is None:
        return {}
    if not isinstance(data, dict):
        raise ParameterError(
            f"Parameter file '{file}' holds {_kind_of(data)}, not a mapping of "
            "parameter names to values.",
            hint=f"Write one 'name: value' per line, for example:\n{example}",
        )
    bad_keys = [key for key in data if not isinstance(key, str)]
    if bad_keys:
        raise ParameterError(
            f"Parameter file '{file}' has names that are not text: "
            f"{', '.join(repr(key) for key in bad_keys)}.",
            hint="Parameter names are the variable names of the template's parameters cell.",
        )
    return data
