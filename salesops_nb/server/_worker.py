"""A report run in its own process: ``python -m salesops_nb.server._worker JOB_FOLDER``.

The job folder holds ``spec.json`` (template, parameters, output folder and name) written by
:mod:`salesops_nb.server.jobs`; the worker writes ``result.json`` there when it ends: the
report's paths, or the error (message, hint, failing cell), or that it was cancelled. SIGTERM
cancels: it unwinds through papermill so the kernel is shut down on the way out.
"""

from __future__ import annotations

import json
import os
import signal
import sys
from pathlib import Path
from typing import Any


class _Cancelled(BaseException):
    """Raised in the worker by SIGTERM; a BaseException so no `except Exception` swallows it."""


def _on_sigterm(signum: int, frame: Any) -> None:
    raise _Cancelled


def run_job(folder: Path) -> int:
    """Run the job described in ``folder/spec.json``; write ``folder/result.json``."""
    spec = json.loads((folder / "spec.json").read_text(encoding="utf-8"))
    try:
        from salesops_nb.errors import ReportError, SalesOpsError
        from salesops_nb.report import run_template

        report = run_template(
            spec["template"],
            spec["parameters"],
            out_dir=spec["out_dir"],
            output_name=spec["output_name"],
        )
        result: dict[str, Any] = {
            "status": "succeeded",
            "notebook": str(report.notebook),
            "html": str(report.html),
        }
    except _Cancelled:
        result = {"status": "cancelled"}
    except ReportError as err:
        result = _failure(err, err.notebook_path, err.cell_index)
    except SalesOpsError as err:
        result = _failure(err, None, None)
    except Exception as err:  # the browser must learn that the run ended, whatever happened
        result = {
            "status": "failed",
            "error": {
                "message": f"The report run stopped on an unexpected error: "
                f"{type(err).__name__}: {err}",
                "hint": "Run the same template with `salesops-nb run` to see the full "
                "traceback, and report it if it is not about your data.",
                "cell_index": None,
                "notebook": None,
            },
        }
    _write_result(folder, result)
    return 0 if result["status"] == "succeeded" else 1


def _failure(err: Any, notebook: str | None, cell_index: int | None) -> dict[str, Any]:
    return {
        "status": "failed",
        "error": {
            "message": err.message,
            "hint": err.hint,
            "cell_index": cell_index,
            "notebook": notebook,
        },
    }


def _write_result(folder: Path, result: dict[str, Any]) -> None:
    partial = folder / "result.json.partial"
    partial.write_text(json.dumps(result), encoding="utf-8")
    os.replace(partial, folder / "result.json")  # the server never reads half a result


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    signal.signal(signal.SIGTERM, _on_sigterm)
    return run_job(Path(args[0]))


if __name__ == "__main__":
    sys.exit(main())
