"""An explicit small gain model for closed-loop tests (made here, independent of qdgain.gain).

Per dot after Auger relaxation (t ≫ 50 ps) the excited fraction is x(N) = 1 − e^{−N} (Poisson).
An excited dot bleaches the ground-state absorption A0(λ) and adds stimulated emission G(λ) of a
gap-state transition (no ground-state absorption there), all decaying with τ:

    ΔA(N, t, λ) = −x(N) (A0(λ) + G(λ)) e^{−t/τ}

so A = ΔA + A0 < 0 where x e^{−t/τ} > A0/(A0 + G), and the exact threshold at a window is

    N_th(λ) = −ln(1 − A0 / ((A0 + G) ⟨e^{−t/τ}⟩_window)).

Optional multi-exciton gain (early times only): dots with n ≥ 2 excitons, fraction
p2(N) = 1 − e^{−N}(1 + N), add −p2 M(λ) e^{−t/τ_mx} on the X1 band (τ_mx = 93 ps).
"""

from __future__ import annotations

import numpy as np
import xarray as xr

TAU_PS = 34000.0
TAU_MX_PS = 93.0


def mx_model(wl):
    """Multi-exciton (X1) stimulated emission of an ensemble with n ≥ 2, OD."""
    return 0.1 * np.exp(-((wl - 1300.0) ** 2) / (2 * 40.0**2))


def a0_model(wl):
    """Ground-state absorbance, OD: first-exciton band at 1280 nm + a higher-energy continuum."""
    return (0.08 * np.exp(-((wl - 1280.0) ** 2) / (2 * 70.0**2))
            + 0.05 / (1 + np.exp((wl - 1150.0) / 30.0))
            + 5e-4 * np.exp(-(((wl - 1280.0) / 150.0) ** 2)))


def g_model(wl):
    """Stimulated-emission strength of a fully excited ensemble, OD (gap-state transition)."""
    return 0.03 * np.exp(-((wl - 1430.0) ** 2) / (2 * 50.0**2))


def delays():
    return np.concatenate([np.arange(-5.0, 0.0), np.linspace(1, 100, 20),
                           np.linspace(150, 2500, 95)])


def series(n_mean, wl, noise_od=0.0, seed=0, tau_ps=TAU_PS, with_a0=True, multi_exciton=False):
    """Fluence series Dataset in the ta data model (dA (fluence, delay, wavelength), OD)."""
    t = delays()
    x = 1 - np.exp(-np.asarray(n_mean))
    decay = np.where(t > 0, np.exp(-np.clip(t, 0, None) / tau_ps), 0.0)
    da = -x[:, None, None] * decay[None, :, None] * (a0_model(wl) + g_model(wl))[None, None, :]
    if multi_exciton:
        n = np.asarray(n_mean)
        p2 = 1 - np.exp(-n) * (1 + n)
        dmx = np.where(t > 0, np.exp(-np.clip(t, 0, None) / TAU_MX_PS), 0.0)
        da = da - p2[:, None, None] * dmx[None, :, None] * mx_model(wl)[None, None, :]
    rng = np.random.default_rng(seed)
    da = da + noise_od * rng.standard_normal(da.shape)
    ds = xr.Dataset({"dA": (("fluence", "delay", "wavelength"), da)},
                    coords={"fluence": np.asarray(n_mean) * 10.0, "delay": t,
                            "wavelength": wl, "N_mean": ("fluence", np.asarray(n_mean))})
    ds["dA"].attrs["units"] = "OD"
    ds["delay"].attrs["units"] = "ps"
    ds["wavelength"].attrs["units"] = "nm"
    ds["fluence"].attrs["units"] = "uJ/cm^2"
    ds["N_mean"].attrs["units"] = "1"
    if with_a0:
        ds["A0"] = ("wavelength", a0_model(wl))
        ds["A0"].attrs["units"] = "OD"
    return ds


def true_threshold(wl, delays_used, tau_ps=TAU_PS):
    d = np.mean(np.exp(-np.asarray(delays_used) / tau_ps))
    a0, g = a0_model(wl), g_model(wl)
    u = a0 / ((a0 + g) * d)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(u < 1, -np.log1p(-u), np.inf)
