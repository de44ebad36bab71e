"""Glotaran legacy ASCII ("Time explicit" / "Wavelength explicit").

Layout (as in the Hippius 2007 example of pyglotaran-examples)::

    Header                                  free text
    Original filename: ...                  free text
    Time explicit                           or "Wavelength explicit"
    intervalnr 335                          number of values on the next line
    <335 delays>                            the explicit axis (whitespace separated)
    <wavelength> <dA(t1)> ... <dA(t335)>    one line per value of the other axis

"Time explicit" puts delays on the axis line and one wavelength per line; "Wavelength explicit"
is the transpose.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

from qdgain.errors import FormatError, ParameterError
from qdgain.ta.io._common import (
    NM_PER_UNIT,
    atomic_write,
    build,
    check_axis,
    delay_to_ps,
    parse_floats,
    read_text,
)
from qdgain.ta.io.matrix import parse_rows

__all__ = ["read_glotaran", "write_glotaran", "can_guess_glotaran"]

_KINDS = ("time explicit", "wavelength explicit")


def can_guess_glotaran(head: bytes) -> bool:
    """True when one of the first 6 lines reads "Time explicit" or "Wavelength explicit"."""
    if b"\x00" in head:
        return False
    lines = head.decode("latin-1").splitlines()[:6]
    return any(ln.strip().lower() in _KINDS for ln in lines)


def read_glotaran(path: str | Path, *, delay_unit: str = "ps", wavelength_unit: str = "nm",
                  dA_unit: str = "OD", allow_nan: bool = False) -> xr.Dataset:
    """Read a Glotaran legacy ASCII file.

    Parameters
    ----------
    path : str or Path
        File (never modified).
    delay_unit : str
        Units of the delays in the file: fs, ps (default), ns, us, s.
    wavelength_unit : str
        Units of the wavelengths in the file: nm (default), um, A.
    dA_unit : str
        Units of ΔA in the file: OD (default), mOD, uOD.
    allow_nan : bool
        Accept NaN cells (masked points), default False.

    Returns
    -------
    xarray.Dataset
        TA dataset (delay ps, wavelength nm, dA OD); the header lines go to
        ``attrs["instrument_metadata"]``.
    """
    p = str(path)
    if wavelength_unit not in NM_PER_UNIT:
        raise ParameterError(f"wavelength_unit {wavelength_unit!r}: use one of "
                             f"{sorted(NM_PER_UNIT)}")
    lines = read_text(path).splitlines()
    k = next((i for i, ln in enumerate(lines[:6]) if ln.strip().lower() in _KINDS), None)
    if k is None:
        raise FormatError("no 'Time explicit' or 'Wavelength explicit' line in the first 6 lines "
                          "(is this a Glotaran ASCII file?)", p, 1)
    time_explicit = lines[k].strip().lower() == "time explicit"
    i = k + 1
    n_declared = None
    if i < len(lines) and lines[i].strip().lower().startswith("intervalnr"):
        parts = lines[i].split()
        try:
            n_declared = int(parts[1])
        except (IndexError, ValueError):
            raise FormatError(f"bad 'intervalnr' line {lines[i].strip()[:40]!r}", p,
                              i + 1) from None
        i += 1
    while i < len(lines) and not lines[i].strip():
        i += 1
    if i >= len(lines):
        raise FormatError("no axis line after the header", p, i + 1)
    axis = parse_floats(lines[i].split(), p, i + 1, "explicit axis line")
    if n_declared is not None and axis.size != n_declared:
        raise FormatError(f"axis line has {axis.size} values but 'intervalnr {n_declared}' "
                          "(is the axis line missing or wrapped?)", p, i + 1)
    name = "delay" if time_explicit else "wavelength"
    check_axis(axis, f"{name} (axis line)", p, i + 1)
    row_ax, cells, end = parse_rows(lines, i + 1, None, axis.size, p)
    row_lines = list(range(i + 2, i + 2 + row_ax.size))
    check_axis(row_ax, "wavelength (first column)" if time_explicit else "delay (first column)",
               p, row_lines)
    if time_explicit:
        t, wl, dA = axis, row_ax, cells.T
    else:
        t, wl, dA = row_ax, axis, cells
    wl = wl * NM_PER_UNIT[wavelength_unit]
    if wl.min() <= 0:
        raise FormatError(f"wavelength {wl.min():g} ≤ 0: is this really "
                          f"'{lines[k].strip()}'?", p, k + 1)
    if end < len(lines) and any(ln.strip() for ln in lines[end:]):
        raise FormatError("unexpected text after the data block", p, end + 1)

    def where(a: int, b: int) -> int:
        return i + 2 + (b if time_explicit else a)

    return build(dA, delay_to_ps(t, delay_unit), wl, p, dA_unit=dA_unit, allow_nan=allow_nan,
                 nan_offset=where, instrument_metadata="\n".join(lines[:k]).strip() or None)


def write_glotaran(ds: xr.Dataset, path: str | Path, *, explicit: str = "time") -> None:
    """Write a 2-D TA dataset as Glotaran ASCII (``explicit="time"`` or ``"wavelength"``)."""
    if ds["dA"].ndim != 2:
        raise ParameterError("a Glotaran file holds one map; write each fluence separately")
    t = np.asarray(ds["delay"].values, dtype=float)
    wl = np.asarray(ds["wavelength"].values, dtype=float)
    dA = np.asarray(ds["dA"].transpose("delay", "wavelength").values, dtype=float)
    if explicit == "time":
        axis, first, cells, kind = t, wl, dA.T, "Time explicit"
    elif explicit == "wavelength":
        axis, first, cells, kind = wl, t, dA, "Wavelength explicit"
    else:
        raise ParameterError(f"explicit={explicit!r}: use 'time' or 'wavelength'")
    lines = ["Header", f"Original filename: {Path(ds.attrs.get('source_file', 'qdgain')).name}",
             kind, f"intervalnr {axis.size}", "\t".join(map(repr, axis.tolist()))]
    pairs = zip(first.tolist(), cells.tolist(), strict=True)
    lines += ["\t".join(map(repr, [a, *row])) for a, row in pairs]
    text = "\n".join(lines) + "\n"
    atomic_write(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
