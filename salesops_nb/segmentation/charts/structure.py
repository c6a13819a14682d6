"""Charts of a segmentation's structure: sizes, Pareto curve, segment x stratum, migration.

Every chart takes an aggregated table (a profile, a Pareto curve of at most a few hundred points,
a migration table), never the rows themselves, so a report's size does not depend on the data.
Style follows :mod:`salesops_nb.overview.charts`: a title and subtitle, axis titles with units,
tooltips on every mark.
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import altair as alt
import pandas as pd

from salesops_nb.errors import ParameterError
from salesops_nb.overview.charts import _configure

__all__ = ["migration_chart", "pareto_chart", "segment_sizes_chart", "segment_stratum_heatmap"]

_WIDTH = 620
_BAR = "#4e79a7"
_CUT = "#c62828"


def segment_sizes_chart(
    profile: pd.DataFrame, *, by: str = "segment", entity: str = "rows"
) -> alt.LayerChart:
    """Horizontal bars of rows per segment, labelled with their share.

    Parameters
    ----------
    profile
        A table from :func:`~salesops_nb.segmentation.engine.profile` (``count`` and ``share``).
    by
        The label column.
    entity
        What a row is ("deals", "accounts"), for the axis title and tooltips.
    """
    _require(profile, [by, "count", "share"], "segment_sizes_chart")
    data = profile[[by, "count", "share"]].assign(**{by: profile[by].astype(str)})
    tooltip = [
        alt.Tooltip(f"{by}:N", title="Segment"),
        alt.Tooltip("count:Q", title=entity.capitalize(), format=","),
        alt.Tooltip("share:Q", title="Share", format=".1%"),
    ]
    if "win_rate" in profile:
        data["win_rate"] = profile["win_rate"].astype(float)
        tooltip.append(alt.Tooltip("win_rate:Q", title="Win rate", format=".1%"))
    order = data[by].tolist()
    base = alt.Chart(data).encode(
        y=alt.Y(f"{by}:N", sort=order, title=None),
        x=alt.X("count:Q", title=entity.capitalize(),
                axis=alt.Axis(format="~s", tickCount=6)),
        tooltip=tooltip,
    )
    bars = base.mark_bar(color=_BAR)
    text = base.mark_text(align="left", dx=4, color="#333333").encode(
        text=alt.Text("share:Q", format=".1%")
    )
    return _configure(
        alt.layer(bars, text).properties(
            width=_WIDTH - 120,
            height=max(80, 22 * len(data)),
            title=alt.Title(
                "Segment sizes",
                subtitle=f"{entity.capitalize()} per segment; the label is the share of all",
            ),
        )
    )


def pareto_chart(
    curve: pd.DataFrame, *, cuts: Sequence[float] = (0.8, 0.95), field: str = "value",
    entity: str = "entities",
) -> alt.LayerChart:
    """Cumulative share of ``field`` against the share of entities, with the ABC cut lines.

    Parameters
    ----------
    curve
        The table from :func:`~salesops_nb.segmentation.bandings.pareto_curve`.
    cuts
        The ABC cumulative shares (A up to the first, B up to the second, ...).
    field, entity
        Names for the titles: "amount", "accounts".
    """
    _require(curve, ["entity_share", "value_share"], "pareto_chart")
    data = curve[["entity_share", "value_share"]].copy()
    line = (
        alt.Chart(data)
        .mark_line(color=_BAR, strokeWidth=2, point=alt.OverlayMarkDef(size=12))
        .encode(
            x=alt.X("entity_share:Q", title=f"Share of {entity} (largest first)",
                    axis=alt.Axis(format=".0%"), scale=alt.Scale(domain=[0, 1])),
            y=alt.Y("value_share:Q", title=f"Cumulative share of {field}",
                    axis=alt.Axis(format=".0%"), scale=alt.Scale(domain=[0, 1])),
            tooltip=[
                alt.Tooltip("entity_share:Q", title=f"Top share of {entity}", format=".1%"),
                alt.Tooltip("value_share:Q", title=f"Share of {field}", format=".1%"),
            ],
        )
    )
    letters = [chr(ord("A") + i) for i in range(len(cuts) + 1)]
    marks = pd.DataFrame({
        "cut": list(cuts),
        "text": [f"{letters[i]} up to {c:.0%}" for i, c in enumerate(cuts)],
    })
    rules = alt.Chart(marks).mark_rule(color=_CUT, strokeDash=[4, 3]).encode(
        y="cut:Q", tooltip=[alt.Tooltip("text:N", title="Cut")]
    )
    labels = alt.Chart(marks).mark_text(align="right", dx=-4, dy=-6, x=_WIDTH - 140,
                                        color=_CUT).encode(y="cut:Q", text="text:N")
    return _configure(
        alt.layer(line, rules, labels).properties(
            width=_WIDTH - 140,
            height=300,
            title=alt.Title(
                f"Pareto curve of {field}",
                subtitle=f"How much of the total the largest {entity} make; dashed lines are "
                "the ABC cuts",
            ),
        )
    )


def segment_stratum_heatmap(
    profile: pd.DataFrame, *, value: str = "count", stratum: str = "stratum",
    segment: str = "segment",
) -> alt.LayerChart:
    """Segment (rows) x stratum (columns) grid coloured by ``value`` ("count" or "win_rate").

    ``profile`` is :func:`~salesops_nb.segmentation.engine.profile` with
    ``by=["segment", "stratum"]``.
    """
    _require(profile, [segment, stratum, value, "count"], "segment_stratum_heatmap")
    if value not in ("count", "win_rate", "share") and not value.endswith(("_mean", "_sum")):
        raise ParameterError(f"segment_stratum_heatmap cannot colour by {value!r}.",
                             hint="Use 'count', 'share', 'win_rate' or a '<measure>_mean'.")
    columns = list(dict.fromkeys([segment, stratum, value, "count"]))
    data = profile[columns].copy()
    data[segment] = data[segment].astype(str)
    data[stratum] = data[stratum].astype(str)
    rate = value in ("win_rate", "share")
    fmt = ".1%" if rate else ",.0f"
    title = {"count": "Rows", "win_rate": "Win rate", "share": "Share"}.get(value, value)
    base = alt.Chart(data).encode(
        x=alt.X(f"{stratum}:N", sort=list(dict.fromkeys(data[stratum])), title="Stratum",
                axis=alt.Axis(labelAngle=0, grid=False)),
        y=alt.Y(f"{segment}:N", sort=list(dict.fromkeys(data[segment])), title=None,
                axis=alt.Axis(grid=False)),
        tooltip=[
            alt.Tooltip(f"{segment}:N", title="Segment"),
            alt.Tooltip(f"{stratum}:N", title="Stratum"),
            alt.Tooltip(f"{value}:Q", title=title, format=fmt),
            *([alt.Tooltip("count:Q", title="Rows", format=",")] if value != "count" else []),
        ],
    )
    cells = base.mark_rect().encode(
        color=alt.Color(f"{value}:Q", title=title, scale=alt.Scale(scheme="blues"),
                        legend=alt.Legend(format=fmt))
    )
    text = base.transform_filter(f"isValid(datum[{json.dumps(value)}])").mark_text(
        fontSize=11
    ).encode(
        text=alt.Text(f"{value}:Q", format=fmt),
        color=_contrast(f"datum[{json.dumps(value)}]", data[value]),
    )
    return _configure(
        alt.layer(cells, text).properties(
            width=_WIDTH - 160,
            height=max(80, 28 * data[segment].nunique()),
            title=alt.Title(
                f"{title} by segment and stratum",
                subtitle="Strata rank a metric inside each segment, best first",
            ),
        )
    )


def migration_chart(counts: pd.DataFrame, *, entity: str = "entities") -> alt.LayerChart:
    """Where entities went between two periods: rows before, columns after, counts in cells.

    ``counts`` is :attr:`~salesops_nb.segmentation.quality.Migration.counts` (``before``,
    ``after``, ``count``, ``share_of_before``); the diagonal holds those that stayed.
    """
    _require(counts, ["before", "after", "count", "share_of_before"], "migration_chart")
    data = counts[["before", "after", "count", "share_of_before"]].copy()
    data["before"] = data["before"].astype(str)
    data["after"] = data["after"].astype(str)
    data["stayed"] = data["before"] == data["after"]
    order = list(dict.fromkeys([*data["before"], *data["after"]]))
    base = alt.Chart(data).encode(
        x=alt.X("after:N", sort=order, title="Segment now",
                axis=alt.Axis(labelAngle=0, grid=False)),
        y=alt.Y("before:N", sort=order, title="Segment before", axis=alt.Axis(grid=False)),
        tooltip=[
            alt.Tooltip("before:N", title="Before"),
            alt.Tooltip("after:N", title="Now"),
            alt.Tooltip("count:Q", title=entity.capitalize(), format=","),
            alt.Tooltip("share_of_before:Q", title="Share of the row", format=".1%"),
        ],
    )
    cells = base.mark_rect(stroke="white").encode(
        color=alt.Color("share_of_before:Q", title="Share of the row",
                        scale=alt.Scale(scheme="oranges", domain=[0, 1]),
                        legend=alt.Legend(format=".0%"))
    )
    text = base.mark_text(fontSize=11).encode(
        text=alt.Text("count:Q", format=","),
        color=_contrast("datum.share_of_before", pd.Series([0.0, 1.0])),
    )
    # The diagonal (stayed) is outlined so it reads at a glance.
    stayed = base.transform_filter("datum.stayed").mark_rect(
        fillOpacity=0, stroke="#333333", strokeWidth=1.5
    )
    return _configure(
        alt.layer(cells, stayed, text).properties(
            width=max(160, 60 * len(order)),
            height=max(120, 30 * len(order)),
            title=alt.Title(
                "Migration between periods",
                subtitle=f"{entity.capitalize()} per (before, now) pair; the diagonal stayed",
            ),
        )
    )


def _contrast(field: str, values: pd.Series) -> alt.condition:
    """White text on the darker half of a sequential colour scale, black on the lighter half."""
    numbers = pd.to_numeric(values, errors="coerce").dropna()
    middle = float((numbers.min() + numbers.max()) / 2) if len(numbers) else 0.0
    return alt.condition(f"{field} > {middle!r}", alt.value("white"), alt.value("#222222"))


def _require(table: pd.DataFrame, columns: list[str], chart: str) -> None:
    missing = [c for c in columns if c not in table.columns]
    if missing:
        raise ParameterError(
            f"{chart} needs the columns {missing!r}, which the table lacks.",
            hint="Pass the aggregated table the chart documents (e.g. profile(...)), not the "
            "rows themselves.",
        )
