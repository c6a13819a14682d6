"""Every link of a workspace, each checked against its target: broken links are reported."""

from __future__ import annotations

import html
from dataclasses import dataclass
from typing import Any

from salesops_nb.errors import SalesOpsError
from salesops_nb.links._common import artefact_models, find_objective
from salesops_nb.workspace import Workspace

__all__ = ["Link", "broken_links", "links_html", "workspace_links"]

# -- every link of a workspace ---------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """One link from an artefact to (a part of) another, and whether it can be followed.

    Attributes
    ----------
    source_kind, source_name, where
        The artefact holding the link and the part of it that links (e.g. ``item c1``).
    target_kind, target_name, target_part
        What it points at (``target_part``: a node id, an objective, a segment).
    problem
        None when the link can be followed; else why not, in words.
    """

    source_kind: str
    source_name: str
    where: str
    target_kind: str
    target_name: str
    target_part: str
    problem: str | None = None

    @property
    def ok(self) -> bool:
        return self.problem is None

    def describe(self) -> str:
        """One line: ``installments/main item c1 -> five_whys/main node w5: <problem>``."""
        text = (f"{self.source_kind}/{self.source_name} {self.where} -> "
                f"{self.target_kind}/{self.target_name}"
                + (f" {self.target_part}" if self.target_part else ""))
        return text + (f": {self.problem}" if self.problem else "")


def workspace_links(workspace: Workspace) -> list[Link]:
    """Every link stored in the workspace's artefacts, each checked against its target.

    An artefact that cannot be read is skipped here (the workspace status reports it); a link
    to a missing, unreadable or changed target is returned with its ``problem``.
    """
    models = artefact_models()
    targets = _Targets(workspace, models)
    links: list[Link] = []
    for info in workspace.list():
        if info.kind not in models or info.problem:
            continue
        try:
            artefact = workspace.load(models[info.kind], info.name)
        except SalesOpsError:
            continue
        links += _links_of(info.kind, info.name, artefact, targets)
    return links


def broken_links(workspace: Workspace) -> list[Link]:
    """The links of :func:`workspace_links` that cannot be followed."""
    return [link for link in workspace_links(workspace) if not link.ok]


def links_html(links: list[Link]) -> str:
    """The links as an escaped HTML list (empty string when there are none)."""
    if not links:
        return ""
    items = "".join(f"<li>{html.escape(link.describe())}</li>" for link in links)
    return f"<ul>{items}</ul>"


class _Targets:
    """Loads each target artefact once; remembers why one cannot be loaded."""

    def __init__(self, workspace: Workspace, models: dict[str, type]) -> None:
        self.workspace, self.models = workspace, models
        self._loaded: dict[tuple[str, str], tuple[Any, str | None]] = {}

    def get(self, kind: str, name: str) -> tuple[Any, str | None]:
        if (kind, name) not in self._loaded:
            model = self.models[kind]
            try:
                if not self.workspace.exists(model, name):
                    found = (None, f"no {kind} artefact named '{name}' (deleted or renamed?)")
                else:
                    found = (self.workspace.load(model, name), None)
            except SalesOpsError as err:
                found = (None, f"{kind}/{name} cannot be read: {err.message}")
            self._loaded[(kind, name)] = found
        return self._loaded[(kind, name)]


def _links_of(kind: str, name: str, artefact: Any, targets: _Targets) -> list[Link]:
    links = []
    if kind == "five_whys" and artefact.problem.source_segment is not None:
        ref = artefact.problem.source_segment
        links.append(_segment_link(kind, name, "problem", ref.segmentation, ref.segment,
                                   ref.stratum, targets))
    elif kind == "installments":
        for item in artefact.items:
            if item.root_cause is not None:
                links.append(_root_cause_link(name, item, targets))
            if item.objective is not None:
                links.append(_objective_link(name, item, targets))
    elif kind == "charter":
        for objective in artefact.objectives:
            for kpi in objective.kpis:
                ref = kpi.metric_ref
                if ref is not None and ref.segment:
                    links.append(_segment_link(kind, name, f"KPI '{kpi.name}'", ref.segmentation,
                                               ref.segment, ref.stratum, targets))
    return links


def _segment_link(kind: str, name: str, where: str, spec_name: str, segment: str,
                  stratum: str, targets: _Targets) -> Link:
    spec, problem = targets.get("segmentation", spec_name)
    part = f"segment {segment!r}" + (f", {stratum!r}" if stratum else "")
    if spec is not None:
        try:
            labels, strata = spec.labels(), spec.stratum_labels()
        except SalesOpsError:  # an unfitted banding: its labels are known once applied
            labels, strata = [segment], [stratum]
        if segment not in labels:
            problem = f"the segmentation has no segment {segment!r} any more"
        elif stratum and stratum not in strata:
            problem = f"the segmentation has no stratum {stratum!r} any more"
    return Link(kind, name, where, "segmentation", spec_name, part, problem)


def _root_cause_link(plan: str, item: Any, targets: _Targets) -> Link:
    ref = item.root_cause
    analysis, problem = targets.get("five_whys", ref.analysis)
    if analysis is not None:
        node = next((n for n in analysis.nodes if n.id == ref.node), None)
        if node is None:
            problem = f"the analysis has no node {ref.node!r} any more"
        elif not node.root_cause:
            problem = f"node {ref.node!r} is no longer marked as a root cause"
    return Link("installments", plan, f"item {item.id}", "five_whys", ref.analysis,
                f"node {ref.node}", problem)


def _objective_link(plan: str, item: Any, targets: _Targets) -> Link:
    ref = item.objective
    charter, problem = targets.get("charter", ref.charter)
    if charter is not None and find_objective(charter, ref.objective) is None:
        problem = f"the charter has no objective {ref.objective!r} any more"
    return Link("installments", plan, f"item {item.id}", "charter", ref.charter,
                f"objective {ref.objective}", problem)
