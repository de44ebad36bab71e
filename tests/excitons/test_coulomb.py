"""Transition densities and the screened site–site kernel (algebraic and analytic checks)."""

from __future__ import annotations

import numpy as np
import pytest

from qdgain.constants import COULOMB_EV_NM
from qdgain.errors import ParameterError
from qdgain.excitons import coulomb_kernel, transition_densities
from qdgain.excitons.coulomb import onsite_radius_nm, polarisation_kernel
from tests.excitons._model import ModelStates, model_hamiltonian, model_states


@pytest.fixture(scope="module")
def states():
    return model_states(model_hamiltonian(n_side=2, soc=0.2))


def test_transition_densities_sum_to_overlap(states):
    # Σ_R ρ_ab(R) = ⟨a|b⟩ = δ_ab (orthonormal eigenvectors; tolerance = round-off)
    idx = np.arange(states.vectors.shape[1])
    rho = transition_densities(states, idx, idx)
    assert rho.shape == (len(states.positions_nm), len(idx), len(idx))
    np.testing.assert_allclose(rho.sum(0), np.eye(len(idx)), atol=1e-12)
    # ρ_ab(R)* = ρ_ba(R)
    np.testing.assert_allclose(rho.conj(), rho.transpose(0, 2, 1), atol=1e-14)


def test_transition_densities_general_basis_order(states):
    # a permuted basis (atoms not contiguous) takes the generic path and must agree
    perm = np.random.default_rng(1).permutation(states.vectors.shape[0])
    shuffled = ModelStates(states.energies_eV, states.vectors[perm], states.is_conduction,
                           states.atom_of_basis[perm], states.positions_nm, 0.0, 0.0, 0.0)
    a, b = np.arange(4), np.arange(10, 16)
    np.testing.assert_allclose(transition_densities(shuffled, a, b),
                               transition_densities(states, a, b), atol=1e-13)


def test_kernel_bare_and_onsite(states):
    k = coulomb_kernel(states.positions_nm, eps_in=7.0, eps_out=7.0)
    pos = states.positions_nm
    r01 = np.linalg.norm(pos[0] - pos[1])
    assert k.bare_eV[0, 1] == pytest.approx(COULOMB_EV_NM / (7.0 * r01), rel=1e-12)
    r0 = onsite_radius_nm(0.646)
    assert r0 == pytest.approx(0.2004, abs=1e-4)  # (3 a^3 / 32 pi)^(1/3) for HgTe
    assert k.bare_eV[0, 0] == pytest.approx(1.2 * COULOMB_EV_NM / (7.0 * r0))
    # equal dielectrics: no polarisation at all
    assert np.abs(k.polarisation_eV).max() == 0.0
    np.testing.assert_allclose(k.W_eV, k.W_eV.T)


def test_polarisation_monopole_at_centre():
    # a charge at the centre only has l = 0: P = e^2 (1/eps_out - 1/eps_in) / a
    pos = np.zeros((1, 3))
    P, _ = polarisation_kernel(pos, 1.5, 8.0, 2.0)
    assert P[0, 0] == pytest.approx(COULOMB_EV_NM * (1 / 2.0 - 1 / 8.0) / 1.5, rel=1e-12)


def test_polarisation_conducting_limit_is_kelvin_image():
    # eps_out -> infinity: image charge -(a/r') e at a^2/r'^2 r' (Kelvin), screened by eps_in
    rng = np.random.default_rng(3)
    pos = rng.uniform(-0.5, 0.5, (6, 3))
    a, eps = 1.2, 5.0
    P, lmax = polarisation_kernel(pos, a, eps, 1e12, tol=1e-12)
    r = np.linalg.norm(pos, axis=1)
    img = (a**2 / r**2)[:, None] * pos
    dist = np.linalg.norm(pos[:, None, :] - img[None, :, :], axis=-1)
    exact = -COULOMB_EV_NM / eps * (a / r)[None, :] / dist
    # series truncated at x^l < 1e-12: agreement to 1e-9 relative
    np.testing.assert_allclose(P, exact, rtol=1e-9)
    assert lmax > 10


def test_kernel_errors():
    pos = np.zeros((2, 3))
    pos[1, 0] = 0.3
    with pytest.raises(ParameterError, match="eps_in"):
        coulomb_kernel(pos, eps_in=0.0)
    with pytest.raises(ParameterError, match="eps_out"):
        coulomb_kernel(pos, eps_in=6.0, eps_out=-1.0)
    with pytest.raises(ParameterError, match="does not enclose"):
        polarisation_kernel(pos, 0.1, 6.0, 2.0)
