"""Report runs in worker processes: started, polled, cancelled; the server never waits on them.

Each run is a ``python -m salesops_nb.server._worker`` process in its own process group, so a
slow template or a crashing kernel cannot block or take down Jupyter Server, and cancelling
stops the worker and everything it started. Progress is read from the output notebook, which
papermill rewrites as each cell starts and completes.

Status of a job: ``running`` -> ``succeeded`` | ``failed`` | ``cancelled``.
"""

from __future__ import annotations

import contextlib
import json
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from salesops_nb.errors import SalesOpsError, UnknownJobError
from salesops_nb.server.paths import api_path

__all__ = ["ReportJob", "ReportJobs", "UnknownJobError"]

_GRACE_SECONDS = 5.0  # after SIGTERM, time for papermill to shut its kernel down
_FINISHED = ("succeeded", "failed", "cancelled")


@dataclass
class ReportJob:
    """One report run and what is known about it so far."""

    id: str
    template: str
    root: Path
    out_dir: Path
    output_name: str
    folder: Path  # spec.json / result.json / worker log
    process: subprocess.Popen[bytes]
    started: float = field(default_factory=time.time)
    finished: float | None = None
    status: str = "running"
    result: dict[str, Any] = field(default_factory=dict)
    cancel_requested: float | None = None
    _progress: tuple[int, int, int | None] = (0, 0, None)

    @property
    def notebook(self) -> Path:
        return self.out_dir / f"{self.output_name}.ipynb"

    @property
    def html(self) -> Path:
        return self.out_dir / f"{self.output_name}.html"

    def refresh(self) -> None:
        """Look at the worker (never waits): reap it, read its result, update progress."""
        if self.status in _FINISHED:
            return
        code = self.process.poll()
        if self.cancel_requested is not None and code is None:
            if time.time() - self.cancel_requested > _GRACE_SECONDS:
                _signal_group(self.process, signal.SIGKILL)
            return
        self._progress = _read_progress(self.notebook, self._progress)
        if code is None:
            return
        self.finished = time.time()
        result_file = self.folder / "result.json"
        try:
            self.result = json.loads(result_file.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            self.result = {}
        if self.cancel_requested is not None:
            self.status = "cancelled"
        elif self.result.get("status") in _FINISHED:
            self.status = self.result["status"]
        else:
            self.status = "failed"
            self.result = {"error": _crash_error(code, self.folder / "worker.log")}

    def cancel(self) -> None:
        """Ask the worker to stop (SIGTERM now, SIGKILL after a grace period)."""
        self.refresh()
        if self.status in _FINISHED or self.cancel_requested is not None:
            return
        self.cancel_requested = time.time()
        _signal_group(self.process, signal.SIGTERM)

    def to_json(self) -> dict[str, Any]:
        """The job as the REST API returns it (paths are API paths, relative to the root)."""
        self.refresh()
        done, total, current = self._progress
        if self.status == "succeeded":
            done = total
        payload: dict[str, Any] = {
            "id": self.id,
            "template": self.template,
            "status": self.status,
            "progress": {"done": done, "total": total, "current_cell": current},
            "started": self.started,
            "finished": self.finished,
            "notebook": _api_or_none(self.root, self.notebook),
            "html": _api_or_none(self.root, self.html),
            "error": None,
        }
        if self.status == "failed":
            error = dict(self.result.get("error") or {})
            cell = error.pop("cell_index", None)
            error["cell_number"] = cell + 1 if isinstance(cell, int) else None
            kept = error.pop("notebook", None)
            error["notebook"] = _api_or_none(self.root, Path(kept)) if kept else None
            payload["error"] = error
        return payload


class ReportJobs:
    """The report runs of one server.

    Parameters
    ----------
    root
        The server's root folder: outputs are written inside it and paths reported relative
        to it. Workers run with it as their working folder.
    """

    def __init__(self, root: str | os.PathLike[str]) -> None:
        self.root = Path(root).resolve()
        self._jobs: dict[str, ReportJob] = {}
        self._scratch = Path(tempfile.mkdtemp(prefix="salesops-nb-jobs-"))

    def start(self, template: str, parameters: dict[str, Any], out_dir: Path) -> ReportJob:
        """Start a run of ``template`` writing into ``out_dir`` (inside the root).

        The output name is the template's, numbered if the folder already holds a report of
        that name or another run is writing one (``segmentation-2``), so nothing is overwritten.
        """
        for job in self._jobs.values():
            job.refresh()
        out_dir.mkdir(parents=True, exist_ok=True)
        output_name = self._free_name(out_dir, template)
        job_id = uuid.uuid4().hex
        folder = self._scratch / job_id
        folder.mkdir()
        spec = {
            "template": template,
            "parameters": parameters,
            "out_dir": str(out_dir),
            "output_name": output_name,
        }
        (folder / "spec.json").write_text(json.dumps(spec), encoding="utf-8")
        with open(folder / "worker.log", "wb") as log:
            process = subprocess.Popen(
                [sys.executable, "-m", "salesops_nb.server._worker", str(folder)],
                cwd=self.root,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its own process group: cancel stops it all
            )
        job = ReportJob(job_id, template, self.root, out_dir, output_name, folder, process)
        self._jobs[job_id] = job
        return job

    def get(self, job_id: str) -> ReportJob:
        """The job with that id.

        Raises
        ------
        UnknownJobError
            If no run of this server has that id.
        """
        job = self._jobs.get(job_id)
        if job is None:
            raise UnknownJobError(
                f"No report run with id '{job_id}'.",
                hint="Runs are kept while the server runs; list them with GET salesops-nb/reports.",
            )
        return job

    def all(self) -> list[ReportJob]:
        """Every run of this server, oldest first."""
        return sorted(self._jobs.values(), key=lambda job: job.started)

    def shutdown(self) -> None:
        """Stop every running worker and remove the scratch folder (server shutdown)."""
        for job in self._jobs.values():
            if job.process.poll() is None:
                _signal_group(job.process, signal.SIGKILL)
                job.process.wait()
        shutil.rmtree(self._scratch, ignore_errors=True)

    def _free_name(self, out_dir: Path, stem: str) -> str:
        taken = {
            job.output_name
            for job in self._jobs.values()
            if job.out_dir == out_dir and job.status == "running"
        }
        for n in range(1, 1000):
            name = stem if n == 1 else f"{stem}-{n}"
            if name in taken:
                continue
            if not (out_dir / f"{name}.html").exists() and not (out_dir / f"{name}.ipynb").exists():
                return name
        raise SalesOpsError(
            f"{out_dir} already holds 999 reports of '{stem}'.",
            hint="Choose another output folder or tidy up old reports.",
        )


def _signal_group(process: subprocess.Popen[bytes], sig: int) -> None:
    with contextlib.suppress(ProcessLookupError, PermissionError):  # already gone
        os.killpg(process.pid, sig)


def _read_progress(
    notebook: Path, previous: tuple[int, int, int | None]
) -> tuple[int, int, int | None]:
    """(cells done, code cells, 1-based number of the running cell) from papermill's metadata."""
    try:
        cells = json.loads(notebook.read_text(encoding="utf-8"))["cells"]
    except (OSError, ValueError, KeyError, TypeError):
        return previous  # not written yet, or caught mid-write: keep what we knew
    code = [cell for cell in cells if cell.get("cell_type") == "code"]
    done = 0
    current = None
    for number, cell in enumerate(code, start=1):
        status = cell.get("metadata", {}).get("papermill", {}).get("status")
        if status == "completed":
            done += 1
        elif status == "running":
            current = number
    return done, len(code), current


def _crash_error(code: int, log: Path) -> dict[str, Any]:
    try:
        tail = log.read_text(encoding="utf-8", errors="replace").strip().splitlines()[-5:]
    except OSError:
        tail = []
    detail = (": " + " | ".join(tail)) if tail else ""
    return {
        "message": f"The report worker ended without a result (exit status {code}){detail}.",
        "hint": "Run the same template with `salesops-nb run` in a terminal to see what happens.",
        "cell_number": None,
        "notebook": None,
    }


def _api_or_none(root: Path, path: Path) -> str | None:
    if not path.exists():
        return None
    try:
        return api_path(root, path)
    except SalesOpsError:
        return None
