"""Fig. 2 equivalent: ΔA map at ⟨N⟩ ≈ 0.1 and spectral cuts at 5 ps and 2.5 ns."""

from __future__ import annotations

import numpy as np
from matplotlib.colors import SymLogNorm
from matplotlib.figure import Figure

from qdgain.report.figures._common import new_figure, panel_label
from qdgain.report.results import MissingResult, Results

__all__ = ["make", "TITLE", "CAPTION", "nearest_fluence"]

TITLE = "Fig. 2 — ΔA map and spectral cuts"
CAPTION = ("(a) ΔA(λ, t) of the simulated measurement closest to ⟨N⟩ = 0.1, as read back from "
           "the instrument files; X1 and X2 from the CI calculation as dashed lines. (b) Cuts "
           "at 5 ps and 2.5 ns and their difference δΔA (the X2 → X1 hole relaxation).")


def nearest_fluence(series, n_mean: float):
    """The measurement of a fluence series whose ⟨N⟩ is closest to ``n_mean``."""
    idx = int(np.argmin(np.abs(np.log(series["N_mean"].values / n_mean))))
    return series.isel(fluence=idx)


def make(res: Results) -> Figure:
    """Build the figure from the ``ta_gain`` stage's copy of the series."""
    series = res.dataset("ta_gain", "series")
    one = nearest_fluence(series, 0.1)
    fig, (ax_m, ax_c) = new_figure(2, width_in=4.6)
    da = one["dA"].transpose("delay", "wavelength")
    t = da["delay"].values
    keep = t > 0.1
    vmax = float(np.nanmax(np.abs(da.values)))
    mesh = ax_m.pcolormesh(da["wavelength"], t[keep], da.values[keep], shading="auto",
                           cmap="RdBu_r", norm=SymLogNorm(vmax * 1e-2, vmin=-vmax, vmax=vmax),
                           rasterized=True)
    ax_m.set_yscale("log")
    ax_m.set_xlabel("wavelength (nm)")
    ax_m.set_ylabel("delay (ps)")
    ax_m.set_title(f"⟨N⟩ = {float(one['N_mean']):.3g}", fontsize=9)
    fig.colorbar(mesh, ax=ax_m, label="ΔA (OD)")
    try:
        tr = res.dataset("excitons", "transitions")
        for name in ("X1", "X2"):
            if f"{name}_nm" in tr.attrs:
                ax_m.axvline(tr.attrs[f"{name}_nm"], color="k", ls="--", lw=0.8)
    except MissingResult:
        pass
    early = one["dA"].sel(delay=5.0, method="nearest")
    late = one["dA"].sel(delay=2500.0, method="nearest")
    ax_c.plot(early["wavelength"], early, color="k", label="5 ps")
    ax_c.plot(late["wavelength"], late, color="0.55", label="2.5 ns")
    ax_c.plot(late["wavelength"], late - early, color="tab:green", ls=":", label="δΔA")
    ax_c.axhline(0, color="0.8", lw=0.8)
    ax_c.set_xlabel("wavelength (nm)")
    ax_c.set_ylabel("ΔA (OD)")
    ax_c.legend(fontsize=7)
    panel_label(ax_m, "a")
    panel_label(ax_c, "b")
    return fig
