"""The factorisation-free solver on the default HgTe dot model: fused filter kernel, window and δ
filters, agreement with shift-invert, the s-weight band rule, the basis cap."""

from __future__ import annotations

import numpy as np
import pytest

from qdgain.electronic import band_edge_states, build_dot, time_reversed
from qdgain.electronic.blockop import block_operator
from qdgain.electronic.chebkernel import ChebyshevFilter
from qdgain.electronic.chebyshev import (
    CONDUCTION_S_WEIGHT,
    ChebyshevOptions,
    apply_filter,
    delta_filter,
    s_weight,
    solve,
    spectral_bounds,
    window_filter,
)
from qdgain.errors import ConvergenceError, ParameterError
from qdgain.structure import Sphere

# both solvers converge to ‖Hv − Ev‖ ≤ 1e-8 eV, so energies agree to ≤ 1e-8 eV (|δE| ≤ residual)
TOL_E = 1e-8


@pytest.fixture(scope="module")
def dot():
    """2.5 nm sphere of the default model (HgTe fit300K, two-fold Te removed): 4302 rows."""
    return build_dot("HgTe", Sphere(diameter_nm=2.5))[1]


@pytest.fixture(scope="module")
def pair(dot):
    opts = dict(n_vb=12, n_cb=6)
    return (band_edge_states(dot, **opts, method="chebyshev"),
            band_edge_states(dot, **opts, method="shift-invert"))


def test_fused_kernel_equals_csr_recurrence(dot):
    """p(H)X from the fused spin-inner kernel equals the plain recurrence on CSR to round-off."""
    op = block_operator(dot.matrix, dot.n_orbitals)
    bounds = spectral_bounds(op.matmat, dot.n_basis, 30)
    f = ChebyshevFilter(op, bounds)
    rng = np.random.default_rng(3)
    x = rng.standard_normal((dot.n_basis, 5)) + 1j * rng.standard_normal((dot.n_basis, 5))
    for coeffs in (delta_filter(0.6, bounds, 40), window_filter(0.0, 1.5, bounds, 25)):
        ref = apply_filter(lambda v: dot.matrix @ v, x, coeffs, bounds)
        got = f.apply(x, coeffs)
        # 40 recurrence steps, each ‖2H̃‖ ≤ 2: round-off ≲ 40 × 1e-16 relative
        assert np.abs(got - ref).max() <= 1e-12 * np.abs(ref).max()
    assert f.n_matvec == 5 * (40 + 25)
    # the NumPy path (no numba) gives the same product
    slow = ChebyshevFilter(block_operator(dot.matrix, dot.n_orbitals, use_numba=False), bounds)
    assert np.abs(slow.apply(x, coeffs) - ref).max() <= 1e-12 * np.abs(ref).max()


def test_window_filter_is_an_indicator():
    """≈ 1 inside the window, ≈ 0 far outside (Jackson: edges smeared over ≈ π/N)."""
    c = window_filter(-1.0, 2.0, (-10.0, 10.0), 200)
    x = np.linspace(-1, 1, 4001)
    p = np.polynomial.chebyshev.chebval(x, c)
    inside = (x > -0.1 + 3 * np.pi / 200) & (x < 0.2 - 3 * np.pi / 200)
    outside = (x < -0.1 - 3 * np.pi / 200) | (x > 0.2 + 3 * np.pi / 200)
    assert np.abs(p[inside] - 1).max() < 0.02 and np.abs(p[outside]).max() < 0.02
    with pytest.raises(ParameterError, match="inside the spectrum"):
        window_filter(2.0, 1.0, (-10.0, 10.0), 50)


def test_agrees_with_shift_invert(dot, pair):
    cheb, si = pair
    assert cheb.n_vb == si.n_vb and cheb.n_cb == si.n_cb
    assert np.abs(cheb.energies_eV - si.energies_eV).max() <= TOL_E
    np.testing.assert_array_equal(cheb.is_conduction, si.is_conduction)
    assert cheb.residuals_eV.max() <= 1e-8
    v = cheb.vectors
    assert np.abs(v.conj().T @ v - np.eye(v.shape[1])).max() <= 1e-10
    inside = np.linalg.norm(v.conj().T @ time_reversed(v, dot.n_orbitals), axis=0)
    np.testing.assert_allclose(inside, 1.0, atol=1e-8)    # Kramers partners all returned


def test_s_weight_separates_the_bands(dot, pair):
    """The premise of the uncertified band rule, on real states: valence p-like, conduction s-like
    (threshold CONDUCTION_S_WEIGHT with a wide margin on both sides)."""
    cheb, _ = pair
    w = s_weight(dot, cheb.vectors)
    assert w[~cheb.is_conduction].max() < 0.5 * CONDUCTION_S_WEIGHT
    assert w[cheb.is_conduction].min() > 2 * CONDUCTION_S_WEIGHT


def test_uncertified_rule_matches_inertia(dot):
    """Without any factorisation the s-weight rule places the gap where the inertia count does."""
    ref = solve(dot, 8, 4, options=ChebyshevOptions(inertia_max_basis=10**6))
    assert ref.certificate["count_method"] == "inertia"
    r = solve(dot, 8, 4, options=ChebyshevOptions(inertia=False, kpm_vectors=0))
    assert r.certificate["count_method"].startswith("s-weight")
    assert ref.info["homo_eV"] == pytest.approx(r.info["homo_eV"], abs=TOL_E)
    assert ref.info["lumo_eV"] == pytest.approx(r.info["lumo_eV"], abs=TOL_E)
    below = np.sort(r.energies_eV[r.energies_eV < r.sigma_in_gap_eV])[::-1][:8]
    below_ref = np.sort(ref.energies_eV[ref.energies_eV < ref.sigma_in_gap_eV])[::-1][:8]
    assert np.abs(below - below_ref).max() <= TOL_E


def test_full_basis_is_a_clear_error(dot):
    with pytest.raises(ConvergenceError, match="max_basis"):
        solve(dot, 8, 4, options=ChebyshevOptions(max_basis=40, kpm_vectors=0))


def test_bad_options(dot):
    with pytest.raises(ParameterError, match="block"):
        solve(dot, 4, 2, options=ChebyshevOptions(block=0))
    with pytest.raises(ParameterError, match="locate_block"):
        solve(dot, 4, 2, options=ChebyshevOptions(locate_block=0))
    with pytest.raises(ParameterError, match="n_vb"):
        solve(dot, -1, 2)
    with pytest.raises(ParameterError, match="blas_threads"):
        solve(dot, 4, 2, options=ChebyshevOptions(blas_threads=0))


def test_blas_threads_restored_after_solve(dot):
    # the solve pins BLAS to one thread (options.blas_threads) and gives the setting back
    from threadpoolctl import threadpool_info, threadpool_limits

    def blas():
        return [p["num_threads"] for p in threadpool_info() if p["user_api"] == "blas"]

    with threadpool_limits(limits=2, user_api="blas"):   # a setting the solve must change back
        before = blas()
        r = solve(dot, 4, 2, options=ChebyshevOptions(blas_threads=1, kpm_vectors=0))
        assert blas() == before
    assert len(r.energies_eV) >= 6


@pytest.mark.slow
def test_delta_locate_agrees_with_shift_invert():
    """3.0 nm (6786 rows): the gap (1.08 eV) is narrow enough for the δ locate at σ₀ to be
    trusted (the 2.5 nm dot above falls back to the flat window), and the chains that follow
    it give the shift-invert energies to the residual tolerance."""
    H = build_dot("HgTe", Sphere(diameter_nm=3.0))[1]
    opts = dict(n_vb=12, n_cb=6)
    cheb = band_edge_states(H, **opts, method="chebyshev")
    si = band_edge_states(H, **opts, method="shift-invert")
    kinds = [next(iter(run)) for run in cheb.info["runs"]]
    assert kinds == ["locate_centre_eV", "side", "side"]     # δ locate, no window fallback
    assert cheb.n_vb == si.n_vb and cheb.n_cb == si.n_cb
    assert np.abs(cheb.energies_eV - si.energies_eV).max() <= TOL_E
