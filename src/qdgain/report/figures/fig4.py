"""Fig. 4 equivalent: high fluence — early vs late A, thresholds at 10 ps and 2.5 ns, A vs ⟨N⟩."""

from __future__ import annotations

import numpy as np
from matplotlib import colormaps
from matplotlib.figure import Figure

from qdgain.report.figures._common import new_figure, panel_label
from qdgain.report.figures.fig3 import NIR_MIN_NM
from qdgain.report.results import Results

__all__ = ["make", "TITLE", "CAPTION"]

TITLE = "Fig. 4 — high fluence: multi-exciton gain and charging losses"
CAPTION = ("(a) A at 10 ps (dashed) and 2.5 ns (solid) for ⟨N⟩ ≥ 0.3. (b) Gain threshold at 10 ps "
           "and at 2.5 ns with A0. (c) A at 2.5 ns versus ⟨N⟩ for probe wavelengths across the "
           "gain band (A < 0: stimulated emission).")


def make(res: Results) -> Figure:
    """Build the figure from the ``ta_gain`` results."""
    series = res.dataset("ta_gain", "series").sel(wavelength=slice(NIR_MIN_NM, None))
    thr = res.dataset("ta_gain", "thresholds")
    a0 = series["A0"]
    n_mean = series["N_mean"].values
    A = series["dA"] + a0
    fig, (ax_a, ax_b, ax_c) = new_figure(3)
    cmap = colormaps["plasma"]
    high = np.flatnonzero(n_mean >= 0.29)
    for j, k in enumerate(high):
        col = cmap(j / max(len(high), 1))
        e = A.isel(fluence=k).sel(delay=10.0, method="nearest")
        late = A.isel(fluence=k).sel(delay=2500.0, method="nearest")
        ax_a.plot(e["wavelength"], e, ls="--", color=col, lw=1)
        ax_a.plot(late["wavelength"], late, color=col, lw=1, label=f"{n_mean[k]:.2g}")
    ax_a.axhline(0, color="k", lw=0.8)
    ax_a.set_xlim(NIR_MIN_NM, float(series["wavelength"].max()))
    ax_a.set_xlabel("wavelength (nm)")
    ax_a.set_ylabel("A (OD)")
    ax_a.legend(title="⟨N⟩", fontsize=7, title_fontsize=7)
    ax_b.semilogy(thr["wavelength"], thr["N_th_early"], "o", color="tab:red", ms=3,
                  label="10 ps")
    ax_b.semilogy(thr["wavelength"], thr["N_th_late"], "o", mfc="none", color="k", ms=3,
                  label="2.5 ns")
    ax_b.set_xlabel("wavelength (nm)")
    ax_b.set_ylabel("⟨N⟩_th")
    ax_b.legend(fontsize=7)
    ax_b2 = ax_b.twinx()
    ax_b2.plot(a0["wavelength"], a0, color="0.6")
    ax_b2.set_ylabel("A0 (OD)", color="0.5")
    ax_b.set_xlim(NIR_MIN_NM, float(series["wavelength"].max()))
    late_all = A.sel(delay=2500.0, method="nearest")
    for lam, col in zip((1300.0, 1340.0, 1400.0, 1450.0, 1500.0),
                        colormaps["viridis"](np.linspace(0, 0.9, 5)), strict=True):
        ax_c.semilogx(n_mean, late_all.sel(wavelength=lam, method="nearest"), "o-", ms=3,
                      color=col, label=f"{lam:.0f} nm")
    ax_c.axhline(0, color="k", lw=0.8)
    ax_c.set_xlabel("⟨N⟩")
    ax_c.set_ylabel("A at 2.5 ns (OD)")
    ax_c.legend(fontsize=7)
    for ax, lab in zip((ax_a, ax_b, ax_c), "abc", strict=True):
        panel_label(ax, lab)
    return fig
