"""Write a charter's renderings (Markdown, HTML, DOCX) to a folder in one call."""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path

from salesops_nb.artefact import check_name
from salesops_nb.charter.lint import LintConfig
from salesops_nb.charter.maturity import maturity
from salesops_nb.charter.model import Charter
from salesops_nb.charter.render_docx import write_docx
from salesops_nb.charter.render_html import to_html
from salesops_nb.charter.render_markdown import to_markdown
from salesops_nb.errors import CharterError, WorkspaceError

__all__ = ["FORMATS", "export", "parse_formats"]

#: Export format -> file suffix.
FORMATS: dict[str, str] = {"md": ".md", "html": ".html", "docx": ".docx"}
_ALIASES = {"markdown": "md", "htm": "html", "word": "docx"}


def parse_formats(formats: str | Iterable[str]) -> list[str]:
    """Turn ``"md, html"`` or ``["md", "docx"]`` into known format names, in order, once each.

    Raises
    ------
    CharterError
        For a format other than md, html or docx.
    """
    items = formats.replace(";", ",").split(",") if isinstance(formats, str) else list(formats)
    chosen: list[str] = []
    for item in items:
        name = str(item).strip().lower().lstrip(".")
        if not name:
            continue
        name = _ALIASES.get(name, name)
        if name not in FORMATS:
            raise CharterError(
                f"Unknown export format {item!r}.",
                hint=f"Choose among {', '.join(FORMATS)}, e.g. formats='md,html,docx'.",
            )
        if name not in chosen:
            chosen.append(name)
    return chosen


def export(
    charter: Charter,
    folder: str | os.PathLike[str] = ".",
    *,
    formats: str | Iterable[str] = ("md", "html", "docx"),
    stem: str = "charter",
    checks: bool = False,
    config: LintConfig | None = None,
) -> dict[str, Path]:
    """Write the charter in each of ``formats`` to ``folder/<stem>.<suffix>``.

    Parameters
    ----------
    charter
        The charter.
    folder
        Where to write; created if missing.
    formats
        Any of "md", "html", "docx" (a list or a comma-separated string).
    stem
        File name without suffix (letters, digits, spaces, ``-``, ``_``, ``.``).
    checks
        Append the coaching checks and maturity score (leave False for the sign-off copy).
    config
        Lint thresholds for the checks.

    Returns
    -------
    dict
        Format -> file written.

    Raises
    ------
    CharterError
        Unknown format, bad file name, or a folder that cannot be written.
    """
    chosen = parse_formats(formats)
    try:
        check_name(stem)
    except WorkspaceError as err:
        raise CharterError(f"{stem!r} cannot name an export file.", hint=err.hint) from err
    extra = {}
    if checks:
        report = maturity(charter, config)
        extra = {"findings": report.findings, "report": report}
    target = Path(folder).expanduser()
    written: dict[str, Path] = {}
    try:
        target.mkdir(parents=True, exist_ok=True)
        for name in chosen:
            path = target / f"{stem}{FORMATS[name]}"
            if name == "md":
                path.write_text(to_markdown(charter, **extra), encoding="utf-8")
            elif name == "html":
                path.write_text(to_html(charter, **extra), encoding="utf-8")
            else:
                write_docx(charter, path, **extra)
            written[name] = path
    except OSError as err:
        raise CharterError(
            f"Could not write the charter export to {target}: {err.strerror or err}.",
            hint="Choose a folder you can write to, and close the file if it is open in Word.",
        ) from err
    return written
