"""Two-column steady-state spectra: ground-state absorbance A0(λ) and photoluminescence PL(λ).

A text file with an optional header of text lines, then ``x  y`` per line (comma, tab,
semicolon or whitespace); a trailing free-text block is tolerated. ``x`` in nm (default) or eV.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import xarray as xr

from qdgain.convert import ev_to_nm
from qdgain.errors import FormatError, ParameterError
from qdgain.ta.dataset import OD_PER_UNIT
from qdgain.ta.io._common import atomic_write, check_axis, parse_floats, read_text, split_fields
from qdgain.ta.io.matrix import sniff_delimiter
from qdgain.units import with_units

__all__ = ["read_spectrum", "write_spectrum"]


def read_spectrum(path: str | Path, *, kind: str = "A0", x_unit: str = "nm",
                  y_unit: str | None = None) -> xr.DataArray:
    """Read a two-column spectrum.

    Parameters
    ----------
    path : str or Path
        Text file (never modified).
    kind : {"A0", "PL"}
        Ground-state absorbance (converted to OD) or photoluminescence (kept as is).
    x_unit : {"nm", "eV"}
        Units of the first column; eV is converted to nm by λ = hc/E (no Jacobian applied to
        the second column) and the spectrum sorted by wavelength.
    y_unit : str, optional
        A0: OD (default), mOD, uOD. PL: free text, default "arb. u.".

    Returns
    -------
    xarray.DataArray
        Named ``kind``, dim ``wavelength`` (nm, ascending), ``attrs["units"]`` set.
    """
    p = str(path)
    if kind not in ("A0", "PL"):
        raise ParameterError(f"kind {kind!r}: use 'A0' or 'PL'")
    if x_unit not in ("nm", "eV"):
        raise ParameterError(f"x_unit {x_unit!r}: use 'nm' or 'eV'")
    lines = read_text(path).splitlines()
    start = 0
    while start < len(lines):
        f = lines[start].replace(",", " ").replace(";", " ").split()
        try:
            [float(v) for v in f[:2]]
            if len(f) >= 2:
                break
        except ValueError:
            pass
        start += 1
    if start == len(lines):
        raise FormatError("no two-column numeric data found", p, 1)
    delim = sniff_delimiter(lines[start])
    xs, ys, line_nos = [], [], []
    for i in range(start, len(lines)):
        s = lines[i].strip()
        if not s:
            break
        fields = split_fields(s, delim)
        while fields and fields[-1] == "":
            fields.pop()
        try:
            float(fields[0])
        except ValueError:
            break
        if len(fields) != 2:
            raise FormatError(f"expected 2 columns, found {len(fields)}", p, i + 1)
        x, y = parse_floats(fields, p, i + 1, "spectrum")
        if not (np.isfinite(x) and np.isfinite(y)):
            raise FormatError(f"non-finite value ({x!r}, {y!r})", p, i + 1)
        xs.append(x)
        ys.append(y)
        line_nos.append(i + 1)
    x_arr, y_arr = np.array(xs), np.array(ys)
    check_axis(x_arr, "x (first column)", p, line_nos)
    if x_unit == "eV":
        if x_arr.min() <= 0:
            raise FormatError("photon energy ≤ 0 eV", p, line_nos[int(np.argmin(x_arr))])
        x_arr = np.asarray(ev_to_nm(x_arr))
    elif x_arr.min() <= 0:
        raise FormatError("wavelength ≤ 0 nm (is x in eV? pass x_unit='eV')", p,
                          line_nos[int(np.argmin(x_arr))])
    order = np.argsort(x_arr)
    x_arr, y_arr = x_arr[order], y_arr[order]
    if kind == "A0":
        unit = y_unit or "OD"
        if unit not in OD_PER_UNIT:
            raise ParameterError(f"y_unit {unit!r}: use one of {sorted(OD_PER_UNIT)}")
        y_arr, unit = y_arr * OD_PER_UNIT[unit], "OD"
        long = "ground-state absorbance A0"
    else:
        unit, long = y_unit or "arb. u.", "photoluminescence"
    da = xr.DataArray(y_arr, dims=("wavelength",), coords={"wavelength": x_arr}, name=kind)
    da["wavelength"] = with_units(da["wavelength"], "nm", "wavelength")
    da = with_units(da, unit, long)
    da.attrs["source_file"] = p
    return da


def write_spectrum(da: xr.DataArray, path: str | Path, *, delimiter: str = "\t") -> None:
    """Write a spectrum (dim ``wavelength`` nm) as two columns with a one-line text header."""
    if da.dims != ("wavelength",):
        raise ParameterError(f"spectrum dims {da.dims}, expected ('wavelength',)")
    head = f"wavelength_nm{delimiter}{da.name or 'value'}_{da.attrs.get('units', '')}"
    pairs = zip(da["wavelength"].values.tolist(), da.values.tolist(), strict=True)
    rows = [f"{x!r}{delimiter}{y!r}" for x, y in pairs]
    text = "\n".join([head, *rows]) + "\n"
    atomic_write(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
