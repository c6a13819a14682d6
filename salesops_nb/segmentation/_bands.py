"""Band labels and edge collapsing: pure Python on a handful of numbers, no data.

A banding cuts a numeric field at ``edges`` (ascending, ``len(labels) - 1`` of them) into bands
listed from the lowest values to the highest. ``closed`` says which side of a band owns an edge:

- ``"right"``: band i holds ``edges[i-1] < x <= edges[i]`` (quantiles, natural breaks, equal width:
  a tie at an edge stays in the lower band, as in pandas' ``qcut``);
- ``"left"``: band i holds ``edges[i-1] <= x < edges[i]`` (fixed thresholds and ABC: "a band starts
  at its threshold", e.g. 200 employees and over is Mid-Market).

Fitting on real data can produce equal edges (ties, a constant column, one row). A band between two
equal edges can hold nothing, so it is merged into the neighbour that receives its edge value, and
the merged band is named after the first and last labels it covers ("Q1 to Q3"). That is how
"bin edges must be unique" never reaches a user, and why every value still gets an ordered label.
"""

from __future__ import annotations

import math
from itertools import pairwise

__all__ = ["collapse", "merged_label", "number_text", "ordinal_labels", "threshold_labels"]


def number_text(value: float) -> str:
    """Short, exact-enough text for an edge: ``2000 -> "2,000"``, ``0.125 -> "0.125"``."""
    if math.isfinite(value) and float(value).is_integer() and abs(value) < 1e15:
        return f"{int(value):,}"
    return f"{value:,.6g}"


def threshold_labels(thresholds: list[float], closed: str = "left") -> list[str]:
    """Readable labels for bands cut at fixed thresholds, lowest band first."""
    texts = [number_text(t) for t in thresholds]
    if closed == "left":
        middle = [f"{a} to < {b}" for a, b in pairwise(texts)]
        return [f"< {texts[0]}", *middle, f">= {texts[-1]}"]
    middle = [f"> {a} to {b}" for a, b in pairwise(texts)]
    return [f"<= {texts[0]}", *middle, f"> {texts[-1]}"]


_LEVELS = {
    2: ["low", "high"],
    3: ["low", "medium", "high"],
    4: ["low", "medium-low", "medium-high", "high"],
    5: ["very low", "low", "medium", "high", "very high"],
}


def ordinal_labels(count: int) -> list[str]:
    """Level names for ``count`` bands, lowest first ("low", "medium", "high")."""
    return list(_LEVELS.get(count, [f"band {i}" for i in range(1, count + 1)]))


def merged_label(labels: list[str], display: list[str]) -> str:
    """Name of a band made of several nominal bands: "first to last" in display order."""
    if len(labels) == 1:
        return labels[0]
    ordered = sorted(labels, key=display.index)
    return f"{ordered[0]} to {ordered[-1]}"


def collapse(
    edges: list[float], labels: list[str], closed: str, display: list[str] | None = None
) -> tuple[list[float], list[str]]:
    """Drop duplicate edges, merging the empty bands between them into their neighbours.

    Parameters
    ----------
    edges
        Ascending edges, possibly with repeats; ``len(labels) - 1`` of them.
    labels
        Nominal labels, lowest band first.
    closed
        ``"right"`` or ``"left"`` (see the module docstring).
    display
        The order labels are shown in (defaults to ``labels``); names merged bands.

    Returns
    -------
    edges, labels
        Strictly increasing edges and one label per remaining band.

    Examples
    --------
    >>> collapse([0.0, 0.0, 5.0], ["Q1", "Q2", "Q3", "Q4"], "right")
    ([0.0, 5.0], ['Q1 to Q2', 'Q3', 'Q4'])
    """
    display = display or labels
    groups: list[list[str]] = []
    pending: list[str] = []
    for i, band in enumerate(labels):
        # Band i lies between edges[i-1] and edges[i]; only an inner band can be empty.
        empty = 0 < i < len(labels) - 1 and edges[i - 1] == edges[i]
        if empty and closed == "right":
            groups[-1].append(band)  # (e, e] is empty: the band below keeps the value e
            continue
        pending.append(band)
        if not empty:  # [e, e) is empty: it joins the band that starts at e, the next one
            groups.append(pending)
            pending = []
    kept = sorted(set(edges))
    return kept, [merged_label(g, display) for g in groups]
