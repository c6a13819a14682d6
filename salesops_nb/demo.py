"""The demo: sample data and a full improvement case in a workspace, every bundled template run
headless on them, one index page.

The case (:mod:`salesops_nb.case`: a segmentation, a 5-Why on its worst flagged cell, an
installment plan from the countermeasures, a charter whose KPIs are computed from the data) is
saved in the workspace, and every template reads it through its ``*_path`` parameters, so the
combined report (``sales_ops_review``) shows the whole method on one page.
"""

from __future__ import annotations

import html
import os
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from salesops_nb.errors import ReportError, SalesOpsError
from salesops_nb.report import Report

__all__ = ["DemoResult", "IndexEntry", "run_demo", "write_index"]

#: Template parameter -> the case artefact it reads, relative to the workspace.
CASE_PARAMETERS = {
    "spec_path": "segmentation/main.json",
    "analysis_path": "five_whys/main.json",
    "plan_path": "installments/main.json",
    "charter_path": "charter/main.json",
    "workspace_path": "",
}


@dataclass(frozen=True)
class DemoResult:
    """What the demo produced: the workspace, its data files, the reports and the index page."""

    workspace: Path
    data: dict[str, Path]
    reports: tuple[Report, ...]
    index: Path
    case_kept: bool = False

    def summary(self) -> str:
        state = "kept as found (the demo never overwrites saved work)" if self.case_kept else "in"
        lines = [f"Sample data:  {self.data['opportunities'].parent}",
                 f"Case:         segmentation, 5-Why, installments and charter 'main' {state} "
                 f"{self.workspace} (salesops-nb status {self.workspace})"]
        lines += [f"Report:       {r.html}" for r in self.reports]
        lines += [
            f"Index:        {self.index}",
            f"Open the index in a browser, or explore in JupyterLab: jupyter lab {self.workspace}",
        ]
        return "\n".join(lines)


def run_demo(
    workspace: str | os.PathLike[str] = "salesops-workspace",
    *,
    rows: int = 5000,
    progress: bool = True,
) -> DemoResult:
    """Generate sample CRM data, build the improvement case on it, run every bundled template.

    Writes ``<workspace>/data/*.csv``, the case's artefacts (``<workspace>/<kind>/main.json``),
    ``<workspace>/reports/<template>.{ipynb,html}`` and ``<workspace>/reports/index.html``. A
    template that fails does not stop the others; the failures are raised together at the end,
    after the index is written.
    """
    from tqdm.auto import tqdm

    from salesops_nb.case import build_case
    from salesops_nb.data.load import load_opportunities
    from salesops_nb.data.sample import generate_crm, write_sample
    from salesops_nb.report import run_template
    from salesops_nb.templates import list_templates

    root = Path(workspace).expanduser().resolve()
    data = write_sample(generate_crm(rows), root / "data", "csv")
    out_dir = root / "reports"
    templates = [t for t in list_templates() if t.source == "bundled"]
    reports: list[Report] = []
    failures: list[ReportError] = []
    # A workspace that already holds the case (an earlier demo, maybe edited since) keeps it.
    case_kept = any((root / relative).exists() for relative in CASE_PARAMETERS.values() if relative)
    try:
        if not case_kept:
            build_case(load_opportunities(data["opportunities"])).save(root)
    except SalesOpsError as err:  # the templates still run, on their worked examples
        failures.append(ReportError(f"The improvement case could not be built: {err.message}",
                                    hint=err.hint))
    for template in tqdm(templates, desc="Running templates", unit="report", disable=not progress):
        parameters = {}
        if any(p.name == "data_path" for p in template.parameters):
            parameters["data_path"] = str(data["opportunities"])
        for name, relative in CASE_PARAMETERS.items():
            if template.parameter(name) is not None:
                parameters[name] = str(root / relative) if relative else str(root)
        try:
            reports.append(
                run_template(
                    str(template.path), parameters, out_dir=out_dir, output_name=template.name
                )
            )
        except ReportError as err:
            failures.append(err)
    titles = {t.name: t.title for t in templates}
    index = write_index(reports, out_dir / "index.html", titles=titles)
    if failures:
        raise ReportError(
            f"{len(failures)} demo step(s) of {len(templates) + 1} failed:\n"
            + "\n".join(f"- {err.message}" for err in failures),
            hint=f"The reports that worked are linked from {index}.",
            notebook_path=failures[0].notebook_path,
        )
    return DemoResult(workspace=root, data=data, reports=tuple(reports), index=index,
                      case_kept=case_kept)


@dataclass(frozen=True)
class IndexEntry:
    """One line of an index page: a report (or a failed run) and its status."""

    title: str
    html: Path | None
    ok: bool = True
    detail: str = ""


def write_index(reports: Sequence[Report], path: Path, *, titles: dict[str, str] | None = None,
                entries: Sequence[IndexEntry] = (),
                heading: str = "salesops-nb reports") -> Path:
    """Write a self-contained HTML page linking each report by a path relative to the page.

    Parameters
    ----------
    reports
        Reports that worked, titled by ``titles`` (template name -> title).
    path
        The page to write.
    entries
        More lines, each with its status: a failed run shows its reason and, when a partial
        report exists, links it.
    heading
        The page title.
    """
    titles = titles or {}
    lines = [IndexEntry(titles.get(r.template, r.template), r.html) for r in reports]
    lines += list(entries)
    items = "\n".join(_index_item(entry, path.parent) for entry in lines)
    failed = sum(not entry.ok for entry in lines)
    tally = (f"{len(lines) - failed} of {len(lines)} reports written; {failed} failed."
             if failed else f"{len(lines)} reports.")
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    title = html.escape(heading)
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>{title}</title>
<style>body{{font-family:system-ui,sans-serif;max-width:48rem;margin:3rem auto;color:#222}}
li{{margin:.5rem 0}} small{{color:#666}} .status{{font-size:.8rem;font-weight:600;
padding:1px 6px;border-radius:3px;margin-right:.4rem}} .ok{{background:#e3f2e6;color:#1b5e20}}
.failed{{background:#fde2e1;color:#b71c1c}} .why{{display:block;color:#7f1d1d;
font-size:.85rem;margin:.2rem 0 0 3.2rem}}</style></head>
<body><h1>{title}</h1>
<p>{tally}</p>
<ul>
{items}
</ul>
<p><small>Generated {stamp} by salesops-nb.</small></p>
</body></html>
"""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path


def _index_item(entry: IndexEntry, folder: Path) -> str:
    title = html.escape(entry.title)
    if entry.html is not None:
        title = f'<a href="{html.escape(os.path.relpath(entry.html, folder))}">{title}</a>'
    if entry.ok:
        return f'<li><span class="status ok">ok</span>{title}</li>'
    partial = " (partial report)" if entry.html is not None else ""
    return (f'<li><span class="status failed">failed</span>{title}{partial}'
            f'<span class="why">{html.escape(entry.detail)}</span></li>')
