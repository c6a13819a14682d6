"""Exercise check of a 5-Why analysis."""

from __future__ import annotations

from typing import Any

import pandas as pd

from salesops_nb.errors import SalesOpsError
from salesops_nb.training._shared import pct, validated
from salesops_nb.training.feedback import Feedback, Note, capped

__all__ = ["five_whys"]


def five_whys(analysis: Any, *, deals: pd.DataFrame | None = None) -> Feedback:
    """Check a 5-Why analysis with the 5-Why coaching checks (:func:`salesops_nb.five_whys.lint`).

    Parameters
    ----------
    analysis
        A :class:`~salesops_nb.five_whys.WhyAnalysis` (or its dict / JSON form).
    deals
        The opportunities, optional: rep names feed the blame check, and the data tells
        whether a single chain hides other factors.

    Returns
    -------
    Feedback
        Every coaching warning is a fix (blame, stopping early, circular answers, missing or
        unverified evidence, root causes without an owned, dated, checked countermeasure, an
        unmeasured problem); informational findings are tips.
    """
    from salesops_nb.five_whys import WhyAnalysis, lint, summary

    title = "5 Why"
    try:
        analysis = validated(WhyAnalysis, analysis, "5-Why analysis")
    except SalesOpsError as err:
        return Feedback(title, (Note("fix", err.message, err.hint, "analysis"),))
    if not analysis.nodes:
        return Feedback(title, (Note(
            "fix", "No why yet: the analysis has a problem but no answer to 'why?'.",
            "Add the first cause: analysis = analysis.add_cause(None, 'what made it happen').",
            "no nodes"),))
    notes = [Note("fix" if f.severity == "warning" else "tip", f.message, f.suggestion, f.rule)
             for f in lint(analysis, deals=deals)]
    if not analysis.root_causes():
        notes.append(Note("fix", "No cause is marked as a root cause yet.",
                          "Mark the deepest cause you can act on: "
                          "analysis.mark_root_cause('w3'); then add a countermeasure.",
                          "no root cause"))
    notes = capped(notes)
    facts = summary(analysis)
    if not any(n.level == "fix" for n in notes):
        notes.append(Note("pass", f"{facts.nodes} causes in {facts.branches} branch(es), every "
                          "cause leading to a root cause backed by verified evidence; "
                          f"{facts.root_causes} root cause(s), each with an owned, dated and "
                          "checked countermeasure.", topic="summary"))
    figures = (("causes", str(facts.nodes)), ("branches", str(facts.branches)),
               ("with evidence", pct(facts.evidence_share)),
               ("root causes", str(facts.root_causes)))
    return Feedback(title, tuple(notes), figures)
