"""SIGKILL a process in the middle of saving, hundreds of times, at random points.

Each round forks a child that loads the artefact and saves new versions of it in a loop; the
parent kills it with SIGKILL after a random delay of 0-15 ms (before its first save, mid-write,
mid-rename, between saves). After every kill the artefact must load and be either the version
before the round or one of the versions the child wrote: never half a file, never an error.
Forking (rather than starting a fresh interpreter) keeps each kill to a few milliseconds.
"""

from __future__ import annotations

import os
import random
import signal
import time

import pytest

from salesops_nb.workspace import Workspace
from tests.reliability._models import Ledger

KILLS = 250
NAME = "main"
pytestmark = pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork (POSIX)")


def _version(round_no: int, step: int) -> Ledger:
    # ~60 kB of JSON, so a write takes long enough to be interrupted.
    body = [f"r{round_no}-s{step}-{i:05d}-" + "x" * 40 for i in range(1000)]
    return Ledger(label=f"r{round_no}-s{step}", entries=body)


def _child(root: str, round_no: int) -> None:
    # Runs in the forked child; never returns into pytest.
    try:
        ws = Workspace(root)
        ws.load(Ledger, NAME)  # remember the revision, as a widget does
        for step in range(1, 1_000_000):
            ws.save(_version(round_no, step), NAME)
    finally:
        os._exit(0)


def test_sigkill_mid_save_leaves_old_or_new_version_that_loads(tmp_path):
    rng = random.Random(20261130)
    root = str(tmp_path / "ws")
    ws = Workspace(root)
    ws.save(_version(0, 0), NAME)
    before = ws.load(Ledger, NAME)
    folder = tmp_path / "ws" / Ledger.kind
    survived = temp_left = new_versions = 0
    for round_no in range(1, KILLS + 1):
        pid = os.fork()
        if pid == 0:
            _child(root, round_no)
        time.sleep(rng.uniform(0, 0.015))
        os.kill(pid, signal.SIGKILL)
        _, status = os.waitpid(pid, 0)
        assert os.WIFSIGNALED(status) and os.WTERMSIG(status) == signal.SIGKILL

        after = Workspace(root).load(Ledger, NAME)  # must not raise
        if after.label == before.label:
            assert after == before
        else:
            prefix, step = after.label.split("-s")
            assert prefix == f"r{round_no}", after.label
            assert after == _version(round_no, int(step))
            new_versions += 1
        # The backup, when there is one, is a whole version too.
        backup = folder / f"{NAME}.json.bak"
        if backup.exists():
            Ledger.model_validate(__import__("json").loads(backup.read_text())["data"])
        leftovers = list(folder.glob(".*.tmp"))
        temp_left += bool(leftovers)  # the kill landed while a temp file was being written
        for leftover in leftovers:
            leftover.unlink()
        survived += 1
        before = after

    print(f"\nkills survived: {survived}; killed mid-write: {temp_left}; "
          f"rounds that saved a new version: {new_versions}")
    assert survived == KILLS
    # The random delays really do hit both sides: some kills land mid-write, some after saves.
    assert temp_left > 0
    assert new_versions > 0
