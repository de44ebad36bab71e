"""Ground truth of a gain model: noise-free nonlinear absorbance, thresholds, bandwidth, lifetime.

These are what an analysis of data simulated from the same model must recover (closed-loop
tests). Everything is recomputed from the model (kinetics × state cross sections); nothing is
copied from the paper.

- threshold ⟨N⟩_th(λ): the smallest ⟨N⟩ at which A(λ, t, ⟨N⟩) = A0 + ΔA crosses zero (gain
  A < 0), at a chosen delay t (paper: 2.5 ns), found on a log grid and refined by bisection;
- bandwidth at ⟨N⟩ = 0.3: the wavelength interval where A < 0 around the threshold minimum;
- gain lifetime: the CB1-electron lifetime of a single exciton, 1/(1/τ_X + 1/τ_capture).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from qdgain.errors import ParameterError
from qdgain.gain.kinetics import N_MAX_CAP, modes
from qdgain.gain.models import GainModel, absorbance_scale_od_per_cm2
from qdgain.gain.poisson import check_mean_excitons, n_max_for
from qdgain.gain.spectra import state_cross_sections_cm2
from qdgain.units import with_units

__all__ = ["nonlinear_absorbance", "threshold_spectrum", "gain_band", "GroundTruth",
           "ground_truth", "check_probe_grid"]


def check_probe_grid(wavelength_nm: np.ndarray, band_nm: tuple[float, float],
                     what: str = "probe grid") -> np.ndarray:
    """Return the grid as a float array; raise if it does not cover ``band_nm`` (nm)."""
    lam = np.asarray(wavelength_nm, dtype=float)
    if lam.ndim != 1 or lam.size < 2 or np.any(~np.isfinite(lam)) or np.any(np.diff(lam) <= 0):
        raise ParameterError(f"{what}: need a strictly ascending 1-D wavelength grid (nm) "
                             "with at least 2 points")
    lo, hi = band_nm
    if lam[0] > lo or lam[-1] < hi:
        raise ParameterError(
            f"{what} {lam[0]:.1f}–{lam[-1]:.1f} nm does not cover the requested band "
            f"{lo:.1f}–{hi:.1f} nm; extend the grid or narrow the band")
    return lam


def nonlinear_absorbance(model: GainModel, N_mean: np.ndarray | float, delay_ps: float,
                         wavelength_nm: np.ndarray) -> np.ndarray:
    """Noise-free nonlinear absorbance A = A0 + ΔA of the sample (OD), no instrument response.

    .. math:: A(\\lambda, t, \\langle N\\rangle) = \\frac{cL}{\\ln 10}
              \\sum_s P_s(t; \\langle N\\rangle)\\,\\sigma_s(\\lambda)

    Parameters
    ----------
    model : GainModel
        Sample model.
    N_mean : float or array, shape (F,)
        Mean excitons per dot ⟨N⟩ (>= 0).
    delay_ps : float
        Pump–probe delay, ps (>= 0; ⟨N⟩ = 0 gives A0).
    wavelength_nm : ndarray, shape (W,)
        Probe wavelengths, nm.

    Returns
    -------
    ndarray, shape (F, W)
        A, OD.
    """
    lam = check_mean_excitons(N_mean)
    m = modes(model.kinetics, lam)
    P = m.delta_populations(np.array([float(delay_ps)]))[:, 0, :]
    P[:, 0] += 1.0
    sig = state_cross_sections_cm2(model.spectra, m.states, np.asarray(wavelength_nm, float))
    return absorbance_scale_od_per_cm2(model) * (P @ sig)


def threshold_spectrum(model: GainModel, wavelength_nm: np.ndarray, delay_ps: float = 2500.0,
                       N_max: float = 5.0, n_grid: int = 160, rtol: float = 1e-4) -> np.ndarray:
    """⟨N⟩_th(λ): the smallest ⟨N⟩ with A(λ, t, ⟨N⟩) <= 0, NaN where no gain up to ``N_max``.

    A log grid of ⟨N⟩ from 1e-4 to ``N_max`` brackets the first sign change; bisection in
    log ⟨N⟩ refines it to relative precision ``rtol``.

    Parameters
    ----------
    model : GainModel
        Sample model.
    wavelength_nm : ndarray, shape (W,)
        Probe wavelengths, nm.
    delay_ps : float
        Delay at which the threshold is taken, ps.
    N_max : float
        Largest ⟨N⟩ searched.
    n_grid : int
        Points of the bracketing grid.
    rtol : float
        Relative precision of the threshold.

    Returns
    -------
    ndarray, shape (W,)
        ⟨N⟩_th (dimensionless), NaN where A stays > 0.
    """
    lam_nm = np.asarray(wavelength_nm, dtype=float)
    grid = np.geomspace(1e-4, N_max, n_grid)
    n_max = min(n_max_for(N_max), N_MAX_CAP)
    m = modes(model.kinetics, grid, n_max)
    sig = absorbance_scale_od_per_cm2(model) * state_cross_sections_cm2(
        model.spectra, m.states, lam_nm)

    P = m.delta_populations(np.array([float(delay_ps)]))[:, 0, :]
    P[:, 0] += 1.0
    A = P @ sig  # (n_grid, W)
    neg = A <= 0
    found = neg.any(axis=0)
    first = np.argmax(neg, axis=0)
    out = np.full(lam_nm.size, np.nan)
    cols = np.flatnonzero(found & (first > 0))
    out[found & (first == 0)] = grid[0]
    if cols.size:
        lo = np.log(grid[first[cols] - 1])
        hi = np.log(grid[first[cols]])
        sub = sig[:, cols]
        while np.max(hi - lo) > rtol:
            mid = 0.5 * (lo + hi)
            mm = modes(model.kinetics, np.exp(mid), n_max)
            Pm = mm.delta_populations(np.array([float(delay_ps)]))[:, 0, :]
            Pm[:, 0] += 1.0
            a = np.einsum("ws,sw->w", Pm, sub)
            hi = np.where(a <= 0, mid, hi)
            lo = np.where(a <= 0, lo, mid)
        out[cols] = np.exp(0.5 * (lo + hi))
    return out


def gain_band(wavelength_nm: np.ndarray, absorbance: np.ndarray,
              around_nm: float | None = None) -> tuple[float, float, bool, bool]:
    """Edges of the contiguous A < 0 interval (nm), linearly interpolated at the zero crossings.

    Parameters
    ----------
    wavelength_nm : ndarray, shape (W,)
        Wavelengths, nm (ascending).
    absorbance : ndarray, shape (W,)
        Nonlinear absorbance A, OD.
    around_nm : float, optional
        Pick the interval containing (or nearest to) this wavelength; default the widest.

    Returns
    -------
    low_nm, high_nm : float
        Band edges, nm (NaN, NaN if A >= 0 everywhere).
    low_open, high_open : bool
        The band reaches the end of the grid (the true edge lies beyond it).
    """
    lam = np.asarray(wavelength_nm, float)
    a = np.asarray(absorbance, float)
    neg = a < 0
    if not neg.any():
        return float("nan"), float("nan"), False, False
    edges = np.flatnonzero(np.diff(np.concatenate([[0], neg.astype(int), [0]])))
    segs = list(zip(edges[::2], edges[1::2] - 1, strict=True))
    if around_nm is None:
        i0, i1 = max(segs, key=lambda s: lam[s[1]] - lam[s[0]])
    else:
        i0, i1 = min(segs, key=lambda s: 0.0 if lam[s[0]] <= around_nm <= lam[s[1]]
                     else min(abs(lam[s[0]] - around_nm), abs(lam[s[1]] - around_nm)))

    def cross(j: int, k: int) -> float:  # zero of the line through (lam_j, a_j), (lam_k, a_k)
        return float(lam[j] + a[j] * (lam[k] - lam[j]) / (a[j] - a[k]))

    low = float(lam[0]) if i0 == 0 else cross(i0 - 1, i0)
    high = float(lam[-1]) if i1 == lam.size - 1 else cross(i1, i1 + 1)
    return low, high, i0 == 0, i1 == lam.size - 1


@dataclass(frozen=True, slots=True)
class GroundTruth:
    """What an analysis of simulated data should recover.

    Attributes
    ----------
    threshold : xarray.DataArray
        ⟨N⟩_th(λ) at ``delay_ps`` on the wavelength grid (units "1"; NaN: no gain).
    min_threshold_N : float
        Smallest threshold in the gain window.
    min_threshold_wavelength_nm : float
        Where it occurs, nm.
    band_N : float
        ⟨N⟩ at which the bandwidth is taken.
    band_nm : tuple of float
        Gain band (low, high) at ``band_N``, nm.
    band_open : tuple of bool
        Whether each edge lies beyond the grid.
    gain_lifetime_ps : float
        Single-exciton gain lifetime, ps.
    delay_ps : float
        Delay of the threshold analysis, ps.
    """

    threshold: xr.DataArray
    min_threshold_N: float
    min_threshold_wavelength_nm: float
    band_N: float
    band_nm: tuple[float, float]
    band_open: tuple[bool, bool]
    gain_lifetime_ps: float
    delay_ps: float

    def to_dict(self) -> dict[str, Any]:
        """Scalars as a JSON-ready dict (units in the keys)."""
        return {
            "min_threshold_N": self.min_threshold_N,
            "min_threshold_wavelength_nm": self.min_threshold_wavelength_nm,
            "band_N": self.band_N, "band_low_nm": self.band_nm[0],
            "band_high_nm": self.band_nm[1], "band_low_open": self.band_open[0],
            "band_high_open": self.band_open[1], "gain_lifetime_ps": self.gain_lifetime_ps,
            "delay_ps": self.delay_ps,
        }


def ground_truth(model: GainModel, wavelength_nm: np.ndarray | None = None, *,
                 delay_ps: float | None = None, band_N: float = 0.3,
                 N_max: float = 5.0) -> GroundTruth:
    """Thresholds, minimum, bandwidth and gain lifetime of ``model`` (noise-free).

    Parameters
    ----------
    model : GainModel
        Sample model.
    wavelength_nm : ndarray, optional
        Wavelength grid, nm; must cover ``model.gain_window_nm`` (default: that window, 1 nm).
    delay_ps : float, optional
        Delay of the threshold analysis, ps (default ``model.threshold_delay_ps``, paper: 2500).
    band_N : float
        ⟨N⟩ at which the gain bandwidth is reported (paper: 0.3).
    N_max : float
        Largest ⟨N⟩ searched for thresholds.

    Raises
    ------
    ParameterError
        The grid does not cover the gain window; ``band_N`` < 0.
    """
    lo, hi = model.gain_window_nm
    delay_ps = model.threshold_delay_ps if delay_ps is None else float(delay_ps)
    if wavelength_nm is None:
        wavelength_nm = np.arange(lo, hi + 0.5, 1.0)
    lam = check_probe_grid(wavelength_nm, model.gain_window_nm, "ground-truth wavelength grid")
    inside = (lam >= lo) & (lam <= hi)
    th = threshold_spectrum(model, lam, delay_ps, N_max)
    win = np.where(inside, th, np.nan)
    if np.all(np.isnan(win)):
        mn, at = float("nan"), float("nan")
    else:
        i = int(np.nanargmin(win))
        mn, at = float(win[i]), float(lam[i])
    check_mean_excitons(band_N, "band_N")
    a = nonlinear_absorbance(model, band_N, delay_ps, lam[inside])[0]
    b_lo, b_hi, o_lo, o_hi = gain_band(lam[inside], a, None if np.isnan(at) else at)
    da = xr.DataArray(th, dims=("wavelength",), coords={"wavelength": lam}, name="N_threshold")
    da["wavelength"] = with_units(da["wavelength"], "nm")
    da = with_units(da, "1", "gain threshold <N>_th")
    da.attrs["delay_ps"] = float(delay_ps)
    return GroundTruth(threshold=da, min_threshold_N=mn, min_threshold_wavelength_nm=at,
                       band_N=float(band_N), band_nm=(b_lo, b_hi), band_open=(o_lo, o_hi),
                       gain_lifetime_ps=model.kinetics.gain_lifetime_ps,
                       delay_ps=float(delay_ps))
