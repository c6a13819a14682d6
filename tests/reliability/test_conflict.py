"""Two writers on one artefact: a conflicting save is refused with a message, never lost.

Two ``Workspace`` objects on one folder stand for two kernels (each kernel holds its own);
the last test runs two real processes saving as fast as they can.
"""

from __future__ import annotations

import json
import multiprocessing
import os

import pytest

from salesops_nb.errors import ConflictError, WorkspaceError
from salesops_nb.views._common import save_artefact
from salesops_nb.views.five_whys import FiveWhysEditor
from salesops_nb.workspace import Workspace
from tests.reliability._models import Ledger


def _two_kernels(tmp_path):
    Workspace(tmp_path).save(Ledger(label="start"), "main")
    first, second = Workspace(tmp_path), Workspace(tmp_path)
    assert first.load(Ledger, "main") == second.load(Ledger, "main")
    return first, second


def test_save_over_a_newer_revision_is_refused_naming_both_revisions(tmp_path):
    first, second = _two_kernels(tmp_path)
    second.save(Ledger(label="theirs"), "main")  # revision 2
    with pytest.raises(ConflictError) as info:
        first.save(Ledger(label="mine"), "main")
    err = info.value
    assert (err.loaded_revision, err.current_revision) == (1, 2)
    assert "loaded revision 1" in err.message and "revision 2" in err.message
    assert "NOT saved" in err.message
    assert "load(Ledger, 'main')" in err.hint and "force=True" in err.hint
    assert "save_as" in err.hint
    assert isinstance(err, WorkspaceError)
    # Nothing was written: the other writer's version is on disk.
    assert Workspace(tmp_path).load(Ledger, "main").label == "theirs"


def test_conflict_resolved_by_reloading(tmp_path):
    first, second = _two_kernels(tmp_path)
    second.save(Ledger(label="theirs"), "main")
    with pytest.raises(ConflictError):
        first.save(Ledger(label="mine"), "main")
    merged = first.load(Ledger, "main").model_copy(update={"entries": ["mine too"]})
    first.save(merged, "main")
    on_disk = json.loads((tmp_path / "ledger" / "main.json").read_text())
    assert on_disk["revision"] == 3
    assert on_disk["data"] == {"label": "theirs", "entries": ["mine too"]}
    # Now the second writer is the stale one.
    with pytest.raises(ConflictError):
        second.save(Ledger(label="again"), "main")


def test_conflict_resolved_by_save_as_or_force(tmp_path):
    first, second = _two_kernels(tmp_path)
    second.save(Ledger(label="theirs"), "main")
    with pytest.raises(ConflictError):
        first.save(Ledger(label="mine"), "main")
    first.save_as(Ledger(label="mine"), "main-mine")
    assert Workspace(tmp_path).load(Ledger, "main-mine").label == "mine"
    with pytest.raises(WorkspaceError, match="already exists"):
        first.save_as(Ledger(label="mine"), "main")
    first.save(Ledger(label="mine"), "main", force=True)
    ws = Workspace(tmp_path)
    assert ws.load(Ledger, "main").label == "mine"
    # The overwritten version is the backup, so even a forced save loses nothing.
    backup = json.loads((tmp_path / "ledger" / "main.json.bak").read_text())
    assert backup["data"]["label"] == "theirs" and backup["revision"] == 2


def test_creating_what_another_writer_found_missing_is_a_conflict(tmp_path):
    first, second = Workspace(tmp_path), Workspace(tmp_path)
    with pytest.raises(WorkspaceError):
        first.load(Ledger, "main")
    assert not second.exists(Ledger, "main")
    first.save(Ledger(label="first"), "main")
    with pytest.raises(ConflictError, match="found it missing") as info:
        second.save(Ledger(label="second"), "main")
    assert (info.value.loaded_revision, info.value.current_revision) == (0, 1)


def test_a_workspace_that_never_looked_replaces_as_before(tmp_path):
    Workspace(tmp_path).save(Ledger(label="a"), "main")
    Workspace(tmp_path).save(Ledger(label="b"), "main")  # scripts that just write keep working
    assert Workspace(tmp_path).load(Ledger, "main").label == "b"


def test_old_files_without_revision_load_as_revision_0(tmp_path):
    folder = tmp_path / "ledger"
    folder.mkdir()
    old = {"kind": "ledger", "schema_version": 1, "saved_at": "2026-01-01T00:00:00+00:00",
           "salesops_nb": "0.0.9", "data": {"label": "old", "entries": []}}
    (folder / "main.json").write_text(json.dumps(old))
    ws = Workspace(tmp_path)
    assert ws.load(Ledger, "main").label == "old"
    assert ws.revision(Ledger, "main") == 0
    ws.save(Ledger(label="new"), "main")
    assert json.loads((folder / "main.json").read_text())["revision"] == 1
    # A stale writer that loaded the old file is caught too.
    (folder / "main.json").write_text(json.dumps(old))
    stale = Workspace(tmp_path)
    stale.load(Ledger, "main")
    ws.save(Ledger(label="newer"), "main", force=True)
    with pytest.raises(ConflictError):
        stale.save(Ledger(label="stale"), "main")


def test_bad_revision_in_a_file_is_a_corrupt_artefact(tmp_path):
    folder = tmp_path / "ledger"
    folder.mkdir()
    doc = {"kind": "ledger", "schema_version": 1, "revision": "three", "data": {"label": "x"}}
    (folder / "main.json").write_text(json.dumps(doc))
    with pytest.raises(WorkspaceError, match="revision 'three'"):
        Workspace(tmp_path).load(Ledger, "main")


def test_autosave_shows_the_conflict_as_a_message(tmp_path):
    import ipywidgets as widgets

    first, second = _two_kernels(tmp_path)
    second.save(Ledger(label="theirs"), "main")
    area = widgets.HTML()
    assert save_artefact(first, Ledger(label="mine"), "main", area) is None
    assert "Not saved" in area.value and "revision 2" in area.value and "force=True" in area.value
    assert Workspace(tmp_path).load(Ledger, "main").label == "theirs"


def test_five_whys_editor_in_two_kernels_refuses_the_stale_edit(tmp_path):
    path = tmp_path / "ws" / "five_whys" / "main.json"
    mine, theirs = FiveWhysEditor(path), FiveWhysEditor(path)
    theirs.what.value = "Win rate fell (theirs)"
    theirs.save_problem.click()
    assert "Saved to" in theirs.message.value
    mine.what.value = "Win rate fell (mine)"
    mine.save_problem.click()
    assert "Not saved" in mine.message.value and "revision 1" in mine.message.value
    assert Workspace(tmp_path / "ws").load(type(mine.analysis), "main").problem.what == (
        "Win rate fell (theirs)"
    )


def _writer(root: str, tag: str, rounds: int, out) -> None:
    ws = Workspace(root)
    saved, conflicts = [], 0
    for i in range(rounds):
        current = ws.load(Ledger, "main")
        token = f"{tag}-{i}"
        try:
            ws.save(current.model_copy(update={"entries": [*current.entries, token]}), "main")
            saved.append(token)
        except ConflictError:
            conflicts += 1
    out.put((saved, conflicts))


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_two_processes_racing_never_lose_a_saved_edit(tmp_path):
    Workspace(tmp_path).save(Ledger(label="race"), "main")
    ctx = multiprocessing.get_context("fork")
    out = ctx.Queue()
    procs = [ctx.Process(target=_writer, args=(str(tmp_path), tag, 150, out)) for tag in "ab"]
    for proc in procs:
        proc.start()
    results = [out.get(timeout=120) for _ in procs]
    for proc in procs:
        proc.join()
    saved = [token for tokens, _ in results for token in tokens]
    conflicts = sum(c for _, c in results)
    final = Workspace(tmp_path).load(Ledger, "main")
    print(f"\nsaves: {len(saved)}, conflicts caught: {conflicts}")
    # Every save that reported success is in the final version: nothing was silently lost.
    assert sorted(final.entries) == sorted(saved)
    assert json.loads((tmp_path / "ledger" / "main.json").read_text())["revision"] == len(saved) + 1
    assert len(saved) + conflicts == 300
