"""Delimited-text ΔA matrices: Surface Xplorer CSV, its transpose (KiMoPack, Glotaran-style), and
generic comma/tab/semicolon/whitespace matrices with units given by options.

Layout: one axis line (a corner cell — empty, a number or text — then the column axis), then one
line per row: the row-axis value, then the ΔA cells. A free-text block after the matrix (blank
line, or a line whose first cell is not a number) is kept as ``attrs["instrument_metadata"]``.

Orientation:

- ``"wavelength-rows"``: one line per wavelength, the axis line holds delays (Surface Xplorer);
- ``"delay-rows"``: one line per delay, the axis line holds wavelengths (KiMoPack, Glotaran);
- ``"auto"``: the axis holding non-positive values, or else the one that is not a plausible
  evenly stepped wavelength grid, is the delay axis; ambiguous files ask for the option.
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
    split_fields,
)

__all__ = ["read_matrix", "write_matrix", "can_guess_matrix", "parse_rows", "ORIENTATIONS"]

ORIENTATIONS = ("auto", "wavelength-rows", "delay-rows")
_DELIMS = {"comma": ",", "tab": "\t", "semicolon": ";", "whitespace": None}


def _is_number(s: str) -> bool:
    try:
        float(s)
    except ValueError:
        return False
    return True


def sniff_delimiter(line: str) -> str | None:
    """Guess the delimiter of an axis line: comma, tab, semicolon, else whitespace (None)."""
    for d in (",", "\t", ";"):
        if d in line:
            return d
    return None


def can_guess_matrix(head: bytes) -> bool:
    """True when the first non-empty line is ``corner, number, number, …`` and so is the next.

    ``head`` may end inside a line (a long axis line): its last, partial cell is not checked.
    """
    if b"\x00" in head:
        return False
    lines = [ln for ln in head.decode("latin-1").splitlines() if ln.strip()][:3]
    if not lines:
        return False
    d = sniff_delimiter(lines[0])
    f0 = split_fields(lines[0], d)
    while f0 and f0[-1] == "":
        f0.pop()
    if len(lines) == 1:  # the axis line fills the whole head
        return len(f0) >= 4 and all(_is_number(x) for x in f0[1:-1])
    f1 = split_fields(lines[1], d)
    return len(f0) >= 2 and all(_is_number(x) for x in f0[1:]) and len(f1) >= 2 and \
        _is_number(f1[0])


def parse_rows(lines: list[str], start: int, delim: str | None, ncols: int, path: str,
               ) -> tuple[np.ndarray, np.ndarray, int]:
    """Parse matrix lines from ``lines[start]`` until a blank or non-numeric-led line.

    Each line is ``row-axis value`` then ``ncols`` cells. Returns (row axis, cells (nrow, ncols),
    index of the first line after the matrix). Ragged rows and non-numeric cells raise
    :class:`FormatError` with the 1-based line number.
    """
    end = start
    while end < len(lines):
        s = lines[end].strip()
        if not s:
            break
        # first cell only (cheap on long lines): the matrix ends at a non-numeric-led line
        first = s.split(None, 1)[0] if delim is None else s.partition(delim)[0].strip()
        if not _is_number(first):
            break
        end += 1
    body = lines[start:end]
    if not body:
        raise FormatError("no data rows after the axis line", path, start + 1)
    if delim is not None:
        body = [ln.rstrip("\r\n") for ln in body]
        # a trailing delimiter on every line is an empty last column, not data
        if all(ln.rstrip().endswith(delim) for ln in body):
            body = [ln.rstrip()[:-1] for ln in body]
    try:
        arr = np.loadtxt(body, delimiter=delim, ndmin=2, dtype=float, comments=None)
        if arr.shape[1] == ncols + 1:
            return arr[:, 0].copy(), np.ascontiguousarray(arr[:, 1:]), end
    except ValueError:
        pass
    # slow path: find the exact problem (or parse empty cells as NaN)
    out = np.empty((len(body), ncols + 1))
    for k, ln in enumerate(body):
        fields = split_fields(ln, delim)
        if len(fields) != ncols + 1:
            raise FormatError(
                f"ragged row: {len(fields)} cells, expected {ncols + 1} (axis value + {ncols} "
                f"columns, as in the axis line)", path, start + k + 1)
        out[k] = parse_floats(fields, path, start + k + 1, "matrix row")
    return out[:, 0].copy(), out[:, 1:], end


def _plausible_wavelength(ax_nm: np.ndarray) -> bool:
    if ax_nm.size < 2 or ax_nm.min() < 100 or ax_nm.max() > 30000:
        return False
    steps = np.abs(np.diff(ax_nm))
    return bool(steps.max() <= 3 * max(steps.min(), 1e-12))


def _orientation(col_ax: np.ndarray, row_ax: np.ndarray, wl_factor: float, path: str) -> str:
    col_delay, row_delay = col_ax.min() <= 0, row_ax.min() <= 0
    if col_delay != row_delay:
        return "wavelength-rows" if col_delay else "delay-rows"
    col_wl = _plausible_wavelength(col_ax * wl_factor)
    row_wl = _plausible_wavelength(row_ax * wl_factor)
    if col_wl != row_wl:
        return "delay-rows" if col_wl else "wavelength-rows"
    raise FormatError(
        "cannot tell which axis holds delays; pass orientation='wavelength-rows' (one line per "
        "wavelength, delays in the axis line) or orientation='delay-rows'", path, 1)


def read_matrix(
    path: str | Path,
    *,
    orientation: str = "auto",
    delimiter: str | None = "auto",
    delay_unit: str = "ps",
    wavelength_unit: str = "nm",
    dA_unit: str = "OD",
    allow_nan: bool = False,
) -> xr.Dataset:
    """Read a delimited ΔA matrix with axis line and axis column.

    Parameters
    ----------
    path : str or Path
        Text file (never modified).
    orientation : {"auto", "wavelength-rows", "delay-rows"}
        Which axis runs down the first column (see module docstring).
    delimiter : str or None
        ``"auto"`` (sniffed from the axis line), ``","``, ``"\\t"``, ``";"``, a name
        (``"comma"``, ``"tab"``, ``"semicolon"``, ``"whitespace"``) or None (whitespace).
    delay_unit : str
        Units of the delay axis in the file: fs, ps (default), ns, us, s.
    wavelength_unit : str
        Units of the wavelength axis in the file: nm (default), um, A.
    dA_unit : str
        Units of ΔA in the file: OD (default), mOD, uOD.
    allow_nan : bool
        Accept NaN/empty cells (masked points), default False.

    Returns
    -------
    xarray.Dataset
        TA dataset in ps / nm / OD.
    """
    p = str(path)
    if orientation not in ORIENTATIONS:
        raise ParameterError(f"orientation {orientation!r}: use one of {ORIENTATIONS}")
    if wavelength_unit not in NM_PER_UNIT:
        raise ParameterError(f"wavelength_unit {wavelength_unit!r}: use one of "
                             f"{sorted(NM_PER_UNIT)}")
    lines = read_text(path).splitlines()
    i0 = next(i for i, ln in enumerate(lines) if ln.strip())
    if delimiter == "auto":
        delim = sniff_delimiter(lines[i0])
    else:
        delim = _DELIMS.get(delimiter, delimiter) if delimiter is not None else None
    head = split_fields(lines[i0], delim)
    while head and head[-1] == "":
        head.pop()
    if len(head) < 2:
        raise FormatError("axis line has no values (expected: corner cell, then the column axis)",
                          p, i0 + 1)
    col_ax = parse_floats(head[1:], p, i0 + 1, "axis line", first_col=2)
    check_axis(col_ax, "column (axis line)", p, i0 + 1)
    row_ax, cells, end = parse_rows(lines, i0 + 1, delim, col_ax.size, p)
    row_lines = list(range(i0 + 2, i0 + 2 + row_ax.size))
    check_axis(row_ax, "row (first column)", p, row_lines)
    wl_factor = NM_PER_UNIT[wavelength_unit]
    if orientation == "auto":
        orientation = _orientation(col_ax, row_ax, wl_factor, p)
    if orientation == "wavelength-rows":
        wl, t, dA = row_ax * wl_factor, col_ax, cells.T
        wl_where: int | list[int] = row_lines[int(np.argmin(wl))]
    else:
        wl, t, dA = col_ax * wl_factor, row_ax, cells
        wl_where = i0 + 1
    if wl.min() <= 0:
        side = "first column" if orientation == "wavelength-rows" else "axis line"
        raise FormatError(f"wavelength axis ({side}) has a non-positive value {wl.min():g}: "
                          "wrong orientation option?", p, wl_where)
    meta = "\n".join(lines[end:]).strip()

    def where(i: int, j: int) -> int:
        return (i0 + 2 + j) if orientation == "wavelength-rows" else (i0 + 2 + i)

    extra = {"instrument_metadata": meta} if meta else {}
    return build(dA, delay_to_ps(t, delay_unit), wl, p, dA_unit=dA_unit, allow_nan=allow_nan,
                 nan_offset=where, **extra)


def _fmt_rows(first: np.ndarray, cells: np.ndarray, delim: str) -> list[str]:
    pairs = zip(first.tolist(), cells.tolist(), strict=True)
    return [delim.join(map(repr, [float(a), *row])) for a, row in pairs]


def write_matrix(ds: xr.Dataset, path: str | Path, *, orientation: str = "wavelength-rows",
                 delimiter: str = ",", corner: str = "0") -> None:
    """Write a 2-D TA dataset as a delimited matrix (exact: shortest round-trip float repr).

    Parameters
    ----------
    ds : xarray.Dataset
        TA dataset (delay ps, wavelength nm, dA OD); written in these units.
    path : str or Path
        Output file (written atomically).
    orientation : {"wavelength-rows", "delay-rows"}
        Surface Xplorer layout (default) or its transpose.
    delimiter : str
        Cell delimiter, default comma.
    corner : str
        Text of the corner cell.
    """
    if ds["dA"].ndim != 2:
        raise ParameterError("a matrix file holds one map; write each fluence separately")
    t = np.asarray(ds["delay"].values, dtype=float)
    wl = np.asarray(ds["wavelength"].values, dtype=float)
    dA = np.asarray(ds["dA"].transpose("delay", "wavelength").values, dtype=float)
    if orientation == "wavelength-rows":
        axis, first, cells = t, wl, dA.T
    elif orientation == "delay-rows":
        axis, first, cells = wl, t, dA
    else:
        raise ParameterError(f"orientation {orientation!r}: use 'wavelength-rows' or 'delay-rows'")
    lines = [delimiter.join([corner, *map(repr, axis.tolist())]), *_fmt_rows(first, cells,
                                                                             delimiter)]
    meta = ds.attrs.get("instrument_metadata")
    if meta:
        lines += ["", str(meta)]
    text = "\n".join(lines) + "\n"
    atomic_write(path, lambda tmp: Path(tmp).write_text(text, encoding="utf-8"))
