"""A worked 5-Why example grounded in the data: every number in it is computed, none typed.

:func:`declining_segment` scans single-dimension segments (lead source, team, region, product
line, industry) for the largest fall of win rate between the two half-years that end with the
data; :func:`worked_example` builds a tree around it:

- the problem statement carries the two win rates as a problem metric;
- the first whys are the factors the data shows (:mod:`salesops_nb.five_whys.factors`), each
  backed by two evidence queries (before and after), plus the mix hypothesis, marked supported
  or **refuted** by the decomposition;
- below them, process causes worded blamelessly, down to root causes with countermeasures whose
  effectiveness checks use the segment's own numbers as baseline and target.

On the built-in sample (``load_opportunities()``) it finds Referral deals, whose win rate fell
by about 14 points; on another export it finds whatever fell most there.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import dataclass

import pandas as pd

from salesops_nb.errors import DataError
from salesops_nb.five_whys.effectiveness import data_as_of
from salesops_nb.five_whys.evidence import EvidenceQuery, format_value, run_query
from salesops_nb.five_whys.factors import DIMENSIONS, contributing_factors, decompose
from salesops_nb.five_whys.model import (
    EffectivenessCheck,
    Evidence,
    Problem,
    ProblemMetric,
    WhyAnalysis,
)
from salesops_nb.five_whys.refresh import refresh
from salesops_nb.workspace import locate

__all__ = [
    "DecliningSegment",
    "declining_segment",
    "half_years",
    "saved_or_example",
    "worked_example",
]


@dataclass(frozen=True)
class DecliningSegment:
    """A segment whose win rate fell: ``column = value``, the two periods and both rates."""

    column: str
    value: str
    before: EvidenceQuery
    after: EvidenceQuery
    rate_before: float
    rate_after: float
    closed_before: int
    closed_after: int

    @property
    def drop(self) -> float:
        return self.rate_after - self.rate_before


def half_years(deals: pd.DataFrame) -> tuple[tuple[dt.date, dt.date], tuple[dt.date, dt.date]]:
    """The two six-month periods ending with the last full month the data covers."""
    last = data_as_of(deals)
    if last is None:
        raise DataError("The data has no closed deals, so no win rate can be compared.",
                        hint="Load an export that includes won and lost deals.")
    month_end = (pd.Timestamp(last) + pd.offsets.MonthEnd(0)).date()
    if month_end != last:  # the last month is not complete: end with the one before
        month_end = (pd.Timestamp(last) - pd.offsets.MonthEnd(1)).date()
    after_start = (pd.Timestamp(month_end) - pd.offsets.MonthBegin(6)).date()
    before_end = after_start - dt.timedelta(days=1)
    before_start = (pd.Timestamp(before_end) - pd.offsets.MonthBegin(6)).date()
    return (before_start, before_end), (after_start, month_end)


def declining_segment(deals: pd.DataFrame, *, min_closed: int = 60) -> DecliningSegment:
    """Find the single-dimension segment whose win rate fell most between two half-years.

    Parameters
    ----------
    deals
        Canonical opportunities.
    min_closed
        Only segments with at least this many closed deals in each period (rates on fewer are
        mostly noise).

    Raises
    ------
    DataError
        No segment is large enough, or no win rate fell.
    """
    (b0, b1), (a0, a1) = half_years(deals)
    dates = pd.to_datetime(deals["close_date"], errors="coerce")
    closed = deals["is_closed"].fillna(False).astype(bool)
    period = pd.Series(pd.NA, index=deals.index, dtype="string")
    period[closed & (dates >= pd.Timestamp(b0)) & (dates <= pd.Timestamp(b1))] = "before"
    period[closed & (dates >= pd.Timestamp(a0)) & (dates <= pd.Timestamp(a1))] = "after"
    won = deals["is_won"].fillna(False).astype(float)
    best = None
    for column in (c for c in DIMENSIONS if c in deals.columns):
        frame = pd.DataFrame({"value": deals[column].astype("string"), "period": period,
                              "won": won}).dropna()
        stats = frame.groupby(["value", "period"])["won"].agg(["mean", "size"]).unstack("period")
        if not {"before", "after"} <= set(stats.columns.get_level_values(1)):
            continue
        big = stats[(stats[("size", "before")] >= min_closed)
                    & (stats[("size", "after")] >= min_closed)]
        drops = big[("mean", "after")] - big[("mean", "before")]
        if drops.empty:
            continue
        value = drops.idxmin()
        if best is None or drops[value] < best[0]:
            best = (float(drops[value]), column, str(value), big.loc[value])
    if best is None or best[0] >= 0:
        raise DataError(
            f"No segment with {min_closed}+ closed deals in each half-year lost win rate "
            f"between {b0}..{b1} and {a0}..{a1}.",
            hint="Use a longer export, or a smaller min_closed; or start from your own problem.")
    _, column, value, row = best
    before = EvidenceQuery(metric="win_rate", filters={column: [value]}, start=b0, end=b1)
    return DecliningSegment(column, value, before, before.between(a0, a1),
                            float(row[("mean", "before")]), float(row[("mean", "after")]),
                            int(row[("size", "before")]), int(row[("size", "after")]))


def worked_example(deals: pd.DataFrame, *, source: str = "the built-in sample data",
                   now: dt.datetime | None = None) -> WhyAnalysis:
    """Build the worked 5-Why example on ``deals`` (see the module docstring).

    Examples
    --------
    >>> from salesops_nb.data.load import load_opportunities
    >>> analysis = worked_example(load_opportunities())  # doctest: +SKIP
    >>> analysis.problem.what                            # doctest: +SKIP
    'Win rate of lead_source Referral deals fell'
    """
    segment = declining_segment(deals)

    def result(query: EvidenceQuery):
        return run_query(query, deals, source=source, now=now)

    label = f"{segment.column.replace('_', ' ')} {segment.value}"
    (b0, b1), (a0, a1) = (segment.before.start, segment.before.end), (segment.after.start,
                                                                        segment.after.end)
    problem = Problem(
        what=f"Win rate of {label} deals fell",
        where=f"all deals with {label}",
        when=f"closed {a0}..{a1}, against {b0}..{b1}",
        how_big=f"from {segment.rate_before:.0%} to {segment.rate_after:.0%} "
                f"({segment.drop * 100:+.1f} points; {segment.closed_before} and "
                f"{segment.closed_after} closed deals)",
        metric=ProblemMetric(before=segment.before, after=segment.after,
                             before_result=result(segment.before),
                             after_result=result(segment.after)),
    )
    analysis = WhyAnalysis(title=f"Why did the win rate of {label} deals fall?", problem=problem,
                           team="Sales ops with two sales managers and marketing ops",
                           date=a1 + dt.timedelta(days=14))
    factors = _factor_slices(deals, segment)
    for index, (dimension, value) in enumerate(factors):
        analysis = _factor_branch(analysis, deals, segment, dimension, value, index, result)
    return _mix_branch(analysis, deals, segment)


def _factor_slices(deals: pd.DataFrame, segment: DecliningSegment) -> list[tuple[str, str]]:
    """The two sub-segments that carry most of the fall (dimension, value)."""
    report = contributing_factors(deals, segment.before, segment.after)
    if report is not None:
        values = [f.label.removeprefix("rate within ") for f in report.factors
                  if f.label.startswith("rate within ")]
        return [(report.dimension, v) for v in values[:2]]
    # one factor only: take the sub-segment that lost most in the first usable dimension
    for dimension in (d for d in DIMENSIONS if d in deals.columns and d != segment.column):
        terms = decompose(deals, segment.before, segment.after, dimension)
        rates = [f for f in terms if f.label.startswith("rate within ")]
        if rates:
            worst = min(rates, key=lambda f: f.points)
            return [(dimension, worst.label.removeprefix("rate within "))]
    return []


# Process causes below each data factor: (answer, evidence note, verified, status). Worded as
# facts about the selling system, never about a person; the same chain fits any slice.
_FIRST_CHAIN = (
    ("More of these deals reach a proposal without a confirmed budget and decision maker",
     "Read the notes of the lost deals of the period in the CRM with two sales managers: "
     "qualification fields mostly empty", True, "supported"),
    ("The CRM lets a deal move to Proposal with the qualification fields empty",
     "Checked the stage rules of the CRM with the administrator", True, "supported"),
    ("The stage rules were relaxed in the last CRM clean-up to cut data entry",
     "Change log of the CRM configuration", True, "supported"),
    ("Nobody owns the definition of the pipeline stages, so changes to them are not reviewed "
     "for their effect on selling", "Interviews with sales ops and the CRM administrator", True,
     "supported"),
)
_SECOND_CHAIN = (
    ("These leads reach a seller later than before, after the buyer has shortlisted "
     "competitors", "Sales managers' recollection of the lost deals (not yet checked against "
     "the activity history)", False, "hypothesis"),
    ("New leads of this kind land in a shared inbox that is triaged once a week",
     "Observed the inbox and its routing rules with marketing ops", True, "supported"),
)


def _factor_branch(analysis, deals, segment, dimension, value, index, result) -> WhyAnalysis:
    before = segment.before.model_copy(update={"filters": {**segment.before.filters,
                                                           dimension: [value]}})
    after = before.between(segment.after.start, segment.after.end)
    rate_0, rate_1 = result(before), result(after)
    answer = (f"Deals with {dimension.replace('_', ' ')} {value} are won less often: from "
              f"{format_value('win_rate', rate_0.value)} to "
              f"{format_value('win_rate', rate_1.value)}")
    evidence = [Evidence(kind="query", text="win rate before", query=before, result=rate_0,
                         verified=True),
                Evidence(kind="query", text="win rate after", query=after, result=rate_1,
                         verified=True)]
    analysis = analysis.add_cause(None, answer, evidence=evidence, status="supported",
                                  confidence=0.9, within_control=None)
    parent = analysis.nodes[-1].id
    chain = _FIRST_CHAIN if index == 0 else _SECOND_CHAIN
    for step, (text, note, verified, status) in enumerate(chain):
        last = step == len(chain) - 1
        analysis = analysis.add_cause(
            parent, text, evidence=[Evidence(text=note, verified=verified)], status=status,
            confidence=0.7 if last else 0.8, within_control=True if last else None,
            owner="Sales ops" if last else "")
        parent = analysis.nodes[-1].id
    stop = "" if analysis.depth(parent) >= 5 else (
        "The next why is how the inbox was set up years ago; the routing is what we can change "
        "now, and it is within sales and marketing ops' control.")
    analysis = analysis.mark_root_cause(parent, stop_reason=stop)
    return _countermeasure(analysis, parent, after, rate_1.value, rate_0.value, index)


def _countermeasure(analysis, node_id, after, now_rate, old_rate, index) -> WhyAnalysis:
    due = after.end + dt.timedelta(days=45)
    target = round((now_rate + old_rate) / 2, 2) if now_rate is not None and old_rate is not None \
        else 0.0
    check = EffectivenessCheck(query=after.between(None, None), baseline=now_rate or 0.0,
                               direction="at least", target=target, measure_from=due,
                               check_date=due + dt.timedelta(days=90))
    if index == 0:
        action = ("Make budget and decision maker required to enter Proposal, and give the "
                  "stage definitions an owner who reviews every change")
        owner, effect = "Head of sales ops", "Fewer unqualified proposals; win rate recovers"
    else:
        action = "Route new leads of this kind to a named seller within one business day"
        owner, effect = "Marketing ops manager", "Sellers reach buyers before the shortlist"
    return analysis.add_countermeasure(node_id, action, owner=owner, due=due,
                                       expected_effect=effect, check=check)


def _mix_branch(analysis: WhyAnalysis, deals: pd.DataFrame,
                segment: DecliningSegment) -> WhyAnalysis:
    """The mix hypothesis, supported or refuted by the decomposition along the team."""
    dimension = "team" if segment.column != "team" and "team" in deals.columns else "region"
    terms = decompose(deals, segment.before, segment.after, dimension)
    mix = next(f.points for f in terms if f.label.startswith("mix of "))
    material = mix * segment.drop > 0 and abs(mix) >= 0.25 * abs(segment.drop)
    note = (f"Decomposition of the change by {dimension}: the mix explains {mix * 100:+.1f} of "
            f"{segment.drop * 100:+.1f} points")
    return analysis.add_cause(
        None, f"The deals shifted toward {dimension}s that always won less",
        evidence=[Evidence(text=note, verified=True)],
        status="supported" if material else "refuted", confidence=0.9)


def saved_or_example(
    path: str | os.PathLike[str],
    deals: pd.DataFrame,
    *,
    source: str = "the built-in sample data",
    refresh_numbers: bool = False,
) -> tuple[WhyAnalysis, str]:
    """The analysis saved at ``path``, or the worked example when there is none yet.

    Parameters
    ----------
    path
        ``<workspace>/five_whys/<name>.json``.
    deals
        Opportunities: the worked example is built on them, and ``refresh_numbers``
        recomputes a saved analysis's evidence and checks on them.
    source
        Where ``deals`` came from, stored with computed numbers.

    Returns
    -------
    (WhyAnalysis, str)
        The analysis and a sentence saying where it came from, for the report.
    """
    workspace, name = locate(path, WhyAnalysis)
    if workspace.exists(WhyAnalysis, name):
        analysis = workspace.load(WhyAnalysis, name)
        note = f"The analysis saved in {workspace.path_for(WhyAnalysis, name)}"
        if refresh_numbers:
            analysis = refresh(analysis, deals, source=source)
            note += f", with its numbers recomputed on {source}"
        return analysis, note + "."
    try:
        example = worked_example(deals, source=source)
    except DataError as err:
        # Too little history for the example is no reason to fail a report: use the sample.
        from salesops_nb.data.load import load_opportunities

        source = (f"the built-in sample data, because {source} has too little history for it "
                  f"({err.message})")
        example = worked_example(load_opportunities(), source="the built-in sample data")
    return example, (
        f"No analysis is saved at {workspace.path_for(WhyAnalysis, name)} yet, so this is the "
        f"worked example, computed from {source}. Build your own with the editor (interactive "
        "mode) and run the report again.")
