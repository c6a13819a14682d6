"""The artefact file format: a JSON envelope around a model's data, and its versioning.

::

    {"kind": "segmentation", "schema_version": 2, "revision": 7,
     "saved_at": "2026-11-14T09:30:00+00:00", "salesops_nb": "0.1.0",
     "data": {...the model's fields...}}

``revision`` counts the saves of this one file (1 for the first); the workspace compares it on save
to catch two writers. Files written before it existed have none and read as revision 0.

Encoding, reading the envelope, migrating old versions and turning pydantic's validation errors into
one readable sentence live here; where files go and how they are written live in ``workspace``.
"""

from __future__ import annotations

import copy
import json
from datetime import datetime, timezone
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

import pydantic
from pydantic_core import PydanticSerializationError

from salesops_nb.errors import (
    CorruptArtefactError,
    SalesOpsError,
    SchemaVersionError,
    WorkspaceError,
)

if TYPE_CHECKING:
    from salesops_nb.artefact import Artefact

__all__ = [
    "PACKAGE_VERSION",
    "describe_validation",
    "encode",
    "is_loadable",
    "load_file",
    "load_with_revision",
    "read_header",
    "revision_of",
]

try:
    PACKAGE_VERSION = metadata.version("salesops-nb")
except metadata.PackageNotFoundError:  # running from a source tree that was never installed
    PACKAGE_VERSION = "unknown"

A = TypeVar("A", bound="Artefact")


def encode(artefact: Artefact, name: str, revision: int = 1) -> bytes:
    """Serialise ``artefact`` into its envelope as UTF-8 JSON, checking that it loads back.

    Raises WorkspaceError (naming ``name``) before anything is written if it cannot.
    """
    model = type(artefact)
    try:
        # No serializer warnings: the round trip below names a bad field more precisely.
        data = artefact.model_dump(mode="json", by_alias=True, warnings=False)
        envelope = {
            "kind": model.kind,
            "schema_version": model.schema_version,
            "revision": revision,
            "saved_at": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "salesops_nb": PACKAGE_VERSION,
            "data": data,
        }
        text = json.dumps(envelope, indent=2, ensure_ascii=False, allow_nan=False) + "\n"
        # What is written must load back, or the user finds out only when the report runs.
        model.model_validate(json.loads(text)["data"])
    except pydantic.ValidationError as err:
        raise WorkspaceError(
            f"{model.__name__} '{name}' would not load back after saving: "
            f"{describe_validation(err)}. Nothing was written.",
            hint="A field was probably set to an invalid value after the artefact was built; "
            "build it again through its constructor so the values are checked.",
        ) from err
    except (PydanticSerializationError, TypeError, ValueError) as err:
        raise WorkspaceError(
            f"{model.__name__} '{name}' cannot be written as JSON: {err}. Nothing was written.",
            hint="Every field must hold JSON-friendly values (text, numbers, dates, lists, "
            "nested models); replace the offending value.",
        ) from err
    return text.encode("utf-8")


def parse_header(raw: bytes) -> tuple[dict[str, Any] | None, str | None]:
    """Return (envelope, None) or (None, what is wrong)."""
    if not raw.strip():
        return None, "it is empty (a save that never finished, or a file emptied by hand)"
    try:
        # utf-8-sig: a file re-saved by Notepad gains a BOM and is otherwise fine.
        doc = json.loads(raw.decode("utf-8-sig"))
    except UnicodeDecodeError as err:
        return None, f"it is not UTF-8 text (bad byte at offset {err.start})"
    except json.JSONDecodeError as err:
        return None, f"it is not valid JSON ({err.msg} at line {err.lineno}, column {err.colno})"
    expected = "a JSON object with kind, schema_version and data"
    if not isinstance(doc, dict):
        return None, f"it holds a JSON {type(doc).__name__}, not {expected}"
    missing = [key for key in ("kind", "schema_version", "data") if key not in doc]
    if missing:
        return None, f"it is not a salesops-nb artefact: {', '.join(missing)} missing"
    version = doc["schema_version"]
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        return None, f"its schema_version {version!r} is not a whole number >= 1"
    if not isinstance(doc["data"], dict):
        return None, f"its data is a JSON {type(doc['data']).__name__}, not an object"
    revision = doc.get("revision", 0)
    if not isinstance(revision, int) or isinstance(revision, bool) or revision < 0:
        return None, f"its revision {revision!r} is not a whole number >= 0"
    return doc, None


def revision_of(doc: dict[str, Any]) -> int:
    """The revision of a parsed envelope; 0 for files written before revisions existed."""
    return int(doc.get("revision", 0))


def read_header(path: Path) -> tuple[dict[str, Any] | None, str | None]:
    """Like :func:`parse_header` for a file; an unreadable file is a problem, not an error."""
    try:
        raw = path.read_bytes()
    except OSError as err:
        return None, f"it cannot be read ({err.strerror or err})"
    return parse_header(raw)


def load_file(model: type[A], path: Path, restore_hint: str, backup: Path | None = None) -> A:
    """Read, check, migrate and validate one artefact file; never writes.

    ``restore_hint`` ends the hint of every CorruptArtefactError; ``backup`` is recorded on it.
    """
    return load_with_revision(model, path, restore_hint, backup)[0]


def load_with_revision(
    model: type[A], path: Path, restore_hint: str, backup: Path | None = None
) -> tuple[A, int]:
    """Like :func:`load_file`, also returning the file's revision (read in the same pass)."""

    def corrupt(problem: str, extra_hint: str = "") -> CorruptArtefactError:
        err = CorruptArtefactError(
            f"The artefact file {path} cannot be loaded: {problem}.",
            hint=f"{extra_hint}{restore_hint}",
        )
        err.path = str(path)
        err.backup_path = str(backup) if backup is not None and backup.is_file() else None
        return err

    kind = model.kind
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise WorkspaceError(
            f"Could not read {path}: {err.strerror or err}.",
            hint="Check that the file is readable by you.",
        ) from err
    doc, problem = parse_header(raw)
    if doc is None:
        raise corrupt(problem or "unknown problem")
    if doc["kind"] != kind:
        raise corrupt(
            f"it holds a {doc['kind']!r} artefact, not {kind!r}",
            extra_hint=f"Was it copied into the wrong folder? It belongs in {doc['kind']}/. ",
        )
    data = _migrate(model, doc, path, restore_hint)
    try:
        return model.model_validate(data), revision_of(doc)
    except pydantic.ValidationError as err:
        raise corrupt(
            f"its data does not fit {model.__name__}: {describe_validation(err)}",
            extra_hint="Fix the fields named above in the file. ",
        ) from err
    except (SalesOpsError, ValueError, TypeError, KeyError, AttributeError) as err:
        # A model's own cross-field check (e.g. a segmentation spec without a catch-all) may
        # raise our domain error, or trip over a value of the wrong type, outside pydantic's
        # wrapping: for a file that is still a damaged artefact, never a traceback.
        reason = getattr(err, "message", None) or f"{type(err).__name__}: {err}"
        raise corrupt(
            f"its data does not fit {model.__name__}: {reason}",
            extra_hint="Fix the fields named above in the file. ",
        ) from err


def _migrate(
    model: type[Artefact], doc: dict[str, Any], path: Path, restore_hint: str
) -> dict[str, Any]:
    version, target = doc["schema_version"], model.schema_version
    written_by = doc.get("salesops_nb")
    by = f"salesops-nb {written_by}" if written_by else "an unknown release of salesops-nb"
    if version > target:
        err = SchemaVersionError(
            f"{path} has schema version {version} (written by {by}); this "
            f"release ({PACKAGE_VERSION}) reads {model.kind} artefacts up to version {target}.",
            hint="Upgrade salesops-nb to open it: pip install --upgrade salesops-nb. "
            "The file was left unchanged.",
        )
        raise _versioned(err, path, version, target)
    data = copy.deepcopy(doc["data"])  # a migration may edit in place; the caller's doc stays put
    for step in range(version, target):
        migrate = model.migrations.get(step)
        if migrate is None:
            err = SchemaVersionError(
                f"{path} has schema version {version}, and {model.__name__} (version {target}) "
                f"has no migration from version {step} to {step + 1}.",
                hint="Open and save the file with the salesops-nb release that wrote it "
                f"({by}) or a later one that still reads it, then load it here.",
            )
            raise _versioned(err, path, version, target)
        try:
            data = migrate(data)
            if not isinstance(data, dict):
                raise TypeError(f"the migration returned {type(data).__name__}, not a dict")
        except Exception as cause:
            err = SchemaVersionError(
                f"{path} could not be migrated from schema version {step} to {step + 1}: "
                f"{type(cause).__name__}: {cause}.",
                hint=f"The file may have been edited by hand. {restore_hint}".strip(),
            )
            raise _versioned(err, path, version, target) from cause
    return data


def _versioned(err: SchemaVersionError, path: Path, found: int, supported: int):
    err.path = str(path)
    err.found_version = found
    err.supported_version = supported
    return err


def is_loadable(model: type[Artefact], path: Path) -> bool:
    """Tell whether ``path`` loads as a ``model`` (used to label a file set aside)."""
    try:
        load_file(model, path, "")
    except WorkspaceError:
        return False
    return True


def describe_validation(err: pydantic.ValidationError, limit: int = 5) -> str:
    """Say which fields failed and why in one line: ``field 'steps[2].owner': Field required``."""
    problems = err.errors(include_url=False)
    parts = [f"field {_format_loc(p['loc'])}: {p['msg']}" for p in problems[:limit]]
    if len(problems) > limit:
        parts.append(f"and {len(problems) - limit} more")
    return "; ".join(parts)


def _format_loc(loc: tuple[int | str, ...]) -> str:
    text = ""
    for part in loc:
        text += f"[{part}]" if isinstance(part, int) else (f".{part}" if text else str(part))
    return f"'{text}'" if text else "(whole artefact)"
