"""``qdgain reproduce`` kinetics stage: SPEC §4 time constants fitted on the read-back series.

Every number comes from a fit of the simulated measurement with the ``ta.kinetics`` functions a
user would call; each fit is independent, so one that fails records its reason and the others
still give numbers.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np
import xarray as xr

from qdgain.cli.reproduce_stages import require
from qdgain.constants import HC_EV_NM
from qdgain.errors import ParameterError, QdgainError
from qdgain.report.stages import StageContext
from qdgain.units import with_units

__all__ = ["kinetics_stage_body", "PROBES_S4_NM"]

#: probe wavelengths of the normalised-bleach figure (paper Fig. S4: three probes in the band)
PROBES_S4_NM = (1300.0, 1340.0, 1400.0)


def _attempt(fits: dict[str, Any], key: str, func: Callable[[], float]) -> None:
    try:
        fits[key] = float(func())
    except (QdgainError, ValueError, RuntimeError, np.linalg.LinAlgError) as exc:
        fits[key] = {"not_computed": f"{type(exc).__name__}: {exc}"}


def _closest(values: dict[str, float] | np.ndarray, target: float) -> float:
    arr = np.asarray(list(values.values()) if isinstance(values, dict) else values, float)
    arr = arr[np.isfinite(arr)]
    if arr.size == 0:
        raise ValueError("no finite lifetime")
    return float(arr[np.argmin(np.abs(np.log(arr / target)))])


def _two_gaussians(e: np.ndarray, a1: float, e1: float, w1: float, a2: float, e2: float,
                   w2: float) -> np.ndarray:
    return a1 * np.exp(-0.5 * ((e - e1) / w1) ** 2) + a2 * np.exp(-0.5 * ((e - e2) / w2) ** 2)


def kinetics_stage_body(ctx: StageContext) -> None:
    """Fits: cooling, Auger/charged (fluence model), X2 → X1, multi-exciton gain; S4; S5."""
    fit_trace, fit_fluence_series = require("qdgain.ta.kinetics", "fit_trace",
                                            "fit_fluence_series", owner="ta kinetics (issue 6)")
    from scipy.optimize import curve_fit

    tg = ctx.upstream("ta_gain")
    series = tg.dataset("series")
    res = tg.dataset("analysis")
    ex = ctx.upstream("excitons").json("summary")
    x2_nm, x1_nm = float(ex["X2_nm"]), float(ex["X1_nm"])
    n_mean = series["N_mean"].values
    t = series["delay"].values
    low = int(np.argmin(np.abs(np.log(n_mean / 0.1))))
    high = int(np.argmin(np.abs(np.log(n_mean / 1.2))))
    a0 = series["A0"]
    band_edge = a0.where(a0["wavelength"] > 1000.0)
    peak_nm = float(band_edge["wavelength"][int(np.argmax(band_edge.fillna(-1).values))])
    fits: dict[str, Any] = {}

    def cooling() -> float:
        # the bleach builds up as hot carriers cool: one exponential + offset within 20 ps
        sel = (t > -2.0) & (t < 20.0)
        tr = series["dA"].isel(fluence=low).sel(wavelength=x2_nm, method="nearest").values
        r = fit_trace(t[sel], tr[sel], [1.0], irf_width=0.1)
        return _closest(r.lifetimes_ps, 1.5)

    def x2x1() -> float:
        sel = t > 5.0
        tr = series["dA"].isel(fluence=low).sel(wavelength=x2_nm, method="nearest").values
        r = fit_trace(t[sel], tr[sel], [500.0], fit_irf=False, irf_center=0.0)
        return _closest(r.lifetimes_ps, 700.0)

    def fluence_model() -> dict[str, float]:
        band = series.sel(wavelength=slice(1300.0, 1520.0))
        # after cooling (8 ps ≈ 5 τ_cool), in the gain band where X2 → X1 does not show
        sel = band.isel(delay=np.flatnonzero(band["delay"].values > 8.0))
        r = fit_fluence_series(sel, tau_X=30000.0, tau_XX=50.0, tau_T=10.0, fit_irf=False)
        return r.lifetimes_ps

    def mx_gain() -> float:
        # the multi-exciton band: gain at 10 ps where the 2.5 ns (single-exciton) gain is absent
        early, late = res["N_th_early"].values, res["N_th_late"].values \
            if "N_th_late" in res else res["N_th"].values
        only_early = np.isfinite(early) & ~np.isfinite(late)
        if not only_early.any():
            raise ValueError("no gain band at 10 ps that is absent at 2.5 ns (no multi-exciton "
                             "gain in the series)")
        lam = float(res["wavelength"][int(np.nanargmin(np.where(only_early, early, np.nan)))])
        sel = t > 3.0
        tr = (series["dA"] + a0).isel(fluence=high).sel(wavelength=lam, method="nearest")
        try:  # multi-exciton decay + X2 → X1 + offset (single exciton, ≫ 2.5 ns) ...
            r = fit_trace(t[sel], tr.values[sel], [90.0, 700.0], fit_irf=False)
            fits["mx_gain_components"] = 2
        except ParameterError:  # ... unless the data do not resolve the middle component
            r = fit_trace(t[sel], tr.values[sel], [90.0], fit_irf=False)
            fits["mx_gain_components"] = 1
        fits["mx_gain_wavelength_nm"] = lam
        return _closest(r.lifetimes_ps, 93.0)

    _attempt(fits, "tau_cooling_ps", cooling)
    _attempt(fits, "tau_x2x1_ps", x2x1)
    try:
        life = fluence_model()
        fits["tau_auger_ps"] = float(life["XX"])
        fits["tau_X_fluence_model_ps"] = float(life["X"])
        fits["tau_T_fluence_model_ps"] = float(life["T"])
    except (QdgainError, ValueError, RuntimeError, KeyError) as exc:
        fits["tau_auger_ps"] = {"not_computed": f"fluence-series fit: {type(exc).__name__}: "
                                                f"{exc}"}

    def charged() -> float:
        # as the paper (SI Fig. 2): the fast component of a biexponential fit of A(t) at 1340 nm
        # at the highest fluence, after cooling
        sel = t > 3.0
        tr = (series["dA"] + a0).isel(fluence=-1).sel(wavelength=1340.0, method="nearest")
        r = fit_trace(t[sel], tr.values[sel], [10.0, 50.0], fit_irf=False)
        return _closest(r.lifetimes_ps, 10.0)

    _attempt(fits, "tau_charged_ps", charged)
    _attempt(fits, "tau_mx_gain_ps", mx_gain)

    # Fig. S4: −ΔA/A0 at 2.5 ns versus ⟨N⟩ at three probes (the analysis' normalised bleach)
    nb = res["bleach_norm"].sel(wavelength=list(PROBES_S4_NM), method="nearest")
    ctx.save_dataset("normalized_bleach", xr.Dataset(
        {"bleach_norm": with_units(xr.DataArray(nb.transpose("fluence", "wavelength").values,
                                                dims=("fluence", "probe")), "1")},
        coords={"N_mean": with_units(xr.DataArray(n_mean, dims="fluence"), "1"),
                "probe": with_units(xr.DataArray(np.array(PROBES_S4_NM), dims="probe"), "nm")}))

    # Fig. S5: early bleach (5 ps, ⟨N⟩ ≈ 0.1) on an energy axis, two Gaussians X1 + X2
    cut = -series["dA"].isel(fluence=low).sel(delay=5.0, method="nearest")
    lam = cut["wavelength"].values
    e_all = HC_EV_NM / lam
    e_peak = HC_EV_NM / peak_nm
    # the band-edge bleach only: the sub-gap (gap-state) bleach would pull the X1 Gaussian
    win = (e_all > e_peak - 0.12) & (e_all < e_peak + 0.2)
    e = e_all[win]
    y = cut.values[win] * lam[win] ** 2 / HC_EV_NM  # Jacobian dλ/dE keeps the area per eV
    order = np.argsort(e)
    e, y = e[order], y[order]
    try:
        # one shared width: both lines carry the same inhomogeneous (size) broadening
        popt, _ = curve_fit(lambda x, a1, e1, a2, e2, w: _two_gaussians(x, a1, e1, w, a2, e2, w),
                            e, y, p0=[0.3 * y.max(), e_peak - 0.03, y.max(), e_peak + 0.04, 0.04],
                            bounds=([0, e_peak - 0.12, 0, e_peak - 0.05, 0.005],
                                    [np.inf, e_peak + 0.05, np.inf, e_peak + 0.15, 0.12]),
                            maxfev=20000)
        (a1, e1, a2, e2, w1) = popt
        w2 = w1
        if e1 > e2:
            a1, e1, a2, e2 = a2, e2, a1, e1
        fits["X2_minus_X1_fit_meV"] = 1e3 * (e2 - e1)
        comp1 = _two_gaussians(e, a1, e1, w1, 0.0, e2, w2)
        comp2 = _two_gaussians(e, 0.0, e1, w1, a2, e2, w2)
    except RuntimeError as exc:
        fits["X2_minus_X1_fit_meV"] = {"not_computed": f"decomposition: {exc}"}
        comp1 = comp2 = np.full_like(e, np.nan)
    ctx.save_dataset("decomposition", xr.Dataset(
        {"bleach": with_units(xr.DataArray(y, dims="energy"), "OD/eV"),
         "X1_component": with_units(xr.DataArray(comp1, dims="energy"), "OD/eV"),
         "X2_component": with_units(xr.DataArray(comp2, dims="energy"), "OD/eV")},
        coords={"energy": with_units(xr.DataArray(e, dims="energy"), "eV")}))
    ctx.record(**fits, kinetics_N_low=float(n_mean[low]), kinetics_N_high=float(n_mean[high]),
               x2_probe_nm=x2_nm, x1_probe_nm=x1_nm)
