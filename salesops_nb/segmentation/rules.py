"""Categorical rules as narwhals expressions, and the checks that catch rules that do not mean it.

Rules are tried in order and the first match wins; rows no rule matches get the catch-all label.
A condition on a missing value is false, so such rows fall through to later rules.
"""

from __future__ import annotations

from typing import Any

import narwhals as nw

from salesops_nb.errors import SpecError
from salesops_nb.segmentation import _frames
from salesops_nb.segmentation.spec import SegmentationSpec, SegmentationWarning
from salesops_nb.segmentation.spec_parts import Condition, Rule

__all__ = [
    "check_rules", "condition_expr", "rule_cases", "rule_expr", "rules_expr", "validate_rules",
]


def condition_expr(condition: Condition, frame: nw.DataFrame | nw.LazyFrame) -> nw.Expr:
    """The boolean expression of one condition (missing values never match)."""
    dtype = _frames.schema(frame)[condition.field]
    column = (
        _frames.numeric(condition.field, frame) if _frames.is_numeric(dtype)
        else nw.col(condition.field)
    )
    value = condition.value
    op = condition.op
    if op == "in":
        expr = column.is_in(value)
    elif op == "not in":
        expr = ~column.is_in(value) & ~column.is_null()
    elif op == "==":
        expr = column == value
    elif op == "!=":
        expr = column != value
    elif op == "<":
        expr = column < value
    elif op == "<=":
        expr = column <= value
    elif op == ">":
        expr = column > value
    else:
        expr = column >= value
    # Comparisons with a missing value give null on Polars and False on pandas: make it False.
    return expr.fill_null(value=False)


def rule_expr(rule: Rule, frame: nw.DataFrame | nw.LazyFrame) -> nw.Expr:
    """True where the rule matches (all or any of its conditions)."""
    parts = [condition_expr(c, frame) for c in rule.when]
    combined = parts[0]
    for part in parts[1:]:
        combined = combined & part if rule.match == "all" else combined | part
    return combined


def rules_expr(spec: SegmentationSpec, frame: nw.DataFrame | nw.LazyFrame) -> nw.Expr:
    """The label of the first matching rule, else the catch-all (a string expression)."""
    return _frames.label_chain(rule_cases(spec, frame), spec.catch_all or "", frame)


def rule_cases(spec: SegmentationSpec, frame: nw.DataFrame | nw.LazyFrame
               ) -> list[tuple[nw.Expr, str]]:
    """(test, label) of each rule, in order: the cases of the first-match chain."""
    return [(rule_expr(rule, frame), rule.label) for rule in spec.rules]


def validate_rules(spec: SegmentationSpec, frame: nw.DataFrame | nw.LazyFrame) -> None:
    """Raise if a rule names an absent field or compares values of the wrong kind."""
    fields = [c.field for r in spec.rules for c in r.when]
    _frames.require_fields(frame, fields, f"A rule of spec {spec.name!r}")
    types = _frames.schema(frame)
    for rule in spec.rules:
        for cond in rule.when:
            dtype = types[cond.field]
            values = cond.value if isinstance(cond.value, list) else [cond.value]
            numeric_field = _frames.is_numeric(dtype)
            text_values = [v for v in values if isinstance(v, str)]
            where = f"Rule {rule.label!r}, condition {cond.describe()}"
            if cond.op in ("<", "<=", ">", ">="):
                _frames.require_numeric(frame, cond.field, where)
            elif numeric_field and text_values:
                raise SpecError(
                    f"{where}: column {cond.field!r} holds numbers ({dtype}) but the rule "
                    f"compares it with text {text_values!r}.",
                    hint="Write the values as numbers, e.g. value=[1, 2] rather than ['1', '2'].",
                )
            elif dtype == nw.Boolean and any(not isinstance(v, bool) for v in values):
                raise SpecError(
                    f"{where}: column {cond.field!r} holds True/False but the rule compares it "
                    f"with {values!r}.",
                    hint="Compare a true/false column with True or False.",
                )


def check_rules(frame: Any, spec: SegmentationSpec) -> list[SegmentationWarning]:
    """Warnings about the rules of ``spec`` on ``frame``.

    - "matches nothing": a rule no row meets;
    - "unreachable": a rule whose every matching row is taken by earlier rules;
    - "overlap": rows a rule matches that an earlier rule already took (first match wins);
    - "value not found": a value listed in an ``in``/``==`` condition that no row has.

    One aggregation pass computes every count, so this is cheap on large data.
    """
    nw_frame = _frames.to_narwhals(frame)
    if not spec.rules:
        return []
    validate_rules(spec, nw_frame)
    tests = [rule_expr(r, nw_frame) for r in spec.rules]
    counts: list[nw.Expr] = []
    taken: nw.Expr | None = None
    for i, test in enumerate(tests):
        counts.append(test.cast(nw.Int64).sum().alias(f"m{i}"))
        first = test if taken is None else test & ~taken
        counts.append(first.cast(nw.Int64).sum().alias(f"f{i}"))
        for j in range(i):
            counts.append((tests[j] & test).cast(nw.Int64).sum().alias(f"o{j}_{i}"))
        taken = test if taken is None else taken | test
    values: list[tuple[Rule, Condition, Any]] = []
    for rule in spec.rules:
        for cond in rule.when:
            if cond.op in ("in", "=="):
                for value in cond.value if isinstance(cond.value, list) else [cond.value]:
                    values.append((rule, cond, value))
    for k, (_, cond, value) in enumerate(values):
        hit = (condition_expr(cond.model_copy(update={"op": "==", "value": value}), nw_frame))
        counts.append(hit.cast(nw.Int64).sum().alias(f"v{k}"))
    row = _frames.collect_pandas(nw_frame.select(*counts)).iloc[0]

    warnings: list[SegmentationWarning] = []
    for i, rule in enumerate(spec.rules):
        matched, first = int(row[f"m{i}"]), int(row[f"f{i}"])
        if matched == 0:
            warnings.append(SegmentationWarning(
                kind="matches nothing", rule=rule.label, rows=0,
                message=f"Rule {i + 1} ({rule.describe()}) matches no row of the data."))
            continue
        if first == 0:
            warnings.append(SegmentationWarning(
                kind="unreachable", rule=rule.label, rows=matched,
                message=f"Rule {i + 1} ({rule.describe()}) is unreachable: all {matched:,} rows "
                "it matches are taken by earlier rules (first match wins)."))
        for j in range(i):
            both = int(row[f"o{j}_{i}"])
            if both and first:
                warnings.append(SegmentationWarning(
                    kind="overlap", rule=rule.label, rows=both,
                    message=f"Rule {i + 1} ({rule.label!r}) overlaps rule {j + 1} "
                    f"({spec.rules[j].label!r}) on {both:,} rows; they go to "
                    f"{spec.rules[j].label!r} (first match wins)."))
    for k, (rule, cond, value) in enumerate(values):
        if int(row[f"v{k}"]) == 0:
            warnings.append(SegmentationWarning(
                kind="value not found", rule=rule.label, rows=0,
                message=f"Rule {rule.label!r}: no row has {cond.field} == {value!r}; check the "
                "spelling against the data."))
    return warnings
