"""Nonlinear absorbance A = ΔA + A0 and normalised bleach −ΔA/A0 of whole TA maps (SPEC §3)."""

from __future__ import annotations

import xarray as xr

from qdgain.ta.gain_analysis._prepare import a0_on_probe_grid
from qdgain.units import with_units

__all__ = ["nonlinear_absorbance", "normalised_bleach"]


def nonlinear_absorbance(ds: xr.Dataset, a0: xr.DataArray | None = None) -> xr.Dataset:
    """A = ΔA + A0 on the probe grid (A < 0 ⇔ net gain).

    .. math:: A(\\lambda, t) = \\Delta A(\\lambda, t) + A_0(\\lambda)

    Parameters
    ----------
    ds : xarray.Dataset
        TA data (``dA`` in OD, any leading dims).
    a0 : xarray.DataArray, optional
        A0 (OD) on its own ``wavelength`` grid (nm); default ``ds["A0"]``. Only the overlap of the
        two wavelength ranges is kept; the attrs record it (``A0_overlap_nm``, pixels dropped).

    Returns
    -------
    xarray.Dataset
        ``A`` (like ``dA``) and ``A0`` (wavelength), both in OD.
    """
    ds, a0g, overlap = a0_on_probe_grid(ds, a0)
    out = xr.Dataset({"A": with_units(ds["dA"] + a0g, "OD", "nonlinear absorbance A = ΔA + A0"),
                      "A0": a0g})
    out.attrs.update(overlap.as_attrs())
    return out


def normalised_bleach(ds: xr.Dataset, a0: xr.DataArray | None = None,
                      min_a0_od: float = 0.0) -> xr.DataArray:
    """Normalised bleach −ΔA/A0 (> 1 means gain); NaN where A0 ≤ ``min_a0_od`` (recorded).

    Parameters
    ----------
    ds : xarray.Dataset
        TA data (``dA`` in OD).
    a0 : xarray.DataArray, optional
        A0 (OD) on its own grid; default ``ds["A0"]``.
    min_a0_od : float
        Pixels with A0 at or below this (OD) are masked (the ratio is meaningless there).
    """
    ds, a0g, overlap = a0_on_probe_grid(ds, a0)
    out = (-ds["dA"] / a0g).where(a0g > min_a0_od)
    out = with_units(out, "1", "normalised bleach -ΔA/A0")
    out.attrs.update(overlap.as_attrs())
    out.attrs["masked_where"] = f"A0 <= {min_a0_od:g} OD"
    return out.rename("bleach_norm")
