"""KPIs computed from the data: a charter KPI's linked metric over its segment."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from salesops_nb.errors import SalesOpsError
from salesops_nb.links._common import SHARE_METRICS, LinkError, listing, load_target
from salesops_nb.workspace import Workspace

__all__ = ["MetricValue", "kpi_status", "metric_value"]

# -- KPIs computed from the data ------------------------------------------------------------------


@dataclass(frozen=True)
class MetricValue:
    """A linked metric computed on the data: value (None: no deals), deals it rests on, basis."""

    value: float | None
    n: int
    basis: str


def metric_value(ref: Any, deals: pd.DataFrame, workspace: Workspace | None = None, *,
                 cache: dict | None = None) -> MetricValue:
    """Compute the metric a KPI links to, over its segment of the saved segmentation.

    Parameters
    ----------
    ref
        A :class:`~salesops_nb.charter.model.MetricRef`.
    deals
        Canonical opportunities (the report's period and filter already applied).
    workspace
        Where the segmentation spec is saved (needed when ``ref.segment`` is set).
    cache
        A dict kept between calls, so a spec is applied once for several KPIs.

    Raises
    ------
    LinkError
        The metric is unknown, the spec is missing or unreadable, or the segment is not one of
        its labels.
    """
    from salesops_nb.five_whys.evidence import METRICS, EvidenceQuery, run_query

    if ref.metric not in METRICS:
        raise LinkError(f"A KPI links to metric {ref.metric!r}, which is not computed from data.",
                        hint=f"Use one of: {', '.join(METRICS)}.")
    rows, basis = deals, "all deals"
    if ref.segment:
        if workspace is None:
            raise LinkError("A KPI linked to a segment needs the workspace of its segmentation.",
                            hint="Pass workspace= to metric_value().")
        assigned, key, labels, strata = _assigned(ref.segmentation, deals, workspace, cache)
        if ref.segment not in labels or (ref.stratum and ref.stratum not in strata):
            missing = (f"segment {ref.segment!r}" if ref.segment not in labels
                       else f"stratum {ref.stratum!r}")
            raise LinkError(f"A KPI links to {missing} of segmentation '{ref.segmentation}', "
                            "which it does not have.",
                            hint=f"Segments: {listing(labels)}; strata: {listing(strata)}.")
        keep = assigned["segment"].astype(str) == ref.segment
        if ref.stratum:
            keep &= assigned["stratum"].astype(str) == ref.stratum
        keys = assigned.loc[keep, key].astype(str)
        rows = deals[deals[key].astype(str).isin(keys)]
        basis = f"{ref.segment}" + (f", {ref.stratum}" if ref.stratum else "")
        basis += f" ({len(keys)} entities)"
    result = run_query(EvidenceQuery(metric=ref.metric), rows)
    return MetricValue(result.value, result.n, f"{basis}: {result.n:,} deals")


def _assigned(name: str, deals: pd.DataFrame, workspace: Workspace,
              cache: dict | None) -> tuple[pd.DataFrame, str, list[str], list[str]]:
    from salesops_nb.segmentation.analysis import apply_spec, entities_for
    from salesops_nb.segmentation.defaults import ENTITY_KEYS
    from salesops_nb.segmentation.spec import SegmentationSpec

    cache = {} if cache is None else cache
    if ("spec", name) not in cache:
        spec = load_target(workspace, SegmentationSpec, name, "a KPI")
        table = entities_for(deals, spec.entity)
        assigned, fitted = apply_spec(table, spec)
        cache[("spec", name)] = (assigned, spec.key or ENTITY_KEYS[spec.entity],
                                 fitted.labels(), fitted.stratum_labels())
    return cache[("spec", name)]


def kpi_status(charter: Any, deals: pd.DataFrame, workspace: Workspace | None = None, *,
               linked_only: bool = False) -> pd.DataFrame:
    """Each KPI of ``charter`` with its current value computed from the data, when linked.

    Share metrics (win rate, discount) are shown in percent when the KPI's unit is ``%``.

    Returns
    -------
    pandas.DataFrame
        objective, kpi, unit, baseline, target, current, status, measured_on. ``status`` is
        "target met", "improving", "behind baseline", "no target", "not linked to data" or
        "broken link: ..." (a broken link never raises).
    """
    rows, cache = [], {}
    for objective in charter.objectives:
        for kpi in objective.kpis:
            if kpi.metric_ref is None and linked_only:
                continue
            current, basis, status = None, "", "not linked to data"
            if kpi.metric_ref is not None:
                try:
                    measured = metric_value(kpi.metric_ref, deals, workspace, cache=cache)
                except SalesOpsError as err:
                    status = f"broken link: {err.message}"
                else:
                    current, basis = _in_unit(kpi.metric_ref.metric, measured.value, kpi.unit), \
                        measured.basis
                    status = _progress(current, kpi.baseline, kpi.target, kpi.direction)
            rows.append({"objective": objective.title, "kpi": kpi.name, "unit": kpi.unit,
                         "baseline": kpi.baseline, "target": kpi.target, "current": current,
                         "status": status, "measured_on": basis})
    columns = ["objective", "kpi", "unit", "baseline", "target", "current", "status",
               "measured_on"]
    return pd.DataFrame(rows, columns=columns)


def _in_unit(metric: str, value: float | None, unit: str) -> float | None:
    if value is None:
        return None
    if metric in SHARE_METRICS and unit.strip().lower() in {"%", "percent", "pct", "% points"}:
        return round(100 * value, 1)
    return round(value, 3) if metric in SHARE_METRICS else round(value, 1)


def _progress(current: float | None, baseline: float | None, target: float | None,
              direction: str) -> str:
    if current is None:
        return "no deals in the period"
    if target is None:
        return "no target"
    sign = 1 if direction == "increase" else -1
    if sign * (current - target) >= 0:
        return "target met"
    if baseline is not None and sign * (current - baseline) < 0:
        return "behind baseline"
    return "improving" if baseline is not None and current != baseline else "not moved yet"

