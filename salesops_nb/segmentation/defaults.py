"""Sensible starting specs, one per entity, and the candidate schemes they are compared with.

An analyst rarely starts from a blank page. The defaults follow the usual practice:

- **reps**: one segment per team x region cell (the territory a rep is dealt), strata on the
  rep's *shrunk* win rate (``win_rate_shrunk``: empirical-Bayes, so a rep with three deals is
  not ranked best or worst on noise), bottom quartile coached, top quartile protected;
- **accounts**: ABC on revenue won (A = the accounts making the first 80% of it) crossed with
  an employees banding (SMB under 200, Mid-Market under 2,000, Enterprise), named cells
  ("Strategic", "Develop", ...), strata on the shrunk win rate;
- **opportunities**: deal-size quartiles, strata on cycle days (shorter is better).

Rules of categorical cells are written from the values found in the entity table, so the
default spec is fitted to the data it is first built on and re-applies to next quarter's.
"""

from __future__ import annotations

from itertools import product
from typing import Any

import narwhals as nw

from salesops_nb.errors import ParameterError
from salesops_nb.segmentation.rates import eager
from salesops_nb.segmentation.spec import SegmentationSpec
from salesops_nb.segmentation.spec_parts import (
    Banding,
    Condition,
    Matrix,
    MatrixCell,
    Rule,
    Stratification,
    Treatment,
)
from salesops_nb.workspace import locate

__all__ = [
    "DEFAULT_METRICS",
    "ENTITY_KEYS",
    "SHRUNK_SUFFIX",
    "candidate_schemes",
    "category_rules",
    "default_spec",
    "saved_spec",
    "strata_metric",
]

ENTITY_KEYS: dict[str, str] = {"reps": "rep_id", "accounts": "account_id",
                               "opportunities": "opportunity_id"}
"""The id column of each entity table."""

DEFAULT_METRICS: dict[str, tuple[str, bool]] = {
    "reps": ("win_rate", True), "accounts": ("win_rate", True),
    "opportunities": ("avg_cycle_days", False),
}
"""The performance metric judged within segments, and whether higher is better."""

SHRUNK_SUFFIX = "_shrunk"
#: Rates with their (successes, trials) columns: stratified on their shrunk estimate.
RATE_COUNTS: dict[str, tuple[str, str]] = {"win_rate": ("won", "closed")}

_SIZE_CUTS = [200.0, 2000.0]
_SIZE_LABELS = ["SMB", "Mid-Market", "Enterprise"]
_ACCOUNT_CELLS = {
    ("A", "Enterprise"): "Strategic", ("A", "Mid-Market"): "Key growth",
    ("A", "SMB"): "Efficient winners", ("B", "Enterprise"): "Develop",
    ("B", "Mid-Market"): "Core", ("B", "SMB"): "Core small",
    ("C", "Enterprise"): "Untapped potential", ("C", "Mid-Market"): "Maintain",
    ("C", "SMB"): "Low touch",
}


def strata_metric(metric: str) -> str:
    """The column strata rank on: a rate's shrunk estimate (``win_rate_shrunk``), else itself."""
    return f"{metric}{SHRUNK_SUFFIX}" if metric in RATE_COUNTS else metric


def category_rules(table: Any, fields: list[str], *, separator: str = " / ",
                   max_cells: int = 60) -> list[Rule]:
    """One rule per combination of ``fields`` values present in ``table`` (e.g. team x region).

    Labels join the values with ``separator`` ("Enterprise / EMEA"); combinations are sorted.
    Missing values are left to the catch-all.

    Raises
    ------
    ParameterError
        No field given, no value in them, or more than ``max_cells`` combinations (too many
        segments to compare).
    """
    if not fields:
        raise ParameterError("Choose at least one categorical field to segment by.",
                             hint="For reps, e.g. ['team', 'region'].")
    data = eager(table)
    missing = [f for f in fields if f not in data.columns]
    if missing:
        raise ParameterError(f"No column {', '.join(map(repr, missing))} in the "
                             "entity table.", hint=f"Columns: {', '.join(data.columns)}.")
    cells = (data.select(nw.col(f).cast(nw.String) for f in fields).drop_nulls()
             .unique().sort(fields))
    rows = cells.rows()
    if not rows:
        raise ParameterError(
            f"{' x '.join(map(repr, fields))} hold no values in this data (every row is empty "
            "there), so there is nothing to segment by.",
            hint="Check that the export filled these columns, or segment by other fields "
                 "(e.g. a banding of a numeric one).")
    if len(rows) > max_cells:
        raise ParameterError(
            f"{' x '.join(fields)} makes {len(rows)} segments: too many to compare like with "
            "like.", hint=f"Choose fewer or coarser fields (at most {max_cells} segments).")
    return [
        Rule(label=separator.join(values),
             when=[Condition(field=f, op="==", value=v) for f, v in zip(fields, values,
                                                                       strict=True)])
        for values in rows
    ]


def default_spec(table: Any, entity: str = "reps", *, metric: str | None = None,
                 higher_is_better: bool | None = None, strata: int = 4) -> SegmentationSpec:
    """The starting spec for ``entity``, built on its entity table (see the module docstring).

    Parameters
    ----------
    table
        The entity table (:func:`~salesops_nb.segmentation.entities.entity_table`).
    entity
        "reps", "accounts" or "opportunities".
    metric
        Performance metric for the strata (default: :data:`DEFAULT_METRICS`); a rate such as
        ``win_rate`` is stratified on its shrunk estimate.
    higher_is_better
        Direction of ``metric`` (default: from :data:`DEFAULT_METRICS`, else True).
    strata
        Number of strata (4: quartiles).

    Returns
    -------
    SegmentationSpec
        Not fitted: bandings learn their edges when the spec is first applied.
    """
    if entity not in ENTITY_KEYS:
        raise ParameterError(f"entity={entity!r} has no default segmentation.",
                             hint=f"Use one of: {', '.join(ENTITY_KEYS)}.")
    default_metric, default_direction = DEFAULT_METRICS[entity]
    metric = metric or default_metric
    if higher_is_better is None:
        higher_is_better = default_direction if metric == default_metric else True
    stratification = Stratification(metric=strata_metric(metric), count=strata,
                                    higher_is_better=higher_is_better)
    common: dict[str, Any] = {"entity": entity, "key": ENTITY_KEYS[entity],
                              "strata": stratification}
    bottom, top = stratification.stratum_labels()[-1], stratification.stratum_labels()[0]
    coaching = [
        Treatment(stratum=bottom, kind="intervention", name="Coaching and deal reviews",
                  description="Weekly deal reviews with the manager; pair with a top-quartile "
                              "peer of the same segment."),
        Treatment(stratum=top, kind="protection", name="Protect and share practice",
                  description="Guard selling time and territory; write up what works."),
    ]
    if entity == "reps":
        return SegmentationSpec(
            name="reps by team x region", **common,
            description="Reps compared with the reps of the same team and region.",
            rules=category_rules(table, ["team", "region"]), catch_all="Other",
            treatments=[Treatment(kind="treatment", name="Standard coverage model"),
                        *coaching])
    if entity == "accounts":
        value = Banding(name="value", field="won_amount", method="abc")
        size = Banding(name="size", field="employees", method="thresholds",
                       thresholds=_SIZE_CUTS, labels=_SIZE_LABELS)
        cells = [MatrixCell(row=r, column=c, label=label)
                 for (r, c), label in _ACCOUNT_CELLS.items()]
        return SegmentationSpec(
            name="accounts by value x size", **common,
            description="ABC on revenue won crossed with company size.",
            bandings=[value, size], matrices=[Matrix(name="value x size", rows="value",
                                                     columns="size", cells=cells)],
            treatments=[
                Treatment(segment="Strategic", kind="protection", name="Key account plan",
                          description="Named executive sponsor; quarterly business review."),
                Treatment(segment="Untapped potential", kind="treatment",
                          name="Account development",
                          description="Map the buying centre; cross-sell plays."),
                Treatment(segment="Low touch", kind="treatment", name="Inside sales pool"),
                Treatment(stratum=bottom, kind="intervention", name="Win-loss review"),
            ])
    return SegmentationSpec(
        name="deals by size", **common, description="Deal-size quartiles.",
        bandings=[Banding(name="deal size", field="amount", method="quantiles", bins=4)],
        treatments=[Treatment(stratum=bottom, kind="intervention", name="Stalled-deal review")])


def candidate_schemes(spec: SegmentationSpec, table: Any) -> dict[str, SegmentationSpec]:
    """The spec itself and simpler alternatives, to score side by side.

    Alternatives: each categorical field of the rules alone; for each banded field, quartiles,
    Fisher-Jenks (4 classes) and ABC. Strata and treatments are left out (they do not change
    which rows share a segment).
    """
    base = {"entity": spec.entity, "key": spec.key}
    schemes = {f"{spec.name} (yours)": spec.model_copy(update={"strata": None,
                                                              "treatments": []})}
    fields = list(dict.fromkeys(c.field for r in spec.rules for c in r.when))
    if len(fields) > 1:
        for field in fields:
            try:
                rules = category_rules(table, [field])
            except ParameterError:
                continue  # a numeric field or too many values: not a useful alternative
            schemes[f"{field} only"] = SegmentationSpec(name=f"{field} only", rules=rules,
                                                        catch_all="Other", **base)
    banded = list(dict.fromkeys(b.field for b in spec.bandings))
    for field, (method, extra) in product(banded, [("quantiles", {"bins": 4}),
                                                   ("jenks", {"bins": 4}), ("abc", {})]):
        name = f"{field}: {'quartiles' if method == 'quantiles' else method}"
        schemes[name] = SegmentationSpec(
            name=name, bandings=[Banding(name="band", field=field, method=method, **extra)],
            **base)
    return schemes


def saved_spec(path: str | None) -> tuple[SegmentationSpec | None, str]:
    """The spec saved at ``path`` (a workspace file) and a phrase saying where it came from.

    Returns ``(None, "the default spec")`` when ``path`` is empty or no file exists there yet;
    a damaged file raises the workspace's error (with how to restore the backup).
    """
    if not path:
        return None, "the default spec"
    workspace, name = locate(path, SegmentationSpec)  # checks the kind folder and the name
    if not workspace.exists(SegmentationSpec, name):
        return None, f"the default spec (no {name}.json saved in the workspace yet)"
    return workspace.load(SegmentationSpec, name), f"the spec saved in {name}.json"
