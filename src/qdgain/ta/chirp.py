r"""Time zero and chirp (group-velocity dispersion of the white-light probe).

The probe's colours reach the sample at different times, so time zero depends on wavelength:
t₀(λ). We estimate an onset time per wavelength, fit a polynomial robustly, and shift every trace:

.. math::

    t_0(\lambda) = \sum_{k=0}^{d} c_k x^k, \qquad x = (\lambda - \lambda_c) / 100\,\mathrm{nm}

    \Delta A_\mathrm{corr}(t, \lambda) = \Delta A(t + t_0(\lambda), \lambda)

(linear interpolation in t), so the onset of every corrected trace sits at t = 0.

Onset estimators (per wavelength, after averaging ``smooth_pixels`` neighbouring wavelengths):

- ``"derivative"``: the time of the steepest change, argmax |∂ΔA/∂t| (refined to sub-step by a
  parabola through the three samples); follows the coherent artefact where it dominates, else the
  rise of the signal;
- ``"threshold"``: the first time |ΔA − baseline| stays above ``fraction`` × its maximum for
  three samples (linear interpolation between samples): the half-rise point of the onset.

The polynomial is fitted by least squares with iterative rejection of outliers (residual
> 3 × 1.4826 × MAD), weighting out wavelengths whose signal-to-noise ratio is below ``snr_min``.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr
from scipy.ndimage import gaussian_filter1d, uniform_filter1d
from scipy.special import erf

from qdgain.errors import ParameterError
from qdgain.units import with_units

__all__ = ["ChirpFit", "onset_times", "fit_chirp", "correct_chirp", "chirp_correct",
           "time_zero", "shift_time_zero"]

_X_SCALE_NM = 100.0


@dataclass(frozen=True, slots=True)
class ChirpFit:
    """Result of :func:`fit_chirp`.

    Attributes
    ----------
    coefficients_ps : tuple of float
        c₀ … c_d of t₀(λ) = Σ c_k x^k, x = (λ − λ_c)/100 nm; ps.
    center_nm : float
        λ_c, nm.
    curve : xarray.DataArray
        Fitted t₀(λ) on the dataset's wavelengths, ps (plot it over the map).
    onsets : xarray.DataArray
        Raw per-wavelength onset estimates, ps (NaN where the signal was too weak).
    inliers : xarray.DataArray
        bool per wavelength: used in the final fit.
    method : str
        Onset estimator used.
    rms_residual_ps : float
        RMS of the inlier residuals of the polynomial fit, ps.
    """

    coefficients_ps: tuple[float, ...]
    center_nm: float
    curve: xr.DataArray
    onsets: xr.DataArray
    inliers: xr.DataArray
    method: str
    rms_residual_ps: float

    def __call__(self, wavelength_nm: np.ndarray | float) -> np.ndarray:
        """t₀ (ps) at ``wavelength_nm`` (nm)."""
        x = (np.asarray(wavelength_nm, dtype=float) - self.center_nm) / _X_SCALE_NM
        return np.polynomial.polynomial.polyval(x, self.coefficients_ps)


def _map(ds: xr.Dataset) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    if ds["dA"].ndim != 2:
        raise ParameterError("chirp functions take one map (delay, wavelength); select one "
                             "fluence first, e.g. ds.isel(fluence=-1)")
    dA = np.asarray(ds["dA"].transpose("delay", "wavelength").values, dtype=float)
    return dA, np.asarray(ds["delay"].values, float), np.asarray(ds["wavelength"].values, float)


def onset_times(
    ds: xr.Dataset,
    *,
    method: str = "derivative",
    window_ps: tuple[float, float] | None = None,
    smooth_pixels: int = 5,
    fraction: float = 0.5,
    snr_min: float = 5.0,
) -> xr.DataArray:
    """Per-wavelength onset (time-zero) estimate, ps; NaN where the signal is too weak.

    Parameters
    ----------
    ds : xarray.Dataset
        One TA map (delay ps, wavelength nm).
    method : {"derivative", "threshold"}
        Estimator (module docstring).
    window_ps : (float, float), optional
        Delay window searched, ps. Default: ±5 ps around the steepest change of the
        wavelength-averaged |∂ΔA/∂t| (never before the first delay).
    smooth_pixels : int
        Neighbouring wavelengths averaged before the estimate (noise reduction); keep their
        span well below the range over which t₀ changes by one delay step.
    fraction : float
        Threshold fraction of the maximal |ΔA| for ``"threshold"`` (0.5: half rise).
    snr_min : float
        Minimal ratio of the peak |ΔA| (or peak derivative) in the window to the pre-onset noise
        (standard deviation of the first 10 % of the window).
    """
    if method not in ("derivative", "threshold", "model"):
        raise ParameterError(f"method {method!r}: use 'derivative', 'threshold' or 'model'")
    dA, t, _ = _map(ds)
    lo, hi = window_ps if window_ps is not None else _default_window(dA, t)
    sel = np.flatnonzero((t >= lo) & (t <= hi))
    if sel.size < 8:
        raise ParameterError(f"onset window {lo:g}–{hi:g} ps holds {sel.size} delays; need ≥ 8")
    tw = t[sel]
    s = np.nan_to_num(dA[sel], nan=0.0)
    if smooth_pixels > 1:
        s = uniform_filter1d(s, size=int(smooth_pixels), axis=1, mode="nearest")
    n_pre = max(3, sel.size // 10)
    base = s[:n_pre].mean(axis=0)
    noise = s[:n_pre].std(axis=0, ddof=1) + 1e-300
    out = np.full(s.shape[1], np.nan)
    if method in ("derivative", "model"):
        g = np.abs(np.gradient(gaussian_filter1d(s, 1.0, axis=0), tw, axis=0))
        k = np.argmax(g, axis=0)
        gnoise = g[:n_pre].std(axis=0, ddof=1) + g[:n_pre].mean(axis=0) + 1e-300
        good = g[k, np.arange(s.shape[1])] > snr_min * gnoise
        kk = np.clip(k, 1, tw.size - 2)
        cols = np.arange(s.shape[1])
        y0, y1, y2 = g[kk - 1, cols], g[kk, cols], g[kk + 1, cols]
        den = y0 - 2 * y1 + y2
        frac = np.where(den < 0, 0.5 * (y0 - y2) / np.where(den == 0, 1, den), 0.0)
        frac = np.clip(frac, -0.5, 0.5)
        step = np.where(frac >= 0, tw[kk + 1] - tw[kk], tw[kk] - tw[kk - 1])
        out[good] = (tw[kk] + frac * step)[good]
        if method == "model":
            stride = max(1, int(smooth_pixels), -(-s.shape[1] // 128))
            out = _refine_model(s, tw, out, stride)
        return _onsets_da(ds, out, method)
    level = np.abs(s - base)
    amax = level.max(axis=0)
    good = amax > snr_min * noise
    above = level >= fraction * amax
    run = above[:-2] & above[1:-1] & above[2:]
    for j in np.flatnonzero(good & run.any(axis=0)):
        k = int(np.argmax(run[:, j]))
        if k == 0:
            continue
        a, b = level[k - 1, j], level[k, j]
        thr = fraction * amax[j]
        out[j] = tw[k - 1] + (thr - a) / (b - a) * (tw[k] - tw[k - 1]) if b > a else tw[k]
    return _onsets_da(ds, out, method)


def _basis(tau: np.ndarray, sigma: float) -> np.ndarray:
    """Columns: offset, step Φ, slope after onset, Gaussian G and its derivatives G', G''."""
    u = tau / sigma
    g = np.exp(-0.5 * u**2)
    phi = 0.5 * (1.0 + erf(u / np.sqrt(2.0)))
    return np.stack([np.ones_like(u), phi, phi * tau, g, -u * g, (u**2 - 1) * g], axis=-1)


def _refine_model(s: np.ndarray, t: np.ndarray, first: np.ndarray, stride: int) -> np.ndarray:
    r"""Refine onsets by least squares on a scan of t₀ (and the IRF width σ).

    Model per wavelength (linear in the amplitudes a, solved exactly for each trial t₀, σ):

    .. math::

        s(t) = a_0 + a_1 Φ(τ/σ) + a_2 τ Φ(τ/σ) + a_3 G + a_4 G' + a_5 G'',\quad τ = t - t_0

    with G the unit Gaussian of width σ — a step convolved with a Gaussian IRF plus a coherent
    artefact of any mixture of the Gaussian and its first two derivatives. Evaluated at every
    ``stride``-th wavelength (NaN elsewhere).
    """
    dt = float(np.median(np.diff(t)))
    sigmas = dt * np.array([0.75, 1.25, 2.0, 3.0, 5.0])
    out = np.full(first.shape, np.nan)
    for j in range(0, first.size, stride):
        if not np.isfinite(first[j]):
            continue
        w = np.abs(t - first[j]) <= max(8 * sigmas[-1], 12 * dt)
        tw, y = t[w], s[w, j]
        half = 3 * sigmas[-1]
        coarse = first[j] + np.arange(-half, half + 1e-12, dt / 2)
        scans = [_rss(tw, y, coarse, sig) for sig in sigmas]
        i_sig = int(np.argmin([r.min() for r in scans]))
        k = int(np.argmin(scans[i_sig]))
        if k == 0 or k == coarse.size - 1:
            continue  # optimum at the scan edge: not trustworthy
        fine = coarse[k] + np.arange(-dt / 2, dt / 2 + 1e-12, dt / 10)
        rss = _rss(tw, y, fine, sigmas[i_sig])
        k = int(np.argmin(rss))
        est = fine[k]
        if 0 < k < fine.size - 1:
            den = rss[k - 1] - 2 * rss[k] + rss[k + 1]
            if den > 0:
                est += float(np.clip(0.5 * (rss[k - 1] - rss[k + 1]) / den, -0.5, 0.5)) * dt / 10
        out[j] = est
    return out


def _rss(tw: np.ndarray, y: np.ndarray, cand: np.ndarray, sigma: float) -> np.ndarray:
    """Residual sum of squares of the linear model fit for each trial t₀ in ``cand``."""
    X = _basis(tw[None, :] - cand[:, None], sigma)  # (n_c, n_w, 6)
    Xt = X.transpose(0, 2, 1)
    xtx = Xt @ X + 1e-12 * np.eye(6)
    xty = Xt @ y
    beta = np.linalg.solve(xtx, xty[..., None])[..., 0]
    return y @ y - np.sum(beta * xty, axis=1)


def _default_window(dA: np.ndarray, t: np.ndarray, half_ps: float = 5.0) -> tuple[float, float]:
    """±``half_ps`` around the half rise of the wavelength-averaged |ΔA − ΔA(first delays)|.

    The average over wavelengths rises across the whole chirp, so its half rise sits inside the
    chirp even when the scan starts long before time zero.
    """
    z = np.nan_to_num(dA)
    m = np.mean(np.abs(z - z[: max(3, t.size // 50)].mean(axis=0)), axis=1)
    k = np.flatnonzero(m >= 0.5 * m.max())
    tc = float(t[k[0]]) if k.size else float(t[0])
    lo = max(float(t[0]), tc - half_ps)
    return lo, max(tc + half_ps, lo + 2 * half_ps)


def _onsets_da(ds: xr.Dataset, values: np.ndarray, method: str) -> xr.DataArray:
    da = xr.DataArray(values, dims=("wavelength",), coords={"wavelength": ds["wavelength"]},
                      name="onset")
    da = with_units(da, "ps", f"onset time ({method})")
    return da


def fit_chirp(
    ds: xr.Dataset,
    *,
    degree: int = 3,
    method: str = "derivative",
    window_ps: tuple[float, float] | None = None,
    smooth_pixels: int = 5,
    fraction: float = 0.5,
    snr_min: float = 5.0,
    reject_sigma: float = 3.0,
    max_iter: int = 20,
) -> ChirpFit:
    """Estimate t₀(λ) by a robust polynomial fit to per-wavelength onsets.

    Parameters
    ----------
    ds : xarray.Dataset
        One TA map (delay ps, wavelength nm).
    degree : int
        Polynomial degree (3 is usual for a white-light continuum).
    method, window_ps, smooth_pixels, fraction, snr_min
        Passed to :func:`onset_times`.
    reject_sigma : float
        Outlier threshold in robust standard deviations (1.4826 × MAD of residuals).
    max_iter : int
        Maximal rejection rounds.

    Returns
    -------
    ChirpFit
        Coefficients, fitted curve (ps) on the dataset's wavelengths, raw onsets, inlier mask.
    """
    onsets = onset_times(ds, method=method, window_ps=window_ps, smooth_pixels=smooth_pixels,
                         fraction=fraction, snr_min=snr_min)
    wl = np.asarray(ds["wavelength"].values, dtype=float)
    y = onsets.values
    use = np.isfinite(y)
    if use.sum() < degree + 2:
        raise ParameterError(
            f"only {int(use.sum())} wavelengths have a detectable onset (need ≥ {degree + 2}); "
            "lower snr_min, widen window_ps or lower the degree")
    center = float(0.5 * (wl.min() + wl.max()))
    x = (wl - center) / _X_SCALE_NM
    dt = float(np.median(np.diff(np.asarray(ds["delay"].values, dtype=float))))
    coef = np.zeros(degree + 1)
    for _ in range(max_iter):
        coef = np.polynomial.polynomial.polyfit(x[use], y[use], degree)
        r = y - np.polynomial.polynomial.polyval(x, coef)
        mad = 1.4826 * np.median(np.abs(r[use]))
        thr = reject_sigma * max(mad, 0.25 * dt)
        new = np.isfinite(y) & (np.abs(r) <= thr)
        if new.sum() < degree + 2 or np.array_equal(new, use):
            break
        use = new
    r = y - np.polynomial.polynomial.polyval(x, coef)
    curve = xr.DataArray(np.polynomial.polynomial.polyval(x, coef), dims=("wavelength",),
                         coords={"wavelength": ds["wavelength"]}, name="t0")
    inl = xr.DataArray(use, dims=("wavelength",), coords={"wavelength": ds["wavelength"]},
                       name="inlier")
    return ChirpFit(tuple(float(c) for c in coef), center,
                    with_units(curve, "ps", "fitted time zero t0(λ)"), onsets,
                    inl.assign_attrs(units="1"), method,
                    float(np.sqrt(np.mean(r[use] ** 2))))


def correct_chirp(ds: xr.Dataset, t0: ChirpFit | xr.DataArray | np.ndarray, *,
                  crop: bool = True) -> xr.Dataset:
    """Shift every trace by its t₀(λ): ΔA_corr(t, λ) = ΔA(t + t₀(λ), λ) (linear interpolation).

    Parameters
    ----------
    ds : xarray.Dataset
        One TA map (not modified).
    t0 : ChirpFit or array_like
        Fit result, or t₀ per wavelength (ps).
    crop : bool
        Keep only delays at which no trace is extrapolated (default). Otherwise those points
        are NaN.

    Returns
    -------
    xarray.Dataset
        Same variables and attrs; ``attrs["chirp_t0_ps"]`` holds t₀ per wavelength.
    """
    dA, t, wl = _map(ds)
    shift = t0.curve.values if isinstance(t0, ChirpFit) else np.asarray(t0, dtype=float)
    if shift.shape != wl.shape:
        raise ParameterError(f"t0 has shape {shift.shape}, expected ({wl.size},)")
    out = np.empty_like(dA)
    for j in range(wl.size):
        out[:, j] = np.interp(t + shift[j], t, dA[:, j], left=np.nan, right=np.nan)
    keep = np.ones(t.size, dtype=bool)
    if crop:
        keep = (t + shift.min() >= t[0]) & (t + shift.max() <= t[-1])
    res = ds.isel(delay=np.flatnonzero(keep)).copy()
    res["dA"] = with_units(xr.DataArray(out[keep], dims=("delay", "wavelength"),
                                        coords={"delay": res["delay"],
                                                "wavelength": res["wavelength"]}),
                           "OD", "absorbance change ΔA (chirp corrected)")
    res["delay"] = with_units(res["delay"], "ps", "pump-probe delay")
    res.attrs["chirp_t0_ps"] = shift
    return res


def chirp_correct(ds: xr.Dataset, **options: object) -> tuple[xr.Dataset, ChirpFit]:
    """Fit the chirp (:func:`fit_chirp` options) and correct it; returns (corrected, fit)."""
    crop = bool(options.pop("crop", True))
    fit = fit_chirp(ds, **options)  # type: ignore[arg-type]
    return correct_chirp(ds, fit, crop=crop), fit


def time_zero(ds: xr.Dataset, **options: object) -> float:
    """One time zero for the map, ps: the median of the per-wavelength onsets.

    Options are those of :func:`onset_times`.
    """
    on = onset_times(ds, **options)  # type: ignore[arg-type]
    if not np.isfinite(on.values).any():
        raise ParameterError("no wavelength has a detectable onset; lower snr_min")
    return float(np.nanmedian(on.values))


def shift_time_zero(ds: xr.Dataset, t0_ps: float) -> xr.Dataset:
    """Return ``ds`` with delays t − t₀ (ps), so that the given time zero becomes 0."""
    out = ds.assign_coords(delay=ds["delay"].values - float(t0_ps))
    out["delay"] = with_units(out["delay"], "ps", "pump-probe delay")
    out.attrs["time_zero_shift_ps"] = float(t0_ps)
    return out
