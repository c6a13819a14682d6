"""Coaching checks for a 5-Why analysis, and the summary measures shown with them.

Each check counters a documented weakness of the technique: stopping at a symptom, blaming a
person, circular answers, guessing without evidence, a single chain hiding other causes, and
root causes nobody acts on. Findings carry a suggestion phrased as a coach would ask it.

Rules (``Finding.rule``):

==========================  ======================================================================
``problem_gap``             the problem statement has no measurable gap (no number, no metric)
``early_stop``              a root cause above the fifth why with no stated reason for stopping
``blame``                   an answer names a person (from the data's rep names) or blames one
``circular``                an answer repeats the problem or one of its ancestors
``no_evidence``             a node without evidence
``unverified``              a node feeding a root cause whose evidence nobody verified
``no_countermeasure``       a root cause with no countermeasure
``incomplete_countermeasure``  a countermeasure without owner, due date or effectiveness check
``single_chain``            one unbranched chain where the data suggests several factors
==========================  ======================================================================
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Literal

import pandas as pd

from salesops_nb.five_whys.factors import contributing_factors
from salesops_nb.five_whys.model import WhyAnalysis, WhyNode

__all__ = [
    "BLAME_PHRASES",
    "RULES",
    "Finding",
    "Summary",
    "findings_table",
    "lint",
    "people_in",
    "summary",
]

RULES = (
    "problem_gap",
    "early_stop",
    "blame",
    "circular",
    "no_evidence",
    "unverified",
    "no_countermeasure",
    "incomplete_countermeasure",
    "single_chain",
)

#: Phrases that blame an individual's character or memory instead of the system around them.
BLAME_PHRASES = (
    "didn't care", "did not care", "doesn't care", "does not care", "lazy", "forgot", "forgets",
    "careless", "sloppy", "incompetent", "not motivated", "unmotivated", "didn't bother",
    "did not bother", "human error", "his fault", "her fault", "their fault", "should have known",
    "not smart", "stupid", "bad attitude", "negligent", "doesn't listen", "didn't listen",
)
_BLAME = re.compile(
    r"\b(?:" + "|".join(re.escape(p).replace("'", "['’]") for p in BLAME_PHRASES) + r")\b",
    re.IGNORECASE,
)
_FIVE = 5
_STOP_WORDS = frozenset((
    "a", "an", "the", "of", "in", "on", "at", "to", "for", "and", "or", "is", "are", "was",
    "were", "be", "been", "it", "its", "this", "that", "these", "those", "with", "by", "from",
    "as", "than", "our", "we", "they", "their", "not", "no",
))


@dataclass(frozen=True)
class Finding:
    """One coaching finding.

    Attributes
    ----------
    rule
        One of :data:`RULES`.
    severity
        ``"warning"`` (fix before acting) or ``"info"`` (worth a thought).
    message
        What was found, and where.
    suggestion
        What to do about it.
    node_id, countermeasure_id
        Where it was found (None for the problem statement or the whole tree).
    """

    rule: str
    severity: Literal["warning", "info"]
    message: str
    suggestion: str
    node_id: str | None = None
    countermeasure_id: str | None = None


def people_in(deals: pd.DataFrame | None) -> list[str]:
    """The person names in a deals frame (``rep_name``, and ``owner_name`` if present)."""
    if deals is None:
        return []
    names: set[str] = set()
    for column in ("rep_name", "owner_name", "account_owner"):
        if column in deals.columns:
            names.update(str(v) for v in deals[column].dropna().unique())
    return sorted(n for n in names if n.strip())


def lint(
    analysis: WhyAnalysis,
    *,
    deals: pd.DataFrame | None = None,
    people: Iterable[str] = (),
) -> list[Finding]:
    """Check ``analysis`` against the coaching rules (see the module docstring).

    Parameters
    ----------
    analysis
        The tree to check.
    deals
        Opportunities, optional: its rep names feed the blame check, and with a problem metric
        it tells whether the data suggests more than one contributing factor.
    people
        More person names to look for (e.g. managers who are not in the data).

    Returns
    -------
    list of Finding
        In the order: problem, then tree order, then whole-tree checks.
    """
    names = _name_pattern([*people_in(deals), *people])
    findings = _problem_findings(analysis)
    feeding_roots = {p.id for root in analysis.root_causes() for p in analysis.path(root.id)}
    for node in analysis.ordered():
        findings += _node_findings(analysis, node, names, node.id in feeding_roots)
    findings += _chain_findings(analysis, deals)
    return findings


def _problem_findings(analysis: WhyAnalysis) -> list[Finding]:
    problem = analysis.problem
    metric = problem.metric
    measured = metric is not None and metric.before_result is not None \
        and metric.after_result is not None and metric.before_result.value is not None \
        and metric.after_result.value is not None
    if measured or re.search(r"\d", problem.how_big):
        return []
    return [Finding(
        "problem_gap", "warning",
        "The problem statement has no measurable gap (how big, against what).",
        "State the gap as a number from the data, e.g. 'win rate in Mid-Market EMEA fell from "
        "31% to 22% in Q3', or attach a problem metric; a gap you cannot measure is one you "
        "cannot show was closed.",
    )]


def _node_findings(analysis: WhyAnalysis, node: WhyNode, names: re.Pattern | None,
                   feeds_root: bool) -> list[Finding]:
    out: list[Finding] = []
    where = f"Why {analysis.depth(node.id)} ({node.id}) '{_short(node.answer)}'"
    if node.root_cause and analysis.depth(node.id) < _FIVE and not node.stop_reason.strip():
        out.append(Finding(
            "early_stop", "warning",
            f"{where} is marked as a root cause after {analysis.depth(node.id)} why(s), with no "
            "reason for stopping early.",
            "Ask 'why?' once more, or state why this is as deep as it goes (e.g. the next cause "
            "lies outside the organisation's control).", node.id))
    blamed = _blame(node.answer, names)
    if blamed:
        out.append(Finding(
            "blame", "warning",
            f"{where} blames a person ({blamed}) rather than a process, policy or system.",
            "Ask why the system made the mistake easy: which process, policy, tool or incentive "
            "let it happen? Anyone in the same seat could have done the same.", node.id))
    echoed = _echo(analysis, node)
    if echoed:
        out.append(Finding(
            "circular", "warning",
            f"{where} repeats {echoed}: circular reasoning explains nothing.",
            "Say what caused the effect, not the effect in other words; ask 'what would have to "
            "change for this not to happen?'", node.id))
    if not node.evidence:
        out.append(Finding(
            "no_evidence", "warning" if feeds_root else "info",
            f"{where} has no evidence.",
            "Attach what backs it: a number from the data (a query), a record, a document or an "
            "interview note. Until then it is a hypothesis.", node.id))
    elif feeds_root and not node.verified and node.status != "refuted":
        out.append(Finding(
            "unverified", "warning",
            f"{where} leads to a root cause but none of its evidence is verified.",
            "Verify it before acting on the root cause: re-run the number, read the records, "
            "check with a second person.", node.id))
    if node.root_cause:
        out += _countermeasure_findings(node, where)
    return out


def _countermeasure_findings(node: WhyNode, where: str) -> list[Finding]:
    if not node.countermeasures:
        return [Finding(
            "no_countermeasure", "warning",
            f"Root cause {where} has no countermeasure.",
            "Add an action with an owner, a due date and a check of its effect, or unmark the "
            "root cause.", node.id)]
    out = []
    for measure in node.countermeasures:
        if measure.status == "dropped":
            continue
        missing = [label for label, absent in (
            ("an owner", not measure.owner.strip()),
            ("a due date", measure.due is None),
            ("an effectiveness check", measure.check is None),
        ) if absent]
        if missing:
            out.append(Finding(
                "incomplete_countermeasure", "warning",
                f"Countermeasure {measure.id} '{_short(measure.action)}' lacks "
                f"{_join(missing)}.",
                "Give it a named owner, a due date, and a check set now: metric, baseline, "
                "success criterion and the date to look (typically 30-90 days after).",
                node.id, measure.id))
    return out


def _chain_findings(analysis: WhyAnalysis, deals: pd.DataFrame | None) -> list[Finding]:
    live = [n for n in analysis.nodes if n.status != "refuted"]
    if len(live) < 2 or any(len([c for c in analysis.children(p) if c.status != "refuted"]) > 1
                            for p in [None, *[n.id for n in live]]):
        return []
    metric = analysis.problem.metric
    if deals is not None and metric is not None:
        report = contributing_factors(deals, metric.before, metric.after)
        if report is None:
            return []  # the data points to one factor: a single chain may be right
        return [Finding(
            "single_chain", "warning",
            "The tree is a single unbranched chain, but the data shows more than one "
            f"contributing factor ({report.sentence()}).",
            "Ask 'what else had to be true?' at each level: add a sibling cause for each factor "
            "the data shows, and dig into each one.")]
    return [Finding(
        "single_chain", "info",
        "The tree is a single unbranched chain.",
        "Ask 'what else had to be true?' at each level; one chain often hides other causes. "
        "Give the problem a metric and load the data to see whether it points to several.")]


# ---------------------------------------------------------------------------------- summary
@dataclass(frozen=True)
class Summary:
    """Measures of a 5-Why analysis (shares are None when there is nothing to divide by)."""

    nodes: int
    evidence_share: float | None
    verified_share: float | None
    branches: int
    root_causes: int
    within_control_share: float | None
    countermeasure_share: float | None
    checks_evaluated: int
    checks_met: int

    def table(self) -> pd.DataFrame:
        """The measures as a two-column table (measure, value) ready to show."""
        def pct(value: float | None) -> str:
            return "–" if value is None else f"{value:.0%}"

        rows = [
            ("Why-nodes", f"{self.nodes}"),
            ("Nodes with evidence", pct(self.evidence_share)),
            ("Nodes with verified evidence", pct(self.verified_share)),
            ("Independent causal branches", f"{self.branches}"),
            ("Root causes", f"{self.root_causes}"),
            ("Root causes within our control", pct(self.within_control_share)),
            ("Root causes with an owned, dated countermeasure", pct(self.countermeasure_share)),
            ("Effectiveness checks met", f"{self.checks_met} of {self.checks_evaluated} evaluated"),
        ]
        return pd.DataFrame(rows, columns=["measure", "value"])


def summary(analysis: WhyAnalysis) -> Summary:
    """Compute the summary measures of ``analysis``.

    ``branches`` counts the independent causal branches: the leaves of the tree that were not
    refuted (each is the end of one line of causes from the problem).
    """
    nodes = analysis.nodes
    roots = analysis.root_causes()
    leaves = [n for n in nodes if not analysis.children(n.id) and n.status != "refuted"]
    checks = [c.check for n in nodes for c in n.countermeasures if c.check is not None]
    evaluated = [c for c in checks if c.met is not None]
    return Summary(
        nodes=len(nodes),
        evidence_share=_share(sum(bool(n.evidence) for n in nodes), len(nodes)),
        verified_share=_share(sum(n.verified for n in nodes), len(nodes)),
        branches=len(leaves),
        root_causes=len(roots),
        within_control_share=_share(sum(n.within_control is True for n in roots), len(roots)),
        countermeasure_share=_share(
            sum(any(c.owned_and_dated for c in n.countermeasures) for n in roots), len(roots)),
        checks_evaluated=len(evaluated),
        checks_met=sum(bool(c.met) for c in evaluated),
    )


def findings_table(findings: list[Finding]) -> pd.DataFrame:
    """The findings as a table (severity, where, finding, suggestion) for reports."""
    rows = [(f.severity, f.countermeasure_id or f.node_id or "problem", f.message, f.suggestion)
            for f in findings]
    return pd.DataFrame(rows, columns=["severity", "where", "finding", "suggestion"])


# ---------------------------------------------------------------------------------- helpers
def _share(part: int, whole: int) -> float | None:
    return part / whole if whole else None


def _short(text: str, limit: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " or " + items[-1]


def _name_pattern(names: list[str]) -> re.Pattern | None:
    names = sorted({n.strip() for n in names if len(n.strip()) >= 3}, key=len, reverse=True)
    if not names:
        return None
    return re.compile(r"(?<!\w)(?:" + "|".join(re.escape(n) for n in names) + r")(?!\w)",
                      re.IGNORECASE)


def _blame(answer: str, names: re.Pattern | None) -> str | None:
    if names is not None:
        match = names.search(answer)
        if match:
            return f"names {match.group(0)}"
    match = _BLAME.search(answer)
    return f"'{match.group(0)}'" if match else None


def _words(text: str) -> set[str]:
    return {w for w in re.findall(r"[a-z0-9]+", text.lower()) if w not in _STOP_WORDS}


def _echo(analysis: WhyAnalysis, node: WhyNode) -> str | None:
    """Name what ``node`` repeats (the problem or an ancestor), if it does."""
    words = _words(node.answer)
    if not words:
        return None
    earlier = [("the problem", analysis.problem.what)]
    earlier += [(f"why {i + 1} ({a.id})", a.answer)
                for i, a in enumerate(analysis.path(node.id)[:-1])]
    for label, text in earlier:
        other = _words(text)
        if not other:
            continue
        overlap = len(words & other) / len(words | other)
        contained = words <= other or other <= words
        if overlap >= 0.7 or (contained and min(len(words), len(other)) >= 2 and overlap >= 0.5):
            return label
    return None
