"""Charged dots: one extra carrier, and the trions 2e1h (X⁻) and 1e2h (X⁺) it absorbs into.

Full CI inside the active space of N_e conduction × N_h valence spinor states. A trion is a pair
of identical carriers (antisymmetric, index p = (i < j)) plus one carrier of the other kind
(index s); the basis index is ``p * n_single + s``. In first quantisation (eV)

.. math::

    H = h(1) + h(2) + h_s + V_{12} + K(1,s) + K(2,s),

* one-body terms h = ε + Σ (electrons: ε_c δ + Σ^e; holes: −ε_v δ + Σ^h, see :mod:`.ci`);
* pair repulsion V_12: electrons ⟨c1 c2|c1' c2'⟩ = Σ ρ_{c1c1'} W ρ_{c2c2'};
  holes ⟨v1' v2'|v1 v2⟩ = Σ ρ_{v1'v1} W ρ_{v2'v2};
* electron–hole kernel K(c v, c' v') = −⟨c v'|c' v⟩ + ⟨c v'|v c'⟩, the CIS kernel of the
  neutral exciton, acting on each member of the pair.

On the antisymmetric pair states |ij⟩_A = (|ij⟩ − |ji⟩)/√2 an operator symmetric under the
exchange of the pair has ⟨ij|O|kl⟩_A = O(ij, kl) − O(ij, lk), which is what is assembled here with
NumPy fancy indexing (no loop over pairs of configurations). The active-space CI is exact within
the basis; the only approximation is the truncation of the basis (shown by the convergence test
against larger N_e, N_h on a small dot).

The initial states of the charged dot are the eigenstates of the one-carrier Hamiltonian h.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg as sla

from qdgain.errors import ParameterError
from qdgain.excitons.ci import degeneracy_groups, exciton_integrals, select_states
from qdgain.excitons.coulomb import CoulombKernel, StatesLike, coulomb_kernel

__all__ = ["ChargedDot", "solve_charged", "pair_single_hamiltonian"]


@dataclass(frozen=True, slots=True)
class ChargedDot:
    """CI of a dot with one extra carrier (saved results).

    Attributes
    ----------
    charge : int
        −1 (extra electron; trions 2e1h) or +1 (extra hole; trions 1e2h).
    carrier_energies_eV : ndarray (n_c,)
        Energies of the one-carrier states (electron: ε + Σ above the neutral ground state;
        hole: −ε_v + Σ), ascending, eV.
    carrier_vectors : ndarray (n_c, n_c) complex
        One-carrier eigenvectors in the electron (charge −1) or hole (charge +1) basis.
    trion_energies_eV : ndarray (n_t,)
        Trion energies above the neutral ground state, ascending, eV.
    trion_vectors : ndarray (n_pairs * n_single, n_t) complex
        Trion CI vectors, row ``p * n_single + s``.
    pairs : ndarray (n_pairs, 2) int
        Pair (i < j) of the identical carriers, as positions in their basis.
    electron_states, hole_states : ndarray of int
        Columns of ``States.vectors`` forming the electron and hole bases.
    groups : tuple of tuple of int
        Degeneracy groups of the trion energies.
    eps_in, eps_out : float
    """

    charge: int
    carrier_energies_eV: np.ndarray
    carrier_vectors: np.ndarray
    trion_energies_eV: np.ndarray
    trion_vectors: np.ndarray
    pairs: np.ndarray
    electron_states: np.ndarray
    hole_states: np.ndarray
    groups: tuple[tuple[int, ...], ...]
    eps_in: float
    eps_out: float


def pair_single_hamiltonian(h_pair: np.ndarray, h_single: np.ndarray, V_pair: np.ndarray,
                            K4: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Hamiltonian (eV) of two identical fermions + one distinct particle, antisymmetrised.

    .. math::

        H_{(ij)s,(kl)s'} = O(ij s, kl s') - O(ij s, lk s'), \\quad i<j,\\ k<l

    Parameters
    ----------
    h_pair : ndarray (n, n)
        One-body matrix of each member of the pair, eV.
    h_single : ndarray (m, m)
        One-body matrix of the single carrier, eV.
    V_pair : ndarray (n, n, n, n)
        Pair interaction V[i, j, k, l] = ⟨ij|V|kl⟩ (product states), eV.
    K4 : ndarray (n, m, n, m)
        Pair-member–single interaction K[a, s, a', s'], eV.

    Returns
    -------
    H : ndarray (n_pairs m, n_pairs m) complex, rows ``p * m + s``
    pairs : ndarray (n_pairs, 2)
    """
    n, m = h_pair.shape[0], h_single.shape[0]
    iu, ju = np.triu_indices(n, 1)
    I, J = iu[:, None], ju[:, None]
    K_, L = iu[None, :], ju[None, :]
    d = lambda x, y: (x == y).astype(float)  # noqa: E731
    # one-body pair part (P, P), exchange-antisymmetrised
    hp = (h_pair[I, K_] * d(J, L) - h_pair[I, L] * d(J, K_)
          + d(I, K_) * h_pair[J, L] - d(I, L) * h_pair[J, K_])
    hp = hp + V_pair[I, J, K_, L] - V_pair[I, J, L, K_]
    P = len(iu)
    H = np.kron(hp, np.eye(m)) + np.kron(np.eye(P), h_single)
    # pair–single coupling: member 1 and member 2 with the single carrier; K4[I,:,K_,:] -> (P,P,m,m)
    Kc = (K4[I, :, K_, :] * d(J, L)[..., None, None] - K4[I, :, L, :] * d(J, K_)[..., None, None]
          + K4[J, :, L, :] * d(I, K_)[..., None, None] - K4[J, :, K_, :] * d(I, L)[..., None, None])
    H = H + Kc.transpose(0, 2, 1, 3).reshape(P * m, P * m)
    return 0.5 * (H + H.conj().T), np.stack([iu, ju], axis=1)


def solve_charged(states: StatesLike, charge: int, eps_in: float, eps_out: float = 2.25,
                  n_e: int = 8, n_h: int = 24, *, kernel: CoulombKernel | None = None,
                  lattice_constant_nm: float = 0.646, polarisation: bool = True,
                  n_roots: int | None = None) -> ChargedDot:
    """Full active-space CI of the charged dot's carrier and of its trions.

    Parameters
    ----------
    states : States
        Band-edge states (docs/interfaces.md).
    charge : int
        −1 (one extra electron) or +1 (one extra hole); 0 is the neutral dot (use ``solve_ci``).
    eps_in, eps_out : float
        Dielectric constants inside / outside.
    n_e, n_h : int
        Conduction and valence spinor states in the active space.
    kernel : CoulombKernel, optional
        Precomputed kernel.
    lattice_constant_nm : float
        Lattice constant (nm) for the on-site regularisation.
    polarisation : bool
        Include surface polarisation.
    n_roots : int, optional
        Keep only the lowest ``n_roots`` trions (cheaper eigensolver, LAPACK ``evr`` subset);
        default all.
    """
    if charge not in (-1, 1):
        raise ParameterError(f"charge = {charge!r}: a charged dot has charge -1 (extra "
                             "electron) or +1 (extra hole); use solve_ci for charge 0")
    e_idx, h_idx = select_states(states, n_e, n_h)
    if kernel is None:
        kernel = coulomb_kernel(states.positions_nm, eps_in, eps_out,
                                lattice_constant_nm=lattice_constant_nm,
                                polarisation=polarisation)
    ints = exciton_integrals(states, kernel, e_idx, h_idx)
    e = np.asarray(states.energies_eV)
    h_e = np.diag(e[e_idx]).astype(complex) + ints["Se"]
    h_h = -np.diag(e[h_idx]).astype(complex) + ints["Sh"].T
    # e–h kernel K4[c, v, c', v'] = -J[c,c',v',v] + K[(cv),(c'v')]
    K4 = (-ints["J"].transpose(0, 3, 1, 2) + ints["K"].reshape(n_e, n_h, n_e, n_h))
    if charge == -1:
        # V[c1,c2,c1',c2'] = M_ee[(c1,c1'),(c2,c2')]
        V = ints["M_ee"].reshape(n_e, n_e, n_e, n_e).transpose(0, 2, 1, 3)
        H, pairs = pair_single_hamiltonian(h_e, h_h, V, K4)
        h_c = h_e
    else:
        # V[v1,v2,v1',v2'] = M_hh[(v1',v1),(v2',v2)]
        V = ints["M_hh"].reshape(n_h, n_h, n_h, n_h).transpose(1, 3, 0, 2)
        H, pairs = pair_single_hamiltonian(h_h, h_e, V, K4.transpose(1, 0, 3, 2))
        h_c = h_h
    if n_roots is None:
        w, v = np.linalg.eigh(H)
    else:
        if not 1 <= n_roots <= H.shape[0]:
            raise ParameterError(f"n_roots = {n_roots}: need 1 <= n_roots <= {H.shape[0]} "
                                 "(the trion basis size)")
        w, v = sla.eigh(H, subset_by_index=[0, n_roots - 1], driver="evr")
    wc, vc = np.linalg.eigh(0.5 * (h_c + h_c.conj().T))
    return ChargedDot(charge=int(charge), carrier_energies_eV=wc, carrier_vectors=vc,
                      trion_energies_eV=w, trion_vectors=v, pairs=pairs,
                      electron_states=e_idx, hole_states=h_idx, groups=degeneracy_groups(w),
                      eps_in=float(eps_in), eps_out=float(eps_out))
