"""Polynomial χ₀ / ε_in (qdgain.optics.dielectric_poly) against the dense sum over states.

Reference dot: the default HgTe model, 2.0 nm sphere (75 atoms, spin block 675 rows, spin-free gap
2.34 eV), Chebyshev degree 224 by the rule N = ⌈20/δ⌉, rank 18. Measured expansion errors (docs/
optics_checks.md): max|χ₀U − dense| / max|dense| = 4e-5 (field), 5e-6 (random U); ε_in 5.14890
vs 5.14879; column sums 1.3e-5 of the largest diagonal element. The tolerances below sit 5–10×
above these and below what a degraded expansion gives (degree rule 15/δ on the 3 nm dot: ε off by
2e-3, χ₀U by 6e-4; 12.5/δ: 2e-2).
"""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from qdgain.cli import app
from qdgain.electronic import build_dot
from qdgain.errors import ParameterError
from qdgain.optics.dielectric import dense_spectrum, dielectric_constant, linear_response_density
from qdgain.optics.dielectric_poly import (
    dielectric_constant_poly,
    response_poly,
    step_factors,
    symmetry_permutations,
)
from qdgain.structure import Sphere


@pytest.fixture(scope="module")
def dot2():
    nc, H = build_dot("HgTe", Sphere(diameter_nm=2.0), soc=False)
    spec = dense_spectrum(H)
    return H, spec, response_poly(H)


def _dense_chi0(H, spec, U):
    w, C, atom, g, n_occ = spec
    return linear_response_density(C, w, n_occ, atom, H.n_atoms, U, g)


def test_poly_eps_matches_dense(dot2):
    H, spec, resp = dot2
    dense = dielectric_constant(H, spectrum=spec)
    poly = dielectric_constant_poly(H, response=resp)
    assert poly.eps_in == pytest.approx(dense.eps_in, abs=1e-3)
    assert poly.spin_degeneracy == dense.spin_degeneracy == 2
    # the default ("auto") path diagonalises a dot this small: bit-identical to dense
    assert dielectric_constant(H).eps_in == dense.eps_in


def test_poly_chi0_matches_sum_over_states(dot2):
    H, spec, resp = dot2
    pos = H.positions_nm - H.positions_nm.mean(axis=0)
    rng = np.random.default_rng(3)
    for U in (pos[:, 2], rng.standard_normal(H.n_atoms)):
        ref = _dense_chi0(H, spec, U)
        assert np.abs(resp.chi0 @ U - ref).max() <= 2e-4 * np.abs(ref).max()
    # band edges from the inertia search equal the diagonalisation's
    w, n_occ = spec[0], spec[4]
    assert resp.homo_eV == pytest.approx(w[n_occ - 1], abs=1e-9)
    assert resp.lumo_eV == pytest.approx(w[n_occ], abs=1e-9)
    assert resp.density.sum() == pytest.approx(H.n_valence, abs=1e-3)


def test_chi0_sum_rule_charge_conservation(dot2):
    _, _, resp = dot2
    chi = resp.chi0
    scale = np.abs(np.diag(chi)).max()
    assert np.abs(chi.sum(axis=0)).max() <= 1e-4 * scale        # Σ_i χ₀_ij = 0 for each j
    U = np.random.default_rng(5).standard_normal(len(chi))
    assert abs((chi @ U).sum()) <= 1e-4 * scale * np.abs(U).sum()


def test_chi0_symmetric_and_negative(dot2):
    _, _, resp = dot2
    chi = resp.chi0
    rng = np.random.default_rng(7)
    U1, U2 = rng.standard_normal((2, len(chi)))
    a, b = U1 @ chi @ U2, U2 @ chi @ U1
    assert abs(a - b) <= 1e-10 * np.abs(chi).sum()
    assert resp.asymmetry < 1e-10
    # a static density response lowers the energy: χ₀ ≤ 0 (up to the expansion error)
    ev = np.linalg.eigvalsh(0.5 * (chi + chi.T))
    assert ev.max() <= 1e-4 * np.abs(ev).max()


def test_symmetry_reduction_is_exact(dot2):
    H, _, resp = dot2
    perms = symmetry_permutations(H)
    assert len(perms) == 24                                     # Td sphere about a cation
    assert np.array_equal(perms[0], np.arange(H.n_atoms))
    full = response_poly(H, band_edges_eV=(resp.homo_eV, resp.lumo_eV), symmetry=False)
    assert full.n_operations == 1 and full.n_probes == H.n_atoms * H.n_orbitals
    assert resp.n_probes < full.n_probes / 8
    # same numbers up to the round-off of a degree-224 recurrence (measured 1.3e-10)
    assert np.abs(full.chi0 - resp.chi0).max() <= 1e-9 * np.abs(resp.chi0).max()


def test_soc_hamiltonian_uses_full_matrix():
    _, H = build_dot("HgTe", Sphere(diameter_nm=1.5), soc=True)
    dense = dielectric_constant(H, method="dense")
    poly = dielectric_constant(H, method="poly")
    assert poly.spin_degeneracy == dense.spin_degeneracy == 1
    assert poly.eps_in == pytest.approx(dense.eps_in, abs=1e-3)


def test_step_factors_reproduce_divided_difference():
    x_mu, w = 0.1, 0.02
    V, s, c = step_factors(600, x_mu, w)
    x = np.array([-0.9, -0.3, 0.05, 0.16, 0.5, 0.97])
    T = np.cos(np.arange(601)[:, None] * np.arccos(x)[None, :])
    approx = (V.T @ T).T @ np.diag(s) @ (V.T @ T)
    from scipy.special import erfc

    f = 0.5 * erfc((x - x_mu) / w)
    dx = x[:, None] - x[None, :]
    np.fill_diagonal(dx, 1.0)
    exact = (f[:, None] - f[None, :]) / dx
    np.fill_diagonal(exact, -np.exp(-(((x - x_mu) / w) ** 2)) / (w * np.sqrt(np.pi)))
    assert np.abs(approx - exact).max() <= 1e-6 * np.abs(exact).max()
    assert np.abs(c @ T - f).max() <= 1e-7


def test_bad_input(dot2):
    H, spec, resp = dot2
    with pytest.raises(ParameterError, match="choose one of"):
        dielectric_constant(H, method="lanczos")
    with pytest.raises(ParameterError, match="belong to method='poly'"):
        dielectric_constant(H, method="dense", degree=100)
    with pytest.raises(ParameterError, match="use method='dense'"):
        dielectric_constant(H, method="poly", spectrum=spec)
    with pytest.raises(ParameterError, match="must be > 0 V/nm"):
        dielectric_constant_poly(H, response=resp, field_V_nm=0.0)
    with pytest.raises(ParameterError, match="homo < lumo"):
        response_poly(H, band_edges_eV=(1.0, 0.5))
    with pytest.raises(ParameterError, match="outside the spectrum"):
        response_poly(H, fermi_eV=50.0)
    with pytest.raises(ParameterError, match="degree must be"):
        response_poly(H, band_edges_eV=(resp.homo_eV, resp.lumo_eV), degree=1)
    with pytest.raises(ParameterError, match="batch_columns"):
        response_poly(H, batch_columns=0)
    _, H15 = build_dot("HgTe", Sphere(diameter_nm=1.5), soc=False)
    with pytest.raises(ParameterError, match="atoms for a"):
        dielectric_constant_poly(H15, response=resp)


def test_cli_method_poly():
    runner = CliRunner()
    r = runner.invoke(app, ["dielectric", "--diameters", "1.5", "--method", "poly", "--json"])
    assert r.exit_code == 0, r.output
    s = json.loads(r.stdout.strip().splitlines()[-1])
    assert s["method"] == "poly"
    r2 = runner.invoke(app, ["dielectric", "--diameters", "1.5", "--method", "dense", "--json"])
    s2 = json.loads(r2.stdout.strip().splitlines()[-1])
    assert s["dielectric"][0]["eps_in"] == pytest.approx(s2["dielectric"][0]["eps_in"], abs=1e-3)
    r = runner.invoke(app, ["dielectric", "--diameters", "1.5", "--method", "exact"])
    assert r.exit_code == 1 and "choose one of" in r.output
