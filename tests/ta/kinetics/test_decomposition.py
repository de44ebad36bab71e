"""Band decomposition on the energy axis: two bleach bands 76 meV apart (paper X1-X2) simulated
on a wavelength grid are recovered; the Jacobian conserves band areas."""

from __future__ import annotations

import numpy as np
import pytest

from qdgain.constants import HC_EV_NM
from qdgain.errors import ParameterError
from qdgain.ta.kinetics.decomposition import fit_bands, to_energy_axis
from qdgain.ta.kinetics.irf import gaussian_irf

WL = np.linspace(1100.0, 1900.0, 400)  # nm
E1, E2 = 0.80, 0.876  # eV: X1 and X2, 76 meV apart


def _density(wl, profile="gaussian"):
    e = HC_EV_NM / wl
    f_e = -2.0 * gaussian_irf(e, E1, 0.025) - 1.0 * gaussian_irf(e, E2, 0.035)  # per eV
    return f_e * HC_EV_NM / wl**2  # per nm: f(lambda) = f(E) hc / lambda^2


def test_jacobian_conserves_area():
    e, f = to_energy_axis(WL, _density(WL))
    # integral over energy = sum of the band areas (-3); the window holds > 99.9 % of both bands
    assert np.trapezoid(f, e) == pytest.approx(-3.0, rel=1e-3)


def test_two_bands_76_meV_splitting():
    y = _density(WL) + np.random.default_rng(0).normal(0, 2e-4, WL.size)
    fit = fit_bands(WL, y, [0.79, 0.89], width_eV=0.02)
    # noise 2e-4 per nm on bands of ~5e-3 per nm: the splitting is fixed to ~1 meV
    assert fit.splittings_meV[0] == pytest.approx(76.0, abs=2.0)
    assert abs(fit.splittings_meV[0] - 76.0) < 4 * fit.splitting_errors_meV[0]
    np.testing.assert_allclose(fit.areas, [-2.0, -1.0], rtol=0.03)
    np.testing.assert_allclose(fit.fwhm_eV, 2.3548 * np.array([0.025, 0.035]), rtol=0.05)


def test_voigt_profile_and_bad_input():
    y = _density(WL)
    fit = fit_bands(WL, y, [0.79, 0.89], width_eV=0.02, profile="voigt")
    # pure Gaussian data: the Lorentzian part goes to ~0 and the centres are exact
    np.testing.assert_allclose(fit.centers_eV, [E1, E2], atol=1e-3)
    with pytest.raises(ParameterError, match="profile"):
        fit_bands(WL, y, [0.8], profile="lorentz")
