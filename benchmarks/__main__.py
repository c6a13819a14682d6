"""Every benchmark of the project in one run, and one table of ratios: ``python -m benchmarks``.

What runs (full run: under 15 minutes on a 2-core machine; ``--quick``: a few minutes):

- segmentation pipeline per engine (pandas, Polars, DuckDB; Spark local[2] at the smaller
  size) against a hand-written query on the same engine, at 1M and 10M rows
  (:mod:`benchmarks.backends`); growth from 1M to 10M; peak memory per engine at 10M against
  the size of the input columns;
- the segmentation builder's preview recompute at 1M rows (:mod:`benchmarks.segmentation_preview`);
- a report run against plain papermill + nbconvert (:mod:`benchmarks.report_overhead`), and
  batch runs with two worker processes against one (:mod:`benchmarks.batch`);
- the installment sequencer against the CP-SAT optimum on small backlogs
  (:mod:`benchmarks.installments_gap`);
- 5-Why evidence queries and the charter editor (:mod:`benchmarks.five_whys_evidence`,
  :mod:`benchmarks.charter_editor`), run as they are, their tables folded into this one;
- CLI start against ``python -c pass`` (:mod:`benchmarks.cli_start`).

``--quick`` runs 100K and 1M rows, no Spark, memory at 1M, one round each. ``--only NAME``
runs some parts (``--only backends cli``).
"""

from __future__ import annotations

import argparse
import os
import platform
import re
import subprocess
import sys
import time
from collections.abc import Callable

PARTS = ("backends", "preview", "report", "batch", "installments", "five_whys", "charter",
         "cli")


def print_table(rows: list[dict]) -> None:
    """The suite's one table: benchmark, case, ours, baseline, ratio, target, verdict."""
    header = ["benchmark", "case", "ours", "baseline", "ratio", "target", ""]
    lines = []
    for row in rows:
        ratio = row.get("ratio")
        target = row.get("target")
        ok = row.get("ok", None if target is None or ratio is None else ratio <= target)
        lines.append([
            row["benchmark"], row["case"], row.get("ours", ""), row.get("baseline", ""),
            "" if ratio is None else f"{ratio:.2f}x",
            row.get("extra") or ("" if target is None else f"<= {target:.1f}x"),
            "" if ok is None else ("ok" if ok else "MISSED"),
        ])
    widths = [max(len(str(x)) for x in column) for column in zip(header, *lines, strict=True)]
    print("| " + " | ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)) + " |")
    print("|" + "|".join("-" * (w + 2) for w in widths) + "|")
    for line in lines:
        print("| " + " | ".join(str(x).ljust(w) for x, w in zip(line, widths, strict=True))
              + " |")


def machine() -> str:
    """One line naming the machine the figures come from."""
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8") as info:
            names = [line.split(":", 1)[1].strip() for line in info if line.startswith(
                "model name")]
        cpu = names[0] if names else cpu
    except OSError:
        pass
    memory = ""
    try:
        pages = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        memory = f", {pages / 2**30:.0f} GiB"
    except (ValueError, OSError):
        pass
    return (f"{os.cpu_count()} cores ({cpu}){memory}; Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}")


# ----------------------------------------------------------------------------- parts
def _backends(quick: bool) -> list[dict]:
    from benchmarks import backends

    sizes = [100_000, 1_000_000] if quick else [1_000_000, 10_000_000]
    return backends.run(sizes, spark_rows=None if quick else 1_000_000,
                        repeat=1 if quick else 2, log=_log)


def _script(module: str, *args: str) -> str:
    done = subprocess.run([sys.executable, "-m", f"benchmarks.{module}", *args],
                          capture_output=True, text=True, check=True)
    return done.stdout


def _preview(quick: bool) -> list[dict]:
    out = _script("segmentation_preview", "--rows", "1000000", "--repeat",
                  "2" if quick else "5")
    base = re.search(r"team x region = ([\d.]+) ms", out)
    rows = []
    for line in out.splitlines():
        match = re.match(r"(.+?)\s{2,}([\d.]+)\s+([\d.]+)x$", line)
        if match and base:
            rows.append({"benchmark": "builder preview", "case": f"{match[1]} (1M deals)",
                         "ours": f"{float(match[2]):.0f} ms",
                         "baseline": f"pandas group-by {float(base[1]):.0f} ms",
                         "ratio": float(match[3]), "target": None})
    return rows


def _report(quick: bool) -> list[dict]:
    from benchmarks import report_overhead

    return report_overhead.run(1 if quick else 2)


def _batch(quick: bool) -> list[dict]:
    runs = 2 if quick else 4
    out = _script("batch", "--runs", str(runs), "--repeat", "1")
    one = re.search(r"--jobs 1\s+([\d.]+)", out)
    two = re.search(r"--jobs 2\s+([\d.]+)", out)
    if not (one and two):
        return []
    return [{"benchmark": "batch reports", "case": f"{runs} data_overview runs, --jobs 2",
             "ours": f"{float(two[1]):.1f} s", "baseline": f"--jobs 1 {float(one[1]):.1f} s",
             "ratio": float(two[1]) / float(one[1]), "target": None,
             "extra": f"speed-up {float(one[1]) / float(two[1]):.2f}x"}]


def _installments(quick: bool) -> list[dict]:
    from benchmarks import installments_gap

    installments_gap.SIZES = {10: 2, 30: 2} if quick else {10: 3, 30: 3, 100: 2}
    limits = {10: 5.0, 30: 10.0, 100: 15.0}
    rows = installments_gap.run(False, limits)
    table = []
    for n in installments_gap.SIZES:
        group = [r for r in rows if r["n"] == n and r["solver"]]
        if not group:
            continue
        share = sum(r["heuristic"] / r["solver"] for r in group) / len(group)
        plain = sum(r["plain"] / r["solver"] for r in group) / len(group)
        proven = sum(r["proven"] for r in group)
        heuristic_s = sum(r["heuristic_s"] for r in group) / len(group)
        solver_s = sum(r["solver_s"] for r in group) / len(group)
        table.append({"benchmark": "sequencer vs optimum", "case": f"{n} items, "
                      f"{len(group)} backlogs ({proven} proven)",
                      "ours": f"{share:.1%} of best in {heuristic_s:.2f} s",
                      "baseline": f"CP-SAT {solver_s:.1f} s; WSJF list {plain:.1%}",
                      "ratio": heuristic_s / solver_s if solver_s else None, "target": None})
    return table


def _five_whys(quick: bool) -> list[dict]:
    out = _script("five_whys_evidence", "--rows", "200000" if quick else "1000000",
                  "--repeat", "2" if quick else "5")
    rows = []
    for line in out.splitlines():
        match = re.match(r"(.+?)\s+([\d.]+)\s+([\d.]+)\s+([\d.]+)$", line)
        if match:
            rows.append({"benchmark": "5-Why evidence", "case": match[1].strip(),
                         "ours": f"{float(match[2]) * 1000:.1f} ms",
                         "baseline": f"pandas by hand {float(match[3]) * 1000:.1f} ms",
                         "ratio": float(match[4]), "target": None})
    return rows


def _charter(quick: bool) -> list[dict]:
    out = _script("charter_editor", "--repeat", "5" if quick else "20")
    rows = []
    for line in out.splitlines():
        match = re.match(r"(.+?)\s{2,}([\d.]+)\s{3}(.+?)\s{2,}([\d.]+)\s+([\d.]+)x$", line)
        if match:
            rows.append({"benchmark": "charter editor", "case": match[1].strip(),
                         "ours": f"{float(match[2]):.2f} ms",
                         "baseline": f"{match[3].strip()} {float(match[4]):.3f} ms",
                         "ratio": float(match[2]) / float(match[4]), "target": None})
    return rows


def _cli(quick: bool) -> list[dict]:
    from benchmarks import cli_start

    return cli_start.run(3 if quick else 7)


RUNNERS: dict[str, Callable[[bool], list[dict]]] = {
    "backends": _backends, "preview": _preview, "report": _report, "batch": _batch,
    "installments": _installments, "five_whys": _five_whys, "charter": _charter, "cli": _cli,
}


def _log(text: str) -> None:
    print(text, file=sys.stderr, flush=True)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes, one round each")
    parser.add_argument("--only", nargs="+", choices=PARTS, help="run only these parts")
    args = parser.parse_args(argv)
    began = time.perf_counter()
    rows: list[dict] = []
    failed = []
    for part in args.only or PARTS:
        start = time.perf_counter()
        _log(f"[{part}] running ...")
        try:
            rows += RUNNERS[part](args.quick)
        except (subprocess.CalledProcessError, ImportError, RuntimeError) as err:
            # One broken part must not lose the others' figures; it is named at the end.
            detail = getattr(err, "stderr", "") or str(err)
            failed.append(f"{part}: {detail.strip().splitlines()[-1] if detail else err}")
        _log(f"[{part}] {time.perf_counter() - start:.0f} s")
    print(f"\nsalesops-nb benchmarks{' (quick)' if args.quick else ''}: {machine()}")
    print_table(rows)
    print(f"\ntotal {time.perf_counter() - began:.0f} s")
    missed = [r for r in rows if r.get("ok") is False or (
        r.get("target") is not None and r.get("ratio") is not None
        and r["ratio"] > r["target"])]
    for line in failed:
        print(f"FAILED {line}")
    return 1 if failed else (2 if missed else 0)


if __name__ == "__main__":
    sys.exit(main())
