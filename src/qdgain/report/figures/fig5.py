"""Fig. 5 equivalent: the effective 3-level system and the kinetics of its two transitions."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from qdgain.report.figures._common import new_figure, panel_label
from qdgain.report.figures.fig2 import nearest_fluence
from qdgain.report.results import Results

__all__ = ["make", "TITLE", "CAPTION"]

TITLE = "Fig. 5 — the effective 3-level system"
CAPTION = ("(a) Levels of the model: CB1, VB1, VB2 from tight binding and the empty gap state of "
           "the gain model; arrows: band-edge absorption (X1, X2) and the CB1 → gap-state gain "
           "transition, which has no ground-state absorption. (b) Normalised |ΔA| kinetics at ⟨N⟩ "
           "≈ 0.1 of the interband bleach (X2) and of the gain transition: the X2 → X1 hole "
           "relaxation shows in the first only. The paper's Fig. 5c (washing steps) is an "
           "experiment on sample preparation with no computational counterpart.")


def make(res: Results) -> Figure:
    """Build the figure from ``tb_sphere`` levels, the ``gain_model`` levels and the series."""
    model = res.json("gain_model", "model")
    fig, (ax_a, ax_b) = new_figure(2)
    levels = {k: float(v) for k, v in model["levels_eV"].items()}
    for name, e in levels.items():
        ax_a.hlines(e, 0.0, 1.0, color="tab:orange" if name == "gap state" else "k", lw=2)
        ax_a.text(1.03, e, name, va="center", fontsize=8)
    cb, vb1 = levels["CB1"], levels["VB1"]
    ax_a.annotate("", xy=(0.25, cb), xytext=(0.25, vb1),
                  arrowprops={"arrowstyle": "<-", "color": "tab:blue"})
    if "VB2" in levels:
        ax_a.annotate("", xy=(0.45, cb), xytext=(0.45, levels["VB2"]),
                      arrowprops={"arrowstyle": "<-", "color": "tab:blue", "lw": 2})
    ax_a.annotate("", xy=(0.75, levels["gap state"]), xytext=(0.75, cb),
                  arrowprops={"arrowstyle": "->", "color": "tab:red", "lw": 2})
    ax_a.text(0.78, 0.5 * (cb + levels["gap state"]), "gain", color="tab:red", fontsize=8)
    ax_a.set_xlim(0, 1.5)
    ax_a.set_xticks([])
    ax_a.set_ylabel("energy (eV)")
    series = res.dataset("ta_gain", "series")
    one = nearest_fluence(series, 0.1)
    # gain transition: the deepest gain (most negative A) at 2.5 ns of the ⟨N⟩ ≈ 0.3 measurement
    late = nearest_fluence(series, 0.3)
    a_late = (late["dA"].sel(delay=2500.0, method="nearest") + late["A0"]).sel(
        wavelength=slice(model["interband_nm"] + 50.0, None))
    gain_nm = float(a_late["wavelength"][int(a_late.argmin("wavelength"))]) \
        if a_late.size else model["gain_nm"]
    for lam, col, lab in ((model["interband_nm"], "tab:red", "interband (X2)"),
                          (gain_nm, "k", "gain transition")):
        tr = one["dA"].sel(wavelength=lam, method="nearest")
        norm = np.nanmax(np.abs(tr.values))
        ax_b.plot(tr["delay"], np.abs(tr) / norm, color=col, label=f"{lab}, {lam:.0f} nm")
    ax_b.set_xscale("symlog", linthresh=1.0)
    ax_b.set_xlabel("delay (ps)")
    ax_b.set_ylabel("|ΔA| (normalised)")
    ax_b.legend(fontsize=7)
    panel_label(ax_a, "a")
    panel_label(ax_b, "b")
    return fig
