"""Fig. 3 equivalent: fluence series at 2.5 ns, threshold spectrum, kinetics at 1340 nm."""

from __future__ import annotations

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure

from qdgain.report.figures._common import new_figure, panel_label
from qdgain.report.results import Results

__all__ = ["make", "TITLE", "CAPTION", "NIR_MIN_NM"]

#: short end of the wavelength axis of the gain figures, nm
NIR_MIN_NM = 1000.0

TITLE = "Fig. 3 — fluence series: bleach, nonlinear absorbance, threshold, kinetics"
CAPTION = ("(a) ΔA at 2.5 ns for ⟨N⟩ ≤ 0.3 with the linear absorbance A0 (−ΔA > A0 is gain). "
           "(b) Nonlinear absorbance A = ΔA + A0; A < 0 is stimulated emission. (c) Gain "
           "threshold ⟨N⟩_th(λ) from the zero crossings of A in the fluence series. (d) A(t) at "
           "1340 nm for increasing ⟨N⟩.")


def make(res: Results) -> Figure:
    """Build the figure from the ``ta_gain`` results."""
    full = res.dataset("ta_gain", "series")
    series = full.sel(wavelength=slice(NIR_MIN_NM, None))  # the band-edge region, as the paper
    thr = res.dataset("ta_gain", "thresholds")
    fig, (ax_a, ax_b, ax_c, ax_d) = new_figure(2, 2)
    a0 = series["A0"]
    n_mean = series["N_mean"].values
    cmap = colormaps["viridis"]
    late = series["dA"].sel(delay=2500.0, method="nearest")
    low = np.flatnonzero(n_mean <= 0.31)
    for k in low:
        col = cmap(k / max(len(n_mean) - 1, 1))
        cut = late.isel(fluence=k)
        ax_a.plot(cut["wavelength"], -cut, color=col, lw=1)
        ax_b.plot(cut["wavelength"], cut + a0, color=col, lw=1, label=f"{n_mean[k]:.3g}")
    ax_a.plot(a0["wavelength"], a0, color="tab:blue", lw=2, label="A0")
    ax_a.set_ylabel("−ΔA, A0 (OD)")
    ax_a.legend(fontsize=7)
    ax_b.axhline(0, color="k", lw=0.8)
    ax_b.set_ylabel("A = ΔA + A0 (OD)")
    ax_b.legend(title="⟨N⟩", fontsize=6, title_fontsize=7, ncols=2)
    for ax in (ax_a, ax_b):
        ax.set_xlabel("wavelength (nm)")
        ax.set_xlim(NIR_MIN_NM, float(series["wavelength"].max()))
    nth = thr["N_th_late"]
    ax_c.semilogy(nth["wavelength"], nth, "o", ms=3, color="k")
    ax_c.set_xlabel("wavelength (nm)")
    ax_c.set_ylabel("⟨N⟩_th at 2.5 ns")
    trace = (series["dA"] + a0).sel(wavelength=1340.0, method="nearest")
    for k in range(len(n_mean)):
        ax_d.plot(trace["delay"], trace.isel(fluence=k), color=cmap(k / max(len(n_mean) - 1, 1)),
                  lw=1)
    ax_d.set_xscale("symlog", linthresh=1.0)
    ax_d.axhline(0, color="k", lw=0.8)
    ax_d.set_xlabel("delay (ps)")
    ax_d.set_ylabel("A at 1340 nm (OD)")
    for ax, lab in zip((ax_a, ax_b, ax_c, ax_d), "abcd", strict=True):
        panel_label(ax, lab)
    return fig
