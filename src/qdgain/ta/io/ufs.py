"""Ultrafast Systems Helios / Surface Xplorer ``.ufs`` ("Version2"); layout in docs/formats.md.

All numbers big-endian. A string is a uint32 byte count then that many bytes (no terminator)::

    str  version ("Version2")
    str  axis-1 label ("Wavelength"), str axis-1 units ("nm"), u32 n1, n1 × f64
    str  axis-2 label ("Time"),       str axis-2 units ("ps"), u32 n2, n2 × f64
    str  data label ("DA")
    u32  reserved (0)
    u32  rows (= n1), u32 cols (= n2), rows × cols f64, row-major (all delays of axis-1 value 0, …)
    str  optional trailing metadata ("Key: value" lines)
"""

from __future__ import annotations

import struct
from pathlib import Path

import numpy as np
import xarray as xr

from qdgain.errors import FormatError, ParameterError
from qdgain.ta.dataset import OD_PER_UNIT
from qdgain.ta.io._common import NM_PER_UNIT, PS_PER_UNIT, atomic_write, build, check_axis

__all__ = ["read_ufs", "write_ufs", "can_guess_ufs", "MAGIC"]

MAGIC = struct.pack(">I", 8) + b"Version2"
_MAX_LABEL = 4096  # a header string longer than this is corruption, not a label


def can_guess_ufs(head: bytes) -> bool:
    """True when ``head`` starts with a length-prefixed ``Version`` string."""
    if len(head) < 11:
        return False
    (n,) = struct.unpack(">I", head[:4])
    return 7 <= n <= 64 and head[4:11] == b"Version"


class _Cursor:
    def __init__(self, buf: bytes, path: str):
        self.buf, self.pos, self.path = buf, 0, path

    def need(self, n: int, what: str) -> None:
        if self.pos + n > len(self.buf):
            raise FormatError(
                f"truncated file: {what} needs {n} bytes, only {len(self.buf) - self.pos} left "
                f"(file is {len(self.buf)} bytes)", self.path, self.pos)

    def u32(self, what: str) -> int:
        self.need(4, what)
        (v,) = struct.unpack_from(">I", self.buf, self.pos)
        self.pos += 4
        return int(v)

    def string(self, what: str) -> str:
        start = self.pos
        n = self.u32(f"length of {what}")
        if n > _MAX_LABEL:
            raise FormatError(f"{what}: string length {n} is implausible (corrupt header?)",
                              self.path, start)
        self.need(n, what)
        raw = self.buf[self.pos:self.pos + n]
        self.pos += n
        return raw.decode("latin-1")

    def f64(self, count: int, what: str) -> np.ndarray:
        self.need(8 * count, f"{count} float64 of {what}")
        arr = np.frombuffer(self.buf, dtype=">f8", count=count, offset=self.pos)
        self.pos += 8 * count
        return arr.astype(np.float64)


def _axis_kind(label: str, path: str, offset: int) -> str:
    low = label.strip().lower()
    if low.startswith(("wavelength", "wave", "lambda", "probe")):
        return "wavelength"
    if low.startswith(("time", "delay")):
        return "delay"
    raise FormatError(f"unknown axis label {label!r} (expected Wavelength or Time)", path, offset)


def _convert(values: np.ndarray, kind: str, unit: str, path: str, offset: int) -> np.ndarray:
    table = PS_PER_UNIT if kind == "delay" else NM_PER_UNIT
    u = unit.strip().replace("µ", "u")
    if u not in table:
        raise FormatError(f"{kind} axis units {unit!r} not supported (known: {sorted(table)})",
                          path, offset)
    return values * table[u]


def read_ufs(path: str | Path, *, dA_unit: str = "OD", allow_nan: bool = False) -> xr.Dataset:
    """Read a Helios ``.ufs`` file.

    Parameters
    ----------
    path : str or Path
        File to read (never modified).
    dA_unit : str
        Units of the stored ΔA, which the file does not declare: ``"OD"`` (default) or ``"mOD"``.
    allow_nan : bool
        Accept NaN cells (masked points), default False.

    Returns
    -------
    xarray.Dataset
        TA dataset (delay ps, wavelength nm, dA OD); a trailing metadata block, if any, is kept
        in ``attrs["instrument_metadata"]``.
    """
    p = str(path)
    cur = _Cursor(Path(path).read_bytes(), p)
    if not cur.buf:
        raise FormatError("file is empty", p, 0)
    version = cur.string("version string")
    if not version.startswith("Version"):
        raise FormatError(f"not a .ufs file: version string {version[:20]!r}", p, 0)
    axes = {}
    for k in (1, 2):
        off = cur.pos
        label = cur.string(f"axis-{k} label")
        kind = _axis_kind(label, p, off)
        off_u = cur.pos
        unit = cur.string(f"axis-{k} units")
        n = cur.u32(f"axis-{k} count")
        off_v = cur.pos
        vals = cur.f64(n, f"axis-{k} values")
        if kind in axes:
            raise FormatError(f"two {kind} axes", p, off)
        check_axis(vals, kind, p, [off_v + 8 * i for i in range(n)])
        axes[kind] = (_convert(vals, kind, unit, p, off_u), k)
    if len(axes) != 2:
        raise FormatError("expected one wavelength and one time axis", p, cur.pos)
    cur.string("data label")
    cur.u32("reserved word")
    off_shape = cur.pos
    rows, cols = cur.u32("row count"), cur.u32("column count")
    first, second = (axes["wavelength"], axes["delay"]) if axes["wavelength"][1] == 1 else (
        axes["delay"], axes["wavelength"])
    if (rows, cols) != (first[0].size, second[0].size):
        raise FormatError(f"data block is {rows} × {cols}, axes say {first[0].size} × "
                          f"{second[0].size}", p, off_shape)
    off_data = cur.pos
    block = cur.f64(rows * cols, "data block").reshape(rows, cols)
    meta = ""
    if cur.pos < len(cur.buf):
        meta = cur.string("trailing metadata").replace("\r\n", "\n")
    wavelength_first = axes["wavelength"][1] == 1
    dA = block.T if wavelength_first else block

    def where(i: int, j: int) -> int:
        r, c = (j, i) if wavelength_first else (i, j)
        return off_data + 8 * (r * cols + c)

    extra = {"instrument_metadata": meta} if meta.strip() else {}
    try:
        return build(dA, axes["delay"][0], axes["wavelength"][0], p, dA_unit=dA_unit,
                     allow_nan=allow_nan, nan_offset=where, **extra)
    except ParameterError as exc:
        raise FormatError(str(exc), p) from None


def _string(s: str) -> bytes:
    raw = s.encode("latin-1")
    return struct.pack(">I", len(raw)) + raw


def ufs_bytes(ds: xr.Dataset, dA_unit: str = "OD") -> bytes:
    """Serialise a 2-D TA dataset (delay, wavelength) to ``.ufs`` bytes (ΔA in ``dA_unit``)."""
    if ds["dA"].ndim != 2:
        raise ParameterError("a .ufs file holds one map; write each fluence separately")
    wl = np.asarray(ds["wavelength"].values, dtype=">f8")
    t = np.asarray(ds["delay"].values, dtype=">f8")
    data = np.asarray(ds["dA"].transpose("delay", "wavelength").values) / OD_PER_UNIT[dA_unit]
    parts = [
        _string("Version2"),
        _string("Wavelength"), _string("nm"), struct.pack(">I", wl.size), wl.tobytes(),
        _string("Time"), _string("ps"), struct.pack(">I", t.size), t.tobytes(),
        _string("DA"), struct.pack(">III", 0, wl.size, t.size),
        np.ascontiguousarray(data.T, dtype=">f8").tobytes(),
    ]
    meta = ds.attrs.get("instrument_metadata")
    if meta:
        parts.append(_string(str(meta)))
    return b"".join(parts)


def write_ufs(ds: xr.Dataset, path: str | Path, *, dA_unit: str = "OD") -> None:
    """Write a 2-D TA dataset as ``.ufs`` (atomically). Only ``instrument_metadata`` is kept."""
    payload = ufs_bytes(ds, dA_unit)
    atomic_write(path, lambda tmp: Path(tmp).write_bytes(payload))
