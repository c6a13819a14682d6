"""Exercise checks of a segmentation spec and of the weak spot found with it."""

from __future__ import annotations

from typing import Any

import pandas as pd

from salesops_nb.errors import SalesOpsError
from salesops_nb.training._shared import validated
from salesops_nb.training.feedback import Feedback, Note, capped, join_names

__all__ = ["MIN_SEGMENT_SIZE", "segmentation", "weak_spot"]


#: Fewest entities a segment should hold before its rates are compared, per entity.
MIN_SEGMENT_SIZE: dict[str, int] = {"reps": 5, "accounts": 30, "opportunities": 30}
_UNITS = {"reps": "reps", "accounts": "accounts", "opportunities": "deals"}
_UNIT = {"reps": "rep", "accounts": "account", "opportunities": "deal"}
# Rule warnings that leave a segment empty or mis-filled: the answer is not done yet.
_RULE_FIXES = ("value not found", "unreachable", "matches nothing")


def segmentation(spec: Any, data: pd.DataFrame, *, metric: str | None = None,
                 min_size: int | None = None) -> Feedback:
    """Check a segmentation spec on the data: sizes, coverage, rules, what the segments explain.

    Parameters
    ----------
    spec
        A :class:`~salesops_nb.segmentation.SegmentationSpec` (or its dict / JSON form).
    data
        Canonical opportunities (the entity table of ``spec.entity`` is built from them), or
        the entity table itself (one row per ``spec.key``).
    metric
        The performance metric the segments should separate; default the spec's strata
        metric, else win rate (reps, accounts) or cycle days (deals).
    min_size
        Fewest entities per segment (default :data:`MIN_SEGMENT_SIZE` of the entity).

    Returns
    -------
    Feedback
        Fixes for small or empty segments, rules that match nothing, poor coverage, one
        segment only, segments that explain little of ``metric``; tips for overlaps and
        missing strata.
    """
    from salesops_nb.segmentation import SegmentationSpec
    from salesops_nb.segmentation.analysis import apply_spec, profile_entities
    from salesops_nb.segmentation.defaults import DEFAULT_METRICS, SHRUNK_SUFFIX
    from salesops_nb.segmentation.quality import quality_report

    title = "Segmentation"
    try:
        spec = validated(SegmentationSpec, spec, "segmentation spec")
        table = _entity_table(spec, data)
        assigned, fitted = apply_spec(table, spec)
    except SalesOpsError as err:
        return Feedback(title, (Note("fix", err.message, err.hint, "spec"),))
    entity = spec.entity if spec.entity in _UNITS else "opportunities"
    unit = _UNITS[entity]
    size = min_size or MIN_SEGMENT_SIZE[entity]
    if metric is None:
        metric = (fitted.strata.metric.removesuffix(SHRUNK_SUFFIX) if fitted.strata
                  else DEFAULT_METRICS[entity][0])
    measures = {m.name: m for m in quality_report(
        assigned, fitted, metric=metric if metric in assigned.columns else None,
        outcome=None, min_size=size)}
    counts = profile_entities(assigned, fitted).set_index("segment")["count"]
    excluded = _left_out_labels(fitted)
    named = counts[~counts.index.isin(excluded)]

    notes, flagged_empty = _rule_notes(fitted, assigned)
    small = named[(named > 0) & (named < size)].sort_values()
    notes += [Note("fix", f"Segment {label!r} has {_count(int(n), entity)}; aim for at least "
                   f"{size}.",
                   f"Merge it with a similar segment or use a coarser field: a rate from so few "
                   f"{unit} is mostly noise.", "smallest segment")
              for label, n in small.items()]
    empty = [str(s) for s in named[named == 0].index if str(s) not in flagged_empty]
    if empty:
        notes.append(Note("fix", f"No {unit} fall in segment(s) {join_names(empty)}.",
                          "Check the thresholds or values against the data, or remove the "
                          "segment.", "empty segment"))
    if (named > 0).sum() < 2:
        notes.append(Note("fix", f"All {unit} land in one named segment: there is nothing to "
                          "compare.", "Split them by a field that matters for the outcome, "
                          "e.g. team.", "one segment"))
    coverage = measures["coverage"]
    if coverage.ok is False:
        notes.append(Note("fix", coverage.verdict, f"{coverage.detail}. Add a rule for the "
                          "largest group left in the catch-all.", "coverage"))
    variance = measures.get("GVF") or measures.get("eta squared")
    if variance is not None and variance.ok is False:
        notes.append(Note("fix", variance.verdict, f"Segment by what drives {metric}: try "
                          "another field and compare the share explained.", "eta squared"))
    if fitted.strata is None:
        notes.append(Note("tip", f"No strata yet: {unit} are not ranked within their segment.",
                          "Add strata=Stratification(metric='win_rate_shrunk') to tell good "
                          "from bad outcomes among peers.", "strata"))
    notes = capped(notes)
    shown = named[named > 0]
    if not any(n.level == "fix" for n in notes) and len(shown):
        smallest = shown.idxmin()
        explained = (f"; the segments explain {variance.value:.0%} of the variation in {metric}"
                     if variance is not None and variance.value is not None else "")
        notes.append(Note("pass", f"{len(shown)} segments of {unit}; the smallest, "
                          f"{smallest!r}, has {int(shown.min())} (aim {size}+); "
                          f"{coverage.value:.0%} in a named segment{explained}.", topic="summary"))
    figures = tuple((str(label), _count(int(n), entity)) for label, n in counts.items() if n > 0)
    return Feedback(title, tuple(notes), figures[:12])


def _entity_table(spec: Any, data: pd.DataFrame) -> pd.DataFrame:
    from salesops_nb.segmentation.analysis import entities_for
    from salesops_nb.segmentation.defaults import ENTITY_KEYS

    if not isinstance(data, pd.DataFrame):
        raise SalesOpsError("The data to check against must be a pandas DataFrame, got "
                            f"{type(data).__name__}.",
                            hint="Pass the deals, e.g. load_opportunities().")
    key = spec.key or ENTITY_KEYS.get(spec.entity, "")
    if spec.entity == "opportunities" or (key in data.columns and data[key].is_unique):
        return data
    return entities_for(data, spec.entity)


def _count(n: int, entity: str) -> str:
    return f"{n:,} {_UNIT[entity] if n == 1 else _UNITS[entity]}"


def _left_out_labels(spec: Any) -> set[str]:
    labels = {spec.catch_all} if spec.catch_all else set()
    labels |= {b.unknown_label for b in spec.bandings}
    labels |= {m.unknown_label for m in spec.matrices}
    return labels


def _rule_notes(spec: Any, assigned: pd.DataFrame) -> tuple[list[Note], set[str]]:
    """Notes from the rule checks, and the labels of rules already reported as failing."""
    warnings = spec.check(assigned)
    specific = {w.rule for w in warnings if w.kind == "value not found"}
    notes = []
    for w in warnings:
        if w.kind == "matches nothing" and w.rule in specific:
            continue  # the misspelt value says more than "matches nothing"
        if w.kind in _RULE_FIXES:
            notes.append(Note("fix", w.message,
                              _values_hint(spec, w.rule, assigned), "rules"))
        else:
            notes.append(Note("tip", w.message, "Order the rules from the most specific to the "
                              "most general: the first match wins.", "rules"))
    return notes, {str(w.rule) for w in warnings if w.kind in _RULE_FIXES}


def _values_hint(spec: Any, label: str | None, table: pd.DataFrame) -> str:
    fields = [c.field for r in spec.rules if r.label == label for c in r.when]
    parts = []
    for name in dict.fromkeys(fields):
        if name in table.columns:
            values = sorted(map(str, table[name].dropna().unique()))
            parts.append(f"{name} has {join_names(values, 8)}")
    return ("Use a value the data has: " + "; ".join(parts) + ".") if parts else \
        "Check the field and value against the data."


# -- the weak spot -----------------------------------------------------------------------------


def weak_spot(answer: str, deals: pd.DataFrame, *, min_closed: int = 60) -> Feedback:
    """Check which segment a participant names as the one whose win rate fell most.

    The reference is :func:`salesops_nb.five_whys.declining_segment`: among the values of team,
    region, product line, lead source and industry with ``min_closed`` closed deals in each
    of the last two half-years, the one whose win rate dropped most.

    Parameters
    ----------
    answer
        The value named, e.g. ``"Referral"`` (case does not matter).
    deals
        Canonical opportunities.
    min_closed
        Closed deals a segment needs in each half-year for its rate to count.
    """
    from salesops_nb.five_whys import declining_segment, run_query
    from salesops_nb.five_whys.factors import DIMENSIONS

    title = "Weak spot"
    try:
        found = declining_segment(deals, min_closed=min_closed)
    except SalesOpsError as err:
        return Feedback(title, (Note("fix", err.message, err.hint, "data"),))
    dimensions = [c for c in DIMENSIONS if c in deals.columns]
    given = str(answer or "").strip()
    if not given:
        return Feedback(title, (Note("fix", "No answer yet.", "Name the segment whose win rate "
                                     "fell most, e.g. a lead source or a team.", "empty"),))
    label = f"{found.column.replace('_', ' ')} {found.value}"
    if given.casefold() == found.value.casefold():
        return Feedback(title, (Note(
            "pass", f"Yes: the win rate of {label} deals fell from {found.rate_before:.0%} to "
            f"{found.rate_after:.0%} ({found.drop * 100:+.1f} points), the largest drop among "
            f"segments with {min_closed}+ closed deals in each half-year.", topic="summary"),))
    column = next((c for c in dimensions if deals[c].astype("string").str.casefold()
                   .eq(given.casefold()).any()), None)
    if column is None:
        values = sorted(map(str, deals[found.column].dropna().unique()))
        return Feedback(title, (Note(
            "fix", f"No value of {', '.join(dimensions)} is called {given!r} in the data.",
            f"Name a value, e.g. of {found.column}: {join_names(values, 8)}.",
            "unknown value"),))
    value = str(deals.loc[deals[column].astype("string").str.casefold() == given.casefold(),
                          column].iloc[0])
    before = run_query(found.before.model_copy(update={"filters": {column: [value]}}), deals)
    after = run_query(found.after.model_copy(update={"filters": {column: [value]}}), deals)
    if min(before.n, after.n) < min_closed:
        return Feedback(title, (Note(
            "fix", f"{value!r} ({column}) has only {min(before.n, after.n)} closed deals in a "
            f"half-year: a win rate from so few deals is mostly noise.",
            f"Look at segments with at least {min_closed} closed deals in each half-year.",
            "too few deals"),))
    change = (after.value or 0.0) - (before.value or 0.0)
    moved = "rose" if change > 0 else "fell"
    return Feedback(title, (Note(
        "fix", f"The win rate of {value!r} ({column}) {moved} from {before.value:.0%} to "
        f"{after.value:.0%} ({change * 100:+.1f} points): another segment fell further.",
        "Compare the drop of every value of team, region, product line, lead source and "
        "industry between the two half-years, biggest drop first.", "not the largest drop"),))
