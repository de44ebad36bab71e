"""Fig. 6 equivalent: intrinsic and film material gain across the telecom bands."""

from __future__ import annotations

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure

from qdgain.report.figures._common import new_figure, shade_telecom
from qdgain.report.results import Results

__all__ = ["make", "TITLE", "CAPTION"]

TITLE = "Fig. 6 — material gain across the telecom bands"
CAPTION = ("Intrinsic gain g_i = −ln(10) A / (f L) at 2.5 ns (solid) and the material gain of a "
           "close-packed film g_i × f_film (dashed, f_film = 0.2 and 0.3 as the band), for "
           "several ⟨N⟩; telecom bands O/E/S/C/L shaded.")


def make(res: Results) -> Figure:
    """Build the figure from the ``material_gain`` stage's ``material_gain`` dataset."""
    mg = res.dataset("material_gain", "material_gain")
    fig, (ax,) = new_figure(1, width_in=7.0, height_in=3.6)
    n_mean = mg["N_mean"].values
    cmap = colormaps["viridis"]
    for k in range(len(n_mean)):
        col = cmap(k / max(len(n_mean) - 1, 1))
        g = mg["g_intrinsic"].isel(fluence=k)
        ax.plot(g["wavelength"], g, color=col, lw=1.2, label=f"⟨N⟩ = {n_mean[k]:.2g}")
        lo = mg["g_film_low"].isel(fluence=k)
        hi = mg["g_film_high"].isel(fluence=k)
        ax.fill_between(g["wavelength"], lo, hi, color=col, alpha=0.25, lw=0)
        ax.plot(g["wavelength"], 0.5 * (lo + hi), color=col, ls="--", lw=0.8)
    ax.axhline(0, color="k", lw=0.8)
    ax.axhline(100, color="0.5", lw=0.8, ls=":")
    ax.set_xlim(1200, 1650)
    top = float(np.nanmax(mg["g_intrinsic"].values))
    ax.set_ylim(-0.1 * max(top, 1.0), 1.15 * max(top, 110.0))
    shade_telecom(ax)
    ax.set_xlabel("wavelength (nm)")
    ax.set_ylabel("gain (cm⁻¹)")
    ax.legend(fontsize=7, loc="upper left")
    return fig
