"""Within-segment comparison: percentiles, z-scores, good/bad flags and peer benchmarks.

Segmenting exists to compare like with like: a rep is judged against the reps of the same
segment, never against everyone. :func:`compare` ranks each entity inside its own segment on
chosen metrics and flags its outcome from :class:`OutcomeRule` s (default: top quartile of its
segment "good", bottom quartile "bad", the rest "typical").

Definitions (one for both backends, so pandas and Polars give the same numbers):

- **percentile**: the share of the segment's rated entities that this entity does better
  than, counting ties (itself included) half: ``(rank - 0.5) / n`` with average ranks in the
  "better" direction. 1 is best, 0 worst, 0.5 the middle, whatever the metric's direction.
- **z-score**: ``(value - segment mean) / segment sd`` (sd with ddof 1) on the value itself;
  its sign follows the metric, not the direction (null when the sd is 0 or n < 2).
- **flags**: "good" strictly above the rule's ``good`` threshold, "bad" strictly below its
  ``bad`` threshold, "typical" between; "unrated" when the value is missing or the segment
  has fewer than ``min_peers`` rated entities (no quartiles among two).
- **rates** (a metric with ``successes``/``trials`` counts, such as ``win_rate`` from ``won``
  and ``closed``) are ranked on their empirical-Bayes shrunk estimate
  (:mod:`salesops_nb.segmentation.rates`), so a rep with three deals is not best or worst on
  noise; the funnel-plot columns come with it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

import narwhals as nw
import pandas as pd
from narwhals.typing import IntoFrameT
from pydantic import BaseModel, ConfigDict, ValidationError, model_validator

from salesops_nb.errors import ParameterError
from salesops_nb.segmentation.rates import eager, rate_columns, require

__all__ = ["FLAGS", "Comparison", "OutcomeRule", "benchmark_table", "compare"]

FLAGS: tuple[str, ...] = ("good", "typical", "bad", "unrated")
"""Outcome flags, best first."""

_DEFAULTS = {"percentile": (0.75, 0.25), "zscore": (1.0, -1.0)}
_KEY = "__segment"
_AUTO_RATES = {"win_rate": ("won", "closed")}  # entity tables carry these counts


class OutcomeRule(BaseModel):
    """How one metric turns into a good/bad/typical flag within a segment.

    Attributes
    ----------
    metric
        Column to compare.
    higher_is_better
        False for metrics such as cycle days or discount.
    method
        "percentile" (default) or "zscore".
    good, bad
        Thresholds in the "better" direction: percentile above ``good`` (default 0.75) is
        good, below ``bad`` (0.25) is bad; for "zscore" the defaults are +1 and -1 (a
        lower-is-better metric is good at z below -1).
    successes, trials
        Count columns that make ``metric`` a rate; it is then ranked on its shrunk estimate.
        ``win_rate`` uses ``won``/``closed`` when the table has them, unless ``shrink`` is
        False.
    shrink
        Rank a rate on its empirical-Bayes estimate (True) or on the raw value.
    """

    model_config = ConfigDict(extra="forbid", frozen=True)

    metric: str
    higher_is_better: bool = True
    method: Literal["percentile", "zscore"] = "percentile"
    good: float | None = None
    bad: float | None = None
    successes: str | None = None
    trials: str | None = None
    shrink: bool = True

    @model_validator(mode="after")
    def _check(self) -> OutcomeRule:
        good, bad = self.thresholds
        if not bad < good:
            raise ValueError(f"bad ({bad}) must be below good ({good})")
        if self.method == "percentile" and not (bad >= 0 and good <= 1):
            raise ValueError("percentile thresholds lie between 0 and 1")
        if (self.successes is None) != (self.trials is None):
            raise ValueError("give both successes and trials, or neither")
        return self

    @property
    def thresholds(self) -> tuple[float, float]:
        """``(good, bad)`` with the method's defaults filled in."""
        good, bad = _DEFAULTS[self.method]
        return (good if self.good is None else self.good, bad if self.bad is None else self.bad)


@dataclass(frozen=True, eq=False)
class Comparison:
    """The result of :func:`compare`.

    Attributes
    ----------
    entities
        The input rows (same kind of frame, same order) plus, per metric ``m``:
        ``m_basis`` (the value ranked: the shrunk rate for rates, else ``m``),
        ``m_percentile``, ``m_z``, ``m_flag``, ``m_peers`` (rated entities in the segment),
        and for rates the funnel columns of :func:`~salesops_nb.segmentation.rates.rate_table`;
        then ``outcome``: the flag of the first rule.
    benchmarks
        Peer benchmarks per segment and metric (see :func:`benchmark_table`).
    rules
        The rules applied, in order.
    priors
        For rate metrics, the fitted Beta prior of each segment (pandas), keyed by metric.
    """

    entities: Any
    benchmarks: Any
    rules: tuple[OutcomeRule, ...]
    priors: dict[str, pd.DataFrame] = field(default_factory=dict)

    def flagged(self, flag: str = "bad") -> Any:
        """The entities whose ``outcome`` is ``flag``."""
        frame = eager(self.entities)
        return frame.filter(nw.col("outcome") == flag).to_native()


def compare(frame: IntoFrameT, *, entity: str = "rep_id", segment: str = "segment",
            metrics: Sequence[str | OutcomeRule | dict] = ("win_rate",),
            min_peers: int = 3) -> Comparison:
    """Rank each entity within its own segment and flag good, bad and typical outcomes.

    Parameters
    ----------
    frame
        One row per entity (pandas or Polars) with the segment column and the metrics.
    entity
        Column identifying an entity (kept as is; used in messages).
    segment
        Column naming each entity's segment; null segments form "(no segment)".
    metrics
        Metric names (higher is better, percentile quartiles) or :class:`OutcomeRule` s or
        their dicts. The first one decides the ``outcome`` column.
    min_peers
        Fewest rated entities a segment needs for its members to be flagged.

    Returns
    -------
    Comparison

    Examples
    --------
    >>> import pandas as pd
    >>> reps = pd.DataFrame({"rep_id": list("abcdefgh"), "segment": ["S"] * 8,
    ...                      "avg_cycle_days": [30, 35, 40, 45, 50, 55, 60, 90]})
    >>> rule = OutcomeRule(metric="avg_cycle_days", higher_is_better=False)
    >>> result = compare(reps, metrics=[rule])
    >>> result.entities["outcome"].tolist()
    ['good', 'good', 'typical', 'typical', 'typical', 'typical', 'bad', 'bad']
    """
    data = eager(frame)
    rules = _rules(metrics, data)
    if not isinstance(min_peers, int) or min_peers < 1:
        raise ParameterError(f"min_peers={min_peers!r} must be a whole number >= 1.",
                             hint="3 (the default) lets a segment of three have a best and "
                                  "a worst.")
    needed = [entity, segment, *(r.metric for r in rules)]
    needed += [c for r in rules if r.successes for c in (r.successes, r.trials)]
    require(data, needed, purpose="The comparison")
    _check_numeric(data, rules)

    priors: dict[str, pd.DataFrame] = {}
    data = data.with_columns(nw.col(segment).cast(nw.String).fill_null("(no segment)")
                             .alias(_KEY))
    for rule in rules:
        basis = f"{rule.metric}_basis"
        if rule.successes and rule.shrink:
            data, priors[rule.metric] = rate_columns(
                data, successes=rule.successes, trials=rule.trials, segment=segment,
                name=rule.metric)
            data = data.with_columns(nw.col(f"{rule.metric}_shrunk").alias(basis))
        else:
            data = data.with_columns(nw.col(rule.metric).cast(nw.Float64).alias(basis))
        data = data.with_columns(_basis_clean(basis)).with_columns(*_scores(rule, min_peers))
    data = data.with_columns(nw.col(f"{rules[0].metric}_flag").alias("outcome"))
    benchmarks = benchmark_table(data.drop(_KEY).to_native(), segment=segment,
                                 metrics=[f"{r.metric}_basis" for r in rules])
    benchmarks = _name_bases(benchmarks, rules)
    return Comparison(data.drop(_KEY).to_native(), benchmarks, tuple(rules), priors)


def benchmark_table(frame: IntoFrameT, *, segment: str = "segment",
                    metrics: Sequence[str] = ("win_rate",)) -> IntoFrameT:
    """Peer benchmarks: per segment and metric, n, mean, sd, min, quartiles and max.

    Quartiles use linear interpolation between order statistics (the pandas and numpy
    default), in both backends. Missing values are left out; ``n`` counts the rest.

    Returns
    -------
    DataFrame
        ``segment``, ``metric``, ``n``, ``mean``, ``sd``, ``min``, ``q1``, ``median``,
        ``q3``, ``max``; sorted by segment then metric order.
    """
    data = eager(frame)
    require(data, [segment, *metrics], purpose="The benchmark table")
    key = nw.col(segment).cast(nw.String).fill_null("(no segment)").alias("segment")
    parts = []
    for order, metric in enumerate(metrics):
        values = data.select(key, nw.col(metric).cast(nw.Float64).alias("v"))
        values = values.with_columns(nw.col("v").fill_nan(None)).drop_nulls("v")
        part = values.group_by("segment").agg(*_summary("v"))
        parts.append(part.with_columns(nw.lit(metric).alias("metric"),
                                       nw.lit(order).alias("_order"),
                                       nw.col("n").cast(nw.Int64)))
    columns = ["segment", "metric", "n", "mean", "sd", "min", "q1", "median", "q3", "max"]
    table = nw.concat([p.select(*columns, "_order") for p in parts], how="vertical")
    table = table.sort(["segment", "_order"]).drop("_order")
    return nw.maybe_reset_index(table).to_native()


# ----------------------------------------------------------------------------- internals
def _rules(metrics: Sequence[str | OutcomeRule | dict], data: nw.DataFrame) -> list[OutcomeRule]:
    if isinstance(metrics, (str, OutcomeRule, dict)):
        metrics = [metrics]
    if not metrics:
        raise ParameterError("compare() needs at least one metric.",
                             hint='For example metrics=["win_rate", "avg_deal_size"].')
    rules = []
    for item in metrics:
        try:
            rule = OutcomeRule(metric=item) if isinstance(item, str) else (
                item if isinstance(item, OutcomeRule) else OutcomeRule(**item))
        except (ValidationError, TypeError) as err:
            detail = "; ".join(e["msg"] for e in err.errors()) if isinstance(
                err, ValidationError) else str(err)
            raise ParameterError(f"Outcome rule {item!r} is not valid: {detail}.",
                                 hint="A rule is a metric name or e.g. OutcomeRule(metric="
                                      "'avg_cycle_days', higher_is_better=False).") from err
        counts = _AUTO_RATES.get(rule.metric)
        if (rule.successes is None and rule.shrink and counts
                and all(c in data.columns for c in counts)):
            rule = rule.model_copy(update={"successes": counts[0], "trials": counts[1]})
        rules.append(rule)
    names = [r.metric for r in rules]
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ParameterError(f"Metric {repeated[0]!r} is listed more than once.",
                             hint="Give each metric one rule.")
    return rules


def _summary(column: str) -> list[nw.Expr]:
    """The benchmark table's statistics of ``column`` (linear quantiles, the one definition)."""
    v = nw.col(column)
    return [v.count().alias("n"), v.mean().alias("mean"), v.std().alias("sd"),
            v.min().alias("min"), v.quantile(0.25, interpolation="linear").alias("q1"),
            v.median().alias("median"), v.quantile(0.75, interpolation="linear").alias("q3"),
            v.max().alias("max")]


def _check_numeric(data: nw.DataFrame, rules: list[OutcomeRule]) -> None:
    for rule in rules:
        dtype = data.schema[rule.metric]
        if not (dtype.is_numeric() or dtype == nw.Boolean):
            raise ParameterError(
                f"Metric {rule.metric!r} holds {dtype}, not numbers: it cannot be ranked.",
                hint="Compare numeric columns such as win_rate, won_amount or avg_cycle_days.")


def _basis_clean(basis: str) -> nw.Expr:
    # NaN and null both mean "no value": a rep without closed deals has no win rate.
    return nw.col(basis).fill_nan(None)


def _scores(rule: OutcomeRule, min_peers: int) -> list[nw.Expr]:
    m = rule.metric
    basis = nw.col(f"{m}_basis")
    better = basis if rule.higher_is_better else -basis
    peers = basis.count().over(_KEY)
    percentile = (better.rank(method="average").over(_KEY) - 0.5) / peers
    sd = basis.std().over(_KEY)
    z = nw.when(sd > 0).then((basis - basis.mean().over(_KEY)) / sd)
    good, bad = rule.thresholds
    position = percentile if rule.method == "percentile" else (
        z if rule.higher_is_better else -z)
    flag = (
        nw.when(basis.is_null() | (peers < min_peers)).then(nw.lit("unrated"))
        .when(position > good).then(nw.lit("good"))
        .when(position < bad).then(nw.lit("bad"))
        .otherwise(nw.lit("typical"))
    )
    return [
        percentile.alias(f"{m}_percentile"),
        z.alias(f"{m}_z"),
        flag.alias(f"{m}_flag"),
        peers.cast(nw.Int64).alias(f"{m}_peers"),
    ]


def _name_bases(benchmarks: Any, rules: list[OutcomeRule]) -> Any:
    """Benchmarks name the metric and say whether the value is a shrunk rate."""
    frame = eager(benchmarks)
    names = {f"{r.metric}_basis": r.metric for r in rules}
    basis = {f"{r.metric}_basis": ("shrunk rate" if r.successes and r.shrink else "value")
             for r in rules}
    return frame.with_columns(
        nw.col("metric").replace_strict(basis, return_dtype=nw.String).alias("basis"),
    ).with_columns(
        nw.col("metric").replace_strict(names, return_dtype=nw.String),
    ).to_native()
