"""Excitons of real HgTe spheres (default public TB set, SOC): degeneracies, X2−X1, f ratio,
CI convergence. The 2 nm dot (123 atoms, dense solver) runs by default; the 3.5 nm reference
sphere is in session-cached slow tests."""

from __future__ import annotations

import numpy as np
import pytest

from qdgain.excitons import band_edge_manifolds, ci_convergence, solve_ci
from qdgain.optics import exciton_dipoles_nm, oscillator_strengths
from tests._hgte import hgte_dot

EPS_IN_PAPER = 6.8  # paper's TB value at 3.5 nm; our own TB value is reported by the benchmark


@pytest.fixture(scope="module")
def dot2(request):
    return hgte_dot(request.config.cache.mkdir("qdgain-hgte"), 2.0)


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
    # 0.8 meV / 0.2 meV for 8x18 -> 8x24 at eps_in 6.8)
    rows = ci_convergence(dot2[2], EPS_IN_PAPER, 2.25, sizes=((2, 8), (4, 12), (8, 18), (8, 24)))
    x1 = np.array([r["X1_eV"] for r in rows])
    x2 = np.array([r["X2_eV"] for r in rows])
    assert np.all(np.diff(x1) < 0)  # variational: a larger basis only lowers the lowest level
    assert abs(x1[-1] - x1[-2]) < 3e-3 and abs(x2[-1] - x2[-2]) < 3e-3
    assert abs(x1[-1] - x1[-2]) < abs(x1[1] - x1[0])


@pytest.mark.slow
def test_x1_x2_reference_sphere_35nm(dot35):
    # measured with the default public set at eps_in 6.8: X1 0.0905 eV (splitting 0.9 meV),
    # X2 0.1420 eV (2.5 meV), X2 - X1 = 51.4 meV (paper: 54 computed, 76 measured)
    _, _, states = dot35
    x, m1, m2, f = _manifolds(states)
    _check_eightfold(m1)
    _check_eightfold(m2)
    dx = 1e3 * (m2["mean_eV"] - m1["mean_eV"])
    assert 30.0 <= dx <= 90.0, f"X2-X1 = {dx:.1f} meV (paper 54 computed, 76 measured)"


@pytest.mark.slow
@pytest.mark.xfail(strict=True, reason=(
    "default public TB set: the 3.5 nm single-particle gap is 0.15 eV (paper about 0.9 eV; "
    "too heavy light-electron mass, README of data/tb), and f(X2)/f(X1) comes out 1.6 "
    "(paper about 10; 11.5 for our 2 nm dot)"))
def test_x2_dominates_band_edge_absorption_35nm(dot35):
    _, _, states = dot35
    x, m1, m2, f = _manifolds(states)
    ratio = f[m2["states"]].sum() / f[m1["states"]].sum()
    assert ratio >= 3.0, f"f(X2)/f(X1) = {ratio:.2f} (paper about 10)"
