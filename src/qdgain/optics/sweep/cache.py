"""Per-dot result cache: ``<out>/cache/<key>.json``, written atomically, verified on read.

A record is stored with its key and the SHA-256 of its canonical JSON. A file is trusted only
if it parses, its key matches its name and the checksum matches; anything else (a truncated
file, a stale temporary file, a record of another key) is ignored and the dot recomputed.
Writes go to a temporary file in the same directory, then :func:`os.replace` (atomic on POSIX),
so a killed sweep leaves either the old state or the complete new file.
"""

from __future__ import annotations

import hashlib
import json
import math
from pathlib import Path
from typing import Any

from qdgain._io import atomic_write_bytes as _atomic_write_bytes

__all__ = ["atomic_write_bytes", "load_record", "store_record"]


def _canonical(record: dict[str, Any]) -> str:
    clean = {k: (None if isinstance(v, float) and not math.isfinite(v) else v)
             for k, v in record.items()}
    return json.dumps(clean, sort_keys=True, allow_nan=False)


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` (parents created) through a temporary file, fsync and
    :func:`os.replace` (see :func:`qdgain._io.atomic_write`)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    _atomic_write_bytes(path, data, fsync=True)


def store_record(cache_dir: Path, key: str, record: dict[str, Any]) -> Path:
    """Store one dot's record under its key (atomic); returns the file path."""
    body = _canonical(record)
    blob = json.dumps({"key": key, "sha256": hashlib.sha256(body.encode()).hexdigest(),
                       "record": json.loads(body)}, sort_keys=True)
    path = Path(cache_dir) / f"{key}.json"
    atomic_write_bytes(path, blob.encode())
    return path


def load_record(cache_dir: Path, key: str) -> dict[str, Any] | None:
    """The cached record of ``key``, or None if absent or not trustworthy (see module doc)."""
    path = Path(cache_dir) / f"{key}.json"
    try:
        blob = json.loads(path.read_text())
        record = blob["record"]
        ok = blob["key"] == key and hashlib.sha256(
            _canonical(record).encode()).hexdigest() == blob["sha256"]
    except (OSError, ValueError, KeyError, TypeError):
        return None
    if not ok:
        return None
    return {k: (math.nan if v is None else v) for k, v in record.items()}
