"""Kernel polynomial DOS: sum rule, moments against exact eigenvalues, count below the gap."""

from __future__ import annotations

import numpy as np
import pytest

from qdgain.electronic import hamiltonian
from qdgain.electronic.kpm import kpm_dos, kpm_moments
from qdgain.errors import ParameterError
from qdgain.structure import Sphere, nanocrystal


@pytest.fixture(scope="module")
def dot():
    return hamiltonian(nanocrystal("HgTe", Sphere(diameter_nm=1.8)))


@pytest.fixture(scope="module")
def exact(dot):
    return np.linalg.eigvalsh(dot.matrix.toarray())


@pytest.fixture(scope="module")
def moments(dot):
    return kpm_moments(dot, n_moments=256, n_random=16, seed=3)


def test_dos_integrates_to_number_of_states(dot, moments):
    # Chebyshev–Gauss quadrature is exact for the polynomial part: ∫ g dE = μ₀ = n
    lo, hi = moments.bounds_eV
    J = 2048
    x = np.cos(np.pi * (np.arange(J) + 0.5) / J)
    h = 0.5 * (hi - lo)
    g = moments.density(0.5 * (hi + lo) + h * x)
    integral = np.pi / J * np.sum(g * np.sqrt(1 - x**2)) * h
    assert integral == pytest.approx(dot.n_basis, rel=1e-10)
    assert moments.count_below(hi)[0] == pytest.approx(dot.n_basis, rel=1e-10)
    assert np.all(g > -1e-6 * g.max())     # Jackson kernel: positive DOS (round-off aside)


def test_moments_match_exact_spectrum(dot, moments, exact):
    """Stochastic moments scatter around the exact Σ_i T_k(x_i) with their standard errors."""
    e = exact
    lo, hi = moments.bounds_eV
    x = (e - 0.5 * (hi + lo)) / (0.5 * (hi - lo))
    exact = np.polynomial.chebyshev.chebvander(x, len(moments.mu) - 1).sum(axis=0)
    z = (moments.mu[1:] - exact[1:]) / moments.mu_stderr[1:]
    # mean z² ≈ 1 if the errors are as stated (255 moments, correlated: wide band [0.2, 3])
    assert 0.2 < np.mean(z**2) < 3.0
    assert moments.mu[0] == pytest.approx(dot.n_basis, rel=1e-12)


def test_count_below_gap_is_n_valence(dot, moments, exact):
    e = exact
    gap = 0.5 * (e[dot.n_valence - 1] + e[dot.n_valence])
    count, err = moments.count_below(gap)
    assert abs(count - dot.n_valence) < 5 * err + 2   # stochastic (5σ) + Jackson smearing


def test_kpm_dos_dataarray(dot):
    da = kpm_dos(dot, np.linspace(-3, 3, 61), n_moments=64, n_random=2)
    assert da.attrs["units"] == "1/eV" and da["energy"].attrs["units"] == "eV"
    assert da.attrs["n_states"] == dot.n_basis


def test_bad_moment_count_is_refused(dot):
    with pytest.raises(ParameterError, match="n_moments must be even"):
        kpm_moments(dot, n_moments=15)


def test_fused_kernel_moments_equal_csr(dot):
    """The default path (fused Chebyshev kernel, its own layout) gives the CSR moments and the
    same bounds and product count (same random vectors; round-off only)."""
    a = kpm_moments(dot, n_moments=64, n_random=4, seed=5, operator="csr")
    b = kpm_moments(dot, n_moments=64, n_random=4, seed=5)
    assert a.bounds_eV == b.bounds_eV and a.n_matvec == b.n_matvec
    assert np.abs(a.mu - b.mu).max() <= 1e-12 * dot.n_basis
