"""Uncertainty propagation: diameter error → volume → ⟨N⟩, linear vs Monte Carlo (fixed seed)."""

from __future__ import annotations

import numpy as np
import pytest

from qdgain.calibration import (
    mean_excitons,
    propagate_linear,
    propagate_monte_carlo,
    pump_cross_section_cm2,
)
from qdgain.errors import ParameterError, UserCodeError


def n_mean(diameter_nm, mu_i_400_cm=4.84e5, photons_per_cm2=1e14):
    """⟨N⟩ of the hand example in test_calibration (A_pump = 0.1, A_400 = 1.0)."""
    sig = pump_cross_section_cm2(diameter_nm, mu_i_400_cm, 0.1, 1.0)
    return mean_excitons(photons_per_cm2, sig, 0.1)


def test_linear_diameter_to_n_is_three_times_relative():
    # ⟨N⟩ ∝ V ∝ d³ -> δN/N = 3 δd/d = 3 × 0.1/3.5 = 0.085714 (exact for a power law at 1st order)
    u = propagate_linear(n_mean, {"diameter_nm": 3.5}, {"diameter_nm": 0.1})
    assert u.rel_std == pytest.approx(0.085714, rel=1e-5)
    assert u.value == pytest.approx(0.097048, rel=1e-4)  # hand value of test_calibration


def test_linear_quadrature_of_independent_inputs():
    # N ∝ d³ μ_i J: rel² = (3×0.1/3.5)² + (0.1)² + (0.05)² = 0.0073469 + 0.01 + 0.0025
    # -> rel = sqrt(0.0198469) = 0.14088
    u = propagate_linear(n_mean, {"diameter_nm": 3.5, "mu_i_400_cm": 4.84e5,
                                  "photons_per_cm2": 1e14},
                         {"diameter_nm": 0.1, "mu_i_400_cm": 4.84e4, "photons_per_cm2": 5e12})
    assert u.rel_std == pytest.approx(0.14088, rel=1e-4)
    assert set(u.contributions) == {"diameter_nm", "mu_i_400_cm", "photons_per_cm2"}


def test_monte_carlo_matches_linear_for_small_errors():
    u = propagate_monte_carlo(n_mean, {"diameter_nm": 3.5}, {"diameter_nm": 0.1},
                              n_samples=20000, seed=1)
    # statistical error of a std from 20000 samples: 1/sqrt(2 × 20000) = 0.5 %; second-order
    # terms of d³ at s = 2.9 % add < 0.5 %: 3 % tolerance on the relative std
    assert u.rel_std == pytest.approx(0.085714, rel=0.03)
    # mean of d³: d³(1 + 3 s²) = 1.0024 × the central value; 0.5 % tolerance
    assert u.value == pytest.approx(0.097048 * (1 + 3 * (0.1 / 3.5) ** 2), rel=0.005)
    # fixed seed -> reproducible
    again = propagate_monte_carlo(n_mean, {"diameter_nm": 3.5}, {"diameter_nm": 0.1},
                                  n_samples=20000, seed=1)
    assert again.std == u.std
    assert u.p16 < u.p50 < u.p84


def test_paper_volume_error_32_percent_propagates_to_n():
    # the paper quotes δV/V = 32 % -> δd/d = 0.32/3 = 10.67 % -> δN/N = 32 %
    u = propagate_linear(n_mean, {"diameter_nm": 3.5}, {"diameter_nm": 3.5 * 0.32 / 3})
    assert u.rel_std == pytest.approx(0.32, rel=1e-5)


def test_errors():
    with pytest.raises(ParameterError, match="not among the inputs"):
        propagate_linear(n_mean, {"diameter_nm": 3.5}, {"diameter": 0.1})
    with pytest.raises(ParameterError, match="outside the valid domain"):
        propagate_monte_carlo(n_mean, {"diameter_nm": 3.5}, {"diameter_nm": 3.0}, seed=0)
    with pytest.raises(UserCodeError, match="raised ZeroDivisionError"):
        propagate_linear(lambda x: 1 / 0, {"x": 1.0}, {"x": 0.1})
    with pytest.raises(ParameterError, match="n_samples must be >= 10"):
        propagate_monte_carlo(n_mean, {"diameter_nm": 3.5}, {"diameter_nm": 0.1}, n_samples=2)
    assert np.isfinite(propagate_linear(n_mean, {"diameter_nm": 3.5}, {}).value)
