"""The workspace overview: what is saved, when it last changed, what its checks say, what is broken.

``salesops-nb status [WORKSPACE]`` prints it; :func:`workspace_status` returns it for code and
reports. Per artefact: kind, name, last change, the number of coaching-check findings (charter
and 5-Why lint; for a plan: oversized items and a missing or stale schedule) and the number of
its links that cannot be followed. A damaged file is listed with its problem, never raised.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from salesops_nb.errors import SalesOpsError, WorkspaceError
from salesops_nb.links import KINDS, Link, artefact_models, workspace_links
from salesops_nb.workspace import DEFAULT_ROOT, Workspace

__all__ = ["ArtefactStatus", "WorkspaceStatus", "findings_count", "workspace_status"]


@dataclass(frozen=True)
class ArtefactStatus:
    """One artefact in the overview.

    Attributes
    ----------
    findings
        Coaching-check findings; None when the kind has no checks without data (segmentation)
        or the file cannot be read.
    broken_links
        Links of this artefact that cannot be followed.
    problem
        Why the file cannot be read (None when it loads).
    """

    kind: str
    name: str
    path: Path
    saved_at: datetime | None
    findings: int | None
    broken_links: int
    problem: str | None = None


@dataclass(frozen=True)
class WorkspaceStatus:
    """The overview of a workspace: its artefacts and every link between them."""

    root: Path
    artefacts: list[ArtefactStatus]
    links: list[Link]

    @property
    def broken(self) -> list[Link]:
        """The links that cannot be followed."""
        return [link for link in self.links if not link.ok]

    @property
    def damaged(self) -> list[ArtefactStatus]:
        """The artefacts whose file cannot be read."""
        return [a for a in self.artefacts if a.problem]

    def table(self) -> pd.DataFrame:
        """kind, name, last_change, findings, broken_links, problem: one row per artefact."""
        return pd.DataFrame(
            [{"kind": a.kind, "name": a.name,
              "last_change": a.saved_at.strftime("%Y-%m-%d %H:%M") if a.saved_at else "-",
              "findings": "-" if a.findings is None else a.findings,
              "broken_links": a.broken_links, "problem": a.problem or ""}
             for a in self.artefacts],
            columns=["kind", "name", "last_change", "findings", "broken_links", "problem"])

    def render(self) -> str:
        """The overview as plain text for a terminal."""
        lines = [f"Workspace {self.root}"]
        if not self.artefacts:
            lines.append("No artefacts saved yet. Build one in JupyterLab, or run "
                         "`salesops-nb demo` to see a complete example.")
            return "\n".join(lines)
        header = ("kind", "name", "last change (UTC)", "findings", "broken links")
        rows = [(a.kind, a.name,
                 a.saved_at.strftime("%Y-%m-%d %H:%M") if a.saved_at else "-",
                 "-" if a.findings is None else str(a.findings), str(a.broken_links))
                for a in self.artefacts]
        widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
        for row in [header, *rows]:
            lines.append("  ".join(cell.ljust(width) for cell, width in zip(row, widths,
                                                                               strict=True))
                         .rstrip())
        linked = len(self.links)
        lines.append(f"\nLinks: {linked}, broken: {len(self.broken)}")
        lines += [f"  - {link.describe()}" for link in self.broken]
        if self.damaged:
            lines.append(f"\nFiles that cannot be read ({len(self.damaged)}):")
            lines += [f"  - {a.path}: {a.problem}" for a in self.damaged]
        return "\n".join(lines)


def workspace_status(workspace: Workspace | str | os.PathLike[str] = DEFAULT_ROOT, *,
                     must_exist: bool = True) -> WorkspaceStatus:
    """Describe the artefacts of ``workspace`` and check every link between them.

    Folders that are not artefact kinds of the four fundamentals (``data``, ``reports``) are
    left out.

    Raises
    ------
    WorkspaceError
        If ``must_exist`` and the folder does not exist.
    """
    workspace = workspace if isinstance(workspace, Workspace) else Workspace(workspace)
    if must_exist and not workspace.root.is_dir():
        raise WorkspaceError(
            f"There is no workspace at {workspace.root}.",
            hint="Give the workspace folder (the one holding segmentation/, five_whys/, ...), "
            "or run `salesops-nb demo` to create one with a complete example.")
    models = artefact_models()
    links = workspace_links(workspace)
    broken: dict[tuple[str, str], int] = {}
    for link in links:
        if not link.ok:
            key = (link.source_kind, link.source_name)
            broken[key] = broken.get(key, 0) + 1
    rows = []
    infos = sorted((i for i in workspace.list() if i.kind in models),
                   key=lambda i: (KINDS.index(i.kind), i.name))
    for info in infos:
        problem, findings = info.problem, None
        if problem is None:
            try:
                findings = findings_count(workspace.load(models[info.kind], info.name))
            except SalesOpsError as err:
                problem = err.message
        rows.append(ArtefactStatus(info.kind, info.name, info.path, info.saved_at, findings,
                                   broken.get((info.kind, info.name), 0), problem))
    return WorkspaceStatus(workspace.root, rows, links)


def findings_count(artefact: Any) -> int | None:
    """How many coaching-check findings an artefact has (None: no checks without data)."""
    kind = getattr(artefact, "kind", None)
    if kind == "charter":
        from salesops_nb.charter.lint import lint

        return len(lint(artefact))
    if kind == "five_whys":
        from salesops_nb.five_whys.lint import lint

        return len(lint(artefact))
    if kind == "installments":
        return _plan_findings(artefact)
    return None


def _plan_findings(plan: Any) -> int:
    """Oversized items, plus one for a missing or stale schedule, or for a plan that cannot run."""
    from salesops_nb.installments.split import oversized

    try:
        count = len(oversized(plan.items, plan.capacity))
    except SalesOpsError:
        return 1
    schedule = plan.schedule
    if plan.items and (schedule is None or set(schedule.starts) != {i.id for i in plan.items}):
        count += 1
    return count
