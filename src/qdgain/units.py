"""Unit helpers: one internal system (eV, nm, ps, cm^-1, cm^2) and explicit ``units`` attrs.

xarray does not convert or reliably propagate units; every function that creates or transforms a
variable sets ``attrs["units"]`` itself through :func:`with_units` (STYLE R2).
"""

from __future__ import annotations

from typing import TypeVar

import numpy as np
import xarray as xr

from qdgain.constants import HC_EV_NM
from qdgain.errors import ParameterError

__all__ = ["with_units", "ev_to_nm", "nm_to_ev", "require_units"]

T = TypeVar("T", xr.DataArray, xr.Dataset)


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


def require_units(obj: xr.DataArray, expected: str, name: str | None = None) -> None:
    """Raise :class:`ParameterError` unless ``obj.attrs["units"] == expected``."""
    got = obj.attrs.get("units")
    if got != expected:
        label = name or obj.name or "variable"
        raise ParameterError(
            f"{label!s}: expected units {expected!r}, found {got!r}; convert it first "
            f"(qdgain never guesses units)"
        )


def nm_to_ev(wavelength_nm: np.ndarray | float) -> np.ndarray | float:
    """Photon energy (eV) of a vacuum wavelength (nm): E = hc / λ."""
    lam = np.asarray(wavelength_nm, dtype=float)
    if np.any(lam <= 0):
        raise ParameterError("wavelength must be > 0 nm")
    return HC_EV_NM / lam


def ev_to_nm(energy_ev: np.ndarray | float) -> np.ndarray | float:
    """Vacuum wavelength (nm) of a photon energy (eV): λ = hc / E."""
    e = np.asarray(energy_ev, dtype=float)
    if np.any(e <= 0):
        raise ParameterError("photon energy must be > 0 eV")
    return HC_EV_NM / e
