"""Durable, all-or-nothing file writes.

A reader (a headless report, another notebook) must see either the old file or the new one, never
half of each, and a crash or a full disk during a save must leave the old file as it was.

The recipe: write the bytes to a temporary file in the target's own folder (so the final rename
never crosses a file system), flush and fsync it, ``os.replace`` it onto the target, then fsync the
folder so the rename itself survives a power cut (where the platform lets us open a folder).

Plain OSErrors escape from here; the caller turns them into messages for the user.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import stat
from pathlib import Path

__all__ = ["atomic_write_bytes", "discard", "fsync_dir", "replace_durably", "write_temp"]

_TEMP_SUFFIX = ".tmp"


def write_temp(target: Path, data: bytes) -> Path:
    """Write ``data`` to a new hidden temporary file beside ``target`` and fsync it.

    Parameters
    ----------
    target
        The file the temporary file will later replace; only its folder and name are used.
    data
        The complete new content.

    Returns
    -------
    Path
        The temporary file, named ``.<target name>.<random>.tmp``. On any failure it is removed
        before the error propagates, so nothing is left behind.
    """
    folder = target.parent
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | getattr(os, "O_BINARY", 0)
    while True:
        temp = folder / f".{target.name}.{secrets.token_hex(4)}{_TEMP_SUFFIX}"
        try:
            # 0o666 minus the umask, like any ordinary new file; mkstemp would force 0o600 and a
            # shared workspace would suddenly become unreadable to colleagues.
            fd = os.open(temp, flags, 0o666)
        except FileExistsError:
            continue
        break
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        _copy_mode(target, temp)
    except BaseException:
        discard(temp)
        raise
    return temp


def replace_durably(temp: Path, target: Path) -> None:
    """Move ``temp`` onto ``target`` in one step and make the rename durable.

    On failure ``temp`` is removed and ``target`` is left as it was.
    """
    try:
        os.replace(temp, target)
    except BaseException:
        discard(temp)
        raise
    fsync_dir(target.parent)


def atomic_write_bytes(target: Path, data: bytes) -> None:
    """Replace ``target`` with ``data`` atomically and durably (temp file, fsync, rename).

    Parameters
    ----------
    target
        The file to create or replace. Its folder must exist.
    data
        The complete new content.
    """
    replace_durably(write_temp(target, data), target)


def fsync_dir(folder: Path) -> None:
    """Flush a folder's entries (a rename or a new file) to disk, where the platform allows it.

    Windows cannot open a folder as a file; there, and on file systems that refuse, this is a no-op
    because the rename has already happened and only its durability across a power cut is at stake.
    """
    flags = os.O_RDONLY | getattr(os, "O_DIRECTORY", 0)
    try:
        fd = os.open(folder, flags)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


def discard(path: Path) -> None:
    """Remove ``path`` if it exists; never raise (used while another error is propagating)."""
    with contextlib.suppress(OSError):
        os.unlink(path)


def _copy_mode(source: Path, dest: Path) -> None:
    # Keep the permissions a user gave the existing file (e.g. group-readable) across saves.
    try:
        mode = stat.S_IMODE(os.stat(source).st_mode)
    except FileNotFoundError:
        return
    os.chmod(dest, mode)
