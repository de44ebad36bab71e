"""Excitons of real HgTe spheres (the library's default dot model, SOC: 300 K fitted set, two-fold
Te removed, dangling hybrids projected out): degeneracies, X2−X1, f ratio, CI convergence. The
small 2.2 nm dot (147 atoms, dense solver) runs by default; the 3.5 nm reference sphere is in
session-cached slow tests."""

from __future__ import annotations

import numpy as np
import pytest

from qdgain.excitons import band_edge_manifolds, ci_convergence, solve_ci
from qdgain.optics import exciton_dipoles_nm, oscillator_strengths
from tests._hgte import hgte_dot

EPS_IN_PAPER = 6.8  # paper's TB value at 3.5 nm; our own TB value is reported by the benchmark


@pytest.fixture(scope="module")
def dot2(request):
    # 2.2 nm: 147 atoms, the size of the former 2 nm test dot (123 atoms); the 2.0 nm sphere loses
    # its 36 two-fold Te and more (75 atoms left) under the default model
    return hgte_dot(request.config.cache.mkdir("qdgain-hgte"), 2.2)


@pytest.fixture(scope="module")
def dot35(request):
    return hgte_dot(request.config.cache.mkdir("qdgain-hgte"), 3.5)


def _manifolds(states, n_e=8, n_h=24):
    x = solve_ci(states, EPS_IN_PAPER, 2.25, n_e, n_h)
    m1, m2 = band_edge_manifolds(x, states)
    f = oscillator_strengths(x.energies_eV, exciton_dipoles_nm(x, states))
    return x, m1, m2, f


def _check_eightfold(m):
    # X = CB1 (2) × VB (4): 8 CI states, each almost purely on those configurations
    assert m["degeneracy"] == 8
    assert np.all(m["weights"] > 0.8)


def test_x1_x2_eightfold_2nm(dot2):
    _, _, states = dot2
    x, m1, m2, f = _manifolds(states)
    _check_eightfold(m1)
    _check_eightfold(m2)
    # the 8 states of X1 are the 8 lowest excitons, split by exchange by only a few meV
    np.testing.assert_array_equal(m1["states"], np.arange(8))
    assert m1["splitting_meV"] < 10.0 and m2["splitting_meV"] < 10.0
    # binding: X1 lies below the single-particle gap (Coulomb attraction > polarisation cost)
    assert m1["mean_eV"] < states.gap_eV


def test_ci_convergence_2nm(dot2):
    # successive bases change X1 and X2 by less than 3 meV at the largest step (measured:
    # 1.4 meV / 2.5 meV for 8x18 -> 8x24 at eps_in 6.8)
    rows = ci_convergence(dot2[2], EPS_IN_PAPER, 2.25, sizes=((2, 8), (4, 12), (8, 18), (8, 24)))
    x1 = np.array([r["X1_eV"] for r in rows])
    x2 = np.array([r["X2_eV"] for r in rows])
    assert np.all(np.diff(x1) < 0)  # variational: a larger basis only lowers the lowest level
    assert abs(x1[-1] - x1[-2]) < 3e-3 and abs(x2[-1] - x2[-2]) < 3e-3
    assert abs(x1[-1] - x1[-2]) < abs(x1[1] - x1[0])


@pytest.mark.slow
def test_x1_x2_reference_sphere_35nm(dot35):
    # measured with the default model at eps_in 6.8: X1 0.968 eV (splitting 2.3 meV), X2 1.005 eV
    # (10.1 meV), X2 - X1 = 37.2 meV (paper: 54 computed, 76 measured; the public set with
    # hybrid20 gave 51.4 meV around X1 = 0.09 eV)
    _, _, states = dot35
    x, m1, m2, f = _manifolds(states)
    _check_eightfold(m1)
    _check_eightfold(m2)
    dx = 1e3 * (m2["mean_eV"] - m1["mean_eV"])
    assert 30.0 <= dx <= 90.0, f"X2-X1 = {dx:.1f} meV (paper 54 computed, 76 measured)"


@pytest.mark.slow
def test_x2_dominates_band_edge_absorption_35nm(dot35):
    # measured: f(X2)/f(X1) = 6.2 with the default model (paper about 10; the public set with
    # hybrid20 gave 1.6)
    _, _, states = dot35
    x, m1, m2, f = _manifolds(states)
    ratio = f[m2["states"]].sum() / f[m1["states"]].sum()
    assert ratio >= 3.0, f"f(X2)/f(X1) = {ratio:.2f} (paper about 10)"
