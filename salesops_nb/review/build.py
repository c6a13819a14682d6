"""Everything the combined sales-ops review shows, gathered in one call (the template stays thin).

:func:`open_review` reads the workspace's artefacts (the one named ``main`` of each kind, else
the first), applies the report's period and segment filter to the deals, and computes each
fundamental's section: the segmentation analysis with the saved spec, the open 5-Why analyses,
the installment plan's schedule and load, the charter's maturity and its KPIs measured on the
data. A workspace with none of the four artefacts gets the improvement case built on the data
(:mod:`salesops_nb.case`) in a temporary folder, so the report always has something to show and
never writes into the folder it runs from; data that cannot carry the case (no flagged cell, a
segmentation it cannot fill) gets the case built on the built-in sample, and the report says why.
"""

from __future__ import annotations

import os
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd

from salesops_nb.errors import DataError, ParameterError, SalesOpsError, SpecError
from salesops_nb.links import KINDS, artefact_models
from salesops_nb.review.period import select_period
from salesops_nb.status import WorkspaceStatus, workspace_status
from salesops_nb.workspace import Workspace

__all__ = ["Review", "open_review"]


@dataclass
class Review:
    """The combined review: the artefacts, the data in scope and each section's results.

    Attributes
    ----------
    workspace
        Where the artefacts were read (a temporary folder for the sample case).
    source
        A sentence saying where the artefacts and the data came from.
    deals
        The deals of the period (all segments: peers are judged against the whole set).
    period, segment
        The period in words, and the segment filter ("" for all).
    names
        kind -> the artefact name shown (None when the kind has no artefact).
    segmentation
        The :class:`~salesops_nb.segmentation.analysis.SegmentationAnalysis` (or None).
    analyses
        name -> 5-Why analysis, every one in the workspace.
    plan
        The installments :class:`~salesops_nb.installments.analysis.PlanAnalysis` (or None).
    charter, maturity, kpis
        The charter, its maturity report and :func:`~salesops_nb.links.kpi_status` table.
    status
        The workspace overview with every link checked.
    problems
        Artefacts that could not be read, in words (the report goes on without them).
    """

    workspace: Workspace
    source: str
    deals: pd.DataFrame
    period: str
    segment: str
    names: dict[str, str | None]
    segmentation: Any = None
    analyses: dict[str, Any] = field(default_factory=dict)
    plan: Any = None
    charter: Any = None
    maturity: Any = None
    kpis: pd.DataFrame | None = None
    status: WorkspaceStatus | None = None
    problems: list[str] = field(default_factory=list)
    _keep: Any = None  # the temporary folder of a sample case lives as long as the review

    @property
    def segment_deals(self) -> pd.DataFrame:
        """The deals of the filtered segment's entities (all deals without a filter)."""
        if not self.segment or self.segmentation is None:
            return self.deals
        result = self.segmentation
        keys = result.table.loc[result.table["segment"].astype(str) == self.segment, result.key]
        return self.deals[self.deals[result.key].astype(str).isin(keys.astype(str))]


def open_review(workspace_path: str | os.PathLike[str], deals: pd.DataFrame, *,
                period: str = "", segment: str = "",
                data_source: str = "the built-in sample data") -> Review:
    """Read the workspace and compute every section of the combined review.

    Parameters
    ----------
    workspace_path
        The workspace folder. Missing, or holding none of the four artefacts: the improvement
        case is built on ``deals`` in a temporary folder.
    deals
        Canonical opportunities.
    period
        See :func:`~salesops_nb.review.period.select_period`.
    segment
        A segment label of the saved segmentation ("" for all).
    data_source
        Where ``deals`` came from, in words.

    Raises
    ------
    ParameterError
        A period that cannot be read or holds no deals; a segment the segmentation lacks.
    """
    in_period, period_label = select_period(deals, period)
    workspace = Workspace(workspace_path) if workspace_path else None
    keep, source = None, f"Artefacts from the workspace {Path(workspace_path).name or '.'}"
    if workspace is None or not _has_artefacts(workspace):
        keep = tempfile.TemporaryDirectory(prefix="salesops-review-")
        workspace, case_source, why = _sample_case(keep.name, deals, data_source)
        folder = Path(workspace_path).name if workspace_path else "the workspace"
        source = (f"No artefacts are saved in {folder} yet, so this "
                  f"review shows the improvement case built on {case_source}")
        if why:
            source += f" (it cannot be built on {data_source}: {why})"
    source += f"; data: {data_source}, {period_label}."
    review = Review(workspace, source, in_period, period_label, segment.strip(),
                    names={}, _keep=keep)
    models = artefact_models()
    loaded = {kind: _load_all(workspace, models[kind], review.problems) for kind in KINDS}
    review.names = {kind: _main_name(loaded[kind]) for kind in KINDS}
    review.segmentation = _segmentation(loaded["segmentation"], review)
    review.analyses = loaded["five_whys"]
    review.plan = _plan(loaded["installments"], review.names["installments"])
    review.charter = loaded["charter"].get(review.names["charter"]) \
        if review.names["charter"] else None
    if review.charter is not None:
        from salesops_nb.charter.maturity import maturity
        from salesops_nb.links import kpi_status

        review.maturity = maturity(review.charter)
        review.kpis = _scoped_kpis(kpi_status(review.charter, in_period, workspace), review)
    review.status = workspace_status(workspace, must_exist=False)
    return review


def _has_artefacts(workspace: Workspace) -> bool:
    return any(info.kind in KINDS for info in workspace.list())


# What says "this data cannot carry the improvement case": no flagged cell or too little data
# (DataError), a default segmentation the data cannot fill (SpecError), or segment columns
# holding no values or far too many segments, e.g. 100k distinct teams (ParameterError).
_CASE_FAILURES = (DataError, SpecError, ParameterError)


def _sample_case(folder: str, deals: pd.DataFrame, data_source: str
                 ) -> tuple[Workspace, str, str]:
    """The improvement case saved in ``folder``: (workspace, data it used, why not the data).

    Built on ``deals`` when it can be, else on the built-in sample (which always has a
    flagged cell), with the reason in words so the report can say why.
    """
    from salesops_nb.case import build_case
    from salesops_nb.data.load import load_opportunities

    try:
        case, used, why = build_case(deals, source=data_source), data_source, ""
    except _CASE_FAILURES as err:
        case, used = build_case(load_opportunities()), "the built-in sample data"
        why = err.message.rstrip(".")
    workspace = Workspace(folder)
    case.save(workspace)
    return workspace, used, why


def _load_all(workspace: Workspace, model: type, problems: list[str]) -> dict[str, Any]:
    found = {}
    for name in workspace.names(model):
        try:
            found[name] = workspace.load(model, name)
        except SalesOpsError as err:
            problems.append(f"{model.kind}/{name} cannot be read: {err.message}")
    return found


def _main_name(found: dict[str, Any]) -> str | None:
    if "main" in found:
        return "main"
    return next(iter(sorted(found)), None)


def _segmentation(specs: dict[str, Any], review: Review) -> Any:
    from salesops_nb import segmentation as seg

    name = review.names["segmentation"]
    spec = specs.get(name) if name else None
    try:
        result = seg.analyse(review.deals, spec, schemes=False)
    except SalesOpsError as err:
        if review.segment:  # the filter cannot be checked, and the report would be empty
            raise
        review.problems.append(f"The segmentation could not be applied to {review.period}: "
                               f"{err.message}")
        return None
    if review.segment:
        labels = result.profile["segment"].astype(str)
        if review.segment not in set(labels):
            raise ParameterError(
                f"segment={review.segment!r} is not a segment of the segmentation "
                f"'{name or 'default'}'.",
                hint="Segments: " + ", ".join(repr(v) for v in labels) + ". Leave segment "
                "empty for all of them.")
    if spec is None:
        review.names["segmentation"] = None
    return result


def _plan(plans: dict[str, Any], name: str | None) -> Any:
    from salesops_nb.installments.analysis import analyse

    if not name:
        return None
    return analyse(plans[name], solver=False)


def _scoped_kpis(kpis: pd.DataFrame, review: Review) -> pd.DataFrame:
    """With a segment filter, KPIs over all deals are measured on that segment's deals."""
    if not review.segment or review.charter is None:
        return kpis
    from salesops_nb.links import kpi_status

    scoped = kpi_status(review.charter, review.segment_deals, review.workspace)
    overall = kpis["measured_on"].str.startswith("all deals")
    kpis = kpis.copy()
    for column in ("current", "status", "measured_on"):
        kpis.loc[overall, column] = scoped.loc[overall, column]
    kpis.loc[overall, "measured_on"] = (f"{review.segment}: "
                                        + kpis.loc[overall, "measured_on"].astype(str)
                                        .str.removeprefix("all deals: "))
    return kpis
