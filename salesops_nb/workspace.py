"""The workspace: every artefact a user builds, saved as a versioned JSON file.

Segmentation specs, charters, installment plans and 5-Why trees are pydantic models deriving from
:class:`~salesops_nb.artefact.Artefact`. A :class:`Workspace` keeps each one at
``<root>/<kind>/<name>.json``; that file is the contract between the widgets (which autosave to
it) and headless reports (which read it). Each file is a JSON envelope (kind, schema_version,
saved_at, salesops_nb version, data); the format lives in ``_envelope``, the durable writes in
``_atomic``.

Guarantees:

- A save is atomic and durable (temp file, fsync, rename, folder fsync); a failed save leaves the
  previous file and its backup as they were. The previous version is kept as ``<name>.json.bak``.
- A load never writes: a damaged file is reported (file, problem, backup, how to restore) and left
  byte for byte as it was. :meth:`Workspace.restore_backup` puts the backup back.
- Two writers cannot silently lose each other's work: every file carries a ``revision`` that each
  save increments. A Workspace remembers the revision it last loaded or saved of each artefact
  (and that an artefact it looked for was absent); a save over a newer revision raises
  :class:`~salesops_nb.errors.ConflictError` and writes nothing. Resolve by loading again, by
  :meth:`Workspace.save_as` under another name, or by ``save(..., force=True)`` (the other version
  then becomes the backup). A Workspace that has neither loaded nor saved an artefact replaces it
  as before. The check and the write happen under a lock on the kind's folder (where the
  platform has ``fcntl``).
- Files written by older releases are migrated step by step through ``Artefact.migrations``; files
  from a newer release are refused with a :class:`~salesops_nb.errors.SchemaVersionError`.

Example
-------
>>> class Note(Artefact):
...     kind = "note"
...     text: str
>>> ws = Workspace(tmp)                                      # doctest: +SKIP
>>> ws.save(Note(text="hello"), "first")                     # doctest: +SKIP
>>> ws.load(Note, "first").text                              # doctest: +SKIP
'hello'
"""

from __future__ import annotations

import builtins
import contextlib
import difflib
import os
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import TypeVar

from salesops_nb import _atomic, _envelope
from salesops_nb.artefact import SUFFIX as _SUFFIX
from salesops_nb.artefact import Artefact, check_name, is_valid_name, kind_of
from salesops_nb.errors import ConflictError, WorkspaceError

try:  # POSIX; elsewhere the revision check still runs, only without the lock around it
    import fcntl
except ImportError:  # pragma: no cover - Windows
    fcntl = None  # type: ignore[assignment]

__all__ = ["DEFAULT_ROOT", "ArtefactInfo", "Workspace", "locate"]

DEFAULT_ROOT = "salesops-workspace"
_BACKUP_SUFFIX = ".json.bak"
_ABSENT = 0  # the remembered revision of an artefact this workspace found missing

A = TypeVar("A", bound=Artefact)


@dataclass(frozen=True)
class ArtefactInfo:
    """One saved artefact as :meth:`Workspace.list` sees it (read from the file's envelope).

    ``saved_at`` and ``schema_version`` are None and ``problem`` says why when the file cannot be
    read as an envelope; the full check happens on :meth:`Workspace.load`.
    """

    kind: str
    name: str
    path: Path
    saved_at: datetime | None
    schema_version: int | None
    problem: str | None = None


class Workspace:
    """A folder of artefacts, one sub-folder per kind.

    Parameters
    ----------
    root
        The workspace folder, created on the first save. Relative paths are taken from the current
        folder at construction time, so a later ``os.chdir`` does not move the workspace.

    Raises
    ------
    WorkspaceError
        If ``root`` exists and is not a folder.
    """

    def __init__(self, root: str | os.PathLike[str] = DEFAULT_ROOT) -> None:
        self.root = Path(root).expanduser().absolute()
        if self.root.exists() and not self.root.is_dir():
            raise WorkspaceError(
                f"The workspace {self.root} is a file, not a folder.",
                hint="Pass the folder that should hold the artefacts, e.g. "
                f"Workspace({str(self.root.parent / DEFAULT_ROOT)!r}).",
            )
        # (kind, name) -> revision last loaded or saved here; what a save is compared against.
        self._revisions: dict[tuple[str, str], int] = {}

    def __repr__(self) -> str:
        return f"Workspace({str(self.root)!r})"

    # -- where things live ------------------------------------------------------------------------

    def path_for(self, model: type[Artefact] | Artefact, name: str) -> Path:
        """Return the file of artefact ``name`` of ``model``'s kind: ``<root>/<kind>/<name>.json``.

        Raises
        ------
        WorkspaceError
            If ``name`` is not a valid artefact name.
        """
        return self.root / kind_of(model) / f"{check_name(name)}{_SUFFIX}"

    def backup_path_for(self, model: type[Artefact] | Artefact, name: str) -> Path:
        """Return the backup file holding the previous save: ``<root>/<kind>/<name>.json.bak``."""
        return self.root / kind_of(model) / f"{check_name(name)}{_BACKUP_SUFFIX}"

    def exists(self, model: type[Artefact] | Artefact, name: str) -> bool:
        """Tell whether an artefact ``name`` of ``model``'s kind is saved.

        A ``False`` is remembered like a failed load: a file another writer creates afterwards
        makes this workspace's next save of ``name`` a conflict.
        """
        found = self.path_for(model, name).is_file()
        if not found:
            self._revisions.setdefault((kind_of(model), name), _ABSENT)
        return found

    def names(self, model: type[Artefact] | Artefact) -> builtins.list[str]:
        """Return the sorted names of the saved artefacts of ``model``'s kind."""
        return _names_in(self.root / kind_of(model))

    def list(self) -> builtins.list[ArtefactInfo]:
        """Describe every artefact in the workspace, sorted by kind then name.

        Only the envelope is read; a file that cannot be read is listed with its ``problem``.
        """
        if not self.root.is_dir():
            return []
        infos = []
        for folder in sorted(self.root.iterdir()):
            if not folder.is_dir() or folder.name.startswith("."):
                continue
            for name in _names_in(folder):
                path = folder / f"{name}{_SUFFIX}"
                header, problem = _envelope.read_header(path)
                infos.append(_info(folder.name, name, path, header, problem))
        return infos

    # -- save and load ----------------------------------------------------------------------------

    def save(self, artefact: Artefact, name: str, *, force: bool = False) -> Path:
        """Save ``artefact`` as ``name``, atomically, keeping the previous version as a backup.

        Parameters
        ----------
        artefact
            The model to save. It is checked to load back before anything is written.
        name
            Letters, digits, spaces, ``-``, ``_`` and ``.``; e.g. ``"q3-west"``.
        force
            Save even over a newer revision written by someone else (it becomes the backup).

        Returns
        -------
        Path
            The file written.

        Raises
        ------
        ConflictError
            The file on disk is a newer revision than the one this workspace loaded or saved
            (another notebook saved it meanwhile). Nothing was written.
        WorkspaceError
            Bad name, an artefact that cannot be serialised, or a folder that cannot be written.
            In every case the existing file and its backup are left as they were.
        """
        if not isinstance(artefact, Artefact):
            raise TypeError(f"save() takes an Artefact, not {type(artefact).__name__}")
        path = self.path_for(artefact, name)
        key = (artefact.kind, name)
        _envelope.encode(artefact, name)  # refuse an unsaveable artefact before taking the lock
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with _locked(path):
                current = _revision_on_disk(path)
                known = self._revisions.get(key)
                if not force and known is not None and current is not None and current > known:
                    raise self._conflict(artefact, name, path, known, current)
                revision = max(current or 0, known or 0) + 1
                payload = _envelope.encode(artefact, name, revision)
                # Write the new content first: a full disk or a crash here touches nothing else.
                temp = _atomic.write_temp(path, payload)
                try:
                    self._keep_previous(path)
                except BaseException:
                    _atomic.discard(temp)
                    raise
                _atomic.replace_durably(temp, path)
        except OSError as err:
            raise WorkspaceError(
                f"Could not save {artefact.kind} '{name}' to {path}: {err.strerror or err}.",
                hint="Check that the workspace folder is writable, the disk is not full and no "
                "other program holds the file open. The previous version, if any, is unchanged.",
            ) from err
        self._revisions[key] = revision
        return path

    def save_as(self, artefact: Artefact, name: str) -> Path:
        """Save ``artefact`` under a new ``name``; the way out of a :class:`ConflictError`.

        Raises
        ------
        WorkspaceError
            An artefact of that kind is already saved as ``name`` (pick another name, or
            ``save(..., force=True)`` to replace it).
        """
        if self.exists(artefact, name):
            raise WorkspaceError(
                f"A {artefact.kind} artefact named '{name}' already exists in "
                f"{self.root / artefact.kind}; save_as never replaces one.",
                hint=f"Pick a name not in {self.names(artefact)}, or replace it on purpose with "
                f"save(artefact, {name!r}, force=True).",
            )
        return self.save(artefact, name, force=True)

    def revision(self, model: type[Artefact] | Artefact, name: str) -> int | None:
        """The revision this workspace last loaded or saved of ``name`` (None if neither)."""
        return self._revisions.get((kind_of(model), check_name(name)))

    def load(self, model: type[A], name: str) -> A:
        """Load artefact ``name`` as a ``model``, migrating files written by older releases.

        The file is only read: whatever is wrong with it, it is left as it was.

        Raises
        ------
        WorkspaceError
            No such artefact (the message lists the saved names) or a bad name.
        CorruptArtefactError
            The file is not JSON, not an artefact envelope, of another kind, or its data does not
            fit the model (field paths and messages given). The hint names the backup, if any.
        SchemaVersionError
            The file was written by a newer release, or no migration exists from its version.
        """
        path = self.path_for(model, name)
        key = (kind_of(model), name)
        if not path.is_file():
            # Remember the absence: a file another writer creates meanwhile is then a conflict.
            self._revisions.setdefault(key, _ABSENT)
            raise self._missing(model, name, path)
        backup = self.backup_path_for(model, name)
        artefact, revision = _envelope.load_with_revision(
            model, path, self._restore_hint(model, name, path), backup
        )
        self._revisions[key] = revision
        return artefact

    def delete(self, model: type[Artefact] | Artefact, name: str) -> None:
        """Delete artefact ``name``; its last version becomes the backup, so it can be restored."""
        path = self.path_for(model, name)
        if not path.is_file():
            raise self._missing(model, name, path)
        try:
            os.replace(path, self.backup_path_for(model, name))
            _atomic.fsync_dir(path.parent)
            self._revisions[(kind_of(model), name)] = _ABSENT
        except OSError as err:
            raise WorkspaceError(
                f"Could not delete {path}: {err.strerror or err}.",
                hint="Check that the workspace folder is writable and the file is not open "
                "elsewhere.",
            ) from err

    def restore_backup(self, model: type[Artefact] | Artefact, name: str) -> Path:
        """Put the backup of artefact ``name`` back in place of the current file.

        The current file, if any, is kept aside as ``<name>.json.corrupt-<UTC time>`` when it does
        not load (``.replaced-<UTC time>`` when it does), so nothing is lost. The backup must load.

        Returns
        -------
        Path
            The restored artefact file.
        """
        model = model if isinstance(model, type) else type(model)
        path = self.path_for(model, name)
        backup = self.backup_path_for(model, name)
        if not backup.is_file():
            raise WorkspaceError(
                f"There is no backup of {model.kind} '{name}' to restore: {backup} does not exist.",
                hint="A backup appears after the second save of an artefact, or after deleting it.",
            )
        no_further_backup = f"{backup} is the only backup; fix it by hand or rebuild the artefact."
        _envelope.load_file(model, backup, no_further_backup)
        try:
            if path.exists():
                label = "replaced" if _envelope.is_loadable(model, path) else "corrupt"
                _atomic.atomic_write_bytes(_aside_path(path, label), path.read_bytes())
            _atomic.atomic_write_bytes(path, backup.read_bytes())
            self._revisions[(model.kind, name)] = _revision_on_disk(path) or 0
        except OSError as err:
            raise WorkspaceError(
                f"Could not restore {backup} to {path}: {err.strerror or err}.",
                hint="Check that the workspace folder is writable and the disk is not full.",
            ) from err
        return path

    # -- helpers ----------------------------------------------------------------------------------

    def _keep_previous(self, path: Path) -> None:
        if not path.is_file():
            return
        previous = path.read_bytes()
        _, problem = _envelope.parse_header(previous)
        if problem is None:
            target = path.with_name(path.name[: -len(_SUFFIX)] + _BACKUP_SUFFIX)
        else:
            # A damaged file must not push the last good version out of the backup slot.
            target = _aside_path(path, "corrupt")
        _atomic.atomic_write_bytes(target, previous)

    def _conflict(
        self, artefact: Artefact, name: str, path: Path, known: int, current: int
    ) -> ConflictError:
        model = type(artefact).__name__
        seen = "found it missing" if known == _ABSENT else f"loaded revision {known}"
        return ConflictError(
            f"{artefact.kind} '{name}' was saved by someone else since this workspace {seen}: "
            f"{path} is now at revision {current}. Your changes were NOT saved, and the other "
            "version was not overwritten.",
            hint=f"Reload it with Workspace({str(self.root)!r}).load({model}, {name!r}) and "
            f"redo your change, keep yours under another name with save_as(artefact, "
            f"'{name}-mine'), or replace theirs with save(artefact, {name!r}, force=True) "
            "(theirs then becomes the backup).",
            path=str(path),
            loaded_revision=known,
            current_revision=current,
        )

    def _missing(self, model: type[Artefact] | Artefact, name: str, path: Path) -> WorkspaceError:
        kind = kind_of(model)
        existing = _names_in(path.parent)
        message = f"No {kind} artefact named '{name}' in {path.parent}."
        if existing:
            shown = ", ".join(repr(n) for n in existing[:20])
            more = f" and {len(existing) - 20} more" if len(existing) > 20 else ""
            hint = f"Saved {kind} artefacts: {shown}{more}."
            close = difflib.get_close_matches(name, existing, n=1)
            if close:
                hint += f" Did you mean {close[0]!r}?"
        else:
            hint = f"No {kind} artefact is saved in this workspace yet; check the workspace folder."
        if path.with_name(f"{name}{_BACKUP_SUFFIX}").is_file():
            hint += (
                f" A backup of '{name}' exists: {self._restore_call(model, name)} brings it back."
            )
        return WorkspaceError(message, hint=hint)

    def _restore_call(self, model: type[Artefact] | Artefact, name: str) -> str:
        model_name = (model if isinstance(model, type) else type(model)).__name__
        return f"Workspace({str(self.root)!r}).restore_backup({model_name}, {name!r})"

    def _restore_hint(self, model: type[Artefact], name: str, path: Path) -> str:
        backup = self.backup_path_for(model, name)
        if backup.is_file():
            return (
                f"The previous save is kept in {backup}. Restore it with "
                f"{self._restore_call(model, name)} (the damaged file is kept aside), "
                f"or copy it over {path.name} by hand."
            )
        return f"No backup exists; fix {path} by hand, or delete it and save the artefact again."


def locate(path: str | os.PathLike[str], model: type[Artefact]) -> tuple[Workspace, str]:
    """Split an artefact file path ``<root>/<kind>/<name>.json`` into its workspace and name.

    Widgets and templates take one ``path`` argument; this keeps every read and write going
    through the same :class:`Workspace` (atomic saves, backups, versioned envelopes).

    >>> ws, name = locate("salesops-workspace/charter/main.json", Charter)  # doctest: +SKIP
    >>> name
    'main'
    """
    kind = kind_of(model)
    file = Path(path).expanduser()
    expected = f"<workspace>/{kind}/<name>{_SUFFIX}"
    if file.suffix != _SUFFIX or file.parent.name != kind:
        raise WorkspaceError(
            f"{str(file)!r} is not where a {kind} artefact lives: expected {expected}.",
            hint=f"Use a path such as {str(Path(DEFAULT_ROOT) / kind / ('main' + _SUFFIX))!r}.",
        )
    return Workspace(file.parent.parent), check_name(file.stem)


def _names_in(folder: Path) -> builtins.list[str]:
    if not folder.is_dir():
        return []
    names = []
    for path in folder.iterdir():
        stem = path.name[: -len(_SUFFIX)]
        if path.name.endswith(_SUFFIX) and path.is_file() and is_valid_name(stem):
            names.append(stem)
    return sorted(names)


def _info(kind: str, name: str, path: Path, header: dict | None, problem: str | None):
    if header is None:
        return ArtefactInfo(kind, name, path, None, None, problem)
    try:
        saved_at = datetime.fromisoformat(str(header.get("saved_at")))
    except ValueError:
        saved_at = None
    return ArtefactInfo(kind, name, path, saved_at, header["schema_version"])


@contextlib.contextmanager
def _locked(path: Path):
    """Hold an exclusive lock on the kind's folder of ``path`` (released if we are killed).

    Locking the folder itself leaves no lock file among the user's artefacts.
    """
    if fcntl is None:  # pragma: no cover - Windows
        yield
        return
    fd = os.open(path.parent, os.O_RDONLY | getattr(os, "O_DIRECTORY", 0))
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing drops the lock


def _revision_on_disk(path: Path) -> int | None:
    """The revision of the file at ``path``; None if absent or not readable as an envelope."""
    if not path.is_file():
        return None
    header, _problem = _envelope.read_header(path)
    return None if header is None else _envelope.revision_of(header)


def _aside_path(path: Path, label: str) -> Path:
    stamp = datetime.now(timezone.utc).strftime("%Y%m%dT%H%M%SZ")
    candidate = path.with_name(f"{path.name}.{label}-{stamp}")
    counter = 2
    while candidate.exists():  # two in the same second: never overwrite an earlier one
        candidate = path.with_name(f"{path.name}.{label}-{stamp}-{counter}")
        counter += 1
    return candidate
