"""Benchmark: a report run (`run_template`) against plain papermill + nbconvert.

``run_template("data_overview")`` checks the parameters, runs the notebook with papermill in the
output folder and exports an offline HTML report without code. The baseline is what one would
do by hand: ``papermill.execute_notebook`` with the same parameters, then nbconvert's stock
``HTMLExporter``. Both runs start a fresh kernel; the best of ``--repeat`` is kept, interleaved.

Run: ``python -m benchmarks.report_overhead``.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

TEMPLATE = "data_overview"


def _ours(out: Path) -> None:
    from salesops_nb.report import run_template

    run_template(TEMPLATE, {}, out_dir=out)


def _plain(out: Path) -> None:
    import nbformat
    import papermill
    from nbconvert import HTMLExporter

    from salesops_nb.templates import get_template

    out.mkdir(parents=True, exist_ok=True)
    notebook = out / f"{TEMPLATE}.ipynb"
    papermill.execute_notebook(str(get_template(TEMPLATE).path), str(notebook),
                               parameters={}, cwd=str(out), progress_bar=False)
    body, _ = HTMLExporter().from_notebook_node(nbformat.read(notebook, as_version=4))
    (out / f"{TEMPLATE}.html").write_text(body, encoding="utf-8")


def run(repeat: int = 2) -> list[dict]:
    """One row: our report run against plain papermill + nbconvert."""
    times: dict[str, list[float]] = {"ours": [], "plain": []}
    with tempfile.TemporaryDirectory() as folder:
        for i in range(repeat):
            for name, action in (("ours", _ours), ("plain", _plain)):
                start = time.perf_counter()
                action(Path(folder) / f"{name}{i}")
                times[name].append(time.perf_counter() - start)
    ours, plain = min(times["ours"]), min(times["plain"])
    return [{"benchmark": "report run", "case": f"{TEMPLATE} (sample data)",
             "ours": f"{ours:.2f} s", "baseline": f"papermill + nbconvert {plain:.2f} s",
             "ratio": ours / plain, "target": None}]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=2)
    from benchmarks.__main__ import print_table

    print_table(run(parser.parse_args().repeat))


if __name__ == "__main__":
    main()
