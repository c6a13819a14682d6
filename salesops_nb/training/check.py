"""Exercise checkers: instant, specific feedback on a participant's answer.

Each checker takes what the participant built (a spec, a 5-Why analysis, a charter, a plan) and
returns a :class:`~salesops_nb.training.feedback.Feedback`: it passes for a good answer and
otherwise says what to fix, where, and how. The judgement is the domain's own: the
segmentation quality measures and rule checks, the 5-Why and charter coaching checks (lint),
the installment planner's checks and metrics. Nothing here re-implements them; the checkers
translate their results into exercise feedback.

>>> from salesops_nb.training import check
>>> check.segmentation(spec, deals)          # doctest: +SKIP
>>> check.five_whys(analysis, deals=deals)   # doctest: +SKIP
>>> check.charter(charter, kpi="Win rate")   # doctest: +SKIP
>>> check.installments(plan)                 # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pandas as pd
import pydantic

from salesops_nb.errors import SalesOpsError
from salesops_nb.training.feedback import Feedback, Note, capped, join_names

__all__ = ["charter", "five_whys", "installments", "segmentation"]

#: Fewest entities a segment should hold before its rates are compared, per entity.
MIN_SEGMENT_SIZE: dict[str, int] = {"reps": 5, "accounts": 30, "opportunities": 30}
_UNITS = {"reps": "reps", "accounts": "accounts", "opportunities": "deals"}
_UNIT = {"reps": "rep", "accounts": "account", "opportunities": "deal"}
# Rule warnings that leave a segment empty or mis-filled: the answer is not done yet.
_RULE_FIXES = ("value not found", "unreachable", "matches nothing")


# -- segmentation ------------------------------------------------------------------------------


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
        spec = _validated(SegmentationSpec, spec, "segmentation spec")
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


# -- 5 Why -------------------------------------------------------------------------------------


def five_whys(analysis: Any, *, deals: pd.DataFrame | None = None) -> Feedback:
    """Check a 5-Why analysis with the 5-Why coaching checks (:func:`salesops_nb.five_whys.lint`).

    Parameters
    ----------
    analysis
        A :class:`~salesops_nb.five_whys.WhyAnalysis` (or its dict / JSON form).
    deals
        The opportunities, optional: rep names feed the blame check, and the data tells
        whether a single chain hides other factors.

    Returns
    -------
    Feedback
        Every coaching warning is a fix (blame, stopping early, circular answers, missing or
        unverified evidence, root causes without an owned, dated, checked countermeasure, an
        unmeasured problem); informational findings are tips.
    """
    from salesops_nb.five_whys import WhyAnalysis, lint, summary

    title = "5 Why"
    try:
        analysis = _validated(WhyAnalysis, analysis, "5-Why analysis")
    except SalesOpsError as err:
        return Feedback(title, (Note("fix", err.message, err.hint, "analysis"),))
    if not analysis.nodes:
        return Feedback(title, (Note(
            "fix", "No why yet: the analysis has a problem but no answer to 'why?'.",
            "Add the first cause: analysis = analysis.add_cause(None, 'what made it happen').",
            "no nodes"),))
    notes = [Note("fix" if f.severity == "warning" else "tip", f.message, f.suggestion, f.rule)
             for f in lint(analysis, deals=deals)]
    if not analysis.root_causes():
        notes.append(Note("fix", "No cause is marked as a root cause yet.",
                          "Mark the deepest cause you can act on: "
                          "analysis.mark_root_cause('w3'); then add a countermeasure.",
                          "no root cause"))
    notes = capped(notes)
    facts = summary(analysis)
    if not any(n.level == "fix" for n in notes):
        notes.append(Note("pass", f"{facts.nodes} causes in {facts.branches} branch(es), every "
                          "cause leading to a root cause backed by verified evidence; "
                          f"{facts.root_causes} root cause(s), each with an owned, dated and "
                          "checked countermeasure.", topic="summary"))
    figures = (("causes", str(facts.nodes)), ("branches", str(facts.branches)),
               ("with evidence", _pct(facts.evidence_share)),
               ("root causes", str(facts.root_causes)))
    return Feedback(title, tuple(notes), figures)


# -- charter -----------------------------------------------------------------------------------


def charter(charter: Any, *, kpi: str | None = None, today: dt.date | None = None) -> Feedback:
    """Check a charter with the charter coaching checks, or just one KPI of it.

    Parameters
    ----------
    charter
        A :class:`~salesops_nb.charter.Charter` (or its dict / JSON form).
    kpi
        Name of the KPI to check (case-insensitive): only it and its objective are judged,
        and an undefined KPI (no definition or data source) fails too. None: the whole
        charter, where errors and warnings fail and the rest are tips.
    today
        The date the review-date check compares with (default today).
    """
    from salesops_nb.charter import Charter, LintConfig, lint, maturity

    title = "Charter" if kpi is None else f"Charter KPI '{kpi}'"
    try:
        charter = _validated(Charter, charter, "charter")
    except SalesOpsError as err:
        return Feedback(title, (Note("fix", err.message, err.hint, "charter"),))
    config = LintConfig(today=today)
    findings = lint(charter, config)
    if kpi is None:
        notes = [Note("fix" if f.severity in ("error", "warning") else "tip", f.message,
                      f.suggestion, f.rule) for f in findings]
        notes += _direction_notes(charter, None)
        report = maturity(charter, config)
        notes = capped(notes)
        if not any(n.level == "fix" for n in notes):
            notes.append(Note("pass", "No errors or warnings: every objective has a complete "
                              "KPI, every decision one decider, and the licence clause stands "
                              f"(maturity {report.score}/100, {report.level}).", topic="summary"))
        return Feedback(title, tuple(notes), (("maturity", f"{report.score}/100"),
                                              ("level", report.level)))
    found = _find_kpi(charter, kpi)
    if found is None:
        names = [k.name for o in charter.objectives for k in o.kpis]
        where = (f"Add it to an objective: charter.objectives[0].kpis.append(Kpi(name={kpi!r}, "
                 "...)). KPIs now: " + (join_names(names) or "none") + ".")
        return Feedback(title, (Note("fix", f"The charter has no KPI named {kpi!r}.", where,
                                     "missing kpi"),))
    i, j = found
    objective, target = charter.objectives[i], charter.objectives[i].kpis[j]
    mine = (f"objectives[{i}]", f"objectives[{i}].kpis[{j}]")
    notes = [Note("fix", f.message, f.suggestion, f.rule) for f in findings if f.where in mine
             and f.rule != "objective-without-kpi"]
    notes += _direction_notes(charter, (i, j))
    if not any(n.level == "fix" for n in notes):
        unit = target.unit
        notes.append(Note("pass", f"KPI {target.name!r} can be tracked: {target.baseline:g}"
                          f"{unit} -> {target.target:g}{unit} by {target.due}, owned by "
                          f"{target.owner}, measured from {target.data_source}; its objective "
                          f"{objective.title!r} ties to {objective.ties_to}.", topic="summary"))
    return Feedback(title, tuple(notes))


def _find_kpi(charter: Any, name: str) -> tuple[int, int] | None:
    wanted = name.strip().casefold()
    for i, objective in enumerate(charter.objectives):
        for j, kpi in enumerate(objective.kpis):
            if kpi.name.strip().casefold() == wanted:
                return i, j
    return None


def _direction_notes(charter: Any, only: tuple[int, int] | None) -> list[Note]:
    """A target on the wrong side of the baseline: the KPI would 'improve' by getting worse."""
    notes = []
    for i, objective in enumerate(charter.objectives):
        for j, kpi in enumerate(objective.kpis):
            if (only is not None and (i, j) != only) or kpi.baseline is None \
                    or kpi.target is None:
                continue
            wrong = kpi.target <= kpi.baseline if kpi.direction == "increase" \
                else kpi.target >= kpi.baseline
            if wrong:
                side = "above" if kpi.direction == "increase" else "below"
                notes.append(Note(
                    "fix", f"KPI {kpi.name!r}: the target {kpi.target:g} is not {side} the "
                    f"baseline {kpi.baseline:g}, but the KPI should {kpi.direction}.",
                    f"Set a target {side} today's value, or set direction="
                    f"{'decrease' if kpi.direction == 'increase' else 'increase'!r}.",
                    "kpi-direction"))
    return notes


# -- installments ------------------------------------------------------------------------------


def installments(plan: Any) -> Feedback:
    """Check an installment plan: can it be sequenced within the change capacity, and is it
    cut into installments rather than one big bang?

    Parameters
    ----------
    plan
        An :class:`~salesops_nb.installments.InstallmentPlan` (or its dict / JSON form).

    Returns
    -------
    Feedback
        Fixes for an empty or one-item backlog, items too big for a group's capacity, items
        without value, and whatever stops the sequencer (missing capacity, unknown or circular
        dependencies, deadlines); tips for items that load nobody or link to no root cause.
    """
    from salesops_nb.installments import InstallmentPlan, big_bang, oversized, saturation
    from salesops_nb.installments.explain import money
    from salesops_nb.installments.sequence import sequence_plan

    title = "Installment plan"
    try:
        plan = _validated(InstallmentPlan, plan, "installment plan")
    except SalesOpsError as err:
        return Feedback(title, (Note("fix", err.message, err.hint, "plan"),))
    items = plan.items
    if not items:
        return Feedback(title, (Note("fix", "The backlog is empty.", "Add the countermeasures "
                                     "as items: ImprovementItem(id=..., title=..., ...).",
                                     "empty"),))
    notes = []
    if len(items) == 1:
        notes.append(Note("fix", f"One item, {items[0].title!r}, is a big bang, not a plan.",
                          f"Cut it into a pilot and rollouts: installments.split(plan.item("
                          f"{items[0].id!r}), 3), and add the other countermeasures.",
                          "one item"))
    notes += [Note("fix", o.describe() + ".", f"installments.split(plan.item({o.item_id!r}), "
                   f"{o.parts}) "
                   "makes a pilot and rollouts that fit; or raise the group's capacity if "
                   "it really has more room.", "oversized")
              for o in oversized(items, plan.capacity)]
    notes += [Note("fix", f"Item {i.title!r} ({i.id}) has no value per period.",
                   "Say what it is worth each period once delivered (e.g. revenue it wins "
                   "back): the plan cannot rank an item worth nothing.", "no value")
              for i in items if i.value_per_period <= 0]
    notes += [Note("tip", f"Item {i.title!r} ({i.id}) asks no change of any group.",
                   "Who has to work differently? Put their load in change_load, or the plan "
                   "will stack it on top of everything else.", "no load")
              for i in items if not i.change_load]
    unlinked = [i.id for i in items if i.root_cause is None]
    if unlinked:
        notes.append(Note("tip", f"{len(unlinked)} item(s) link to no 5-Why root cause "
                          f"({join_names(unlinked)}).", "Create items from countermeasures with "
                          "five_whys.to_installments.to_improvement_items(analysis, name) so "
                          "each says why it exists.", "link"))
    scheduled = None
    if not any(n.topic == "oversized" for n in notes):
        try:
            scheduled = sequence_plan(plan)
        except SalesOpsError as err:
            notes.append(Note("fix", err.message, err.hint, type(err).__name__))
    notes = capped(notes)
    figures: tuple[tuple[str, str], ...] = (("items", str(len(items))),)
    if scheduled is not None:
        schedule, capacity = scheduled.schedule, scheduled.capacity
        load = saturation(scheduled.items, capacity, schedule)
        bang = big_bang(scheduled.items, capacity, schedule)
        end = max(s + scheduled.item(i).duration for i, s in schedule.starts.items())
        unit = bang.unit
        figures += (("value within the horizon", money(schedule.value, unit)),
                    ("big bang", money(bang.value, unit)),
                    ("peak saturation", f"{load['ratio'].max():.0%}"))
        if not any(n.level == "fix" for n in notes):
            notes.append(Note("pass", f"{len(items)} installments fit the change capacity "
                              f"(peak {load['ratio'].max():.0%}) and are all delivered by "
                              f"{capacity.period_label(end - 1)}; they bring "
                              f"{money(schedule.value, unit)} within the horizon, against "
                              f"{money(bang.value, unit)} for a big bang.", topic="summary"))
    return Feedback(title, tuple(notes), figures)


# -- shared ------------------------------------------------------------------------------------


def _validated(model: Any, value: Any, what: str) -> Any:
    """``value`` as ``model``: dicts and JSON text are validated; errors teach, not trace."""
    if isinstance(value, model):
        return value
    try:
        if isinstance(value, str | bytes):
            return model.model_validate_json(value)
        return model.model_validate(value)
    except pydantic.ValidationError as err:
        problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'value'}: {e['msg']}"
                             for e in err.errors()[:5])
        raise SalesOpsError(f"This is not a valid {what}: {problems}.",
                            hint=f"Build it as {model.__name__}(...) and check the fields named "
                            "above.") from err


def _pct(share: float | None) -> str:
    return "-" if share is None else f"{share:.0%}"
