"""Benchmark: what one keystroke in the charter editor costs, and what each export costs.

1. One keystroke in the editor (checks, maturity, preview, the editor's tables and the durable
   autosave), against the baseline of writing the charter's JSON with ``Path.write_text``
   (no fsync, no backup, no checks): the price of "closing the notebook loses nothing".
2. The parts of a keystroke: checks + maturity alone, the HTML preview alone, the workspace save
   alone.
3. The three exports of the worked example (Markdown, HTML with SVG chart, DOCX with PNG chart),
   against ``json.dumps`` of the same charter.

Run: ``python benchmarks/charter_editor.py`` (``--repeat 50`` for steadier figures).
"""

from __future__ import annotations

import argparse
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from salesops_nb.charter import example_charter, maturity, to_markdown
from salesops_nb.charter.render_docx import to_docx
from salesops_nb.charter.render_html import to_html
from salesops_nb.views.charter import CharterEditor
from salesops_nb.workspace import Workspace


def _best(action: Callable[[], object], repeat: int) -> float:
    """Best of ``repeat`` runs, in milliseconds (the least disturbed by the shared machine)."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        action()
        times.append(time.perf_counter() - start)
    return 1000 * min(times)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=20)
    repeat = parser.parse_args().repeat
    charter = example_charter()
    with tempfile.TemporaryDirectory() as folder:
        root = Path(folder)
        editor = CharterEditor(root / "ws" / "charter" / "main.json", charter=charter)
        counter = iter(range(10**9))

        def keystroke() -> None:
            editor.mission.value = charter.mission[:40] + str(next(counter))

        plain = root / "plain.json"
        workspace = Workspace(root / "ws2")
        rows = [
            ("editor keystroke (all)", _best(keystroke, repeat),
             "plain JSON write", _best(lambda: plain.write_text(charter.model_dump_json()),
                                       repeat)),
            ("checks + maturity", _best(lambda: maturity(charter), repeat),
             "plain JSON write", None),
            ("HTML preview (no chart)", _best(lambda: to_html(charter, fragment=True,
                                                              chart=False), repeat),
             "plain JSON write", None),
            ("workspace autosave", _best(lambda: workspace.save(charter, "main"), repeat),
             "plain JSON write", None),
            ("Markdown export", _best(lambda: to_markdown(charter), repeat),
             "json.dumps", _best(charter.model_dump_json, repeat)),
            ("HTML export (SVG chart)", _best(lambda: to_html(charter), max(3, repeat // 4)),
             "json.dumps", None),
            ("DOCX export (PNG chart)",
             _best(lambda: to_docx(charter).save(str(root / "c.docx")), max(3, repeat // 4)),
             "json.dumps", None),
        ]
    baseline = {}
    print(f"{'ours':<26}{'ms':>9}   {'baseline':<18}{'ms':>8}{'ratio':>9}")
    for ours, ms, base, base_ms in rows:
        if base_ms is not None:
            baseline[base] = base_ms
        ref = baseline[base]
        print(f"{ours:<26}{ms:>9.2f}   {base:<18}{ref:>8.3f}{ms / ref:>8.0f}x")


if __name__ == "__main__":
    main()
