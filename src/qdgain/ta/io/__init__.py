"""Transient-absorption file formats: one declarative table, detection from content (STYLE R8).

``FORMATS`` maps a format name to a :class:`Format`. Third-party packages add formats through the
``qdgain.ta_formats`` entry-point group: each entry point loads to a :class:`Format` (or a callable
returning one); a name that is already taken is rejected.

>>> sorted(FORMATS)[:3]
['glotaran-ascii', 'helios-ufs', 'matrix-csv']
"""

from __future__ import annotations

import inspect
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from importlib.metadata import entry_points
from pathlib import Path
from typing import Any

import xarray as xr

from qdgain.errors import FormatError, ParameterError
from qdgain.ta.io import glotaran, matrix, netcdf, npz, ufs
from qdgain.ta.io.glotaran import can_guess_glotaran, read_glotaran, write_glotaran
from qdgain.ta.io.matrix import (
    ORIENTATIONS,
    can_guess_matrix,
    parse_rows,
    read_matrix,
    write_matrix,
)
from qdgain.ta.io.netcdf import HDF5_MAGIC, can_guess_netcdf, read_netcdf, write_netcdf
from qdgain.ta.io.npz import can_guess_npz, read_npz, write_npz
from qdgain.ta.io.spectrum import read_spectrum, write_spectrum
from qdgain.ta.io.ufs import MAGIC, can_guess_ufs, read_ufs, write_ufs

__all__ = [
    "Format",
    "FORMATS",
    "register_format",
    "guess_format",
    "read_ta",
    "write_ta",
    "read_spectrum",
    "write_spectrum",
    # the format modules' readers and writers
    "read_glotaran",
    "write_glotaran",
    "can_guess_glotaran",
    "read_matrix",
    "write_matrix",
    "can_guess_matrix",
    "parse_rows",
    "ORIENTATIONS",
    "read_netcdf",
    "write_netcdf",
    "can_guess_netcdf",
    "HDF5_MAGIC",
    "read_npz",
    "write_npz",
    "can_guess_npz",
    "read_ufs",
    "write_ufs",
    "can_guess_ufs",
    "MAGIC",
]


@dataclass(frozen=True, slots=True)
class Format:
    """One file format.

    Attributes
    ----------
    name : str
        Registry key, e.g. ``"helios-ufs"``.
    description : str
        One line for humans.
    extensions : tuple of str
        Usual extensions, lower case without the dot (a hint only; content decides).
    magic : bytes or None
        Leading bytes that identify the format, when it has any.
    read : callable
        ``read(path, **options) -> xarray.Dataset``.
    write : callable or None
        ``write(ds, path, **options)``; None for read-only formats.
    can_guess : callable
        ``can_guess(head: bytes) -> bool`` on the first 64 KiB of the file.
    """

    name: str
    description: str
    extensions: tuple[str, ...]
    magic: bytes | None
    read: Callable[..., xr.Dataset]
    write: Callable[..., None] | None
    can_guess: Callable[[bytes], bool]


FORMATS: dict[str, Format] = {}


def register_format(fmt: Format) -> Format:
    """Add ``fmt`` to :data:`FORMATS`; a duplicate name raises :class:`ParameterError`."""
    if fmt.name in FORMATS:
        raise ParameterError(f"TA format {fmt.name!r} is already registered")
    FORMATS[fmt.name] = fmt
    return fmt


for _f in (
    Format("helios-ufs", "Ultrafast Systems Helios / Surface Xplorer binary", ("ufs",),
           ufs.MAGIC, ufs.read_ufs, ufs.write_ufs, ufs.can_guess_ufs),
    Format("netcdf", "qdgain NetCDF (data model of docs/interfaces.md)", ("nc", "h5", "nc4"),
           netcdf.HDF5_MAGIC, netcdf.read_netcdf, netcdf.write_netcdf, netcdf.can_guess_netcdf),
    Format("npz", "NumPy .npz with named axes (no pickle)", ("npz",), b"PK\x03\x04",
           npz.read_npz, npz.write_npz, npz.can_guess_npz),
    Format("glotaran-ascii", "Glotaran legacy ASCII, time or wavelength explicit",
           ("ascii",), None, glotaran.read_glotaran, glotaran.write_glotaran,
           glotaran.can_guess_glotaran),
    Format("matrix-csv", "delimited matrix with axis line and column (Surface Xplorer, "
           "KiMoPack; comma/tab/semicolon/whitespace)", ("csv", "tsv", "txt", "dat"), None,
           matrix.read_matrix, matrix.write_matrix, matrix.can_guess_matrix),
):
    register_format(_f)

_PLUGINS_LOADED = False


def _load_plugins() -> None:
    global _PLUGINS_LOADED
    if _PLUGINS_LOADED:
        return
    _PLUGINS_LOADED = True
    for ep in entry_points(group="qdgain.ta_formats"):
        try:
            obj = ep.load()
            fmt = obj() if callable(obj) and not isinstance(obj, Format) else obj
            if not isinstance(fmt, Format):
                raise TypeError(f"entry point gave {type(fmt).__name__}, not Format")
            register_format(fmt)
        except Exception as exc:  # noqa: BLE001 - a broken plugin must not break reading
            warnings.warn(f"TA format plugin {ep.name!r} skipped: {exc}", stacklevel=2)


def guess_format(path: str | Path) -> str:
    """Name of the format of ``path``, detected from its content (extension as a tie-break).

    Raises
    ------
    FileNotFoundError
        ``path`` does not exist.
    FormatError
        No registered format recognises the content; the message lists the formats.
    """
    _load_plugins()
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"no such file: {p}")
    with open(p, "rb") as fh:
        head = fh.read(65536)
    if not head.strip():
        raise FormatError("file is empty", str(p), 0)
    hits = [f.name for f in FORMATS.values() if f.can_guess(head)]
    ext = p.suffix.lower().lstrip(".")
    by_ext = [n for n in hits if ext in FORMATS[n].extensions]
    if hits:
        return (by_ext or hits)[0]
    known = ", ".join(f"{f.name} (.{'/.'.join(f.extensions)})" for f in FORMATS.values())
    raise FormatError(f"format not recognised from the content; known formats: {known}. "
                      "Pass format=NAME to force one", str(p), 0)


def _check_options(func: Callable[..., Any], options: dict[str, Any], name: str) -> None:
    params = inspect.signature(func).parameters
    allowed = [k for k, v in params.items() if v.kind is inspect.Parameter.KEYWORD_ONLY]
    bad = sorted(set(options) - set(allowed))
    if bad:
        raise ParameterError(f"format {name!r} has no option(s) {bad}; its options: {allowed}")


def _get(name: str) -> Format:
    _load_plugins()
    try:
        return FORMATS[name]
    except KeyError:
        raise ParameterError(f"unknown TA format {name!r}; known: {sorted(FORMATS)}") from None


def read_ta(path: str | Path, format: str | None = None, **options: Any) -> xr.Dataset:
    """Read a transient-absorption file into the data model (delay ps, wavelength nm, dA OD).

    Parameters
    ----------
    path : str or Path
        File to read (never modified).
    format : str, optional
        A key of :data:`FORMATS`; detected from the content when omitted.
    **options
        Reader options, e.g. ``dA_unit="mOD"``, ``orientation="delay-rows"``,
        ``delay_unit="ns"``, ``allow_nan=True`` (see each reader; unknown options raise).

    Returns
    -------
    xarray.Dataset
        With ``attrs["source_file"]`` and ``attrs["format"]``.
    """
    p = Path(path)
    if not p.is_file():
        raise FileNotFoundError(f"no such file: {p}")
    name = format or guess_format(p)
    fmt = _get(name)
    _check_options(fmt.read, options, name)
    ds = fmt.read(p, **options)
    ds.attrs["format"] = name
    return ds


_EXT_DEFAULT = {"nc": "netcdf", "ufs": "helios-ufs", "csv": "matrix-csv", "npz": "npz",
                "ascii": "glotaran-ascii", "txt": "matrix-csv", "tsv": "matrix-csv"}


def write_ta(ds: xr.Dataset, path: str | Path, format: str | None = None, **options: Any) -> None:
    """Write ``ds`` (atomically) in ``format``, by default chosen from the extension of ``path``.

    Parameters
    ----------
    ds : xarray.Dataset
        TA dataset (not modified).
    path : str or Path
        Output file; never the file ``ds`` was read from.
    format : str, optional
        A key of :data:`FORMATS` with a writer.
    **options
        Writer options (e.g. ``orientation``, ``delimiter`` for matrix-csv).
    """
    p = Path(path)
    src = ds.attrs.get("source_file")
    if src and p.exists() and Path(src).exists() and p.resolve() == Path(src).resolve():
        raise ParameterError(f"refusing to overwrite the input file {p}; choose another path")
    name = format or _EXT_DEFAULT.get(p.suffix.lower().lstrip("."))
    if name is None:
        raise ParameterError(f"cannot choose a format from extension {p.suffix!r}; pass "
                             f"format= one of {sorted(k for k, f in FORMATS.items() if f.write)}")
    fmt = _get(name)
    if fmt.write is None:
        raise ParameterError(f"format {name!r} is read-only")
    _check_options(fmt.write, options, name)
    fmt.write(ds, p, **options)
