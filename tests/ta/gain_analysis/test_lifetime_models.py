"""Gain lifetime with extrapolation, and the Poisson saturation models of the bleach (Fig. S4)."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from qdgain.errors import ParameterError
from qdgain.ta.gain_analysis import (
    bleach_four_level,
    bleach_three_level,
    bleach_two_level,
    fit_fluence_model,
    gain_lifetime,
)

from . import synth

WL = np.linspace(1300.0, 1600.0, 61)
N = np.geomspace(0.006, 0.3, 10)


def test_lifetime_noise_free_and_gain_end():
    ds = synth.series(N, WL)
    r = gain_lifetime(ds, wavelength_nm=1450.0, t_min_ps=500.0)
    assert r.resolved
    assert r.tau_ps == pytest.approx(synth.TAU_PS, rel=1e-6)
    # model: ΔA(t) = -x (A0 + G) e^{-t/τ}, gain while x (A0+G) e^{-t/τ} > A0:
    # t_end = τ ln(x (A0 + G)/A0)
    lam = r.wavelength_nm
    x = 1 - np.exp(-N.max())
    t_end = synth.TAU_PS * np.log(x * (synth.a0_model(lam) + synth.g_model(lam))
                                  / synth.a0_model(lam))
    assert r.gain_end_ps == pytest.approx(t_end, rel=1e-6)
    assert r.gain_end_ps > 5 * r.t_max_ps  # extrapolated far beyond the 2.5 ns window


def test_lifetime_noisy_34ns_from_2p5ns_window():
    ds = synth.series(N, WL, noise_od=2e-4, seed=5)
    r = gain_lifetime(ds, wavelength_nm=1450.0, t_min_ps=500.0)
    # an honest error bar: truth within 3σ, and the 2 ns window still constrains τ to < 50 %
    assert abs(r.tau_ps - synth.TAU_PS) < 3 * r.tau_err_ps
    assert r.tau_err_ps / r.tau_ps < 0.5
    assert r.tau_lower_bound_ps < synth.TAU_PS
    assert np.isfinite(r.gain_end_err_ps)


def test_lifetime_unresolved_reports_lower_bound():
    ds = synth.series(N, WL, noise_od=1e-3, seed=1, tau_ps=1e9)  # flat within the window
    r = gain_lifetime(ds, wavelength_nm=1450.0)
    assert not r.resolved
    assert np.isnan(r.tau_ps)
    assert r.tau_lower_bound_ps > 2500.0
    with pytest.raises(ParameterError, match="only 2 delays"):
        gain_lifetime(ds, wavelength_nm=1450.0, t_min_ps=2470.0)


def test_three_level_below_two_four_level_above():
    n = np.linspace(0, 30, 2001)
    b3 = bleach_three_level(n)
    assert np.all(b3 < 2.0) and b3[-1] == pytest.approx(2.0, abs=1e-12)
    b4 = bleach_four_level(n, ratio=2.0)   # (1 + 2)(1 - e^{-N}) → 3
    assert b4.max() > 2.0 and b4[-1] == pytest.approx(3.0)
    # 4-level gain threshold: x_th = 1/(1 + r) = 1/3 → N_th = -ln(2/3) = 0.405465
    assert bleach_four_level(-np.log(2 / 3), 2.0) == pytest.approx(1.0)
    # r = 1 is the 3-level system
    np.testing.assert_allclose(bleach_four_level(n, 1.0), b3)


def test_two_level_degeneracies_by_hand():
    # small ⟨N⟩: one exciton fills 1/g_e + 1/g_h = 1/2 + 1/4 = 0.75 of the band edge
    assert bleach_two_level(1e-4) == pytest.approx(0.75e-4, rel=1e-3)
    # ⟨N⟩ = 4/3 (the mean-occupation inversion point): P(n) = 0.2636, 0.3515, 0.2343, 0.1041,
    # 0.0347, rest 0.0118; occupations 0, 0.75, 1.5, 1.75, 2, 2 →
    # 0.2636 + 0.3515 + 0.1822 + 0.0930 = 0.8903 < 1: Poisson spread delays inversion
    assert bleach_two_level(4 / 3) == pytest.approx(0.8903, abs=2e-4)
    assert bleach_two_level(30.0) == pytest.approx(2.0, abs=1e-6)
    # after Auger relaxation at most one exciton: saturates at 0.75, never gain
    assert bleach_two_level(50.0, relaxed=True) == pytest.approx(0.75)
    with pytest.raises(ParameterError, match="degeneracies >= 1"):
        bleach_two_level(1.0, g_e=0)


def _bleach(values, n):
    return xr.DataArray(values, dims=("fluence", "wavelength"),
                        coords={"N_mean": ("fluence", n), "wavelength": [1340.0, 1450.0]},
                        attrs={"units": "1"})


def test_fit_four_level_recovers_and_three_level_fails_above_two():
    n = np.geomspace(0.01, 2.0, 12)
    rng = np.random.default_rng(7)
    truth = np.stack([bleach_four_level(1.2 * n, 0.5), bleach_four_level(1.2 * n, 3.0)], 1)
    y = truth + 0.01 * rng.standard_normal(truth.shape)
    fit4 = fit_fluence_model(_bleach(y, n), "4-level").params
    # truth within 3σ of the fit (σ from the covariance and the residual variance)
    assert np.all(np.abs(fit4["ratio"].values - [0.5, 3.0]) < 3 * fit4["ratio_err"].values)
    assert np.all(np.abs(fit4["calibration"].values - 1.2) < 3 * fit4["calibration_err"].values)
    assert fit4["max_bleach_norm"].values[1] > 2.0  # Fig. S4: only a 4-level system does this
    fit3 = fit_fluence_model(_bleach(y, n), "3-level").params
    assert fit3["rms"].values[1] > 10 * fit4["rms"].values[1]
    assert fit4["ratio"].attrs["units"] == "1"
    with pytest.raises(ParameterError, match="unknown fluence model '5-level'"):
        fit_fluence_model(_bleach(y, n), "5-level")
