"""Block operator H·X (distinct bond blocks over a neighbour table) against the CSR matrix."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from qdgain.electronic import hamiltonian
from qdgain.electronic.blockop import HAVE_NUMBA, block_operator
from qdgain.errors import ParameterError
from qdgain.structure import Sphere, nanocrystal

KERNELS = [False, True] if HAVE_NUMBA else [False]


@pytest.fixture(scope="module")
def dots():
    nc = nanocrystal("HgTe", Sphere(diameter_nm=1.8))
    # a field makes every diagonal entry distinct; passivation makes surface on-site types
    return [hamiltonian(nc), hamiltonian(nc, field_V_nm=(0.1, -0.2, 0.05)),
            hamiltonian(nc, soc=False)]


@pytest.mark.parametrize("use_numba", KERNELS)
@pytest.mark.parametrize("m", [1, 3, 16])
def test_block_matvec_equals_csr(dots, use_numba, m):
    rng = np.random.default_rng(m)
    for H in dots:
        op = block_operator(H.matrix, H.n_orbitals, use_numba=use_numba, check=False)
        x = rng.standard_normal((H.n_basis, m)) + 1j * rng.standard_normal((H.n_basis, m))
        ref = H.matrix @ x
        # 1e-12 relative: both sum the same ≤ 400 products per row in another order (round-off
        # ~ 1e-15 × row sum); compressing blocks merges entries equal to ~1e-14 eV
        err = np.abs(op.matmat(x) - ref).max() / np.abs(ref).max()
        assert err <= 1e-12
        if m == 1:
            assert np.abs(op.matmat(x[:, 0]) - ref[:, 0]).max() <= 1e-12 * np.abs(ref).max()


def test_few_distinct_blocks(dots):
    """Zincblende: 2 species orders × (4 + 12) bond directions = 32 hopping blocks."""
    op = block_operator(dots[0].matrix, dots[0].n_orbitals)
    assert len(op.hop_blocks) == 32
    assert op.compression_error_eV <= 1e-12
    assert op.nbytes < 0.2 * (dots[0].matrix.data.nbytes + dots[0].matrix.indices.nbytes)


def test_not_spin_diagonal_is_refused(dots):
    H = dots[0]
    m = H.matrix.tolil()
    norb = H.n_orbitals
    # couple spin up of atom 0 with spin down of atom 1: not of the form E ⊗ 1₂
    m[0, 2 * norb + norb] = 0.1
    m[2 * norb + norb, 0] = 0.1
    with pytest.raises(ParameterError, match="spin-diagonal"):
        block_operator(sp.csr_matrix(m), norb)


def test_bad_dimension_is_refused():
    with pytest.raises(ParameterError, match="multiple of 2·norb"):
        block_operator(sp.identity(7, dtype=complex, format="csr"), 9)
