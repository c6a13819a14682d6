"""Benchmark: the segmentation engine against hand-written pandas and Polars, in one run.

The same computation three ways, on generated opportunities (1M and 10M rows by default); the
workload and the hand-written baselines are those of :mod:`benchmarks.backends` (their one home),
here profiled per segment only:

1. segment by rules (first match wins, catch-all);
2. a quartile banding of ``amount`` (linear quantiles, a tie at an edge goes to the lower band);
3. a within-segment percentile of ``amount`` (mid-rank, best first) cut into four strata;
4. a profile per segment: count, share, amount sum/mean/median, won, closed, win rate,
   average cycle days.

"ours" is ``assign`` + ``profile`` on an unfitted spec (so the quantile fit is timed too), on the
pandas frame and on the Polars frame. The hand-written versions are what an expert would write
directly in each library (see :mod:`benchmarks.backends`). The script checks that all four give
the same segment counts, then prints the best time of ``--repeat`` runs and the ratios
(targets: pandas within 1.5x, Polars within 1.3x, time per million rows flat). It also times
one widget "preview": a spec change (quartiles -> deciles) recomputed on 1M rows with the
coverage and smallest-segment checks.

Run: ``python -m benchmarks.segmentation_engine`` (``--rows 100000 1000000`` to run smaller).
"""

from __future__ import annotations

import argparse
import time

import pandas as pd
import polars as pl

# The workload, its spec and the hand-written baselines have one home: benchmarks.backends.
from benchmarks.backends import best_of, our_spec
from benchmarks.backends import hand_pandas as _hand_pandas
from benchmarks.backends import hand_polars as _hand_polars
from benchmarks.backends import ours as _ours
from salesops_nb.data.sample import generate_crm
from salesops_nb.segmentation.engine import assign, profile
from salesops_nb.segmentation.quality import coverage, smallest_segment

BY = ["segment"]


def ours(frame) -> pd.DataFrame:
    return _ours(frame, by=BY)


def hand_pandas(deals: pd.DataFrame) -> pd.DataFrame:
    return _hand_pandas(deals, by=BY)


def hand_polars(deals: pl.DataFrame) -> pl.DataFrame:
    return _hand_polars(deals, by=BY)


# -- timing ---------------------------------------------------------------------------------------


def counts(table) -> dict[str, int]:
    frame = table.to_pandas() if isinstance(table, pl.DataFrame) else table
    return dict(zip(frame["segment"].astype(str), frame["count"].astype(int), strict=True))


def preview(deals: pd.DataFrame) -> float:
    """What the builder widget does on a change: new spec, fit, assign, profile, two checks."""
    spec = our_spec(bins=10)
    start = time.perf_counter()
    assigned = assign(deals, spec)
    profile(assigned, spec=spec, measures=["amount"])
    coverage(assigned, spec)
    smallest_segment(assigned, min_size=30, spec=spec)
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    sizes = sorted(args.rows)

    start = time.perf_counter()
    everything = generate_crm(sizes[-1], seed=7).opportunities
    print(f"generated {sizes[-1]:,} opportunities in {time.perf_counter() - start:.1f} s "
          "(smaller sizes are its first rows)\n")
    header = (f"{'rows':>11}  {'hand pandas':>11}  {'ours pandas':>11}  {'ratio':>5}  "
              f"{'hand polars':>11}  {'ours polars':>11}  {'ratio':>5}  {'ours pd s/M':>11}  "
              f"{'ours pl s/M':>11}")
    print(header)
    print("-" * len(header))
    for rows in sizes:
        deals = everything if rows == len(everything) else everything.iloc[:rows].copy()
        polars_deals = pl.from_pandas(deals)
        repeat = args.repeat if rows <= 2_000_000 else max(1, args.repeat - 1)
        timed = best_of(repeat, {
            "hand pandas": lambda d=deals: hand_pandas(d),
            "ours pandas": lambda d=deals: ours(d),
            "hand polars": lambda d=polars_deals: hand_polars(d),
            "ours polars": lambda d=polars_deals: ours(d),
        })
        (t_hp, r_hp), (t_op, r_op) = timed["hand pandas"], timed["ours pandas"]
        (t_hl, r_hl), (t_ol, r_ol) = timed["hand polars"], timed["ours polars"]
        reference = counts(r_hp)
        for name, result in (("ours pandas", r_op), ("hand polars", r_hl),
                             ("ours polars", r_ol)):
            if counts(result) != reference:
                raise SystemExit(f"{name} disagrees with hand pandas at {rows:,} rows: "
                                 f"{counts(result)} != {reference}")
        millions = rows / 1e6
        print(f"{rows:>11,}  {t_hp:>10.2f}s  {t_op:>10.2f}s  {t_op / t_hp:>4.2f}x  "
              f"{t_hl:>10.2f}s  {t_ol:>10.2f}s  {t_ol / t_hl:>4.2f}x  {t_op / millions:>11.2f}  "
              f"{t_ol / millions:>11.2f}")
        del polars_deals

    rows = min(1_000_000, len(everything))
    deals = everything.iloc[:rows].copy()
    preview(deals)  # warm-up: first calls import and compile
    seconds = min(preview(deals) for _ in range(args.repeat))
    print(f"\npreview recomputation (quartiles -> deciles, assign + profile + coverage + "
          f"smallest segment) on {rows:,} rows, pandas: {seconds:.2f} s")


if __name__ == "__main__":
    main()
