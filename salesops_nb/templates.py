"""The template registry: notebooks bundled with the package and in the user's folder.

A template is a notebook (``*.ipynb``) with one cell tagged ``parameters``. Its title,
description and position in listings come from the notebook metadata
``{"salesops_nb": {"title": ..., "description": ..., "order": ...}}`` or, failing that, from
the first Markdown heading and the paragraph after it. Its parameters come from the cell's syntax
tree, which gives the names, annotations and help comments papermill's inspection gives (a test
checks both agree on every bundled template) and more where papermill is blind: papermill
returns defaults as source text, cuts a line at a ``#`` even inside a string, and skips
annotations such as ``int | None``. Only a cell Python cannot parse goes to papermill.

Where templates come from, and which wins:

- bundled: :func:`bundled_dir` (shipped inside the wheel);
- user: :func:`user_dir` (``$SALESOPS_NB_TEMPLATES`` or ``~/.salesops-nb/templates``).

A user template with the same name as a bundled one **shadows** it: analysts customise a
bundled template by copying it into their folder, and ``run`` and ``demo`` then use their
version. :attr:`Template.source` says which one is in effect, so a listing shows it.

Nothing heavy is imported: listing templates reads JSON and parses one cell per notebook
(papermill, seconds to import, only for a cell Python cannot parse), and inspections are cached
per file version.
"""

from __future__ import annotations

import ast
import contextlib
import difflib
import functools
import io
import json
import logging
import os
import tokenize
import warnings
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from salesops_nb.errors import TemplateError, UnknownTemplateError
from salesops_nb.parameters import Parameter, normalise_type_name

__all__ = [
    "Parameter",
    "Template",
    "bundled_dir",
    "get_template",
    "list_templates",
    "load_template",
    "user_dir",
]

_DEFAULT_ORDER = 1000  # templates without an explicit order come after the ordered ones
_METADATA_KEY = "salesops_nb"


@dataclass(frozen=True)
class Template:
    """A notebook template and what a user needs to run it.

    Attributes
    ----------
    name
        The file name without ``.ipynb``; what ``salesops-nb run NAME`` takes.
    path
        The notebook file.
    title, description
        For listings and the JupyterLab launcher.
    order
        Position in listings (lower first); then by name.
    parameters
        The parameters in the order the ``parameters`` cell declares them.
    source
        ``"bundled"``, ``"user"`` or ``"path"`` (given as a file path).
    """

    name: str
    path: Path
    title: str
    description: str
    order: int
    parameters: tuple[Parameter, ...]
    source: str = "bundled"

    def parameter(self, name: str) -> Parameter | None:
        """The declared parameter called ``name``, or None."""
        return next((param for param in self.parameters if param.name == name), None)


def bundled_dir() -> Path:
    """The folder of the templates shipped with the package.

    In an installed wheel that is ``salesops_nb/_bundled_templates`` (the build copies the
    repository's ``templates/`` there); in a source checkout it is ``<repo>/templates``.
    """
    package = Path(__file__).resolve().parent
    installed = package / "_bundled_templates"
    if installed.is_dir():
        return installed
    return package.parent / "templates"


def user_dir() -> Path:
    """The user's own template folder: ``$SALESOPS_NB_TEMPLATES`` or ``~/.salesops-nb/templates``.

    The folder is not created; a missing folder simply holds no templates.
    """
    configured = os.environ.get("SALESOPS_NB_TEMPLATES")
    if configured:
        return Path(configured).expanduser()
    return Path.home() / ".salesops-nb" / "templates"


_default_user_dir = user_dir  # the functions below take a ``user_dir`` argument of that name


def list_templates(user_dir: Path | None = None) -> list[Template]:
    """All templates available, bundled and the user's, sorted by order then name.

    Parameters
    ----------
    user_dir
        The user's template folder; default :func:`user_dir`.

    Returns
    -------
    list of Template
        A user template with the same name as a bundled one replaces it. A notebook that
        cannot be read is left out with a warning (asking for it by name raises the error).
    """
    found: dict[str, Template] = {}
    for source, folder in (("bundled", bundled_dir()), ("user", _user_folder(user_dir))):
        for path in _notebooks_in(folder):
            try:
                found[path.stem] = load_template(path, source=source)
            except TemplateError as err:
                warnings.warn(f"Skipping template {path}: {err.message}", stacklevel=2)
    return sorted(found.values(), key=lambda template: (template.order, template.name))


def get_template(name_or_path: str | Path, user_dir: Path | None = None) -> Template:
    """Find a template by name (``data_overview``) or by the path of a notebook file.

    Parameters
    ----------
    name_or_path
        A template name as :func:`list_templates` shows it (``-`` and ``_`` are
        interchangeable, case is ignored, a trailing ``.ipynb`` is allowed), or the path of a
        notebook.
    user_dir
        The user's template folder; default :func:`user_dir`.

    Raises
    ------
    UnknownTemplateError
        If neither a file nor a template of that name exists; lists the names available and
        suggests the closest one.
    """
    text = str(name_or_path)
    candidate = Path(text).expanduser()
    looks_like_path = text.endswith(".ipynb") or os.sep in text or "/" in text
    if looks_like_path and candidate.is_file():
        return load_template(candidate, source="path")

    available = {template.name: template for template in list_templates(user_dir)}
    wanted = _name_key(Path(text).name.removesuffix(".ipynb"))
    for name, template in available.items():
        if _name_key(name) == wanted:
            return template

    names = sorted(available)
    close = difflib.get_close_matches(wanted, [_name_key(name) for name in names], n=1)
    suggestion = next((n for n in names if close and _name_key(n) == close[0]), None)
    message = f"No template named '{text}'."
    if looks_like_path:
        message = f"No template named '{text}', and no notebook file at '{candidate}'."
    if suggestion:
        message += f" Did you mean '{suggestion}'?"
    listing = ", ".join(names) if names else "(none found)"
    raise UnknownTemplateError(
        message,
        hint=(
            f"Available templates: {listing}. Put your own notebooks in "
            f"{_user_folder(user_dir)} or give the path of a .ipynb file."
        ),
    )


def load_template(path: Path, *, source: str = "path") -> Template:
    """Read one notebook file as a template.

    Parameters
    ----------
    path
        The ``.ipynb`` file.
    source
        Recorded in :attr:`Template.source`.

    Raises
    ------
    TemplateError
        If the file cannot be read or is not a notebook.
    """
    path = Path(path).resolve()
    try:
        stat = path.stat()
    except OSError as err:
        raise TemplateError(
            f"Template notebook '{path}' cannot be read: {err.strerror}.",
            hint="Check the path and that the file is readable.",
        ) from err
    title, description, order, parameters = _inspect(path, stat.st_mtime_ns, stat.st_size)
    return Template(path.stem, path, title, description, order, parameters, source)


def _user_folder(folder: Path | None) -> Path:
    return Path(folder) if folder is not None else _default_user_dir()


def _notebooks_in(folder: Path) -> list[Path]:
    if not folder.is_dir():
        return []
    return sorted(path for path in folder.glob("*.ipynb") if not path.name.startswith((".", "_")))


def _name_key(name: str) -> str:
    return name.strip().lower().replace("-", "_")


@functools.lru_cache(maxsize=256)
def _inspect(path: Path, mtime_ns: int, size: int) -> tuple[str, str, int, tuple[Parameter, ...]]:
    """Everything a Template needs from the file; cached per (path, version of the file)."""
    try:
        notebook = json.loads(path.read_text(encoding="utf-8"))
        cells = notebook["cells"]
    except (OSError, UnicodeDecodeError, ValueError, KeyError, TypeError) as err:
        raise TemplateError(
            f"Template '{path}' is not a readable Jupyter notebook ({err}).",
            hint="Open and save it in JupyterLab, or remove it from the templates folder.",
        ) from err
    meta = notebook.get("metadata", {}).get(_METADATA_KEY, {})
    heading, paragraph = _markdown_intro(cells)
    title = str(meta.get("title") or heading or path.stem.replace("_", " ").capitalize())
    description = str(meta.get("description") or paragraph)
    try:
        order = int(meta.get("order", _DEFAULT_ORDER))
    except (TypeError, ValueError):
        order = _DEFAULT_ORDER
    return title, description, order, _parameters(path, cells)


def _markdown_intro(cells: list[dict[str, Any]]) -> tuple[str, str]:
    """The first Markdown heading and the paragraph after it.

    Without a heading (or with nothing after it) the first paragraph anywhere stands in.
    """
    heading, after_heading, first_paragraph = "", "", ""
    for cell in cells:
        if cell.get("cell_type") != "markdown":
            continue
        for block in _source(cell).split("\n\n"):
            block = block.strip()
            if block.startswith("#"):
                if heading:
                    continue
                first, _, block = block.partition("\n")
                heading = first.lstrip("#").strip()
                block = block.strip()
            if not block or block.startswith(("#", "```", "<")):
                continue
            text = " ".join(line.strip() for line in block.splitlines())
            first_paragraph = first_paragraph or text
            if heading:
                after_heading = text
                return heading, after_heading
    return heading, after_heading or first_paragraph


def _source(cell: dict[str, Any]) -> str:
    source = cell.get("source", "")
    return "".join(source) if isinstance(source, list) else str(source)


def _parameters(path: Path, cells: list[dict[str, Any]]) -> tuple[Parameter, ...]:
    cell = next((c for c in cells if "parameters" in c.get("metadata", {}).get("tags", [])), None)
    if cell is None:
        return ()
    source = _source(cell)
    if _parses(source):
        # The syntax tree gives what papermill's inspection gives (same names, the annotation
        # as its type, the line's comment as help; a test checks this on every bundled
        # template) without importing papermill, which takes seconds: `salesops-nb templates`
        # and the launcher list templates in a blink.
        return tuple(
            Parameter(name, normalise_type_name(annotation), default, help_text)
            for name, (default, help_text, annotation) in _declarations(source).items()
        )
    return _papermill_parameters(path, source)


def _parses(source: str) -> bool:
    try:
        ast.parse(source)
    except (SyntaxError, ValueError):
        return False
    return True


def _papermill_parameters(path: Path, source: str) -> tuple[Parameter, ...]:
    """papermill's inspection, completed from the syntax tree (for cells Python cannot parse:
    papermill reads them line by line)."""
    import papermill  # deferred: importing it costs seconds

    with _quiet_papermill_parsing():
        try:
            inspected = papermill.inspect_notebook(str(path))
        except (ValueError, papermill.PapermillException):
            inspected = {}  # e.g. no kernel language in the metadata: the syntax tree tells
    declared = _declarations(source)
    params = []
    for name, info in inspected.items():
        default, help_text, _ = declared.get(name, (_literal(info["default"]), info["help"], None))
        params.append(
            Parameter(name, normalise_type_name(info["inferred_type_name"]), default, help_text)
        )
    # Names papermill skipped (e.g. ``x: int | None = None``) still get injected: list them too.
    for name, (default, help_text, annotation) in declared.items():
        if name not in inspected:
            params.append(Parameter(name, normalise_type_name(annotation), default, help_text))
    # the order of the cell, which is the order the author meant for forms and listings
    position = {name: i for i, name in enumerate(declared)}
    params.sort(key=lambda param: position.get(param.name, len(position)))
    return tuple(params)


class _SkipParseWarnings(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        return not str(record.msg).startswith("Unable to parse line")


@contextlib.contextmanager
def _quiet_papermill_parsing() -> Iterator[None]:
    """Drop papermill's warning for lines with two "=" (``x: str = ""  # empty = sample``).

    papermill's own parameter reader skips such lines; :func:`_declarations` reads them, so
    the warning would only alarm the user.
    """
    papermill_log = logging.getLogger("papermill.translators")
    quiet = _SkipParseWarnings()
    papermill_log.addFilter(quiet)
    try:
        yield
    finally:
        papermill_log.removeFilter(quiet)


def _declarations(source: str) -> dict[str, tuple[Any, str, str | None]]:
    """name -> (default, help comment, annotation) for the top-level assignments of a cell."""
    try:
        tree = ast.parse(source)
        tokens = list(tokenize.generate_tokens(io.StringIO(source).readline))
    except (SyntaxError, tokenize.TokenError, IndentationError):
        return {}  # papermill's own reading is all we have
    comments = {
        tok.start[0]: tok.string.lstrip("#").strip()
        for tok in tokens
        if tok.type == tokenize.COMMENT
    }
    found: dict[str, tuple[Any, str, str | None]] = {}
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name):
            if node.value is None:
                continue
            targets, annotation = [node.target], ast.unparse(node.annotation)
        elif isinstance(node, ast.Assign):
            targets = [t for t in node.targets if isinstance(t, ast.Name)]
            annotation = None
        else:
            continue
        try:
            default = ast.literal_eval(node.value)
        except ValueError:
            default = ast.get_source_segment(source, node.value)
        help_text = comments.get(node.end_lineno or node.lineno, "")
        for target in targets:
            found[target.id] = (default, help_text, annotation)
    return found


def _literal(text: str) -> Any:
    try:
        return ast.literal_eval(text)
    except (ValueError, SyntaxError):
        return text
