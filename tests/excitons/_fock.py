"""Brute-force second-quantised reference (Jordan–Wigner) for tiny active spaces."""

from __future__ import annotations

import numpy as np

from qdgain.excitons import transition_densities


def annihilators(n: int) -> list[np.ndarray]:
    """Jordan–Wigner a_p on 2**n Fock states (bit p of the index = occupation of orbital p)."""
    dim = 2**n
    ops = []
    for p in range(n):
        a = np.zeros((dim, dim))
        for s in range(dim):
            if s >> p & 1:
                sign = (-1) ** bin(s & ((1 << p) - 1)).count("1")
                a[s ^ (1 << p), s] = sign
        ops.append(a)
    return ops


def fock_hamiltonian(states, kernel, v_idx, c_idx):
    """H = Σ h_pq a†p aq + ½ Σ ⟨pq|rs⟩ a†p a†q a_s a_r, normal-ordered to the reference.

    The TB energies are mean-field energies of the filled valence, so the mean field of the
    active occupied orbitals is subtracted: h_pq = ε_p δ_pq − Σ_v (⟨pv|qv⟩ − ⟨pv|vq⟩).
    Orbitals: valence first, then conduction. Returns H, a (list), occupation masks.
    """
    act = np.concatenate([v_idx, c_idx])
    n = len(act)
    rho = transition_densities(states, act, act)
    V = np.einsum("Rpr,RS,Sqs->pqrs", rho, kernel.W_eV, rho)
    eps = np.asarray(states.energies_eV)[act]
    nv = len(v_idx)
    h = np.diag(eps).astype(complex)
    for v in range(nv):
        h -= V[:, v, :, v] - V[:, v, v, :]
    a = annihilators(n)
    E = np.array([[ap.T @ ar for ar in a] for ap in a])  # E[p, r] = a†p a_r
    H = np.einsum("pq,pqij->ij", h, E)
    n2, dim = n * n, E.shape[-1]
    A = np.tensordot(V.transpose(1, 3, 0, 2).reshape(n2, n2), E.reshape(n2, dim * dim), 1)
    H = H + 0.5 * np.einsum("qij,qjk->ik", A.reshape(n2, dim, dim), E.reshape(n2, dim, dim),
                            optimize=True)
    H = H - 0.5 * np.einsum("pqqs,psij->ij", V, E)
    occ = np.array([[s >> p & 1 for p in range(n)] for s in range(2**n)])
    return H, a, occ, nv


def sector(H, occ, nv, n_elec_c, n_holes):
    """Sub-block of H with n_elec_c conduction electrons and n_holes empty valence orbitals."""
    mask = (occ[:, nv:].sum(1) == n_elec_c) & ((nv - occ[:, :nv].sum(1)) == n_holes)
    idx = np.flatnonzero(mask)
    return H[np.ix_(idx, idx)], idx
