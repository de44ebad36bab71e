"""Input checks shared by the gain analysis: fluence order, A0 on the probe grid, delay windows."""

from __future__ import annotations

import warnings
from dataclasses import dataclass

import numpy as np
import xarray as xr

from qdgain.convert import require_units
from qdgain.errors import ParameterError
from qdgain.units import with_units

__all__ = ["A0Overlap", "sorted_series", "a0_on_probe_grid", "window_mean", "estimate_noise_od"]


@dataclass(frozen=True, slots=True)
class A0Overlap:
    """How A0 was brought onto the probe grid.

    Attributes
    ----------
    lower_nm, upper_nm : float
        Wavelength range used (overlap of the probe and A0 ranges), nm.
    n_probe_dropped : int
        Probe pixels outside the A0 range (dropped from the analysis).
    interpolated : bool
        True when A0 was linearly interpolated (its grid differs from the probe grid).
    """

    lower_nm: float
    upper_nm: float
    n_probe_dropped: int
    interpolated: bool

    def as_attrs(self) -> dict[str, object]:
        """Attributes recorded on every result (NetCDF-friendly types)."""
        return {"A0_overlap_nm": [self.lower_nm, self.upper_nm],
                "A0_probe_pixels_dropped": self.n_probe_dropped,
                "A0_interpolated": int(self.interpolated)}


def sorted_series(ds: xr.Dataset) -> xr.Dataset:
    """Check a fluence series and return it sorted by ⟨N⟩ (warning if it was not).

    Parameters
    ----------
    ds : xarray.Dataset
        TA fluence series: ``dA`` (fluence, delay, wavelength) in OD, coord ``N_mean``.

    Raises
    ------
    ParameterError
        No ``dA``/``fluence`` dim, wrong units, ⟨N⟩ missing or non-finite, duplicated ⟨N⟩.
    """
    if "dA" not in ds:
        raise ParameterError("gain analysis: the dataset has no 'dA' variable (TA data model, "
                             "docs/interfaces.md)")
    require_units(ds["dA"], "OD", "dA")
    if ds["dA"].dims != ("fluence", "delay", "wavelength"):
        raise ParameterError(f"gain analysis needs dA with dims (fluence, delay, wavelength), got "
                             f"{ds['dA'].dims}; stack single measurements with "
                             "qdgain.ta.dataset.stack_fluence")
    if "N_mean" not in ds.coords:
        raise ParameterError("gain analysis: coord 'N_mean' (⟨N⟩ per fluence) is missing; compute "
                             "it with qdgain.calibration.mean_excitons or pass --N")
    n = np.asarray(ds["N_mean"].values, dtype=float)
    if not np.all(np.isfinite(n)) or np.any(n <= 0):
        raise ParameterError(f"gain analysis: N_mean must be finite and > 0 for every fluence, got "
                             f"{n.tolist()}; compute it with qdgain.calibration.mean_excitons")
    order = np.argsort(n, kind="stable")
    ns = n[order]
    if np.any(np.diff(ns) == 0):
        dup = ns[:-1][np.diff(ns) == 0]
        raise ParameterError(f"gain analysis: duplicated ⟨N⟩ {sorted(set(dup.tolist()))} in the "
                             "fluence series; average the repeated measurements or drop one")
    if np.any(order != np.arange(n.size)):
        warnings.warn(f"fluence series not sorted by ⟨N⟩ ({n.tolist()}); sorted ascending",
                      UserWarning, stacklevel=3)
        ds = ds.isel(fluence=order)
    return ds


def a0_on_probe_grid(ds: xr.Dataset, a0: xr.DataArray | None = None
                     ) -> tuple[xr.Dataset, xr.DataArray, A0Overlap]:
    """Bring the ground-state absorbance A0 onto the probe grid, restricted to the overlap.

    A0 is linearly interpolated (its own grid may be coarser, finer or wider). Probe pixels
    outside the A0 range are dropped with a warning and reported in :class:`A0Overlap`.

    Parameters
    ----------
    ds : xarray.Dataset
        TA data with a ``wavelength`` coord (nm) and optionally ``A0``.
    a0 : xarray.DataArray, optional
        A0 (OD) on its own ``wavelength`` coord (nm); default ``ds["A0"]``.

    Returns
    -------
    (dataset restricted to the overlap, A0 on that grid (OD), overlap info)
    """
    if a0 is None:
        if "A0" not in ds:
            raise ParameterError("missing A0: the nonlinear absorbance A = ΔA + A0 needs the "
                                 "ground-state absorbance; pass --a0 FILE (or a0=DataArray)")
        a0 = ds["A0"]
    require_units(a0, "OD", "A0")
    if a0.dims != ("wavelength",):
        raise ParameterError(f"A0 must have the single dim 'wavelength', got {a0.dims}")
    wl_a0 = np.asarray(a0["wavelength"].values, dtype=float)
    v_a0 = np.asarray(a0.values, dtype=float)
    ok = np.isfinite(wl_a0) & np.isfinite(v_a0)
    wl_a0, v_a0 = wl_a0[ok], v_a0[ok]
    if wl_a0.size < 2:
        raise ParameterError("A0 has fewer than 2 finite points")
    idx = np.argsort(wl_a0)
    wl_a0, v_a0 = wl_a0[idx], v_a0[idx]
    wl = np.asarray(ds["wavelength"].values, dtype=float)
    inside = (wl >= wl_a0[0]) & (wl <= wl_a0[-1])
    if not inside.any():
        raise ParameterError(f"A0 ({wl_a0[0]:g}–{wl_a0[-1]:g} nm) and ΔA ({wl[0]:g}–{wl[-1]:g} "
                             "nm) do not overlap; give A0 measured over the probe range")
    same = wl_a0.size == wl.size and np.allclose(wl_a0, wl, rtol=0, atol=1e-9)
    n_drop = int((~inside).sum())
    if n_drop:
        warnings.warn(f"A0 covers {wl_a0[0]:g}–{wl_a0[-1]:g} nm, ΔA {wl[0]:g}–{wl[-1]:g} nm: "
                      f"{n_drop} probe pixels outside A0 dropped", UserWarning, stacklevel=3)
        ds = ds.isel(wavelength=np.flatnonzero(inside))
        wl = wl[inside]
    vals = v_a0 if same else np.interp(wl, wl_a0, v_a0)
    out = with_units(xr.DataArray(vals, dims=("wavelength",), coords={"wavelength": ds.wavelength},
                                  name="A0"), "OD", "ground-state absorbance A0 (probe grid)")
    return ds, out, A0Overlap(float(wl[0]), float(wl[-1]), n_drop, not same)


def window_mean(ds: xr.Dataset, delay_ps: float, window_ps: float | None = None
                ) -> tuple[xr.DataArray, np.ndarray]:
    """ΔA averaged over the delays in [delay − w/2, delay + w/2] (nearest delay if w is None).

    Parameters
    ----------
    ds : xarray.Dataset
        Fluence series (``dA`` with a ``delay`` dim, ps).
    delay_ps : float
        Centre of the window, ps.
    window_ps : float, optional
        Full width of the window, ps; None or 0 → the single nearest measured delay.

    Returns
    -------
    (ΔA (…, wavelength) in OD, delays used in ps)
    """
    t = np.asarray(ds["delay"].values, dtype=float)
    step = float(np.max(np.diff(t))) if t.size > 1 else 0.0
    if delay_ps < t[0] - step or delay_ps > t[-1] + step:
        raise ParameterError(f"delay {delay_ps:g} ps is outside the measured delays "
                             f"{t[0]:g}–{t[-1]:g} ps; choose --delay inside the range")
    if not window_ps:
        sel = np.array([int(np.argmin(np.abs(t - delay_ps)))])
    else:
        sel = np.flatnonzero(np.abs(t - delay_ps) <= window_ps / 2)
        if sel.size == 0:
            raise ParameterError(f"no delay within {delay_ps:g} ± {window_ps / 2:g} ps; widen the "
                                 "window or pick a measured delay")
    sub = ds["dA"].isel(delay=sel)
    mean = sub.mean("delay", skipna=True) if sel.size > 1 else sub.isel(delay=0, drop=True)
    return with_units(mean, "OD", "ΔA (delay window mean)"), t[sel]


def estimate_noise_od(ds: xr.Dataset, n_window: int, t_pre_ps: float = -1.0
                      ) -> tuple[np.ndarray, str]:
    """Noise (one σ, OD) of the window-averaged ΔA at each wavelength, and how it was found.

    Pre-time-zero delays (≤ ``t_pre_ps``, at least 5) give σ per wavelength from the scatter
    (pooled over fluences), divided by √n_window. Otherwise σ comes from the second difference
    along wavelength of the window spectra: σ = 1.4826 MAD(Δ²ΔA)/√6 (robust to smooth spectra).

    Parameters
    ----------
    ds : xarray.Dataset
        Fluence series.
    n_window : int
        Number of delays averaged in the analysis window.
    t_pre_ps : float
        Delays at or below this (ps) count as pre-time-zero.
    """
    t = np.asarray(ds["delay"].values, dtype=float)
    pre = np.flatnonzero(t <= t_pre_ps)
    da = ds["dA"]
    if pre.size >= 5:
        x = np.asarray(da.isel(delay=pre).values, dtype=float)
        var = np.nanvar(x, axis=1, ddof=1)  # (fluence, wavelength)
        sig = np.sqrt(np.nanmean(var, axis=0)) / np.sqrt(max(n_window, 1))
        return sig, f"pre-time-zero scatter ({pre.size} delays <= {t_pre_ps:g} ps)"
    x = np.asarray(da.isel(delay=int(np.argmax(t))).values, dtype=float)
    d2 = np.diff(x, n=2, axis=-1)
    mad = np.nanmedian(np.abs(d2 - np.nanmedian(d2, axis=-1, keepdims=True)), axis=-1)
    sig = float(np.nanmedian(1.4826 * mad / np.sqrt(6.0))) / np.sqrt(max(n_window, 1))
    return np.full(da.sizes["wavelength"], sig), "spectral second difference (MAD)"
