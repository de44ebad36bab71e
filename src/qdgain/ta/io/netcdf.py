"""qdgain's own NetCDF (HDF5-based NetCDF-4 via h5netcdf; NetCDF-3 classic read via SciPy).

The file is the data model itself (docs/interfaces.md): ``dA`` ([fluence,] delay, wavelength),
optional ``A0``, coords with ``units`` attrs, metadata in global attrs. ΔA stored in mOD/uOD is
converted to OD on read.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import xarray as xr

from qdgain.errors import FormatError
from qdgain.ta.dataset import OD_PER_UNIT, validate_ta
from qdgain.ta.io._common import atomic_write
from qdgain.units import with_units

__all__ = ["read_netcdf", "write_netcdf", "can_guess_netcdf", "HDF5_MAGIC"]

HDF5_MAGIC = b"\x89HDF\r\n\x1a\n"
_CDF_MAGICS = (b"CDF\x01", b"CDF\x02", b"CDF\x05")


def can_guess_netcdf(head: bytes) -> bool:
    """True for an HDF5 signature or a NetCDF-3 classic signature."""
    return head.startswith(HDF5_MAGIC) or head.startswith(_CDF_MAGICS)


def read_netcdf(path: str | Path, *, allow_nan: bool = False) -> xr.Dataset:
    """Read a TA dataset written by :func:`write_netcdf` (or any file following the data model).

    Parameters
    ----------
    path : str or Path
        NetCDF file (never modified).
    allow_nan : bool
        Accept NaN in ``dA``/``A0`` (masked points), default False.

    Returns
    -------
    xarray.Dataset
        Loaded into memory (the file is closed); ``attrs["source_file"]`` set to ``path``.
    """
    p = str(path)
    with open(p, "rb") as fh:
        head = fh.read(8)
    if not can_guess_netcdf(head):
        raise FormatError("not a NetCDF file (no HDF5 or CDF signature at byte 0)", p, 0)
    engine = "scipy" if head.startswith(_CDF_MAGICS) else "h5netcdf"
    try:
        with xr.open_dataset(p, engine=engine) as f:
            ds = f.load()
    except (OSError, ValueError, KeyError, TypeError, IndexError, AttributeError,
            RuntimeError) as exc:
        raise FormatError(f"cannot read as NetCDF: {type(exc).__name__}: {exc}", p, 0) from None
    if "dA" in ds:
        units = ds["dA"].attrs.get("units")
        if units in OD_PER_UNIT and units != "OD":
            ds["dA"] = with_units(ds["dA"] * OD_PER_UNIT[units], "OD", "absorbance change ΔA")
    problems = [pr for pr in validate_ta(ds) if not (allow_nan and "NaN" in pr.what)]
    if problems:
        raise FormatError("not a qdgain TA dataset: " + "; ".join(map(str, problems)), p)
    ds.attrs["source_file"] = p
    return ds


def _clean_attrs(attrs: dict[str, Any]) -> dict[str, Any]:
    out = {}
    for k, v in attrs.items():
        if v is None:
            continue
        out[k] = int(v) if isinstance(v, bool | np.bool_) else v
    return out


def write_netcdf(ds: xr.Dataset, path: str | Path) -> None:
    """Write a TA dataset as NetCDF-4 (h5netcdf), float64 exact, atomically.

    Parameters
    ----------
    ds : xarray.Dataset
        TA dataset (not modified).
    path : str or Path
        Output file.
    """
    out = ds.copy(deep=False)
    out.attrs = _clean_attrs(dict(ds.attrs))
    for name in out.variables:
        out[name].attrs = _clean_attrs(dict(ds[name].attrs))
        out[name].encoding = {}
    atomic_write(path, lambda tmp: out.to_netcdf(tmp, engine="h5netcdf"))
