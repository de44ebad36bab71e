"""Figures of a gain analysis, like the paper's Fig. 3 (fluence series) and Fig. 6 (material
gain over the telecom bands). They only read an :func:`analyze_gain_series` result."""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
import xarray as xr  # noqa: E402

from qdgain._io import atomic_write  # noqa: E402

__all__ = ["plot_fluence_series", "plot_material_gain", "plot_bleach_saturation"]


def _save(fig: plt.Figure, path: str | Path) -> Path:
    path = Path(path)
    try:
        return atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=120),
                            suffix=f".tmp{path.suffix}")
    finally:
        plt.close(fig)


def plot_fluence_series(res: xr.Dataset, path: str | Path) -> Path:
    """Fig. 3 equivalent: ΔA and A0, A, ⟨N⟩_th(λ), and A(t) at the lifetime wavelength.

    Parameters
    ----------
    res : xarray.Dataset
        Result of :func:`qdgain.ta.gain_analysis.analyze_gain_series`.
    path : str or Path
        Image file to write (atomically), e.g. ``fig3_gain.png``.
    """
    wl = res["wavelength"].values
    n = res["N_mean"].values
    colors = plt.cm.viridis(np.linspace(0, 0.9, n.size))
    fig, ax = plt.subplots(2, 2, figsize=(10, 7.5), constrained_layout=True)
    for i in range(n.size):
        ax[0, 0].plot(wl, -res["dA"].values[i], color=colors[i], lw=1, ls="--")
        ax[0, 1].plot(wl, res["A"].values[i], color=colors[i], lw=1, label=f"⟨N⟩={n[i]:.3g}")
    ax[0, 0].plot(wl, res["A0"].values, color="tab:blue", lw=2, label="A0")
    ax[0, 0].set(xlabel="wavelength (nm)", ylabel="−ΔA, A0 (OD)",
                 title=f"(a) −ΔA at {res.attrs['delay_ps']:g} ps and A0")
    ax[0, 0].legend(fontsize=8)
    ax[0, 1].axhline(0, color="k", lw=0.8)
    ax[0, 1].set(xlabel="wavelength (nm)", ylabel="A = ΔA + A0 (OD)",
                 title="(b) nonlinear absorbance (A < 0: gain)")
    ax[0, 1].legend(fontsize=7, ncol=2)
    sig = np.nanmax(np.abs(res["dA"].values), axis=0)
    big = np.flatnonzero(sig > 0.05 * np.nanmax(sig))
    if big.size:  # zoom on the bleach / gain region, as the paper's Fig. 3a,b
        lo, hi = wl[big[0]] - 50.0, wl[big[-1]] + 50.0
        for a in (ax[0, 0], ax[0, 1]):
            a.set_xlim(max(lo, wl[0]), min(hi, wl[-1]))
        inside = (wl >= lo) & (wl <= hi)
        amin = float(np.nanmin(res["A"].values[:, inside]))
        top = max(float(np.nanmax(sig[inside])), 1e-12)
        ax[0, 0].set_ylim(-0.05 * top, 1.5 * top)
        if amin < 0:
            ax[0, 1].set_ylim(1.4 * amin, 4 * abs(amin))
    ok = res["snr"].values > res.attrs.get("min_snr", 3.0)
    ax[1, 0].errorbar(wl[ok], res["N_th"].values[ok], yerr=res["N_th_err"].values[ok], fmt=".",
                      ms=3, lw=0.6, label="zero crossing")
    okf = ok & (res["status_fit"].values == 0)  # extrapolated fits (beyond ⟨N⟩_max) not drawn
    ax[1, 0].plot(wl[okf], res["N_th_fit"].values[okf], "-", lw=1, label="saturation fit")
    if "N_th_early" in res:
        ax[1, 0].plot(wl[ok], res["N_th_early"].values[ok], "r.", ms=3,
                      label=f"early ({res.attrs.get('early_delay_ps', 0):g} ps)")
    ax[1, 0].set_yscale("log")
    ax[1, 0].set(xlabel="wavelength (nm)", ylabel="⟨N⟩_th", title="(c) gain threshold")
    ax[1, 0].legend(fontsize=8)
    t = res["delay"].values
    pos = t > 0
    for i in range(n.size):
        ax[1, 1].plot(t[pos], res["A_kinetics"].values[i][pos], color=colors[i], lw=1)
    ax[1, 1].axhline(0, color="k", lw=0.8)
    ax[1, 1].set_xscale("log")
    lam = res.attrs.get("lifetime_wavelength_nm", float("nan"))
    ax[1, 1].set(xlabel="delay (ps)", ylabel="A (OD)", title=f"(d) kinetics at {lam:.0f} nm")
    return _save(fig, path)


def plot_material_gain(res: xr.Dataset, path: str | Path) -> Path | None:
    """Fig. 6 equivalent: intrinsic and film material gain with the telecom bands shaded.

    Returns None (no file) when the result has no material gain (A_400 unknown).

    Parameters
    ----------
    res : xarray.Dataset
        Result of :func:`qdgain.ta.gain_analysis.analyze_gain_series`.
    path : str or Path
        Image file to write.
    """
    if "g_i" not in res:
        return None
    wl = res["wavelength"].values
    fig, ax = plt.subplots(figsize=(7, 4.5), constrained_layout=True)
    shades = plt.cm.Pastel1(np.arange(res.sizes["band"]))
    for j, b in enumerate(res["band"].values):
        lo, hi = float(res["band_lower_limit"][j]), float(res["band_upper_limit"][j])
        ax.axvspan(lo, hi, color=shades[j], alpha=0.6)
        ax.text((lo + hi) / 2, 0.97, str(b), ha="center", va="top",
                transform=ax.get_xaxis_transform())
    gi = res["g_i"].isel(fluence=-1).values
    ax.plot(wl, gi, color="tab:red", lw=1.5,
            label=f"intrinsic g_i, ⟨N⟩={float(res['N_mean'][-1]):.3g}")
    ax.plot(wl, res["g_film"].isel(fluence=-1).values, color="tab:red", ls="--", lw=1.2,
            label=f"film, f = {res.attrs.get('film_volume_fraction', 0):g}")
    ax.set_ylim(0, max(np.nanmax(gi) * 1.15, 1.0))
    b_lo = float(res["band_lower_limit"].min())
    b_hi = float(res["band_upper_limit"].max())
    ax.set_xlim(max(float(wl[0]), b_lo - 100.0), max(float(wl[-1]), b_hi) + 15.0)
    ax.set(xlabel="wavelength (nm)", ylabel="gain (cm⁻¹)",
           title="material gain over the telecom bands")
    ax.legend(fontsize=8, loc="upper left")
    return _save(fig, path)


def plot_bleach_saturation(res: xr.Dataset, path: str | Path,
                           wavelengths_nm: tuple[float, ...] | None = None) -> Path:
    """Fig. S4 equivalent: −ΔA/A0 versus ⟨N⟩ at a few wavelengths, with 3- and 4-level fits.

    A simple 3-level system keeps −ΔA/A0 < 2 (dashed line); a 4-level (gap-state) one can
    exceed it.

    Parameters
    ----------
    res : xarray.Dataset
        Result of :func:`qdgain.ta.gain_analysis.analyze_gain_series`.
    path : str or Path
        Image file to write.
    wavelengths_nm : tuple of float, optional
        Probe wavelengths, nm (default: three pixels across the gain band at the highest ⟨N⟩,
        or around the deepest bleach when there is no gain).
    """
    from qdgain.ta.gain_analysis.fluence_models import (
        bleach_four_level,
        bleach_three_level,
        fit_fluence_model,
    )

    wl = res["wavelength"].values
    if wavelengths_nm is None:
        lo, hi = float(res["band_lower"][-1]), float(res["band_upper"][-1])
        if not (np.isfinite(lo) and np.isfinite(hi)):
            c = float(wl[int(np.nanargmin(res["dA"].values[-1]))])
            lo, hi = c - 20.0, c + 20.0
        wavelengths_nm = tuple(np.linspace(lo, hi, 5)[1:4])
    sub = res["bleach_norm"].sel(wavelength=list(wavelengths_nm), method="nearest")
    fit3 = fit_fluence_model(sub, "3-level").params
    fit4 = fit_fluence_model(sub, "4-level").params
    n = res["N_mean"].values
    nn = np.geomspace(n.min() / 2, n.max() * 1.5, 200)
    fig, ax = plt.subplots(figsize=(6.5, 4.5), constrained_layout=True)
    for j, c in zip(range(sub.sizes["wavelength"]), ("tab:blue", "tab:red", "tab:green"),
                    strict=False):
        lam = float(sub["wavelength"][j])
        ax.plot(n, sub.values[:, j], "o", color=c, label=f"{lam:.0f} nm")
        ax.plot(nn, bleach_four_level(float(fit4["calibration"][j]) * nn,
                                      float(fit4["ratio"][j])), "-", color=c, lw=1)
        ax.plot(nn, bleach_three_level(float(fit3["calibration"][j]) * nn), ":", color=c, lw=1)
    ax.axhline(1.0, color="k", lw=0.8)
    ax.axhline(2.0, color="k", lw=0.8, ls="--")
    ax.set_xscale("log")
    ax.set(xlabel="⟨N⟩", ylabel="−ΔA/A0",
           title="normalised bleach (> 1: gain; 3-level ≤ 2 dotted, 4-level solid)")
    ax.legend(fontsize=8)
    return _save(fig, path)
