"""Fig. 1 equivalent: levels and DOS of the 3.5 nm sphere and tetrahedron, computed spectra."""

from __future__ import annotations

import numpy as np
from matplotlib.figure import Figure

from qdgain.report.figures._common import new_figure, panel_label
from qdgain.report.results import MissingResult, Results

__all__ = ["make", "TITLE", "CAPTION"]

TITLE = "Fig. 1 — electronic structure and linear optics"
CAPTION = ("(a) Band-edge levels of the 3.5 nm HgTe sphere and the equal-volume tetrahedron "
           "(tight binding with spin–orbit), labelled with their degeneracy. (b) Gaussian-"
           "broadened density of states. (c) Computed absorption cross section of the neutral "
           "dot and of the dot charged with one electron or one hole (CI), with X1 and X2 "
           "marked. (d) Intraband absorption of the dot with one extra electron or hole alone, "
           "from a basis ≈ 1.1 eV deep (log scale; shaded: sub-gap part of the probe range, "
           "≥ 0.765 eV). Paper: Fig. 1e, 1f and Extended Data X.2 (hole intraband absorption "
           "'spectrally closer to the interband bleach and much stronger').")


def _levels(ax, lv, x0: float, label: str) -> None:
    e = lv["energy"].values
    deg = lv["degeneracy"].values
    for ei, gi in zip(e, deg, strict=True):
        ax.hlines(ei, x0 - 0.3, x0 + 0.3, color="k", lw=1.5)
        ax.text(x0 + 0.34, ei, f"{int(gi)}", va="center", fontsize=7)
    ax.text(x0, 1.0, label, transform=ax.get_xaxis_transform(), ha="center", va="bottom",
            fontsize=8)


def _intraband(ax, res: Results) -> None:
    """Panel d: σ_intraband(ħω) of the electron- and hole-charged dot, log scale."""
    try:
        ds = res.dataset("intraband", "intraband")
    except MissingResult as exc:
        ax.text(0.5, 0.5, f"intraband:\n{exc}"[:80], transform=ax.transAxes, ha="center",
                fontsize=6, wrap=True)
        return
    e = ds["energy"].values
    x1 = float(ds.attrs["X1_eV"])
    for var, col, lab in (("sigma_electron", "tab:blue", "1 electron"),
                          ("sigma_hole", "tab:red", "1 hole")):
        y = np.where(e < x1 + 0.1, ds[var].values, np.nan)  # interband lines start at X1
        ax.semilogy(e, np.clip(y, 1e-22, None), color=col, label=lab)
    ax.axvspan(1239.84198 / 1620.0, x1, color="0.85", lw=0)
    ax.axvline(x1, color="0.5", ls=":", lw=1)
    ax.text(x1, 1.0, "X1", transform=ax.get_xaxis_transform(), ha="center", va="bottom",
            fontsize=8)
    ax.set_ylim(1e-20, None)
    ax.set_xlim(0.0, x1 + 0.1)
    ax.set_xlabel(f"photon energy (eV), {ds.attrs.get('diameter_nm', '?')} nm sphere")
    ax.set_ylabel("intraband σ (cm²)")
    ax.legend(fontsize=7)


def make(res: Results) -> Figure:
    """Build the figure from the ``tb_sphere``, ``tb_tetra``, ``excitons`` and ``intraband``
    results."""
    fig, (ax_l, ax_d, ax_s, ax_i) = new_figure(4)
    sphere_lv = res.dataset("tb_sphere", "levels")
    sphere_dos = res.dataset("tb_sphere", "dos")
    _levels(ax_l, sphere_lv, 0.0, "sphere")
    ax_d.plot(sphere_dos["energy"], sphere_dos["dos"], color="k", label="sphere")
    try:
        tetra_lv = res.dataset("tb_tetra", "levels")
        tetra_dos = res.dataset("tb_tetra", "dos")
        _levels(ax_l, tetra_lv, 1.2, "tetrahedron")
        ax_d.plot(tetra_dos["energy"], tetra_dos["dos"], color="tab:purple", label="tetrahedron")
    except MissingResult as exc:
        ax_l.text(1.2, 0.5, f"tetrahedron:\n{exc}"[:80], transform=ax_l.get_xaxis_transform(),
                  ha="center", fontsize=6, wrap=True)
    ax_l.set_xlim(-0.6, 1.9)
    ax_l.set_xticks([])
    ax_l.set_ylabel("single-particle energy (eV)")
    ax_d.set_xlabel("energy (eV)")
    ax_d.set_ylabel(f"DOS ({sphere_dos['dos'].attrs.get('units', '1/eV')})")
    ax_d.legend(fontsize=7)
    spec = res.dataset("excitons", "spectra")
    wl = spec["wavelength"].values
    styles = {"sigma_neutral": ("k", "neutral"), "sigma_electron": ("tab:blue", "1 electron"),
              "sigma_hole": ("tab:red", "1 hole")}
    for var, (col, lab) in styles.items():
        if var in spec:
            ax_s.plot(wl, spec[var].values, color=col, label=lab)
    try:
        tr = res.dataset("excitons", "transitions")
        e_nm = tr["wavelength"].values
        f = tr["oscillator_strength"].values
        top = np.nanmax(spec["sigma_neutral"].values)
        for name in ("X1", "X2"):
            if f"{name}_nm" in tr.attrs:
                ax_s.axvline(tr.attrs[f"{name}_nm"], color="0.5", ls=":", lw=1)
                # X1 (longer wavelength) labelled to the right of its line, X2 to the left
                ax_s.text(tr.attrs[f"{name}_nm"], top, f" {name} ", fontsize=8,
                          ha="left" if name == "X1" else "right")
        ax_s.vlines(e_nm, 0, top * f / max(np.nanmax(f), 1e-30) * 0.5, color="0.6", lw=0.6)
    except MissingResult:
        pass
    ax_s.set_xlabel("wavelength (nm)")
    ax_s.set_ylabel("σ (cm²)")
    ax_s.legend(fontsize=7)
    _intraband(ax_i, res)
    for ax, lab in zip((ax_l, ax_d, ax_s, ax_i), "abcd", strict=True):
        panel_label(ax, lab)
    return fig
