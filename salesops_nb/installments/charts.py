"""altair charts of an installment plan: roadmap, change-load heatmap, value curves.

Charts receive small tables (one row per item, per group and period, or per period), never
more: the roadmap shows at most :data:`MAX_ROADMAP_ITEMS` items. Styling follows the overview
charts (titles with subtitles, start-anchored, light grid).
"""

from __future__ import annotations

import json
from collections.abc import Sequence

import altair as alt
import pandas as pd

from salesops_nb.installments.explain import explain
from salesops_nb.installments.metrics import NEAR
from salesops_nb.installments.model import Capacity, ImprovementItem, Schedule

__all__ = ["MAX_ROADMAP_ITEMS", "load_heatmap", "roadmap", "value_curve_chart"]

MAX_ROADMAP_ITEMS = 60
_WIDTH = 620
_STATUS_COLORS = {"over": "#000000", "near": "#7b3294"}
_CURVE_COLORS = {"installment plan": "#2e7d32", "big bang": "#c62828", "optimum": "#4e79a7"}


def roadmap(items: Sequence[ImprovementItem], capacity: Capacity, schedule: Schedule,
            *, score_method: str = "wsjf") -> alt.LayerChart:
    """Gantt chart of the plan: one bar per item, coloured by the group it affects most.

    The dashed rule marks the end of the horizon; the tooltip of a bar says why the item sits
    where it is.
    """
    why = explain(items, capacity, schedule, score_method=score_method)
    by_id = {item.id: item for item in items}
    shown = why.head(MAX_ROADMAP_ITEMS)
    data = pd.DataFrame({
        "item": [f"{t} ({i})" for t, i in zip(shown["title"], shown["id"], strict=True)],
        "begin": pd.to_datetime([capacity.period_start(int(s)) for s in shown["start_period"]]),
        "finish": pd.to_datetime([capacity.period_start(int(e) + 1)
                                  for e in shown["end_period"]]),
        "group": [by_id[i].most_affected_group or "(no change load)" for i in shown["id"]],
        "start": shown["start"], "end": shown["end"], "why": shown["why"],
        "loads": [", ".join(f"{g} {v:g}" for g, v in sorted(by_id[i].change_load.items()))
                  or "-" for i in shown["id"]],
    })
    cut = (f"; first {MAX_ROADMAP_ITEMS} of {len(why)} items" if len(why) > MAX_ROADMAP_ITEMS
           else "")
    bars = alt.Chart(data).mark_bar(cornerRadius=2).encode(
        x=alt.X("begin:T", title=None, axis=alt.Axis(format=_date_format(capacity))),
        x2="finish:T",
        y=alt.Y("item:N", sort=None, title=None, axis=alt.Axis(labelLimit=260)),
        color=alt.Color("group:N", title="Most affected group",
                        legend=alt.Legend(orient="top", columns=4)),
        tooltip=[alt.Tooltip("item:N", title="Item"), alt.Tooltip("start:N", title="Starts"),
                 alt.Tooltip("end:N", title="Last period"),
                 alt.Tooltip("loads:N", title="Change load per period"),
                 alt.Tooltip("why:N", title="Why here")],
    ).properties(width=_WIDTH, height=max(120, 18 * len(data)))
    horizon = pd.DataFrame({"at": pd.to_datetime([capacity.period_start(capacity.horizon)]),
                            "text": ["end of horizon"]})
    rule = alt.Chart(horizon).mark_rule(color="#555555", strokeDash=[4, 3]).encode(x="at:T")
    label = alt.Chart(horizon).mark_text(align="right", dx=-4, dy=-4, baseline="bottom",
                                         color="#333333", y=0).encode(x="at:T", text="text:N")
    return _configure(alt.layer(bars, rule, label).properties(title=alt.Title(
        "Roadmap of installments",
        subtitle=f"One bar per item while it lands, coloured by the group it loads most{cut}",
    )))


def load_heatmap(saturation: pd.DataFrame) -> alt.LayerChart:
    """Group x period heatmap of load / capacity, over-capacity cells boxed in red.

    Parameters
    ----------
    saturation
        The table from :func:`~salesops_nb.installments.metrics.saturation`.
    """
    data = saturation[["group", "period", "label", "load", "capacity", "ratio", "changes",
                       "status"]].copy()
    order = list(dict.fromkeys(data.sort_values("period")["label"]))
    top = max(1.2, float(data["ratio"].max()) if len(data) else 0.0)
    base = alt.Chart(data).encode(
        x=alt.X("label:O", sort=order, title=None, axis=alt.Axis(labelAngle=-45, grid=False)),
        y=alt.Y("group:N", title=None, axis=alt.Axis(grid=False)),
        tooltip=[alt.Tooltip("group:N", title="Group"), alt.Tooltip("label:N", title="Period"),
                 alt.Tooltip("load:Q", title="Change load", format=",.3~f"),
                 alt.Tooltip("capacity:Q", title="Capacity", format=",.3~f"),
                 alt.Tooltip("ratio:Q", title="Saturation", format=".0%"),
                 alt.Tooltip("changes:Q", title="Changes in progress")],
    )
    cells = base.mark_rect(stroke="white", strokeWidth=1).encode(
        color=alt.Color("ratio:Q", title="Load / capacity",
                        scale=alt.Scale(domain=[0, NEAR, 1, top],
                                        range=["#f7fbff", "#fdd49e", "#ef6c00", "#b71c1c"]),
                        legend=alt.Legend(format=".0%", orient="top")))
    flagged = base.transform_filter("datum.status == 'over' || datum.status == 'near'").mark_rect(
        fill="transparent", strokeWidth=2.5).encode(
        stroke=alt.Color("status:N", title="Flag",
                         scale=alt.Scale(domain=list(_STATUS_COLORS),
                                         range=list(_STATUS_COLORS.values())),
                         legend=alt.Legend(orient="top",
                                           labelExpr="datum.value == 'over' ? 'over capacity' "
                                           ": 'at 90% or more'")))
    # "load/capacity" in each loaded cell: the capacity is marked where it is used.
    text = base.transform_filter("datum.load > 0").transform_calculate(
        cell="format(datum.load, '.2~f') + '/' + format(datum.capacity, '.2~f')"
    ).mark_text(fontSize=9 if len(order) <= 24 else 7).encode(
        text="cell:N",
        color=alt.condition("datum.ratio >= 1", alt.value("white"), alt.value("#333333")))
    width = min(_WIDTH + 200, max(240, 38 * len(order)))
    return _configure(alt.layer(cells, flagged, text).properties(
        width=width, height=max(80, 26 * data["group"].nunique()),
        title=alt.Title("Change load against capacity",
                        subtitle="Each cell: change load / capacity of a group in a period; black "
                        "boxes are over capacity, purple at 90% or more")))


def value_curve_chart(curves: pd.DataFrame, *, unit: str = "$") -> alt.Chart:
    """Cumulative value realised per period, one line per schedule.

    Parameters
    ----------
    curves
        The table from :func:`~salesops_nb.installments.metrics.value_curves` with schedules
        named e.g. "installment plan", "big bang", "optimum".
    unit
        Currency symbol or unit written with amounts.
    """
    data = curves[["schedule", "period_start", "label", "run_rate", "value_to_date"]]
    names = list(dict.fromkeys(data["schedule"]))
    colors = [_CURVE_COLORS.get(n, "#888888") for n in names]
    symbol = json.dumps(unit if len(unit) <= 3 and not unit.isalpha() else "")
    chart = alt.Chart(data).mark_line(point=True).encode(
        x=alt.X("period_start:T", title=None, axis=alt.Axis(format="%b %Y")),
        y=alt.Y("value_to_date:Q", title=f"Value realised to date ({unit})",
                axis=alt.Axis(labelExpr=f"{symbol} + format(datum.value, '~s')")),
        color=alt.Color("schedule:N", title=None, scale=alt.Scale(domain=names, range=colors),
                        legend=alt.Legend(orient="top")),
        strokeDash=alt.condition("datum.schedule == 'optimum'", alt.value([5, 3]),
                                 alt.value([1, 0])),
        tooltip=[alt.Tooltip("schedule:N", title="Schedule"),
                 alt.Tooltip("label:N", title="Period"),
                 alt.Tooltip("run_rate:Q", title="Value per period", format=",.0f"),
                 alt.Tooltip("value_to_date:Q", title="Value to date", format=",.0f")],
    ).properties(width=_WIDTH, height=260)
    return _configure(chart.properties(title=alt.Title(
        "Value delivered: installments against the big bang",
        subtitle="Value realised to date; the area between the lines is what waiting costs")))


def _date_format(capacity: Capacity) -> str:
    return "%b %Y" if capacity.period != "sprint" else "%d %b"


def _configure(chart: alt.TopLevelMixin):
    return (
        chart.configure_view(strokeWidth=0)
        .configure_title(fontSize=16, anchor="start", subtitleColor="#555555")
        .configure_axis(labelFontSize=11, titleFontSize=12, grid=True, gridColor="#eeeeee")
    )
