"""Creating links: a 5-Why problem from a flagged segmentation cell; items serving an objective."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import pandas as pd

from salesops_nb.links._common import (
    LinkError,
    find_objective,
    format_metric,
    listing,
    load_target,
    objective_keys,
)
from salesops_nb.workspace import Workspace

__all__ = ["flagged_cells", "follow_objective", "problem_from_segment", "serve_objective"]

_ENTITY_WORDS = {"reps": "reps", "accounts": "accounts", "opportunities": "deals"}


# -- segmentation -> 5-Why ------------------------------------------------------------------------


def flagged_cells(result: Any, n: int = 5) -> pd.DataFrame:
    """The cells (segment x stratum) furthest below their segment's benchmark, most impact first.

    Parameters
    ----------
    result
        A :class:`~salesops_nb.segmentation.analysis.SegmentationAnalysis`.
    n
        How many cells to return.

    Returns
    -------
    pandas.DataFrame
        Rows of ``result.priorities`` whose position is below the benchmark.
    """
    table = result.priorities
    if table.empty or "position" not in table.columns:
        return table.head(0)
    below = table[table["position"] == "below benchmark"]
    return below.sort_values("impact", ascending=False).head(n).reset_index(drop=True)


def problem_from_segment(result: Any, segment: str, stratum: str = "", *,
                         segmentation: str = "main", when: str = "",
                         title: str | None = None) -> Any:
    """Start a 5-Why analysis from a flagged segment (or stratum) of a segmentation result.

    The problem statement names the cell and its gap to the segment's benchmark, computed from
    the data (value, benchmark, gap, volume and impact as the priority table shows them), and
    keeps a :class:`~salesops_nb.five_whys.model.SegmentRef` to the segmentation.

    Parameters
    ----------
    result
        The :class:`~salesops_nb.segmentation.analysis.SegmentationAnalysis`.
    segment
        A segment label of the result, e.g. ``"Mid-Market / North America"``.
    stratum
        A stratum label (e.g. ``"bottom quartile"``); empty: the whole segment against all.
    segmentation
        The name the segmentation spec is saved under in the workspace.
    when
        The period the data covers, for the problem statement.
    title
        The analysis title (default: "Why is <metric> low in <cell>?").

    Returns
    -------
    WhyAnalysis
        With the problem filled in and no causes yet.

    Raises
    ------
    LinkError
        ``segment`` or ``stratum`` is not a cell of the result (the message lists them).

    Examples
    --------
    >>> cell = flagged_cells(result).iloc[0]                                   # doctest: +SKIP
    >>> analysis = problem_from_segment(result, cell["segment"], cell["stratum"])  # doctest: +SKIP
    """
    from salesops_nb.five_whys.model import Problem, SegmentRef, WhyAnalysis

    metric, entity = result.metric, _ENTITY_WORDS.get(result.entity, result.entity)
    members = result.table[result.table["segment"].astype(str) == segment]
    if members.empty:
        raise LinkError(f"Segment {segment!r} is not in the segmentation result.",
                        hint=f"Segments: {listing(result.profile['segment'].astype(str))}.")
    if stratum:
        row = _priority_row(result, segment, stratum)
        members = members[members["stratum"].astype(str) == stratum]
        value, benchmark, gap = float(row["value"]), float(row["benchmark"]), float(row["gap"])
        volume, explanation = float(row["volume"]), str(row["explanation"])
        cell = f"the {stratum} {entity} of {segment}"
        against = "the segment benchmark"
    else:
        value, benchmark, volume = _segment_against_all(result, segment)
        gap = (benchmark - value) if result.higher_is_better else (value - benchmark)
        cell, against = f"the {entity} of {segment}", "all segments"
        explanation = (f"gap {format_metric(metric, gap, points=True)} x {volume:,.0f} "
                       "closed deals")
    label = metric.replace("_", " ")
    problem = Problem(
        what=f"The {label} of {cell} is below their peers",
        where=f"segment {segment}" + (f", {stratum}" if stratum else "")
        + f": {len(members)} {entity}",  # ids in source_segment: the statement blames no one
        when=when,
        how_big=f"{format_metric(metric, value)} against {format_metric(metric, benchmark)} "
        f"for {against} ({explanation})",
        source_segment=SegmentRef(
            segmentation=segmentation, segment=segment, stratum=stratum, metric=metric,
            value=value, benchmark=benchmark, gap=gap, volume=volume,
            entities=members[result.key].astype(str).tolist()),
    )
    return WhyAnalysis(title=title or f"Why is the {label} low in {cell}?", problem=problem)


def _priority_row(result: Any, segment: str, stratum: str) -> pd.Series:
    table = result.priorities
    rows = table[(table["segment"].astype(str) == segment)
                 & (table["stratum"].astype(str) == stratum)]
    if rows.empty:
        strata = table.loc[table["segment"].astype(str) == segment, "stratum"].astype(str)
        raise LinkError(f"Segment {segment!r} has no stratum {stratum!r} in the result.",
                        hint=f"Strata of this segment: {listing(strata)}.")
    return rows.iloc[0]


def _segment_against_all(result: Any, segment: str) -> tuple[float, float, float]:
    """The segment's pooled rate, the pooled rate of everyone, and the segment's volume."""
    profile = result.profile
    if not {"won", "closed"} <= set(profile.columns):
        raise LinkError(f"The whole-segment comparison needs a rate metric, not {result.metric}.",
                        hint="Name a stratum of the segment instead.")
    row = profile[profile["segment"].astype(str) == segment].iloc[0]
    total_closed = float(profile["closed"].sum())
    overall = float(profile["won"].sum()) / total_closed if total_closed else float("nan")
    return float(row["win_rate"]), overall, float(row["closed"])


# -- installment items -> charter objectives ----------------------------------------------------


def serve_objective(items: Iterable[Any], charter: str, objective: str) -> list[Any]:
    """Return copies of installment ``items`` naming the charter objective they serve.

    Parameters
    ----------
    items
        :class:`~salesops_nb.installments.model.ImprovementItem` objects.
    charter
        The charter's name in the workspace.
    objective
        The objective's ``library_id`` (e.g. ``"raise-win-rate"``) or its title.
    """
    from salesops_nb.installments.model import ObjectiveRef

    ref = ObjectiveRef(charter=charter, objective=objective)
    return [item.model_copy(update={"objective": ref}) for item in items]


def follow_objective(item: Any, workspace: Workspace) -> tuple[Any, Any]:
    """Load the charter an item links to, and the objective it serves.

    Raises
    ------
    LinkError
        The item has no objective link, the charter is missing or unreadable, or it has no
        objective of that id or title.
    """
    from salesops_nb.charter.model import Charter

    ref = item.objective
    if ref is None:
        raise LinkError(f"Item {item.id!r} names no charter objective.",
                        hint="Link it with links.serve_objective(items, charter, objective).")
    charter = load_target(workspace, Charter, ref.charter, f"item {item.id!r}")
    objective = find_objective(charter, ref.objective)
    if objective is None:
        raise LinkError(
            f"Item {item.id!r} serves objective {ref.objective!r} of charter "
            f"'{ref.charter}', which has no such objective.",
            hint=f"Objectives: {listing(objective_keys(charter))}.")
    return charter, objective

