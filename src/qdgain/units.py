"""Unit labels: one internal system (eV, nm, ps, cm^-1, cm^2) and explicit ``units`` attrs.

Dependency-free (the bottom of the layer order); conversions that need constants or raise
qdgain errors live in :mod:`qdgain.convert`.

xarray does not convert or reliably propagate units; every function that creates or transforms a
variable sets ``attrs["units"]`` itself through :func:`with_units` (STYLE R2).
"""

from __future__ import annotations

import xarray as xr

__all__ = ["with_units"]

def with_units(obj: xr.DataArray, units: str, long_name: str | None = None) -> xr.DataArray:
    """Return ``obj`` with ``attrs["units"]`` (and optionally ``long_name``) set.

    Parameters
    ----------
    obj : xarray.DataArray
        Variable to label (modified copy returned; the input is not changed).
    units : str
        Unit string, e.g. ``"OD"``, ``"cm^-1"``, ``"ps"``.
    long_name : str, optional
        Human-readable name for plots.
    """
    out = obj.copy(deep=False)
    out.attrs = dict(obj.attrs)
    out.attrs["units"] = units
    if long_name is not None:
        out.attrs["long_name"] = long_name
    return out
