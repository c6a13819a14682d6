"""Benchmark: how long a change in the segmentation builder takes on 1M opportunities.

The builder aggregates the deals into the entity table once (when it opens or the entity
changes) and caches it; every later change (a banding method, the fields, the strata) refits
the spec on the cached table, re-assigns, profiles, measures quality, draws the size chart to
SVG and saves the spec durably. Measured here, widget-level (setting the widget's values as a
user would), side by side with the baseline of one plain pandas group-by over the same 1M deals
(``deals.groupby(["team", "region"]).agg(...)``): what an analyst would consider "immediate".

Run: ``python benchmarks/segmentation_preview.py`` (``--rows 200000`` for a quick run,
``--repeat 10`` for steadier figures).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from salesops_nb.data.sample import generate_crm
from salesops_nb.views.segmentation import SegmentationBuilder


def _best(action: Callable[[], object], repeat: int) -> float:
    """Best of ``repeat`` runs, in milliseconds (the least disturbed by the shared machine)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return 1000 * min(times)


def _toggle(control, first, second) -> Callable[[], None]:
    """Alternate a widget between two values, so each call is a real change."""
    state = {"next": second}

    def change() -> None:
        control.value = state["next"]
        state["next"] = first if state["next"] == second else second

    return change


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    deals = generate_crm(args.rows, seed=7).opportunities

    def groupby_team_region() -> object:
        return deals.groupby(["team", "region"], observed=True).agg(
            deals=("opportunity_id", "size"), won=("is_won", "sum"), amount=("amount", "sum"))

    def groupby_account() -> object:
        return deals.groupby("account_id", observed=True).agg(
            deals=("opportunity_id", "size"), won=("is_won", "sum"), amount=("amount", "sum"))

    baseline = _best(groupby_team_region, args.repeat)
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "ws" / "segmentation" / "main.json"
        start = time.perf_counter()
        builder = SegmentationBuilder(deals, path=path)
        opened = 1000 * (time.perf_counter() - start)
        reps = len(builder.table("reps"))
        rows = [
            (f"open the builder (reps table, {reps} reps)", opened),
            ("reps: strata 4 <-> 5", _best(_toggle(builder.strata_count, 4, 5), args.repeat)),
            ("reps: team x region <-> team", _best(
                _toggle(builder.categories, ("team", "region"), ("team",)), args.repeat)),
        ]
        start = time.perf_counter()
        builder.entity.value = "accounts"
        accounts = len(builder.table("accounts"))
        rows.append((f"switch to accounts ({accounts:,} accounts)",
                     1000 * (time.perf_counter() - start)))
        method = builder._banding_rows["won_amount"]["method"]
        rows += [
            ("accounts: strata 4 <-> 5", _best(_toggle(builder.strata_count, 4, 5),
                                                args.repeat)),
            ("accounts: won_amount ABC <-> jenks", _best(_toggle(method, "abc", "jenks"),
                                                          args.repeat)),
        ]
        assert "Traceback" not in builder.status.value
    account_baseline = _best(groupby_account, args.repeat)
    print(f"{args.rows:,} opportunities; best of {args.repeat}; baseline: one pandas group-by "
          f"of the {args.rows:,} deals by team x region = {baseline:.1f} ms "
          f"(by account: {account_baseline:.1f} ms)")
    print(f"{'builder change':<46}{'ms':>9}{'ratio':>9}")
    for name, ms in rows:
        print(f"{name:<46}{ms:>9.1f}{ms / baseline:>8.1f}x")


if __name__ == "__main__":
    main()
