"""TA simulator: data-model contract, consistency with the noise-free model, IRF, chirp, noise."""

import numpy as np
import pytest

from qdgain.errors import ParameterError
from qdgain.gain.models import preset
from qdgain.gain.simulator import (
    Instrument,
    default_delays,
    fluence_from_N,
    irf_exponential,
    simulate_ta,
)
from qdgain.gain.truth import nonlinear_absorbance
from qdgain.testing import assert_units

MODEL = preset("hgte-1220")
LAM = np.linspace(450.0, 1620.0, 120)
T = np.concatenate([np.linspace(-5, 5, 41), np.geomspace(6, 2500, 40)])
N = [0.006, 0.1, 1.2]


def test_dataset_follows_the_ta_contract():
    ds = simulate_ta(MODEL, N, delay_ps=T, wavelength_nm=LAM)
    assert ds["dA"].dims == ("fluence", "delay", "wavelength")
    assert_units(ds, {"dA": "OD", "A0": "OD", "PL": "1", "fluence": "uJ/cm^2", "N_mean": "1",
                      "delay": "ps", "wavelength": "nm"})
    np.testing.assert_allclose(ds["N_mean"].values, N)
    assert np.all(np.diff(ds["fluence"].values) > 0)
    assert ds.attrs["pump_wavelength_nm"] == 700.0 and ds.attrs["sample"] == "hgte-1220"


def test_noiseless_simulation_equals_the_model_absorbance():
    ds = simulate_ta(MODEL, N, delay_ps=T, wavelength_nm=LAM, instrument=Instrument.noiseless())
    A = ds["dA"].isel(delay=-1).values + ds["A0"].values
    # IRF (0.1 ps) irrelevant at 2.5 ns: same numbers as the kinetic model to rounding
    np.testing.assert_allclose(A, nonlinear_absorbance(MODEL, N, 2500.0, LAM), atol=1e-12)
    early = ds["dA"].sel(delay=slice(None, -2.0)).values
    assert np.abs(early).max() < 1e-12  # nothing before the pump (2 ps = 19 IRF sigmas)


def test_irf_convolution_matches_numerical_convolution():
    s, k = 0.3, 1 / 1.5
    t = np.linspace(-3, 8, 111)
    tau = np.linspace(0.0, 40.0, 40001)  # h(t) = ∫_0^∞ e^{-kτ} g(t − τ) dτ
    g = np.exp(-0.5 * ((t[:, None] - tau[None, :]) / s) ** 2) / (s * np.sqrt(2 * np.pi))
    ref = np.trapezoid(np.exp(-k * tau)[None, :] * g, tau, axis=1)
    # τ step 1e-3 ps (s/300): trapezoid error ~ (h/s)² / 12 ~ 1e-6, well below 1e-4
    np.testing.assert_allclose(irf_exponential(-k, t, s), ref, atol=1e-4)
    np.testing.assert_allclose(irf_exponential(0.0, np.array([50.0]), s), 1.0)


def test_chirp_shifts_time_zero_per_wavelength():
    inst = Instrument(irf_fwhm_ps=0.2, chirp_ps=(0.5, 0.4), probe_photons=np.inf,
                      readout_noise_e=0.0, pump_scatter_od=0.0)
    t = np.linspace(-2, 4, 121)
    lam = np.array([600.0, 1300.0])
    ch = simulate_ta(MODEL, [0.5], delay_ps=t, wavelength_nm=lam, instrument=inst)
    flat = Instrument.noiseless(0.2)
    for i, w in enumerate(lam):
        t0 = inst.time_zero_ps(np.array([w]))[0]
        ref = simulate_ta(MODEL, [0.5], delay_ps=t - t0, wavelength_nm=lam, instrument=flat)
        np.testing.assert_allclose(ch["dA"].values[0, :, i], ref["dA"].values[0, :, i],
                                   atol=1e-12)


def test_noise_is_seeded_and_has_the_stated_level():
    inst = Instrument(pump_scatter_od=0.0, readout_noise_e=0.0, probe_photons=1e8)
    a = simulate_ta(MODEL, [0.1], delay_ps=T, wavelength_nm=LAM, instrument=inst, seed=3)
    b = simulate_ta(MODEL, [0.1], delay_ps=T, wavelength_nm=LAM, instrument=inst, seed=3)
    c = simulate_ta(MODEL, [0.1], delay_ps=T, wavelength_nm=LAM,
                    instrument=Instrument.noiseless())
    np.testing.assert_array_equal(a["dA"].values, b["dA"].values)
    resid = (a["dA"] - c["dA"]).sel(wavelength=slice(1450, 1620)).values
    expected = np.sqrt(2) / np.log(10) / np.sqrt(1e8)  # A0 ~ 1e-3 there: transmission ~1
    # 81 delays × ~26 wavelengths: the sample std is within ~5 % of the true one
    assert resid.std() == pytest.approx(expected, rel=0.1)


def test_fluence_conversion_is_linear_and_positive():
    f = fluence_from_N(MODEL, np.array([0.1, 0.2]))
    assert f[1] == pytest.approx(2 * f[0]) and f[0] > 0


@pytest.mark.parametrize("kwargs,msg", [
    (dict(N_mean=[-0.1]), ">= 0"),
    (dict(N_mean=[0.1], band_nm=(1290.0, 1700.0)), "does not cover the requested band"),
    (dict(N_mean=[0.1, 0.1]), "distinct"),
    (dict(N_mean=[0.1], delay_ps=np.array([1.0, 0.5])), "strictly ascending"),
])
def test_bad_input_is_rejected(kwargs, msg):
    args = dict(delay_ps=T, wavelength_nm=LAM) | kwargs
    with pytest.raises(ParameterError, match=msg):
        simulate_ta(MODEL, **args)


def test_default_delays_cover_the_paper_window():
    t = default_delays()
    assert t[0] == -5.0 and t[-1] == pytest.approx(2500.0) and t.size == 1000
    with pytest.raises(ParameterError, match="Instrument.irf_fwhm_ps"):
        Instrument(irf_fwhm_ps=-1.0)


@pytest.mark.parametrize("chirp", [(), (0.5, 0.2)])
def test_no_pump_no_signal(chirp):
    inst = Instrument(chirp_ps=chirp, probe_photons=np.inf, readout_noise_e=0.0,
                      pump_scatter_od=0.0)
    ds = simulate_ta(MODEL, [0.0], delay_ps=T, wavelength_nm=LAM, instrument=inst)
    assert np.all(ds["dA"].values == 0.0)
