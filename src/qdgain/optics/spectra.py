"""One call from a dot diameter to its optical summary and spectra (used by ``qdgain optics``).

Chain: dot model (:func:`qdgain.electronic.build_dot`: by default the 300 K fitted set, two-fold Te
removed, dangling hybrids projected out) → hamiltonian (SOC) → band_edge_states → Coulomb kernel →
exciton CI
(and, for a charged dot, trion CI plus the extra carrier in a deep basis for its intraband lines)
→ σ(ħω), τ_rad. ε_in is either given or computed with
:func:`qdgain.optics.dielectric.dielectric_constant` (spin-free block, full diagonalisation).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import xarray as xr

from qdgain.electronic.models import DEFAULT_SURFACE
from qdgain.errors import ParameterError
from qdgain.excitons import (
    band_edge_manifolds,
    coulomb_kernel,
    solve_carrier,
    solve_charged,
    solve_ci,
)
from qdgain.optics.cross_section import (
    charged_transitions,
    cross_section_cm2,
    intraband_limit_eV,
    neutral_transitions,
)
from qdgain.optics.dielectric import dielectric_constant
from qdgain.optics.dipoles import exciton_dipoles_nm, oscillator_strengths
from qdgain.optics.intraband_kpm import intraband_cross_section_kpm
from qdgain.optics.lifetime import radiative_lifetime_ns
from qdgain.units import with_units

__all__ = ["DotOptics", "dot_optics", "exciton_summary", "plot_spectra",
           "DEEP_INTRABAND_MAX_ROWS"]

#: charged dots up to this many Hamiltonian rows (3.5 nm sphere: 10,746) get a dense deep basis
#: for their intraband lines by default (dense time ∝ rows³: ~4 min at 3.5 nm on 2 cores)
DEEP_INTRABAND_MAX_ROWS = 12_000


@dataclass(frozen=True, slots=True)
class DotOptics:
    """Optical summary of one dot (saved results).

    Attributes
    ----------
    summary : dict
        X1, X2 energies (eV), degeneracies and splittings (meV), X2−X1 (meV), f(X2)/f(X1),
        τ_rad (ns), ε_in, gap (eV), basis sizes.
    spectra : xarray.Dataset
        ``sigma_neutral`` and (charged dots) ``sigma_charged``, ``sigma_intraband`` in cm² on
        ``photon_energy`` (eV) with a ``wavelength`` (nm) coordinate.
    """

    summary: dict[str, Any]
    spectra: xr.Dataset


def exciton_summary(excitons: Any, states: Any, temperature_K: float = 300.0) -> dict[str, Any]:
    """X1/X2 energies, degeneracies, splittings, f(X2)/f(X1) and τ_rad of a neutral-dot CI."""
    m1, m2 = band_edge_manifolds(excitons, states)
    f = oscillator_strengths(excitons.energies_eV, exciton_dipoles_nm(excitons, states))
    f1, f2 = float(f[m1["states"]].sum()), float(f[m2["states"]].sum())
    tr = neutral_transitions(excitons, states)
    return {
        "X1_eV": m1["mean_eV"], "X2_eV": m2["mean_eV"],
        "X1_degeneracy": m1["degeneracy"], "X2_degeneracy": m2["degeneracy"],
        "X1_splitting_meV": m1["splitting_meV"], "X2_splitting_meV": m2["splitting_meV"],
        "X1_levels_eV": m1["energies_eV"].tolist(), "X2_levels_eV": m2["energies_eV"].tolist(),
        "X2_minus_X1_meV": 1e3 * (m2["mean_eV"] - m1["mean_eV"]),
        "f_X1": f1, "f_X2": f2, "f_ratio_X2_X1": f2 / f1 if f1 > 0 else float("inf"),
        "tau_rad_ns": radiative_lifetime_ns(tr, temperature_K),
        "gap_eV": float(states.gap_eV),
    }


def dot_optics(diameter_nm: float, charge: int = 0, *, eps_in: float | None = None,
               eps_out: float = 2.25, n_e: int = 8, n_h: int = 24,
               broadening_eV: float = 0.035, temperature_K: float = 300.0,
               energy_grid_eV: np.ndarray | None = None, material: str = "HgTe",
               params: str | None = None, surface: str = DEFAULT_SURFACE,
               intraband_states: int | None = None,
               intraband_method: str = "auto") -> DotOptics:
    """Optical summary and spectra of a spherical dot.

    Parameters
    ----------
    diameter_nm : float
        Sphere diameter, nm.
    charge : int
        −1, 0 or +1 (extra electron, neutral, extra hole).
    eps_in : float, optional
        Dielectric constant of the dot; default computed from TB (spin-free block).
    eps_out : float
        Solvent dielectric constant (TCE: 2.25).
    n_e, n_h : int
        CI basis (conduction × valence spinor states).
    broadening_eV : float
        Gaussian standard deviation of each line, eV.
    temperature_K : float
        Temperature for Boltzmann populations, K.
    energy_grid_eV : array, optional
        Photon energies of the spectra, eV (default 0.02–2.0 eV, 1 meV steps).
    material : str
        Material name (its dot parameter set, :func:`qdgain.electronic.dot_parameters`).
    params : str, optional
        Parameter-set name or path (e.g. ``"HgTe_sp3d5_soc_2nn"``, the public set); overrides
        material.
    surface : str
        Surface model (:data:`qdgain.electronic.SURFACES`; ``"hybrid20"`` = the former default).
    intraband_states : int, optional
        ``intraband_method="dense"``: states of the extra carrier's band in its intraband basis
        (:func:`qdgain.excitons.solve_carrier`); default max(0.75 n_atoms, 400) valence (hole)
        or max(0.15 n_atoms, 64) conduction (electron) spinors, ≥ 1.3 eV deep, enough for the
        lines up to X1. 0 means ``intraband_method="active"``.
    intraband_method : {"auto", "dense", "chebyshev", "active"}
        Charged dots, where the intraband lines come from: "dense" = the deep basis above (3.5 nm:
        3–6 min on 2 cores; the summary's ``intraband_complete_to_eV`` says up to which photon
        energy its lines are complete); "chebyshev" = exact lines among the band-edge states plus
        a Chebyshev expansion for the rest (:mod:`qdgain.optics.intraband_kpm`: seconds at
        3.5 nm, any size; window integrals within 5 % (hole) and 12 % (electron) of the converged
        dense basis, from its treatment of the self-energy); "active" = the CI active space only
        (lines only a few tenths of an eV long); "auto" = dense up to
        ``DEEP_INTRABAND_MAX_ROWS`` Hamiltonian rows, chebyshev above.
    """
    from qdgain.electronic import band_edge_states, build_dot, dot_parameters, surface_model
    from qdgain.electronic.solvers import DENSE_MAX_BASIS
    from qdgain.structure import Sphere

    if charge not in (-1, 0, 1):
        raise ParameterError(f"charge = {charge!r}: must be -1 (extra electron), 0 or +1 "
                             "(extra hole)")
    if not broadening_eV > 0:
        raise ParameterError(f"broadening_eV = {broadening_eV}: must be > 0 eV")
    if eps_in is not None and not eps_in > 0:
        raise ParameterError(f"eps_in = {eps_in}: must be > 0")
    p = dot_parameters(params or material)
    model = surface_model(surface)
    shape = Sphere(diameter_nm=float(diameter_nm))
    nc, H = build_dot(p, shape, surface=model, soc=True)
    if eps_in is None:
        eps_in = dielectric_constant(build_dot(p, shape, surface=model, soc=False)[1],
                                     lattice_constant_nm=nc.lattice_constant_nm).eps_in
    rows = H.matrix.shape[0]
    if intraband_method not in ("auto", "dense", "chebyshev", "active"):
        raise ParameterError(f"intraband_method = {intraband_method!r}: choose auto, dense, "
                             "chebyshev or active")
    if intraband_states is not None and not (
            isinstance(intraband_states, (int, np.integer)) and intraband_states >= 0):
        raise ParameterError(f"intraband_states = {intraband_states!r}: need an integer >= 0")
    method = intraband_method
    if intraband_states == 0:
        method = "active"
    elif method == "auto":
        method = "dense" if rows <= DEEP_INTRABAND_MAX_ROWS else "chebyshev"
    deep = 0
    if charge != 0 and method == "dense":
        if intraband_states is None:
            # ≥ X1 + 0.3 eV of levels: 3.5 nm 448 VB (1.3 eV) / 90 CB (1.3 eV); 2.2 nm 400 / 64
            frac, floor = (0.75, 400) if charge == 1 else (0.15, 64)
            band = H.n_valence if charge == 1 else rows - H.n_valence
            # (8 short of the whole band: the solver proves the last level complete by the next)
            deep = min(band - 8, max(floor, int(np.ceil(frac * nc.n_atoms))))
        else:
            deep = int(intraband_states)
    n_vb, n_cb = (max(n_h, deep), n_e) if charge == 1 else (n_h, max(n_e, deep))
    states = band_edge_states(H, n_vb=n_vb, n_cb=n_cb,
                              method="dense" if deep and rows > DENSE_MAX_BASIS else "auto")
    kernel = coulomb_kernel(states.positions_nm, eps_in, eps_out,
                            lattice_constant_nm=nc.lattice_constant_nm)
    x = solve_ci(states, eps_in, eps_out, n_e, n_h, kernel=kernel)
    summary = exciton_summary(x, states, temperature_K)
    summary.update({"diameter_nm": float(diameter_nm), "n_atoms": int(nc.n_atoms),
                    "charge": int(charge), "eps_in": float(eps_in), "eps_out": float(eps_out),
                    "n_e": n_e, "n_h": n_h, "broadening_eV": broadening_eV,
                    "parameter_set": p.name, "surface": model.name})
    E = np.arange(0.02, 2.0, 0.001) if energy_grid_eV is None else np.asarray(energy_grid_eV)
    s0 = cross_section_cm2(neutral_transitions(x, states), E, broadening_eV)
    data = {"sigma_neutral": s0}
    if charge != 0:
        cd = solve_charged(states, charge, eps_in, eps_out, n_e, n_h, kernel=kernel)
        summary["intraband_method"] = method
        if method == "chebyshev":
            tr = charged_transitions(cd, states, temperature_K, intraband=False)
            intra = intraband_cross_section_kpm(H, states, charge, eps_in, eps_out, E,
                                                broadening_eV=broadening_eV,
                                                temperature_K=temperature_K, kernel=kernel)
            trions = cross_section_cm2(tr, E, broadening_eV)
            data["sigma_intraband"] = trions.copy(data=intra.values)
            data["sigma_charged"] = trions.copy(data=trions.values + intra.values)
            summary["intraband_states"] = int(len(states.energies_eV))
            summary["intraband_complete_to_eV"] = float(E.max())  # the expansion holds all
        else:
            carrier = (solve_carrier(states, charge, eps_in, eps_out, kernel=kernel)
                       if method == "dense" else None)
            tr = charged_transitions(cd, states, temperature_K, carrier=carrier)
            basis = cd if carrier is None else carrier
            summary["intraband_states"] = len(carrier.states) if carrier is not None else len(
                cd.electron_states if charge == -1 else cd.hole_states)
            summary["intraband_complete_to_eV"] = intraband_limit_eV(basis, temperature_K,
                                                                     broadening_eV)
            data["sigma_charged"] = cross_section_cm2(tr, E, broadening_eV)
            data["sigma_intraband"] = cross_section_cm2(tr, E, broadening_eV, kind="intraband")
        sub = E < summary["X1_eV"]
        summary["intraband_subgap_integral_cm2_eV"] = float(
            np.trapezoid(data["sigma_intraband"].values[sub], E[sub]))
    ds = xr.Dataset({k: with_units(v, "cm^2") for k, v in data.items()})
    ds.attrs.update({k: v for k, v in summary.items() if np.isscalar(v)})
    return DotOptics(summary=summary, spectra=ds)


def plot_spectra(spectra: xr.Dataset, path: str) -> None:
    """σ versus wavelength (nm) for the neutral and charged dot, like Fig. 1f of the paper."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3.5))
    labels = {"sigma_neutral": "neutral", "sigma_charged": "charged",
              "sigma_intraband": "charged: intraband"}
    for name, lab in labels.items():
        if name in spectra:
            ax.plot(spectra["wavelength"], spectra[name], label=lab)
    ax.set_xlabel("wavelength (nm)")
    ax.set_ylabel("σ (cm²)")
    ax.set_xlim(600, 5000)
    ax.legend()
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
