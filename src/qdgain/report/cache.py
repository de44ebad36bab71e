"""Content-addressed cache of stage results: ``<out>/cache/<stage>-<hash>/``.

A stage's key is the SHA-256 of its *inputs*: the stage name, its parameters (canonical JSON),
the keys of the stages it reads, and a fingerprint of the code it runs. A result directory is
trusted only when it is complete: the stage writes into a private temporary directory, a
``_complete.json`` manifest is written last, and the directory is moved into place with one
``os.replace``. A run that is killed half-way leaves at most a ``.tmp-*`` directory, which is
never read and is swept by the next run.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import os
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

import xarray as xr

from qdgain.errors import ParameterError

__all__ = [
    "COMPLETE_MARKER",
    "canonical_json",
    "content_hash",
    "code_fingerprint",
    "atomic_write_json",
    "atomic_write_bytes",
    "atomic_write_dataset",
    "ResultDir",
]

#: name of the manifest that marks a result directory as complete (written last)
COMPLETE_MARKER = "_complete.json"


def _jsonable(obj: Any) -> Any:
    """Plain JSON types for hashing: tuples → lists, numpy scalars → Python, Paths → str."""
    if isinstance(obj, Mapping):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_jsonable(v) for v in obj]
    if isinstance(obj, Path):
        return str(obj)
    if hasattr(obj, "item") and callable(obj.item):  # numpy scalar
        return obj.item()
    if obj is None or isinstance(obj, (bool, int, float, str)):
        return obj
    raise ParameterError(
        f"stage parameter value {obj!r} of type {type(obj).__name__} cannot be hashed; "
        "use numbers, strings, lists or dicts"
    )


def canonical_json(obj: Any) -> str:
    """Deterministic JSON text of ``obj`` (sorted keys, no spaces): the input of the hash."""
    return json.dumps(_jsonable(obj), sort_keys=True, separators=(",", ":"), allow_nan=True)


def content_hash(name: str, params: Mapping[str, Any], upstream: Mapping[str, str],
                 code: str = "") -> str:
    """Key of one stage run: 16 hex digits of SHA-256 over name, params, upstream keys, code.

    Parameters
    ----------
    name : str
        Stage name.
    params : mapping
        The stage's own parameters (JSON-able).
    upstream : mapping
        ``{stage name: key}`` of every stage it reads.
    code : str
        Fingerprint of the code the stage runs (see :func:`code_fingerprint`).
    """
    text = canonical_json({"stage": name, "params": params, "upstream": upstream, "code": code})
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def code_fingerprint(modules: Iterable[str]) -> str:
    """SHA-256 over the source and data files of the named modules/packages.

    A package contributes every ``.py``, ``.json`` and ``.toml`` file under it, so that an edit
    to any layer a stage runs invalidates exactly the stages that declared that layer.
    """
    digest = hashlib.sha256()
    for mod in sorted(set(modules)):
        try:
            spec = importlib.util.find_spec(mod)
        except (ImportError, ValueError):  # e.g. "__main__" of a script
            spec = None
        if spec is None or spec.origin is None or not Path(spec.origin).is_file():
            digest.update(f"{mod}:absent".encode())
            continue
        origin = Path(spec.origin)
        files = (sorted(p for p in origin.parent.rglob("*")
                        if p.suffix in {".py", ".json", ".toml"} and p.is_file())
                 if origin.name == "__init__.py" else [origin])
        for path in files:
            digest.update(str(path.relative_to(origin.parent)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:16]


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def _tmp_sibling(path: Path) -> Path:
    fd, tmp = tempfile.mkstemp(prefix=f".tmp-{path.name}-", dir=path.parent)
    os.close(fd)
    os.chmod(tmp, 0o666 & ~_umask())  # mkstemp makes 0600; results are ordinary files
    return Path(tmp)


def atomic_write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary sibling and ``os.replace``."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp_sibling(path)
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


def atomic_write_json(path: str | os.PathLike[str], obj: Any) -> Path:
    """Write ``obj`` as indented JSON (NaN allowed), atomically."""
    return atomic_write_bytes(path, (json.dumps(obj, indent=2, default=str) + "\n").encode())


def atomic_write_dataset(path: str | os.PathLike[str], ds: xr.Dataset) -> Path:
    """Write ``ds`` as NetCDF-4 (h5netcdf engine), atomically."""
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = _tmp_sibling(path)
    try:
        ds.to_netcdf(tmp, engine="h5netcdf")
        os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)
    return path


class ResultDir:
    """Read-only view of one complete stage result directory.

    Parameters
    ----------
    path : path-like
        ``<out>/cache/<stage>-<hash>/``; must contain the completion manifest.
    """

    def __init__(self, path: str | os.PathLike[str]):
        self.path = Path(path)
        marker = self.path / COMPLETE_MARKER
        if not marker.is_file():
            raise ParameterError(
                f"{self.path}: not a complete stage result (no {COMPLETE_MARKER}); "
                "rerun the stage"
            )
        self.manifest: dict[str, Any] = json.loads(marker.read_text())

    def dataset(self, name: str) -> xr.Dataset:
        """Load ``<name>.nc`` fully into memory (the file is closed afterwards)."""
        file = self.path / f"{name}.nc"
        if not file.is_file():
            raise ParameterError(f"{self.path.name}: no dataset {name!r}; "
                                 f"it has {sorted(self.manifest.get('files', []))}")
        with xr.open_dataset(file, engine="h5netcdf") as ds:
            return ds.load()

    def json(self, name: str) -> Any:
        """Load ``<name>.json``."""
        file = self.path / f"{name}.json"
        if not file.is_file():
            raise ParameterError(f"{self.path.name}: no JSON {name!r}; "
                                 f"it has {sorted(self.manifest.get('files', []))}")
        return json.loads(file.read_text())

    def file(self, name: str) -> Path:
        """Path of any other file the stage wrote (e.g. simulated instrument files)."""
        file = self.path / name
        if not file.exists():
            raise ParameterError(f"{self.path.name}: no file {name!r}")
        return file

