"""Neutral-exciton and trion CI on model systems: sign conventions against a brute-force
second-quantised Fock-space calculation, Hermiticity, non-interacting limits, errors."""

from __future__ import annotations

import numpy as np
import pytest

from qdgain.errors import ParameterError
from qdgain.excitons import (
    ci_hamiltonian,
    coulomb_kernel,
    degeneracy_groups,
    select_states,
    solve_charged,
    solve_ci,
)
from tests.excitons._fock import fock_hamiltonian, sector
from tests.excitons._model import model_hamiltonian, model_states

# The CI must equal exact diagonalisation in the same active space to round-off; 1e-9 eV allows
# for the accumulated error of eigh on matrices with entries of a few eV.
TOL_EV = 1e-9


@pytest.fixture(scope="module")
def states():
    return model_states(model_hamiltonian(n_side=2, soc=0.25, seed=4))


@pytest.fixture(scope="module")
def kernel(states):
    # strong interactions (eps_in 1.5) so that Coulomb and exchange visibly mix configurations
    return coulomb_kernel(states.positions_nm, eps_in=1.5, eps_out=1.5, polarisation=False)


def _reference(states, kernel, n_e, n_h):
    e_idx, h_idx = select_states(states, n_e, n_h)
    H, a, occ, nv = fock_hamiltonian(states, kernel, h_idx, e_idx)
    ref = np.flatnonzero((occ[:, :nv].sum(1) == nv) & (occ[:, nv:].sum(1) == 0))[0]
    return H, a, occ, nv, H[ref, ref].real


def test_exciton_ci_matches_fock_space(states, kernel):
    H, _, occ, nv, e0 = _reference(states, kernel, 4, 4)
    Hs, _ = sector(H, occ, nv, 1, 1)
    ref = np.linalg.eigvalsh(Hs) - e0
    x = solve_ci(states, 1.5, 1.5, n_e=4, n_h=4, kernel=kernel)
    np.testing.assert_allclose(x.energies_eV, ref, atol=TOL_EV)
    # the interaction really matters here (else the test would be blind to signs)
    e = states.energies_eV
    free = np.sort((e[x.electron_states][:, None] - e[x.hole_states][None, :]).ravel())
    assert np.abs(x.energies_eV - free).max() > 0.1


@pytest.mark.parametrize("charge, n_e, n_h", [(-1, 4, 2), (1, 2, 4), (-1, 6, 2), (1, 2, 6)])
def test_trion_ci_matches_fock_space(states, kernel, charge, n_e, n_h):
    H, a, occ, nv, e0 = _reference(states, kernel, n_e, n_h)
    ne_c, nholes = (2, 1) if charge == -1 else (1, 2)
    Ht, _ = sector(H, occ, nv, ne_c, nholes)
    Hc, _ = sector(H, occ, nv, 1, 0) if charge == -1 else sector(H, occ, nv, 0, 1)
    cd = solve_charged(states, charge, 1.5, 1.5, n_e=n_e, n_h=n_h, kernel=kernel)
    np.testing.assert_allclose(cd.trion_energies_eV, np.linalg.eigvalsh(Ht) - e0, atol=TOL_EV)
    np.testing.assert_allclose(cd.carrier_energies_eV, np.linalg.eigvalsh(Hc) - e0,
                               atol=TOL_EV)


def test_trion_subset_of_roots(states, kernel):
    full = solve_charged(states, 1, 1.5, 1.5, n_e=2, n_h=6, kernel=kernel)
    low = solve_charged(states, 1, 1.5, 1.5, n_e=2, n_h=6, kernel=kernel, n_roots=5)
    np.testing.assert_allclose(low.trion_energies_eV, full.trion_energies_eV[:5], atol=1e-10)
    with pytest.raises(ParameterError, match="n_roots"):
        solve_charged(states, 1, 1.5, 1.5, n_e=2, n_h=6, kernel=kernel, n_roots=0)


def test_ci_hamiltonian_hermitian_and_free_limit(states):
    e_idx, h_idx = select_states(states, 4, 6)
    k = coulomb_kernel(states.positions_nm, eps_in=3.0, eps_out=2.0)
    H = ci_hamiltonian(states, k, e_idx, h_idx)
    assert np.abs(H - H.conj().T).max() < 1e-14
    # eps_in -> huge and no polarisation: CI energies -> e_c - e_v
    kfree = coulomb_kernel(states.positions_nm, eps_in=1e12, eps_out=1e12)
    x = solve_ci(states, 1e12, 1e12, 4, 6, kernel=kfree)
    e = states.energies_eV
    free = np.sort((e[e_idx][:, None] - e[h_idx][None, :]).ravel())
    np.testing.assert_allclose(x.energies_eV, free, atol=1e-9)


def test_polarisation_raises_quasiparticle_gap(states):
    # eps_in > eps_out: carrier self-energies are positive (Brus), so a lone electron's energy
    # rises above its TB level
    cd = solve_charged(states, -1, 4.0, 1.5, n_e=2, n_h=2)
    assert cd.carrier_energies_eV.min() > states.lumo_eV


def test_degeneracy_groups():
    g = degeneracy_groups(np.array([0.0, 1e-6, 0.5, 0.50005, 0.6]))
    assert g == ((0, 1), (2, 3), (4,))


def test_bad_inputs(states):
    with pytest.raises(ParameterError, match="only 16 were computed"):
        solve_ci(states, 6.0, 2.25, n_e=18, n_h=4)
    with pytest.raises(ParameterError, match="splits a degenerate"):
        solve_ci(states, 6.0, 2.25, n_e=3, n_h=4)
    with pytest.raises(ParameterError, match="eps_in"):
        solve_ci(states, -6.0, 2.25, n_e=2, n_h=2)
    with pytest.raises(ParameterError, match="charge = 2"):
        solve_charged(states, 2, 6.0)
    with pytest.raises(ParameterError, match="charge = 0"):
        solve_charged(states, 0, 6.0)
