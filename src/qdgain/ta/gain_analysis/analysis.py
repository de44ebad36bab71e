"""The full gain analysis of a fluence series in one call (what ``qdgain ta gain`` runs).

Steps: sort/check the series → A0 on the probe grid (overlap reported) → thresholds at the late
window (and the early one: multi-exciton vs single-exciton gain) → gain band and telecom
overlap per fluence → intrinsic and film material gain (needs A_400) → gain lifetime at one
wavelength → A(t) kinetics there for the figures. Returns one Dataset (every variable with
``units``), saved as NetCDF by the CLI; :func:`gain_summary` condenses it for ``--json``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from qdgain.calibration import (
    PAPER_MU_I_400_CM,
    film_material_gain_cm,
    intrinsic_gain_cm,
    volume_fraction,
)
from qdgain.errors import ParameterError
from qdgain.ta.gain_analysis._prepare import a0_on_probe_grid, sorted_series
from qdgain.ta.gain_analysis.bandwidth import gain_bandwidth
from qdgain.ta.gain_analysis.lifetime import gain_lifetime
from qdgain.ta.gain_analysis.threshold import gain_threshold
from qdgain.units import with_units

__all__ = ["GainOptions", "analyze_gain_series", "gain_summary"]


@dataclass(frozen=True, slots=True)
class GainOptions:
    """Options of :func:`analyze_gain_series` (times ps, wavelengths nm).

    Attributes
    ----------
    delay_ps, window_ps : float
        Late delay window centre and full width (None: nearest delay).
    early_delay_ps, early_window_ps : float
        Early window (multi-exciton gain); None skips it.
    noise_od : float or None
        Noise of the window-averaged ΔA, OD (None: estimated).
    max_N_fit : float or None
        Largest ⟨N⟩ used in the saturation fit.
    lifetime_wavelength_nm : float or None
        Pixel for the gain lifetime and kinetics (None: deepest gain at the highest ⟨N⟩).
    lifetime_t_min_ps : float
        Start of the lifetime fit window, ps.
    mu_i_400_cm : float
        Intrinsic absorption coefficient at 400 nm, cm⁻¹ (default: the paper's 4.84e5).
    a400_od : float or None
        Sample absorbance at 400 nm (None: read from A0 if it covers 400 nm).
    film_volume_fraction : float
        Volume fraction of a close-packed film (0.2–0.3).
    min_snr : float
        Thresholds count for the minimum (summary) only where A0/σ > min_snr.
    band_min_sigma : float
        A gain band needs a pixel with A < −z σ (z = this); 0 is the plain A < 0 rule.
    """

    delay_ps: float = 2500.0
    window_ps: float | None = None
    early_delay_ps: float | None = 10.0
    early_window_ps: float | None = None
    noise_od: float | None = None
    max_N_fit: float | None = None
    lifetime_wavelength_nm: float | None = None
    lifetime_t_min_ps: float = 500.0
    mu_i_400_cm: float = PAPER_MU_I_400_CM
    a400_od: float | None = None
    film_volume_fraction: float = 0.25
    min_snr: float = 3.0
    band_min_sigma: float = 3.0


def _a400(a0: xr.DataArray, given: float | None) -> float | None:
    if given is not None:
        if given <= 0:
            raise ParameterError(f"a400_od must be > 0, got {given}")
        return float(given)
    wl = np.asarray(a0["wavelength"].values, dtype=float)
    if wl.min() <= 400.0 <= wl.max():
        order = np.argsort(wl)
        return float(np.interp(400.0, wl[order], np.asarray(a0.values, float)[order]))
    return None


def analyze_gain_series(ds: xr.Dataset, a0: xr.DataArray | None = None,
                        options: GainOptions | None = None) -> xr.Dataset:
    """Run the complete gain analysis of a fluence series.

    Parameters
    ----------
    ds : xarray.Dataset
        Fluence series in the ta data model (``dA`` (fluence, delay, wavelength) OD, ``N_mean``).
    a0 : xarray.DataArray, optional
        Ground-state absorbance (OD) on its own ``wavelength`` grid; default ``ds["A0"]``.
    options : GainOptions, optional
        Analysis options (defaults: paper's 2.5 ns and 10 ps windows, μ_i = 4.84e5 cm⁻¹).

    Returns
    -------
    xarray.Dataset
        Threshold spectra (late: ``N_th``, ``N_th_fit`` …; early: ``N_th_early`` …), spectra
        ``A``/``dA``/``bleach_norm`` (fluence, wavelength), band edges and telecom overlap per
        fluence, ``g_i``/``g_film`` (cm⁻¹) when A_400 is known, lifetime scalars, ``A_kinetics``.
    """
    opt = options or GainOptions()
    ds = sorted_series(ds)
    a0_full = ds["A0"] if a0 is None and "A0" in ds else a0
    res = gain_threshold(ds, a0, delay_ps=opt.delay_ps, window_ps=opt.window_ps,
                         noise_od=opt.noise_od, max_N_fit=opt.max_N_fit)
    t = np.asarray(ds["delay"].values, dtype=float)
    if opt.early_delay_ps is not None and t[0] <= opt.early_delay_ps <= t[-1]:
        early = gain_threshold(ds, a0, delay_ps=opt.early_delay_ps,
                               window_ps=opt.early_window_ps, noise_od=opt.noise_od,
                               max_N_fit=opt.max_N_fit)
        for name in ("N_th", "N_th_err", "N_th_fit", "N_th_fit_err", "status", "status_fit",
                     "A", "snr"):
            v = early[name].copy()
            v.attrs["long_name"] = str(v.attrs.get("long_name", name)) + " (early window)"
            res[name + "_early"] = v
        res.attrs["early_delay_ps"] = float(opt.early_delay_ps)
        res.attrs["early_delays_used_ps"] = early.attrs["delays_used_ps"]
    res["max_bleach_norm"] = with_units(
        res["bleach_norm"].max("fluence", skipna=True).drop_vars(["N_mean"], errors="ignore"),
        "1", "largest -ΔA/A0 of the series (> 2 is impossible for a simple 3-level system)")
    bw = gain_bandwidth(res["A"], noise_od=res["noise"].values, min_sigma=opt.band_min_sigma)
    res.attrs.update(min_snr=opt.min_snr, band_min_sigma=opt.band_min_sigma)
    res = res.merge(bw.drop_vars(["fluence", "N_mean"], errors="ignore"), compat="override")

    a400 = _a400(a0_full, opt.a400_od)
    if a400 is not None:
        path = float(ds.attrs.get("path_length_cm", 1.0))  # cancels in g_i = -mu_i A / A_400
        f = volume_fraction(a400, opt.mu_i_400_cm, path)
        gi = intrinsic_gain_cm(res["A"], f, path)
        res["g_i"] = with_units(gi, "cm^-1", "intrinsic gain g_i = -ln10 A/(f L)")
        res["g_film"] = with_units(film_material_gain_cm(gi, opt.film_volume_fraction),
                                   "cm^-1", "film material gain g_i f_film")
        res.attrs.update(A400_od=a400, volume_fraction=float(f), mu_i_400_cm=opt.mu_i_400_cm,
                         film_volume_fraction=opt.film_volume_fraction)
    else:
        res.attrs["material_gain"] = ("not computed: A0 does not cover 400 nm; give the sample "
                                      "absorbance at 400 nm (--a400)")

    lam = opt.lifetime_wavelength_nm
    if lam is None:
        last = res["A"].isel(fluence=-1)
        lam = float(res["wavelength"][int(np.nanargmin(last.values))])
    ds_o, a0g, _ = a0_on_probe_grid(ds, a0)
    px = ds_o["dA"].sel(wavelength=lam, method="nearest")
    res["A_kinetics"] = with_units(px + float(a0g.sel(wavelength=px["wavelength"])), "OD",
                                   "A(t) = ΔA + A0 at the lifetime wavelength")
    res["A_kinetics"] = res["A_kinetics"].drop_vars("wavelength", errors="ignore")
    res["delay"] = with_units(res["delay"], "ps", "pump-probe delay")
    try:
        life = gain_lifetime(ds, a0, wavelength_nm=lam, t_min_ps=opt.lifetime_t_min_ps)
        for key in ("tau_ps", "tau_err_ps", "tau_lower_bound_ps", "gain_end_ps",
                    "gain_end_err_ps"):
            res["lifetime_" + key] = with_units(xr.DataArray(getattr(life, key)), "ps", key)
        res.attrs.update(lifetime_wavelength_nm=life.wavelength_nm,
                         lifetime_N_mean=life.N_mean, lifetime_resolved=int(life.resolved),
                         lifetime_window_ps=[life.t_ref_ps, life.t_max_ps])
    except ParameterError as exc:
        res.attrs["lifetime"] = f"not computed: {exc}"
    for name in ("wavelength", "fluence", "N_mean"):
        res[name].attrs.setdefault("units", {"wavelength": "nm", "fluence": "uJ/cm^2",
                                             "N_mean": "1"}[name])
    return res


def _nan_to_none(x: float) -> float | None:
    return None if not np.isfinite(x) else float(x)


def gain_summary(res: xr.Dataset) -> dict[str, Any]:
    """Condense an :func:`analyze_gain_series` result into a JSON-friendly dict.

    Parameters
    ----------
    res : xarray.Dataset
        Result of :func:`analyze_gain_series`.
    """
    out: dict[str, Any] = {"delay_ps": res.attrs["delay_ps"],
                           "delays_used_ps": np.asarray(res.attrs["delays_used_ps"]).tolist(),
                           "N_mean": res["N_mean"].values.tolist(),
                           "N_max": res.attrs["N_max"],
                           "A0_overlap_nm": np.asarray(res.attrs["A0_overlap_nm"]).tolist(),
                           "A0_probe_pixels_dropped": int(res.attrs["A0_probe_pixels_dropped"])}
    for m, var in (("interp", "N_th"), ("fit", "N_th_fit")):
        v = res[var].values
        st = res["status" if m == "interp" else "status_fit"].values
        usable = np.isfinite(v) & (res["snr"].values > res.attrs["min_snr"])
        if m == "fit":
            usable &= st != 2
        if usable.any():
            i = int(np.nanargmin(np.where(usable, v, np.inf)))
            out[f"min_threshold_{m}"] = {"N_th": float(v[i]), "snr": float(res["snr"].values[i]),
                                         "err": _nan_to_none(res[var + "_err"].values[i]),
                                         "wavelength_nm": float(res["wavelength"][i])}
        else:
            out[f"min_threshold_{m}"] = f"no gain up to <N> = {res.attrs['N_max']:.3g}"
    st = res["status"].values
    out["n_pixels_no_gain_up_to_N_max"] = int(np.sum(st == 1))
    out["threshold_spectrum"] = {
        "wavelength_nm": res["wavelength"].values.tolist(),
        "N_th": [_nan_to_none(x) for x in res["N_th"].values],
        "N_th_fit": [_nan_to_none(x) for x in res["N_th_fit"].values],
        "status": [str(res["status"].attrs["flag_meanings"].split()[s]) for s in st]}
    bands = [str(b) for b in res["band"].values]
    out["bandwidth"] = [
        {"N_mean": float(n), "has_gain": bool(h), "lower_nm": _nan_to_none(lo),
         "upper_nm": _nan_to_none(hi), "width_nm": float(w),
         "telecom_overlap_nm": dict(zip(bands, map(float, ov), strict=True))}
        for n, h, lo, hi, w, ov in zip(res["N_mean"].values, res["has_gain"].values,
                                       res["band_lower"].values, res["band_upper"].values,
                                       res["bandwidth"].values, res["telecom_overlap"].values,
                                       strict=True)]
    out["telecom_coverage_any_fluence"] = {
        b: bool(np.any(res["telecom_overlap"].sel(band=b).values > 0)) for b in bands}
    if "g_i" in res:
        gi = res["g_i"].values
        j = np.unravel_index(int(np.nanargmax(gi)), gi.shape)
        out["material_gain"] = {"max_g_i_cm": float(gi[j]),
                                "max_g_film_cm": float(res["g_film"].values[j]),
                                "wavelength_nm": float(res["wavelength"][j[1]]),
                                "N_mean": float(res["N_mean"][j[0]]),
                                "A400_od": res.attrs["A400_od"],
                                "mu_i_400_cm": res.attrs["mu_i_400_cm"]}
    else:
        out["material_gain"] = res.attrs.get("material_gain")
    if "lifetime_tau_ps" in res:
        out["lifetime"] = {k[9:]: _nan_to_none(float(res[k])) for k in res.data_vars
                           if k.startswith("lifetime_")}
        out["lifetime"]["wavelength_nm"] = res.attrs["lifetime_wavelength_nm"]
    if "N_th_early" in res:
        v = np.where(res["snr_early"].values > res.attrs["min_snr"], res["N_th_early"].values,
                     np.nan)
        if np.isfinite(v).any():
            i = int(np.nanargmin(v))
            out["min_threshold_early"] = {"N_th": float(v[i]),
                                          "wavelength_nm": float(res["wavelength"][i]),
                                          "delay_ps": res.attrs["early_delay_ps"]}
        else:
            out["min_threshold_early"] = f"no gain up to <N> = {res.attrs['N_max']:.3g}"
    return out
