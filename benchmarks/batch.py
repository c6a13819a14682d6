"""Benchmark: batch report runs in parallel, and what our runner adds to a plain papermill run.

1. Eight runs of a template (one per seed of the sample) with ``run_batch(jobs=2)`` against
   ``run_batch(jobs=1)``: the speed-up of two worker processes on a two-core machine (aim:
   1.6x or more). Each run starts its own kernel, so two workers can keep two cores busy.
2. One report run through ``run_template`` (parameter checks, paths made absolute, papermill,
   our offline HTML export without code) against the plain baseline of
   ``papermill.execute_notebook`` followed by nbconvert's ``HTMLExporter`` (default lab
   template, inputs hidden): the per-run overhead of our runner (aim: 10% or less).
   Runs are interleaved (ours, plain, ours, ...) and the median of each is kept.

Run: ``python benchmarks/batch.py`` (``--runs 8 --repeat 3 --template data_overview``).
The machine is shared: figures move by a few percent from one run to the next.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

from salesops_nb.batch import run_batch
from salesops_nb.report import run_template
from salesops_nb.templates import get_template


def _batch_seconds(template: str, runs: int, jobs: int, rows: int, out: Path) -> float:
    start = time.perf_counter()
    result = run_batch(template, {"seed": [str(s) for s in range(1, runs + 1)]},
                       {"sample_rows": rows}, out_dir=out / f"jobs{jobs}", jobs=jobs,
                       progress=False)
    seconds = time.perf_counter() - start
    if result.failed:
        raise SystemExit(result.summary())
    return seconds


def _ours(template: str, rows: int, out: Path) -> float:
    start = time.perf_counter()
    run_template(template, {"sample_rows": rows}, out_dir=out, output_name="ours")
    return time.perf_counter() - start


def _plain(template: str, rows: int, out: Path) -> float:
    """papermill + nbconvert as an analyst would script them, no checks and no custom page."""
    import papermill
    from nbconvert import HTMLExporter

    path = str(get_template(template).path)
    start = time.perf_counter()
    papermill.execute_notebook(path, str(out / "plain.ipynb"), parameters={"sample_rows": rows},
                               kernel_name="python3", progress_bar=False, cwd=str(out))
    body, _ = HTMLExporter(exclude_input=True).from_filename(str(out / "plain.ipynb"))
    (out / "plain.html").write_text(body, encoding="utf-8")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--template", default="data_overview")
    parser.add_argument("--runs", type=int, default=8, help="reports per batch")
    parser.add_argument("--rows", type=int, default=2000, help="sample deals per report")
    parser.add_argument("--repeat", type=int, default=3, help="interleaved single runs")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder)
        _ours(args.template, args.rows, out)  # warm the caches (imports, kernel spec, fonts)
        one = _batch_seconds(args.template, args.runs, 1, args.rows, out)
        two = _batch_seconds(args.template, args.runs, 2, args.rows, out)
        ours, plain = [], []
        for _ in range(args.repeat):
            ours.append(_ours(args.template, args.rows, out))
            plain.append(_plain(args.template, args.rows, out))

    cores, load = os.cpu_count(), os.getloadavg()[0]
    print(f"Template {args.template}, {args.rows:,} sample deals per report; {cores} cores, "
          f"load average {load:.1f} at the end (other work competes for the cores)\n")
    print(f"{'batch of ' + str(args.runs):<28}{'s':>8}{'per report':>12}{'speed-up':>10}")
    print(f"{'--jobs 1':<28}{one:>8.1f}{one / args.runs:>12.2f}{1:>9.2f}x")
    print(f"{'--jobs 2':<28}{two:>8.1f}{two / args.runs:>12.2f}{one / two:>9.2f}x")
    ours_s, plain_s = statistics.median(ours), statistics.median(plain)
    print(f"\n{'one run (median of ' + str(args.repeat) + ')':<28}{'s':>8}{'overhead':>12}")
    print(f"{'papermill + nbconvert':<28}{plain_s:>8.2f}{'':>12}")
    print(f"{'salesops-nb run_template':<28}{ours_s:>8.2f}{(ours_s / plain_s - 1):>12.1%}")


if __name__ == "__main__":
    main()
