"""What an artefact is: the pydantic base class of everything saved, and the rules for its names.

Segmentation specs, charters, installment plans and 5-Why trees derive from :class:`Artefact`;
:mod:`salesops_nb.workspace` saves them. A class declares its ``kind`` (its folder in a
workspace), its ``schema_version`` and the ``migrations`` that bring older files up to date;
mistakes in those declarations fail when the class is defined, not when a user first saves.
Artefact names are kept to portable ASCII so a workspace copied between Windows, macOS and
Linux (or shared through git) keeps every file reachable.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any, ClassVar

import pydantic
from pydantic import ConfigDict

from salesops_nb.errors import WorkspaceError

__all__ = ["Artefact", "Migrations", "check_name", "is_valid_name", "kind_of"]

SUFFIX = ".json"
_NAME_CHARS = re.compile(r"[A-Za-z0-9 ._-]")
_NAME_SHAPE = re.compile(r"[A-Za-z0-9](?:[A-Za-z0-9 ._-]*[A-Za-z0-9_-])?")
_NAME_MAX = 100
_KIND_SHAPE = re.compile(r"[a-z][a-z0-9_]*")
# Names Windows refuses as file names whatever the extension; workspaces travel between machines.
_RESERVED = {"con", "prn", "aux", "nul"} | {f"{p}{i}" for p in ("com", "lpt") for i in range(1, 10)}
_NAME_HINT = (
    "Use letters, digits, spaces, '-', '_' and '.', starting with a letter or digit and ending "
    f"with a letter, digit, '-' or '_' (at most {_NAME_MAX} characters), e.g. 'q3-west-plan'."
)

#: ``{n: step}``: each step turns the ``data`` dict of version ``n`` into version ``n + 1``.
Migrations = Mapping[int, Callable[[dict[str, Any]], dict[str, Any]]]


class Artefact(pydantic.BaseModel):
    """Base class of everything saved in a workspace.

    Subclasses set ``kind`` (a lowercase word used as the sub-folder and recorded in the file) and,
    when their fields change incompatibly, raise ``schema_version`` and register a migration that
    turns the ``data`` of version ``n`` into version ``n + 1``. Annotate ``migrations`` with
    ``ClassVar[Migrations]`` in the subclass too: linters do not see that a pydantic model's
    subclass keeps it a class constant (ruff's RUF012 only knows direct BaseModel subclasses).

    Examples
    --------
    >>> def _split_name(data):
    ...     first, _, last = data.pop("name").partition(" ")
    ...     return {**data, "first": first, "last": last}
    >>> class Rep(Artefact):
    ...     kind = "rep"
    ...     schema_version = 2
    ...     migrations: ClassVar[Migrations] = {1: _split_name}
    ...     first: str
    ...     last: str
    """

    kind: ClassVar[str]
    schema_version: ClassVar[int] = 1
    migrations: ClassVar[Migrations] = {}

    model_config = ConfigDict(extra="forbid")

    @classmethod
    def __pydantic_init_subclass__(cls, **kwargs: Any) -> None:
        # A wrong declaration is a programming mistake: fail when the class is defined, not when a
        # user first saves. Intermediate base classes may leave `kind` unset.
        super().__pydantic_init_subclass__(**kwargs)
        kind = getattr(cls, "kind", None)
        if kind is not None:
            _check_kind(kind, cls.__name__)
        version = cls.schema_version
        if not isinstance(version, int) or isinstance(version, bool) or version < 1:
            raise TypeError(f"{cls.__name__}.schema_version must be an int >= 1, not {version!r}")
        for step, migrate in cls.migrations.items():
            if not isinstance(step, int) or not 1 <= step < version or not callable(migrate):
                raise TypeError(
                    f"{cls.__name__}.migrations must map versions 1..{version - 1} to callables "
                    f"(version n -> n + 1); got {step!r}: {migrate!r}"
                )


def check_name(name: str) -> str:
    """Return ``name`` if it can name an artefact file, else raise WorkspaceError saying why.

    Names are kept to portable ASCII so a workspace copied between Windows, macOS and Linux (or
    shared through git) keeps every file reachable.
    """
    if not isinstance(name, str):
        raise WorkspaceError(
            f"An artefact name must be text, not {type(name).__name__}.", hint=_NAME_HINT
        )
    problem = _name_problem(name)
    if problem:
        raise WorkspaceError(f"{name!r} is not a valid artefact name: {problem}.", hint=_NAME_HINT)
    return name


def _name_problem(name: str) -> str | None:
    if not name.strip():
        return "it is empty"
    if "/" in name or "\\" in name:
        return "it contains a path separator; artefacts are stored flat inside their kind's folder"
    if ".." in name:
        return "it contains '..'"
    if len(name) > _NAME_MAX:
        return f"it has {len(name)} characters, more than {_NAME_MAX}"
    if name.lower().endswith(SUFFIX):
        return f"it ends in {SUFFIX}; give the name without the extension ({name[:-5]!r})"
    bad = sorted({c for c in name if not _NAME_CHARS.fullmatch(c)})
    if bad:
        return f"it contains {', '.join(repr(c) for c in bad)}"
    if not _NAME_SHAPE.fullmatch(name):
        return "it must start with a letter or digit and not end with a space or '.'"
    if name.split(".")[0].strip().lower() in _RESERVED:
        return "Windows reserves that name for a device"
    return None


def _check_kind(kind: object, owner: str) -> None:
    if not isinstance(kind, str) or not _KIND_SHAPE.fullmatch(kind):
        raise TypeError(
            f"{owner}.kind must be a lowercase word (letters, digits, '_'), not {kind!r}"
        )


def kind_of(model: type[Artefact] | Artefact) -> str:
    """The ``kind`` of an Artefact class or instance (TypeError for anything else)."""
    cls = model if isinstance(model, type) else type(model)
    if not issubclass(cls, Artefact):
        raise TypeError(f"{cls.__name__} is not an Artefact subclass")
    kind = getattr(cls, "kind", None)
    if kind is None:
        raise TypeError(f"{cls.__name__} has no `kind`; set kind = '...' on the class")
    return kind


def is_valid_name(name: str) -> bool:
    try:
        check_name(name)
    except WorkspaceError:
        return False
    return True
