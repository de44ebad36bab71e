"""Poisson excitation statistics (SPEC §5)."""

import numpy as np
import pytest

from qdgain.errors import ParameterError
from qdgain.gain.poisson import excited_fraction, n_max_for, poisson_pmf


def test_pmf_normalised_with_mean_and_variance_N():
    N = np.array([0.0, 0.006, 0.3, 1.2, 4.0])
    p = poisson_pmf(N, 60, lump_tail=False)
    n = np.arange(61)
    # n_max = 60 leaves a tail < 1e-30 even at <N> = 4: sums are exact to rounding
    np.testing.assert_allclose(p.sum(1), 1.0, atol=1e-13)
    np.testing.assert_allclose(p @ n, N, atol=1e-12)
    np.testing.assert_allclose(p @ n**2 - (p @ n) ** 2, N, atol=1e-11)


def test_tail_is_lumped_into_last_state():
    p = poisson_pmf(3.0, 4)
    assert p.sum() == pytest.approx(1.0, abs=1e-15)
    assert p[0, -1] > poisson_pmf(3.0, 4, lump_tail=False)[0, -1]


def test_excited_fraction_is_one_minus_p0():
    N = np.array([1e-3, 0.3, 2.0])
    np.testing.assert_allclose(excited_fraction(N), 1 - poisson_pmf(N, 30)[:, 0], rtol=1e-12)


def test_n_max_bounds_the_tail():
    k = n_max_for(1.2, tail=1e-7)
    assert 1 - poisson_pmf(1.2, k, lump_tail=False).sum() < 1e-7
    assert 1 - poisson_pmf(1.2, k - 1, lump_tail=False).sum() >= 1e-7


@pytest.mark.parametrize("bad", [-0.1, np.nan, [0.1, -1.0]])
def test_negative_N_is_rejected(bad):
    with pytest.raises(ParameterError, match="must be finite and >= 0"):
        poisson_pmf(bad, 5)
