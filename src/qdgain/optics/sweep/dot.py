"""One dot of a sweep: memory estimate, then TB → band-edge states → exciton CI → optics.

The record of a dot (a flat dict of numbers and short strings, JSON-able) holds the atoms, the
band-edge levels (CB1, CB2, VB1, VB2 with degeneracies), the single-particle gap, X1/X2 energies
(mean over each 8-fold manifold, eV), oscillator strengths and integrated cross sections of the
X1 and X2 manifolds, and τ_rad (ns). Cross sections follow :mod:`qdgain.optics.cross_section`:
∫σ d(ħω) = 4π² e² F² / (3 n ħc) Σ_i ħω_i |d_i|² over the states i of a manifold.
"""

from __future__ import annotations

import importlib
import time
from typing import Any

import numpy as np

from qdgain.convert import ev_to_nm
from qdgain.electronic.models import DEFAULT_SURFACE, surface_model
from qdgain.errors import ParameterError
from qdgain.optics.sweep.spec import DotSpec, SweepOptions

__all__ = ["memory_estimate_GB", "build_dot", "compute_dot", "check_memory"]

_C16 = 16.0  # bytes per complex128
_DENSITY: dict[tuple[str, str], float] = {}


def _nnz_density(params: Any, surface: str) -> float:
    """Stored entries of H over the dense-block bound behind ``estimate_memory_GB`` (72 B per
    bound entry), measured once per (set, surface) on a 1.6 nm sphere: the Slater–Koster blocks
    have structural zeros (HgTe sp3d5, 2nd neighbours, projection: 0.60)."""
    key = (params.name, str(surface))
    if key not in _DENSITY:
        from qdgain.electronic import estimate_memory_GB
        from qdgain.electronic.models import build_dot as build
        from qdgain.structure import Sphere

        nc, H = build(params, Sphere(diameter_nm=1.6), surface=surface)
        _DENSITY[key] = min(1.0, H.matrix.nnz / (estimate_memory_GB(nc, params) * 1e9 / 72.0))
    return _DENSITY[key]
# SuperLU fill ratio nnz(L+U)/nnz(H) of shift-invert, measured with
# `qdgain.electronic.solvers._factorise` on HgTe spheres (docs/sizing.md): 23.5, 30.1, 37.8, 52.1
# at 275, 389, 657, 979 atoms, i.e. f ≈ 23.5 (N/275)^0.63; times 1.25 for safety
_FILL_REF, _FILL_ATOMS, _FILL_EXP, _FILL_SAFETY = 23.5, 275.0, 0.63, 1.25


def memory_estimate_GB(nc: Any, params: Any, options: SweepOptions) -> float:
    """Peak memory of one dot, GB: Hamiltonian assembly plus the band-edge solver, or H plus the
    exciton CI's site–site kernel (:func:`qdgain.excitons.coulomb.kernel_memory_GB`), whichever
    is larger.

    .. math::

        M = M_H + \\begin{cases} 3 \\cdot 16\\,\\mathrm{B}\\; n^2 & \\text{dense } (n \\le
        n_{dense}) \\\\ 16\\,\\mathrm{B}\\; f_{LU}\\, \\mathrm{nnz}(H) + 16\\,\\mathrm{B}\\; 40 n
        & \\text{shift-invert} \\end{cases}, \\quad
        f_{LU} = 1.25 \\cdot 23.5\\,(N_{atoms}/275)^{0.63}

    n = 2 n_orb N_atoms spin-orbitals; M_H from
    :func:`qdgain.electronic.hamiltonian.estimate_memory_GB`; f_LU the SuperLU fill ratio fitted
    to measurements on 2.5–4 nm HgTe spheres (+25 %).
    When :mod:`qdgain.electronic.memory` exists, its ``estimate_memory(n, method, n_states=,
    nnz=).peak_GB`` (the electronic layer's own solver model, which also covers
    ``method="chebyshev"``) is used instead; the formula above is the fallback.

    Parameters
    ----------
    nc : Nanocrystal
        The dot.
    params : TBParameters
        Parameter set (orbitals per atom, neighbour shells).
    options : SweepOptions
        Solver choice (``method``).
    """
    from qdgain.electronic import estimate_memory_GB
    from qdgain.electronic.solvers import DENSE_MAX_BASIS, SHIFT_INVERT_MAX_BASIS
    from qdgain.excitons.coulomb import kernel_memory_GB

    n = 2 * params.n_orbitals * nc.n_atoms
    h_gb = estimate_memory_GB(nc, params)
    # the exciton CI after the solve: the site–site kernel (W and bare, 2 × 8 B × N_atoms²) with
    # H still held
    ci_gb = kernel_memory_GB(nc.n_atoms)
    dense = options.method == "dense" or (options.method == "auto" and n <= DENSE_MAX_BASIS)
    # the method band_edge_states(method="auto") will pick for this size
    auto = "shift-invert" if n <= SHIFT_INVERT_MAX_BASIS else "chebyshev"
    try:
        mem = importlib.import_module("qdgain.electronic.memory")
        est = mem.estimate_memory(n, "dense" if dense else (
            auto if options.method == "auto" else options.method),
            n_states=max(options.n_h, 8) + options.n_e + 2,
            nnz=int(h_gb * 1e9 / 72.0 * _nnz_density(params, options.surface)))
        return float(max(est.peak_GB, h_gb, est.matrix_GB + ci_gb))
    except (ImportError, AttributeError, TypeError):
        pass
    if dense:
        return max(h_gb + 3.0 * _C16 * n * n / 1e9, h_gb + ci_gb)
    nnz_h = h_gb * 1e9 / 72.0   # estimate_memory_GB counts 72 B per stored entry
    fill = _FILL_SAFETY * max(_FILL_REF, _FILL_REF * (nc.n_atoms / _FILL_ATOMS) ** _FILL_EXP)
    return max(h_gb + _C16 * (fill * nnz_h + 40.0 * n) / 1e9, h_gb + ci_gb)


def build_dot(spec: DotSpec, params: Any, surface: str = DEFAULT_SURFACE) -> Any:
    """The nanocrystal of a dot (cation-centred, surface model ``surface``), without H."""
    from qdgain.structure import nanocrystal

    return nanocrystal(params, spec.structure_shape(),
                       **surface_model(surface).structure_options())


def check_memory(spec: DotSpec, n_atoms: int, need_GB: float, limit_GB: float) -> None:
    """Raise ParameterError if a dot's estimated peak memory (GB) exceeds the limit (GB)."""
    if need_GB > limit_GB:
        raise ParameterError(
            f"dot {spec.shape} {spec.diameter_nm:g} nm ({n_atoms} atoms) refused: estimated peak "
            f"memory {need_GB:.3g} GB exceeds the per-dot limit of {limit_GB:.3g} GB; raise "
            "--max-memory-gb, use fewer workers or a machine with more memory")


def _complete(groups: list, n_min: int, n_levels: int) -> int:
    """Smallest count ≥ n_min made of whole levels and covering the first n_levels levels."""
    sizes = np.cumsum([len(g) for g in groups])
    need = max(int(n_min), int(sizes[min(n_levels, len(sizes)) - 1]))
    ok = sizes[sizes >= need]
    if not ok.size:
        raise ParameterError(f"{need} band-edge states needed in the CI but only {sizes[-1]} "
                             "computed")
    return int(ok[0])


def _manifold(tr: Any, sel: np.ndarray) -> Any:
    from qdgain.optics.cross_section import Transitions

    return Transitions(energies_eV=tr.energies_eV[sel], dipole_sq_nm2=tr.dipole_sq_nm2[sel],
                       kind=tr.kind[sel], eps_in=tr.eps_in, eps_out=tr.eps_out, charge=0)


def compute_dot(spec: DotSpec, options: SweepOptions, limit_GB: float | None = None
                ) -> dict[str, Any]:
    """Compute the optical record of one dot (runs on a Dask worker or in-process).

    Parameters
    ----------
    spec : DotSpec
        Shape and diameter (nm).
    options : SweepOptions
        Parameter set, CI basis, ε_in/ε_out, temperature (K), solver.
    limit_GB : float, optional
        Refuse the dot (ParameterError) if its memory estimate exceeds this, GB.

    Returns
    -------
    dict: the record described in the module docstring (energies eV, lengths nm, τ in ns,
    integrated cross sections cm² eV, memory GB, wall time s).
    """
    from qdgain.electronic import band_edge_states, dot_parameters, hamiltonian
    from qdgain.excitons import band_edge_manifolds, level_groups, solve_ci
    from qdgain.optics.cross_section import integrated_cross_section_cm2_eV, neutral_transitions
    from qdgain.optics.dipoles import exciton_dipoles_nm, oscillator_strengths
    from qdgain.optics.lifetime import radiative_lifetime_ns

    t0 = time.perf_counter()
    params = dot_parameters(options.params)
    nc = build_dot(spec, params, options.surface)
    need = memory_estimate_GB(nc, params, options)
    if limit_GB is not None:
        check_memory(spec, nc.n_atoms, need, limit_GB)
    # the model's passivation (qdgain.electronic.build_dot, split here so the memory check comes
    # before the Hamiltonian is assembled)
    H = hamiltonian(nc, params, soc=options.soc,
                    **surface_model(options.surface).hamiltonian_options())
    states = band_edge_states(H, n_vb=max(options.n_h, 8), n_cb=options.n_e + 2,
                              method=options.method)
    cg, vg = level_groups(states)
    if len(cg) < 1 or len(vg) < 2:
        raise ParameterError(f"dot {spec.shape} {spec.diameter_nm:g} nm: need CB1, VB1 and VB2 "
                             "among the computed band-edge states")
    n_e, n_h = _complete(cg, options.n_e, 1), _complete(vg, options.n_h, 2)
    x = solve_ci(states, options.eps_in, options.eps_out, n_e, n_h,
                 lattice_constant_nm=nc.lattice_constant_nm)
    m1, m2 = band_edge_manifolds(x, states)
    f = oscillator_strengths(x.energies_eV, exciton_dipoles_nm(x, states))
    tr = neutral_transitions(x, states)
    e = np.asarray(states.energies_eV)

    def level(groups: list, i: int) -> tuple[float, int]:
        return (float(e[groups[i]].mean()), len(groups[i])) if i < len(groups) else (np.nan, 0)

    (cb1, g_cb1), (cb2, g_cb2) = level(cg, 0), level(cg, 1)
    (vb1, g_vb1), (vb2, g_vb2) = level(vg, 0), level(vg, 1)
    return {
        "shape": spec.shape, "diameter_nm": float(spec.diameter_nm), "n_atoms": int(nc.n_atoms),
        "n_basis": int(H.n_basis), "memory_GB": float(need),
        "solver": str(getattr(states, "method", options.method)),
        "CB1_eV": cb1, "CB2_eV": cb2, "VB1_eV": vb1, "VB2_eV": vb2,
        "CB1_degeneracy": g_cb1, "CB2_degeneracy": g_cb2,
        "VB1_degeneracy": g_vb1, "VB2_degeneracy": g_vb2,
        "gap_eV": float(states.gap_eV),
        "X1_eV": m1["mean_eV"], "X2_eV": m2["mean_eV"],
        "X1_wavelength_nm": float(ev_to_nm(m1["mean_eV"])) if m1["mean_eV"] > 0 else np.nan,
        "X1_splitting_meV": m1["splitting_meV"], "X2_minus_X1_meV":
            1e3 * (m2["mean_eV"] - m1["mean_eV"]),
        "f_X1": float(f[m1["states"]].sum()), "f_X2": float(f[m2["states"]].sum()),
        "sigma_int_X1_cm2_eV": integrated_cross_section_cm2_eV(_manifold(tr, m1["states"])),
        "sigma_int_X2_cm2_eV": integrated_cross_section_cm2_eV(_manifold(tr, m2["states"])),
        "tau_rad_ns": radiative_lifetime_ns(tr, options.temperature_K),
        "n_e": n_e, "n_h": n_h, "time_s": time.perf_counter() - t0,
    }
