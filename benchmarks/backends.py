"""Benchmark: the segmentation pipeline on each engine against a hand-written query on that engine.

The workload (the same on every engine, on generated opportunities):

1. segment by rules (first match wins, catch-all);
2. a quartile banding of ``amount`` (linear quantiles, a tie at an edge goes to the lower band);
3. a within-segment mid-rank percentile of ``amount`` (best first) cut into four strata;
4. a profile per (segment, size, stratum) cell: count, share, amount sum/mean/median, won,
   closed, win rate, average cycle days.

Grouping by all three labels makes every engine compute every label (a lazy engine would
otherwise drop the unused ones). "ours" is ``profile(assign(frame, spec))`` on an unfitted spec,
so the quantile fit is timed too; "hand" is what an expert writes directly: numpy codes and one
pandas group-by, a Polars expression chain, one DuckDB SQL statement, one Spark SQL statement.
Every pair must agree on the cell counts before a time is printed.

Also measured, each in a fresh process so that one engine's memory does not hide another's:
peak memory (resident set, over the process's size after imports) of ours and hand on each
engine, against the in-memory size of the input columns the workload reads.

Run: ``python -m benchmarks.backends`` (``--rows 1000000`` for one size; ``--spark`` to add
Spark, in local[2] mode).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import tempfile
import time
import warnings
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from salesops_nb.segmentation.spec import SegmentationSpec
from salesops_nb.segmentation.spec_parts import Banding, Condition, Rule, Stratification

INTERNATIONAL = ["EMEA", "APAC"]
BIG = 50_000.0
PROBS = [0.25, 0.5, 0.75]
SEGMENTS = ["Enterprise", "Big international", "Partner", "Other"]
STRATA = ["top quartile", "2nd quartile", "3rd quartile", "bottom quartile"]
COLUMNS = ["team", "region", "lead_source", "amount", "is_won", "is_closed", "cycle_days"]
BY = ["segment", "size", "stratum"]
SIZES = ["Q1", "Q2", "Q3", "Q4", "unknown"]
TARGETS = {"pandas": 1.5, "polars": 1.3, "duckdb": 1.3, "spark": None}
ENGINES = ("pandas", "polars", "duckdb", "spark")


# ----------------------------------------------------------------------------- ours
def our_spec(bins: int = 4) -> SegmentationSpec:
    """The workload as a spec: rules, a quantile banding of amount, strata of amount."""
    return SegmentationSpec(
        name="benchmark",
        rules=[
            Rule(label="Enterprise", when=[Condition(field="team", value="Enterprise")]),
            Rule(label="Big international", when=[
                Condition(field="region", op="in", value=INTERNATIONAL),
                Condition(field="amount", op=">=", value=BIG)]),
            Rule(label="Partner", when=[Condition(field="lead_source", value="Partner")]),
        ],
        catch_all="Other",
        bandings=[Banding(name="size", field="amount", bins=bins)],
        segment_by="rules",
        strata=Stratification(metric="amount"),
    )


def ours(frame: Any, by: Sequence[str] = BY) -> pd.DataFrame:
    from salesops_nb.segmentation.engine import assign, profile

    spec = our_spec()
    return profile(assign(frame, spec), spec=spec, by=list(by), measures=["amount"])


# ----------------------------------------------------------------------------- hand pandas
def hand_pandas(deals: pd.DataFrame, by: Sequence[str] = BY) -> pd.DataFrame:
    """numpy codes for every label, one pandas group-by on the codes, labels attached last."""
    amount = deals["amount"]
    values = amount.to_numpy(dtype="float64", na_value=np.nan)
    code = np.select(
        [
            (deals["team"] == "Enterprise").to_numpy(),
            (deals["region"].isin(INTERNATIONAL) & (amount >= BIG)).to_numpy(),
            (deals["lead_source"] == "Partner").to_numpy(),
        ],
        [0, 1, 2],
        default=3,
    ).astype("int8")
    edges = np.nanquantile(values, PROBS)
    size_code = np.searchsorted(edges, values, side="left").astype("int8")
    size_code[np.isnan(values)] = 4
    grouped = pd.Series(values).groupby(code)
    position = ((grouped.rank(method="average", ascending=False) - 0.5)
                / grouped.transform("count")).to_numpy()
    stratum_code = np.minimum(np.nan_to_num(position, nan=0.0) * 4, 3).astype("int8")
    stratum_code[np.isnan(position)] = 4
    helper = pd.DataFrame({
        "segment": code, "size": size_code, "stratum": stratum_code, "amount": values,
        "won": (deals["is_won"] & deals["is_closed"]).to_numpy(dtype="int64"),
        "closed": deals["is_closed"].to_numpy(dtype="int64"),
        "cycle": deals["cycle_days"].to_numpy(dtype="float64", na_value=np.nan),
    })
    table = helper.groupby(list(by)).agg(
        count=("amount", "size"), amount_sum=("amount", "sum"), amount_mean=("amount", "mean"),
        amount_median=("amount", "median"), won=("won", "sum"), closed=("closed", "sum"),
        avg_cycle_days=("cycle", "mean"),
    ).reset_index()
    names = {"segment": SEGMENTS, "size": SIZES, "stratum": [*STRATA, "unknown"]}
    for key in by:
        table[key] = np.asarray(names[key], dtype=object)[table[key]]
    table["share"] = table["count"] / table["count"].sum()
    table["win_rate"] = table["won"] / table["closed"]
    return table


# ----------------------------------------------------------------------------- hand Polars
def hand_polars(deals: Any, by: Sequence[str] = BY) -> Any:
    """One Polars expression chain (the window rank as its own column first)."""
    import polars as pl

    amount = pl.col("amount")
    edges = deals.select(
        [amount.quantile(p, interpolation="linear").alias(str(p)) for p in PROBS]).row(0)
    segment = (
        pl.when(pl.col("team") == "Enterprise").then(pl.lit("Enterprise"))
        .when(pl.col("region").is_in(INTERNATIONAL) & (amount >= BIG))
        .then(pl.lit("Big international"))
        .when(pl.col("lead_source") == "Partner").then(pl.lit("Partner"))
        .otherwise(pl.lit("Other"))
    )
    size = (
        pl.when(amount.is_null()).then(pl.lit("unknown"))
        .when(amount <= edges[0]).then(pl.lit("Q1"))
        .when(amount <= edges[1]).then(pl.lit("Q2"))
        .when(amount <= edges[2]).then(pl.lit("Q3"))
        .otherwise(pl.lit("Q4"))
    )
    out = deals.with_columns(segment=segment, size=size)
    out = out.with_columns(position=(amount.rank("average", descending=True).over("segment")
                                     - 0.5) / amount.count().over("segment"))
    p = pl.col("position")
    stratum = (
        pl.when(p.is_null()).then(pl.lit("unknown"))
        .when(p < 0.25).then(pl.lit(STRATA[0]))
        .when(p < 0.5).then(pl.lit(STRATA[1]))
        .when(p < 0.75).then(pl.lit(STRATA[2]))
        .otherwise(pl.lit(STRATA[3]))
    )
    table = out.with_columns(stratum=stratum).group_by(list(by)).agg(
        count=pl.len(), amount_sum=amount.sum(), amount_mean=amount.mean(),
        amount_median=amount.median(),
        won=(pl.col("is_won") & pl.col("is_closed")).sum(),
        closed=pl.col("is_closed").sum(), avg_cycle_days=pl.col("cycle_days").mean(),
    )
    return table.with_columns(share=pl.col("count") / pl.col("count").sum(),
                              win_rate=pl.col("won") / pl.col("closed"))


# ----------------------------------------------------------------------------- hand SQL
def _sql(table: str, edges: str, median: str) -> str:
    """One statement for DuckDB and Spark SQL (they differ only in the quantile functions)."""
    regions = ", ".join(f"'{r}'" for r in INTERNATIONAL)
    return f"""
    WITH e AS (SELECT {edges} AS q FROM {table}),
    labelled AS (
      SELECT amount, is_won, is_closed, cycle_days,
        CASE WHEN team = 'Enterprise' THEN 'Enterprise'
             WHEN region IN ({regions}) AND amount >= {BIG} THEN 'Big international'
             WHEN lead_source = 'Partner' THEN 'Partner' ELSE 'Other' END AS segment,
        CASE WHEN amount IS NULL THEN 'unknown' WHEN amount <= q[{{0}}] THEN 'Q1'
             WHEN amount <= q[{{1}}] THEN 'Q2' WHEN amount <= q[{{2}}] THEN 'Q3'
             ELSE 'Q4' END AS size
      FROM {table} CROSS JOIN e),
    ranked AS (
      SELECT *, CASE WHEN amount IS NULL THEN NULL ELSE
        (rank() OVER (PARTITION BY segment ORDER BY amount DESC NULLS LAST)
         + (count(*) OVER (PARTITION BY segment, amount) - 1) / 2.0 - 0.5)
        / count(amount) OVER (PARTITION BY segment) END AS pos
      FROM labelled),
    cells AS (
      SELECT segment, size,
        CASE WHEN pos IS NULL THEN 'unknown' WHEN pos < 0.25 THEN '{STRATA[0]}'
             WHEN pos < 0.5 THEN '{STRATA[1]}' WHEN pos < 0.75 THEN '{STRATA[2]}'
             ELSE '{STRATA[3]}' END AS stratum,
        amount, CAST(is_won AND is_closed AS INT) AS won, CAST(is_closed AS INT) AS closed,
        cycle_days
      FROM ranked)
    SELECT segment, size, stratum, count(*) AS count, sum(amount) AS amount_sum,
      avg(amount) AS amount_mean, {median} AS amount_median, sum(won) AS won,
      sum(closed) AS closed, avg(cycle_days) AS avg_cycle_days,
      count(*) / sum(count(*)) OVER () AS share, sum(won) / sum(closed) AS win_rate
    FROM cells GROUP BY segment, size, stratum
    """


def hand_duckdb(relation: Any) -> pd.DataFrame:
    probs = ", ".join(map(str, PROBS))
    sql = _sql("deals", f"quantile_cont(amount, [{probs}])", "median(amount)")
    # DuckDB lists are 1-based.
    return relation.query("deals", sql.format(1, 2, 3)).df()


def hand_spark(frame: Any) -> pd.DataFrame:
    probs = ", ".join(map(str, PROBS))
    frame.createOrReplaceTempView("deals")
    # Spark arrays are 0-based; percentile (exact, linear) not percentile_approx.
    sql = _sql("deals", f"percentile(amount, array({probs}))", "median(amount)")
    return frame.sparkSession.sql(sql.format(0, 1, 2)).toPandas()


HAND: dict[str, Callable[[Any], Any]] = {
    "pandas": hand_pandas, "polars": hand_polars, "duckdb": hand_duckdb, "spark": hand_spark,
}


# ----------------------------------------------------------------------------- data per engine
def on_engine(engine: str, deals: pd.DataFrame | None, parquet: Path, spark: Any = None) -> Any:
    """The input as an expert would hold it: in memory (pandas, Polars, a DuckDB table over
    Arrow), or a Parquet scan cached in Spark."""
    from salesops_nb import backends

    if engine == "pandas":
        return deals if deals is not None else pd.read_parquet(parquet, columns=COLUMNS)
    if engine == "polars":
        import polars as pl

        return pl.read_parquet(parquet, columns=COLUMNS)
    if engine == "duckdb":
        import duckdb

        con = duckdb.connect()
        con.execute("SET enable_progress_bar = false")
        con.execute(f"CREATE TABLE deals AS SELECT {', '.join(COLUMNS)} "
                    f"FROM read_parquet('{parquet}')")
        return con.table("deals")
    frame = backends.scan(parquet, "spark", columns=COLUMNS, spark=spark).cache()
    frame.count()  # materialise the cache outside the timings
    return frame


def cells(table: Any) -> dict[tuple[str, str, str], int]:
    from salesops_nb import backends

    frame = backends.to_pandas(table)
    frame = frame[frame["count"] > 0]
    return {tuple(str(frame[c].iloc[i]) for c in BY): int(frame["count"].iloc[i])
            for i in range(len(frame))}


def best_of(repeat: int, runs: dict[str, Callable[[], Any]]) -> dict[str, tuple[float, Any]]:
    """Best time of ``repeat`` interleaved rounds (a busy moment slows both alike)."""
    import gc

    times: dict[str, list[float]] = {name: [] for name in runs}
    results: dict[str, Any] = {}
    for _ in range(repeat):
        for name, run in runs.items():
            gc.collect()
            start = time.perf_counter()
            results[name] = run()
            times[name].append(time.perf_counter() - start)
    return {name: (min(times[name]), results[name]) for name in runs}


def time_engine(engine: str, frame: Any, repeat: int) -> tuple[float, float]:
    """(ours, hand) seconds on one engine; raises if they disagree."""
    timed = best_of(repeat, {"ours": lambda: ours(frame), "hand": lambda: HAND[engine](frame)})
    (t_ours, r_ours), (t_hand, r_hand) = timed["ours"], timed["hand"]
    if cells(r_ours) != cells(r_hand):
        raise SystemExit(f"{engine}: ours and hand disagree on the cell counts")
    return t_ours, t_hand


# ----------------------------------------------------------------------------- memory
def _rss_mb() -> float:
    """This process's peak resident set so far, in MB.

    VmHWM belongs to the process's own memory map; ru_maxrss would not do in a child, since
    Linux carries the parent's high-water mark across fork and exec.
    """
    try:
        with open("/proc/self/status", encoding="utf-8") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024  # kB
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB


def _memory_child(engine: str, which: str, parquet: str) -> None:
    """In a fresh process: peak RSS of one run, over the RSS after imports."""
    warnings.simplefilter("ignore")
    import narwhals  # noqa: F401  (imports out of the measurement)

    import salesops_nb.segmentation.engine  # noqa: F401

    if engine == "polars":
        import polars  # noqa: F401
    if engine == "duckdb":
        import duckdb  # noqa: F401
    before = _rss_mb()
    frame = on_engine(engine, None, Path(parquet))
    (ours if which == "ours" else HAND[engine])(frame)
    print(json.dumps({"peak_mb": _rss_mb() - before}))


def peak_memory(engine: str, which: str, parquet: Path) -> float:
    done = subprocess.run(
        [sys.executable, "-m", "benchmarks.backends", "--memory-child", engine, which,
         str(parquet)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])["peak_mb"]


def input_mb(parquet: Path) -> float:
    """The in-memory (Arrow) size of the columns the workload reads."""
    import pyarrow.parquet as pq

    return pq.read_table(parquet, columns=COLUMNS).nbytes / 2**20


# ----------------------------------------------------------------------------- suite
def write_data(rows: int, folder: Path) -> Path:
    from salesops_nb.data.sample import generate_crm

    path = folder / f"deals_{rows}.parquet"
    if not path.exists():
        generate_crm(rows, seed=7).opportunities[COLUMNS].to_parquet(path)
    return path


def run(sizes: list[int], *, engines: tuple[str, ...] = ("pandas", "polars", "duckdb"),
        spark_rows: int | None = None, repeat: int = 3, memory: bool = True,
        folder: Path | None = None, log: Callable[[str], None] = print) -> list[dict]:
    """Rows for the suite's table: one per engine and size, then growth and memory rows."""
    folder = folder or Path(tempfile.mkdtemp(prefix="salesops-bench-"))
    rows: list[dict] = []
    sizes = sorted(sizes)
    parquets, deals = {}, {}
    for size in sizes:
        start = time.perf_counter()
        parquets[size] = write_data(size, folder)
        deals[size] = pd.read_parquet(parquets[size])
        log(f"  data: {size:,} deals ready in {time.perf_counter() - start:.1f} s")
    growth_rows = []
    for engine in engines:
        # Every size and both contenders take turns in each round: on a shared machine the
        # load moves by tens of percent within minutes, and growth compares two sizes, so they
        # are timed side by side too rather than minutes apart.
        frames = {size: on_engine(engine, deals[size], parquets[size]) for size in sizes}
        runs: dict[str, Callable[[], Any]] = {}
        for size in sizes:
            runs[f"ours {size}"] = lambda f=frames[size]: ours(f)
            runs[f"hand {size}"] = lambda f=frames[size], h=HAND[engine]: h(f)
        timed = best_of(repeat, runs)
        for size in sizes:
            (t_ours, r_ours), (t_hand, r_hand) = timed[f"ours {size}"], timed[f"hand {size}"]
            if cells(r_ours) != cells(r_hand):
                raise SystemExit(f"{engine}: ours and hand disagree on the cell counts")
            rows.append(_row("segmentation pipeline", f"{engine}, {size:,} rows", t_ours,
                             f"hand-written {engine}", t_hand, TARGETS[engine]))
            log(f"  {engine} {size:,}: ours {t_ours:.2f} s, hand {t_hand:.2f} s")
        small, large = sizes[0], sizes[-1]
        if large > small:
            ours_growth = timed[f"ours {large}"][0] / timed[f"ours {small}"][0]
            hand_growth = timed[f"hand {large}"][0] / timed[f"hand {small}"][0]
            growth_rows.append({
                "benchmark": "growth", "case": f"{engine}, {small:,} -> {large:,} rows",
                "ours": f"{ours_growth:.1f}x", "baseline": f"hand-written {hand_growth:.1f}x",
                "ratio": ours_growth, "target": large / small * 1.1})
        del frames, runs, timed
    del deals
    if spark_rows:
        rows += _spark_rows(spark_rows, folder, repeat, log)
    rows += growth_rows
    large = sizes[-1]
    if memory:
        parquet = write_data(large, folder)
        size_mb = input_mb(parquet)
        for engine in engines:
            mine = peak_memory(engine, "ours", parquet)
            hand = peak_memory(engine, "hand", parquet)
            rows.append({"benchmark": "peak memory", "case": f"{engine}, {large:,} rows",
                         "ours": f"{mine:,.0f} MB", "baseline": f"hand {hand:,.0f} MB; input "
                         f"columns {size_mb:,.0f} MB", "ratio": mine / size_mb, "target": None})
            log(f"  memory {engine}: ours {mine:.0f} MB, hand {hand:.0f} MB, "
                f"input {size_mb:.0f} MB")
    return rows


def _spark_rows(size: int, folder: Path, repeat: int, log: Callable[[str], None]) -> list[dict]:
    from salesops_nb import backends

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        spark = backends.spark_session("local[2]")
        spark.sparkContext.setLogLevel("ERROR")
        frame = on_engine("spark", None, write_data(size, folder), spark=spark)
        t_ours, t_hand = time_engine("spark", frame, max(1, repeat - 1))
        frame.unpersist()
    log(f"  spark {size:,}: ours {t_ours:.2f} s, hand {t_hand:.2f} s")
    return [_row("segmentation pipeline", f"spark local[2], {size:,} rows", t_ours,
                 "hand-written Spark SQL", t_hand, None)]


def _row(benchmark: str, case: str, ours_s: float, baseline: str, base_s: float,
         target: float | None) -> dict:
    return {"benchmark": benchmark, "case": case, "ours": f"{ours_s:.2f} s",
            "baseline": f"{baseline} {base_s:.2f} s", "ratio": ours_s / base_s,
            "target": target}


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--memory-child":
        _memory_child(*sys.argv[2:5])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, nargs="+", default=[1_000_000, 10_000_000])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--spark", action="store_true", help="add Spark local[2] (1M rows)")
    parser.add_argument("--no-memory", action="store_true")
    args = parser.parse_args()
    from benchmarks.__main__ import print_table

    rows = run(args.rows, spark_rows=min(args.rows) if args.spark else None,
               repeat=args.repeat, memory=not args.no_memory)
    print_table(rows)


if __name__ == "__main__":
    main()
