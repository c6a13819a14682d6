"""Charts of the comparison: funnel plot, within-segment distributions, treatment priorities.

Every chart takes tables that are already aggregates (one row per entity, per segment or per
cell), never the deals. A table of more entities than a chart can carry is thinned first,
keeping every flagged entity, and the subtitle says so. Style follows
:mod:`salesops_nb.overview.charts`: a title and a subtitle, axis titles with units, tooltips on
every mark, the same colours for the same meaning (good green, bad red).
"""

from __future__ import annotations

from typing import Any

import altair as alt
import numpy as np
import pandas as pd

from salesops_nb.errors import MissingColumnsError, ParameterError
from salesops_nb.overview.charts import _configure
from salesops_nb.segmentation.compare import Comparison
from salesops_nb.segmentation.rates import eager, funnel_lines

__all__ = ["FLAG_COLORS", "distribution_chart", "funnel_chart", "priority_chart"]

FLAG_COLORS: dict[str, str] = {"good": "#2e7d32", "bad": "#c62828", "typical": "#9e9e9e",
                               "unrated": "#d0d0d0"}
_FUNNEL_COLORS = {"above 99.8%": "#1b5e20", "above 95%": "#66bb6a", "within": "#9e9e9e",
                  "below 95%": "#ef5350", "below 99.8%": "#b71c1c"}
_KIND_COLORS = {"intervention": "#c62828", "protection": "#2e7d32", "treatment": "#4e79a7",
                "(none)": "#9e9e9e"}
_WIDTH = 620
_MAX_SEGMENTS = 12
_MAX_POINTS = 3000  # altair refuses 5,000 rows; leave room for the limit lines


def funnel_chart(rates: Any, *, name: str = "win_rate", entity: str = "rep_id",
                 segment: str = "segment", trials: str = "closed",
                 only: str | None = None, volume_label: str = "closed deals",
                 columns: int = 3) -> alt.TopLevelMixin:
    """Funnel plot: each entity's rate against its volume, inside its segment's limits.

    Parameters
    ----------
    rates
        A table from :func:`~salesops_nb.segmentation.rates.rate_table` or
        ``Comparison.entities`` (pandas or Polars).
    name
        The rate's column stem (``<name>_raw``, ``<name>_peer``, ``<name>_funnel``...).
    entity, segment, trials
        Entity label, segment and trial-count columns.
    only
        One segment to draw; by default every segment gets a small panel (at most 12).
    volume_label
        What the volume counts, for the x axis.
    columns
        Panels per row.
    """
    table = _pandas(rates)
    needed = [entity, segment, trials, f"{name}_raw", f"{name}_peer", f"{name}_funnel"]
    _require(table, needed, "funnel_chart")
    data = pd.DataFrame({
        "entity": table[entity].astype(str), "segment": table[segment].astype(str),
        "n": table[trials].astype(float), "rate": table[f"{name}_raw"].astype(float),
        "peer": table[f"{name}_peer"].astype(float), "flag": table[f"{name}_funnel"].astype(str),
    })
    if f"{name}_shrunk" in table:
        data["shrunk"] = table[f"{name}_shrunk"].astype(float)
    data = data[data["n"] > 0]
    if only is not None:
        if only not in set(data["segment"]):
            raise ParameterError(f"funnel_chart: no segment {only!r} with closed volume.",
                                 hint=f"Segments: {', '.join(sorted(set(data['segment'])))}.")
        data = data[data["segment"] == only]
    segments = sorted(set(data["segment"]))
    if len(segments) > _MAX_SEGMENTS:
        raise ParameterError(
            f"funnel_chart: {len(segments)} segments are too many panels to read.",
            hint=f"Draw one at a time with only='{segments[0]}', or use a coarser segmentation.")
    data, shown = _thin(data, data["flag"] != "within")
    nice = name.replace("_", " ")
    panels = [_funnel_panel(data[data["segment"] == s], s, nice, volume_label,
                            single=len(segments) == 1) for s in segments]
    subtitle = (f"{nice.capitalize()} against {volume_label}; lines: 95% (dashed) and 99.8% "
                "(solid) exact binomial limits around the segment's rate. Points outside are "
                "unusual for their volume.")
    if shown:
        subtitle += f" {shown}"
    if not panels:
        raise ParameterError("funnel_chart: no entity has any closed volume.",
                             hint="Check the trials column (e.g. closed deals).")
    chart = panels[0] if len(panels) == 1 else alt.concat(*panels, columns=columns)
    return _configure(chart.properties(title=alt.Title(f"Funnel plot of {nice}",
                                                       subtitle=subtitle)))


def distribution_chart(comparison: Comparison, *, metric: str | None = None,
                       entity: str = "rep_id", segment: str = "segment",
                       show: str = "flagged", percent: bool | None = None,
                       label: str | None = None) -> alt.LayerChart:
    """Box and whiskers of a metric within each segment, with good and bad entities as points.

    The box is drawn from the precomputed quartiles of ``comparison.benchmarks`` (whiskers:
    min to max); the points are the entities flagged good or bad (``show="all"`` adds the
    rest, when there are not too many).

    Parameters
    ----------
    comparison
        The result of :func:`~salesops_nb.segmentation.compare.compare`.
    metric
        One of its metrics; the first by default.
    entity, segment
        Entity and segment columns of ``comparison.entities``.
    show
        "flagged" or "all".
    percent
        Format values as percentages; by default when the metric is a rate.
    label
        Axis title with its unit (e.g. "Average cycle (days)"); by default the metric's name.
    """
    rules = {r.metric: r for r in comparison.rules}
    metric = metric or comparison.rules[0].metric
    if metric not in rules:
        raise ParameterError(f"distribution_chart: {metric!r} was not compared.",
                             hint=f"Compared metrics: {', '.join(rules)}.")
    if show not in ("flagged", "all"):
        raise ParameterError(f"show={show!r} is not an option.", hint='Use "flagged" or "all".')
    bench = _pandas(comparison.benchmarks)
    bench = bench[bench["metric"] == metric].assign(segment=lambda t: t["segment"].astype(str))
    shrunk = bool((bench["basis"] == "shrunk rate").any())
    table = _pandas(comparison.entities)
    _require(table, [entity, segment, f"{metric}_basis", f"{metric}_flag"], "distribution_chart")
    points = pd.DataFrame({
        "entity": table[entity].astype(str), "segment": table[segment].astype(str),
        "value": table[f"{metric}_basis"].astype(float),
        "raw": table[metric].astype(float),
        "percentile": table[f"{metric}_percentile"].astype(float),
        "flag": table[f"{metric}_flag"].astype(str),
    }).dropna(subset=["value"])
    flagged = points["flag"].isin(["good", "bad"])
    if show == "flagged":
        points = points[flagged]
    points, shown = _thin(points, points["flag"].isin(["good", "bad"]))
    if percent is None:
        percent = shrunk or metric.endswith("rate")
    fmt = ".1%" if percent else ",.4~g"
    nice = metric.replace("_", " ")
    title = label or nice.capitalize() + (" (shrunk toward the segment)" if shrunk else "")
    order = bench.sort_values("median", ascending=not rules[metric].higher_is_better)
    order = order["segment"].tolist()
    y = alt.Y("segment:N", sort=order, title=None)
    x_axis = alt.Axis(format=".0%" if percent else "~s")
    box_tips = [alt.Tooltip("segment:N", title="Segment"),
                alt.Tooltip("n:Q", title="Rated entities", format=","),
                alt.Tooltip("min:Q", title="Min", format=fmt),
                alt.Tooltip("q1:Q", title="Lower quartile", format=fmt),
                alt.Tooltip("median:Q", title="Median", format=fmt),
                alt.Tooltip("q3:Q", title="Upper quartile", format=fmt),
                alt.Tooltip("max:Q", title="Max", format=fmt)]
    base = alt.Chart(bench[["segment", "n", "min", "q1", "median", "q3", "max"]]).encode(
        y=y, tooltip=box_tips)
    whisker = base.mark_rule(color="#777777").encode(
        x=alt.X("min:Q", title=title, axis=x_axis), x2="max:Q")
    box = base.mark_bar(color="#dfe7f1", stroke="#4e79a7", size=14).encode(
        x="q1:Q", x2="q3:Q")
    median = base.mark_tick(color="#1f3b5c", thickness=2, size=14).encode(x="median:Q")
    dots = alt.Chart(points).mark_circle(size=70, opacity=0.9, stroke="white",
                                         strokeWidth=0.5).encode(
        x="value:Q", y=y,
        color=alt.Color("flag:N", title="Outcome",
                        scale=alt.Scale(domain=list(FLAG_COLORS),
                                        range=list(FLAG_COLORS.values())),
                        legend=alt.Legend(orient="top")),
        tooltip=[alt.Tooltip("entity:N", title="Entity"),
                 alt.Tooltip("segment:N", title="Segment"),
                 alt.Tooltip("value:Q", title=title, format=fmt),
                 alt.Tooltip("raw:Q", title=f"{nice.capitalize()} (own record)", format=fmt),
                 alt.Tooltip("percentile:Q", title="Percentile in segment", format=".0%"),
                 alt.Tooltip("flag:N", title="Outcome")],
    )
    subtitle = ("Box: lower to upper quartile of the segment, tick: median, line: min to max; "
                "points: entities flagged good or bad within their own segment.")
    if shown:
        subtitle += f" {shown}"
    return _configure(alt.layer(whisker, box, median, dots).properties(
        width=_WIDTH - 140, height=max(90, 34 * len(order)),
        title=alt.Title(f"{nice.capitalize()} within each segment", subtitle=subtitle)))


def priority_chart(priorities: Any, *, top: int = 15, unit: str = "deals-equivalent"
                   ) -> alt.LayerChart:
    """Bars of where acting pays most: impact = gap to the benchmark x volume, per cell.

    Parameters
    ----------
    priorities
        The table from :func:`~salesops_nb.segmentation.priorities.priorities`.
    top
        How many cells to show, most impact first.
    unit
        The unit of the impact, for the axis ("deals-equivalent", "$ won").
    """
    table = _pandas(priorities)
    _require(table, ["priority", "segment", "impact", "gap", "volume", "value", "benchmark",
                     "position", "explanation"], "priority_chart")
    if not isinstance(top, int) or top < 1:
        raise ParameterError(f"top={top!r} must be a whole number >= 1.", hint="e.g. top=15.")
    table = table.sort_values("priority").head(top)
    cell = table["segment"].astype(str)
    if "stratum" in table:
        cell = cell + " · " + table["stratum"].astype(str)
    data = pd.DataFrame({
        "cell": cell, "impact": table["impact"].astype(float),
        "position": table["position"].astype(str), "explanation": table["explanation"],
        "volume": table["volume"].astype(float),
    })
    colour_by, title = "position", "Position"
    scale = alt.Scale(domain=["below benchmark", "above benchmark", "at benchmark"],
                      range=["#c62828", "#2e7d32", "#9e9e9e"])
    tips = [alt.Tooltip("cell:N", title="Cell"),
            alt.Tooltip("explanation:N", title="Arithmetic"),
            alt.Tooltip("position:N", title="Position")]
    if "treatment" in table:
        data["treatment"] = table["treatment"].fillna("(none)").astype(str)
        data["kind"] = table["treatment_kind"].fillna("(none)").astype(str)
        colour_by, title = "kind", "Action"
        scale = alt.Scale(domain=list(_KIND_COLORS), range=list(_KIND_COLORS.values()))
        tips += [alt.Tooltip("treatment:N", title="Treatment"),
                 alt.Tooltip("kind:N", title="Kind")]
    order = data["cell"].tolist()
    base = alt.Chart(data).encode(
        y=alt.Y("cell:N", sort=order, title=None),
        x=alt.X("impact:Q", title=f"Impact ({unit})", axis=alt.Axis(format="~s")),
        tooltip=tips,
    )
    bars = base.mark_bar().encode(color=alt.Color(f"{colour_by}:N", title=title, scale=scale,
                                                   legend=alt.Legend(orient="top")))
    labels = base.mark_text(align="left", dx=4, fontSize=10, color="#333333").encode(
        text="explanation:N")
    return _configure(alt.layer(bars, labels).properties(
        width=_WIDTH - 260, height=max(80, 24 * len(data)),
        title=alt.Title("Where acting pays most",
                        subtitle="Gap to the segment's benchmark x volume affected, per cell; "
                                 "red: below the benchmark (lift), green: above it (protect)")))


# ----------------------------------------------------------------------------- internals
def _funnel_panel(data: pd.DataFrame, name: str, nice: str, volume_label: str,
                  single: bool) -> alt.LayerChart:
    p0 = float(data["peer"].iloc[0]) if len(data) else float("nan")
    lines = funnel_lines(p0, max(float(data["n"].max()), 2.0) if len(data) else 2.0)
    long = pd.concat([
        pd.DataFrame({"n": lines["n"], "limit": lines[f"{side}{band}"],
                      "band": label, "side": side})
        for band, label in (("95", "95%"), ("998", "99.8%")) for side in ("lower", "upper")
    ])
    x = alt.X("n:Q", title=volume_label.capitalize(), scale=alt.Scale(type="sqrt"),
              axis=alt.Axis(format=",~f"))
    y_scale = alt.Scale(domain=[0, 1])
    y = alt.Y("limit:Q", title=nice.capitalize(), axis=alt.Axis(format=".0%"), scale=y_scale)
    limit_lines = alt.Chart(long).mark_line(interpolate="step-after", color="#555555",
                                            strokeWidth=1).encode(
        x=x, y=y, detail="side:N",
        strokeDash=alt.StrokeDash("band:N", title="Limits",
                                  scale=alt.Scale(domain=["95%", "99.8%"],
                                                  range=[[4, 3], [1, 0]]),
                                  legend=alt.Legend(orient="top") if single else None),
        tooltip=[alt.Tooltip("band:N", title="Band"), alt.Tooltip("side:N", title="Side"),
                 alt.Tooltip("n:Q", title=volume_label.capitalize(), format=","),
                 alt.Tooltip("limit:Q", title="Limit", format=".1%")],
    )
    peer = alt.Chart(pd.DataFrame({"peer": [p0], "segment": [name]})).mark_rule(
        color="#1f3b5c", strokeWidth=1.5).encode(
        y=alt.Y("peer:Q", scale=y_scale),
        tooltip=[alt.Tooltip("segment:N", title="Segment"),
                 alt.Tooltip("peer:Q", title="Segment rate", format=".1%")])
    tips = [alt.Tooltip("entity:N", title="Entity"),
            alt.Tooltip("n:Q", title=volume_label.capitalize(), format=","),
            alt.Tooltip("rate:Q", title=nice.capitalize(), format=".1%"),
            alt.Tooltip("flag:N", title="Funnel")]
    if "shrunk" in data:
        tips.append(alt.Tooltip("shrunk:Q", title="Shrunk estimate", format=".1%"))
    points = alt.Chart(data).mark_circle(size=55, opacity=0.9, stroke="white",
                                         strokeWidth=0.5).encode(
        x="n:Q", y=alt.Y("rate:Q", scale=y_scale),
        color=alt.Color("flag:N", title="Funnel",
                        scale=alt.Scale(domain=list(_FUNNEL_COLORS),
                                        range=list(_FUNNEL_COLORS.values())),
                        legend=alt.Legend(orient="top") if single else None),
        tooltip=tips,
    )
    size = (_WIDTH, 300) if single else (190, 150)
    return alt.layer(limit_lines, peer, points).properties(
        width=size[0], height=size[1], title=alt.Title(name, fontSize=12))


def _thin(data: pd.DataFrame, keep: pd.Series) -> tuple[pd.DataFrame, str]:
    """At most ``_MAX_POINTS`` rows: every ``keep`` row, then an even spread of the rest."""
    if len(data) <= _MAX_POINTS:
        return data, ""
    kept = data[keep.to_numpy()]
    rest = data[~keep.to_numpy()]
    room = max(_MAX_POINTS - len(kept), 0)
    if room and len(rest):
        rest = rest.iloc[np.linspace(0, len(rest) - 1, num=min(room, len(rest))).astype(int)]
    else:
        rest = rest.iloc[:0]
    out = pd.concat([kept.iloc[:_MAX_POINTS], rest])
    return out, f"Showing {len(out):,} of {len(data):,} (all flagged ones first)."


def _pandas(frame: Any) -> pd.DataFrame:
    if isinstance(frame, pd.DataFrame):
        return frame
    return eager(frame).to_pandas()


def _require(table: pd.DataFrame, columns: list[str], chart: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise MissingColumnsError(
            f"{chart} needs the column(s) {', '.join(map(repr, missing))}; the table has: "
            f"{', '.join(map(str, table.columns[:15]))}.",
            hint="Pass the table the matching computation returns (rate_table, compare, "
                 "priorities), not the raw deals.",
            missing=missing,
        )
