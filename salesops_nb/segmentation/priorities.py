"""Treatment priorities: what to do in each (segment, stratum) cell, and where acting pays most.

A **treatment map** names, for a cell of the segmentation, a *treatment* (the standard play
for the segment), an *intervention* (aimed at bad outcomes) or a *protection* (guarding good
outcomes and key accounts). Keys may use ``"*"`` for "any"; the most specific entry wins:
an exact segment and stratum beat an exact segment with any stratum, which beats any segment
with an exact stratum, which beats ``("*", "*")``.

:func:`priorities` ranks the cells by **gap to the segment's benchmark x volume affected**,
and writes the arithmetic of every row out ("gap 9.1 pts x 212 deals = 19.3
deals-equivalent"), so a reader can check it and argue with it. Cells below the benchmark
are where lifting pays; cells above it show what is at stake if they slipped back, which is
what a protection guards.
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, Literal

import narwhals as nw
import numpy as np
from narwhals.typing import IntoFrameT
from pydantic import ValidationError

from salesops_nb.errors import ParameterError, SpecError, TreatmentKeyError
from salesops_nb.segmentation.rates import eager, require
from salesops_nb.segmentation.spec_parts import Treatment

if TYPE_CHECKING:
    from salesops_nb.segmentation.spec import SegmentationSpec

__all__ = ["TreatmentKeyError", "TreatmentMap", "priorities"]

ANY = "*"
Benchmark = Literal["median", "mean", "top_quartile"]
_KINDS = ("treatment", "intervention", "protection")


class TreatmentMap:
    """Treatments keyed by (segment, stratum), with ``"*"`` wildcards.

    Parameters
    ----------
    treatments
        :class:`~salesops_nb.segmentation.spec.Treatment` models, or dicts with their fields
        (``segment`` and ``stratum`` default to ``"*"``; ``kind`` is "treatment",
        "intervention" or "protection"; ``name`` is required).

    Raises
    ------
    SpecError
        A treatment without a name or with an unknown kind, or two treatments for the same
        (segment, stratum) key.

    Examples
    --------
    >>> plan = TreatmentMap([
    ...     {"kind": "treatment", "name": "Pooled inside sales"},
    ...     {"segment": "SMB", "stratum": "Q1", "kind": "intervention", "name": "Coaching"},
    ... ])
    >>> plan.lookup("SMB", "Q1")["name"], plan.lookup("SMB", "Q4")["name"]
    ('Coaching', 'Pooled inside sales')
    """

    def __init__(self, treatments: Iterable[Treatment | Mapping[str, Any]] = ()) -> None:
        self.treatments: list[Treatment] = [_treatment(t, i) for i, t in enumerate(treatments)]
        self.entries: list[dict[str, str]] = [t.model_dump() for t in self.treatments]
        # Set by from_spec: the labels the spec can produce. A label that no entity happens to
        # carry in this data (a small team, an empty stratum) is still a valid key.
        self.labels: tuple[list[str], list[str] | None] | None = None
        seen: dict[tuple[str, str], str] = {}
        for entry in self.entries:
            key = (entry["segment"], entry["stratum"])
            if key in seen:
                raise SpecError(
                    f"Two treatments for segment {key[0]!r}, stratum {key[1]!r}: "
                    f"{seen[key]!r} and {entry['name']!r}.",
                    hint="Keep one treatment per (segment, stratum); use '*' for 'any'.")
            seen[key] = entry["name"]

    @classmethod
    def from_spec(cls, spec: SegmentationSpec) -> TreatmentMap:
        """The treatments of a spec, checked against the labels the spec produces."""
        plan = cls(spec.treatments)
        plan.labels = (spec.labels(), spec.stratum_labels() or None)
        plan.check(*plan.labels)
        return plan

    def __len__(self) -> int:
        return len(self.entries)

    def lookup(self, segment: str, stratum: str | None = None) -> dict[str, str] | None:
        """The most specific treatment for a cell, as a dict, or None if nothing matches."""
        best, best_score = None, -1
        for entry in self.entries:
            score = _specificity(entry, str(segment), None if stratum is None else str(stratum))
            if score > best_score:
                best, best_score = entry, score
        return dict(best) if best is not None else None

    def check(self, segments: Iterable[str], strata: Iterable[str] | None = None) -> None:
        """Raise :class:`TreatmentKeyError` if a treatment names an unknown label.

        Parameters
        ----------
        segments, strata
            The labels the segmentation produces (``strata`` None: no stratification, so
            only ``"*"`` is a valid stratum).
        """
        valid_segments = sorted({str(s) for s in segments})
        valid_strata = sorted({str(s) for s in strata}) if strata is not None else []
        for entry in self.entries:
            for field, valid in (("segment", valid_segments), ("stratum", valid_strata)):
                label = entry[field]
                if label != ANY and label not in valid:
                    raise TreatmentKeyError(
                        f"Treatment {entry['name']!r} names {field} {label!r}, which the "
                        f"segmentation does not have. Valid {field} labels: "
                        f"{_listing(valid)}.",
                        hint=_suggest(label, valid, field),
                    )

    def assign(self, frame: IntoFrameT, *, segment: str = "segment",
               stratum: str | None = "stratum") -> IntoFrameT:
        """Add ``treatment``, ``treatment_kind`` and ``treatment_description`` columns.

        Each distinct (segment, stratum) pair is looked up once, then joined back: the rows
        themselves are never visited in Python. Unknown labels raise first (:meth:`check`),
        against the spec's labels for a map made by :meth:`from_spec`, else against the data's.
        """
        data = eager(frame)
        columns = [segment] + ([stratum] if stratum else [])
        require(data, columns, purpose="Assigning treatments")
        keys = {c: f"__key_{i}" for i, c in enumerate(columns)}
        data = data.with_columns(
            nw.col(c).cast(nw.String).fill_null("").alias(k) for c, k in keys.items())
        cells = data.select(list(keys.values())).unique().sort(list(keys.values()))
        seg_values = cells[keys[segment]].to_list()
        str_values = cells[keys[stratum]].to_list() if stratum else [None] * len(seg_values)
        if self.labels is None:
            self.check(seg_values, str_values if stratum else None)
        found = [self.lookup(s, t) or {} for s, t in zip(seg_values, str_values, strict=True)]
        namespace = nw.get_native_namespace(data)
        table = cells.with_columns(
            nw.new_series(f"treatment{suffix}", [f.get(field) for f in found], nw.String,
                          backend=namespace)
            for suffix, field in (("", "name"), ("_kind", "kind"),
                                  ("_description", "description"))
        )
        joined = data.join(table, on=list(keys.values()), how="left")
        return nw.maybe_reset_index(joined.drop(list(keys.values()))).to_native()


def priorities(frame: IntoFrameT, *, segment: str = "segment", stratum: str | None = "stratum",
               metric: str = "win_rate", volume: str = "closed", higher_is_better: bool = True,
               benchmark: Benchmark = "median",
               treatments: TreatmentMap | Iterable[Treatment | Mapping] | None = None,
               volume_label: str = "deals", currency: str | None = None,
               scale: Literal["auto", "rate", "number"] = "auto") -> IntoFrameT:
    """Rank the cells where acting pays most: gap to the segment benchmark x volume.

    Parameters
    ----------
    frame
        One row per entity (pandas or Polars) with segment (and stratum) columns, the metric
        and the volume it applies to (e.g. ``win_rate`` and ``closed`` deals).
    segment, stratum
        The cell columns; ``stratum=None`` makes each segment a cell, measured against the
        benchmark of all entities.
    metric, volume
        The metric to lift and the volume it acts on. A cell's value is the volume-weighted
        mean of its entities' metric (for a win rate: its pooled rate).
    higher_is_better
        False for metrics such as cycle days.
    benchmark
        "median" (the segment's median entity, default), "mean" (its volume-weighted mean)
        or "top_quartile" (its best-quartile boundary: an ambitious target).
    treatments
        Optional :class:`TreatmentMap` (or the treatments to build one): adds what to do in
        each cell; labels it does not know raise :class:`TreatmentKeyError`.
    volume_label
        Unit of the volume in the explanation ("deals", "accounts").
    currency
        Symbol for money metrics (e.g. "$"): gaps and impacts are written as amounts.
    scale
        "rate" writes gaps in percentage points; "number" as plain numbers; "auto" picks
        "rate" when every value lies between 0 and 1.

    Returns
    -------
    DataFrame
        One row per cell, most impact first: ``priority`` (1 = act here first),
        ``segment``, ``stratum`` (when given), ``entities``, ``volume``, ``value``,
        ``benchmark``, ``gap`` (benchmark shortfall in the metric's units, positive when
        below the benchmark), ``impact`` (abs(gap) x volume), ``position`` ("below
        benchmark", "above benchmark", "at benchmark"), ``explanation`` and, with
        treatments, ``treatment``, ``treatment_kind``, ``treatment_description``.
    """
    data = eager(frame)
    cells_by = ["segment"] + (["stratum"] if stratum else [])
    require(data, [segment, metric, volume] + ([stratum] if stratum else []),
            purpose="Treatment priorities")
    if benchmark not in ("median", "mean", "top_quartile"):
        raise ParameterError(f"benchmark={benchmark!r} is not a benchmark.",
                             hint='Use "median", "mean" or "top_quartile".')
    for column in (metric, volume):
        if not data.schema[column].is_numeric():
            raise ParameterError(f"Column {column!r} holds {data.schema[column]}, not numbers.",
                                 hint="Priorities need a numeric metric and volume.")

    work = data.select(
        nw.col(segment).cast(nw.String).fill_null("(no segment)").alias("segment"),
        *([nw.col(stratum).cast(nw.String).fill_null("(no stratum)").alias("stratum")]
          if stratum else []),
        nw.col(metric).cast(nw.Float64).fill_nan(None).alias("_m"),
        nw.col(volume).cast(nw.Float64).fill_nan(None).fill_null(0.0).alias("_v"),
    ).drop_nulls("_m").with_columns(_mv=nw.col("_m") * nw.col("_v"))
    cells = work.group_by(cells_by).agg(
        nw.len().alias("entities"), nw.col("_v").sum().alias("volume"),
        nw.col("_mv").sum().alias("_mv"),
        nw.col("_m").mean().alias("_plain"),
    )
    # Without volume the cell's value is the plain mean of its entities.
    cells = cells.with_columns(
        value=nw.when(nw.col("volume") > 0).then(nw.col("_mv") / nw.col("volume"))
        .otherwise(nw.col("_plain")))
    cells = _with_benchmark(cells, work, stratum is not None, benchmark, higher_is_better)
    gap = nw.col("benchmark") - nw.col("value")
    cells = cells.with_columns(gap=gap if higher_is_better else -gap).with_columns(
        impact=nw.col("gap").abs() * nw.col("volume"))
    cells = cells.sort(["impact", *cells_by], descending=[True] + [False] * len(cells_by))
    cells = cells.with_row_index("priority").with_columns(nw.col("priority") + 1)

    values = work["_m"].to_numpy()
    as_rate = scale == "rate" or (scale == "auto" and values.size > 0
                                  and bool(((values >= 0) & (values <= 1)).all()))
    namespace = nw.get_native_namespace(data)
    gaps, volumes = cells["gap"].to_numpy(), cells["volume"].to_numpy()
    position = np.where(np.isclose(gaps, 0.0, atol=1e-12), "at benchmark",
                        np.where(gaps > 0, "below benchmark", "above benchmark"))
    texts = _explain(gaps, volumes, as_rate, volume_label, currency)
    cells = cells.with_columns(
        nw.new_series("position", position.tolist(), nw.String, backend=namespace),
        nw.new_series("explanation", texts, nw.String, backend=namespace),
    ).select("priority", *cells_by, "entities", "volume", "value", "benchmark", "gap",
             "impact", "position", "explanation")
    if treatments is not None:
        plan = treatments if isinstance(treatments, TreatmentMap) else TreatmentMap(treatments)
        cells = eager(plan.assign(cells.to_native(), segment="segment",
                                  stratum="stratum" if stratum else None)).sort("priority")
    return nw.maybe_reset_index(cells).to_native()


# ----------------------------------------------------------------------------- internals
def _treatment(item: Treatment | Mapping[str, Any], index: int) -> Treatment:
    if isinstance(item, Treatment):
        return item
    try:
        return Treatment.model_validate(dict(item) if isinstance(item, Mapping) else item)
    except (ValidationError, TypeError, ValueError) as err:
        name = item.get("name") if isinstance(item, Mapping) else None
        where = f"Treatment {name!r}" if name else f"Treatment number {index + 1}"
        problems = "; ".join(
            f"{'.'.join(map(str, e['loc'])) or 'value'}: {e['msg']}" for e in err.errors()
        ) if isinstance(err, ValidationError) else str(err)
        raise SpecError(
            f"{where} is not valid: {problems}.",
            hint=f"Give a name and a kind ({', '.join(_KINDS)}); segment and stratum are "
                 "labels or '*' for any, e.g. {'segment': 'SMB', 'stratum': 'bottom quartile', "
                 "'kind': 'intervention', 'name': 'Deal review'}.",
        ) from err


def _specificity(entry: dict[str, str], segment: str, stratum: str | None) -> int:
    """-1 when the entry does not match; else higher for more specific keys."""
    seg, strat = entry["segment"], entry["stratum"]
    if seg not in (ANY, segment) or (strat != ANY and strat != stratum):
        return -1
    return (2 if seg != ANY else 0) + (1 if strat != ANY else 0)


def _listing(labels: Sequence[str], limit: int = 15) -> str:
    if not labels:
        return "none (only '*')"
    shown = ", ".join(repr(x) for x in labels[:limit])
    return shown + (f" and {len(labels) - limit} more" if len(labels) > limit else "")


def _suggest(label: str, valid: Sequence[str], field: str) -> str:
    close = difflib.get_close_matches(label, list(valid), n=1, cutoff=0.6)
    if close:
        return f"Did you mean {close[0]!r}? Labels must match exactly; '*' means any {field}."
    return f"Use one of the labels above, or '*' for any {field}."


def _with_benchmark(cells: nw.DataFrame, work: nw.DataFrame, stratified: bool,
                    benchmark: Benchmark, higher_is_better: bool) -> nw.DataFrame:
    if benchmark == "median":
        expr = nw.col("_m").median()
    elif benchmark == "mean":
        expr = nw.col("_mv").sum() / nw.col("_v").sum()
    else:
        expr = nw.col("_m").quantile(0.75 if higher_is_better else 0.25,
                                     interpolation="linear")
    if not stratified:  # segments measured against all entities
        level = work.select(expr.alias("benchmark"))["benchmark"].item()
        return cells.with_columns(benchmark=nw.lit(level, nw.Float64))
    if benchmark == "mean":  # a ratio of sums: sum first, divide after (plain aggregations)
        per = work.group_by("segment").agg(nw.col("_mv").sum(), nw.col("_v").sum())
        per = per.with_columns(benchmark=nw.when(nw.col("_v") > 0).then(
            nw.col("_mv") / nw.col("_v"))).select("segment", "benchmark")
    else:
        per = work.group_by("segment").agg(expr.alias("benchmark"))
    return cells.join(per, on="segment", how="left")


def _explain(gaps: np.ndarray, volumes: np.ndarray, as_rate: bool, volume_label: str,
             currency: str | None) -> list[str]:
    """The arithmetic of each cell in words (cells are aggregates: a few dozen rows)."""
    texts = []
    for gap, vol in zip(gaps.tolist(), volumes.tolist(), strict=True):
        if not (math.isfinite(gap) and math.isfinite(vol)):
            texts.append("no benchmark to compare with")
            continue
        word = "gap" if gap > 0 else "lead"
        size = abs(gap)
        if as_rate:
            result = f"{size * vol:,.1f} {volume_label}-equivalent"
            line = f"{word} {size * 100:.1f} pts x {vol:,.0f} {volume_label} = {result}"
        else:
            unit = currency or ""
            line = (f"{word} {unit}{_number(size)} x {vol:,.0f} {volume_label} = "
                    f"{unit}{_number(size * vol)}")
        texts.append(line + (" at stake" if gap < 0 else ""))
    return texts


def _number(value: float) -> str:
    """Whole numbers once they are large enough for decimals to be noise."""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"
