"""Atomic file writes shared by every layer (imports nothing from the layers).

A result is written to a temporary file in the destination's directory and then moved onto
the destination with :func:`os.replace` (atomic on POSIX), so a reader never sees a
half-written file and an interrupted write leaves the old file (and no temporary) behind.
"""

from __future__ import annotations

import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

__all__ = ["atomic_write", "atomic_write_bytes", "atomic_write_text"]


def atomic_write(path: str | Path, writer: Callable[[str], Any], *, suffix: str = ".tmp",
                 fsync: bool = False) -> Path:
    """Call ``writer(tmp_path)`` then move the temporary file onto ``path``.

    Parameters
    ----------
    path : str or Path
        Destination file; its directory must exist.
    writer : callable
        Called with the temporary file's path (str); writes the whole content there.
    suffix : str
        Ending of the temporary file's name (pass e.g. ``".tmp.png"`` when the writer infers
        the format from the extension, as ``Figure.savefig`` does).
    fsync : bool
        Flush the temporary file to disk before the move (for caches that must survive a crash).

    Returns
    -------
    Path
        ``path``.
    """
    path = Path(path)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=suffix, dir=path.parent)
    os.close(fd)
    try:
        writer(tmp)
        if fsync:
            with open(tmp, "rb") as fh:
                os.fsync(fh.fileno())
        # mkstemp makes 0600 files; give the result the permissions a plain open() would
        umask = os.umask(0)
        os.umask(umask)
        os.chmod(tmp, 0o666 & ~umask)
        os.replace(tmp, path)
    finally:
        if os.path.exists(tmp):
            os.unlink(tmp)
    return path


def atomic_write_bytes(path: str | Path, data: bytes, *, fsync: bool = False) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_write`)."""
    return atomic_write(path, lambda tmp: Path(tmp).write_bytes(data), fsync=fsync)


def atomic_write_text(path: str | Path, text: str) -> Path:
    """Write ``text`` (UTF-8) to ``path`` atomically (see :func:`atomic_write`)."""
    return atomic_write(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
