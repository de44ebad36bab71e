"""Cross section, lifetime and dipoles on model systems: sum rules, units, SI cross-checks."""

from __future__ import annotations

import numpy as np
import pytest

from qdgain.constants import C_M_S, E_CHARGE_C, EPS0_F_M, HBAR_J_S, M_E_KG
from qdgain.errors import ParameterError
from qdgain.excitons import coulomb_kernel, solve_charged, solve_ci
from qdgain.optics import (
    boltzmann,
    charged_transitions,
    cross_section_cm2,
    exciton_dipoles_nm,
    integrated_cross_section_cm2_eV,
    length_velocity_check,
    local_field_factor,
    neutral_transitions,
    oscillator_strengths,
    position_matrix_nm,
    radiative_lifetime_ns,
    radiative_rates_per_s,
)
from qdgain.optics.cross_section import Transitions
from qdgain.testing import assert_units
from tests.excitons._fock import fock_hamiltonian, sector
from tests.excitons._model import model_hamiltonian, model_states


@pytest.fixture(scope="module")
def ham():
    return model_hamiltonian(n_side=2, soc=0.25, seed=7)


@pytest.fixture(scope="module")
def states(ham):
    return model_states(ham)


@pytest.fixture(scope="module")
def excitons(states):
    return solve_ci(states, 4.0, 2.25, n_e=6, n_h=8)


def test_sum_rule_energy_integral(excitons, states):
    tr = neutral_transitions(excitons, states)
    exact = integrated_cross_section_cm2_eV(tr)
    E = np.linspace(0.05, tr.energies_eV.max() + 1.0, 20001)
    for b in (0.02, 0.035, 0.08):  # broadening only redistributes
        sig = cross_section_cm2(tr, E, broadening_eV=b)
        # trapezoid on a 0.2 meV grid, lines >= 6 sigma inside the grid: error << 1 %
        assert np.trapezoid(sig.values, E) == pytest.approx(exact, rel=0.01)
        assert np.trapezoid(sig.values, E) == pytest.approx(exact, rel=1e-6)


def test_integrated_sigma_matches_oscillator_strength_si(excitons, states):
    # independent SI route: ∫σ dω = π e² F² f / (2 ε0 m c n) per line
    tr = neutral_transitions(excitons, states)
    f = oscillator_strengths(tr.energies_eV, exciton_dipoles_nm(excitons, states))
    F = local_field_factor(tr.eps_in, tr.eps_out)
    n = np.sqrt(tr.eps_out)
    si_m2_rad_s = np.pi * E_CHARGE_C**2 * F**2 * f.sum() / (2 * EPS0_F_M * M_E_KG * C_M_S * n)
    ours = integrated_cross_section_cm2_eV(tr) * 1e-4 * E_CHARGE_C / HBAR_J_S  # cm² eV → m²/s
    assert ours == pytest.approx(si_m2_rad_s, rel=1e-9)


def test_wavelength_grid_and_units(excitons, states):
    tr = neutral_transitions(excitons, states)
    E = np.linspace(tr.energies_eV.min(), tr.energies_eV.max(), 5)  # where σ > 0
    s_e = cross_section_cm2(tr, E)
    s_l = cross_section_cm2(tr, wavelength_nm=s_e["wavelength"].values)
    np.testing.assert_allclose(s_l.values, s_e.values, rtol=1e-12)
    assert_units(s_e, {"sigma": "cm^2", "photon_energy": "eV", "wavelength": "nm"})
    assert_units(s_l, {"sigma": "cm^2", "wavelength": "nm"})
    # local field: F² scaling
    ratio = cross_section_cm2(tr, E).values / cross_section_cm2(tr, E, local_field=False).values
    np.testing.assert_allclose(ratio, local_field_factor(4.0, 2.25) ** 2)


def test_local_field_factor():
    assert local_field_factor(2.25, 2.25) == 1.0
    assert local_field_factor(6.8, 2.25) == pytest.approx(6.75 / 11.3)


def test_lifetime_matches_si_formula():
    # one line: Γ = ω³ |d|² e² n F² / (3π ε0 ħ c³) (SI form of 4e²F²nω³|d|²/(3ħc³))
    tr = Transitions(np.array([1.0]), np.array([0.04]), np.array(["exciton"]), 6.8, 2.25)
    w = 1.0 * E_CHARGE_C / HBAR_J_S
    F, n = local_field_factor(6.8, 2.25), 1.5
    gamma = w**3 * 0.04e-18 * E_CHARGE_C**2 * n * F**2 / (3 * np.pi * EPS0_F_M * HBAR_J_S
                                                         * C_M_S**3)
    assert radiative_rates_per_s(tr)[0] == pytest.approx(gamma, rel=1e-9)
    assert radiative_lifetime_ns(tr) == pytest.approx(1e9 / gamma, rel=1e-9)


def test_lifetime_boltzmann_dark_ground_state():
    # dark ground state 10 meV below a bright one: τ(0 K) infinite, τ(T) ≈ τ_bright (1 + e^{Δ/kT})
    tr = Transitions(np.array([1.0, 1.01]), np.array([0.0, 0.04]), np.array(["exciton"] * 2),
                     6.8, 2.25)
    assert radiative_lifetime_ns(tr, temperature_K=0.0) == float("inf")
    t_b = 1e9 / radiative_rates_per_s(tr)[1]
    p = boltzmann(tr.energies_eV, 300.0)
    assert radiative_lifetime_ns(tr, 300.0) == pytest.approx(t_b / p[1], rel=1e-12)
    assert p[0] / p[1] == pytest.approx(1.4722, abs=2e-4)  # e^{0.010 eV / 0.025852 eV}


def test_length_and_velocity_forms_agree(ham, states):
    # exact eigenstates: ⟨a|[H,r]|b⟩ = (E_a − E_b)⟨a|r|b⟩ identically (tolerance: round-off)
    c = np.flatnonzero(states.is_conduction)[:6]
    v = np.flatnonzero(~states.is_conduction)[-6:]
    chk = length_velocity_check(ham, states, c, v)
    assert chk["max_rel_dev"] < 1e-10
    assert chk["sum_sq_length_nm2"] > 1e-4


def test_exciton_dipoles_free_limit(states):
    # no interaction: the Kramers pair × Kramers pair configurations are degenerate and mix
    # arbitrarily, but the level's total Σ|d_X|² equals Σ|⟨v|r|c⟩|² (basis invariant)
    x = solve_ci(states, 1e12, 1e12, n_e=2, n_h=2)
    d = exciton_dipoles_nm(x, states)
    sp = position_matrix_nm(states, x.hole_states, x.electron_states)
    assert len(x.groups) == 1
    assert (np.abs(d) ** 2).sum() == pytest.approx((np.abs(sp) ** 2).sum(), rel=1e-12)


@pytest.mark.parametrize("charge, n_e, n_h", [(-1, 4, 2), (1, 2, 4)])
def test_trion_dipoles_match_fock_space(states, charge, n_e, n_h):
    k = coulomb_kernel(states.positions_nm, 1.5, 1.5, polarisation=False)
    cd = solve_charged(states, charge, 1.5, 1.5, n_e=n_e, n_h=n_h, kernel=k)
    tr = charged_transitions(cd, states, temperature_K=0.0, intraband=False)
    H, a, occ, nv = fock_hamiltonian(states, k, cd.hole_states, cd.electron_states)
    Ht, it = sector(H, occ, nv, 2, 1) if charge == -1 else sector(H, occ, nv, 1, 2)
    Hc, ic = sector(H, occ, nv, 1, 0) if charge == -1 else sector(H, occ, nv, 0, 1)
    wt, vt = np.linalg.eigh(Ht)
    wc, vc = np.linalg.eigh(Hc)
    act = np.concatenate([cd.hole_states, cd.electron_states])
    d = position_matrix_nm(states, act, act)
    E = np.array([[ap.T @ ar for ar in a] for ap in a])
    ground = np.abs(wc - wc[0]) < 1e-9
    ref_line = np.zeros(len(wt))
    for x in range(3):
        D = np.einsum("pq,pqij->ij", d[..., x], E)
        M = vt.conj().T @ D[np.ix_(it, ic)] @ vc[:, ground]
        ref_line += (np.abs(M) ** 2).sum(1) / ground.sum()
    # each transition starts from one of the (Kramers-degenerate) ground carrier states, with
    # population 1/g; compare line strengths summed over each degenerate trion level
    for g in np.split(np.arange(len(wt)), np.flatnonzero(np.diff(wt) > 1e-7) + 1):
        line = np.abs(tr.energies_eV - (wt[g[0]] - wc[0])) < 1e-7
        assert line.sum() == len(g) * ground.sum()
        assert tr.dipole_sq_nm2[line].sum() == pytest.approx(ref_line[g].sum(), abs=1e-10)
    assert ref_line.sum() > 1e-4  # the check is not vacuous


def test_bad_inputs(excitons, states):
    tr = neutral_transitions(excitons, states)
    with pytest.raises(ParameterError, match="broadening_eV"):
        cross_section_cm2(tr, np.array([1.0]), broadening_eV=0.0)
    with pytest.raises(ParameterError, match="broadening_eV"):
        cross_section_cm2(tr, np.array([1.0]), broadening_eV=-0.01)
    with pytest.raises(ParameterError, match="exactly one"):
        cross_section_cm2(tr)
    with pytest.raises(ParameterError, match="must be > 0"):
        local_field_factor(-1.0, 2.25)
    with pytest.raises(ParameterError, match="temperature_K"):
        boltzmann(np.array([0.0]), -5.0)
