"""Refresh the numbers of an analysis from newly loaded data.

Query evidence and the problem metric store their result and the time it was computed, so a
saved analysis shows what the team saw when it decided. :func:`refresh` recomputes all of them
(and evaluates the countermeasure checks) on the data at hand, returning a new analysis.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from salesops_nb.five_whys.effectiveness import evaluate_checks
from salesops_nb.five_whys.evidence import run_query
from salesops_nb.five_whys.model import WhyAnalysis

__all__ = ["refresh"]


def refresh(
    analysis: WhyAnalysis,
    deals: pd.DataFrame,
    *,
    source: str = "",
    now: dt.datetime | None = None,
    today: dt.date | None = None,
) -> WhyAnalysis:
    """Recompute every query result of ``analysis`` on ``deals``; evaluate its checks.

    Parameters
    ----------
    analysis
        The analysis; left untouched.
    deals
        Canonical opportunities.
    source
        Where the data came from (stored with each result).
    now
        Time stamp of the computation (default: now, UTC).
    today
        Evaluation date of the checks (default: the last day the data covers).
    """
    now = now or dt.datetime.now(dt.timezone.utc)
    data = analysis.model_dump()
    for node in analysis.nodes:
        for index, evidence in enumerate(node.evidence):
            if evidence.query is not None:
                result = run_query(evidence.query, deals, source=source, now=now)
                target = next(n for n in data["nodes"] if n["id"] == node.id)
                target["evidence"][index]["result"] = result.model_dump()
    metric = analysis.problem.metric
    if metric is not None:
        data["problem"]["metric"]["before_result"] = run_query(
            metric.before, deals, source=source, now=now).model_dump()
        data["problem"]["metric"]["after_result"] = run_query(
            metric.after, deals, source=source, now=now).model_dump()
    return evaluate_checks(WhyAnalysis.model_validate(data), deals, today=today, source=source)
