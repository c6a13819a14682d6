"""Readable report tables of a segmentation analysis (for the template, not for computing).

:class:`~salesops_nb.segmentation.analysis.SegmentationAnalysis` keeps numbers; these
functions choose the columns a reader needs, name them in words and write shares, scores and
verdicts as text, so a report cell is one call. Text from the data or the spec (segment and
rep names, treatment names) stays data: :func:`summary_html` escapes it, and
:func:`salesops_nb.overview.tables.styled` escapes table cells.
"""

from __future__ import annotations

import html
from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from salesops_nb.segmentation.analysis import SegmentationAnalysis

__all__ = ["flagged_table", "priority_table", "quality_table", "schemes_table", "sizes_table",
           "summary_html"]


def summary_html(result: SegmentationAnalysis, source: str) -> str:
    """One paragraph: what was segmented, by which spec, how many segments and flags."""
    spec = result.spec
    used = result.profile[result.profile["count"] > 0]
    # Counted on the engine: for deals kept there, the table holds only the flagged ones shown.
    bad = result.outcome_counts.get("bad", 0)
    good = result.outcome_counts.get("good", 0)
    strata = (f"ranked into {spec.strata.count} strata on <b>{html.escape(spec.strata.metric)}"
              "</b>" if spec.strata is not None else "not stratified")
    warnings = "".join(f"<li>{html.escape(str(w))}</li>" for w in result.warnings)
    return (
        f"<p>Reading {html.escape(source)}: <b>{html.escape(spec.name)}</b>. "
        f"{result.size:,} {html.escape(result.entity)} in {len(used)} segments, "
        f"{strata}; within their own segment {good} are flagged <b>good</b> and {bad} "
        f"<b>bad</b> on {html.escape(result.metric)}.</p>"
        + ("" if result.complete else
           f"<p>The {result.size:,} deals stay on the engine: the tables below list the "
           f"{len(result.table):,} flagged deals shown (worst and best first).</p>")
        + (f"<p>Spec warnings on this data:</p><ul>{warnings}</ul>" if warnings else "")
    )


def sizes_table(result: SegmentationAnalysis) -> pd.DataFrame:
    """Per segment: entities, share, deals, closed, won, pooled win rate, revenue won."""
    table = result.profile.rename(columns={"count": result.entity,
                                           "won_amount_sum": "won_amount"})
    wanted = ["segment", result.entity, "share", "deals", "closed", "won", "win_rate",
              "won_amount"]
    return table[[c for c in wanted if c in table.columns]]


def quality_table(result: SegmentationAnalysis) -> pd.DataFrame:
    """Measure, its value as text, whether the usual aim is met, the verdict and the arithmetic."""
    rows = []
    for m in result.quality:
        if m.value is None:
            value = "–"
        elif m.name in ("coverage", "stability"):
            value = f"{m.value:.0%}"
        elif m.name == "smallest segment":
            value = f"{m.value:,.0f} {result.entity}"
        elif m.name == "separation":
            value = f"{m.value * 100:.1f} pts"
        else:
            value = f"{m.value:.2f}"
        aim = "–" if m.ok is None else ("yes" if m.ok else "no")
        rows.append({"measure": m.name, "value": value, "aim_met": aim, "verdict": m.verdict,
                     "detail": m.detail})
    return pd.DataFrame(rows, columns=["measure", "value", "aim_met", "verdict", "detail"])


def schemes_table(result: SegmentationAnalysis) -> pd.DataFrame:
    """Candidate schemes side by side, best first."""
    table = result.schemes
    if table.empty:
        return pd.DataFrame(columns=["scheme", "segments", "verdict"])
    return pd.DataFrame({
        "scheme": table["scheme"],
        "segments": table["segments"],
        "coverage": table["coverage"].map(lambda v: "–" if pd.isna(v) else f"{v:.0%}"),
        "smallest": table["smallest"].map(lambda v: "–" if pd.isna(v) else f"{v:,.0f}"),
        "eta_squared": table["eta_squared"].map(lambda v: "–" if pd.isna(v) else f"{v:.2f}"),
        "checks_passed": [f"{p} of {n}" for p, n in zip(table["checks_passed"],
                                                         table["checks"], strict=True)],
        "verdict": table["verdict"],
    })


def flagged_table(result: SegmentationAnalysis, flag: str = "bad") -> pd.DataFrame:
    """The entities flagged ``flag`` within their segment, with the figures behind the flag."""
    m = result.metric
    rows = result.flagged(flag)
    shrunk = f"{m}_basis" in rows and not rows[m].equals(rows[f"{m}_basis"])
    out = pd.DataFrame({result.key: rows[result.key]})
    if result.name_column:
        out["name"] = rows[result.name_column]
    out["segment"] = rows["segment"]
    if "stratum" in rows:
        out["stratum"] = rows["stratum"]
    out[f"own_{m}"] = rows[m]
    if shrunk:
        out[f"shrunk_{m}"] = rows[f"{m}_basis"]
    out["position_in_segment"] = rows[f"{m}_percentile"].map(
        lambda p: f"better than {p:.0%} of peers")
    out["peers"] = rows[f"{m}_peers"]
    if "closed" in rows:
        out["closed_deals"] = rows["closed"]
    if "treatment" in rows:
        out["treatment"] = rows["treatment"]
    return out.reset_index(drop=True)


def priority_table(result: SegmentationAnalysis, top: int = 20) -> pd.DataFrame:
    """Where acting pays most, with the arithmetic and the treatment of each cell."""
    table = result.priorities.head(top)
    wanted = ["priority", "segment", "stratum", "entities", "position", "explanation",
              "treatment", "treatment_kind"]
    return table[[c for c in wanted if c in table.columns]].rename(
        columns={"treatment_kind": "kind", "explanation": "gap_x_volume"})
