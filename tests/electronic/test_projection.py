"""Exact projection of the dangling hybrids (``passivation_shift_eV=math.inf``).

H' = P H P + c Q must be the Δ → ∞ limit of the shifted-hybrid model (docs/boundary_states.md),
with the parked states decoupled at c inside the band range.
"""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest

from qdgain.electronic import hamiltonian, inertia
from qdgain.electronic.blockop import block_operator
from qdgain.electronic.hamiltonian import _hybrid_columns
from qdgain.errors import ParameterError
from qdgain.materials import load_parameters
from qdgain.structure import Sphere, nanocrystal


@pytest.fixture(scope="module")
def dot():
    """1.8 nm fit300K sphere without two-fold Te: 75 atoms, 76 dangling bonds, 1350 rows."""
    p = load_parameters("HgTe_sp3d5_soc_2nn_fit300K")
    nc = nanocrystal(p, Sphere(diameter_nm=1.8), min_anion_neighbours=3)
    return nc, p, hamiltonian(nc, p, passivation_shift_eV=math.inf)


@pytest.fixture(scope="module")
def spectrum(dot):
    return np.linalg.eigvalsh(dot[2].matrix.toarray())


def test_hybrids_of_one_atom_orthonormal(dot):
    # ⟨h|h'⟩ = ¼ + ¾ n̂·n̂' = 0 for distinct tetrahedral directions: W^T W = 1 to round-off
    nc, p, _ = dot
    W = _hybrid_columns(nc, p.orbitals).toarray()
    assert np.bincount(nc.dangling_atom).max() >= 2  # atoms with several dangling bonds exist
    np.testing.assert_allclose(W.T @ W, np.eye(W.shape[1]), atol=1e-14)


def test_projected_hamiltonian_hermitian_and_parked_states_exact(dot, spectrum):
    nc, p, H = dot
    A = H.matrix.toarray()
    assert np.abs(A - A.conj().T).max() == 0.0  # symmetrised at assembly
    W = _hybrid_columns(nc, p.orbitals).toarray()
    c = float(np.real(W[:, 0] @ A @ W[:, 0]))
    # every dangling hybrid (both spins) is an eigenvector with eigenvalue c; round-off 1e-14 eV
    np.testing.assert_allclose(A @ W, c * W, atol=1e-12)
    parked = np.count_nonzero(np.abs(spectrum - c) < 1e-9)
    assert parked == 2 * len(nc.dangling_atom)
    # c is a Rayleigh quotient of P H P (Te d on-site), so the spectral bounds are not inflated,
    # and it lies far above the gap (inertia at mid-gap = bond-counted filling)
    assert spectrum[0] < c < spectrum[-1]
    assert c > spectrum[H.n_valence] + 5.0
    mid = 0.5 * (spectrum[H.n_valence - 1] + spectrum[H.n_valence])
    assert inertia(H.matrix, mid) == H.n_valence


def test_projection_is_the_large_shift_limit(dot, spectrum):
    # Eliminating the hybrid at Δ couples the rest through V²/Δ (V ~ 1–2 eV): the band-edge levels
    # converge to the projected ones as 1/Δ. Dense eigh round-off is ~1e-16·Δ ≤ 1e-10 eV.
    nc, p, H = dot
    nv = H.n_valence
    edge = slice(nv - 8, nv + 8)
    diffs = []
    for shift in (1e5, 1e6):
        e = np.linalg.eigvalsh(hamiltonian(nc, p, passivation_shift_eV=shift).matrix.toarray())
        diffs.append(np.abs(e[edge] - spectrum[edge]).max())
    assert diffs[1] < 1e-5
    assert 8.0 < diffs[0] / diffs[1] < 12.0  # 1/Δ: ten times the shift, a tenth of the error


def test_projection_keeps_kramers_pairs(spectrum):
    # time reversal commutes with Q (spin-independent hybrids), so every level stays 2-fold
    np.testing.assert_allclose(spectrum[0::2], spectrum[1::2], atol=1e-9)


def test_block_operator_on_projected_hamiltonian(dot):
    # P H P changes the hopping blocks of bonds that touch dangling atoms (more distinct blocks),
    # still real and spin-diagonal: the block operator must equal CSR to round-off
    H = dot[2]
    op = block_operator(H.matrix, H.n_orbitals)
    X = np.random.default_rng(1).standard_normal((H.n_basis, 3)).astype(complex)
    ref = H.matrix @ X
    assert np.abs(op.matmat(X) - ref).max() <= 1e-12 * np.abs(ref).max()


def test_projection_needs_tetrahedral_bonds(dot):
    nc, p, _ = dot
    bent = dataclasses.replace(nc, dangling_direction=1.01 * nc.dangling_direction)
    with pytest.raises(ParameterError, match="not orthonormal"):
        hamiltonian(bent, p, passivation_shift_eV=math.inf)
    with pytest.raises(ParameterError, match="passivation_shift_eV"):
        hamiltonian(nc, p, passivation_shift_eV=math.nan)
