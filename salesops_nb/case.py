"""The improvement case: the four fundamentals as one path, built through the Python API.

``segmentation -> flagged cell -> 5-Why -> countermeasures -> installment plan -> charter KPIs``

:func:`build_case` runs the default segmentation on the deals, takes the cell furthest below its
segment's benchmark (on the built-in sample: the bottom-quartile reps of a team x region segment,
where a planted underperformer sits), opens a 5-Why analysis on it with the gap computed from the
data, answers the whys (numbers computed, process causes worded blamelessly), turns the
countermeasures into a sized installment plan serving the charter's win-rate objective, and
links two charter KPIs to the data (overall win rate, and the flagged cell's win rate).
:meth:`ImprovementCase.save` writes the four artefacts to a workspace, linked by name.

The demo, the combined report (on an empty workspace) and the tests all build it here.

Example
-------
>>> from salesops_nb.data.load import load_opportunities
>>> case = build_case(load_opportunities())                # doctest: +SKIP
>>> case.save(Workspace("salesops-workspace"))              # doctest: +SKIP
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from salesops_nb.errors import DataError
from salesops_nb.workspace import Workspace

__all__ = ["OBJECTIVE", "ImprovementCase", "build_case"]

#: The charter objective the case's installments serve (a starter-library id).
OBJECTIVE = "raise-win-rate"

# Sizing of each countermeasure, in order: (value per month in closed deals-equivalent,
# duration, effort, change load per group, WSJF inputs, depends on the countermeasure number).
_SIZING = (
    dict(value_per_period=6.0, duration=1, effort=2,
         change_load={"sales managers": 2, "sales ops": 1},
         business_value=13, time_criticality=8, risk_reduction=5, after=None),
    dict(value_per_period=8.0, duration=2, effort=3,
         change_load={"field sales": 2, "sales ops": 2},
         business_value=13, time_criticality=5, risk_reduction=8, after=0),
    dict(value_per_period=5.0, duration=2, effort=2,
         change_load={"field sales": 2, "sales managers": 2},
         business_value=8, time_criticality=3, risk_reduction=5, after=None),
)
_CAPACITY = {"field sales": 3.0, "sales managers": 3.0, "sales ops": 3.0}


@dataclass(frozen=True)
class ImprovementCase:
    """The four linked artefacts of one improvement case, and the analysis it started from.

    Attributes
    ----------
    name
        The name every artefact is saved under (links use it).
    segmentation
        The :class:`~salesops_nb.segmentation.analysis.SegmentationAnalysis` of the deals.
    segment, stratum
        The flagged cell the 5-Why analysis digs into.
    analysis
        The :class:`~salesops_nb.five_whys.model.WhyAnalysis`.
    plan
        The sequenced :class:`~salesops_nb.installments.model.InstallmentPlan`.
    charter
        The :class:`~salesops_nb.charter.model.Charter` with KPIs linked to the data.
    """

    name: str
    segmentation: Any
    segment: str
    stratum: str
    analysis: Any
    plan: Any
    charter: Any
    paths: dict[str, Path] = field(default_factory=dict)

    @property
    def artefacts(self) -> dict[str, Any]:
        """kind -> artefact, in the order of the case."""
        return {"segmentation": self.segmentation.spec, "five_whys": self.analysis,
                "installments": self.plan, "charter": self.charter}

    def save(self, workspace: Workspace | str | Path) -> ImprovementCase:
        """Save the four artefacts under :attr:`name`; returns the case with their paths."""
        workspace = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
        paths = {kind: workspace.save(artefact, self.name)
                 for kind, artefact in self.artefacts.items()}
        return ImprovementCase(**{**self.__dict__, "paths": paths})


def build_case(deals: pd.DataFrame | None = None, *, name: str = "main",
               segment: str | None = None, stratum: str | None = None,
               today: dt.date | None = None, source: str = "the built-in sample data"
               ) -> ImprovementCase:
    """Build the improvement case on ``deals`` (see the module docstring).

    Parameters
    ----------
    deals
        Canonical opportunities; None: the built-in sample.
    name
        Name of every artefact in the workspace.
    segment, stratum
        The cell to dig into; default the cell with the largest impact below its benchmark.
    today
        Date of the analysis and the charter (default: today).
    source
        Where the deals came from, stored with computed evidence.

    Raises
    ------
    DataError
        No cell of the segmentation is below its benchmark (nothing to improve).
    """
    from salesops_nb import segmentation as seg
    from salesops_nb.data.load import load_opportunities
    from salesops_nb.links import flagged_cells, problem_from_segment

    deals = load_opportunities() if deals is None else deals
    today = today or dt.date.today()
    result = seg.analyse(deals, schemes=False)
    if segment is None:
        cells = flagged_cells(result, n=1)
        if cells.empty:
            raise DataError("No segment of the segmentation is below its benchmark.",
                            hint="There is no flagged cell to build an improvement case on.")
        segment, stratum = str(cells.loc[0, "segment"]), str(cells.loc[0, "stratum"])
    stratum = stratum or ""
    analysis = problem_from_segment(result, segment, stratum, segmentation=name,
                                    when=_period_text(deals))
    analysis = _answer_whys(analysis, deals, result, today, source)
    plan = _plan(analysis, name, today)
    charter = _charter(analysis, name, today, deals)
    return ImprovementCase(name, result, segment, stratum, analysis, plan, charter)


def _period_text(deals: pd.DataFrame) -> str:
    dates = pd.to_datetime(deals["close_date"], errors="coerce")
    closed = deals["is_closed"].fillna(False).astype(bool)
    first, last = dates[closed].min(), dates[closed].max()
    return "" if pd.isna(first) else f"deals closed {first:%Y-%m-%d}..{last:%Y-%m-%d}"


def _answer_whys(analysis, deals, result, today, source):
    """The why-tree: two data-backed first answers, then process causes down to root causes."""
    from salesops_nb.five_whys.evidence import EvidenceQuery, format_value, run_query
    from salesops_nb.five_whys.model import Evidence

    ref = analysis.problem.source_segment
    key = result.key
    peers = result.table.loc[result.table["segment"].astype(str) == ref.segment, key]
    peers = sorted(set(peers.astype(str)) - set(ref.entities))
    members_rows = deals[deals[key].astype(str).isin(ref.entities)]
    peer_rows = deals[deals[key].astype(str).isin(peers)]

    def query(metric: str, rows: pd.DataFrame, caption: str) -> Evidence:
        result_ = run_query(EvidenceQuery(metric=metric), rows, source=source)
        return Evidence(kind="query", text=caption, query=EvidenceQuery(metric=metric),
                        result=result_, verified=True)

    won = [query("win_rate", members_rows, "win rate of the flagged cell"),
           query("win_rate", peer_rows, "win rate of their segment peers")]
    answer = (f"Their closed deals are won less often than their peers': "
              f"{format_value('win_rate', won[0].result.value)} against "
              f"{format_value('win_rate', won[1].result.value)}")
    analysis = analysis.add_cause(None, answer, evidence=won, status="supported",
                                  confidence=0.9)
    first = analysis.nodes[-1].id
    size = [query("avg_amount", members_rows, "average deal of the flagged cell"),
            query("avg_amount", peer_rows, "average deal of their peers")]
    ratio = (size[0].result.value or 0) / (size[1].result.value or 1)
    analysis = analysis.add_cause(
        None, "They are handed larger, harder deals than their peers", evidence=size,
        status="supported" if ratio > 1.15 else "refuted", confidence=0.8)
    chain = (
        ("Deals reach a proposal without a confirmed budget and decision maker",
         "Reviewed the lost deals of the period with the segment's sales manager", None),
        ("No manager reviews a deal before its proposal goes out",
         "Calendar and CRM review: no deal-review meeting exists in this segment", None),
        ("The segment has no deal-review cadence: managers' time goes to forecast calls",
         "Interviews with the two sales managers and sales ops",
         "Why forecast calls took the time is a question about the company's operating rhythm; "
         "the cadence is what sales ops and the managers can change now."),
    )
    parent = first
    for step, (text, note, _) in enumerate(chain):
        last = step == len(chain) - 1
        analysis = analysis.add_cause(
            parent, text, evidence=[Evidence(text=note, verified=True)], status="supported",
            confidence=0.8, within_control=True if last else None,
            owner="Sales ops" if last else "")
        parent = analysis.nodes[-1].id
    analysis = analysis.mark_root_cause(parent, stop_reason=chain[-1][2])
    analysis = analysis.add_cause(
        first, "Reps new to the segment get no structured coaching after onboarding",
        evidence=[Evidence(text="Onboarding plan and interviews with enablement", verified=True)],
        status="supported", confidence=0.7, within_control=True, owner="Sales enablement")
    coaching = analysis.nodes[-1].id
    analysis = analysis.mark_root_cause(
        coaching, stop_reason="Coaching ownership is decided by sales leadership and "
        "enablement; assigning it is within reach this quarter.")
    return _countermeasures(analysis, parent, coaching, ref, today, members_rows)


def _countermeasures(analysis, cadence, coaching, ref, today, members_rows):
    from salesops_nb.five_whys.evidence import EvidenceQuery
    from salesops_nb.five_whys.model import EffectivenessCheck

    rep_filter = {"rep_id": list(ref.entities)[:50]} if ref.entities else {}
    baseline = ref.value if ref.value is not None else 0.0
    target = round(ref.benchmark if ref.benchmark is not None else baseline, 3)

    def check(days: int) -> EffectivenessCheck:
        start = today + dt.timedelta(days=days)
        return EffectivenessCheck(query=EvidenceQuery(metric="win_rate", filters=rep_filter),
                                  baseline=round(baseline, 3), target=target,
                                  measure_from=start, check_date=start + dt.timedelta(days=90))

    plans = (
        (cadence, "Weekly deal reviews of the segment's open deals above median size",
         "Sales manager of the segment", 30, "Fewer unqualified proposals; win rate recovers"),
        (cadence, "Require budget and decision maker to enter Proposal",
         "Head of sales ops", 60, "Proposals only for qualified deals"),
        (coaching, "Pair each bottom-quartile rep with a top-quartile peer for a quarter",
         "Sales enablement lead", 45, "Practice of the best reps spreads in the segment"),
    )
    for node, action, owner, days, effect in plans:
        analysis = analysis.add_countermeasure(
            node, action, owner=owner, due=today + dt.timedelta(days=days),
            expected_effect=effect, check=check(days))
    return analysis


def _plan(analysis, name: str, today: dt.date):
    from salesops_nb.five_whys.to_installments import to_improvement_items
    from salesops_nb.installments.model import Capacity, InstallmentPlan
    from salesops_nb.installments.sequence import sequence_plan
    from salesops_nb.links import serve_objective

    start = (pd.Timestamp(today) + pd.offsets.MonthBegin(1)).date()
    capacity = Capacity(period="month", start=start, horizon=9, groups=dict(_CAPACITY),
                        delivery=4)
    items = to_improvement_items(analysis, name, capacity=capacity)
    sized = []
    for number, item in enumerate(items):
        sizing = dict(_SIZING[number % len(_SIZING)])
        after = sizing.pop("after")
        depends = [items[after].id] if after is not None and after < number else []
        sized.append(item.model_copy(update={
            **sizing, "value_unit": "deals", "depends_on": depends, "deadline": None}))
    sized = serve_objective(sized, name, OBJECTIVE)
    plan = InstallmentPlan(title=f"Installments: {analysis.title}", items=sized,
                           capacity=capacity,
                           notes="Countermeasures of the 5-Why analysis, one absorbable change "
                           "at a time.")
    return sequence_plan(plan)


def _charter(analysis, name: str, today: dt.date, deals: pd.DataFrame):
    from salesops_nb.charter.example import example_charter
    from salesops_nb.charter.model import Kpi, MetricRef
    from salesops_nb.five_whys.evidence import EvidenceQuery, run_query

    ref = analysis.problem.source_segment
    charter = example_charter(today)
    overall = run_query(EvidenceQuery(metric="win_rate"), deals).value
    objectives = []
    for objective in charter.objectives:
        if objective.library_id == OBJECTIVE:
            kpis = []
            for kpi in objective.kpis:
                if kpi.library_id == "win-rate" and overall is not None:
                    kpi = kpi.model_copy(update={
                        "baseline": round(100 * overall, 1),
                        "target": round(100 * overall + 3, 1),
                        "metric_ref": MetricRef(metric="win_rate", segmentation=name)})
                kpis.append(kpi)
            kpis.append(Kpi(
                name=f"Win rate: {ref.segment}, {ref.stratum or 'whole segment'}",
                definition="Won / closed deals of the flagged cell's reps (the segmentation "
                "re-applied to each period's data)",
                unit="%", direction="increase",
                baseline=round(100 * (ref.value or 0.0), 1),
                target=round(100 * (ref.benchmark or 0.0), 1),
                due=today + dt.timedelta(days=180), owner="Head of sales ops",
                data_source="CRM opportunities export",
                metric_ref=MetricRef(metric="win_rate", segmentation=name,
                                     segment=ref.segment, stratum=ref.stratum)))
            objective = objective.model_copy(update={"kpis": kpis})
        objectives.append(objective)
    return charter.model_copy(update={"objectives": objectives})
