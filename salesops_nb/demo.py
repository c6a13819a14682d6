"""The demo: sample data into a workspace, every bundled template run headless, one index page."""

from __future__ import annotations

import html
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

from salesops_nb.errors import ReportError
from salesops_nb.report import Report

__all__ = ["DemoResult", "run_demo", "write_index"]


@dataclass(frozen=True)
class DemoResult:
    """What the demo produced: the workspace, its data files, the reports and the index page."""

    workspace: Path
    data: dict[str, Path]
    reports: tuple[Report, ...]
    index: Path

    def summary(self) -> str:
        lines = [f"Sample data:  {self.data['opportunities'].parent}"]
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
    """Generate sample CRM data and run every bundled template on it.

    Writes ``<workspace>/data/*.csv``, ``<workspace>/reports/<template>.{ipynb,html}`` and
    ``<workspace>/reports/index.html``. A template that fails does not stop the others; the
    failures are raised together at the end, after the index is written.
    """
    from tqdm.auto import tqdm

    from salesops_nb.data.sample import generate_crm, write_sample
    from salesops_nb.report import run_template
    from salesops_nb.templates import list_templates

    root = Path(workspace).expanduser().resolve()
    data = write_sample(generate_crm(rows), root / "data", "csv")
    out_dir = root / "reports"
    templates = [t for t in list_templates() if t.source == "bundled"]
    reports: list[Report] = []
    failures: list[ReportError] = []
    for template in tqdm(templates, desc="Running templates", unit="report", disable=not progress):
        parameters = {}
        if any(p.name == "data_path" for p in template.parameters):
            parameters["data_path"] = str(data["opportunities"])
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
            f"{len(failures)} of {len(templates)} demo reports failed:\n"
            + "\n".join(f"- {err.message}" for err in failures),
            hint=f"The reports that worked are linked from {index}.",
            notebook_path=failures[0].notebook_path,
        )
    return DemoResult(workspace=root, data=data, reports=tuple(reports), index=index)


def write_index(reports: list[Report], path: Path, *, titles: dict[str, str] | None = None) -> Path:
    """Write a self-contained HTML page linking each report by a path relative to the page."""
    titles = titles or {}
    items = "\n".join(
        f'<li><a href="{html.escape(os.path.relpath(r.html, path.parent))}">'
        f"{html.escape(titles.get(r.template, r.template))}</a></li>"
        for r in reports
    )
    stamp = datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    page = f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>salesops-nb reports</title>
<style>body{{font-family:system-ui,sans-serif;max-width:44rem;margin:3rem auto;color:#222}}
li{{margin:.4rem 0}} small{{color:#666}}</style></head>
<body><h1>salesops-nb reports</h1>
<ul>
{items}
</ul>
<p><small>Generated {stamp} by salesops-nb.</small></p>
</body></html>
"""
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(page, encoding="utf-8")
    return path
