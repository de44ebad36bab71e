"""Fluence-series target model: simulate a series from the model with known Auger lifetime and
spectra, fit the whole series at once, recover them."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from qdgain.errors import ConvergenceError, ParameterError
from qdgain.ta.kinetics.fluence_model import fit_fluence_series, fluence_concentrations

from .conftest import WAVELENGTH, gaussian_spectra

DELAY = np.concatenate([np.arange(-1.0, 3.0, 0.05), np.geomspace(3.0, 2500.0, 120)])
N_MEAN = np.array([0.1, 0.3, 0.8, 1.5, 3.0])
TRUE = {"k_X": 1 / 3000.0, "k_XX": 1 / 51.0, "k_T": 1 / 10.0, "phi": 0.15}
# X: band-edge bleach; XX: twice the bleach plus a red-shifted induced absorption; T: trion
SPECTRA = np.vstack([
    gaussian_spectra([(1300, -2e-3)])[0],
    gaussian_spectra([(1300, -4e-3), (1420, 1.5e-3)]).sum(0),
    gaussian_spectra([(1300, -1e-3), (1200, 6e-4)]).sum(0),
])


def _series(noise_OD: float, seed: int = 0) -> xr.DataArray:
    C = fluence_concentrations(DELAY, N_MEAN, TRUE["k_X"], TRUE["k_XX"], TRUE["k_T"],
                               TRUE["phi"], 0.05, 0.07)
    dA = C @ SPECTRA + np.random.default_rng(seed).normal(0, noise_OD, (N_MEAN.size, DELAY.size,
                                                                         WAVELENGTH.size))
    return xr.DataArray(dA, dims=("fluence", "delay", "wavelength"),
                        coords={"fluence": N_MEAN * 10.0, "N_mean": ("fluence", N_MEAN),
                                "delay": DELAY, "wavelength": WAVELENGTH},
                        attrs={"units": "OD"})


def test_populations_sum_rule():
    # at t >> IRF and before any decay, excitons per excited dot = <N> / (1 - e^-<N>) ...
    C = fluence_concentrations(np.array([0.5]), N_MEAN, 1e-9, 2e-9, 5e-10, 0.0, 0.0, 0.01,
                               n_max=30)
    # ... and the excited fraction (X + XX + T) is 1 - e^-<N> (Poisson, SPEC §5)
    np.testing.assert_allclose(C[:, 0, :].sum(-1), 1 - np.exp(-N_MEAN), rtol=1e-6)


def test_recovers_auger_lifetime_and_single_exciton_spectrum():
    res = fit_fluence_series(_series(1e-4), tau_X=1000.0, tau_XX=30.0, tau_T=5.0,
                             charged_fraction=TRUE["phi"])
    tau_xx, err = res.lifetimes_ps["XX"], res.lifetime_errors_ps["XX"]
    # 5 % tolerance; the statistical error is ~1 % and must contain the truth within 3 sigma
    assert tau_xx == pytest.approx(51.0, rel=0.05)
    assert abs(tau_xx - 51.0) < 3 * err
    # the charged-dot signal is weak (phi = 0.15, 1e-3 OD band): ~12 % error, 3 sigma
    assert abs(res.lifetimes_ps["T"] - 10.0) < 3 * res.lifetime_errors_ps["T"]
    assert res.lifetime_errors_ps["T"] < 2.0
    # single-exciton spectrum to 5 % of its peak (noise 1e-4 OD vs a 2e-3 OD band)
    np.testing.assert_allclose(res.spectra.sel(species="X").values, SPECTRA[0], atol=1e-4)
    assert res.spectra.attrs["units"] == "OD"


def test_bad_inputs():
    da = _series(1e-4)
    with pytest.raises(ParameterError, match="coord N_mean"):
        fit_fluence_series(da.drop_vars("N_mean"))
    with pytest.raises(ConvergenceError, match="did not converge"):
        fit_fluence_series(da, max_nfev=2)
