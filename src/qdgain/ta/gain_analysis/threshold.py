"""Gain threshold ⟨N⟩_th(λ) from a fluence series at a delay window (SPEC §3).

Two estimators, both with error bars:

* ``interp`` — the first zero crossing of A(⟨N⟩) = ΔA + A0, linearly interpolated between the
  two bracketing points. The point ⟨N⟩ = 0, A = A0 is exact (no pump, no change) and is included,
  so a crossing below the lowest measured ⟨N⟩ is still interpolated (and flagged).
  Error: σ_N = Δ σ_A √(A_k² + A_{k+1}²) / (A_k − A_{k+1})² (first order in the noise σ_A of both
  points, Δ = N_{k+1} − N_k).
* ``fit`` — saturation model −ΔA = (s/k)(1 − e^{−kN}) fitted over all fluences
  (:mod:`._saturation`), N_th where −ΔA = A0; error by the delta method on the fit covariance.

No gain in the measured range is never a silent NaN: ``status`` says so (flag meanings in the
attrs), ``N_th_lower_bound`` holds ⟨N⟩_max there, and :func:`describe_threshold` prints
"no gain up to ⟨N⟩ = …". The ⟨N⟩ calibration error (32 % in the paper) is a common scale on all
values and is not included in the per-wavelength error bars.
"""

from __future__ import annotations

import numpy as np
import xarray as xr

from qdgain.errors import ParameterError
from qdgain.ta.gain_analysis._prepare import (
    a0_on_probe_grid,
    estimate_noise_od,
    sorted_series,
    window_mean,
)
from qdgain.ta.gain_analysis._saturation import fit_saturation, threshold_from_fit
from qdgain.units import with_units

__all__ = ["gain_threshold", "describe_threshold", "STATUS_MEANINGS"]

#: status codes of the interpolation estimator (CF flag_values / flag_meanings)
STATUS_MEANINGS = {0: "crossing_between_measured_fluences",
                   1: "no_gain_up_to_N_max",
                   2: "crossing_below_lowest_N_interpolated_from_N0",
                   3: "A0_not_positive_threshold_undefined",
                   4: "masked_NaN_data_at_the_crossing"}
#: status codes of the fit estimator
FIT_STATUS_MEANINGS = {0: "threshold_within_measured_range",
                       1: "no_gain_bleach_saturates_below_A0",
                       2: "threshold_extrapolated_beyond_N_max",
                       3: "A0_not_positive_threshold_undefined",
                       4: "fit_not_possible_fewer_than_3_fluences"}


def _interp_threshold(n: np.ndarray, a: np.ndarray, a0: np.ndarray, sig: np.ndarray
                      ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """First crossing of A from ≥ 0 to < 0 along ⟨N⟩ (rows), with the point (0, A0) prepended."""
    nn = np.concatenate([[0.0], n])
    aa = np.concatenate([a0[None, :], a], axis=0)  # (n_f + 1, n_wl)
    neg = aa < 0
    neg[0] = False
    has = neg.any(axis=0)
    k = np.where(has, np.argmax(neg, axis=0), 1)  # first negative row, >= 1
    cols = np.arange(aa.shape[1])
    a_lo, a_hi = aa[k - 1, cols], aa[k, cols]
    dn = nn[k] - nn[k - 1]
    den = a_lo - a_hi
    with np.errstate(divide="ignore", invalid="ignore"):
        nth = nn[k - 1] + dn * a_lo / den
        sig_lo = np.where(k - 1 == 0, 0.0, sig)  # A0 at N = 0 carries no TA noise
        err = dn * np.sqrt((sig_lo * a_hi) ** 2 + (sig * a_lo) ** 2) / den**2
    status = np.where(has, np.where(k == 1, 2, 0), 1)
    # a masked (NaN) point just before the first amplifying one: the crossing is not bracketed
    status = np.where(has & ~np.isfinite(nth), 4, status)
    bad = ~(a0 > 0)
    status = np.where(bad, 3, status)
    nth = np.where((status == 0) | (status == 2), nth, np.nan)
    err = np.where(np.isfinite(nth), err, np.nan)
    return nth, err, status.astype(np.int8)


def gain_threshold(ds: xr.Dataset, a0: xr.DataArray | None = None, *, delay_ps: float = 2500.0,
                   window_ps: float | None = None, noise_od: float | None = None,
                   max_N_fit: float | None = None) -> xr.Dataset:
    """Gain threshold ⟨N⟩_th(λ) at one delay window, by interpolation and by a saturation fit.

    Parameters
    ----------
    ds : xarray.Dataset
        Fluence series (``dA`` (fluence, delay, wavelength) OD, coord ``N_mean``; optional
        ``A0``). Unsorted ⟨N⟩ is sorted with a warning; duplicated ⟨N⟩ raises.
    a0 : xarray.DataArray, optional
        Ground-state absorbance (OD) on its own ``wavelength`` grid (nm); default ``ds["A0"]``.
        Only the overlap of the A0 and probe ranges is analysed (reported in the attrs).
    delay_ps : float
        Centre of the delay window, ps (paper: 2500 late, 10 early).
    window_ps : float, optional
        Full width of the delay window, ps; None → the single nearest delay.
    noise_od : float, optional
        One-σ noise of the window-averaged ΔA, OD; default: estimated from the data.
    max_N_fit : float, optional
        Use only ⟨N⟩ ≤ this in the saturation fit (exclude charging-induced losses).

    Returns
    -------
    xarray.Dataset
        Per wavelength: ``N_th``/``N_th_err`` (interpolation), ``N_th_fit``/``N_th_fit_err``,
        ``status``/``status_fit`` (flags), ``N_th_lower_bound``, ``A0``, ``noise``,
        ``fit_slope``, ``fit_rate``, ``snr`` (A0/σ: relative N_th error ≈ 1/snr); per
        (fluence, wavelength): ``A``, ``dA``, ``bleach_norm``.
    """
    ds = sorted_series(ds)
    ds, a0g, overlap = a0_on_probe_grid(ds, a0)
    da, used = window_mean(ds, delay_ps, window_ps)
    n = np.asarray(ds["N_mean"].values, dtype=float)
    dav = np.asarray(da.transpose("fluence", "wavelength").values, dtype=float)
    a0v = np.asarray(a0g.values, dtype=float)
    if noise_od is None:
        sig, how = estimate_noise_od(ds, used.size)
    else:
        if noise_od < 0:
            raise ParameterError(f"noise_od must be >= 0, got {noise_od}")
        sig, how = np.full(a0v.shape, float(noise_od)), "given"
    a = dav + a0v[None, :]
    nth, err, status = _interp_threshold(n, a, a0v, sig)

    sel = n <= max_N_fit if max_N_fit is not None else np.ones(n.size, bool)
    if max_N_fit is not None and sel.sum() < 3:
        raise ParameterError(f"saturation fit needs >= 3 fluences with ⟨N⟩ <= max_N_fit, have "
                             f"{int(sel.sum())}; raise max_N_fit")
    if sel.sum() < 3:  # a 2-fluence series: interpolation only, the fit is flagged (status 4)
        nan = np.full(a0v.shape, np.nan)
        s, k, ssr, cov = nan, nan, nan, np.full(a0v.shape + (2, 2), np.nan)
    else:
        s, k, ssr, cov = fit_saturation(n[sel], -dav[sel])
    dof = np.maximum(np.isfinite(dav[sel]).sum(axis=0) - 2, 1)
    var = np.maximum(ssr / dof, sig**2)
    nfit = threshold_from_fit(s, k, a0v)
    hs, hk = 1e-6 * np.maximum(np.abs(s), 1e-12), 1e-6 * np.maximum(k, 1e-3 / n.max())
    gs = (threshold_from_fit(s + hs, k, a0v) - threshold_from_fit(s - hs, k, a0v)) / (2 * hs)
    gk = (threshold_from_fit(s, k + hk, a0v) - threshold_from_fit(s, np.maximum(k - hk, 0), a0v)
          ) / (k + hk - np.maximum(k - hk, 0))
    gvar = gs**2 * cov[:, 0, 0] + 2 * gs * gk * cov[:, 0, 1] + gk**2 * cov[:, 1, 1]
    nfit_err = np.sqrt(np.abs(gvar * var))
    nmax = float(n.max())
    sfit = np.where(np.isfinite(nfit), np.where(nfit > nmax, 2, 0), 1)
    sfit = np.where(a0v > 0, sfit, 3)
    sfit = np.where(np.isfinite(s), sfit, 4).astype(np.int8)
    nfit = np.where(a0v > 0, nfit, np.nan)
    nfit_err = np.where(np.isfinite(nfit), nfit_err, np.nan)

    wl = ds["wavelength"]
    fl = {"fluence": ds["fluence"], "N_mean": ds["N_mean"]}
    out = xr.Dataset(coords={"wavelength": wl, **fl})

    def put(name: str, vals: np.ndarray, units: str, long: str, fdim: bool = False) -> None:
        dims = ("fluence", "wavelength") if fdim else ("wavelength",)
        out[name] = with_units(xr.DataArray(vals, dims=dims), units, long)

    put("N_th", nth, "1", "gain threshold ⟨N⟩_th (zero-crossing interpolation)")
    put("N_th_err", err, "1", "1σ error of N_th (TA noise only)")
    put("N_th_fit", nfit, "1", "gain threshold ⟨N⟩_th (saturation-model fit)")
    put("N_th_fit_err", nfit_err, "1", "1σ error of N_th_fit (fit covariance)")
    put("N_th_lower_bound", np.where(status == 1, nmax, np.nan), "1",
        "no gain up to this ⟨N⟩ (where status = no_gain_up_to_N_max)")
    put("status", status, "1", "threshold status (interpolation)")
    out["status"].attrs.update(flag_values=np.array(list(STATUS_MEANINGS), np.int8),
                               flag_meanings=" ".join(STATUS_MEANINGS.values()))
    put("status_fit", sfit, "1", "threshold status (fit)")
    out["status_fit"].attrs.update(flag_values=np.array(list(FIT_STATUS_MEANINGS), np.int8),
                                   flag_meanings=" ".join(FIT_STATUS_MEANINGS.values()))
    put("fit_slope", s, "OD", "initial slope s = d(-ΔA)/d⟨N⟩ of the saturation fit")
    put("fit_rate", k, "1", "saturation rate k of the fit (-ΔA = s/k (1 - e^{-kN}))")
    put("A0", a0v, "OD", "ground-state absorbance A0 (probe grid)")
    put("noise", sig, "OD", "1σ noise of the window-averaged ΔA")
    with np.errstate(divide="ignore", invalid="ignore"):
        put("snr", np.where(sig > 0, a0v / sig, np.inf), "1",
            "A0/σ: signal-to-noise of the threshold (|ΔA| = A0 at threshold)")
    put("dA", dav, "OD", "ΔA (delay window mean)", fdim=True)
    put("A", a, "OD", "nonlinear absorbance A = ΔA + A0", fdim=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        put("bleach_norm", np.where(a0v > 0, -dav / a0v, np.nan), "1",
            "normalised bleach -ΔA/A0 (NaN where A0 <= 0)", fdim=True)
    out.attrs.update(overlap.as_attrs())
    out.attrs.update(delay_ps=float(delay_ps), window_ps=float(window_ps or 0.0),
                     delays_used_ps=used, N_max=nmax, N_min=float(n.min()), noise_method=how,
                     note="N_th errors exclude the common <N> calibration error (scale factor)")
    return out


def describe_threshold(result: xr.Dataset, wavelength_nm: float, method: str = "interp") -> str:
    """One-line text for the threshold at the pixel nearest ``wavelength_nm``.

    Parameters
    ----------
    result : xarray.Dataset
        Output of :func:`gain_threshold`.
    wavelength_nm : float
        Wavelength, nm.
    method : {"interp", "fit"}
        Which estimator to describe.
    """
    if method not in ("interp", "fit"):
        raise ParameterError(f"method must be 'interp' or 'fit', got {method!r}")
    px = result.sel(wavelength=wavelength_nm, method="nearest")
    wl = float(px["wavelength"])
    v, e, st = ((px["N_th"], px["N_th_err"], int(px["status"])) if method == "interp" else
                (px["N_th_fit"], px["N_th_fit_err"], int(px["status_fit"])))
    if st == 1:
        return f"{wl:.1f} nm: no gain up to ⟨N⟩ = {result.attrs['N_max']:.3g}"
    if st == 3:
        return f"{wl:.1f} nm: A0 <= 0, threshold undefined"
    if st == 4:
        return (f"{wl:.1f} nm: masked (NaN) data at the crossing" if method == "interp" else
                f"{wl:.1f} nm: no fit (fewer than 3 fluences)")
    tail = {0: "", 2: (" (below the lowest measured ⟨N⟩)" if method == "interp" else
                       " (extrapolated beyond ⟨N⟩_max)")}[st]
    return f"{wl:.1f} nm: ⟨N⟩_th = {float(v):.3g} ± {float(e):.2g}{tail}"
