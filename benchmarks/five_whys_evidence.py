"""Benchmark: 5-Why evidence queries and a full report refresh against hand-written pandas.

1. One evidence query (win rate of one lead source in one team over a half-year), computed by
   :func:`run_query` and by the boolean-mask pandas an analyst would write, on 1M generated
   opportunities (``--rows`` to change). Both must give the same number.
2. Refreshing the worked example (every query evidence, the problem metric and the checks) on the
   same frame, against the same number of hand-written queries.
3. The coaching checks and the HTML report (with the SVG tree) of a 200-node tree: these run on
   every click of the editor, so they must stay well under a tenth of a second.

Run: ``python benchmarks/five_whys_evidence.py`` (``--rows 200000`` to run smaller).
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable

import pandas as pd

from salesops_nb.data.load import load_opportunities
from salesops_nb.data.sample import sample_opportunities
from salesops_nb.five_whys.evidence import parse_query, run_query
from salesops_nb.five_whys.example import worked_example
from salesops_nb.five_whys.lint import lint
from salesops_nb.five_whys.model import Evidence, Problem, WhyAnalysis
from salesops_nb.five_whys.refresh import refresh
from salesops_nb.five_whys.render import html_report


def best(function: Callable[[], object], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return min(times)


def by_hand(deals: pd.DataFrame) -> float:
    rows = deals[(deals["lead_source"] == "Referral") & (deals["team"] == "Mid-Market")
                 & (deals["close_date"] >= "2026-04-01") & (deals["close_date"] < "2026-10-01")
                 & deals["is_closed"]]
    return float(rows["is_won"].mean())


def big_tree(nodes: int) -> WhyAnalysis:
    analysis = WhyAnalysis(problem=Problem(what="Win rate fell", how_big="31% to 22%"))
    for index in range(nodes):
        parent = None if index < 4 else analysis.nodes[(index - 4) // 3].id
        analysis = analysis.add_cause(parent, f"Cause number {index} of the process",
                                      evidence=[Evidence(text="seen", verified=True)])
    return analysis


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()

    deals = load_opportunities(sample_opportunities(args.rows))
    query = parse_query("win_rate where lead_source = Referral and team = Mid-Market "
                        "and close_date 2026-04-01..2026-09-30")
    assert abs(run_query(query, deals).value - by_hand(deals)) < 1e-12
    ours = best(lambda: run_query(query, deals), args.repeat)
    hand = best(lambda: by_hand(deals), args.repeat)

    example = worked_example(load_opportunities())
    queries = sum(e.query is not None for n in example.nodes for e in n.evidence) + 2
    ours_refresh = best(lambda: refresh(example, deals), args.repeat)
    hand_refresh = hand * queries

    tree = big_tree(200)
    checks = best(lambda: lint(tree), args.repeat)
    page = best(lambda: html_report(tree, findings=lint(tree)), args.repeat)

    print(f"{'case':52} {'ours':>9} {'baseline':>9} {'ratio':>6}")
    print(f"{f'one evidence query, {args.rows:,} rows':52} {ours:9.3f} {hand:9.3f} "
          f"{ours / hand:6.2f}")
    print(f"{f'refresh worked example ({queries} queries + checks)':52} {ours_refresh:9.3f} "
          f"{hand_refresh:9.3f} {ours_refresh / hand_refresh:6.2f}")
    print(f"{'lint, 200-node tree':52} {checks:9.3f} {'-':>9} {'-':>6}")
    print(f"{'HTML report with SVG, 200-node tree':52} {page:9.3f} {'-':>9} {'-':>6}")


if __name__ == "__main__":
    main()
