"""The feedback an exercise checker returns: testable fields, friendly display in a notebook.

A :class:`Feedback` holds :class:`Note` objects of three levels:

- ``"fix"``: what stops the answer from passing, with how to fix it;
- ``"tip"``: worth a thought, does not fail the exercise;
- ``"pass"``: what the answer does well (a passing answer says so, with its figures).

``passed`` is True when there is no ``"fix"`` note. In a notebook the feedback draws itself as a
small HTML panel (:meth:`Feedback._repr_html_`, every text escaped: answers are user text);
``str(feedback)`` is the same in plain text for a terminal or a test.
"""

from __future__ import annotations

import html
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Literal

__all__ = ["Feedback", "Note", "capped"]

Level = Literal["pass", "fix", "tip"]

_LABELS = {"fix": "Fix", "tip": "Consider", "pass": "Good"}
_COLOURS = {"fix": "#b35900", "tip": "#1f5f99", "pass": "#1a7f37"}
_ORDER = {"fix": 0, "tip": 1, "pass": 2}


@dataclass(frozen=True)
class Note:
    """One piece of feedback.

    Attributes
    ----------
    level
        ``"fix"`` (fails the exercise), ``"tip"`` or ``"pass"``.
    text
        What was found, naming the item (segment, why-node, KPI, installment).
    hint
        How to fix or improve it; empty when the text says it all.
    topic
        The rule or measure behind the note (e.g. ``"smallest segment"``, ``"blame"``), so
        repeated notes of one kind can be capped and tests can ask for a kind.
    """

    level: Level
    text: str
    hint: str = ""
    topic: str = ""


@dataclass(frozen=True)
class Feedback:
    """The result of checking one exercise answer.

    Attributes
    ----------
    exercise
        What was checked, e.g. ``"Segmentation"``.
    notes
        Fixes first, then tips, then what is good.
    figures
        Key numbers behind the verdict, as (label, value) pairs shown under the notes.
    """

    exercise: str
    notes: tuple[Note, ...] = ()
    figures: tuple[tuple[str, str], ...] = field(default=())

    def __post_init__(self) -> None:
        ordered = tuple(sorted(self.notes, key=lambda n: _ORDER[n.level]))
        object.__setattr__(self, "notes", ordered)

    @property
    def passed(self) -> bool:
        """True when nothing needs fixing."""
        return not any(n.level == "fix" for n in self.notes)

    @property
    def messages(self) -> list[str]:
        """The texts of every note, fixes first."""
        return [n.text for n in self.notes]

    @property
    def fixes(self) -> list[Note]:
        """The notes that stop the answer from passing."""
        return [n for n in self.notes if n.level == "fix"]

    def topics(self, level: Level | None = None) -> set[str]:
        """The topics of the notes (of one ``level`` if given)."""
        return {n.topic for n in self.notes if level is None or n.level == level}

    def headline(self) -> str:
        """One line: passed, or how many things to fix."""
        fixes = len(self.fixes)
        if not fixes:
            return f"{self.exercise}: passed"
        return f"{self.exercise}: not yet, {fixes} thing{'s' if fixes > 1 else ''} to fix"

    def __str__(self) -> str:
        lines = [self.headline()]
        for note in self.notes:
            lines.append(f"- {_LABELS[note.level]}: {note.text}")
            if note.hint:
                lines.append(f"  How: {note.hint}")
        if self.figures:
            lines.append("  " + "; ".join(f"{k}: {v}" for k, v in self.figures))
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"Feedback({self.exercise!r}, passed={self.passed}, "
                f"{len(self.notes)} note{'s' if len(self.notes) != 1 else ''})")

    def _repr_html_(self) -> str:
        colour = _COLOURS["pass"] if self.passed else _COLOURS["fix"]
        mark = "&#10004;" if self.passed else "&#9998;"
        items = "".join(_note_html(n) for n in self.notes)
        figures = ""
        if self.figures:
            figures = ('<p style="margin:6px 0 0;color:#555;font-size:0.9em">' + " &middot; ".join(
                f"{html.escape(k)}: <b>{html.escape(v)}</b>" for k, v in self.figures) + "</p>")
        return (
            f'<div class="salesops-feedback" style="border-left:5px solid {colour};'
            'padding:6px 12px;margin:6px 0;background:#fafafa">'
            f'<p style="margin:0 0 4px;font-weight:bold;color:{colour}">{mark} '
            f"{html.escape(self.headline())}</p>"
            f'<ul style="margin:0;padding-left:20px">{items}</ul>{figures}</div>'
        )


def _note_html(note: Note) -> str:
    label = (f'<b style="color:{_COLOURS[note.level]}">{_LABELS[note.level]}:</b> ')
    hint = (f'<br><span style="color:#555">How: {html.escape(note.hint)}</span>'
            if note.hint else "")
    return f'<li style="margin:2px 0">{label}{html.escape(note.text)}{hint}</li>'


def capped(notes: Iterable[Note], per_topic: int = 3) -> list[Note]:
    """Keep at most ``per_topic`` notes of each (level, topic); say how many more there were.

    A draft with twelve causes lacking evidence needs one clear message and the first few
    places, not twelve lines.
    """
    kept: list[Note] = []
    extra: dict[tuple[str, str], list[Note]] = {}
    seen: dict[tuple[str, str], int] = {}
    for note in notes:
        key = (note.level, note.topic)
        seen[key] = seen.get(key, 0) + 1
        if seen[key] <= per_topic or not note.topic:
            kept.append(note)
        else:
            extra.setdefault(key, []).append(note)
    for (level, topic), rest in extra.items():
        kept.append(Note(level, f"... and {len(rest)} more like this ({topic}).", topic=topic))
    return kept


def join_names(names: Sequence[str], limit: int = 5) -> str:
    """``'a', 'b' and 'c'`` (at most ``limit`` names, then "and k more")."""
    quoted = [repr(n) for n in names[:limit]]
    if len(names) > limit:
        return ", ".join(quoted) + f" and {len(names) - limit} more"
    if len(quoted) > 1:
        return ", ".join(quoted[:-1]) + " and " + quoted[-1]
    return "".join(quoted)
