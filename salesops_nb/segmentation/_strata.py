"""Strata without a sort: each deal's stratum from a few order statistics per segment.

The definition (:class:`~salesops_nb.segmentation.spec.Stratification`): a value's position in
its segment is its mid-rank ``p = (average rank - 0.5) / n`` among the segment's non-missing
values, best first, and stratum i holds ``(i-1)/count <= p < i/count``. Computing ``p`` for every
row is a grouped sort, O(n log n) with poor cache behaviour: on pandas it was most of the
pipeline's time at 10M rows and made it grow faster than the data.

``p`` only grows from the best value to the worst, so each boundary ``k/count`` is crossed at one
value of the segment. With G values strictly better than a value v and E equal to it (its ties),
``p(v) = (G + E/2) / n``, and ``p(v) >= k/count`` exactly when ``count * (2G + E) >= 2nk`` (in
integers, so no rounding can disagree with the rank). The only value whose answer is not settled
by comparison alone is the one at best-first index ``T = floor(n k / count)``: every value better
than it has ``G + E <= T`` (it fails), every worse one has ``G > T`` (it passes). So per segment
and boundary it takes one order statistic (selection, ``np.partition``: linear) and two counts.
The result equals the rank-based definition for every input, ties and missing values included.
"""

from __future__ import annotations

from typing import Any

import narwhals as nw
import numpy as np
import pandas as pd

__all__ = ["MAX_GROUPS", "pandas_strata", "stratum_codes"]

#: Above this many segments the per-segment loop costs more than the grouped rank it replaces.
MAX_GROUPS = 2000


def stratum_codes(
    values: np.ndarray, valid: np.ndarray, groups: np.ndarray, n_groups: int, count: int,
    *, higher_is_better: bool = True,
) -> np.ndarray:
    """The 0-based stratum of each row (``count`` for a missing value), as int8.

    Parameters
    ----------
    values
        The metric, one number per row (any value where ``valid`` is False).
    valid
        True where the metric is known.
    groups
        The row's segment as a code in ``[0, n_groups)``.
    n_groups
        The number of segment codes (at most 65,536).
    count
        Strata per segment.
    higher_is_better
        Best first means largest first (else smallest first).
    """
    if not valid.any():
        return np.full(len(values), count, dtype=np.int8)
    everything = bool(valid.all())
    known = values if everything else values[valid]
    if n_groups > 1:
        # Narrow codes first (less memory to move at 10M rows); a stable sort of one-byte or
        # two-byte codes is a radix sort (linear): it lays each segment out contiguously so
        # that selection can run on it.
        codes = groups.astype(np.uint8 if n_groups <= 256 else np.uint16, copy=False)
        codes = codes if everything else codes[valid]
        order = np.argsort(codes, kind="stable")
        known = known[order]
        sizes = np.bincount(codes, minlength=n_groups)
    else:
        order = None
        sizes = np.array([len(known)])
    result = np.empty(len(known), dtype=np.int8)
    start = 0
    for size in sizes.tolist():
        stop = start + size
        if size:
            result[start:stop] = _segment_codes(known[start:stop], count, higher_is_better)
        start = stop
    if order is not None:
        unsorted = np.empty_like(result)
        unsorted[order] = result
        result = unsorted
    if everything:
        return result
    out = np.full(len(values), count, dtype=np.int8)
    out[valid] = result
    return out


def _segment_codes(values: np.ndarray, count: int, higher_is_better: bool) -> np.ndarray:
    """Strata of one segment's known values (see the module docstring for why this is exact)."""
    n = len(values)
    # For boundary k: the best-first index T of the value that straddles it, as an index into
    # the values in ascending order.
    index = {k: (n - 1 - (n * k) // count) if higher_is_better else (n * k) // count
             for k in range(1, count)}
    selected = values.copy()
    done = 0
    for position in sorted(set(index.values())):
        # One order statistic per call: numpy's single-kth partition is its fastest selection;
        # everything left of ``position`` is already no larger, so only the rest is searched.
        selected[done:].partition(position - done)
        done = position + 1
    codes = np.zeros(n, dtype=np.int8)
    for k, position in index.items():
        pivot = selected[position]
        equal = int(np.count_nonzero(values == pivot))
        better = int(np.count_nonzero(values > pivot if higher_is_better else values < pivot))
        passes = count * (2 * better + equal) >= 2 * n * k  # p(pivot) >= k / count, exactly
        if higher_is_better:
            beyond = values <= pivot if passes else values < pivot
        else:
            beyond = values >= pivot if passes else values > pivot
        codes += beyond
    return codes


def pandas_strata(frame: pd.DataFrame, metric: str, keys: list[str], count: int,
                  *, higher_is_better: bool) -> np.ndarray | None:
    """:func:`stratum_codes` of a pandas frame, or None when the fast path does not apply.

    It does not apply to metrics that are not plain integers or floats, or to more than
    :data:`MAX_GROUPS` segments; the caller then ranks.
    """
    values_valid = _numbers(frame[metric])
    if values_valid is None:
        return None
    groups = _group_codes(frame, keys)
    if groups is None:
        return None
    codes, n_groups = groups
    values, valid = values_valid
    return stratum_codes(values, valid, codes, n_groups, count,
                         higher_is_better=higher_is_better)


def _numbers(series: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """The metric as numpy numbers and its validity; float NaN counts as missing (as in
    :func:`~salesops_nb.segmentation._frames.numeric`). Integers stay integers (exact ties)."""
    dtype = series.dtype
    kind = getattr(getattr(dtype, "numpy_dtype", dtype), "kind", "")
    if kind == "f":
        if dtype == np.float64:  # a view, no copy
            values = series.to_numpy()
            return values, ~np.isnan(values)
        values = series.to_numpy(dtype="float64", na_value=np.nan)
        return values, ~np.isnan(values)
    if kind in "iu" and kind:
        numpy_dtype = getattr(dtype, "numpy_dtype", dtype)
        valid = series.notna().to_numpy(dtype=bool)
        return series.to_numpy(dtype=numpy_dtype, na_value=0), valid
    return None


def _group_codes(frame: pd.DataFrame, keys: list[str]) -> tuple[np.ndarray, int] | None:
    """Each row's segment as a small integer code; a missing key is a segment of its own
    (as in the grouped rank)."""
    if len(keys) == 1:
        column = frame[keys[0]]
        if column.dtype.kind in "iu":
            # The engine's own segment codes are small non-negative integers already.
            codes = column.to_numpy()
            low, high = (int(codes.min()), int(codes.max())) if len(codes) else (0, 0)
            if low >= 0 and high < MAX_GROUPS:
                return codes, high + 1
        codes, uniques = pd.factorize(column, use_na_sentinel=False)
        n_groups = len(uniques)
    else:
        codes = frame.groupby(keys, dropna=False, sort=False, observed=True).ngroup().to_numpy()
        n_groups = int(codes.max()) + 1 if len(codes) else 0
    return (codes, n_groups) if n_groups <= MAX_GROUPS else None


def pandas_labels(codes: np.ndarray, labels: list[str], index: pd.Index) -> pd.Series:
    """Text labels of integer codes as a pandas string column, with one vectorised take."""
    return pd.Series(pd.array(labels, dtype="str").take(codes.astype(np.intp)), index=index,
                     copy=False)


def is_plain_pandas(frame: Any) -> bool:
    """True for an eager narwhals frame over pandas itself (not modin or cuDF)."""
    return isinstance(frame, nw.DataFrame) and frame.implementation is nw.Implementation.PANDAS

