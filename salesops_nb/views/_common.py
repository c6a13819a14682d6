"""What every guided builder needs: a status line, autosave, form helpers.

The four builders (segmentation, 5-Why, installments, charter) each show what just happened in
one HTML line — a green note, or a red error with its hint — and save their artefact to the
workspace after every change, showing a failed save in that same line instead of raising.
"""

from __future__ import annotations

import html
from collections.abc import Callable
from pathlib import Path

import ipywidgets as widgets
import pydantic

from salesops_nb.artefact import Artefact
from salesops_nb.errors import ConflictError, SalesOpsError
from salesops_nb.workspace import Workspace

__all__ = ["QuietSwitch", "action_button", "save_artefact", "show_status", "status_html",
           "text_field", "validation_reason"]

_WIDE = widgets.Layout(width="98%")


class QuietSwitch:
    """On while a view sets its widgets from its model, so their observers do not write back.

    ``with switch:`` turns it on for a block (blocks nest; it is off again only when the
    outermost one ends, even on an error); ``if switch:`` tells an observer to stand aside.
    """

    def __init__(self) -> None:
        self._depth = 0

    def __bool__(self) -> bool:
        return self._depth > 0

    def __enter__(self) -> QuietSwitch:
        self._depth += 1
        return self

    def __exit__(self, *_exc: object) -> None:
        self._depth -= 1


def validation_reason(err: Exception) -> str:
    """One line naming each field a pydantic error refuses (``field: why; ...``).

    Other errors give their text.
    """
    if isinstance(err, pydantic.ValidationError):
        return "; ".join(f"{'.'.join(map(str, e['loc'])) or 'value'}: {e['msg']}"
                         for e in err.errors())
    return str(err)


def status_html(message: object, *, error: bool = False, prefix: str = "") -> str:
    """HTML of a status line: green, or red for an error; escaped.

    A :class:`SalesOpsError` shows its message with its hint on a line below; a pydantic
    error shows the refused fields (:func:`validation_reason`); anything else its text.
    """
    if isinstance(message, SalesOpsError):
        text = html.escape(prefix + message.message)
        if message.hint:
            text += f"<br><i>Hint: {html.escape(message.hint)}</i>"
    elif isinstance(message, pydantic.ValidationError):
        text = html.escape(prefix + validation_reason(message))
    else:
        text = html.escape(prefix + str(message))
    color = "#b71c1c" if error else "#2e7d32"
    return f'<div style="color:{color}">{text}</div>'


def show_status(area: widgets.HTML, message: object, *, error: bool = False,
                prefix: str = "") -> None:
    """Show ``message`` in the status line ``area`` (see :func:`status_html`)."""
    area.value = status_html(message, error=error, prefix=prefix)


def save_artefact(workspace: Workspace, artefact: Artefact, name: str,
                  area: widgets.HTML) -> Path | None:
    """Autosave ``artefact`` as ``name``; the file written, or None after showing why not.

    A failed save (bad name, unwritable folder) is shown in ``area`` with its hint rather than
    raised: the builder keeps working and the file keeps its last good version. A
    :class:`~salesops_nb.errors.ConflictError` (another notebook saved a newer revision) is shown
    the same way, with how to resolve it; the other notebook's version stays on disk.
    """
    try:
        return workspace.save(artefact, name)
    except ConflictError as err:
        show_status(area, err, error=True, prefix="Not saved, to protect a newer version: ")
        return None
    except SalesOpsError as err:
        show_status(area, err, error=True)
        return None


def text_field(description: str, placeholder: str) -> widgets.Text:
    """A full-width one-line text field."""
    return widgets.Text(description=description, placeholder=placeholder, layout=_WIDE)


def action_button(label: str, icon: str, handler: Callable[[], object]) -> widgets.Button:
    """A button sized to its label that calls ``handler()`` when clicked."""
    button = widgets.Button(description=label, icon=icon, layout=widgets.Layout(width="auto"))
    button.on_click(lambda _: handler())
    return button
