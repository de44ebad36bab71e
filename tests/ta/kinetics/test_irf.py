"""The closed-form IRF-convolved exponential against direct numerical convolution and limits."""

from __future__ import annotations

import numpy as np
import pytest
from scipy.integrate import quad

from qdgain.errors import ParameterError
from qdgain.ta.kinetics.irf import gaussian_irf, irf_center_dispersion, irf_exponentials


@pytest.mark.parametrize("k", [0.0, 0.02, 1.0, 99.0])
def test_matches_numerical_convolution(k):
    t = np.array([-0.3, 0.0, 0.05, 0.2, 1.0, 30.0])
    E = irf_exponentials(t, np.array([k]), 0.1, 0.06)[:, 0]
    for ti, e in zip(t, E, strict=False):
        # the Gaussian is < 1e-50 beyond 16 widths: integrate the causal decay over that window
        lo, hi = max(ti - 0.1 - 1.0, 0.0), max(ti - 0.1 + 1.0, 0.0)
        if hi == 0.0:
            assert e < 1e-50
            continue
        ref, _ = quad(lambda s, ti=ti: gaussian_irf(ti - s, 0.1, 0.06) * np.exp(-k * s), lo, hi,
                      points=[min(max(ti - 0.1, lo), hi)], epsabs=1e-14, epsrel=1e-12,
                      limit=200)
        # quadrature to 1e-13 absolute; the closed form is exact up to erfc rounding
        assert e == pytest.approx(ref, rel=1e-8, abs=1e-12)


def test_limits_and_stability():
    t = np.linspace(-5, 5000, 4001)
    k = np.array([0.0, 1e-4, 5.0, 300.0])
    E = irf_exponentials(t, k, np.array([0.0, 2.0]), 0.05)
    assert np.all(np.isfinite(E)) and np.all(E >= 0)
    # long after t0 the IRF no longer matters: E -> exp(-k (t - t0) + k^2 w^2 / 2)
    late = t > 10
    ref = np.exp(-k[1] * (t[late] - 2.0) + (k[1] * 0.05) ** 2 / 2)
    np.testing.assert_allclose(E[1, late, 1], ref, rtol=1e-12)
    # k = 0 is the integrated Gaussian (a step of height 1); well before t0 everything is 0
    np.testing.assert_allclose(E[0, t > 1, 0], 1.0, rtol=1e-14)
    assert np.all(E[:, t < -2] < 1e-300)


def test_bad_width_and_rates():
    with pytest.raises(ParameterError, match="IRF width"):
        irf_exponentials(np.arange(3.0), np.array([1.0]), 0.0, 0.0)
    with pytest.raises(ParameterError, match="rates"):
        irf_exponentials(np.arange(3.0), np.array([-1.0]), 0.0, 0.1)


def test_dispersion_polynomial():
    c = irf_center_dispersion(np.array([450.0, 550.0, 650.0]), 1.0, [0.3, -0.1], 550.0)
    np.testing.assert_allclose(c, [1.0 - 0.3 - 0.1, 1.0, 1.0 + 0.3 - 0.1])
