"""Small model systems with the States / TBHamiltonian contract, for algebraic checks only."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse as sp


@dataclass(frozen=True)
class ModelStates:
    energies_eV: np.ndarray
    vectors: np.ndarray
    is_conduction: np.ndarray
    atom_of_basis: np.ndarray
    positions_nm: np.ndarray
    homo_eV: float
    lumo_eV: float
    gap_eV: float


@dataclass(frozen=True)
class ModelHam:
    matrix: sp.csr_matrix
    positions_nm: np.ndarray
    atom_of_basis: np.ndarray
    spin_of_basis: np.ndarray


def cluster(n_side: int = 2, spacing_nm: float = 0.28):
    """Atoms on a simple-cubic grid n_side**3, centred; two sublattices by parity."""
    g = np.arange(n_side) * spacing_nm
    pos = np.array(np.meshgrid(g, g, g, indexing="ij")).reshape(3, -1).T
    pos = pos - pos.mean(axis=0)
    parity = (np.round(pos / spacing_nm * 2).astype(int).sum(1) // 2) % 2
    return pos, parity


def model_hamiltonian(n_side: int = 2, norb: int = 2, gap: float = 2.0, hop: float = 0.6,
                      soc: float = 0.0, seed: int = 0, spacing_nm: float = 0.28) -> ModelHam:
    """Two-sublattice TB model (on-site ±gap/2, random nearest-neighbour hoppings).

    Basis index atom * (2 norb) + spin * norb + orbital, like the electronic layer. With
    soc != 0 a random spin-mixing, time-reversal-symmetric on-site term is added.
    """
    rng = np.random.default_rng(seed)
    pos, parity = cluster(n_side, spacing_nm)
    n = len(pos)
    m = 2 * norb
    Hs = np.zeros((n * norb, n * norb))
    for i in range(n):
        Hs[i * norb:(i + 1) * norb, i * norb:(i + 1) * norb] = np.diag(
            (gap / 2 if parity[i] else -gap / 2) + 0.3 * rng.standard_normal(norb))
    d = np.linalg.norm(pos[:, None] - pos[None], axis=-1)
    for i, j in zip(*np.nonzero(np.triu((d > 0) & (d < 1.01 * spacing_nm))), strict=True):
        t = hop * rng.standard_normal((norb, norb))
        Hs[i * norb:(i + 1) * norb, j * norb:(j + 1) * norb] = t
        Hs[j * norb:(j + 1) * norb, i * norb:(i + 1) * norb] = t.T
    H = np.zeros((n * m, n * m), dtype=complex)
    for s in (0, 1):
        idx = (np.arange(n)[:, None] * m + s * norb + np.arange(norb)[None, :]).ravel()
        H[np.ix_(idx, idx)] = Hs
    if soc:
        for i in range(n):
            a = rng.standard_normal((norb, norb)) + 1j * rng.standard_normal((norb, norb))
            a = soc * (a - a.T) / 2  # antisymmetric: up-down block of a T-symmetric term
            b = i * m
            H[b:b + norb, b + norb:b + m] += a
            H[b + norb:b + m, b:b + norb] += a.conj().T
    atom = np.repeat(np.arange(n), m)
    spin = np.tile(np.repeat([0, 1], norb), n)
    return ModelHam(sp.csr_matrix(H), pos, atom, spin)


def model_states(ham: ModelHam, n_vb: int | None = None, n_cb: int | None = None
                 ) -> ModelStates:
    """Exact eigenstates of a model Hamiltonian, half filled; optionally only band-edge ones."""
    w, v = np.linalg.eigh(ham.matrix.toarray())
    n_occ = len(w) // 2
    lo = 0 if n_vb is None else n_occ - n_vb
    hi = len(w) if n_cb is None else n_occ + n_cb
    sel = slice(lo, hi)
    return ModelStates(energies_eV=w[sel], vectors=v[:, sel],
                       is_conduction=np.arange(len(w))[sel] >= n_occ,
                       atom_of_basis=ham.atom_of_basis, positions_nm=ham.positions_nm,
                       homo_eV=float(w[n_occ - 1]), lumo_eV=float(w[n_occ]),
                       gap_eV=float(w[n_occ] - w[n_occ - 1]))
