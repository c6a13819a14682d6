"""Optimality gap and run time of the installment sequencer against OR-Tools CP-SAT.

Generated backlogs (``generated_backlog``) of 10, 30, 100 and 1,000 items, several seeds each.
For each backlog, side by side:

- **WSJF list**: the plain priority list decoded once (WSJF order, list scheduling, no search),
- **heuristic**: ``sequence`` as shipped (several priority lists + iterated local search),
- **CP-SAT**: ``solve_optimal`` with a time limit, started from the heuristic's schedule as a
  hint; "proven" when it proved optimality. When it stops below its hint, the hint is the best
  known schedule (the table then shows 100%).

Values are the value delivered within the horizon (area under the cumulative value curve), as a
share of the best schedule the solver found (its proven optimum where it finished); ``bound`` is
the heuristic's share of the solver's proven upper bound (a floor on the true share).

Run: ``python benchmarks/installments_gap.py`` (about 5 minutes; ``--quick`` for one seed per
size and shorter solver limits).
"""

from __future__ import annotations

import argparse
import statistics
import time

from salesops_nb.installments.example import generated_backlog
from salesops_nb.installments.optimal import solve_optimal
from salesops_nb.installments.sequence import sequence

SIZES = {10: 5, 30: 5, 100: 3, 1000: 1}  # items: seeds


def run(quick: bool, limits: dict[int, float]) -> list[dict]:
    rows = []
    for n, seeds in SIZES.items():
        for seed in range(1 if quick else seeds):
            plan = generated_backlog(n, seed=seed)
            began = time.perf_counter()
            plain = sequence(plan.items, plan.capacity, search=0)
            plain_s = time.perf_counter() - began
            began = time.perf_counter()
            heuristic = sequence(plan.items, plan.capacity)
            heuristic_s = time.perf_counter() - began
            began = time.perf_counter()
            best = solve_optimal(plan.items, plan.capacity, time_limit=limits[n], workers=2,
                                 hint=heuristic)
            solver_s = time.perf_counter() - began
            rows.append({
                "n": n, "seed": seed, "plain": plain.value, "plain_s": plain_s,
                "heuristic": heuristic.value, "heuristic_s": heuristic_s,
                "solver": best.value, "proven": bool(best.optimal), "bound": best.upper_bound,
                "solver_s": solver_s,
            })
            print(f"  n={n:>4} seed={seed}: heuristic {heuristic.value:,.0f} in "
                  f"{heuristic_s:.2f}s; CP-SAT {best.value:,.0f} "
                  f"({'proven' if best.optimal else 'time limit'}) in {solver_s:.1f}s",
                  flush=True)
    return rows


def table(rows: list[dict]) -> str:
    lines = [
        "| items | backlogs | solver proved optimum | WSJF list / best | heuristic / best "
        "(min) | heuristic / bound | WSJF list time | heuristic time | CP-SAT time |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for n in SIZES:
        group = [r for r in rows if r["n"] == n]
        if not group:
            continue
        share = [r["heuristic"] / r["solver"] for r in group if r["solver"]]
        plain = [r["plain"] / r["solver"] for r in group if r["solver"]]
        bound = [r["heuristic"] / r["bound"] for r in group if r["bound"]]
        lines.append(
            f"| {n:,} | {len(group)} | {sum(r['proven'] for r in group)} of {len(group)} | "
            f"{statistics.mean(plain):.1%} | {statistics.mean(share):.1%} ({min(share):.1%}) | "
            f"{statistics.mean(bound):.1%} | "
            f"{statistics.mean(r['plain_s'] for r in group):.3f} s | "
            f"{statistics.mean(r['heuristic_s'] for r in group):.2f} s | "
            f"{statistics.mean(r['solver_s'] for r in group):.1f} s |")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="one seed per size, short limits")
    args = parser.parse_args()
    limits = ({10: 5.0, 30: 10.0, 100: 15.0, 1000: 30.0} if args.quick
              else {10: 10.0, 30: 30.0, 100: 30.0, 1000: 60.0})
    rows = run(args.quick, limits)
    print()
    print(f"CP-SAT time limits (s): {limits}; 2 search workers.")
    print(table(rows))


if __name__ == "__main__":
    main()
