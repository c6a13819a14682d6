"""The services-by-class chart, as an altair chart and as static SVG/PNG for the exports.

The chart gets a three-row aggregate (one row per class), never the services themselves.
"""

from __future__ import annotations

import altair as alt
import pandas as pd

from salesops_nb.charter.model import SERVICE_CLASSES, Charter
from salesops_nb.charter.screening import included

__all__ = ["CLASS_COLORS", "services_by_class", "services_chart", "services_chart_png",
           "services_chart_svg"]

#: Tactical grey, operational blue, strategic green: the eye goes to the strategic bar.
CLASS_COLORS: dict[str, str] = {
    "tactical": "#9e9e9e", "operational": "#4e79a7", "strategic": "#2e7d32",
}


def services_by_class(charter: Charter) -> pd.DataFrame:
    """Included services per class: class, services, service_share, capacity_pct, capacity_share.

    All three classes are present, with zeros, so a missing class shows as an empty bar.
    """
    services = included(charter)
    frame = pd.DataFrame({
        "class": [s.service_class for s in services],
        "capacity_pct": [s.capacity_pct for s in services],
    }, columns=["class", "capacity_pct"])
    frame["capacity_pct"] = pd.to_numeric(frame["capacity_pct"])
    grouped = frame.groupby("class").agg(
        services=("class", "size"), capacity_pct=("capacity_pct", "sum")
    )
    table = grouped.reindex(list(SERVICE_CLASSES), fill_value=0).reset_index()
    table["services"] = table["services"].astype(int)
    total_services = table["services"].sum()
    total_capacity = table["capacity_pct"].sum()
    table["service_share"] = table["services"] / total_services if total_services else 0.0
    table["capacity_share"] = table["capacity_pct"] / total_capacity if total_capacity else 0.0
    return table[["class", "services", "service_share", "capacity_pct", "capacity_share"]]


def services_chart(charter: Charter) -> alt.Chart:
    """Horizontal bars: included services per class, labelled with their share."""
    data = services_by_class(charter)
    color = alt.Color(
        "class:N", legend=None,
        scale=alt.Scale(domain=list(CLASS_COLORS), range=list(CLASS_COLORS.values())),
    )
    base = alt.Chart(data).encode(
        y=alt.Y("class:N", sort=list(SERVICE_CLASSES), title=None),
        x=alt.X("services:Q", title="Included services", axis=alt.Axis(format="d",
                                                                         tickMinStep=1)),
        tooltip=[
            alt.Tooltip("class:N", title="Class"),
            alt.Tooltip("services:Q", title="Services"),
            alt.Tooltip("service_share:Q", title="Share of services", format=".0%"),
            alt.Tooltip("capacity_share:Q", title="Share of capacity", format=".0%"),
        ],
    )
    bars = base.mark_bar().encode(color=color)
    labels = base.mark_text(align="left", dx=4).encode(
        text=alt.Text("service_share:Q", format=".0%")
    )
    return (bars + labels).properties(
        width=420, height=110,
        title=alt.Title("Services by class",
                        subtitle="Aim for most capacity on strategic work (60-70%)"),
    ).configure_view(stroke=None)


def services_chart_svg(charter: Charter) -> str:
    """The chart as an SVG document string, drawn offline by vl-convert."""
    import vl_convert as vlc

    return vlc.vegalite_to_svg(services_chart(charter).to_dict())


def services_chart_png(charter: Charter, *, scale: float = 2.0) -> bytes:
    """The chart as PNG bytes (DOCX cannot hold SVG), drawn offline by vl-convert."""
    import vl_convert as vlc

    return vlc.vegalite_to_png(services_chart(charter).to_dict(), scale=scale)
