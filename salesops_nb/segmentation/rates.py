"""Fair comparison of rates: funnel-plot control limits and empirical-Bayes shrinkage.

A win rate from three deals is mostly noise. Two tools keep small numbers honest:

- **Funnel limits.** Around the segment's peer rate ``p0`` (its pooled rate: won / closed of
  all its entities), the exact binomial distribution says how far a rate from ``n`` deals can
  stray by chance: the 2.5% and 97.5% quantiles of Binomial(n, p0), divided by n, bound the
  95% band, the 0.1% and 99.9% quantiles the 99.8% band. An entity outside is unusual for its
  volume; inside, its difference from the peers may be luck.
- **Empirical-Bayes shrinkage.** A Beta(alpha, beta) prior is fitted to the rates of the peers
  in each segment by the method of moments; an entity with ``w`` wins in ``n`` trials then has
  the shrunk rate ``(w + alpha) / (n + alpha + beta)``: few deals pull it to the peer mean,
  many deals keep its own rate. Ranks and good/bad flags use this estimate.

The method of moments, per segment (k entities with trials, rates r_i = w_i / n_i), in the
additive random-effects form used for over-dispersed funnel plots:

- prior mean ``m`` = the pooled rate sum(w) / sum(n) (the funnel's p0);
- each entity's z-score ``z_i = (r_i - m) / sqrt(m (1 - m) / n_i)``, winsorised to the
  segment's 10th-90th percentiles so that one laggard cannot pass for peer spread (the sum of
  squares is then divided by 0.68, the share of a normal's variance that survives the
  clipping, so that true spread is not under-stated);
- chance alone makes ``sum(z_i^2)`` about ``k - 1``; the excess measures the true
  between-entity variance ``tau2 = m (1 - m) (sum(z_i^2) - (k - 1)) / (sum(n) - sum(n^2) /
  sum(n))`` (weighting by trials: a three-deal rep cannot inflate the spread on its own);
- prior strength (pseudo-trials) ``alpha + beta = m (1 - m) / tau2 - 1``, clipped to
  ``[1, max_strength]``; ``alpha = m * strength``, ``beta = (1 - m) * strength``.

Fallbacks, named in the ``prior_note`` column of :func:`fit_priors` so a reader knows:

- spread no larger than chance (``tau2 <= 0``), or a single trial per entity (nothing to tell
  skill from luck with): the entities are indistinguishable from their
  peers, so the strongest prior, ``max_strength`` (by default the segment's total trials), is
  used;
- fewer than two entities with trials: a spread cannot be measured; the strength of the prior
  fitted to all entities together is borrowed (or ``max_strength`` if that fails too);
- no wins (or no losses) at all: ``m`` is 0 (1) and the Beta prior degenerate, so the mean is
  moved half a trial inward, ``(sum(w) + 0.5) / (sum(n) + 1)``, with the strongest prior;
- no trials at all: no prior; the entities of that segment have no rate (null).

An entity without trials has no rate, raw or shrunk (null): it is never ranked.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import narwhals as nw
import numpy as np
import pandas as pd
from narwhals.typing import IntoFrameT
from scipy.stats import binom, norm

from salesops_nb.errors import DataError, MissingColumnsError, ParameterError
from salesops_nb.segmentation import _frames

__all__ = [
    "FUNNEL_BANDS",
    "fit_priors",
    "funnel_limits",
    "funnel_lines",
    "rate_table",
    "single_trial_priors",
]

FUNNEL_BANDS: dict[str, tuple[float, float]] = {"95": (0.025, 0.975), "998": (0.001, 0.999)}
"""Control-limit bands by suffix: the lower and upper binomial quantiles of each."""

_NO_SEGMENT = "(no segment)"
_WINSOR = 0.1  # share clipped at each end of the z-scores
_Q = float(norm.ppf(1 - _WINSOR))
# E[z^2] of a standard normal winsorised at its 10th/90th percentiles (about 0.68): dividing
# by it makes the clipped sum estimate the same spread as the unclipped one would.
_WINSOR_FACTOR = (1 - 2 * _WINSOR) - 2 * _Q * float(norm.pdf(_Q)) + 2 * _WINSOR * _Q**2
_KEY = "__segment_key"


def funnel_limits(p0: float | np.ndarray, n: float | np.ndarray) -> dict[str, np.ndarray]:
    """Exact binomial control limits of a rate around ``p0`` for ``n`` trials.

    Parameters
    ----------
    p0
        Peer rate(s), between 0 and 1.
    n
        Number(s) of trials; broadcast against ``p0``.

    Returns
    -------
    dict
        ``lower95``, ``upper95``, ``lower998``, ``upper998``: the quantiles of
        Binomial(n, p0) divided by n (NaN where ``n`` is 0 or ``p0`` unknown), and the raw
        quantile counts under the same names with a ``_count`` suffix.

    Examples
    --------
    >>> limits = funnel_limits(0.3, 100)
    >>> float(limits["lower95"]), float(limits["upper95"])
    (0.21, 0.39)
    """
    p = np.asarray(p0, dtype=float)
    trials = np.asarray(n, dtype=float)
    p, trials = np.broadcast_arrays(p, trials)
    ok = (trials > 0) & np.isfinite(p) & (p >= 0) & (p <= 1)
    safe_n = np.where(ok, trials, 1.0)
    safe_p = np.where(ok, p, 0.5)
    limits: dict[str, np.ndarray] = {}
    for band, (low, high) in FUNNEL_BANDS.items():
        for side, q in (("lower", low), ("upper", high)):
            count = np.where(ok, binom.ppf(q, safe_n, safe_p), np.nan)
            limits[f"{side}{band}_count"] = count
            limits[f"{side}{band}"] = count / np.where(ok, safe_n, np.nan)
    return limits


def funnel_lines(p0: float, max_n: float, *, points: int = 120) -> pd.DataFrame:
    """The control-limit lines of a funnel plot, for ``n`` from 1 to ``max_n``.

    ``n`` runs on a roughly geometric grid of whole numbers (every number while they are
    few), so a chart draws the steps of the exact limits with a few hundred rows at most.

    Returns
    -------
    DataFrame
        ``n``, ``peer_rate`` and the four limits of :func:`funnel_limits`.
    """
    top = max(int(np.ceil(max_n)), 1)
    grid = np.unique(np.round(np.geomspace(1, top, num=max(points, 2))).astype(np.int64))
    grid = np.union1d(grid, np.arange(1, min(top, 30) + 1))
    limits = funnel_limits(p0, grid)
    frame = pd.DataFrame({"n": grid, "peer_rate": np.full(grid.size, float(p0))})
    for name in ("lower95", "upper95", "lower998", "upper998"):
        frame[name] = limits[name]
    return frame


def fit_priors(frame: IntoFrameT, *, successes: str = "won", trials: str = "closed",
               segment: str = "segment", max_strength: float | None = None) -> pd.DataFrame:
    """Fit the Beta(alpha, beta) prior of each segment by the method of moments.

    Parameters
    ----------
    frame
        One row per entity (pandas or Polars) with a segment column and the counts.
    successes, trials
        Columns of successes (e.g. ``won``) and trials (e.g. ``closed``) per entity.
    segment
        Column naming each entity's segment; null segments form "(no segment)".
    max_strength
        Largest prior strength (alpha + beta, in trials); default: the segment's total
        trials, so even the strongest prior weighs no more than the segment's own record.

    Returns
    -------
    pandas.DataFrame
        One row per segment: ``segment``, ``entities`` (with trials), ``successes``,
        ``trials``, ``peer_rate`` (pooled: the funnel's p0), ``spread`` (sd of the
        entities' rates), ``winsorised`` (entities whose z-score was clipped), ``prior_mean``,
        ``alpha``, ``beta``, ``strength`` (alpha + beta) and ``prior_note``.
    """
    data = eager(frame)
    require(data, [successes, trials, segment], purpose="Rate shrinkage")
    counts = _counts(data, successes, trials, segment)
    return _fit(counts, max_strength)


def single_trial_priors(sums: pd.DataFrame, *,
                        max_strength: float | None = None) -> pd.DataFrame:
    """:func:`fit_priors` for entities of one trial at most (deals), from per-segment counts.

    When every entity is a single deal, all that the method of moments needs follows from
    each segment's won and closed counts: the rates are 0 or 1 and the z-scores take two
    values, so their winsorising quantiles are exact order statistics. The priors are those
    :func:`fit_priors` gives on the deals themselves, without the deals: a deal-level
    comparison on DuckDB or Spark shrinks rates on the engine with them.

    Parameters
    ----------
    sums
        One row per segment: ``segment`` (text), ``w`` (won deals), ``n`` (closed deals).
    max_strength
        See :func:`fit_priors`.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`fit_priors`.
    """
    _check_strength(max_strength)
    require(nw.from_native(sums), ["segment", "w", "n"], purpose="Single-trial priors")
    total = pd.DataFrame({"segment": ["(all)"], "w": [float(sums["w"].sum())],
                          "n": [float(sums["n"].sum())]})
    return _fit_stats(_single_trial_stats(sums), _single_trial_stats(total), max_strength)


def rate_table(frame: IntoFrameT, *, successes: str = "won", trials: str = "closed",
               segment: str = "segment", name: str = "win_rate",
               max_strength: float | None = None) -> IntoFrameT:
    """Add funnel limits, funnel flags and the shrunk rate to an entity table.

    Parameters
    ----------
    frame
        One row per entity with ``segment``, ``successes`` and ``trials`` columns.
    successes, trials
        Count columns (e.g. ``won`` and ``closed``).
    segment
        Each entity's segment: peers are the entities of the same segment.
    name
        Stem of the added columns.
    max_strength
        See :func:`fit_priors`.

    Returns
    -------
    DataFrame
        The input (same kind, same row order) plus ``<name>_raw`` (w / n), ``<name>_peer``
        (segment's pooled rate p0), ``<name>_lower95``, ``<name>_upper95``,
        ``<name>_lower998``, ``<name>_upper998``, ``<name>_funnel`` ("above 99.8%",
        "above 95%", "within", "below 95%", "below 99.8%" or "no data"), ``<name>_shrunk``
        and ``<name>_weight`` (n / (n + alpha + beta): the share of the shrunk rate that is
        the entity's own record).

    Examples
    --------
    >>> import pandas as pd
    >>> reps = pd.DataFrame({"segment": ["A"] * 4, "won": [1, 30, 20, 25],
    ...                      "closed": [3, 60, 60, 60]})
    >>> table = rate_table(reps)
    >>> table["win_rate_funnel"].tolist()
    ['within', 'within', 'within', 'within']
    """
    table, _ = rate_columns(eager(frame), successes=successes, trials=trials,
                            segment=segment, name=name, max_strength=max_strength)
    return table.to_native()


def rate_columns(data: nw.DataFrame, *, successes: str, trials: str, segment: str, name: str,
                 max_strength: float | None = None) -> tuple[nw.DataFrame, pd.DataFrame]:
    """:func:`rate_table` on a narwhals frame, with the priors it fitted (fitted once)."""
    require(data, [successes, trials, segment], purpose="Rate comparison")
    counts = _counts(data, successes, trials, segment)
    priors = _fit(counts, max_strength)
    per_segment = priors.set_index("segment")
    key = counts["segment"]
    w = counts["w"].to_numpy()
    n = counts["n"].to_numpy()
    alpha = key.map(per_segment["alpha"]).to_numpy(dtype=float)
    beta = key.map(per_segment["beta"]).to_numpy(dtype=float)
    p0 = key.map(per_segment["peer_rate"]).to_numpy(dtype=float)

    has = n > 0
    raw = np.where(has, w / np.where(has, n, 1.0), np.nan)
    shrunk = np.where(has, (w + alpha) / (n + alpha + beta), np.nan)
    weight = np.where(has, n / (n + alpha + beta), np.nan)
    limits = funnel_limits(p0, n)
    flag = np.select(
        [~has | np.isnan(p0),
         w > limits["upper998_count"], w > limits["upper95_count"],
         w < limits["lower998_count"], w < limits["lower95_count"]],
        ["no data", "above 99.8%", "above 95%", "below 99.8%", "below 95%"],
        default="within",
    )
    columns = {
        f"{name}_raw": raw,
        f"{name}_peer": np.where(has, p0, np.nan),
        **{f"{name}_{b}": limits[b] for b in ("lower95", "upper95", "lower998", "upper998")},
        f"{name}_funnel": flag,
        f"{name}_shrunk": shrunk,
        f"{name}_weight": weight,
    }
    namespace = nw.get_native_namespace(data)
    added = [
        nw.new_series(column, values, backend=namespace).fill_nan(None)
        if values.dtype.kind == "f" else nw.new_series(column, values.astype(str), nw.String,
                                                         backend=namespace)
        for column, values in columns.items()
    ]
    return data.with_columns(*added), priors


# ----------------------------------------------------------------------------- internals
def eager(frame: Any) -> nw.DataFrame:
    """A narwhals DataFrame of ``frame``; lazy frames (Polars, DuckDB, Spark) are collected.

    Entity tables are aggregates (one row per rep or account), small enough to hold. A Polars
    LazyFrame becomes a Polars DataFrame; DuckDB and Spark results become pandas, the one
    eager frame every install has (their own default, pyarrow, lacks grouped windows).
    """
    try:
        data = nw.from_native(frame)
    except TypeError as err:
        raise ParameterError(
            f"Expected a table (pandas or Polars DataFrame), got {type(frame).__name__}.",
            hint="Pass the entity table, e.g. salesops_nb.segmentation.entities.rep_table(deals).",
        ) from err
    if isinstance(data, nw.LazyFrame):
        polars = data.implementation is nw.Implementation.POLARS
        data = data.collect() if polars else nw.from_native(_frames.lazy_to_pandas(data))
    if not isinstance(data, nw.DataFrame):
        raise ParameterError(f"Expected a table, got a single column ({type(frame).__name__}).",
                             hint="Pass the whole table, not one of its columns.")
    return data


def require(frame: nw.DataFrame, columns: Sequence[str], *, purpose: str) -> None:
    """Raise one error naming every column ``purpose`` needs and ``frame`` lacks."""
    missing = [c for c in dict.fromkeys(columns) if c not in frame.columns]
    if missing:
        shown = ", ".join(map(str, frame.columns[:15])) or "none"
        raise MissingColumnsError(
            f"{purpose} needs the column(s) {', '.join(map(repr, missing))}; the table has: "
            f"{shown}.",
            hint="Build the entity table first (salesops_nb.segmentation.entities.rep_table) "
                 "and add the segment column (the segmentation engine's assign does).",
            missing=missing,
        )


def segment_key(frame: nw.DataFrame, segment: str) -> np.ndarray:
    """Each row's segment as text (nulls named "(no segment)"): a key both backends share."""
    labels = frame[segment].cast(nw.String).fill_null(_NO_SEGMENT).to_numpy()
    return np.asarray(labels, dtype=object)


def count_array(frame: nw.DataFrame, column: str) -> np.ndarray:
    """A count column as floats; nulls count as 0, negatives and text are refused."""
    series = frame[column]
    dtype = series.dtype
    if not (dtype.is_numeric() or dtype == nw.Boolean):
        raise DataError(f"Column {column!r} must hold counts (numbers), not {dtype}.",
                        hint="Use the won and closed columns of an entity table.")
    values = series.cast(nw.Float64).to_numpy().astype(float)
    values = np.nan_to_num(values, nan=0.0)
    if (values < 0).any():
        rows = np.flatnonzero(values < 0)[:5].tolist()
        raise DataError(f"Column {column!r} holds negative counts (rows {rows}).",
                        hint="Counts of deals are zero or more; check how the column was built.")
    return values


def _counts(data: nw.DataFrame, successes: str, trials: str, segment: str) -> pd.DataFrame:
    w = count_array(data, successes)
    n = count_array(data, trials)
    if (w > n).any():
        rows = np.flatnonzero(w > n)[:5].tolist()
        raise DataError(
            f"{successes!r} exceeds {trials!r} in rows {rows}: more successes than trials.",
            hint=f"Successes are counted among the trials, e.g. won among closed deals; "
                 f"check that {successes!r} and {trials!r} are not swapped.",
        )
    return pd.DataFrame({"segment": segment_key(data, segment), "w": w, "n": n})


def _fit(counts: pd.DataFrame, max_strength: float | None) -> pd.DataFrame:
    """Method-of-moments Beta priors per segment (see the module docstring for the rules)."""
    _check_strength(max_strength)
    return _fit_stats(_stats(counts), _stats(counts.assign(segment="(all)")), max_strength)


def _fit_stats(stats: pd.DataFrame, overall: pd.DataFrame,
               max_strength: float | None) -> pd.DataFrame:
    """The priors from per-segment sums (:func:`_stats`) and the same sums over all entities."""
    overall_strength, _ = _moments(overall, np.full(1, np.inf), np.full(1, np.nan))
    n = stats["n"].to_numpy()
    cap = n if max_strength is None else np.full(len(stats), float(max_strength))
    cap = np.maximum(cap, 1.0)
    strength, note = _moments(stats, cap, np.full(len(stats), overall_strength[0]))

    w, k = stats["w"].to_numpy(), stats["k"].to_numpy()
    pooled = np.where(n > 0, w / np.where(n > 0, n, 1.0), np.nan)
    extreme = (n > 0) & ((w == 0) | (w == n))
    mean = np.where(extreme, (w + 0.5) / (n + 1.0), pooled)
    with np.errstate(invalid="ignore", divide="ignore"):
        variance = (stats["r2"] - stats["r"] ** 2 / k) / (k - 1)
    return pd.DataFrame({
        "segment": stats.index.to_numpy(dtype=object),
        "entities": k.astype(np.int64),
        "successes": w,
        "trials": n,
        "peer_rate": pooled,
        "spread": np.where(k >= 2, np.sqrt(np.maximum(variance.to_numpy(), 0.0)), np.nan),
        "winsorised": stats["clipped"].to_numpy().astype(np.int64),
        "prior_mean": np.where(np.isfinite(strength), mean, np.nan),
        "alpha": mean * strength,
        "beta": (1.0 - mean) * strength,
        "strength": strength,
        "prior_note": note,
    })


def _check_strength(max_strength: float | None) -> None:
    if max_strength is not None and not max_strength >= 1:
        raise ParameterError(f"max_strength={max_strength!r} must be at least 1 (trials).",
                             hint="Leave it as None to use each segment's total trials.")


def _stats(counts: pd.DataFrame) -> pd.DataFrame:
    """Per-segment sums the moments need, with each entity's z-score winsorised.

    z = (r - m) / sqrt(m (1 - m) / n) measures an entity's distance from its segment's pooled
    rate in units of chance. Clipping z to the segment's 10th-90th percentiles (linear
    interpolation), as Spiegelhalter recommends for over-dispersed funnel plots, keeps one
    planted laggard from passing for peer spread: otherwise the prior weakens and a
    three-deal rep can rank first on luck.
    """
    w, n, segment = counts["w"], counts["n"], counts["segment"]
    has = n > 0
    by = counts.groupby("segment", sort=False)
    m = by["w"].transform("sum") / by["n"].transform("sum").where(lambda x: x > 0)
    rate = (w / n).where(has)
    z = (rate - m) / np.sqrt(m * (1.0 - m) / n.where(has))
    z = z.where(np.isfinite(z))
    low = z.groupby(segment, sort=False).transform("quantile", _WINSOR)
    high = z.groupby(segment, sort=False).transform("quantile", 1 - _WINSOR)
    clipped = z.clip(low, high)
    return pd.DataFrame({
        "segment": segment, "w": w, "n": n, "k": has.astype(float),
        "n2": (n * n).where(has, 0.0), "r": rate.fillna(0.0), "r2": (rate * rate).fillna(0.0),
        "zz": (clipped * clipped).fillna(0.0) / _WINSOR_FACTOR,
        "clipped": ((clipped - z).abs() > 1e-12).astype(np.int64),
    }).groupby("segment", sort=True).sum()


def _single_trial_stats(sums: pd.DataFrame) -> pd.DataFrame:
    """:func:`_stats` of segments whose entities have one trial at most, from w and n alone.

    A segment of n one-trial entities, w of them successes, has rates 0 (n - w times) and 1
    (w times), so k = n2 = n and r = r2 = w; its z-scores are z0 (losses) and z1 (wins), and
    their linear-interpolation quantiles are read off the sorted sample positions directly.
    """
    w = sums["w"].to_numpy(dtype=float)
    n = sums["n"].to_numpy(dtype=float)
    losses = n - w
    with np.errstate(invalid="ignore", divide="ignore"):
        m = w / n
        sd = np.sqrt(m * (1.0 - m))
        z0, z1 = -m / sd, (1.0 - m) / sd
    spread = (n > 0) & np.isfinite(z0) & np.isfinite(z1)

    def quantile(p: float) -> np.ndarray:
        # Position h = (N - 1) p in the sorted sample: losses fill 0 .. n-w-1, wins the rest.
        h = np.maximum(n - 1.0, 0.0) * p
        low = np.floor(h)
        high = np.minimum(low + 1.0, np.maximum(n - 1.0, 0.0))
        at_low = np.where(low < losses, z0, z1)
        at_high = np.where(high < losses, z0, z1)
        return at_low + (h - low) * (at_high - at_low)

    lower, upper = quantile(_WINSOR), quantile(1 - _WINSOR)
    c0, c1 = np.clip(z0, lower, upper), np.clip(z1, lower, upper)
    zz = np.where(spread, (losses * c0 * c0 + w * c1 * c1) / _WINSOR_FACTOR, 0.0)
    clipped = np.where(spread, losses * (np.abs(c0 - z0) > 1e-12)
                       + w * (np.abs(c1 - z1) > 1e-12), 0.0)
    return pd.DataFrame({
        "segment": sums["segment"].astype(object).to_numpy(), "w": w, "n": n, "k": n,
        "n2": n, "r": w, "r2": w, "zz": zz, "clipped": clipped.astype(np.int64),
    }).groupby("segment", sort=True).sum()


def _moments(stats: pd.DataFrame, cap: np.ndarray,
             borrowed: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Prior strength (alpha + beta) per row of ``stats`` and the note explaining it."""
    w, n, k = (stats[c].to_numpy(dtype=float) for c in ("w", "n", "k"))
    with np.errstate(invalid="ignore", divide="ignore"):
        m = w / n
        room = n - stats["n2"].to_numpy(dtype=float) / n
        excess = stats["zz"].to_numpy(dtype=float) - (k - 1.0)  # chance gives k - 1
        tau2 = m * (1.0 - m) * excess / room
        fitted = m * (1.0 - m) / tau2 - 1.0
    fitted = np.clip(np.nan_to_num(fitted, nan=1.0, posinf=1.0, neginf=1.0), 1.0, cap)
    borrow = np.where(np.isfinite(borrowed), np.minimum(borrowed, cap), cap)

    none = n <= 0
    extreme = ~none & ((w == 0) | (w == n))
    single = ~none & ~extreme & (k < 2)
    one_each = stats["n2"].to_numpy(dtype=float) <= n  # every entity has a single trial
    chance_only = ~none & ~extreme & ~single & (one_each | ~(tau2 > 0))
    strength = np.select([none, extreme, single, chance_only],
                         [np.nan, cap, borrow, cap], default=fitted)
    note = np.select(
        [none, extreme, single, chance_only],
        ["no trials: no prior, no rates",
         "no wins or no losses in the segment: mean moved half a trial inward, strongest prior",
         "fewer than 2 entities with trials: strength borrowed from all entities",
         "spread no larger than chance: strongest prior"],
        default="method of moments",
    )
    return strength, note
