"""Poisson saturation models of the normalised bleach −ΔA/A0 versus ⟨N⟩ (SPEC §5, paper Fig. S4).

With P(n) = ⟨N⟩ⁿ e^{−⟨N⟩}/n! and c a calibration factor on ⟨N⟩ (fitted; 1 if ⟨N⟩ is exact):

* **2-level** band-edge transition, electron/hole degeneracies g_e, g_h. A dot with n excitons
  fills f_e = min(n, g_e)/g_e and f_h = min(n, g_h)/g_h; absorption ∝ 1 − f_e − f_h, so

  .. math:: -\\Delta A/A_0 = \\sum_n P(n; cN)\\,[f_e(n) + f_h(n)]

  (≤ 2, full inversion). ``relaxed=True`` (after Auger decay, t ≫ 50 ps): a dot keeps at most
  one exciton, −ΔA/A0 = (1 − e^{−cN})(1/g_e + 1/g_h) — no gain for g_e, g_h = 2, 4 (max 3/4).
  The mean-occupation (no Poisson) inversion point ⟨N⟩(1/g_e + 1/g_h) = 1 is 4/3 for 2, 4.
* **3-level** (gain on the absorbing transition itself, one exciton per dot): bleach plus equal
  stimulated emission, −ΔA/A0 = 2 (1 − e^{−cN}) < 2.
* **4-level** (gain to an empty gap state with no ground-state absorption, cross-section ratio
  r = σ_gain/σ_abs): −ΔA/A0 = (1 + r)(1 − e^{−cN}), which exceeds 2 when r > 1; threshold
  x_th = 1/(1 + r) = σ_loss/(σ_loss + σ_gain).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import xarray as xr
from scipy.optimize import least_squares
from scipy.stats import poisson

from qdgain.convert import require_units
from qdgain.errors import ParameterError
from qdgain.units import with_units

__all__ = ["bleach_two_level", "bleach_three_level", "bleach_four_level", "FluenceFit",
           "fit_fluence_model", "MODELS"]

MODELS = ("2-level", "2-level-relaxed", "3-level", "4-level")


def bleach_two_level(n_mean: np.ndarray | float, g_e: int = 2, g_h: int = 4,
                     relaxed: bool = False, n_terms: int | None = None) -> np.ndarray:
    """−ΔA/A0 of a band-edge 2-level system with degeneracies (g_e, g_h), Poisson ⟨N⟩.

    Parameters
    ----------
    n_mean : float or array
        ⟨N⟩ (dimensionless, ≥ 0).
    g_e, g_h : int
        Electron and hole degeneracies of the band-edge levels (HgTe: 2 and 4).
    relaxed : bool
        After Auger decay: at most one exciton per dot.
    n_terms : int, optional
        Poisson terms summed (n = 0 … n_terms − 1); default covers ⟨N⟩ + 12√⟨N⟩ + 30.
    """
    n = np.asarray(n_mean, dtype=float)
    if np.any(n < 0) or g_e < 1 or g_h < 1:
        raise ParameterError("bleach_two_level: need n_mean >= 0 and degeneracies >= 1")
    if relaxed:
        return -np.expm1(-n) * (1 / g_e + 1 / g_h)
    if n_terms is None:
        top = float(n.max()) if n.size else 0.0
        n_terms = int(top + 12 * np.sqrt(top) + 30)
    k = np.arange(n_terms)
    occ = np.minimum(k, g_e) / g_e + np.minimum(k, g_h) / g_h
    p = poisson.pmf(k[:, None], n.reshape(1, -1))
    return (occ @ p).reshape(n.shape)


def bleach_three_level(n_mean: np.ndarray | float) -> np.ndarray:
    """−ΔA/A0 = 2 (1 − e^{−⟨N⟩}) of a simple 3-level system (always < 2)."""
    return -2.0 * np.expm1(-np.asarray(n_mean, dtype=float))


def bleach_four_level(n_mean: np.ndarray | float, ratio: float) -> np.ndarray:
    """−ΔA/A0 = (1 + r)(1 − e^{−⟨N⟩}), r = σ_gain/σ_abs ≥ 0 (exceeds 2 for r > 1).

    Parameters
    ----------
    n_mean : float or array
        ⟨N⟩ (dimensionless).
    ratio : float
        Gain-to-absorption cross-section ratio r at the probe wavelength.
    """
    if ratio < 0:
        raise ParameterError(f"bleach_four_level: ratio must be >= 0, got {ratio}")
    return -(1.0 + ratio) * np.expm1(-np.asarray(n_mean, dtype=float))


def _model(name: str, g_e: int, g_h: int):
    if name == "2-level":
        return lambda n, p: bleach_two_level(p[0] * n, g_e, g_h), ["calibration"]
    if name == "2-level-relaxed":
        return lambda n, p: bleach_two_level(p[0] * n, g_e, g_h, relaxed=True), ["calibration"]
    if name == "3-level":
        return lambda n, p: bleach_three_level(p[0] * n), ["calibration"]
    if name == "4-level":
        return lambda n, p: bleach_four_level(p[0] * n, max(p[1], 0.0)), ["calibration", "ratio"]
    raise ParameterError(f"unknown fluence model {name!r}; use one of {', '.join(MODELS)}")


@dataclass(frozen=True, slots=True)
class FluenceFit:
    """Fit of one model to −ΔA/A0 versus ⟨N⟩ at each wavelength.

    Attributes
    ----------
    model : str
        Model name.
    params : xarray.Dataset
        Per wavelength: fitted parameters (``calibration`` c, ``ratio`` r for 4-level), their 1σ
        errors (``*_err``), ``rms`` residual and ``max_bleach_norm`` (largest measured −ΔA/A0).
    """

    model: str
    params: xr.Dataset


def fit_fluence_model(bleach_norm: xr.DataArray, model: str = "4-level", *, g_e: int = 2,
                      g_h: int = 4) -> FluenceFit:
    """Fit a Poisson saturation model to −ΔA/A0 (fluence, wavelength) at each wavelength.

    Parameters
    ----------
    bleach_norm : xarray.DataArray
        −ΔA/A0 (units "1") with dims (fluence, wavelength) and coord ``N_mean``.
    model : {"2-level", "2-level-relaxed", "3-level", "4-level"}
        Model to fit.
    g_e, g_h : int
        Degeneracies for the 2-level models.
    """
    require_units(bleach_norm, "1", "bleach_norm")
    f, names = _model(model, g_e, g_h)
    n = np.asarray(bleach_norm["N_mean"].values, dtype=float)
    y = np.asarray(bleach_norm.transpose("fluence", "wavelength").values, dtype=float)
    nw = y.shape[1]
    vals, errs = np.full((nw, len(names)), np.nan), np.full((nw, len(names)), np.nan)
    rms = np.full(nw, np.nan)
    for j in range(nw):
        ok = np.isfinite(y[:, j])
        if ok.sum() <= len(names):
            continue
        p0 = [1.0, 1.0][: len(names)]
        res = least_squares(lambda p, j=j, ok=ok: f(n[ok], p) - y[ok, j], p0,
                            bounds=([1e-6] + [0.0] * (len(names) - 1), np.inf))
        vals[j] = res.x
        dof = max(int(ok.sum()) - len(names), 1)
        s2 = 2 * res.cost / dof
        rms[j] = np.sqrt(2 * res.cost / ok.sum())
        try:
            errs[j] = np.sqrt(np.diag(np.linalg.inv(res.jac.T @ res.jac)) * s2)
        except np.linalg.LinAlgError:
            pass
    out = xr.Dataset(coords={"wavelength": bleach_norm["wavelength"]})
    for i, name in enumerate(names):
        out[name] = with_units(xr.DataArray(vals[:, i], dims="wavelength"), "1", name)
        out[name + "_err"] = with_units(xr.DataArray(errs[:, i], dims="wavelength"), "1",
                                        f"1σ error of {name}")
    out["rms"] = with_units(xr.DataArray(rms, dims="wavelength"), "1", "rms residual")
    out["max_bleach_norm"] = with_units(
        bleach_norm.max("fluence", skipna=True).drop_vars("N_mean", errors="ignore"), "1",
        "largest measured -ΔA/A0 (> 2 excludes a simple 3-level system)")
    out.attrs["model"] = model
    return FluenceFit(model, out)
