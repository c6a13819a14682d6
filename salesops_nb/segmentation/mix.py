"""The mix check: Simpson's paradox between an overall rate and the rates within segments.

A rep can rank first overall and last within every segment when its deals sit in the easier
segments. Comparing crude rates then rewards the territory, not the selling. This module puts
each entity's **crude rate** (all its successes / all its trials) beside its **mix-adjusted
rate** (direct standardisation: its own per-segment rates applied to one common segment mix,
by default the pooled mix of all entities' trials), ranks both, and flags every pair of
entities whose order flips: A ahead of B overall, yet behind B in every segment they share.

Cells (entity x segment) with fewer than ``min_trials`` trials are too noisy to compare: they
count in the crude rate but not in the within-segment comparison or the adjusted rate. An
entity that has no rate in some segments is standardised over the segments it has, and its
``mix_coverage`` says what share of the common mix that is.

Scale. Only entities with at least one usable cell can be in a flipped pair, so the others are
left out of the pair search first (accounts with a handful of deals each mostly are). The
search sorts the rest by crude rate, so each entity is compared only with those below it, one
segment at a time: exact, and about ``E^2 x S / 2`` comparisons for ``E`` such entities. When
more than ``max_pair_entities`` entities qualify (5,000 by default), the search covers the
ones with the most trials (ties by name) and says so: :attr:`MixCheck.searched` of
:attr:`MixCheck.eligible`, in :attr:`MixCheck.summary` and in every explanation. Crude and
adjusted rates and ranks always cover every entity.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import narwhals as nw
import numpy as np
import pandas as pd
from narwhals.typing import IntoFrameT
from scipy.stats import rankdata

from salesops_nb.errors import DataError, ParameterError
from salesops_nb.segmentation.rates import count_array, eager, require, segment_key

__all__ = ["MixCheck", "mix_check"]

MAX_PAIR_ENTITIES = 5_000
"""Most entities the pair search compares (those with the most trials): ~12.5M pairs."""

_BLOCK_CELLS = 1 << 22  # block rows x compared entities per step: ~4 MB of booleans a mask


@dataclass(frozen=True, eq=False)
class MixCheck:
    """The result of :func:`mix_check` (frames of the input's kind).

    Attributes
    ----------
    entities
        One row per entity: ``entity``, ``trials``, ``successes``, ``crude_rate``,
        ``adjusted_rate``, ``mix_effect`` (crude - adjusted: positive when the mix flatters),
        ``mix_coverage``, ``crude_rank``, ``adjusted_rank`` (1 = best), ``rank_shift``
        (adjusted_rank - crude_rank: positive when the entity drops once the mix is even),
        ``ahead_but_behind`` (peers it leads overall but trails in every shared segment),
        ``behind_but_ahead`` (the reverse), ``paradox`` (either count > 0), ``explanation``.
    pairs
        Every flipped pair: ``entity`` (ahead overall), ``peer`` (behind overall),
        ``entity_rate``, ``peer_rate`` (crude), ``shared_segments`` (how many) and
        ``segments`` (their names, "; "-separated).
    mix
        The common mix: ``segment``, ``trials``, ``weight`` and ``peer_rate`` (pooled rate).
    eligible
        Entities with at least one usable cell (``min_trials`` or more trials): the only ones
        that can be in a flipped pair.
    searched
        How many of them the pair search compared (all, unless more than
        ``max_pair_entities``: then those with the most trials).
    min_trials
        The fewest trials a usable cell has.
    """

    entities: Any
    pairs: Any
    mix: Any
    eligible: int = 0
    searched: int = 0
    min_trials: int = 5

    @property
    def complete(self) -> bool:
        """True when the pair search compared every entity that can be in a flipped pair."""
        return self.searched == self.eligible

    @property
    def summary(self) -> str:
        """One sentence on what the pair search covered."""
        cells = f"a segment with {self.min_trials}+ trials"
        if self.complete:
            return (f"The pair search compared all {self.eligible:,} entities with {cells} "
                    f"(the only ones that can flip).")
        return (f"The pair search covered {self.searched:,} of {self.eligible:,} entities with "
                f"{cells}: those with the most trials. Flipped pairs among the others are not "
                f"listed; rates and ranks cover every entity.")

    @property
    def flagged(self) -> Any:
        """The entities caught in at least one flipped pair."""
        frame = eager(self.entities)
        return frame.filter(nw.col("paradox")).to_native()


def mix_check(frame: IntoFrameT, *, entity: str = "rep_id", segment: str = "segment",
              successes: str = "won", trials: str = "closed",
              standard: Mapping[str, float] | None = None, min_trials: int = 5,
              max_pair_entities: int | None = MAX_PAIR_ENTITIES) -> MixCheck:
    """Crude against mix-adjusted rates, and the entity pairs whose order flips.

    Parameters
    ----------
    frame
        Deals (one row each, with 0/1 or boolean ``successes``/``trials``) or counts per
        entity and segment; pandas or Polars.
    entity
        Column of the compared entities (e.g. ``rep_id``).
    segment
        Column of the segments that make some deals easier than others (e.g. ``team``, a
        deal-size band, the lead source).
    successes, trials
        Count (or flag) columns, e.g. ``won`` and ``closed`` from
        :func:`~salesops_nb.segmentation.entities.opportunity_table`.
    standard
        The common segment mix as ``{segment: weight}`` (normalised here); default: every
        segment's share of all trials.
    min_trials
        Fewest trials an entity needs in a segment for its rate there to count.
    max_pair_entities
        Most entities the flipped-pair search compares: past that, the ones with the most
        trials (ties by name), and the result says so (:attr:`MixCheck.summary`). None: all
        of them (the time grows with the square of their number).

    Returns
    -------
    MixCheck

    Examples
    --------
    >>> import pandas as pd
    >>> cells = pd.DataFrame({"rep_id": ["A", "A", "B", "B"],
    ...                       "segment": ["small", "large", "small", "large"],
    ...                       "won": [81, 192, 234, 55], "closed": [87, 263, 270, 80]})
    >>> check = mix_check(cells)
    >>> check.pairs[["entity", "peer"]].values.tolist()
    [['B', 'A']]
    """
    if not isinstance(min_trials, int) or isinstance(min_trials, bool) or min_trials < 1:
        raise ParameterError(f"min_trials={min_trials!r} must be a whole number >= 1.",
                             hint="5 (the default) keeps one-deal cells out of the comparison.")
    if max_pair_entities is not None and (not isinstance(max_pair_entities, int) or isinstance(
            max_pair_entities, bool) or max_pair_entities < 2):
        raise ParameterError(f"max_pair_entities={max_pair_entities!r} must be a whole number "
                             ">= 2, or None.",
                             hint=f"{MAX_PAIR_ENTITIES:,} (the default) compares in seconds.")
    data = eager(_cells_in_engine(frame, entity, segment, successes, trials))
    require(data, [entity, segment, successes, trials], purpose="The mix check")
    namespace = nw.get_native_namespace(data)

    # Sum deals into entity x segment cells first: the rest works on the small table.
    counts = count_array(data, successes), count_array(data, trials)
    namespace_counts = {"_w": counts[0], "_n": counts[1]}
    cells = data.select(entity, segment).with_columns(
        nw.new_series(c, v, nw.Float64, backend=namespace) for c, v in namespace_counts.items()
    ).group_by(entity, segment).agg(nw.col("_w").sum(), nw.col("_n").sum())
    names, e_code = _sorted_codes(segment_key(cells, entity))
    segments, s_code = _sorted_codes(segment_key(cells, segment))
    shape = (names.size, segments.size)
    cell = e_code * segments.size + s_code
    size = shape[0] * shape[1]
    w = np.bincount(cell, weights=cells["_w"].to_numpy(), minlength=size).reshape(shape)
    n = np.bincount(cell, weights=cells["_n"].to_numpy(), minlength=size).reshape(shape)
    if (w > n).any():
        raise ParameterError(
            f"{successes!r} exceeds {trials!r} for some {entity} and {segment}.",
            hint="Successes are counted among the trials (won among closed deals).")

    weight = _standard(segments, n, standard)
    usable = n >= min_trials
    with np.errstate(invalid="ignore", divide="ignore"):
        rate = np.where(usable, w / n, np.nan)
        crude = w.sum(1) / n.sum(1)
        covered = np.where(usable, weight, 0.0)
        coverage = covered.sum(1)
        adjusted = np.nansum(np.where(usable, rate * weight, 0.0), 1) / coverage
    adjusted = np.where(coverage > 0, adjusted, np.nan)
    crude_rank, adjusted_rank = _rank(crude), _rank(adjusted)

    searched, eligible = _searched(usable, n.sum(1), max_pair_entities)
    pair_a, pair_b = _flipped_pairs(crude, rate, searched)
    shared = usable[pair_a] & usable[pair_b]
    ahead = np.bincount(pair_a, minlength=names.size)
    behind = np.bincount(pair_b, minlength=names.size)
    pooled = np.where(n.sum(0) > 0, w.sum(0) / np.maximum(n.sum(0), 1), np.nan)
    explanation = _explain(names, n, weight, pooled, crude, adjusted, crude_rank,
                           adjusted_rank, ahead, behind, pair_a, pair_b, segments)
    if searched.size < eligible:  # say, where the flips are read, that the search was capped
        note = (f" (Pairs searched among the {searched.size:,} of {eligible:,} comparable "
                f"entities with the most trials.)")
        explanation = [t + note if t else t for t in explanation]

    table = {
        "entity": names.astype(str).tolist(),
        "trials": n.sum(1), "successes": w.sum(1),
        "crude_rate": crude, "adjusted_rate": adjusted, "mix_effect": crude - adjusted,
        "mix_coverage": coverage,
        "crude_rank": crude_rank, "adjusted_rank": adjusted_rank,
        "rank_shift": adjusted_rank - crude_rank,
        "ahead_but_behind": ahead.astype(np.int64), "behind_but_ahead": behind.astype(np.int64),
        "paradox": (ahead + behind) > 0,
        "explanation": explanation,
    }
    pairs = {
        "entity": names[pair_a].astype(str).tolist(), "peer": names[pair_b].astype(str).tolist(),
        "entity_rate": crude[pair_a], "peer_rate": crude[pair_b],
        "shared_segments": shared.sum(1).astype(np.int64),
        "segments": _segment_lists(shared, segments),
    }
    mix = {"segment": segments.astype(str).tolist(), "trials": n.sum(0), "weight": weight,
           "peer_rate": pooled}
    return MixCheck(
        _frame(table, namespace).with_columns(
            nw.col(c).fill_nan(None) for c in ("crude_rate", "adjusted_rate", "mix_effect",
                                               "crude_rank", "adjusted_rank", "rank_shift")
        ).to_native(),
        _frame(pairs, namespace, strings=("entity", "peer", "segments")).to_native(),
        _frame(mix, namespace).to_native(),
        eligible=eligible, searched=int(searched.size), min_trials=min_trials,
    )


# ----------------------------------------------------------------------------- internals
def _cells_in_engine(frame: Any, entity: str, segment: str, successes: str,
                     trials: str) -> Any:
    """A lazy frame of deals (DuckDB, Spark, Polars) summed into entity x segment cells.

    Only the cells (entities x segments rows) are collected; an eager frame is returned as
    it is and summed below, where negative counts can be named by row.
    """
    try:
        lazy = nw.from_native(frame)
    except TypeError:
        return frame  # eager() raises the teaching error
    if not isinstance(lazy, nw.LazyFrame):
        return frame
    schema = lazy.collect_schema()
    require(lazy, [entity, segment, successes, trials], purpose="The mix check")
    for column in (successes, trials):
        dtype = schema[column]
        if not (dtype.is_numeric() or dtype == nw.Boolean):
            raise DataError(f"Column {column!r} must hold counts (numbers), not {dtype}.",
                            hint="Use the won and closed columns of an entity table.")
    counts = {c: nw.col(c).cast(nw.Float64).fill_null(0.0) for c in (successes, trials)}
    cells = (
        lazy.select(entity, segment, **{f"_{i}": e for i, e in enumerate(counts.values())})
        .with_columns(_neg=((nw.col("_0") < 0) | (nw.col("_1") < 0)).cast(nw.Int64))
        .group_by(entity, segment)
        .agg(nw.col("_0").sum().alias(successes), nw.col("_1").sum().alias(trials),
             nw.col("_neg").sum())
    )
    table = eager(cells.to_native())
    if table["_neg"].sum() > 0:
        raise DataError(f"Column {successes!r} or {trials!r} holds negative counts.",
                        hint="Counts of deals are zero or more; check how the columns were "
                             "built.")
    return table.drop("_neg").to_native()


def _frame(columns: dict, namespace, strings=("entity", "segment", "explanation")) -> nw.DataFrame:
    schema = {c: nw.String for c in strings if c in columns}
    return nw.from_dict(columns, schema=None, backend=namespace).with_columns(
        nw.col(c).cast(t) for c, t in schema.items())


def _sorted_codes(labels: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``np.unique(labels, return_inverse=True)`` for text: hashed first, only the distinct
    values sorted (sorting every cell's Python string is the slow part at 200k entities)."""
    codes, distinct = pd.factorize(labels)
    distinct = np.asarray(distinct, dtype=object)
    order = np.argsort(distinct, kind="stable")
    rank = np.empty(order.size, np.int64)
    rank[order] = np.arange(order.size)
    return distinct[order], rank[codes]


def _standard(segments: np.ndarray, n: np.ndarray,
              standard: Mapping[str, float] | None) -> np.ndarray:
    if standard is None:
        total = n.sum()
        return n.sum(0) / total if total > 0 else np.zeros(segments.size)
    unknown = [key for key in standard if key not in set(segments.tolist())]
    if unknown:
        raise ParameterError(
            f"The standard mix names segment {unknown[0]!r}, which is not in the data.",
            hint=f"Segments in the data: {', '.join(map(str, segments[:20]))}.")
    weight = np.array([float(standard.get(s, 0.0)) for s in segments.tolist()])
    if (weight < 0).any() or weight.sum() <= 0:
        raise ParameterError("The standard mix needs weights >= 0 with a positive total.",
                             hint='For example {"SMB": 0.5, "Enterprise": 0.5}.')
    return weight / weight.sum()


def _rank(values: np.ndarray) -> np.ndarray:
    """1 = highest rate; ties share the smallest rank; missing rates have no rank."""
    ranks = np.full(values.size, np.nan)
    ok = np.isfinite(values)
    ranks[ok] = rankdata(-values[ok], method="min")
    return ranks


def _searched(usable: np.ndarray, trials: np.ndarray,
              limit: int | None) -> tuple[np.ndarray, int]:
    """The entities the pair search compares (ascending index) and how many could flip.

    An entity without a usable cell shares no segment with anyone: it cannot flip. Past
    ``limit``, the entities with the most trials are kept (ties by index, i.e. by name).
    """
    eligible = np.flatnonzero(usable.any(1))
    if limit is None or eligible.size <= limit:
        return eligible, int(eligible.size)
    most = np.lexsort((eligible, -trials[eligible]))[:limit]
    return np.sort(eligible[most]), int(eligible.size)


def _flipped_pairs(crude: np.ndarray, rate: np.ndarray,
                   among: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Pairs (a, b) of ``among``: crude a > crude b, yet a's rate < b's in every segment both
    have (at least one), ordered by a then b.

    Sorted by crude rate (highest first), an entity can only lead those after it, so each
    block of rows is compared with the entities from the block on: half the pairs. The
    segments are compared one at a time on a 2-D mask (a NaN rate, an unusable cell,
    compares false), so no entities x entities x segments array is built.
    """
    order = among[np.argsort(-crude[among], kind="stable")]
    r, c = rate[order], crude[order]
    have = np.isfinite(r)
    k = order.size
    block = max(1, min(1024, _BLOCK_CELLS // max(k, 1)))
    found_a, found_b = [], []
    for start in range(0, k, block):  # blocks of entities, not rows of data
        stop = min(start + block, k)
        hit = c[start:stop, None] > c[None, start:]
        shared = np.zeros(hit.shape, bool)
        for s in np.flatnonzero(have[start:stop].any(0)):  # segments this block rates
            ra, rb = r[start:stop, s, None], r[None, start:, s]
            shared |= have[start:stop, s, None] & have[None, start:, s]
            hit &= ~(ra >= rb)  # false when either rate is missing
        ia, ib = np.nonzero(hit & shared)
        found_a.append(order[start + ia])
        found_b.append(order[start + ib])
    if not found_a:
        return np.zeros(0, np.int64), np.zeros(0, np.int64)
    a, b = np.concatenate(found_a), np.concatenate(found_b)
    first = np.lexsort((b, a))
    return a[first].astype(np.int64), b[first].astype(np.int64)


def _segment_lists(shared: np.ndarray, segments: np.ndarray) -> list[str]:
    """Each pair's shared segments as "a; b" text, joined once per distinct combination."""
    if shared.shape[0] == 0:
        return []
    if shared.shape[1] < 63:  # each combination as one whole number: a fast unique
        bits = shared.astype(np.int64) @ (np.int64(1) << np.arange(shared.shape[1], dtype=np.int64))
        _, first, which = np.unique(bits, return_index=True, return_inverse=True)
        combos = shared[first]
    else:
        combos, which = np.unique(shared, axis=0, return_inverse=True)
    text = np.array(["; ".join(segments[row].astype(str)) for row in combos], dtype=object)
    return text[which.reshape(-1)].tolist()


def _explain(names, n, weight, pooled, crude, adjusted, crude_rank, adjusted_rank,
             ahead, behind, pair_a, pair_b, segments) -> list[str]:
    """One sentence per flagged entity (few of them: an aggregate, not data rows)."""
    with np.errstate(invalid="ignore", divide="ignore"):
        share = n / n.sum(1, keepdims=True)
    over = np.nan_to_num(share - weight[None, :], nan=-np.inf)
    main = over.argmax(1)  # the segment it is most over-represented in
    total = n.sum()
    overall = float(np.nansum(pooled * n.sum(0)) / total) if total > 0 else float("nan")
    counted = int(np.isfinite(crude).sum())
    text = [""] * names.size
    # Each entity's first pair as leader and as follower (pairs run in order of a, then b).
    leads = np.full(names.size, -1)
    trails = np.full(names.size, -1)
    lead_ids, lead_first = np.unique(pair_a, return_index=True)
    leads[lead_ids] = pair_b[lead_first]
    trail_ids, trail_first = np.unique(pair_b, return_index=True)
    trails[trail_ids] = pair_a[trail_first]
    for i in np.flatnonzero((ahead + behind) > 0):  # one per flagged entity, not per pair
        if ahead[i] >= behind[i]:
            peer = names[leads[i]]
            verb, how = "leads", "trails"
            effect = "flatters"
        else:
            peer = names[trails[i]]
            verb, how = "trails", "leads"
            effect = "holds back"
        s = main[i]
        text[i] = (
            f"{names[i]} {verb} {peer} overall ({crude[i]:.1%}, rank {crude_rank[i]:.0f} of "
            f"{counted}) yet {how} it in every segment they share; on the common segment mix "
            f"it ranks {adjusted_rank[i]:.0f} ({adjusted[i]:.1%}). {share[i, s]:.0%} of its "
            f"deals sit in {segments[s]} (common mix {weight[s]:.0%}), where the peer rate is "
            f"{pooled[s]:.1%} against {overall:.1%} overall: its segment mix {effect} its "
            f"overall rate."
        )
    return text
