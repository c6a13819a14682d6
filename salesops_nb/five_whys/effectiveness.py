"""Did the fix work? Evaluating countermeasure effectiveness checks on later data.

A check is set in advance (metric, baseline, success criterion, date). When data reaching the
check date is loaded, the metric is computed over the period after the change and compared
with the criterion: *met* or *not met*. Before that the check is *not due* or *waiting for data*;
nothing is judged on a period the data does not cover yet.
"""

from __future__ import annotations

import datetime as dt

import pandas as pd

from salesops_nb.five_whys.evidence import EvidenceQuery, format_value, run_query
from salesops_nb.five_whys.model import EffectivenessCheck, WhyAnalysis

__all__ = ["check_period", "check_status", "checks_table", "data_as_of", "evaluate_check",
           "evaluate_checks"]


def data_as_of(deals: pd.DataFrame) -> dt.date | None:
    """The last day the data covers: the latest close date of a closed deal."""
    closed = deals["is_closed"].fillna(False).astype(bool)
    latest = pd.to_datetime(deals.loc[closed, "close_date"], errors="coerce").max()
    return None if pd.isna(latest) else latest.date()


def check_period(check: EffectivenessCheck) -> EvidenceQuery:
    """The query a check measures: its own date range, else ``measure_from``..``check_date``."""
    if check.query.start or check.query.end:
        return check.query
    return check.query.between(check.measure_from, check.check_date)


def evaluate_check(
    check: EffectivenessCheck,
    deals: pd.DataFrame,
    *,
    today: dt.date | None = None,
    source: str = "",
) -> EffectivenessCheck:
    """Evaluate ``check`` on ``deals`` and return it with ``result`` and ``met`` filled.

    Parameters
    ----------
    check
        The check set in advance.
    deals
        Opportunities covering the period after the change.
    today
        The evaluation date (default: the last day the data covers). A check whose date has not
        come, or whose period the data does not reach, is left unjudged (``met`` None).
    source
        Where the data came from, stored with the result.

    Examples
    --------
    >>> later = evaluate_check(check, deals_next_quarter)  # doctest: +SKIP
    >>> later.met
    True
    """
    covered = data_as_of(deals)
    query = check_period(check)
    period_end = query.end or check.check_date
    today = today or covered
    if today is None or today < check.check_date or covered is None or covered < period_end:
        return check.model_copy(update={"result": None, "met": None})
    result = run_query(query, deals, source=source)
    if result.value is None:
        met = None
    elif check.direction == "at least":
        met = result.value >= check.target
    else:
        met = result.value <= check.target
    return check.model_copy(update={"result": result, "met": met})


def evaluate_checks(analysis: WhyAnalysis, deals: pd.DataFrame, *, today: dt.date | None = None,
                    source: str = "") -> WhyAnalysis:
    """Return ``analysis`` with every countermeasure's check evaluated on ``deals``."""
    data = analysis.model_dump()
    for node in data["nodes"]:
        for measure in node["countermeasures"]:
            if measure["check"] is not None:
                check = EffectivenessCheck.model_validate(measure["check"])
                measure["check"] = evaluate_check(check, deals, today=today,
                                                  source=source).model_dump()
    return WhyAnalysis.model_validate(data)


def check_status(check: EffectivenessCheck, *, today: dt.date | None = None) -> str:
    """``met``, ``not met``, ``no deals`` (evaluated on an empty slice), ``not due`` or
    ``waiting for data``."""
    if check.met is True:
        return "met"
    if check.met is False:
        return "not met"
    if check.result is not None:
        return "no deals"
    if today is not None and today < check.check_date:
        return "not due"
    return "waiting for data"


def checks_table(analysis: WhyAnalysis, *, today: dt.date | None = None,
                 currency: str = "$") -> pd.DataFrame:
    """One row per countermeasure of a root cause: action, owner, due, check and its status."""
    rows = []
    for node in analysis.root_causes():
        for measure in node.countermeasures:
            check = measure.check
            row = {
                "root cause": node.answer,
                "countermeasure": measure.action,
                "owner": measure.owner or "–",
                "due": measure.due.isoformat() if measure.due else "–",
                "status": measure.status,
                "check": "–",
                "baseline": "–",
                "measured": "–",
                "check date": "–",
                "result": "no check set",
            }
            if check is not None:
                metric = check.query.metric
                row.update({
                    "check": f"{metric} {check.direction} "
                             f"{format_value(metric, check.target, currency=currency)}",
                    "baseline": format_value(metric, check.baseline, currency=currency),
                    "measured": format_value(metric, check.result.value, currency=currency)
                    if check.result else "–",
                    "check date": check.check_date.isoformat(),
                    "result": check_status(check, today=today),
                })
            rows.append(row)
    columns = ["root cause", "countermeasure", "owner", "due", "status", "check", "baseline",
               "measured", "check date", "result"]
    return pd.DataFrame(rows, columns=columns)
