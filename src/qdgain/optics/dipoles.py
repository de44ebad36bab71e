"""Dipole matrix elements between tight-binding states, exciton and trion transition dipoles.

Length form (position operator diagonal on the atomic sites; the public HgTe set defines no
intra-atomic dipole terms, so none are added):

.. math::

    \\langle a|\\mathbf r|b\\rangle = \\sum_R \\rho_{ab}(R)\\, \\mathbf R .

Velocity form from the commutator, [H, r]_{μν} = H_{μν}(R_ν − R_μ), expressed as an equivalent
length (nm):

.. math::

    \\mathbf r^{(v)}_{ab} = \\frac{\\langle a|[H,\\mathbf r]|b\\rangle}{E_a - E_b}
    \\quad (= \\mathbf r_{ab}\\ \\text{for exact eigenstates}).

With the site position operator the two agree identically for exact eigenstates of the same H,
so their difference measures the eigenvector residuals (reported by :func:`length_velocity_check`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse as sp

from qdgain.constants import HBAR2_2M_EV_NM2
from qdgain.excitons import Carrier, ChargedDot, Excitons
from qdgain.excitons.coulomb import StatesLike, site_matrix

__all__ = [
    "commutator_matrices",
    "position_matrix_nm",
    "velocity_matrix_nm",
    "length_velocity_check",
    "exciton_dipoles_nm",
    "oscillator_strengths",
    "trion_dipoles_nm",
    "carrier_dipoles_nm",
]


def position_matrix_nm(states: StatesLike, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """⟨a|r|b⟩ (nm) = Σ_R ρ_ab(R) R, shape (len(a), len(b), 3) complex (one GEMM per axis,
    :func:`qdgain.excitons.site_matrix`)."""
    return site_matrix(states, a, b, np.asarray(states.positions_nm, dtype=float))


def commutator_matrices(ham: Any) -> list[sp.csr_matrix]:
    """[H, r_x], [H, r_y], [H, r_z] (eV nm, sparse) with the site position operator.

    .. math:: [H, x]_{\\mu\\nu} = H_{\\mu\\nu}\\,(x_\\nu - x_\\mu)

    In the atomic-position gauge of the bulk Bloch sums (:mod:`qdgain.materials.bulk`) the same
    operator is −i ∂H(k)/∂k at k = 0, so the dot and the bulk Kane energy share one velocity.

    Parameters
    ----------
    ham : TBHamiltonian
        Needs ``matrix`` (sparse, eV), ``positions_nm`` (nm) and ``atom_of_basis``.
    """
    Hm = sp.coo_matrix(ham.matrix)
    pos = np.asarray(ham.positions_nm, dtype=float)[np.asarray(ham.atom_of_basis)]
    return [sp.csr_matrix((Hm.data * (pos[Hm.col, x] - pos[Hm.row, x]), (Hm.row, Hm.col)),
                          shape=Hm.shape) for x in range(3)]


def velocity_matrix_nm(ham: Any, states: StatesLike, a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Velocity-form dipole ⟨a|[H,r]|b⟩ / (E_a − E_b) (nm), shape (len(a), len(b), 3).

    Parameters
    ----------
    ham : TBHamiltonian
        Needs ``matrix`` (sparse, eV), ``positions_nm`` and ``atom_of_basis``.
    states : States
        Eigenstates of ``ham``.
    a, b : array of int
        State indices; pairs with |E_a − E_b| < 1e-6 eV give NaN (undefined).
    """
    C = np.asarray(states.vectors)
    Ca, Cb = C[:, a], C[:, b]
    e = np.asarray(states.energies_eV)
    de = e[a][:, None] - e[b][None, :]
    out = np.empty((len(a), len(b), 3), dtype=complex)
    for x, comm in enumerate(commutator_matrices(ham)):
        with np.errstate(divide="ignore", invalid="ignore"):
            out[..., x] = np.where(np.abs(de) > 1e-6, (Ca.conj().T @ (comm @ Cb)) / de, np.nan)
    return out


def length_velocity_check(ham: Any, states: StatesLike, a: np.ndarray, b: np.ndarray
                          ) -> dict[str, float]:
    """Agreement of length and velocity forms over the a×b transitions.

    Returns ``{"max_rel_dev", "rms_rel_dev", "sum_sq_length_nm2", "sum_sq_velocity_nm2"}``; the
    relative deviations are normalised by the largest |r_ab|.
    """
    rl = position_matrix_nm(states, a, b)
    rv = velocity_matrix_nm(ham, states, a, b)
    ok = np.all(np.isfinite(rv), axis=-1)
    scale = np.abs(rl[ok]).max()
    dev = np.linalg.norm(rl[ok] - rv[ok], axis=-1) / scale
    return {"max_rel_dev": float(dev.max()), "rms_rel_dev": float(np.sqrt((dev**2).mean())),
            "sum_sq_length_nm2": float((np.abs(rl[ok]) ** 2).sum()),
            "sum_sq_velocity_nm2": float((np.abs(rv[ok]) ** 2).sum())}


def exciton_dipoles_nm(excitons: Excitons, states: StatesLike) -> np.ndarray:
    """⟨0|r|Ψ_i⟩ = Σ_cv A^i_cv ⟨v|r|c⟩ (nm), shape (n_x, 3) complex."""
    d_vc = position_matrix_nm(states, excitons.hole_states, excitons.electron_states)
    d_cv = d_vc.transpose(1, 0, 2).reshape(excitons.n_e * excitons.n_h, 3)
    return excitons.vectors.T @ d_cv


def oscillator_strengths(energies_eV: np.ndarray, dipoles_nm: np.ndarray) -> np.ndarray:
    """Orientation-averaged oscillator strengths (dimensionless).

    .. math:: f_i = \\frac{2 m_e E_i}{3\\hbar^2} |\\langle 0|\\mathbf r|\\Psi_i\\rangle|^2
    """
    d2 = (np.abs(np.asarray(dipoles_nm)) ** 2).sum(axis=-1)
    return np.asarray(energies_eV) * d2 / (3.0 * HBAR2_2M_EV_NM2)


def carrier_dipoles_nm(charged: ChargedDot | Carrier, states: StatesLike) -> np.ndarray:
    """⟨j|r|i⟩ (nm) between the one-carrier eigenstates, shape (n_c, n_c, 3) [j, i, x].

    Accepts the carrier of a :class:`~qdgain.excitons.ChargedDot` (its CI active space) or a
    :class:`~qdgain.excitons.Carrier` (any basis size: one GEMM per direction).
    """
    if isinstance(charged, Carrier):
        idx, U = charged.states, charged.vectors
    else:
        idx = charged.electron_states if charged.charge == -1 else charged.hole_states
        U = charged.carrier_vectors
    d = position_matrix_nm(states, idx, idx)
    if charged.charge == 1:  # hole states are the conjugate picture: ⟨j_h|r|i_h⟩ = ⟨v_i|r|v_j⟩
        d = d.transpose(1, 0, 2)
    return np.einsum("aj,abx,bi->jix", U.conj(), d, U, optimize=True)


def trion_dipoles_nm(charged: ChargedDot, states: StatesLike) -> np.ndarray:
    """⟨T_k|r|i⟩ (nm) from each one-carrier state i to each trion k, shape (n_t, n_c, 3).

    X⁻: r|c0⟩ ∋ Σ_cv ⟨c|r|v⟩ |c c0; v⟩, amplitude on pair (i<j), hole v:
    d_{iv} u_j − d_{jv} u_i. X⁺: on electron c, hole pair (i<j): d_{ci} u_j − d_{cj} u_i.
    """
    d_cv = position_matrix_nm(states, charged.electron_states, charged.hole_states)
    U = charged.carrier_vectors  # (n_c, n_c): columns = carrier eigenstates
    I, J = charged.pairs[:, 0], charged.pairs[:, 1]
    if charged.charge == -1:
        # amp[p, v, i, x] = d[I_p, v, x] U[J_p, i] - d[J_p, v, x] U[I_p, i]
        amp = (d_cv[I][:, :, None, :] * U[J][:, None, :, None]
               - d_cv[J][:, :, None, :] * U[I][:, None, :, None])
    else:
        # amp[p, c, i, x] = d[c, I_p, x] U[J_p, i] - d[c, J_p, x] U[I_p, i]
        dT = d_cv.transpose(1, 0, 2)
        amp = (dT[I][:, :, None, :] * U[J][:, None, :, None]
               - dT[J][:, :, None, :] * U[I][:, None, :, None])
    n_basis = amp.shape[0] * amp.shape[1]
    amp = amp.reshape(n_basis, U.shape[1], 3)
    return np.einsum("bk,bix->kix", charged.trion_vectors.conj(), amp)
