"""The artefact workspace: atomic saves, backups, damaged and versioned files, names, listing."""

from __future__ import annotations

import json
import os
import pickle
import sys
from datetime import datetime, timezone
from pathlib import Path
from typing import ClassVar

import pydantic
import pytest

import salesops_nb
from salesops_nb import _atomic
from salesops_nb.artefact import Artefact, Migrations, check_name
from salesops_nb.errors import CorruptArtefactError, SchemaVersionError, WorkspaceError
from salesops_nb.workspace import ArtefactInfo, Workspace

# -- toy artefacts ---------------------------------------------------------------------------------


class Step(pydantic.BaseModel):
    owner: str
    weeks: int


class Plan(Artefact):
    kind = "plan"
    title: str
    steps: list[Step] = pydantic.Field(default_factory=list)

    @pydantic.field_serializer("title")
    def _title(self, value: str) -> str:
        # Lets a test make serialisation fail part-way through a save.
        if value == "explode":
            raise ValueError("cannot serialise this title")
        return value


class Note(Artefact):
    kind = "note"
    text: str


class ContactV1(Artefact):
    kind = "contact"
    name: str


def _split_name(data: dict) -> dict:
    first, _, last = data.pop("name").partition(" ")
    data.update(first=first, last=last)
    return data


class ContactV2(Artefact):
    kind = "contact"
    schema_version = 2
    migrations: ClassVar[Migrations] = {1: _split_name}
    first: str
    last: str


def _add_email(data: dict) -> dict:
    return {**data, "email": None}


class ContactV3NoStepFrom1(Artefact):
    kind = "contact"
    schema_version = 3
    migrations: ClassVar[Migrations] = {2: _add_email}
    first: str
    last: str
    email: str | None


def _broken_migration(data: dict) -> dict:
    return {"first": data["no-such-field"]}


class ContactV2Broken(Artefact):
    kind = "contact"
    schema_version = 2
    migrations: ClassVar[Migrations] = {1: _broken_migration}
    first: str


PLAN = Plan(title="Région Sud – Q3", steps=[Step(owner="Ana", weeks=2), Step(owner="Bo", weeks=3)])


@pytest.fixture
def ws(tmp_path: Path) -> Workspace:
    return Workspace(tmp_path / "ws")


def _files(folder: Path) -> list[str]:
    return sorted(p.name for p in folder.iterdir())


# -- round trip and file format --------------------------------------------------------------------


def test_round_trip_returns_an_equal_model_from_kind_folder(ws: Workspace) -> None:
    path = ws.save(PLAN, "q3 west")
    assert path == ws.root / "plan" / "q3 west.json"
    loaded = ws.load(Plan, "q3 west")
    assert loaded == PLAN
    assert loaded.steps[1].weeks == 3


def test_file_is_a_pretty_utf8_envelope_with_stable_keys(ws: Workspace) -> None:
    before = datetime.now(timezone.utc).replace(microsecond=0)
    path = ws.save(PLAN, "q3")
    after = datetime.now(timezone.utc)
    raw = path.read_bytes()
    text = raw.decode("utf-8")
    assert "Région Sud – Q3" in text  # not \u-escaped
    assert text.endswith("}\n") and '\n  "kind": "plan",\n' in text
    doc = json.loads(text)
    assert list(doc) == ["kind", "schema_version", "revision", "saved_at", "salesops_nb", "data"]
    assert doc["schema_version"] == 1
    assert doc["salesops_nb"] == salesops_nb.__version__
    assert doc["data"] == {
        "title": "Région Sud – Q3",
        "steps": [{"owner": "Ana", "weeks": 2}, {"owner": "Bo", "weeks": 3}],
    }
    saved_at = datetime.fromisoformat(doc["saved_at"])
    assert saved_at.utcoffset().total_seconds() == 0
    assert before <= saved_at <= after
    # Saving the same artefact again gives the same bytes apart from time stamp and revision.
    again = ws.save(PLAN, "q3").read_text(encoding="utf-8")
    assert json.loads(again)["revision"] == doc["revision"] + 1
    assert again.replace(json.loads(again)["saved_at"], "T").replace(
        '"revision": 2', '"revision": 1'
    ) == text.replace(doc["saved_at"], "T")


def test_default_root_is_taken_from_the_folder_at_construction(tmp_path, monkeypatch) -> None:
    monkeypatch.chdir(tmp_path)
    ws = Workspace()
    assert ws.root == tmp_path / "salesops-workspace"
    monkeypatch.chdir(tmp_path.parent)
    assert ws.save(Note(text="x"), "n") == tmp_path / "salesops-workspace" / "note" / "n.json"


def test_model_instance_or_class_both_locate_files(ws: Workspace) -> None:
    ws.save(PLAN, "q3")
    assert ws.path_for(PLAN, "q3") == ws.path_for(Plan, "q3")
    assert ws.exists(Plan, "q3") and not ws.exists(Plan, "q4")


# -- backups and atomic saves ----------------------------------------------------------------------


def test_previous_version_is_kept_as_backup_and_rotated(ws: Workspace) -> None:
    first = ws.save(Note(text="one"), "n").read_bytes()
    backup = ws.backup_path_for(Note, "n")
    assert not backup.exists()
    second = ws.save(Note(text="two"), "n").read_bytes()
    assert backup.read_bytes() == first
    ws.save(Note(text="three"), "n")
    assert backup.read_bytes() == second
    assert ws.load(Note, "n").text == "three"
    assert _files(backup.parent) == ["n.json", "n.json.bak"]


def test_failing_serialisation_leaves_file_and_backup_untouched(ws: Workspace) -> None:
    ws.save(Plan(title="v1"), "q3")
    path = ws.save(Plan(title="v2"), "q3")
    old, old_backup = path.read_bytes(), ws.backup_path_for(Plan, "q3").read_bytes()
    with pytest.raises(WorkspaceError) as info:
        ws.save(Plan(title="explode"), "q3")
    assert "cannot be written as JSON" in info.value.message
    assert "cannot serialise this title" in info.value.message
    assert info.value.hint
    assert path.read_bytes() == old
    assert ws.backup_path_for(Plan, "q3").read_bytes() == old_backup
    assert _files(path.parent) == ["q3.json", "q3.json.bak"]


def test_disk_failure_while_writing_leaves_file_backup_and_no_temp(ws, monkeypatch) -> None:
    ws.save(Note(text="v1"), "n")
    path = ws.save(Note(text="v2"), "n")
    old, old_backup = path.read_bytes(), ws.backup_path_for(Note, "n").read_bytes()

    def full_disk(fd: int) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(_atomic.os, "fsync", full_disk)
    with pytest.raises(WorkspaceError) as info:
        ws.save(Note(text="v3"), "n")
    assert "No space left on device" in info.value.message
    assert str(path) in info.value.message
    assert "unchanged" in info.value.hint
    assert path.read_bytes() == old
    assert ws.backup_path_for(Note, "n").read_bytes() == old_backup
    assert _files(path.parent) == ["n.json", "n.json.bak"]


def test_failed_rename_leaves_the_file_whole_and_no_temp(ws, monkeypatch) -> None:
    path = ws.save(Note(text="v1"), "n")
    old = path.read_bytes()
    real_replace = os.replace

    def refuse_final_rename(src, dst) -> None:
        if Path(dst) == path:
            raise PermissionError(13, "Permission denied")
        real_replace(src, dst)

    monkeypatch.setattr(_atomic.os, "replace", refuse_final_rename)
    with pytest.raises(WorkspaceError, match="Permission denied"):
        ws.save(Note(text="v2"), "n")
    assert path.read_bytes() == old
    # The backup already holds the current content, which is harmless.
    assert ws.backup_path_for(Note, "n").read_bytes() == old
    assert not [p for p in path.parent.iterdir() if p.name.endswith(".tmp")]


def test_an_artefact_made_invalid_after_construction_is_not_written(ws: Workspace) -> None:
    plan = Plan(title="ok", steps=[Step(owner="Ana", weeks=2)])
    plan.steps[0].weeks = "soon"  # pydantic does not check assignments by default
    with pytest.raises(WorkspaceError) as info:
        ws.save(plan, "q3")
    assert "would not load back" in info.value.message
    assert "'steps[0].weeks'" in info.value.message
    assert not ws.path_for(Plan, "q3").parent.exists()


@pytest.mark.skipif(sys.platform == "win32", reason="POSIX permissions")
def test_save_keeps_the_permissions_given_to_the_file(ws: Workspace) -> None:
    path = ws.save(Note(text="v1"), "n")
    path.chmod(0o640)
    ws.save(Note(text="v2"), "n")
    assert path.stat().st_mode & 0o777 == 0o640


# -- damaged files ---------------------------------------------------------------------------------

DAMAGED = {
    "truncated JSON": (b'{"kind": "plan", "schema_ver', "not valid JSON"),
    "empty": (b" \n", "it is empty"),
    "not UTF-8": (b'{"kind": "\xff"}', "not UTF-8"),
    "a list": (b"[1, 2]", "JSON list"),
    "no data": (b'{"kind": "plan", "schema_version": 1}', "data missing"),
    "bad version": (b'{"kind": "plan", "schema_version": "2", "data": {}}', "'2'"),
    "wrong kind": (b'{"kind": "note", "schema_version": 1, "data": {"text": "x"}}', "'note'"),
    "bad field": (
        b'{"kind": "plan", "schema_version": 1, "data": {"title": "t", '
        b'"steps": [{"owner": "a", "weeks": 1}, {"owner": "b", "weeks": "soon"}]}}',
        "field 'steps[1].weeks': Input should be a valid integer",
    ),
    "unknown field": (
        b'{"kind": "plan", "schema_version": 1, "data": {"title": "t", "colour": "red"}}',
        "field 'colour': Extra inputs are not permitted",
    ),
}


@pytest.mark.parametrize("case", list(DAMAGED))
def test_damaged_file_is_reported_and_left_byte_identical(ws: Workspace, case: str) -> None:
    content, problem = DAMAGED[case]
    ws.save(Plan(title="good"), "q3")
    ws.save(Plan(title="better"), "q3")
    path = ws.path_for(Plan, "q3")
    path.write_bytes(content)
    listing = _files(path.parent)
    with pytest.raises(CorruptArtefactError) as info:
        ws.load(Plan, "q3")
    err = info.value
    assert str(path) in err.message
    assert problem in err.message
    assert "errors.pydantic.dev" not in str(err) and "Traceback" not in str(err)
    backup = ws.backup_path_for(Plan, "q3")
    assert str(backup) in err.hint
    assert "restore_backup(Plan, 'q3')" in err.hint
    assert err.path == str(path) and err.backup_path == str(backup)
    assert path.read_bytes() == content
    assert _files(path.parent) == listing


def test_damaged_file_without_backup_says_so(ws: Workspace) -> None:
    path = ws.save(Note(text="x"), "n")
    path.write_text("oops", encoding="utf-8")
    with pytest.raises(CorruptArtefactError) as info:
        ws.load(Note, "n")
    assert "line 1, column 1" in info.value.message
    assert "No backup exists" in info.value.hint
    assert info.value.backup_path is None


def test_file_saved_with_a_bom_still_loads(ws: Workspace) -> None:
    path = ws.save(Note(text="é"), "n")
    path.write_bytes(b"\xef\xbb\xbf" + path.read_bytes())
    assert ws.load(Note, "n").text == "é"


def test_restore_backup_brings_back_the_previous_save_and_keeps_the_damaged_file(ws) -> None:
    ws.save(Note(text="good"), "n")
    path = ws.save(Note(text="newer"), "n")
    path.write_bytes(b"garbage")
    assert ws.restore_backup(Note, "n") == path
    assert ws.load(Note, "n").text == "good"
    aside = [p for p in path.parent.iterdir() if p.name.startswith("n.json.corrupt-")]
    assert len(aside) == 1 and aside[0].read_bytes() == b"garbage"
    assert ws.backup_path_for(Note, "n").exists()
    assert ws.names(Note) == ["n"]


def test_restore_backup_over_a_good_file_labels_it_replaced(ws: Workspace) -> None:
    ws.save(Note(text="one"), "n")
    path = ws.save(Note(text="two"), "n")
    ws.restore_backup(Note, "n")
    assert ws.load(Note, "n").text == "one"
    aside = [p for p in path.parent.iterdir() if ".replaced-" in p.name]
    assert len(aside) == 1 and json.loads(aside[0].read_bytes())["data"]["text"] == "two"


def test_restore_backup_refuses_a_missing_or_damaged_backup(ws: Workspace) -> None:
    path = ws.save(Note(text="one"), "n")
    with pytest.raises(WorkspaceError, match="no backup"):
        ws.restore_backup(Note, "n")
    ws.save(Note(text="two"), "n")
    backup = ws.backup_path_for(Note, "n")
    backup.write_bytes(b"{")
    current = path.read_bytes()
    with pytest.raises(CorruptArtefactError) as info:
        ws.restore_backup(Note, "n")
    assert str(backup) in info.value.message
    assert path.read_bytes() == current and backup.read_bytes() == b"{"
    assert _files(path.parent) == ["n.json", "n.json.bak"]


def test_saving_over_a_damaged_file_keeps_the_good_backup(ws: Workspace) -> None:
    good = ws.save(Note(text="one"), "n").read_bytes()
    ws.save(Note(text="two"), "n")
    path = ws.path_for(Note, "n")
    path.write_bytes(b"half a fi")
    backup = ws.backup_path_for(Note, "n")
    good_backup = backup.read_bytes()
    ws.save(Note(text="three"), "n")
    assert ws.load(Note, "n").text == "three"
    assert backup.read_bytes() == good_backup == good
    aside = [p for p in path.parent.iterdir() if ".corrupt-" in p.name]
    assert len(aside) == 1 and aside[0].read_bytes() == b"half a fi"


# -- schema versions -------------------------------------------------------------------------------


def test_newer_schema_version_is_refused_with_upgrade_hint(ws: Workspace) -> None:
    path = ws.save(ContactV2(first="Ada", last="Lovelace"), "ada")
    content = path.read_bytes()
    with pytest.raises(SchemaVersionError) as info:
        ws.load(ContactV1, "ada")
    err = info.value
    assert str(path) in err.message
    assert "schema version 2" in err.message and "up to version 1" in err.message
    assert f"salesops-nb {salesops_nb.__version__}" in err.message
    assert "pip install --upgrade salesops-nb" in err.hint
    assert (err.found_version, err.supported_version) == (2, 1)
    assert path.read_bytes() == content


def test_older_file_is_migrated_on_load_and_upgraded_on_next_save(ws: Workspace) -> None:
    path = ws.save(ContactV1(name="Ada Lovelace"), "ada")
    v1_bytes = path.read_bytes()
    loaded = ws.load(ContactV2, "ada")
    assert (loaded.first, loaded.last) == ("Ada", "Lovelace")
    assert path.read_bytes() == v1_bytes  # loading never rewrites
    ws.save(loaded, "ada")
    assert json.loads(path.read_bytes())["schema_version"] == 2
    assert ws.backup_path_for(ContactV2, "ada").read_bytes() == v1_bytes


def test_missing_migration_step_is_a_schema_version_error(ws: Workspace) -> None:
    ws.save(ContactV1(name="Ada Lovelace"), "ada")
    with pytest.raises(SchemaVersionError) as info:
        ws.load(ContactV3NoStepFrom1, "ada")
    assert "no migration from version 1 to 2" in info.value.message
    assert info.value.found_version == 1 and info.value.supported_version == 3


def test_failing_migration_is_reported_not_raised_raw(ws: Workspace) -> None:
    path = ws.save(ContactV1(name="Ada"), "ada")
    with pytest.raises(SchemaVersionError) as info:
        ws.load(ContactV2Broken, "ada")
    assert "from schema version 1 to 2" in info.value.message
    assert "KeyError" in info.value.message
    assert isinstance(info.value.__cause__, KeyError)
    assert json.loads(path.read_bytes())["data"] == {"name": "Ada"}


def test_artefact_declarations_are_checked_when_the_class_is_defined() -> None:
    with pytest.raises(TypeError, match="kind"):

        class BadKind(Artefact):
            kind = "Plan/../x"

    with pytest.raises(TypeError, match="migrations"):

        class MigrationBeyondVersion(Artefact):
            kind = "x"
            schema_version = 2
            migrations: ClassVar[Migrations] = {2: _add_email}


def test_model_without_kind_cannot_be_saved(ws: Workspace) -> None:
    class Abstract(Artefact):
        value: int = 1

    with pytest.raises(TypeError, match="kind"):
        ws.save(Abstract(), "a")


# -- names and folders -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "problem"),
    [
        ("", "empty"),
        ("   ", "empty"),
        ("a/b", "path separator"),
        ("..\\evil", "path separator"),
        ("..", "'..'"),
        ("a..b", "'..'"),
        (".hidden", "start with a letter or digit"),
        ("plan.", "start with a letter or digit"),
        ("plan ", "start with a letter or digit"),
        ("q3.json", "without the extension ('q3')"),
        ("a*b?", "'*', '?'"),
        ("Région", "'é'"),
        ("x" * 101, "101 characters"),
        ("CON", "Windows reserves"),
        ("nul.backup", "Windows reserves"),
        (None, "must be text"),
    ],
)
def test_bad_names_are_refused_with_a_hint(ws: Workspace, name, problem: str) -> None:
    with pytest.raises(WorkspaceError) as info:
        ws.save(Note(text="x"), name)
    assert problem in info.value.message
    assert "e.g. 'q3-west-plan'" in info.value.hint
    assert not ws.root.exists()


@pytest.mark.parametrize("name", ["q3", "Q3 west plan", "v1.2", "a_b-c", "2026-Q1", "x" * 100])
def test_good_names_are_accepted(name: str) -> None:
    assert check_name(name) == name


def test_root_that_is_a_file_is_a_clear_error(tmp_path: Path) -> None:
    root = tmp_path / "notes.txt"
    root.write_text("hello", encoding="utf-8")
    with pytest.raises(WorkspaceError) as info:
        Workspace(root)
    assert str(root) in info.value.message and "is a file" in info.value.message
    assert info.value.hint


def test_missing_artefact_lists_the_saved_names(ws: Workspace) -> None:
    for name in ("q3-west", "q3-east", "q4"):
        ws.save(Note(text=name), name)
    with pytest.raises(WorkspaceError) as info:
        ws.load(Note, "q3-wset")
    assert "No note artefact named 'q3-wset'" in info.value.message
    assert "'q3-east', 'q3-west', 'q4'" in info.value.hint
    assert "Did you mean 'q3-west'?" in info.value.hint
    assert type(info.value) is WorkspaceError


def test_missing_artefact_in_an_empty_workspace(ws: Workspace) -> None:
    with pytest.raises(WorkspaceError) as info:
        ws.load(Plan, "q3")
    assert "No plan artefact is saved" in info.value.hint
    assert not ws.root.exists()


# -- listing and deleting --------------------------------------------------------------------------


def test_listing_describes_every_artefact_and_skips_side_files(ws: Workspace) -> None:
    ws.save(PLAN, "q3")
    ws.save(PLAN, "q3")  # makes a backup, which is not listed
    ws.save(Note(text="a"), "b-note")
    ws.save(ContactV1(name="Ada"), "ada")
    broken = ws.save(Note(text="a"), "a-note")
    broken.write_bytes(b"nope")
    (ws.root / "note" / ".n.json.1234abcd.tmp").write_bytes(b"{}")
    (ws.root / ".ipynb_checkpoints").mkdir()
    infos = ws.list()
    assert [(i.kind, i.name) for i in infos] == [
        ("contact", "ada"),
        ("note", "a-note"),
        ("note", "b-note"),
        ("plan", "q3"),
    ]
    assert all(isinstance(i, ArtefactInfo) for i in infos)
    plan = infos[3]
    assert plan.path == ws.path_for(Plan, "q3") and plan.schema_version == 1
    assert plan.saved_at is not None and plan.saved_at.tzinfo is not None and plan.problem is None
    assert infos[1].saved_at is None and "not valid JSON" in infos[1].problem
    assert ws.names(Note) == ["a-note", "b-note"]
    assert ws.names(Plan) == ["q3"]


def test_empty_workspace_lists_nothing(ws: Workspace) -> None:
    assert ws.list() == [] and ws.names(Plan) == []


def test_delete_keeps_the_last_version_restorable(ws: Workspace) -> None:
    ws.save(Note(text="keep me"), "n")
    ws.delete(Note, "n")
    assert ws.names(Note) == []
    with pytest.raises(WorkspaceError) as info:
        ws.load(Note, "n")
    assert "restore_backup(Note, 'n')" in info.value.hint
    ws.restore_backup(Note, "n")
    assert ws.load(Note, "n").text == "keep me"
    with pytest.raises(WorkspaceError, match="No note artefact named 'gone'"):
        ws.delete(Note, "gone")


# -- errors cross process boundaries ---------------------------------------------------------------


def test_raised_errors_pickle_with_their_hint_and_fields(ws: Workspace) -> None:
    raised = []
    with pytest.raises(WorkspaceError) as missing:
        ws.load(Note, "absent")
    raised.append(missing.value)
    ws.save(Note(text="a"), "n")
    path = ws.save(Note(text="b"), "n")
    path.write_bytes(b"{")
    with pytest.raises(CorruptArtefactError) as corrupt:
        ws.load(Note, "n")
    raised.append(corrupt.value)
    ws.save(ContactV2(first="A", last="B"), "c")
    with pytest.raises(SchemaVersionError) as newer:
        ws.load(ContactV1, "c")
    raised.append(newer.value)
    for err in raised:
        copy = pickle.loads(pickle.dumps(err))
        assert type(copy) is type(err)
        assert copy.hint == err.hint and copy.hint
        assert str(copy) == str(err)
        assert copy.__dict__ == err.__dict__
    assert pickle.loads(pickle.dumps(newer.value)).found_version == 2


def test_locate_splits_an_artefact_path_into_workspace_and_name(tmp_path):
    from salesops_nb.workspace import locate

    class Memo(Artefact):
        kind = "memo"
        text: str

    ws, name = locate(tmp_path / "ws" / "memo" / "q3 plan.json", Memo)
    assert (ws.root, name) == ((tmp_path / "ws").absolute(), "q3 plan")
    ws.save(Memo(text="hi"), name)
    assert (tmp_path / "ws" / "memo" / "q3 plan.json").is_file()
    with pytest.raises(WorkspaceError, match=r"expected <workspace>/memo/<name>\.json"):
        locate(tmp_path / "elsewhere" / "q3.json", Memo)
