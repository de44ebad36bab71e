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


def test_analytic_jacobian_matches_finite_differences():
    """STYLE R10: the variable-projection Jacobian (irf derivatives, Golub-Pereyra form) against
    central differences of the residual, for a branched scheme with dispersion and weights."""
    from qdgain.ta.kinetics.jacobian import model_and_jacobian
    from qdgain.ta.kinetics.scheme import scheme_from_dict

    d = {"scheme": {"name": "j", "kind": "target", "species": ["a", "b", "c"]},
         "parameters": {"ka": 2.0, "b": {"value": 0.3, "min": 0, "max": 1}, "kb": 0.1,
                        "kc": 0.01},
         "transfer": [{"from": "a", "to": "b", "rate": "b * ka"},
                      {"from": "a", "to": "c", "rate": "(1 - b) * ka"},
                      {"from": "b", "rate": "kb"}, {"from": "c", "rate": "kc"}],
         "initial": {"a": 1.0},
         "irf": {"center": 0.3, "width": 0.1, "dispersion_reference_nm": 500.0,
                 "dispersion": [0.2, -0.05]},
         "weights": [{"wavelength_nm": [400, 450], "value": 0.5}],
         # without equal spectra the branching ratio only rescales spectra (zero derivative)
         "constraints": {"equal_spectra": [{"target": "c", "source": "b"}]}}
    s = scheme_from_dict(d)
    from qdgain.ta.kinetics.target import wavelength_weights

    t = np.concatenate([np.linspace(-0.5, 2, 60), np.geomspace(2.1, 500, 40)])
    wl = np.linspace(400, 600, 12)
    D = np.random.default_rng(0).normal(0, 1e-3, (t.size, wl.size))
    v = s.values()
    names = [p.name for p in s.parameters if p.vary]
    w = wavelength_weights(s, wl)
    _, J = model_and_jacobian(s, v, names, t, wl, D, w)
    for i, n in enumerate(names):
        h = 1e-6 * max(abs(v[n]), 1e-2)
        rp, _ = model_and_jacobian(s, v | {n: v[n] + h}, [], t, wl, D, w)
        rm, _ = model_and_jacobian(s, v | {n: v[n] - h}, [], t, wl, D, w)
        fd = (rp - rm) / (2 * h)
        # central differences are accurate to ~h^2 f''' / f' ~ 1e-9 here
        assert np.linalg.norm(J[:, i] - fd) < 1e-6 * np.linalg.norm(fd), n
