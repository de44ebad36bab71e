"""Helpers shared by the format modules: unit factors, axis checks, text parsing, atomic writes."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from qdgain._io import atomic_write
from qdgain.errors import FormatError, ParameterError
from qdgain.ta.dataset import OD_PER_UNIT, ta_dataset

__all__ = [
    "PS_PER_UNIT",
    "NM_PER_UNIT",
    "delay_to_ps",
    "check_axis",
    "build",
    "read_text",
    "split_fields",
    "parse_floats",
    "atomic_write",
]

#: Time units accepted for delays, and their factor to ps.
PS_PER_UNIT: dict[str, float] = {"fs": 1e-3, "ps": 1.0, "ns": 1e3, "us": 1e6, "s": 1e12}
#: Wavelength units accepted, factor to nm.
NM_PER_UNIT: dict[str, float] = {"nm": 1.0, "um": 1e3, "A": 0.1}


def _factor(table: dict[str, float], unit: str, what: str) -> float:
    try:
        return table[unit]
    except KeyError:
        raise ParameterError(f"unknown {what} unit {unit!r}; use one of {sorted(table)}") from None


def delay_to_ps(values: np.ndarray, unit: str) -> np.ndarray:
    """Convert delays from ``unit`` (fs, ps, ns, us, s) to ps."""
    f = _factor(PS_PER_UNIT, unit, "delay")
    return values if f == 1.0 else values * f


def check_axis(ax: np.ndarray, name: str, path: str, where: Sequence[int] | int | None) -> None:
    """Raise :class:`FormatError` unless ``ax`` is finite and strictly monotonic (either way).

    ``where`` is the line/byte offset of the axis, or one offset per element.
    """

    def at(i: int) -> int | None:
        if where is None or isinstance(where, int):
            return where
        return where[i] if i < len(where) else None   # an empty axis has no offsets

    if ax.size == 0:
        raise FormatError(f"{name} axis is empty", path, at(0))
    bad = np.flatnonzero(~np.isfinite(ax))
    if bad.size:
        i = int(bad[0])
        raise FormatError(f"{name} axis value #{i + 1} is {float(ax[i])!r}; axes must be finite",
                          path, at(i))
    if ax.size < 2:
        return
    d = np.diff(ax)
    if np.all(d > 0) or np.all(d < 0):
        return
    sign = 1.0 if d[0] > 0 else -1.0
    i = int(np.flatnonzero(d * sign <= 0)[0])
    kind = "duplicated" if d[i] == 0 else "non-monotonic"
    raise FormatError(
        f"{name} axis is {kind} at value #{i + 2} ({float(ax[i])!r} then {float(ax[i + 1])!r}); "
        "axes must be strictly monotonic — average repeated points or fix the file",
        path, at(i + 1))


def build(
    dA_td: np.ndarray,
    delay_ps: np.ndarray,
    wavelength_nm: np.ndarray,
    path: str,
    *,
    dA_unit: str = "OD",
    allow_nan: bool = False,
    nan_offset: Callable[[int, int], int | None] | None = None,
    A0: np.ndarray | None = None,
    **attrs: Any,
) -> xr.Dataset:
    """Check data values and build the dataset; ``dA_td`` is (delay, wavelength) in ``dA_unit``.

    ``nan_offset(i_delay, i_wavelength)`` maps the first bad cell to a line/byte offset.
    """
    _factor(OD_PER_UNIT, dA_unit, "absorbance")
    bad = ~np.isfinite(dA_td)
    if bad.any():
        inf = np.isinf(dA_td)
        mask = inf if allow_nan else bad
        if mask.any():
            i, j = (int(k) for k in np.argwhere(mask)[0])
            off = nan_offset(i, j) if nan_offset is not None else None
            hint = "" if inf[i, j] else " (pass allow_nan=True if NaN marks masked points)"
            raise FormatError(
                f"dA is {float(dA_td[i, j])!r} at delay #{i + 1} ({delay_ps[i]:g} ps), wavelength "
                f"#{j + 1} ({wavelength_nm[j]:g} nm){hint}", path, off)
    try:
        return ta_dataset(dA_td, delay_ps, wavelength_nm, dA_units=dA_unit, A0=A0,
                          source_file=str(path), **attrs)
    except ParameterError as exc:
        raise FormatError(str(exc), path) from None


def read_text(path: str | Path) -> str:
    """Read a text file (UTF-8, Latin-1 fallback); FormatError if it is binary or empty."""
    raw = Path(path).read_bytes()
    if b"\x00" in raw[:4096]:
        raise FormatError("binary content (NUL bytes) in a text format", str(path), 0)
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    if not text.strip():
        raise FormatError("file is empty", str(path), 1)
    return text.lstrip("\ufeff")


def split_fields(line: str, delimiter: str | None) -> list[str]:
    """Split one line; ``delimiter=None`` means runs of whitespace."""
    if delimiter is None:
        return line.split()
    return [f.strip() for f in line.rstrip("\r\n").split(delimiter)]


def parse_floats(fields: Sequence[str], path: str, line_no: int, what: str,
                 first_col: int = 1) -> np.ndarray:
    """Parse ``fields`` as floats or raise FormatError naming the line and column."""
    out = np.empty(len(fields))
    for k, f in enumerate(fields):
        try:
            out[k] = float(f) if f != "" else np.nan
        except ValueError:
            raise FormatError(
                f"{what}: non-numeric cell {f[:40]!r} in column {k + first_col}", path, line_no
            ) from None
    return out
