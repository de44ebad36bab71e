"""Gain lifetime at one wavelength, extrapolated beyond the measured delay window (SPEC §4).

The bleach at a late window is fitted with one exponential referred to the window start t_ref:

.. math:: \\Delta A(t) = c\\,e^{-k (t - t_\\mathrm{ref})},\\qquad \\tau = 1/k

(parameterised by the rate k so that k → 0 — a decay much slower than the window, the paper's
34 ns from a 2.5 ns window — stays well conditioned). The gain lasts while A = ΔA + A0 < 0, so by
extrapolation it ends at

.. math:: t_\\mathrm{end} = t_\\mathrm{ref} + \\ln(-c/A_0)/k\\qquad (-c > A_0 > 0).

Errors are 1σ from the fit covariance (residual variance), first order (delta method). When
k < 2σ_k the decay is not resolved: τ is reported as a lower bound 1/(k + 2σ_k).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

import numpy as np
import xarray as xr

from qdgain.errors import ConvergenceError, ParameterError
from qdgain.ta.gain_analysis._prepare import a0_on_probe_grid

__all__ = ["GainLifetime", "gain_lifetime"]


@dataclass(frozen=True, slots=True)
class GainLifetime:
    """Result of :func:`gain_lifetime` (times in ps, absorbances in OD).

    Attributes
    ----------
    wavelength_nm, N_mean : float
        Pixel and fluence analysed.
    tau_ps, tau_err_ps : float
        Decay time of the bleach and its 1σ error (NaN if not resolved).
    tau_lower_bound_ps : float
        2σ lower bound on τ (always given).
    resolved : bool
        Whether k > 2σ_k.
    amplitude_od : float
        ΔA at t_ref from the fit.
    a0_od : float
        A0 at the pixel.
    gain_end_ps, gain_end_err_ps : float
        Extrapolated time at which A returns to 0 (NaN if no gain at t_ref).
    t_ref_ps, t_max_ps : float
        Fitted window.
    n_points : int
        Delays in the window.
    """

    wavelength_nm: float
    N_mean: float
    tau_ps: float
    tau_err_ps: float
    tau_lower_bound_ps: float
    resolved: bool
    amplitude_od: float
    a0_od: float
    gain_end_ps: float
    gain_end_err_ps: float
    t_ref_ps: float
    t_max_ps: float
    n_points: int

    def to_dict(self) -> dict[str, float | int | bool]:
        """Plain dict (for JSON)."""
        return asdict(self)


def _fit_exp(t: np.ndarray, y: np.ndarray, n_iter: int = 50) -> tuple[float, float, np.ndarray,
                                                                        float]:
    """Gauss–Newton for y = c e^{−k t} (t from the window start); returns c, k, cov, ssr."""
    c = float(np.mean(y[: max(3, y.size // 5)]))
    tail = float(np.mean(y[-max(3, y.size // 5):]))
    k = 0.0
    if c != 0 and tail / c > 0:
        k = max(-np.log(tail / c) / max(t[-1] - t[0], 1e-12), 0.0) if tail != c else 0.0
    for _ in range(n_iter):
        e = np.exp(-k * t)
        r = y - c * e
        j = np.stack([e, -c * t * e], axis=1)
        step, *_ = np.linalg.lstsq(j, r, rcond=None)
        c, k = c + step[0], k + step[1]
        if np.all(np.abs(step) <= 1e-12 * (np.abs([c, k]) + 1e-30)):
            break
    else:
        if not np.all(np.isfinite([c, k])):
            raise ConvergenceError("gain lifetime: exponential fit diverged", n_iter)
    e = np.exp(-k * t)
    j = np.stack([e, -c * t * e], axis=1)
    ssr = float(np.sum((y - c * e) ** 2))
    var = ssr / max(y.size - 2, 1)
    cov = np.linalg.inv(j.T @ j) * var
    return float(c), float(k), cov, ssr


def gain_lifetime(ds: xr.Dataset, a0: xr.DataArray | None = None, *, wavelength_nm: float,
                  N_mean: float | None = None, t_min_ps: float = 500.0,
                  t_max_ps: float | None = None) -> GainLifetime:
    """Fit the late bleach decay at one wavelength and extrapolate the end of gain.

    Parameters
    ----------
    ds : xarray.Dataset
        TA data (single measurement or fluence series; ``dA`` in OD).
    a0 : xarray.DataArray, optional
        A0 (OD) on its own grid; default ``ds["A0"]``.
    wavelength_nm : float
        Probe wavelength, nm (nearest pixel).
    N_mean : float, optional
        ⟨N⟩ of the fluence to use (nearest); default the highest. Ignored without a fluence dim.
    t_min_ps, t_max_ps : float
        Fit window, ps (default from 500 ps to the last delay; after Auger decay).
    """
    ds, a0g, _ = a0_on_probe_grid(ds, a0)
    da = ds["dA"]
    n_sel = float("nan")
    if "fluence" in da.dims:
        n = np.asarray(ds["N_mean"].values, dtype=float)
        i = int(np.nanargmax(n)) if N_mean is None else int(np.nanargmin(np.abs(n - N_mean)))
        da, n_sel = da.isel(fluence=i), float(n[i])
    px = da.sel(wavelength=wavelength_nm, method="nearest")
    wl = float(px["wavelength"])
    a0v = float(a0g.sel(wavelength=wl))
    t = np.asarray(px["delay"].values, dtype=float)
    t_max = float(t[-1]) if t_max_ps is None else float(t_max_ps)
    sel = (t >= t_min_ps) & (t <= t_max) & np.isfinite(px.values)
    if sel.sum() < 4:
        raise ParameterError(f"gain lifetime: only {int(sel.sum())} delays in {t_min_ps:g}–"
                             f"{t_max:g} ps; widen the window (need >= 4)")
    tt, y = t[sel], np.asarray(px.values, dtype=float)[sel]
    t_ref = float(tt[0])
    c, k, cov, _ = _fit_exp(tt - t_ref, y)
    sk = float(np.sqrt(max(cov[1, 1], 0.0)))
    resolved = k > 2 * sk
    tau, tau_err = (1 / k, sk / k**2) if resolved else (float("nan"), float("nan"))
    lower = 1 / (k + 2 * sk) if k + 2 * sk > 0 else float("inf")
    end, end_err = float("nan"), float("nan")
    if a0v > 0 and -c > a0v and k > 0:
        ln = np.log(-c / a0v)
        end = t_ref + ln / k
        g = np.array([1 / (c * k), -ln / k**2])  # d t_end / d(c, k)
        end_err = float(np.sqrt(max(g @ cov @ g, 0.0)))
    return GainLifetime(wl, n_sel, tau, tau_err, lower, bool(resolved), c, a0v, end, end_err,
                        t_ref, float(tt[-1]), int(sel.sum()))
