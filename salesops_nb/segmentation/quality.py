"""How good is a segmentation? Measures with plain-language verdicts, and scheme comparison.

Each measure returns a :class:`QualityMeasure` (value, verdict, whether it meets the usual aim):

- :func:`coverage`: share of rows not in the catch-all (or the unknown band);
- :func:`smallest_segment`: the smallest non-empty segment against a minimum size;
- :func:`eta_squared`: share of a metric's variance the segments explain (for a banding of the
  metric itself, the goodness of variance fit, GVF, whose usual aim is 0.8);
- :func:`separation`: how far apart the segments' win rates are, with a chi-square test;
- :func:`migration` / stability: between two periods, where entities moved and the share that
  stayed, with the adjusted Rand index.

:func:`quality_report` runs them for one assigned frame; :func:`compare_schemes` scores several
candidate specs on the same data side by side. Everything aggregates in the backend first; only
small per-segment tables reach pandas.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import narwhals as nw
import numpy as np
import pandas as pd
from scipy import stats

from salesops_nb.segmentation import _frames
from salesops_nb.segmentation.engine import assign
from salesops_nb.segmentation.spec import SegmentationSpec

__all__ = [
    "Migration",
    "QualityMeasure",
    "compare_schemes",
    "coverage",
    "eta_squared",
    "migration",
    "quality_report",
    "separation",
    "smallest_segment",
]

#: Usual aims used by the verdicts.
COVERAGE_AIM = 0.90
GVF_AIM = 0.80
ETA_AIM = 0.14  # a "large" effect in Cohen's terms for a performance metric across segments
STAYED_AIM = 0.80
SPREAD_AIM = 0.05  # five percentage points between the best and worst segment's win rate


@dataclass(frozen=True)
class QualityMeasure:
    """One quality measure of a segmentation.

    Attributes
    ----------
    name
        "coverage", "smallest segment", "eta squared", "GVF", "separation", "stability".
    value
        The number (share, count or coefficient); None when it cannot be computed.
    verdict
        One plain-language sentence for the analyst.
    ok
        Whether the usual aim is met (None when the measure could not be computed).
    detail
        Supporting figures (the arithmetic behind the verdict).
    """

    name: str
    value: float | None
    verdict: str
    ok: bool | None
    detail: str = ""


def _counts(frame: nw.DataFrame | nw.LazyFrame, column: str) -> pd.DataFrame:
    grouped = frame.group_by(column).agg(nw.len().alias("count"))
    table = _frames.collect_pandas(grouped)
    table[column] = table[column].astype(object)
    return table


def _excluded_labels(spec: SegmentationSpec | None, catch_all: str | None) -> set[str]:
    labels = {catch_all} if catch_all else set()
    if spec is not None:
        if spec.source == "rules" and spec.catch_all:
            labels.add(spec.catch_all)
        labels |= {b.unknown_label for b in spec.bandings if b.name == spec.source}
        labels |= {m.unknown_label for m in spec.matrices if m.name == spec.source}
    return labels


def coverage(
    frame: Any, spec: SegmentationSpec | None = None, *, column: str = "segment",
    catch_all: str | None = None, aim: float = COVERAGE_AIM,
) -> QualityMeasure:
    """Share of rows in a real segment: not the catch-all, not the unknown band."""
    nw_frame = _frames.to_narwhals(frame)
    _frames.require_fields(nw_frame, [column], "Coverage")
    table = _counts(nw_frame, column)
    total = int(table["count"].sum())
    excluded = _excluded_labels(spec, catch_all)
    outside = int(table.loc[table[column].isin(excluded), "count"].sum())
    if total == 0:
        return QualityMeasure("coverage", None, "No rows: coverage cannot be measured.", None)
    share = 1 - outside / total
    names = ", ".join(sorted(excluded)) or "none"
    detail = f"{total - outside:,} of {total:,} rows in a named segment (left out: {names})"
    if share >= aim:
        verdict = f"Good coverage: {share:.0%} of rows fall in a named segment."
    elif share >= 0.6:
        verdict = (f"Partial coverage: {1 - share:.0%} of rows end in the catch-all or unknown; "
                   "their differences are hidden. Consider a rule for the largest group there.")
    else:
        verdict = (f"Poor coverage: only {share:.0%} of rows fall in a named segment; the "
                   "catch-all dominates and comparisons inside it are not like with like.")
    return QualityMeasure("coverage", share, verdict, share >= aim, detail)


def smallest_segment(
    frame: Any, *, column: str = "segment", min_size: int = 30,
    spec: SegmentationSpec | None = None,
) -> QualityMeasure:
    """The smallest non-empty segment against ``min_size`` (spec labels with no rows are named)."""
    nw_frame = _frames.to_narwhals(frame)
    _frames.require_fields(nw_frame, [column], "The smallest-segment check")
    table = _counts(nw_frame, column)
    empty = []
    if spec is not None and column == "segment":
        present = set(table[column])
        excluded = _excluded_labels(spec, None)
        empty = [s for s in spec.labels() if s not in present and s not in excluded]
    if table.empty:
        return QualityMeasure("smallest segment", None, "No rows: no segment to measure.", None)
    row = table.sort_values(["count", column]).iloc[0]
    smallest, label = int(row["count"]), str(row[column])
    small = table.loc[table["count"] < min_size, column].astype(str).tolist()
    detail = f"{len(table)} non-empty segments; smallest {label!r} with {smallest:,} rows"
    if empty:
        detail += f"; empty: {', '.join(empty)}"
    if smallest >= min_size:
        verdict = (f"Every segment has at least {min_size:,} rows (smallest: {label!r}, "
                   f"{smallest:,}): large enough to compare.")
    else:
        verdict = (f"{len(small)} segment(s) below {min_size:,} rows ({', '.join(small[:5])}"
                   f"{' ...' if len(small) > 5 else ''}): their rates are mostly noise; merge "
                   "them or compare them with care.")
    return QualityMeasure("smallest segment", float(smallest), verdict, smallest >= min_size,
                          detail)


def eta_squared(
    frame: Any, metric: str, *, column: str = "segment", aim: float = ETA_AIM,
    name: str = "eta squared",
) -> QualityMeasure:
    """Share of the variance of ``metric`` explained by the segments: SS_between / SS_total.

    For a banding of the metric itself this is the goodness of variance fit (GVF = 1 - SDCM/SDAM);
    pass ``aim=GVF_AIM, name="GVF"``. Rows with a missing metric are left out.
    """
    nw_frame = _frames.to_narwhals(frame)
    _frames.require_fields(nw_frame, [column, metric], f"The {name} of {metric!r}")
    _frames.require_numeric(nw_frame, metric, f"The {name} of {metric!r}")
    value = _frames.numeric(metric, nw_frame).cast(nw.Float64)
    prepared = nw_frame.select(nw.col(column), value.alias("__x")).drop_nulls(subset=["__x"])
    groups = _frames.collect_pandas(
        prepared.group_by(column).agg(nw.len().alias("n"), nw.col("__x").mean().alias("mean"))
    )
    n = groups["n"].to_numpy(dtype=float)
    if n.sum() < 2:
        return QualityMeasure(name, None, f"Too few values of {metric!r} to measure.", None)
    means = groups["mean"].to_numpy(dtype=float)
    grand = float((n * means).sum() / n.sum())
    deviation = nw.col("__x") - grand
    ss_total = float(
        _frames.collect_pandas(prepared.select((deviation * deviation).sum().alias("ss")))["ss"][0]
    )
    ss_between = float((n * (means - grand) ** 2).sum())
    if ss_total <= 0:
        return QualityMeasure(name, None, f"{metric!r} does not vary: nothing to explain.", None)
    share = min(ss_between / ss_total, 1.0)
    detail = (f"SS between {ss_between:,.4g} / SS total {ss_total:,.4g} over {int(n.sum()):,} "
              f"values in {len(n)} segments")
    if share >= aim:
        verdict = (f"The segments explain {share:.0%} of the variation in {metric} "
                   f"(aim {aim:.0%}): they group like with like.")
    else:
        verdict = (f"The segments explain only {share:.0%} of the variation in {metric} "
                   f"(aim {aim:.0%}): {metric} differs more inside segments than between them.")
    return QualityMeasure(name, share, verdict, share >= aim, detail)


def separation(
    frame: Any, *, column: str = "segment", outcome: str = "is_won",
    closed: str | None = "is_closed", min_closed: int = 30, aim: float = SPREAD_AIM,
) -> QualityMeasure:
    """How far apart the segments' win rates are, and whether that is more than chance.

    The spread is the best minus the worst win rate among segments with ``min_closed`` closed
    deals; the lift is the best over the overall rate; the chi-square test of segment x outcome
    says whether the differences could be chance.
    """
    nw_frame = _frames.to_narwhals(frame)
    names = [column, outcome] + ([closed] if closed else [])
    _frames.require_fields(nw_frame, names, "The separation of outcomes")
    won = nw.col(outcome).fill_null(value=False)
    is_closed = nw.col(closed).fill_null(value=False) if closed else ~nw.col(outcome).is_null()
    prepared = nw_frame.select(
        nw.col(column),
        (won & is_closed).cast(nw.Int64).alias("__won"),
        is_closed.cast(nw.Int64).alias("__closed"),
    )
    table = _frames.collect_pandas(
        prepared.group_by(column).agg(nw.col("__won").sum().alias("won"),
                                      nw.col("__closed").sum().alias("closed"))
    )
    table = table[table["closed"] >= max(min_closed, 1)]
    if len(table) < 2:
        return QualityMeasure("separation", None, "Fewer than two segments have enough closed "
                              f"deals (at least {min_closed}) to compare win rates.", None)
    rate = table["won"] / table["closed"]
    overall = table["won"].sum() / table["closed"].sum()
    spread = float(rate.max() - rate.min())
    lift = float(rate.max() / overall) if overall > 0 else float("nan")
    contingency = np.column_stack([table["won"], table["closed"] - table["won"]])
    if (contingency.sum(axis=0) > 0).all():
        p_value = float(stats.chi2_contingency(contingency)[1])
    else:
        p_value = 1.0
    best = str(table.iloc[int(np.argmax(rate.to_numpy()))][column])
    worst = str(table.iloc[int(np.argmin(rate.to_numpy()))][column])
    detail = (f"win rate from {rate.min():.1%} ({worst}) to {rate.max():.1%} ({best}); overall "
              f"{overall:.1%}; lift of the best {lift:.2f}x; chi-square p = {p_value:.2g}")
    ok = spread >= aim and p_value < 0.01
    if ok:
        verdict = (f"The segments separate outcomes: win rates differ by {spread * 100:.0f} "
                   "points, far more than chance.")
    elif p_value >= 0.01:
        verdict = ("The segments' win rates differ no more than chance would make them: they "
                   "do not separate good from bad outcomes.")
    else:
        verdict = (f"Win rates differ by only {spread * 100:.1f} points between segments: real "
                   "but small differences.")
    return QualityMeasure("separation", spread, verdict, ok, detail)


@dataclass(frozen=True)
class Migration:
    """Where entities went between two periods.

    Attributes
    ----------
    counts
        Long table: ``before``, ``after``, ``count``, ``share_of_before`` (row share).
    matrix
        Wide table: rows the segment before, columns the segment after, entity counts.
    stayed
        Share of the entities present in both periods that kept their segment.
    adjusted_rand
        Agreement of the two assignments, corrected for chance (1 identical, ~0 random).
    matched, only_before, only_after
        Entities in both periods, only in the first, only in the second.
    measure
        The stability verdict as a :class:`QualityMeasure`.
    """

    counts: pd.DataFrame
    matrix: pd.DataFrame
    stayed: float | None
    adjusted_rand: float | None
    matched: int
    only_before: int
    only_after: int
    measure: QualityMeasure = field(repr=False)


def migration(
    before: Any, after: Any, *, key: str, column: str = "segment",
    labels: Sequence[str] | None = None, aim: float = STAYED_AIM,
) -> Migration:
    """Compare two assigned frames of the same entities (e.g. accounts last and this quarter).

    Parameters
    ----------
    before, after
        Assigned frames (same backend), one row per entity, with ``key`` and ``column``.
    key
        The entity id column.
    labels
        Order of the segments in the matrix (e.g. ``spec.labels()``).
    """
    b = _frames.to_narwhals(before)
    a = _frames.to_narwhals(after)
    _frames.require_fields(b, [key, column], "The migration (first period)")
    _frames.require_fields(a, [key, column], "The migration (second period)")
    left = b.select(nw.col(key), nw.col(column).alias("before")).unique(subset=[key])
    right = a.select(nw.col(key), nw.col(column).alias("after")).unique(subset=[key])
    joined = left.join(right, on=key, how="inner")
    counts = _frames.collect_pandas(
        joined.group_by("before", "after").agg(nw.len().alias("count"))
    )
    sizes = _frames.collect_pandas(
        left.select(nw.len().alias("n")).join(right.select(nw.len().alias("m")), how="cross")
    ).iloc[0]
    for name in ("before", "after"):
        counts[name] = counts[name].astype(object)
    matched = int(counts["count"].sum())
    order = list(labels or [])
    seen = sorted(set(counts["before"]).union(counts["after"]) - set(order), key=str)
    order = [lab for lab in order if lab in set(counts["before"]) | set(counts["after"])] + seen
    matrix = (
        counts.pivot_table(index="before", columns="after", values="count", aggfunc="sum",
                           fill_value=0)
        .reindex(index=order, columns=order, fill_value=0)
        .astype("int64")
    )
    row_totals = counts.groupby("before")["count"].transform("sum")
    counts["share_of_before"] = counts["count"] / row_totals
    counts = counts.sort_values(["before", "after"], key=lambda s: s.map(
        {lab: i for i, lab in enumerate(order)})).reset_index(drop=True)
    only_before = int(sizes["n"]) - matched
    only_after = int(sizes["m"]) - matched
    if matched == 0:
        measure = QualityMeasure("stability", None, "No entity appears in both periods: "
                                 f"check that {key!r} identifies the same entities.", None)
        return Migration(counts, matrix, None, None, 0, only_before, only_after, measure)
    stayed = float(np.trace(matrix.to_numpy())) / matched
    ari = _adjusted_rand(matrix.to_numpy())
    detail = (f"{matched:,} entities in both periods ({only_before:,} only before, "
              f"{only_after:,} only after); adjusted Rand {ari:.2f}")
    if stayed >= aim:
        verdict = f"Stable: {stayed:.0%} of entities kept their segment between the periods."
    elif stayed >= 0.6:
        verdict = (f"Fairly stable: {stayed:.0%} kept their segment; {1 - stayed:.0%} moved. "
                   "Check the largest moves in the migration matrix.")
    else:
        verdict = (f"Unstable: only {stayed:.0%} kept their segment. Treatments keyed on these "
                   "segments would keep changing; consider wider bands or fixed thresholds.")
    measure = QualityMeasure("stability", stayed, verdict, stayed >= aim, detail)
    return Migration(counts, matrix, stayed, ari, matched, only_before, only_after, measure)


def _adjusted_rand(table: np.ndarray) -> float:
    """Adjusted Rand index from a contingency table (Hubert and Arabie)."""
    def pairs(x: np.ndarray) -> float:
        return float((x * (x - 1) / 2).sum())

    n = table.sum()
    index = pairs(table.astype(float))
    rows = pairs(table.sum(axis=1).astype(float))
    cols = pairs(table.sum(axis=0).astype(float))
    total = n * (n - 1) / 2
    expected = rows * cols / total if total else 0.0
    maximum = (rows + cols) / 2
    if maximum == expected:
        return 1.0
    return (index - expected) / (maximum - expected)


# -- one report, several schemes -------------------------------------------------------------------


def quality_report(
    frame: Any, spec: SegmentationSpec, *, metric: str | None = None,
    outcome: str | None = "is_won", closed: str | None = "is_closed", min_size: int = 30,
) -> list[QualityMeasure]:
    """Coverage, smallest segment, eta squared of ``metric`` and outcome separation.

    ``frame`` is an assigned frame (see :func:`~salesops_nb.segmentation.engine.assign`).
    Measures whose columns are absent are skipped.
    """
    nw_frame = _frames.to_narwhals(frame)
    columns = _frames.schema(nw_frame)
    measures = [
        coverage(nw_frame, spec),
        smallest_segment(nw_frame, min_size=min_size, spec=spec),
    ]
    if metric is not None:
        gvf = any(b.name == spec.source and b.field == metric for b in spec.bandings)
        measures.append(eta_squared(nw_frame, metric, aim=GVF_AIM if gvf else ETA_AIM,
                                    name="GVF" if gvf else "eta squared"))
    if outcome is not None and outcome in columns:
        measures.append(separation(nw_frame, outcome=outcome,
                                   closed=closed if closed in columns else None))
    return measures


def measures_table(measures: Sequence[QualityMeasure]) -> pd.DataFrame:
    """The measures as a table: measure, value, ok, verdict, detail."""
    return pd.DataFrame(
        {
            "measure": [m.name for m in measures],
            "value": [m.value for m in measures],
            "ok": [m.ok for m in measures],
            "verdict": [m.verdict for m in measures],
            "detail": [m.detail for m in measures],
        }
    )


def compare_schemes(
    frame: Any,
    specs: Mapping[str, SegmentationSpec] | Sequence[SegmentationSpec],
    *,
    metric: str | None = None,
    outcome: str | None = "is_won",
    closed: str | None = "is_closed",
    min_size: int = 30,
) -> pd.DataFrame:
    """Score candidate specs on the same data side by side, so the analyst picks on evidence.

    Each spec is fitted (if needed) and applied to ``frame``; the table has one row per scheme:
    ``segments``, ``coverage``, ``smallest``, ``eta_squared`` (of ``metric``), ``separation``
    (win-rate spread), ``checks_passed`` (out of ``checks``), ``verdict``; rows sorted best first
    (most checks passed, then the highest eta squared).
    """
    named = dict(specs) if isinstance(specs, Mapping) else {s.name: s for s in specs}
    rows = []
    for name, spec in named.items():
        assigned = _frames.to_narwhals(assign(frame, spec))
        measures = {m.name: m for m in quality_report(
            assigned, spec, metric=metric, outcome=outcome, closed=closed, min_size=min_size)}
        variance = measures.get("GVF") or measures.get("eta squared")
        sep = measures.get("separation")
        judged = [m for m in measures.values() if m.ok is not None]
        failing = [m.name for m in judged if not m.ok]
        segments = _counts(assigned, "segment")
        rows.append({
            "scheme": name,
            "segments": int((segments["count"] > 0).sum()),
            "coverage": measures["coverage"].value,
            "smallest": measures["smallest segment"].value,
            "eta_squared": variance.value if variance else None,
            "separation": sep.value if sep else None,
            "checks_passed": len(judged) - len(failing),
            "checks": len(judged),
            "verdict": "meets every aim" if not failing else "short on " + ", ".join(failing),
        })
    table = pd.DataFrame(rows)
    if table.empty:
        return table
    table["_eta"] = table["eta_squared"].astype(float).fillna(-1.0)
    table = table.sort_values(["checks_passed", "_eta"], ascending=False, kind="stable")
    return table.drop(columns="_eta").reset_index(drop=True)
