"""Neutral excitons: configuration interaction in single electron–hole determinants.

Basis: |c v⟩ = a†_c a_v |0⟩ for N_e conduction × N_h valence spinor states (configuration index
``k = i_c * N_h + i_v``). With the normal-ordered Hamiltonian the CIS matrix is (eV)

.. math::

    H_{cv,c'v'} = (\\varepsilon_c-\\varepsilon_v)\\delta_{cc'}\\delta_{vv'}
      + \\Sigma^e_{cc'}\\delta_{vv'} + \\Sigma^h_{v'v}\\delta_{cc'}
      - \\underbrace{\\langle c v'|c' v\\rangle}_{\\text{direct } J}
      + \\underbrace{\\langle c v'|v c'\\rangle}_{\\text{exchange } K},

with ⟨ab|cd⟩ = Σ_RR' ρ_ac(R) W(R,R') ρ_bd(R') (see :mod:`qdgain.excitons.coulomb`; spin is part
of each spinor, so the signs above are those of spin-orbitals) and Σ the polarisation self-energy
of one carrier, Σ_ab = Σ_R ρ_ab(R) P(R,R)/2. Both J and K are screened by ε_in.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from qdgain.errors import ParameterError
from qdgain.excitons.coulomb import CoulombKernel, StatesLike, coulomb_kernel, transition_densities

__all__ = [
    "Excitons",
    "select_states",
    "exciton_integrals",
    "ci_hamiltonian",
    "solve_ci",
    "degeneracy_groups",
    "level_groups",
    "band_edge_manifolds",
    "ci_convergence",
]

#: energies closer than this (eV) count as degenerate
DEGENERACY_TOL_EV = 1e-4


@dataclass(frozen=True, slots=True)
class Excitons:
    """Result of a neutral-exciton CI (saved results only; no options, no hidden state).

    Attributes
    ----------
    energies_eV : ndarray (n_x,)
        Exciton energies above the ground state, ascending, eV.
    vectors : ndarray (N_e N_h, n_x) complex
        CI vectors; row ``i_c * N_h + i_v``.
    electron_states, hole_states : ndarray of int
        Columns of ``States.vectors`` used as electron (conduction) and hole (valence) states.
    groups : tuple of tuple of int
        Degeneracy groups of the exciton energies (tolerance 0.1 meV).
    eps_in, eps_out : float
        Dielectric constants used.
    """

    energies_eV: np.ndarray
    vectors: np.ndarray
    electron_states: np.ndarray
    hole_states: np.ndarray
    groups: tuple[tuple[int, ...], ...]
    eps_in: float
    eps_out: float

    @property
    def n_e(self) -> int:
        """Number of electron (conduction) states in the basis."""
        return len(self.electron_states)

    @property
    def n_h(self) -> int:
        """Number of hole (valence) states in the basis."""
        return len(self.hole_states)


def degeneracy_groups(energies_eV: np.ndarray, tol_eV: float = DEGENERACY_TOL_EV
                      ) -> tuple[tuple[int, ...], ...]:
    """Group sorted energies whose neighbours are closer than ``tol_eV`` (eV)."""
    e = np.asarray(energies_eV, dtype=float)
    if e.size == 0:
        return ()
    order = np.argsort(e, kind="stable")
    breaks = np.flatnonzero(np.diff(e[order]) > tol_eV) + 1
    return tuple(tuple(int(i) for i in g) for g in np.split(order, breaks))


def level_groups(states: StatesLike, tol_eV: float = 1e-4) -> tuple[list, list]:
    """Degenerate single-particle levels: (conduction groups upward, valence groups downward).

    Each group is an array of state indices (columns of ``states.vectors``).
    """
    e = np.asarray(states.energies_eV)
    cb = np.flatnonzero(np.asarray(states.is_conduction))
    vb = np.flatnonzero(~np.asarray(states.is_conduction))
    cb = cb[np.argsort(e[cb])]
    vb = vb[np.argsort(-e[vb])]
    cg = np.split(cb, np.flatnonzero(np.abs(np.diff(e[cb])) > tol_eV) + 1) if cb.size else []
    vg = np.split(vb, np.flatnonzero(np.abs(np.diff(e[vb])) > tol_eV) + 1) if vb.size else []
    return cg, vg


def select_states(states: StatesLike, n_e: int, n_h: int,
                  tol_eV: float = 1e-4) -> tuple[np.ndarray, np.ndarray]:
    """Indices of the n_e lowest conduction and n_h highest valence states.

    Raises :class:`ParameterError` if more states are asked for than were computed, or if the cut
    splits a degenerate level (that would break the symmetry of the exciton manifolds).
    """
    e = np.asarray(states.energies_eV)
    cg, vg = level_groups(states, tol_eV)
    out = []
    for n, groups, label, opt in ((n_e, cg, "conduction", "n_e"), (n_h, vg, "valence", "n_h")):
        have = sum(len(g) for g in groups)
        if not isinstance(n, (int, np.integer)) or n < 1:
            raise ParameterError(f"{opt} = {n!r}: need a positive integer number of {label} "
                                 "states")
        if n > have:
            raise ParameterError(f"{opt} = {n} {label} states requested but only {have} were "
                                 f"computed; lower {opt} or compute more band-edge states "
                                 "(band_edge_states(..., n_cb=, n_vb=))")
        sizes = np.cumsum([len(g) for g in groups])
        if n not in sizes:
            ok = [int(s) for s in sizes if abs(s - n) <= 8]
            raise ParameterError(f"{opt} = {n} splits a degenerate {label} level; use one of "
                                 f"{ok} (complete multiplets)")
        idx = np.concatenate(groups)[:n]
        out.append(idx)
    ce, vh = out
    if np.any(e[ce][:, None] <= e[vh][None, :]):
        raise ParameterError("conduction states lie below valence states: check is_conduction")
    return ce, vh


def exciton_integrals(states: StatesLike, kernel: CoulombKernel, e_idx: np.ndarray,
                      h_idx: np.ndarray) -> dict[str, np.ndarray]:
    """Direct, exchange and self-energy integrals (eV) for the e–h basis, as BLAS products.

    .. math::

        J_{cc'v'v} = \\rho_{cc'}^T W \\rho_{v'v}, \\quad
        K_{cv,c'v'} = \\rho_{cv}^T W \\rho^*_{c'v'}, \\quad
        \\Sigma^e_{cc'} = \\rho_{cc'}^T s, \\quad \\Sigma^h_{v'v} = \\rho_{v'v}^T s

    Returns
    -------
    dict with ``J`` (N_e, N_e, N_h, N_h) [c, c', v', v], ``K`` (N_e N_h, N_e N_h),
    ``Se`` (N_e, N_e), ``Sh`` (N_h, N_h) [v', v], ``M_ee`` and ``M_hh`` (pair kernels
    Σ ρ_ij W ρ_kl as (n², n²) matrices, reused by trion CI).
    """
    W, s = kernel.W_eV, kernel.self_energy_eV
    ne, nh = len(e_idx), len(h_idx)
    r_ee = transition_densities(states, e_idx, e_idx).reshape(-1, ne * ne)
    r_hh = transition_densities(states, h_idx, h_idx).reshape(-1, nh * nh)
    r_eh = transition_densities(states, e_idx, h_idx).reshape(-1, ne * nh)
    if r_ee.shape[0] != W.shape[0]:
        raise ParameterError(f"kernel has {W.shape[0]} sites but the states have "
                             f"{r_ee.shape[0]} atoms; build the kernel from states.positions_nm")
    W_hh = _real_matmul(W, r_hh)
    J = (r_ee.T @ W_hh).reshape(ne, ne, nh, nh)
    K = r_eh.T @ _real_matmul(W, r_eh.conj())
    return {
        "J": J,
        "K": K,
        "Se": (r_ee.T @ s).reshape(ne, ne),
        "Sh": (r_hh.T @ s).reshape(nh, nh),
        "M_ee": r_ee.T @ _real_matmul(W, r_ee),
        "M_hh": r_hh.T @ W_hh,
    }


def _real_matmul(W: np.ndarray, r: np.ndarray) -> np.ndarray:
    """W @ r for real W (N, N) and complex r (N, k) without NumPy's complex copy of W
    (16 B × N²: 3.7 GB at 15k atoms)."""
    return (W @ np.ascontiguousarray(r.real)) + 1j * (W @ np.ascontiguousarray(r.imag))


def ci_hamiltonian(states: StatesLike, kernel: CoulombKernel, e_idx: np.ndarray,
                   h_idx: np.ndarray, integrals: dict | None = None) -> np.ndarray:
    """CIS matrix (eV) in the basis |c v⟩, row ``i_c * N_h + i_v`` (formula in module doc)."""
    ints = exciton_integrals(states, kernel, e_idx, h_idx) if integrals is None else integrals
    e = np.asarray(states.energies_eV)
    ne, nh = len(e_idx), len(h_idx)
    h_e = np.diag(e[e_idx]).astype(complex) + ints["Se"]
    h_h = -np.diag(e[h_idx]).astype(complex) + ints["Sh"].T
    H = np.kron(h_e, np.eye(nh)) + np.kron(np.eye(ne), h_h)
    H -= ints["J"].transpose(0, 3, 1, 2).reshape(ne * nh, ne * nh)
    H += ints["K"]
    return 0.5 * (H + H.conj().T)


def solve_ci(states: StatesLike, eps_in: float, eps_out: float = 2.25, n_e: int = 8,
             n_h: int = 24, *, kernel: CoulombKernel | None = None,
             lattice_constant_nm: float = 0.646, polarisation: bool = True) -> Excitons:
    """Neutral-exciton CI: diagonalise the CIS matrix of :func:`ci_hamiltonian`.

    Parameters
    ----------
    states : States
        Band-edge states of the dot (docs/interfaces.md).
    eps_in : float
        Dielectric constant of the dot screening J and K.
    eps_out : float
        Dielectric constant of the solvent (TCE 2.25).
    n_e, n_h : int
        Conduction (electron) and valence (hole) spinor states in the basis.
    kernel : CoulombKernel, optional
        Precomputed kernel (must match eps_in/eps_out); built from the states otherwise.
    lattice_constant_nm : float
        Lattice constant a (nm) for the on-site regularisation radius.
    polarisation : bool
        Include the surface-polarisation terms.
    """
    e_idx, h_idx = select_states(states, n_e, n_h)
    if kernel is None:
        kernel = coulomb_kernel(states.positions_nm, eps_in, eps_out,
                                lattice_constant_nm=lattice_constant_nm,
                                polarisation=polarisation)
    elif (kernel.eps_in, kernel.eps_out) != (float(eps_in), float(eps_out)):
        raise ParameterError(f"kernel built for eps_in={kernel.eps_in}, eps_out={kernel.eps_out}"
                             f" but solve_ci got {eps_in}, {eps_out}; rebuild the kernel")
    H = ci_hamiltonian(states, kernel, e_idx, h_idx)
    w, v = np.linalg.eigh(H)
    return Excitons(energies_eV=w, vectors=v, electron_states=e_idx, hole_states=h_idx,
                    groups=degeneracy_groups(w), eps_in=float(eps_in), eps_out=float(eps_out))


def band_edge_manifolds(excitons: Excitons, states: StatesLike,
                        levels: tuple[tuple[int, int], ...] = ((0, 0), (0, 1))
                        ) -> list[dict]:
    """Exciton manifolds built on given (conduction level, valence level) pairs.

    X1 = CB1×VB1 is ``(0, 0)`` and X2 = CB1×VB2 is ``(0, 1)``. A manifold holds the
    g_c × g_v CI states with the largest weight Σ|A_cv|² on those configurations.

    Returns
    -------
    list of dict: ``states`` (CI indices), ``energies_eV``, ``weights``, ``mean_eV``,
    ``splitting_meV`` (max − min), ``degeneracy``.
    """
    cg, vg = level_groups(states)
    pos_e = {int(s): i for i, s in enumerate(excitons.electron_states)}
    pos_h = {int(s): i for i, s in enumerate(excitons.hole_states)}
    amp = np.abs(excitons.vectors.reshape(excitons.n_e, excitons.n_h, -1)) ** 2
    out = []
    for lc, lv in levels:
        if lc >= len(cg) or lv >= len(vg):
            raise ParameterError(f"level pair {(lc, lv)} not among the computed levels")
        ie = [pos_e[int(s)] for s in cg[lc] if int(s) in pos_e]
        ih = [pos_h[int(s)] for s in vg[lv] if int(s) in pos_h]
        if len(ie) != len(cg[lc]) or len(ih) != len(vg[lv]):
            raise ParameterError(f"level pair {(lc, lv)} is not fully inside the CI basis; "
                                 "increase n_e / n_h")
        wgt = amp[np.ix_(ie, ih)].sum(axis=(0, 1))
        g = len(ie) * len(ih)
        sel = np.sort(np.argsort(-wgt)[:g])
        en = excitons.energies_eV[sel]
        out.append({"states": sel, "energies_eV": en, "weights": wgt[sel],
                    "mean_eV": float(en.mean()),
                    "splitting_meV": float(1e3 * (en.max() - en.min())), "degeneracy": g})
    return out


def ci_convergence(states: StatesLike, eps_in: float, eps_out: float = 2.25,
                   sizes: tuple[tuple[int, int], ...] = ((2, 8), (4, 16), (8, 24)),
                   **kw) -> list[dict]:
    """X1 and X2 mean energies (eV) versus the CI basis size (N_e, N_h).

    Returns a list of ``{"n_e", "n_h", "X1_eV", "X2_eV"}``; the kernel is built once.
    """
    kernel = coulomb_kernel(states.positions_nm, eps_in, eps_out,
                            lattice_constant_nm=kw.get("lattice_constant_nm", 0.646),
                            polarisation=kw.get("polarisation", True))
    rows = []
    for ne, nh in sizes:
        x = solve_ci(states, eps_in, eps_out, ne, nh, kernel=kernel)
        m1, m2 = band_edge_manifolds(x, states)
        rows.append({"n_e": ne, "n_h": nh, "X1_eV": m1["mean_eV"], "X2_eV": m2["mean_eV"]})
    return rows
