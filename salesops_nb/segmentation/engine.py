"""The segmentation engine: fit a spec, assign segments and strata, profile the segments.

Written against narwhals expressions, vectorised: the same spec gives the same labels on pandas
and Polars (eager or lazy), and the output has the input's type. Following the narwhals-on-pandas
trap, derived columns are computed with ``with_columns`` first and ``group_by().agg()`` only sees
plain aggregations of plain columns.

Example
-------
>>> from salesops_nb.data.sample import sample_opportunities
>>> deals = sample_opportunities(2000)
>>> spec = SegmentationSpec(bandings=[Banding(name="size", field="amount")])
>>> assigned = assign(deals, spec)                                   # doctest: +SKIP
>>> profile(assigned, spec=spec)[["segment", "count"]]               # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import narwhals as nw
import numpy as np
import pandas as pd

from salesops_nb.errors import ParameterError
from salesops_nb.segmentation import _frames, _strata
from salesops_nb.segmentation.bandings import band_expr, fit_banding
from salesops_nb.segmentation.rules import rule_cases, rules_expr, validate_rules
from salesops_nb.segmentation.spec import SegmentationSpec
from salesops_nb.segmentation.spec_parts import Matrix, Stratification

__all__ = ["AGGREGATIONS", "assign", "fit", "profile", "stratum_expr", "within_percentile_expr"]

_POSITION = "__salesops_position"
_CODE = "__salesops_segment_code"

#: Aggregations a user may ask :func:`profile` for, by name.
AGGREGATIONS = ("sum", "mean", "median", "min", "max", "std", "count", "n_unique")


def fit(frame: Any, spec: SegmentationSpec, *, refit: bool = False) -> SegmentationSpec:
    """Return a copy of ``spec`` whose data-driven bandings have edges learned from ``frame``.

    Parameters
    ----------
    frame
        pandas or Polars (eager or lazy) data holding the spec's fields.
    spec
        The spec to fit; it is not changed.
    refit
        Recompute edges that are already fitted (by default they are kept, so a saved spec gives
        the same labels on new data).
    """
    nw_frame = _frames.to_narwhals(frame)
    _frames.require_fields(nw_frame, spec.fields(), f"Spec {spec.name!r}")
    bandings = [
        fit_banding(nw_frame, b) if refit or not b.is_fitted else b for b in spec.bandings
    ]
    data = spec.model_dump()
    data["bandings"] = [b.model_dump() for b in bandings]
    return SegmentationSpec.model_validate(data)


def assign(frame: Any, spec: SegmentationSpec) -> Any:
    """Add ``segment``, ``stratum`` (with strata) and one column per banding and matrix.

    An unfitted spec is fitted on ``frame`` first (call :meth:`SegmentationSpec.fit` once and
    keep the result to reuse the same edges on other data). The input is never changed.

    Returns
    -------
    The same kind of frame as ``frame`` (pandas in, pandas out; a Polars LazyFrame stays lazy),
    with string label columns.

    Raises
    ------
    MissingColumnsError
        A field of the spec is not a column (close names suggested).
    NonNumericFieldError, SpecError
        A numeric banding, comparison or metric on a non-numeric column; a rule comparing values
        of the wrong kind.
    """
    nw_frame = _frames.to_narwhals(frame)
    if not spec.is_fitted:
        spec = fit(nw_frame, spec)
    _frames.require_fields(nw_frame, spec.fields(), f"Spec {spec.name!r}")
    validate_rules(spec, nw_frame)
    out = nw_frame
    if spec.bandings:
        out = out.with_columns(*[band_expr(b, nw_frame) for b in spec.bandings])
    if spec.matrices:
        out = out.with_columns(*[_matrix_expr(spec, m, nw_frame) for m in spec.matrices])
    source = spec.source
    peers = "segment"
    if source == "rules" and spec.strata is not None and nw_frame.implementation.is_pandas_like():
        # pandas groups on small integer codes markedly faster than on text: rank within the
        # rules' codes, and turn them into labels once.
        codes, labels = _frames.label_codes(rule_cases(spec, nw_frame), spec.catch_all or "")
        out = out.with_columns(codes.alias(_CODE))
        segment, peers = _frames.code_labels(nw.col(_CODE), labels), _CODE
    else:
        segment = rules_expr(spec, nw_frame) if source == "rules" else nw.col(source)
    out = out.with_columns(segment.alias("segment"))
    if spec.strata is not None:
        where = f"The strata metric of spec {spec.name!r}"
        _frames.require_numeric(nw_frame, spec.strata.metric, where)
        out = _with_strata(out, spec.strata, peers)
        if peers == _CODE:
            out = out.drop(_CODE)
    return nw.to_native(out)


def _with_strata(frame: nw.DataFrame | nw.LazyFrame, strata: Stratification, peers: str
                 ) -> nw.DataFrame | nw.LazyFrame:
    """Add ``stratum`` (within the ``peers`` column): by selection on pandas, else by rank."""
    if _strata.is_plain_pandas(frame):
        native = frame.to_native()
        codes = _strata.pandas_strata(native, strata.metric, [peers], strata.count,
                                      higher_is_better=strata.higher_is_better)
        if codes is not None:
            labels = [*strata.stratum_labels(), strata.unknown_label]
            column = _strata.pandas_labels(codes, labels, native.index)
            return nw.from_native(native.assign(stratum=column), eager_only=True)
    # The position is computed once as a column: each branch of the label chain would
    # otherwise re-run the grouped rank (backends such as pandas do not share sub-results).
    position = within_percentile_expr(
        strata.metric, frame, by=peers, higher_is_better=strata.higher_is_better
    )
    frame = frame.with_columns(position.alias(_POSITION))
    return frame.with_columns(stratum_expr(strata, frame, position=nw.col(_POSITION))).drop(
        _POSITION)


def within_percentile_expr(
    metric: str, frame: nw.DataFrame | nw.LazyFrame, *, by: str | Sequence[str] = "segment",
    higher_is_better: bool = True,
) -> nw.Expr:
    """Mid-rank position of each value among its group's non-missing values, best first.

    ``(average rank - 0.5) / n`` lies in (0, 1): near 0 is the best of the group, near 1 the worst;
    ties share a position. Missing values get null.
    """
    value = _frames.numeric(metric, frame)
    keys = [by] if isinstance(by, str) else list(by)
    rank = value.rank(method="average", descending=higher_is_better).over(*keys)
    return (rank - 0.5) / value.count().over(*keys)


def stratum_expr(
    strata: Stratification, frame: nw.DataFrame | nw.LazyFrame, *, position: nw.Expr | None = None
) -> nw.Expr:
    """The ``stratum`` column: within-segment position cut into ``strata.count`` equal parts.

    ``position`` defaults to :func:`within_percentile_expr` of the metric within ``segment``.
    """
    if position is None:
        position = within_percentile_expr(
            strata.metric, frame, higher_is_better=strata.higher_is_better
        )
    labels = strata.stratum_labels()
    cases = [(position.is_null(), strata.unknown_label)]
    cases += [(position < i / strata.count, label) for i, label in enumerate(labels[:-1], 1)]
    return _frames.label_chain(cases, labels[-1], frame).alias("stratum")


def _matrix_expr(
    spec: SegmentationSpec, matrix: Matrix, frame: nw.DataFrame | nw.LazyFrame | None = None
) -> nw.Expr:
    rows = spec.banding(matrix.rows)
    cols = spec.banding(matrix.columns)
    named = {(c.row, c.column): c.label for c in matrix.cells}
    row, col = nw.col(rows.name), nw.col(cols.name)
    cases = [((row == rows.unknown_label) | (col == cols.unknown_label), matrix.unknown_label)]
    for r in rows.band_labels():
        for c in cols.band_labels():
            cases.append(((row == r) & (col == c), named.get((r, c), f"{r} / {c}")))
    return _frames.label_chain(cases, matrix.unknown_label, frame).alias(matrix.name)


# -- profile --------------------------------------------------------------------------------------


def profile(
    frame: Any,
    *,
    spec: SegmentationSpec | None = None,
    by: str | Sequence[str] = "segment",
    measures: Sequence[str] | None = None,
    outcome: str | None = "is_won",
    closed: str | None = "is_closed",
    cycle: str | None = "cycle_days",
    aggregations: Mapping[str, tuple[str, str]] | None = None,
) -> pd.DataFrame:
    """One row per segment: size, share, measures, win rate, cycle days, custom aggregations.

    Parameters
    ----------
    frame
        An assigned frame (from :func:`assign`), any backend.
    spec
        When given, rows follow its label order and empty segments appear with a count of 0.
    by
        The column(s) to group by: "segment", or e.g. ["segment", "stratum"].
    measures
        Numeric columns to sum, average and take the median of; default ``["amount"]`` if present.
    outcome
        A true/false column (won); gives ``won`` and ``win_rate``. Skipped if absent.
    closed
        A true/false column (closed); the win rate is won / closed. Without it, the win rate is
        the share of rows where ``outcome`` is true, among rows where it is known.
    cycle
        A numeric column of cycle days; gives ``avg_cycle_days``. Skipped if absent.
    aggregations
        Extra columns: ``{"biggest_deal": ("amount", "max")}``; functions: see AGGREGATIONS.

    Returns
    -------
    pandas.DataFrame
        Columns: the ``by`` columns, ``count``, ``share``, ``<measure>_sum``/``_mean``/``_median``,
        ``won``, ``closed``, ``win_rate``, ``avg_cycle_days``, then the aggregations.
    """
    nw_frame = _frames.to_narwhals(frame)
    keys = [by] if isinstance(by, str) else list(by)
    columns = _frames.schema(nw_frame)
    _frames.require_fields(nw_frame, keys, "The profile")
    if measures is None:
        measures = ["amount"] if "amount" in columns else []
    _frames.require_fields(nw_frame, list(measures), "The profile's measures")
    for m in measures:
        _frames.require_numeric(nw_frame, m, f"The profile measure {m!r}")
    aggregations = dict(aggregations or {})
    _check_aggregations(nw_frame, aggregations)

    derived: list[nw.Expr] = []
    aggs: list[nw.Expr] = [nw.len().alias("count")]
    for m in measures:
        value = _frames.numeric(m, nw_frame)
        derived.append(value.alias(f"__{m}"))
        aggs += [nw.col(f"__{m}").sum().alias(f"{m}_sum"), nw.col(f"__{m}").mean().alias(
            f"{m}_mean"), nw.col(f"__{m}").median().alias(f"{m}_median")]
    has_outcome = outcome is not None and outcome in columns
    has_closed = has_outcome and closed is not None and closed in columns
    if has_outcome:
        won = nw.col(outcome).fill_null(value=False)
        if has_closed:
            is_closed = nw.col(closed).fill_null(value=False)
            derived += [(won & is_closed).cast(nw.Int64).alias("__won"),
                        is_closed.cast(nw.Int64).alias("__closed")]
        else:
            known = ~nw.col(outcome).is_null()
            derived += [(won & known).cast(nw.Int64).alias("__won"),
                        known.cast(nw.Int64).alias("__closed")]
        aggs += [nw.col("__won").sum().alias("won"), nw.col("__closed").sum().alias("closed")]
    has_cycle = cycle is not None and cycle in columns and _frames.is_numeric(columns[cycle])
    if has_cycle:
        derived.append(_frames.numeric(cycle, nw_frame).cast(nw.Float64).alias("__cycle"))
        aggs.append(nw.col("__cycle").mean().alias("avg_cycle_days"))
    for name, (column, func) in aggregations.items():
        derived.append(nw.col(column).alias(f"__agg_{name}"))
        aggs.append(getattr(nw.col(f"__agg_{name}"), func)().alias(name))
    if not aggs[1:] and not derived:
        derived.append(nw.lit(1).alias("__one"))  # some backends refuse a select of keys only

    grouped = nw_frame.select(*[nw.col(k) for k in keys], *derived).group_by(*keys).agg(*aggs)
    table = _frames.collect_pandas(grouped)
    for key in keys:  # labels as plain text whatever the backend's string type
        table[key] = table[key].astype(object).where(table[key].notna(), None)
    table = _ordered(table, keys, spec)
    total = table["count"].sum()
    table.insert(len(keys) + 1, "share", table["count"] / total if total else 0.0)
    if has_outcome:
        closed_n = table["closed"].to_numpy(dtype=float)
        with np.errstate(invalid="ignore", divide="ignore"):
            rate = np.where(closed_n > 0, table["won"].to_numpy(dtype=float) / closed_n, np.nan)
        position = table.columns.get_loc("closed") + 1
        table.insert(position, "win_rate", rate)
    return table


def _check_aggregations(frame, aggregations: Mapping[str, tuple[str, str]]) -> None:
    for name, spec in aggregations.items():
        if not (isinstance(spec, tuple | list) and len(spec) == 2 and spec[1] in AGGREGATIONS):
            raise ParameterError(
                f"Aggregation {name!r}: {spec!r} is not a (column, function) pair.",
                hint=f"Write e.g. {{{name!r}: ('amount', 'max')}}; functions: "
                f"{', '.join(AGGREGATIONS)}.",
            )
        _frames.require_fields(frame, [spec[0]], f"The aggregation {name!r}")


def _ordered(table: pd.DataFrame, keys: list[str], spec: SegmentationSpec | None) -> pd.DataFrame:
    """Rows in the spec's label order, empty segments and strata shown with a count of 0."""
    orders: dict[str, list[str]] = {}
    if spec is not None:
        if "segment" in keys:
            orders["segment"] = spec.labels()
        if "stratum" in keys and spec.strata is not None:
            orders["stratum"] = spec.stratum_labels()
        for banding in spec.bandings:
            if banding.name in keys:
                orders[banding.name] = banding.all_labels()
        for matrix in spec.matrices:
            if matrix.name in keys:
                orders[matrix.name] = spec.matrix_labels(matrix)
    levels = []
    for key in keys:
        seen = [v for v in table[key].tolist() if v is not None]
        known = orders.get(key, [])
        extra = sorted({str(v) for v in seen} - set(known))
        # Unknown labels (e.g. a missing-value label) only appear when they hold rows.
        base = [v for v in known if v in set(seen) or not _is_unknown_label(v, spec)]
        levels.append(base + extra if key in orders else sorted({str(v) for v in seen}))
    if len(keys) == 1:
        index = pd.Index(levels[0], name=keys[0], dtype=object)
    else:
        index = pd.MultiIndex.from_product(levels, names=keys)
    counts_only = ["count", "won", "closed"]
    table = table.set_index(keys[0] if len(keys) == 1 else keys)
    full = table.reindex(index)
    for column in full.columns:
        if column in counts_only:
            full[column] = full[column].fillna(0).astype("int64")
        elif pd.api.types.is_numeric_dtype(full[column]) and not pd.api.types.is_bool_dtype(
            full[column]
        ):
            # One float dtype whatever the backend (nullable Int64/Float64 means become NaN).
            full[column] = full[column].astype("float64")
    return full.reset_index()


def _is_unknown_label(label: str, spec: SegmentationSpec | None) -> bool:
    if spec is None:
        return False
    unknowns = {b.unknown_label for b in spec.bandings} | {m.unknown_label for m in spec.matrices}
    if spec.strata is not None:
        unknowns.add(spec.strata.unknown_label)
    return label in unknowns
