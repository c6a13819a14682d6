"""Hints that stay folded until a participant asks for them.

Each hint draws as an HTML ``<details>`` element: the summary line shows, the hint opens on a
click, with no JavaScript (it works in JupyterLab, in an exported HTML report and offline).
Hints come in steps, from a nudge to the answer, so a participant takes only as much help as
they need.

>>> from salesops_nb.training import hints
>>> hints.show("segmentation")        # doctest: +SKIP
>>> hints.hint("Stuck?", "Try `team` instead of `region`.")   # doctest: +SKIP
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass

from salesops_nb.errors import ParameterError

__all__ = ["EXERCISE_HINTS", "Hint", "Hints", "hint", "show"]

_CODE = re.compile(r"`([^`]+)`")


@dataclass(frozen=True)
class Hint:
    """One folded hint: a summary line and the text behind it.

    ``text`` is plain text; spans in backticks show as code. Everything is escaped.
    """

    title: str
    text: str

    def _repr_html_(self) -> str:
        return (
            '<details class="salesops-hint" style="margin:4px 0;padding:4px 10px;'
            'border:1px solid #d0d7de;border-radius:4px;background:#f6f8fa">'
            f'<summary style="cursor:pointer;font-weight:bold">{html.escape(self.title)}'
            f'</summary><p style="margin:6px 0">{_inline(self.text)}</p></details>'
        )

    def __str__(self) -> str:
        return f"{self.title}: {self.text}"


@dataclass(frozen=True)
class Hints:
    """The hints of one exercise, in the order to open them."""

    exercise: str
    items: tuple[Hint, ...]

    def _repr_html_(self) -> str:
        return "".join(h._repr_html_() for h in self.items)

    def __str__(self) -> str:
        return "\n".join(str(h) for h in self.items)

    def __len__(self) -> int:
        return len(self.items)


def _inline(text: str) -> str:
    """Escape ``text``, then show `spans` as code and blank lines as paragraph breaks."""
    escaped = html.escape(text)
    escaped = _CODE.sub(lambda m: f"<code>{m.group(1)}</code>", escaped)
    return escaped.replace("\n\n", '</p><p style="margin:6px 0">')


def hint(title: str, text: str) -> Hint:
    """A single folded hint, e.g. for a trainer's own exercise."""
    return Hint(title, text)


#: The built-in hints of the start-here tour and the workshop, from nudge to answer.
EXERCISE_HINTS: dict[str, tuple[tuple[str, str], ...]] = {
    "segmentation": (
        ("Hint 1: what makes a good segment?",
         "Peers in one segment should face the same conditions (deal sizes, buyers), so that "
         "a difference in win rate says something about the rep, not the territory. Each "
         "segment also needs enough reps for a fair comparison."),
        ("Hint 2: which field?",
         "The checker reports the share of the variation in win rate the segments explain. "
         "Try `team` and `region` in turn and compare that share."),
        ("Hint 3: the answer",
         "Team explains far more than region in this data (deal size follows the account's "
         "head count). Team x region makes segments of two or three reps: too small. "
         "Segment by `team`."),
    ),
    "weak_spot": (
        ("Hint 1: where to look",
         "Sort the flagged reps by segment: which segment holds most of the bad outcomes? "
         "Then look at the win rate by lead source, this half-year against the last."),
        ("Hint 2: fair comparison",
         "Judge a rep against the peers of the same segment, never against everyone: the "
         "`outcome` column of the analysis already does that."),
    ),
    "five_whys": (
        ("Hint 1: dig into the system",
         "Each answer should be a fact about a process, a policy, a tool or an incentive. "
         "If an answer names a person, ask why the system made the mistake easy."),
        ("Hint 2: evidence",
         "Attach evidence to every cause: a query on the data "
         "(`Evidence(kind='query', query=EvidenceQuery(...))`) or a verified note; mark it "
         "`verified=True` only when someone checked it."),
        ("Hint 3: more than one chain",
         "Ask 'what else had to be true?' at the first level: the data shows more than one "
         "contributing factor, so the tree should branch (`add_sibling`)."),
    ),
    "countermeasures": (
        ("Hint 1: complete countermeasure",
         "Owner, due date and an effectiveness check set in advance: metric, baseline, target "
         "and the date to look (30-90 days after the change)."),
        ("Hint 2: the check",
         "`EffectivenessCheck(query=EvidenceQuery(metric='win_rate', filters=...), "
         "baseline=0.28, target=0.35, check_date=...)`"),
    ),
    "installments": (
        ("Hint 1: small enough to absorb",
         "An item must fit each group's capacity in one period. If the checker says an item "
         "asks too much of a group, cut it into a pilot and rollouts."),
        ("Hint 2: the split",
         "`installments.split(item, 3)` returns a pilot and two rollouts; "
         "`installments.split_in_backlog(items, item_id, 3)` replaces it in the backlog."),
        ("Hint 3: order",
         "Put valuable, small items first: the sequencer ranks by WSJF (cost of delay / "
         "effort) and respects dependencies and capacity."),
    ),
    "charter": (
        ("Hint 1: what makes a KPI trackable",
         "A definition, a data source, a baseline (today's value, from the data), a target, "
         "an owner and a due date."),
        ("Hint 2: direction",
         "A win rate should increase: the target must be above the baseline. A cycle time "
         "should decrease: set `direction='decrease'`."),
    ),
}


def show(exercise: str) -> Hints:
    """The folded hints of a built-in exercise (see :data:`EXERCISE_HINTS`).

    Raises
    ------
    ParameterError
        For an exercise with no hints, listing the ones that have some.
    """
    if exercise not in EXERCISE_HINTS:
        raise ParameterError(f"No hints for exercise {exercise!r}.",
                             hint=f"Exercises with hints: {', '.join(EXERCISE_HINTS)}.")
    return Hints(exercise, tuple(Hint(t, x) for t, x in EXERCISE_HINTS[exercise]))
