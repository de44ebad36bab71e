"""Preprocessing of TA maps: background, cropping, masking, scan averaging, common grids.

Time zero and chirp live in :mod:`qdgain.ta.chirp`. Every function returns a new Dataset (inputs
are never modified) and sets ``attrs["units"]`` on what it creates.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import xarray as xr

from qdgain.errors import ParameterError
from qdgain.ta.dataset import stack_fluence, ta_dataset
from qdgain.units import with_units

__all__ = ["subtract_background", "crop", "mask_wavelengths", "mask_pump_scatter",
           "average_scans", "common_grid", "resample", "resample_series"]


def subtract_background(ds: xr.Dataset, *, before_ps: float = -0.5) -> xr.Dataset:
    """Subtract the mean pre-time-zero signal of each wavelength (and fluence).

    .. math::  ΔA'(t, λ) = ΔA(t, λ) − ⟨ΔA(t', λ)⟩_{t' < t_b}

    Removes pump scatter and long-lived signal from the previous pulse, which appear at negative
    delays. NaN (masked) points are ignored in the mean.

    Parameters
    ----------
    ds : xarray.Dataset
        TA dataset.
    before_ps : float
        t_b, ps: delays strictly below it form the background (default −0.5 ps; choose it
        before the earliest onset after chirp, see :func:`qdgain.ta.chirp.time_zero`).
    """
    pre = ds["dA"].where(ds["delay"] < before_ps, drop=True)
    if pre.sizes["delay"] == 0:
        raise ParameterError(f"no delay below before_ps={before_ps:g} ps (first delay "
                             f"{float(ds['delay'][0]):g} ps); pick a later before_ps")
    out = ds.copy()
    out["dA"] = with_units(ds["dA"] - pre.mean("delay", skipna=True), "OD",
                           "absorbance change ΔA (background subtracted)")
    out.attrs["background_before_ps"] = float(before_ps)
    return out


def crop(ds: xr.Dataset, *, wavelength_nm: tuple[float, float] | None = None,
         delay_ps: tuple[float, float] | None = None) -> xr.Dataset:
    """Keep wavelengths in [lo, hi] nm and delays in [lo, hi] ps (inclusive)."""
    out = ds
    for name, rng in (("wavelength", wavelength_nm), ("delay", delay_ps)):
        if rng is None:
            continue
        lo, hi = rng
        if not lo < hi:
            raise ParameterError(f"{name} range ({lo}, {hi}): need lo < hi")
        out = out.sel({name: slice(lo, hi)})
        if out.sizes[name] == 0:
            raise ParameterError(f"{name} range ({lo}, {hi}) holds no points")
    return out


def mask_wavelengths(ds: xr.Dataset, ranges_nm: Sequence[tuple[float, float]], *,
                     drop: bool = False) -> xr.Dataset:
    """Mask (NaN) or drop wavelengths inside any of ``ranges_nm`` (e.g. detector seams), nm."""
    wl = ds["wavelength"].values
    bad = np.zeros(wl.size, dtype=bool)
    for lo, hi in ranges_nm:
        bad |= (wl >= lo) & (wl <= hi)
    if drop:
        if bad.all():
            raise ParameterError("masking would drop every wavelength")
        return ds.isel(wavelength=np.flatnonzero(~bad))
    out = ds.copy()
    keep = xr.DataArray(~bad, dims=("wavelength",), coords={"wavelength": ds["wavelength"]})
    out["dA"] = with_units(ds["dA"].where(keep), "OD", "absorbance change ΔA (masked)")
    return out


def mask_pump_scatter(ds: xr.Dataset, *, pump_wavelength_nm: float | None = None,
                      half_width_nm: float = 10.0, drop: bool = False) -> xr.Dataset:
    """Mask wavelengths within ``half_width_nm`` of the pump (``attrs`` value if not given)."""
    pump = pump_wavelength_nm if pump_wavelength_nm is not None else \
        ds.attrs.get("pump_wavelength_nm")
    if pump is None:
        raise ParameterError("pump wavelength unknown: pass pump_wavelength_nm=")
    return mask_wavelengths(ds, [(float(pump) - half_width_nm, float(pump) + half_width_nm)],
                            drop=drop)


def average_scans(scans: Sequence[xr.Dataset], *, reject_sigma: float = 3.0) -> xr.Dataset:
    """Average repeated scans point by point, rejecting outliers.

    A point of scan k is an outlier when |ΔA_k − median_k ΔA| > reject_sigma · 1.4826 · MAD,
    MAD the median absolute deviation over the scans at that point (robust σ). The result is the
    mean of the remaining scans, with ``dA_sem`` (standard error of that mean, OD) and
    ``n_scans`` (scans kept per point).

    Parameters
    ----------
    scans : sequence of xarray.Dataset
        ≥ 2 maps on identical grids.
    reject_sigma : float
        Threshold in robust standard deviations (≥ 3 needs ≥ 3 scans to matter).
    """
    if len(scans) < 2:
        raise ParameterError("average_scans needs at least 2 scans")
    ref = scans[0]
    for i, sc in enumerate(scans[1:], start=1):
        for ax in ("delay", "wavelength"):
            if not np.array_equal(sc[ax].values, ref[ax].values):
                raise ParameterError(f"scan {i}: {ax} grid differs from scan 0; resample first")
    stack = np.stack([np.asarray(sc["dA"].values, dtype=float) for sc in scans])
    med = np.nanmedian(stack, axis=0)
    mad = 1.4826 * np.nanmedian(np.abs(stack - med), axis=0)
    ok = np.abs(stack - med) <= reject_sigma * mad
    ok |= mad == 0  # all scans agree (or only two): keep them
    ok &= np.isfinite(stack)
    n = ok.sum(axis=0)
    mean = np.where(n > 0, np.where(ok, stack, 0).sum(0) / np.maximum(n, 1), np.nan)
    var = np.where(ok, (stack - mean) ** 2, 0).sum(0) / np.maximum(n - 1, 1)
    out = ref.copy()
    out["dA"] = with_units(ref["dA"].copy(data=mean), "OD", "absorbance change ΔA (scan mean)")
    out["dA_sem"] = with_units(ref["dA"].copy(data=np.sqrt(var / np.maximum(n, 1))), "OD",
                               "standard error of the scan mean")
    out["n_scans"] = with_units(ref["dA"].copy(data=n.astype(np.int64)), "1",
                                "scans kept per point")
    out.attrs["n_rejected"] = int(ok.size - ok.sum())
    return out


def common_grid(datasets: Sequence[xr.Dataset]) -> tuple[np.ndarray, np.ndarray]:
    """The overlap of the delay and wavelength ranges of ``datasets``, on the grid of the first.

    Returns
    -------
    (delay_ps, wavelength_nm) : tuple of ndarray
        The first dataset's points lying inside every dataset's range.
    """
    if not datasets:
        raise ParameterError("common_grid: no datasets")
    out = []
    for ax in ("delay", "wavelength"):
        lo = max(float(d[ax].min()) for d in datasets)
        hi = min(float(d[ax].max()) for d in datasets)
        v = datasets[0][ax].values
        v = v[(v >= lo) & (v <= hi)]
        if v.size == 0:
            raise ParameterError(f"the {ax} ranges of the datasets do not overlap")
        out.append(v)
    return out[0], out[1]


def resample(ds: xr.Dataset, delay_ps: np.ndarray, wavelength_nm: np.ndarray) -> xr.Dataset:
    """Linear interpolation of one map onto a new grid inside its range (no extrapolation)."""
    for ax, v in (("delay", delay_ps), ("wavelength", wavelength_nm)):
        lo, hi = float(ds[ax].min()), float(ds[ax].max())
        if np.min(v) < lo or np.max(v) > hi:
            raise ParameterError(f"{ax} grid {np.min(v):g}–{np.max(v):g} leaves the data range "
                                 f"{lo:g}–{hi:g} (no extrapolation)")
    dA = ds["dA"].interp(delay=delay_ps, wavelength=wavelength_nm, method="linear")
    a0 = ds["A0"].interp(wavelength=wavelength_nm).values if "A0" in ds else None
    attrs = {k: v for k, v in ds.attrs.items() if k in _KNOWN}
    return ta_dataset(dA.transpose("delay", "wavelength").values, delay_ps, wavelength_nm,
                      A0=a0, **attrs)


def resample_series(datasets: Sequence[xr.Dataset], fluence_uJ_cm2: Sequence[float],
                    N_mean: Sequence[float] | None = None, *,
                    delay_ps: np.ndarray | None = None,
                    wavelength_nm: np.ndarray | None = None) -> xr.Dataset:
    """Resample measurements onto one grid (default :func:`common_grid`) and stack them.

    Parameters
    ----------
    datasets : sequence of xarray.Dataset
        Maps of a fluence series, possibly on different grids.
    fluence_uJ_cm2 : sequence of float
        Fluence of each, µJ cm⁻², ascending.
    N_mean : sequence of float, optional
        ⟨N⟩ of each (dimensionless).
    delay_ps, wavelength_nm : ndarray, optional
        Target grid, ps and nm.
    """
    t, wl = common_grid(datasets)
    t = t if delay_ps is None else np.asarray(delay_ps, dtype=float)
    wl = wl if wavelength_nm is None else np.asarray(wavelength_nm, dtype=float)
    return stack_fluence([resample(d, t, wl) for d in datasets], fluence_uJ_cm2, N_mean)


_KNOWN = ("pump_wavelength_nm", "pump_power_mW", "fluence_uJ_cm2", "spot_fwhm_um",
          "repetition_rate_Hz", "sample", "path_length_cm", "N_mean", "source_file")
