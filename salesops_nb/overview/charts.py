"""altair charts of the overview aggregates.

Every chart takes a table from :mod:`salesops_nb.overview.pipeline` (a few dozen rows),
never the deals themselves, so a report's size does not grow with the data. Amounts are
labelled with a currency symbol the caller chooses; outcome colours are the same in every
chart (won green, lost red, open blue).
"""

from __future__ import annotations

import json

import altair as alt
import numpy as np
import pandas as pd

from salesops_nb.errors import ParameterError
from salesops_nb.overview._columns import LOST, OPEN, WON

__all__ = ["OUTCOME_COLORS", "deal_size_chart", "outcomes_chart", "pipeline_chart"]

OUTCOME_COLORS: dict[str, str] = {WON: "#2e7d32", LOST: "#c62828", OPEN: "#4e79a7"}
_WIDTH = 620


def pipeline_chart(stages: pd.DataFrame, *, currency: str = "$") -> alt.HConcatChart:
    """Deals and amount per stage, side by side, coloured by outcome.

    Parameters
    ----------
    stages
        The table from :func:`~salesops_nb.overview.pipeline.pipeline_by_stage`.
    currency
        Symbol written before amounts.
    """
    data = stages[["stage", "outcome", "deals", "amount", "average_amount", "deal_share",
                   "amount_share"]]
    order = data["stage"].astype(str).tolist()
    base = (
        alt.Chart(data)
        .transform_calculate(
            amount_text=_money_expr("datum.amount", currency),
            average_text=_money_expr("datum.average_amount", currency),
        )
        .encode(
            y=alt.Y("stage:N", sort=order, title=None),
            color=_outcome_color(),
            tooltip=[
                alt.Tooltip("stage:N", title="Stage"),
                alt.Tooltip("deals:Q", title="Deals", format=","),
                alt.Tooltip("deal_share:Q", title="Share of deals", format=".1%"),
                alt.Tooltip("amount_text:N", title="Amount"),
                alt.Tooltip("amount_share:Q", title="Share of amount", format=".1%"),
                alt.Tooltip("average_text:N", title="Average deal"),
            ],
        )
    )
    deals = base.mark_bar().encode(
        x=alt.X("deals:Q", title="Deals", axis=alt.Axis(format=",~f"))
    ).properties(width=_WIDTH // 2 - 60, title="Deals")
    money = base.mark_bar().encode(
        x=alt.X("amount:Q", title="Amount", axis=_money_axis(currency))
    ).properties(width=_WIDTH // 2 - 60, title="Amount")
    return _configure(
        alt.hconcat(deals, money).properties(
            title=alt.Title(
                "Pipeline by stage",
                subtitle="Deals and amount in each stage, in funnel order",
            )
        )
    )


def outcomes_chart(
    over_time: pd.DataFrame, *, measure: str = "deals", currency: str = "$"
) -> alt.VConcatChart:
    """Won and lost deals per period (stacked bars) above the win rate (line).

    Parameters
    ----------
    over_time
        The table from :func:`~salesops_nb.overview.pipeline.outcomes_over_time`.
    measure
        "deals" to stack deal counts, "amount" to stack their value.
    currency
        Symbol written before amounts.
    """
    if measure not in ("deals", "amount"):
        raise ParameterError(f"measure={measure!r} is not a measure.",
                             hint='Use "deals" or "amount".')
    order = over_time["period"].astype(str).tolist()
    long = pd.DataFrame(
        {
            "period": np.repeat(over_time["period"].to_numpy(), 2),
            "outcome": np.tile([WON, LOST], len(over_time)),
            "deals": np.column_stack([over_time["won"], over_time["lost"]]).ravel(),
            "amount": np.column_stack(
                [over_time["won_amount"], over_time["lost_amount"]]
            ).ravel(),
        }
    )
    x = alt.X("period:O", sort=order, title=None, axis=alt.Axis(labelAngle=-45))
    if measure == "deals":
        y = alt.Y("deals:Q", title="Closed deals", axis=alt.Axis(format=",~f"))
    else:
        y = alt.Y("amount:Q", title="Closed amount", axis=_money_axis(currency))
    bars = (
        alt.Chart(long)
        .mark_bar()
        .transform_calculate(amount_text=_money_expr("datum.amount", currency))
        .encode(
            x=x,
            y=y,
            color=_outcome_color(domain=[WON, LOST]),
            order=alt.Order("outcome:N", sort="descending"),
            tooltip=[
                alt.Tooltip("period:N", title="Period"),
                alt.Tooltip("outcome:N", title="Outcome"),
                alt.Tooltip("deals:Q", title="Deals", format=","),
                alt.Tooltip("amount_text:N", title="Amount"),
            ],
        )
        .properties(width=_WIDTH, height=220)
    )
    rates = over_time[["period", "win_rate", "value_win_rate", "won", "lost"]]
    line = _rate_line(
        rates,
        x,
        [
            alt.Tooltip("period:N", title="Period"),
            alt.Tooltip("win_rate:Q", title="Win rate (deals)", format=".1%"),
            alt.Tooltip("value_win_rate:Q", title="Win rate (amount)", format=".1%"),
            alt.Tooltip("won:Q", title="Won", format=","),
            alt.Tooltip("lost:Q", title="Lost", format=","),
        ],
    )
    return _configure(
        alt.vconcat(bars, line).properties(
            title=alt.Title(
                "Won and lost deals over time",
                subtitle="By close date; the line is won / (won + lost) deals",
            )
        )
    )


def deal_size_chart(
    bins: pd.DataFrame, stats: pd.DataFrame | None = None, *, currency: str = "$"
) -> alt.VConcatChart:
    """Deal size histogram on a log scale, stacked by outcome, with the win rate per band.

    Parameters
    ----------
    bins
        The table from :func:`~salesops_nb.overview.pipeline.deal_size_bins`.
    stats
        Optional table from :func:`~salesops_nb.overview.pipeline.deal_size_stats`; its
        "all deals" median and p90 are drawn as reference lines.
    currency
        Symbol written before amounts.
    """
    edges = sorted(set(bins["bin_start"]).union(bins["bin_end"]))
    x_scale = alt.Scale(type="log", domain=[edges[0], edges[-1]] if edges else alt.Undefined)
    x_axis = _money_axis(currency, values=edges if len(edges) <= 16 else alt.Undefined)
    # Stack in pandas: with x and x2 given, Vega-Lite would lay the bars out horizontally.
    order = [WON, LOST, OPEN]  # won at the bottom, where its height is easiest to compare
    counts = bins[order].to_numpy(dtype=float)
    tops = counts.cumsum(axis=1)
    long = pd.DataFrame(
        {
            "bin_start": np.repeat(bins["bin_start"].to_numpy(dtype=float), 3),
            "bin_end": np.repeat(bins["bin_end"].to_numpy(dtype=float), 3),
            "label": np.repeat(bins["label"].to_numpy(dtype=object), 3),
            "win_rate": np.repeat(bins["win_rate"].to_numpy(dtype=float), 3),
            "outcome": np.tile(order, len(bins)),
            "deals": counts.ravel(),
            "y0": (tops - counts).ravel(),
            "y1": tops.ravel(),
        }
    )
    histogram = (
        alt.Chart(long)
        .mark_bar(stroke="white", strokeWidth=0.5)
        .encode(
            x=alt.X("bin_start:Q", scale=x_scale, axis=x_axis, title="Deal amount"),
            x2="bin_end:Q",
            y=alt.Y("y0:Q", title="Deals", axis=alt.Axis(format=",~f")),
            y2="y1:Q",
            color=_outcome_color(),
            tooltip=[
                alt.Tooltip("label:N", title="Deal size"),
                alt.Tooltip("outcome:N", title="Outcome"),
                alt.Tooltip("deals:Q", title="Deals", format=","),
                alt.Tooltip("win_rate:Q", title="Win rate in band", format=".1%"),
            ],
        )
        .properties(width=_WIDTH, height=240)
    )
    layers = [histogram]
    if stats is not None and (stats["group"] == "all deals").any():
        row = stats.loc[stats["group"] == "all deals"].iloc[0]
        marks = pd.DataFrame(
            {"name": ["median", "p90"], "value": [float(row["median"]), float(row["p90"])]}
        )
        rule = alt.Chart(marks).encode(x=alt.X("value:Q", scale=x_scale))
        layers.append(rule.mark_rule(color="#555555", strokeDash=[4, 3]))
        layers.append(
            rule.mark_text(align="left", dx=4, baseline="top", y=4, color="#333333")
            .transform_calculate(text=f"datum.name + ' ' + {_money_expr('datum.value', currency)}")
            .encode(text="text:N")
        )
    rate_data = bins.assign(middle=np.sqrt(bins["bin_start"] * bins["bin_end"]))[
        ["middle", "label", "win_rate", "won", "lost"]
    ]
    rate = _rate_line(
        rate_data,
        alt.X("middle:Q", scale=x_scale, axis=x_axis, title="Deal amount"),
        [
            alt.Tooltip("label:N", title="Deal size"),
            alt.Tooltip("win_rate:Q", title="Win rate", format=".1%"),
            alt.Tooltip("won:Q", title="Won", format=","),
            alt.Tooltip("lost:Q", title="Lost", format=","),
        ],
    )
    return _configure(
        alt.vconcat(alt.layer(*layers), rate).properties(
            title=alt.Title(
                "Deal size distribution",
                subtitle="Deals per size band (log scale) by outcome; below, the win rate "
                "per band",
            )
        )
    )


def _rate_line(data: pd.DataFrame, x: alt.X, tooltip: list[alt.Tooltip]) -> alt.LayerChart:
    """Win rate as a line whose points grow with the closed deals behind them.

    A rate from three deals is mostly noise; the point size lets a reader see that.
    """
    base = alt.Chart(data).transform_calculate(closed="datum.won + datum.lost").encode(
        x=x,
        y=alt.Y("win_rate:Q", title="Win rate", axis=alt.Axis(format=".0%"),
                scale=alt.Scale(domain=[0, 1])),
        tooltip=[*tooltip, alt.Tooltip("closed:Q", title="Closed deals", format=",")],
    )
    line = base.mark_line(color="#333333", strokeWidth=1.5)
    points = base.mark_circle(color="#333333", opacity=0.9).encode(
        size=alt.Size("closed:Q", title="Closed deals", scale=alt.Scale(range=[10, 160]),
                      legend=None)
    )
    return alt.layer(line, points).properties(width=_WIDTH, height=120)


def _outcome_color(domain: list[str] | None = None) -> alt.Color:
    names = domain or [WON, LOST, OPEN]
    return alt.Color(
        "outcome:N",
        title="Outcome",
        scale=alt.Scale(domain=names, range=[OUTCOME_COLORS[n] for n in names]),
        legend=alt.Legend(orient="top"),
    )


def _money_expr(field: str, currency: str) -> str:
    """A Vega expression that writes ``field`` as e.g. "$12,300"; the symbol is escaped."""
    return f"{json.dumps(currency)} + format({field}, ',.0f')"


def _money_axis(currency: str, values=alt.Undefined) -> alt.Axis:
    return alt.Axis(
        labelExpr=f"{json.dumps(currency)} + format(datum.value, '~s')",
        values=values,
        labelFlush=False,
    )


def _configure(chart: alt.TopLevelMixin):
    return (
        chart.configure_view(strokeWidth=0)
        .configure_title(fontSize=16, anchor="start", subtitleColor="#555555")
        .configure_axis(labelFontSize=11, titleFontSize=12, grid=True, gridColor="#eeeeee")
    )
