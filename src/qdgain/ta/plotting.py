"""Quick-look figures of TA data: map with spectral cuts and kinetics; chirp before/after.

Figures are built with :class:`matplotlib.figure.Figure` (no pyplot state, no GUI backend) and
returned; :func:`save_figure` writes one atomically.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
import xarray as xr
from matplotlib.figure import Figure

from qdgain.errors import ParameterError
from qdgain.ta.chirp import ChirpFit
from qdgain.ta.io._common import atomic_write

__all__ = ["plot_map", "plot_chirp", "save_figure"]


def _one_map(ds: xr.Dataset, fluence_index: int) -> xr.DataArray:
    dA = ds["dA"]
    if "fluence" in dA.dims:
        dA = dA.isel(fluence=fluence_index)
    return dA.transpose("delay", "wavelength")


def _limits(z: np.ndarray) -> float:
    v = np.nanpercentile(np.abs(z), 99.5) if np.isfinite(z).any() else 1.0
    return float(v) if v > 0 else 1.0


def _mesh(ax, dA: xr.DataArray, title: str):  # noqa: ANN001, ANN202 - matplotlib types
    t, wl = dA["delay"].values, dA["wavelength"].values
    z = 1e3 * dA.values
    lim = _limits(z)
    m = ax.pcolormesh(wl, t, z, shading="nearest", cmap="RdBu_r", vmin=-lim, vmax=lim,
                      rasterized=True)
    span = float(t.max() - t.min())
    if t.max() > 20 * max(1.0, -t.min()) and span > 50:
        ax.set_yscale("symlog", linthresh=1.0)
    ax.set_xlabel("wavelength (nm)")
    ax.set_ylabel("delay (ps)")
    ax.set_title(title if len(title) <= 40 else title[:37] + "…", fontsize=10)
    return m


def plot_map(ds: xr.Dataset, *, delays_ps: Sequence[float] | None = None,
             wavelengths_nm: Sequence[float] | None = None, fluence_index: int = -1) -> Figure:
    """ΔA map (mOD) with spectral cuts at ``delays_ps`` and kinetics at ``wavelengths_nm``.

    Parameters
    ----------
    ds : xarray.Dataset
        TA dataset; for a fluence series the map at ``fluence_index`` is shown.
    delays_ps : sequence of float, optional
        Delays of the spectral cuts, ps (default: five log-spaced delays after time zero).
    wavelengths_nm : sequence of float, optional
        Wavelengths of the kinetic traces, nm (default: the strongest bleach and absorption).
    fluence_index : int
        Which fluence of a series to show.
    """
    dA = _one_map(ds, fluence_index)
    t, wl = dA["delay"].values, dA["wavelength"].values
    if delays_ps is None:
        pos = t[t > 0]
        lo = max(float(pos.min()), 0.3) if pos.size else float(t.min())
        delays_ps = np.geomspace(lo, float(t.max()), 5) if t.max() > lo > 0 else [t[-1]]
    if wavelengths_nm is None:
        late = np.nanmean(dA.values[t > 0], axis=0) if (t > 0).any() else dA.values[-1]
        late = np.nan_to_num(late)
        wavelengths_nm = sorted({float(wl[np.argmin(late)]), float(wl[np.argmax(late)])})
    fig = Figure(figsize=(13, 4), layout="constrained")
    ax_map, ax_spec, ax_kin = fig.subplots(1, 3)
    m = _mesh(ax_map, dA, str(ds.attrs.get("sample") or Path(str(
        ds.attrs.get("source_file", "ΔA"))).name))
    fig.colorbar(m, ax=ax_map, label="ΔA (mOD)")
    for d in delays_ps:
        cut = dA.sel(delay=d, method="nearest")
        ax_spec.plot(wl, 1e3 * cut.values, lw=1, label=f"{float(cut['delay']):.3g} ps")
    ax_spec.axhline(0, color="k", lw=0.5)
    ax_spec.set(xlabel="wavelength (nm)", ylabel="ΔA (mOD)", title="spectra")
    ax_spec.legend(fontsize=7)
    for w in wavelengths_nm:
        tr = dA.sel(wavelength=w, method="nearest")
        ax_kin.plot(t, 1e3 * tr.values, lw=1, label=f"{float(tr['wavelength']):.4g} nm")
    ax_kin.axhline(0, color="k", lw=0.5)
    if t.max() > 50:
        ax_kin.set_xscale("symlog", linthresh=1.0)
    ax_kin.set_xlim(float(t.min()), float(t.max()))
    ax_kin.set(xlabel="delay (ps)", ylabel="ΔA (mOD)", title="kinetics")
    ax_kin.legend(fontsize=7)
    return fig


def plot_chirp(ds: xr.Dataset, fit: ChirpFit, corrected: xr.Dataset, *,
               window_ps: tuple[float, float] | None = None) -> Figure:
    """Before/after chirp correction: raw map with onsets and fitted t₀(λ); corrected map.

    Parameters
    ----------
    ds : xarray.Dataset
        The raw map.
    fit : ChirpFit
        Result of :func:`qdgain.ta.chirp.fit_chirp` on ``ds``.
    corrected : xarray.Dataset
        The corrected map.
    window_ps : (float, float), optional
        Delay range shown, ps (default: around the fitted curve).
    """
    if ds["dA"].ndim != 2:
        raise ParameterError("plot_chirp takes one map (delay, wavelength)")
    c = fit.curve.values
    lo, hi = window_ps if window_ps is not None else (float(c.min()) - 1.5,
                                                      float(c.max()) + 1.5)
    fig = Figure(figsize=(11, 4.2), layout="constrained")
    a, b = fig.subplots(1, 2, sharey=False)
    raw = _one_map(ds, -1).sel(delay=slice(lo, hi))
    m = _mesh(a, raw, "before: onsets and fitted t₀(λ)")
    on = fit.onsets.values
    inl = fit.inliers.values
    wl = fit.curve["wavelength"].values
    a.plot(wl[inl], on[inl], ".", ms=2, color="k", label="onsets used")
    a.plot(wl[~inl & np.isfinite(on)], on[~inl & np.isfinite(on)], "x", ms=3, color="0.4",
           label="rejected")
    a.plot(wl, c, color="gold", lw=2, label=f"t₀(λ), degree {len(fit.coefficients_ps) - 1}")
    a.legend(fontsize=7, loc="lower right")
    fig.colorbar(m, ax=a, label="ΔA (mOD)")
    cor = _one_map(corrected, -1).sel(delay=slice(lo - float(c.mean()), hi - float(c.mean())))
    m2 = _mesh(b, cor, "after: chirp corrected")
    b.axhline(0, color="gold", lw=1.5)
    fig.colorbar(m2, ax=b, label="ΔA (mOD)")
    return fig


def save_figure(fig: Figure, path: str | Path, dpi: int = 150) -> None:
    """Save ``fig`` atomically (format from the extension: png, pdf, svg)."""
    fmt = Path(path).suffix.lstrip(".") or "png"
    atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=dpi, format=fmt))
