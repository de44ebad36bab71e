"""Figs. S4 and S5 equivalents: normalised bleach versus ⟨N⟩, and the X1/X2 decomposition."""

from __future__ import annotations

from matplotlib.figure import Figure

from qdgain.report.figures._common import new_figure
from qdgain.report.results import Results

__all__ = ["make_s4", "make_s5", "TITLE_S4", "CAPTION_S4", "TITLE_S5", "CAPTION_S5"]

TITLE_S4 = "Fig. S4 — normalised bleach versus ⟨N⟩"
CAPTION_S4 = ("−ΔA/A0 at 2.5 ns versus ⟨N⟩ at three probe wavelengths; −ΔA/A0 > 1 is gain. A "
              "simple 3-level system keeps −ΔA/A0 < 2, a 4-level one can exceed it.")
TITLE_S5 = "Fig. S5 — X1/X2 decomposition of the early bleach"
CAPTION_S5 = ("Early-time bleach on an energy axis decomposed into two Gaussians (X1, X2); the "
              "fitted splitting is compared with the paper's 76 meV in the table.")


def make_s4(res: Results) -> Figure:
    """Build S4 from the ``kinetics`` stage's ``normalized_bleach`` dataset."""
    nb = res.dataset("kinetics", "normalized_bleach")
    fig, (ax,) = new_figure(1, width_in=4.8)
    for lam in nb["probe"].values:
        ax.semilogx(nb["N_mean"], nb["bleach_norm"].sel(probe=lam), "o-", ms=3,
                    label=f"{lam:.0f} nm")
    for y, lab in ((1.0, "gain"), (2.0, "3-level limit")):
        ax.axhline(y, color="0.5", ls=":", lw=0.8)
        ax.text(ax.get_xlim()[0], y, f" {lab}", va="bottom", fontsize=7, color="0.4")
    ax.set_xlabel("⟨N⟩")
    ax.set_ylabel("−ΔA / A0")
    ax.legend(fontsize=7)
    return fig


def make_s5(res: Results) -> Figure:
    """Build S5 from the ``kinetics`` stage's ``decomposition`` dataset."""
    dec = res.dataset("kinetics", "decomposition")
    fig, (ax,) = new_figure(1, width_in=4.8)
    e = dec["energy"]
    ax.plot(e, dec["bleach"], "k.", ms=3, label="−ΔA (early)")
    for var, col in (("X1_component", "tab:red"), ("X2_component", "tab:blue")):
        ax.plot(e, dec[var], color=col, label=var.split("_")[0])
    ax.plot(e, dec["X1_component"] + dec["X2_component"], color="0.4", ls="--", label="sum")
    ax.set_xlabel("energy (eV)")
    ax.set_ylabel("−ΔA (OD)")
    ax.legend(fontsize=7)
    return fig
