"""Benchmark: start time of `salesops-nb --help` and `templates` against `python -c pass`.

Each command runs in a fresh interpreter, as the installed ``salesops-nb`` script does (it calls
``salesops_nb.cli.main``); the best of ``--repeat`` runs is kept. Target: within 0.3 s of a bare
Python start.

Run: ``python -m benchmarks.cli_start``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

_SCRIPT = "import sys; from salesops_nb.cli import main; sys.exit(main())"
COMMANDS = {
    "python -c pass": [sys.executable, "-c", "pass"],
    "salesops-nb --help": [sys.executable, "-c", _SCRIPT, "--help"],
    "salesops-nb templates": [sys.executable, "-c", _SCRIPT, "templates"],
}
TARGET_S = 0.3


def _best(argv: list[str], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        subprocess.run(argv, check=True, capture_output=True)
        times.append(time.perf_counter() - start)
    return min(times)


def run(repeat: int = 7) -> list[dict]:
    """One row per command: its start time against a bare ``python -c pass``."""
    _best(COMMANDS["salesops-nb templates"], 1)  # warm the file cache and byte-code
    bare = _best(COMMANDS["python -c pass"], repeat)
    rows = []
    for name, argv in COMMANDS.items():
        if name == "python -c pass":
            continue
        seconds = _best(argv, repeat)
        rows.append({"benchmark": "CLI start", "case": name, "ours": f"{seconds:.3f} s",
                     "baseline": f"python -c pass {bare:.3f} s", "ratio": seconds / bare,
                     "target": None, "extra": f"+{seconds - bare:.3f} s (target +{TARGET_S} s)",
                     "ok": seconds - bare <= TARGET_S})
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=7)
    from benchmarks.__main__ import print_table

    print_table(run(parser.parse_args().repeat))


if __name__ == "__main__":
    main()
