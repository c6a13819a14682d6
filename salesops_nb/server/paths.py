"""Path safety: every path a browser sends is relative to the server's root and stays inside it.

JupyterLab names files by *API paths* (``work/q3/segmentation.ipynb``: forward slashes,
relative to the folder ``jupyter lab`` serves). A request may carry anything, so a path is
refused when it is absolute, climbs with ``..``, or leads outside the root through a symbolic
link; the check is made on the fully resolved path, so a link planted inside the root that
points elsewhere is caught too.
"""

from __future__ import annotations

import os
from pathlib import Path, PurePosixPath

from salesops_nb.errors import UnsafePathError

__all__ = ["UnsafePathError", "api_path", "resolve_inside"]


def resolve_inside(root: str | os.PathLike[str], path: str, *, what: str = "path") -> Path:
    """The absolute location of ``path`` (an API path), checked to be inside ``root``.

    Parameters
    ----------
    root
        The folder the server serves.
    path
        A relative path with ``/`` separators; ``""`` means the root itself.
    what
        How to name the path in an error message (``"folder"``, ``"data_path"``...).

    Returns
    -------
    Path
        The resolved path (symbolic links followed); it need not exist.

    Raises
    ------
    UnsafePathError
        For an absolute path, a ``..`` part, a NUL character, or a path whose resolved
        location (following symbolic links) is outside ``root``.

    Examples
    --------
    >>> resolve_inside("/srv/lab", "work/deals.csv")  # doctest: +SKIP
    PosixPath('/srv/lab/work/deals.csv')
    """
    if not isinstance(path, str):
        raise UnsafePathError(
            f"The {what} must be text, not {type(path).__name__}.",
            hint="Give a path relative to the folder JupyterLab shows, e.g. work/deals.csv.",
        )
    text = path.replace("\\", "/")
    pure = PurePosixPath(text)
    hint = "Give a path relative to the folder JupyterLab shows, e.g. work/deals.csv."
    if "\0" in text:
        raise UnsafePathError(f"The {what} {path!r} contains a NUL character.", hint=hint)
    if pure.is_absolute() or (len(text) > 1 and text[1] == ":"):
        raise UnsafePathError(
            f"The {what} {path!r} is absolute; only paths inside the server's folder are allowed.",
            hint=hint,
        )
    if ".." in pure.parts:
        raise UnsafePathError(
            f"The {what} {path!r} climbs out of its folder with '..'.",
            hint=hint,
        )
    base = Path(root).resolve()
    resolved = base.joinpath(*pure.parts).resolve()
    if resolved != base and base not in resolved.parents:
        raise UnsafePathError(
            f"The {what} {path!r} leads outside the server's folder (through a symbolic link).",
            hint="Copy the file into the folder JupyterLab shows instead of linking to it.",
        )
    return resolved


def api_path(root: str | os.PathLike[str], path: str | os.PathLike[str]) -> str:
    """The API path (``/``-separated, relative to ``root``) of a file inside ``root``.

    Raises
    ------
    UnsafePathError
        If ``path`` is not inside ``root``.
    """
    base = Path(root).resolve()
    resolved = Path(path).resolve()
    try:
        relative = resolved.relative_to(base)
    except ValueError as err:
        raise UnsafePathError(
            f"{resolved} is outside the server's folder {base}.",
            hint="Write outputs into a folder JupyterLab shows.",
        ) from err
    return relative.as_posix() if relative.parts else ""
