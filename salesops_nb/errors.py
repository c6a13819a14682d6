"""One error tree for every mistake a user can foreseeably make.

Each error carries a ``message`` (what is wrong and where) and a ``hint`` (how to fix it).
``str(err)`` is the one paragraph a user reads; the CLI prints it without a traceback.

The tree::

    SalesOpsError
    ├── DataError                     input data cannot be used
    │   ├── DataFileError             missing, unreadable, empty or wrong kind of file
    │   ├── MissingColumnsError       required columns absent (with close-name suggestions)
    │   ├── ValueParseError           values that cannot be coerced (counts and example rows)
    │   ├── NonNumericFieldError      a numeric banding or metric asked of a text/date column
    │   └── PlanInputError            a backlog or capacity that cannot be planned as given
    │       ├── DuplicateItemError        two items share an id
    │       ├── UnknownDependencyError    an item depends on an id not in the backlog
    │       ├── DependencyCycleError      items wait for each other in a circle
    │       ├── MissingCapacityError      an item loads a group with no capacity set
    │       ├── BoilTheOceanError         an item's load exceeds a group's capacity
    │       └── DeadlineError             a deadline that cannot be met (the blocking chain)
    ├── WorkspaceError                artefact files in the workspace
    │   ├── CorruptArtefactError      a file that is not valid JSON or not a valid artefact
    │   ├── LinkError                 a cross-link whose target is missing or changed
    │   ├── SchemaVersionError        a file written by a newer release
    │   └── ConflictError             a save over a newer revision saved by someone else
    ├── SpecError                     a segmentation spec that cannot work (names the field)
    │   └── TreatmentKeyError         a treatment keyed on a label the segmentation lacks
    ├── CharterError                  a charter edit or export that cannot be made
    ├── WhyEditError                  a 5-Why edit that cannot be made (also a ValueError)
    ├── QuerySyntaxError              an evidence query that cannot be read (also a ValueError)
    ├── SolverUnavailableError        the optional OR-Tools solver is not installed
    ├── TemplateError                 notebook templates and their parameters
    │   ├── UnknownTemplateError      no template by that name
    │   └── ParameterError            unknown parameter or a value of the wrong type
    │       └── EngineError           an unknown dataframe engine, or one not installed
    ├── ReportError                   a headless run failed (names the failing cell)
    └── ServerError                   a request to the JupyterLab server extension
        ├── UnsafePathError           a path outside the server root (HTTP 403)
        ├── UnknownJobError           no report run with that id (HTTP 404)
        └── NotebookExistsError       would overwrite a notebook (HTTP 409)

Errors pickle with all their fields: they cross process boundaries in batch runs.
"""

from __future__ import annotations

__all__ = [
    "BoilTheOceanError",
    "CharterError",
    "ConflictError",
    "CorruptArtefactError",
    "DataError",
    "DataFileError",
    "DeadlineError",
    "DependencyCycleError",
    "DuplicateItemError",
    "EngineError",
    "LinkError",
    "MissingCapacityError",
    "MissingColumnsError",
    "NonNumericFieldError",
    "NotebookExistsError",
    "ParameterError",
    "PlanInputError",
    "QuerySyntaxError",
    "ReportError",
    "SalesOpsError",
    "SchemaVersionError",
    "ServerError",
    "SolverUnavailableError",
    "SpecError",
    "TemplateError",
    "TreatmentKeyError",
    "UnknownDependencyError",
    "UnknownJobError",
    "UnknownTemplateError",
    "UnsafePathError",
    "ValueParseError",
    "WhyEditError",
    "WorkspaceError",
]


class SalesOpsError(Exception):
    """Root of every error salesops-nb raises for a user's mistake.

    Parameters
    ----------
    message
        What is wrong, and where (file, column, rows, field).
    hint
        How to fix it.
    """

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        if self.hint:
            return f"{self.message}\nHint: {self.hint}"
        return self.message

    def __reduce__(self):  # keep the hint (and subclass fields) through pickling
        return (_rebuild, (type(self), self.message, self.__dict__))


def _rebuild(cls: type[SalesOpsError], message: str, state: dict) -> SalesOpsError:
    err = cls.__new__(cls)
    Exception.__init__(err, message)
    err.__dict__.update(state)
    return err


class DataError(SalesOpsError):
    """Input data cannot be used as given."""


class DataFileError(DataError):
    """A data file is missing, unreadable, empty or of a kind we cannot read."""


class MissingColumnsError(DataError):
    """Required columns are absent from a table."""

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        missing: list[str] | None = None,
        suggestions: dict[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.missing = list(missing or [])
        self.suggestions = dict(suggestions or {})


class ValueParseError(DataError):
    """Values in a column cannot be coerced to the type the column needs."""

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        column: str | None = None,
        rows: list[int] | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.column = column
        self.rows = list(rows or [])


class WorkspaceError(SalesOpsError):
    """An artefact file in the workspace cannot be read or written."""


class CorruptArtefactError(WorkspaceError):
    """An artefact file is not valid JSON or does not match its model."""


class SchemaVersionError(WorkspaceError):
    """An artefact file was written by a newer release of salesops-nb."""


class ConflictError(WorkspaceError):
    """A save would overwrite a newer revision of the artefact saved by another writer.

    ``loaded_revision`` is the revision this workspace last loaded or saved, ``current_revision``
    the one now on disk; ``path`` the artefact file. Nothing was written.
    """

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        path: str | None = None,
        loaded_revision: int | None = None,
        current_revision: int | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.path = path
        self.loaded_revision = loaded_revision
        self.current_revision = current_revision


class TemplateError(SalesOpsError):
    """A notebook template or its parameters cannot be used."""


class UnknownTemplateError(TemplateError):
    """No template has the name asked for."""


class ParameterError(TemplateError):
    """A parameter is unknown to the template or its value has the wrong type."""


class ReportError(SalesOpsError):
    """A headless report run failed; names the failing cell and keeps the partial notebook."""

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        notebook_path: str | None = None,
        cell_index: int | None = None,
    ) -> None:
        super().__init__(message, hint=hint)
        self.notebook_path = notebook_path
        self.cell_index = cell_index


class PlanInputError(DataError):
    """The backlog or the capacity cannot be planned as given; ``items`` names the items."""

    def __init__(
        self, message: str, *, hint: str | None = None, items: list[str] | None = None
    ) -> None:
        super().__init__(message, hint=hint)
        self.items = list(items or [])


class DuplicateItemError(PlanInputError):
    """Two or more backlog items share an id."""


class UnknownDependencyError(PlanInputError):
    """An item depends on an id that no backlog item has."""


class DependencyCycleError(PlanInputError):
    """Items wait for each other in a circle; ``items`` holds the cycle in order."""


class MissingCapacityError(PlanInputError):
    """An item puts change load on a group whose capacity is not set."""


class BoilTheOceanError(PlanInputError):
    """An item asks more of a group in one period than the group can ever absorb.

    ``oversized`` holds one :class:`~salesops_nb.installments.split.Oversize` per item and group.
    """

    def __init__(
        self,
        message: str,
        *,
        hint: str | None = None,
        items: list[str] | None = None,
        oversized: list | None = None,
    ) -> None:
        super().__init__(message, hint=hint, items=items)
        self.oversized = list(oversized or [])


class DeadlineError(PlanInputError):
    """A deadline cannot be met; ``items`` holds the blocking chain, first item first."""


class CharterError(SalesOpsError):
    """A charter cannot be built, edited or exported as asked (unknown library id, bad index,
    unknown export format, unwritable folder)."""


class WhyEditError(SalesOpsError, ValueError):
    """An edit of a 5-Why analysis cannot be made (unknown node, empty answer, ...)."""


class QuerySyntaxError(SalesOpsError, ValueError):
    """A typed evidence query could not be read (it says where, and shows the expected shape)."""


class SolverUnavailableError(SalesOpsError):
    """The optional OR-Tools solver is not installed (the hint gives the pip command)."""


class ServerError(SalesOpsError):
    """A request to the JupyterLab server extension cannot be served as asked."""


class UnsafePathError(ServerError):
    """A path points outside the folder JupyterLab serves (or is not a plain relative path)."""


class UnknownJobError(ServerError):
    """No report run has that id."""


class NotebookExistsError(ServerError):
    """A named notebook already exists and overwriting was not asked for."""


class NonNumericFieldError(DataError):
    """A numeric banding, comparison or metric was asked of a text or date column."""


class SpecError(SalesOpsError):
    """A segmentation spec that cannot work: names the field or label and how to fix it."""


class TreatmentKeyError(SpecError):
    """A treatment names a segment or stratum label the segmentation does not have."""


class LinkError(WorkspaceError):
    """A link cannot be followed: its target is missing, unreadable or no longer has the part."""


class EngineError(ParameterError):
    """An unknown engine, or an engine whose package is not installed."""
