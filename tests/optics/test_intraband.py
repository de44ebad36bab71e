"""Intraband absorption of a dot with one extra carrier, in a basis deep enough for the lines
near the band-edge bleach (issue 3: "much stronger for holes"; paper, Extended Data: hole
intraband absorption is "spectrally closer to the interband bleach and much stronger (up to 1
order of magnitude) than electron intraband absorption").

The comparison window is the sub-gap part of the paper's probe range, hc/1620 nm = 0.765 eV up
to X1, and its last 0.2 eV next to the bleach. Below 0.765 eV (mid infrared, not probed) lies the
electron's CB1 → CB2 line (0.56 eV at 2.2 nm, 0.40 eV at 3.5 nm), which makes the integral from
0 to X1 larger for electrons; docs/optics_checks.md has both numbers.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest

from qdgain.errors import ParameterError
from qdgain.excitons import (
    coulomb_kernel,
    site_matrix,
    solve_carrier,
    solve_charged,
    solve_ci,
    transition_densities,
)
from qdgain.optics import (
    charged_transitions,
    cross_section_cm2,
    gaussian_chebyshev_coefficients,
    intraband_cross_section_kpm,
    intraband_limit_eV,
    intraband_transitions,
)
from tests._hgte import hgte_dot

EPS_IN, EPS_OUT = 6.8, 2.25
PROBE_EDGE_EV = 1239.84198 / 1620.0  # longest probe wavelength of the paper's TA (SPEC §3)
NEAR_EV = 0.1  # "next to the bleach": the last 0.1 eV below X1 (about 3 line widths)


def _windows(states, kernel, x1, n_states=None):
    """Integrated intraband σ (cm² eV) of the electron- and hole-charged dot, per window."""
    E = np.arange(0.02, x1 + 1e-9, 0.001)
    out = {}
    for charge in (-1, 1):
        c = solve_carrier(states, charge, EPS_IN, EPS_OUT, None if charge == -1 else n_states,
                          kernel=kernel)
        assert intraband_limit_eV(c, 300.0, 0.035) > x1, "basis too shallow for this test"
        s = cross_section_cm2(intraband_transitions(c, states), E).values
        out[charge] = {name: np.trapezoid(s[(E >= lo)], E[E >= lo])
                       for name, lo in (("all", 0.0), ("probe", PROBE_EDGE_EV),
                                        ("near", x1 - NEAR_EV))}
    return out


@pytest.fixture(scope="module")
def deep22(request):
    """2.2 nm sphere (147 atoms), dense: 400 valence and 64 conduction spinors (1.0 + 0.5 eV
    deep — the intraband lines up to X1 = 1.42 eV need about X1 + 0.2 eV of hole levels)."""
    _, _, states = hgte_dot(request.config.cache.mkdir("qdgain-hgte"), 2.2, n_vb=400, n_cb=64)
    kernel = coulomb_kernel(states.positions_nm, EPS_IN, EPS_OUT)
    x1 = float(solve_ci(states, EPS_IN, EPS_OUT, 8, 24, kernel=kernel).energies_eV[0])
    return states, kernel, x1


def test_carrier_levels_equal_charged_ci_carrier(deep22):
    # same one-body Hamiltonian (ε ± Σ) as the trion CI: equal levels and intraband lines when
    # the basis is the CI active space (round-off only)
    states, kernel, _ = deep22
    for charge, n_e, n_h in ((-1, 8, 12), (1, 4, 12)):
        cd = solve_charged(states, charge, EPS_IN, EPS_OUT, n_e, n_h, kernel=kernel, n_roots=4)
        c = solve_carrier(states, charge, EPS_IN, EPS_OUT, n_e if charge == -1 else n_h,
                          kernel=kernel)
        np.testing.assert_allclose(c.energies_eV, cd.carrier_energies_eV, atol=1e-12)
        a = charged_transitions(cd, states, intraband=True)
        b = intraband_transitions(c, states)
        ia = a.kind == "intraband"
        np.testing.assert_allclose(np.sort(a.energies_eV[ia]), np.sort(b.energies_eV), atol=1e-12)
        np.testing.assert_allclose(a.dipole_sq_nm2[ia].sum(), b.dipole_sq_nm2.sum(), rtol=1e-10)
        # the larger basis replaces the active-space intraband lines, trions unchanged
        big = solve_carrier(states, charge, EPS_IN, EPS_OUT, kernel=kernel)
        m = charged_transitions(cd, states, carrier=big)
        assert (m.kind == "intraband").sum() > ia.sum()
        np.testing.assert_array_equal(m.energies_eV[m.kind == "trion"],
                                      a.energies_eV[a.kind == "trion"])


def test_site_matrix_equals_transition_density_contraction(deep22):
    states = deep22[0]
    a, b = np.arange(3), np.arange(5, 12)
    u = np.asarray(states.positions_nm)
    ref = np.einsum("Rab,Rx->abx", transition_densities(states, a, b), u)
    np.testing.assert_allclose(site_matrix(states, a, b, u), ref, atol=1e-13)


def test_hole_intraband_stronger_near_bleach(deep22):
    # measured (default dot model, 2.2 nm, X1 = 1.418 eV): probe window hole 7.1e-18 vs electron
    # 4.0e-18 cm² eV (1.8x); last 0.1 eV below X1 1.07e-18 vs 1.0e-19 (10.6x); 0…X1 4.2e-17 vs
    # 6.9e-17 (CB1 → CB2 at 0.56 eV). Asserted: holes stronger in the probe window, and "much
    # stronger" (>= 3x) next to the bleach, the same criterion as at 3.5 nm (measured 4.0x).
    states, kernel, x1 = deep22
    w = _windows(states, kernel, x1)
    assert w[1]["probe"] > w[-1]["probe"]
    assert w[1]["near"] >= 3.0 * w[-1]["near"]


def test_intraband_converged_in_hole_basis(deep22):
    # the 400-spinor hole basis reaches 1.7 eV below VB1; 200 spinors (limit 1.73 − 0.2 eV, still
    # past X1) gives the probe-window integral within 2 % (measured 1 %); a 24-spinor basis (the
    # CI's) misses it entirely (< 1e-3 of it), which is what the band-edge CI alone would report
    states, kernel, x1 = deep22
    full = _windows(states, kernel, x1)[1]["probe"]
    half = _windows(states, kernel, x1, n_states=200)[1]["probe"]
    assert half == pytest.approx(full, rel=0.02)
    c = solve_carrier(states, 1, EPS_IN, EPS_OUT, 24, kernel=kernel)
    assert intraband_limit_eV(c, 300.0, 0.035) < PROBE_EDGE_EV
    E = np.arange(PROBE_EDGE_EV, x1, 0.001)
    shallow = np.trapezoid(cross_section_cm2(intraband_transitions(c, states), E).values, E)
    assert shallow < 1e-3 * full


def test_carrier_bad_input(deep22):
    states, kernel, _ = deep22
    with pytest.raises(ParameterError, match="charge"):
        solve_carrier(states, 0, EPS_IN)
    with pytest.raises(ParameterError, match="must be > 0"):
        solve_carrier(states, 1, -1.0)
    with pytest.raises(ParameterError, match="computed states"):
        solve_carrier(states, -1, EPS_IN, n_states=10_000, kernel=kernel)
    with pytest.raises(ParameterError, match="splits a degenerate"):
        solve_carrier(states, 1, EPS_IN, n_states=3, kernel=kernel)
    cd = solve_charged(states, -1, EPS_IN, EPS_OUT, 2, 4, kernel=kernel, n_roots=2)
    with pytest.raises(ParameterError, match="charge"):
        charged_transitions(cd, states, carrier=solve_carrier(states, 1, EPS_IN, kernel=kernel))


@pytest.mark.heavy
def test_hole_intraband_stronger_near_bleach_35nm(request):
    # 3.5 nm sphere (597 atoms, 10,746 rows): 440 valence + 80 conduction spinors by dense
    # diagonalisation (~4 min on 2 cores; shift-invert does not converge that many), complete to
    # 1.11 eV > X1. Measured: probe window hole 4.5e-18 vs electron 2.3e-18 cm² eV (2.0x), last
    # 0.1 eV below X1 (0.967 eV) 1.75e-18 vs 4.3e-19 (4.0x); 0…X1 5.9e-17 vs 1.1e-16 (the
    # electron's CB1 → CB2 line at 0.40 eV).
    _, _, states = hgte_dot(request.config.cache.mkdir("qdgain-hgte"), 3.5, n_vb=440, n_cb=80,
                            method="dense")
    kernel = coulomb_kernel(states.positions_nm, EPS_IN, EPS_OUT)
    x1 = float(solve_ci(states, EPS_IN, EPS_OUT, 8, 24, kernel=kernel).energies_eV[0])
    w = _windows(states, kernel, x1)
    assert w[1]["probe"] > w[-1]["probe"]
    assert w[1]["near"] >= 3.0 * w[-1]["near"]


def test_gaussian_chebyshev_coefficients_rebuild_the_gaussian():
    # Σ_k a_k(E) T_k(x̃) must give G_s(E − e) at any e in the spectrum: N = 5.5 h / s moments
    # leave a truncation ≈ exp(−(5.5)²/2) ≈ 3e-7 of the peak
    bounds, s = (-11.0, 16.0), 0.035
    n = int(np.ceil(5.5 * 13.5 / s)) // 2 * 2
    e = np.array([-3.0, 0.0, 0.0175, 1.2])
    a = gaussian_chebyshev_coefficients(np.array([0.0]), s, bounds, n)[0]
    xt = (e - 2.5) / 13.5
    rebuilt = np.polynomial.chebyshev.chebval(xt, a)
    exact = np.exp(-0.5 * (e / s) ** 2) / (s * np.sqrt(2 * np.pi))
    np.testing.assert_allclose(rebuilt, exact, atol=1e-6 * exact.max())


def test_chebyshev_intraband_equals_deep_basis_without_self_energy(deep22):
    # with Σ = 0 both routes compute the same lines: the expansion from 24 + 8 band-edge states
    # equals the 400 + 64-state dense basis to 1e-5 (electron; measured 9e-7) and 2e-3 (hole:
    # initial levels below 1e-4 population are left out; measured 5e-4) of each point ≥ 1e-3
    # of the peak
    states, kernel, x1 = deep22
    _, H, small = hgte_dot(None, 2.2, n_vb=24, n_cb=8)
    k0 = dataclasses.replace(kernel, self_energy_eV=np.zeros_like(kernel.self_energy_eV))
    E = np.arange(0.02, x1, 0.002)
    for charge, tol in ((-1, 1e-5), (1, 2e-3)):
        ref = cross_section_cm2(intraband_transitions(
            solve_carrier(states, charge, EPS_IN, EPS_OUT, kernel=k0), states), E).values
        got = intraband_cross_section_kpm(H, small, charge, EPS_IN, EPS_OUT, E,
                                          kernel=k0).values
        m = ref > 1e-3 * ref.max()
        assert np.max(np.abs(got - ref)[m] / ref[m]) < tol


def test_chebyshev_intraband_with_self_energy_close_to_deep_basis(deep22):
    # with Σ the expansion propagates in H + Σ (all bands) where the dense basis projects Σ on
    # one band: hole window integrals within 6 % (measured 2.7 % probe, 2.8 % near X1), and the
    # hole/electron ratio next to the bleach stays >= 3
    states, kernel, x1 = deep22
    _, H, small = hgte_dot(None, 2.2, n_vb=24, n_cb=8)
    E = np.arange(0.02, x1 + 1e-9, 0.001)
    w = _windows(states, kernel, x1)
    got = {}
    for charge in (-1, 1):
        s = intraband_cross_section_kpm(H, small, charge, EPS_IN, EPS_OUT, E,
                                        kernel=kernel).values
        got[charge] = {n: np.trapezoid(s[E >= lo], E[E >= lo])
                       for n, lo in (("probe", PROBE_EDGE_EV), ("near", x1 - NEAR_EV))}
    for n in ("probe", "near"):
        assert got[1][n] == pytest.approx(w[1][n], rel=0.06)
    assert got[1]["near"] >= 3.0 * got[-1]["near"]


def test_chebyshev_intraband_bad_input(deep22):
    states, kernel, _ = deep22
    _, H, small = hgte_dot(None, 2.2, n_vb=24, n_cb=8)
    with pytest.raises(ParameterError, match="photon energies"):
        intraband_cross_section_kpm(H, small, 1, EPS_IN, EPS_OUT, np.array([0.0, 0.5]),
                                    kernel=kernel)
    with pytest.raises(ParameterError, match="broadening"):
        intraband_cross_section_kpm(H, small, 1, EPS_IN, EPS_OUT, np.array([0.5]),
                                    broadening_eV=0.0, kernel=kernel)
    with pytest.raises(ParameterError, match="photon_energy_eV"):
        intraband_cross_section_kpm(H, small, 1, EPS_IN, EPS_OUT, kernel=kernel)
    _, H15, _ = hgte_dot(None, 1.5, n_vb=8, n_cb=4)
    with pytest.raises(ParameterError, match="different Hamiltonians"):
        intraband_cross_section_kpm(H15, small, 1, EPS_IN, EPS_OUT, np.array([0.5]),
                                    kernel=kernel)
    with pytest.raises(ParameterError, match="charge"):
        intraband_cross_section_kpm(H, small, 2, EPS_IN, EPS_OUT, np.array([0.5]),
                                    kernel=kernel)
