"""One-call bulk report of a parameter set: Γ levels, gaps, masses, band-structure plot."""

from __future__ import annotations

import os
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qdgain._io import atomic_write
from qdgain.materials.bulk import bulk_bands, effective_mass, gamma_levels, kpath, special_point
from qdgain.materials.parameters import TBParameters

__all__ = ["BulkSummary", "bulk_summary", "band_edge_masses", "check_parameters"]


@dataclass(frozen=True, slots=True)
class BulkSummary:
    """Bulk checks of one set (energies eV, masses m0, relative to E(Γ8) where stated).

    Attributes
    ----------
    name, source : str
        Parameter set.
    gamma : dict
        ``E_Gamma6``, ``E_Gamma7``, ``E_Gamma8`` (absolute, eV), ``E6_minus_E8``, ``Delta_so``.
    edges : dict
        Highest occupied and lowest empty band energies at Γ, X, L relative to E(Γ8), eV.
    masses_m0 : dict
        Effective masses of the Γ8 pairs and the Γ6 pair along [100], [110], [111].
    plot : str or None
        Path of the band-structure figure, if written.
    seconds : float
        Wall time.
    """

    name: str
    source: str
    gamma: dict[str, float]
    edges: dict[str, float]
    masses_m0: dict[str, float]
    plot: str | None
    seconds: float

    def as_dict(self) -> dict[str, Any]:
        """JSON-ready dictionary."""
        return {"set": self.name, "source": self.source, "gamma_eV": self.gamma,
                "edges_rel_Gamma8_eV": self.edges, "masses_m0": self.masses_m0,
                "plot": self.plot, "seconds": round(self.seconds, 3)}


def band_edge_masses(params: TBParameters) -> dict[str, float]:
    """Masses (m0) of the lower/upper Γ8 pairs and the Γ6 pair along [100], [110], [111]."""
    g = gamma_levels(params)
    out = {}
    bands = {"Gamma8_lower": g.i_gamma8, "Gamma8_upper": g.i_gamma8 + 2, "Gamma6": g.i_gamma6}
    for label, idx in bands.items():
        for d in ("100", "110", "111"):
            out[f"{label}_{d}"] = effective_mass(params, idx, d)
    return out


def _plot_bands(params: TBParameters, path: Path, e8: float, points_per_inv_nm: float) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    kp = kpath(params, points_per_inv_nm=points_per_inv_nm)
    e = bulk_bands(params, kp.k_inv_nm) - e8
    fig, ax = plt.subplots(figsize=(5.0, 5.5))
    ax.plot(kp.distance_inv_nm, e, color="k", lw=0.9)
    for t in kp.tick_positions_inv_nm:
        ax.axvline(t, color="0.7", lw=0.6)
    ax.axhline(0.0, color="tab:red", lw=0.6, ls="--")
    ax.set_xticks(kp.tick_positions_inv_nm, kp.tick_labels)
    ax.set_xlim(kp.distance_inv_nm[0], kp.distance_inv_nm[-1])
    ax.set_ylim(-6.0, 5.0)
    ax.set_ylabel("E − E(Γ8) (eV)")
    ax.set_title(f"{params.name}", fontsize=9)
    fig.tight_layout()
    try:
        atomic_write(path, lambda tmp: fig.savefig(tmp, dpi=150), suffix=f".tmp{path.suffix}")
    finally:
        plt.close(fig)


def bulk_summary(params: TBParameters, *, plot_path: str | os.PathLike[str] | None = None,
                 points_per_inv_nm: float = 20.0) -> BulkSummary:
    """Γ-point levels, band edges at Γ/X/L, masses and (optionally) a band plot L–Γ–X–K–Γ.

    Parameters
    ----------
    params : TBParameters
        Parameter set.
    plot_path : path, optional
        Write the band structure here (PNG/PDF/SVG by extension), atomically.
    points_per_inv_nm : float
        k-path sampling density, points per nm^-1.
    """
    t0 = time.perf_counter()
    g = gamma_levels(params)
    gamma = {"E_Gamma6": g.e_gamma6, "E_Gamma7": g.e_gamma7, "E_Gamma8": g.e_gamma8,
             "E6_minus_E8": g.e6_minus_e8, "Delta_so": g.delta_so}
    top = params.n_electrons - 1
    edges = {}
    for lab in ("G", "X", "L"):
        e = bulk_bands(params, special_point(params, lab))[0] - g.e_gamma8
        name = "Gamma" if lab == "G" else lab
        edges[f"{name}_occupied_top"] = float(e[top])
        edges[f"{name}_empty_bottom"] = float(e[top + 1])
    masses = band_edge_masses(params)
    plot = None
    if plot_path is not None:
        p = Path(plot_path)
        _plot_bands(params, p, g.e_gamma8, points_per_inv_nm)
        plot = str(p)
    return BulkSummary(params.name, params.source, gamma, edges, masses, plot,
                       time.perf_counter() - t0)


def check_parameters(params: TBParameters, *, inverted: bool | None = None,
                     n_grid: int = 16) -> dict[str, Any]:
    """Bulk checks plus the band-order scan of a set, as one JSON-ready dictionary.

    Parameters
    ----------
    params : TBParameters
        Set to check.
    inverted : bool or None
        Expected Γ6/Γ8 order (None: not checked).
    n_grid : int
        Scan grid per direction.
    """
    from qdgain.materials.guards import band_order_scan
    from qdgain.materials.targets import kane_energy

    out = bulk_summary(params).as_dict()
    out["Ep_eV"] = kane_energy(params)
    out["band_order_scan"] = band_order_scan(params, inverted=inverted, n_grid=n_grid).as_dict()
    return out
