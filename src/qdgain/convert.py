"""Unit conversions and unit checks that need constants and the error family.

A base utility beside ``units`` (which stays dependency-free: xarray labelling only). It imports
only :mod:`qdgain.constants` and :mod:`qdgain.errors`, so every layer may use it.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from qdgain.constants import HC_EV_NM
from qdgain.errors import ParameterError

__all__ = ["ev_to_nm", "nm_to_ev", "require_units"]


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
