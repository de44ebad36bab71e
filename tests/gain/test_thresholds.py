"""Analytic thresholds: 2-level (4/3, Poisson), 3-level, DC pumping; agreement with kinetics."""

import math
from dataclasses import replace

import numpy as np
import pytest

from qdgain.constants import E_CHARGE_C
from qdgain.errors import ParameterError
from qdgain.gain.models import preset
from qdgain.gain.poisson import poisson_pmf
from qdgain.gain.thresholds import (
    dc_current_density_A_cm2,
    dot_density_cm3,
    three_level_threshold,
    three_level_threshold_spectrum,
    threshold_summary,
    two_level_threshold,
    two_level_threshold_spectrum,
)
from qdgain.gain.truth import threshold_spectrum

LAM = np.arange(450.0, 1621.0, 5.0)


def test_two_level_mean_occupation_is_four_thirds():
    assert two_level_threshold(2, 4, "mean") == pytest.approx(4 / 3, rel=1e-15)
    assert two_level_threshold(2, 2, "mean") == pytest.approx(1.0)


def test_two_level_poisson_root_solves_the_average():
    N = two_level_threshold(2, 4, "poisson")
    n = np.arange(61)
    g = 1 - np.minimum(n, 4) / 4 - np.minimum(n, 2) / 2
    assert abs(poisson_pmf(N, 60)[0] @ g) < 1e-10
    assert N > 1.0  # band-edge gain needs more than one exciton per dot on average


@pytest.mark.parametrize("name", ["hgte-1220", "hgte-1300", "cdse-2level"])
def test_two_level_threshold_is_at_least_one_everywhere(name):
    th = two_level_threshold_spectrum(preset(name), LAM)
    assert np.all(np.isnan(th) | (th >= 1.0))
    assert np.isfinite(th).any()  # band-edge gain exists at some wavelength


def test_three_level_threshold_is_far_below_one_inside_the_gap_state_band():
    th = three_level_threshold_spectrum(preset("hgte-1220"), LAM)
    band = (LAM >= 1350) & (LAM <= 1500)
    assert np.nanmax(th[band]) < 0.1
    assert np.nanmin(th[band]) < 0.01


def test_three_level_formula():
    f = 0.01 / (0.01 + 1.0)
    assert three_level_threshold(0.01, 1.0, "mean") == pytest.approx(f)
    assert three_level_threshold(0.01, 1.0, "poisson") == pytest.approx(-math.log(1 - f))


def test_analytic_three_level_equals_kinetics_in_the_static_limit():
    # no decay, no charging, holes relaxed (20 ns >> 700 ps): the kinetic threshold at that
    # delay must equal the closed form f = σ_G / (σ_G − σ_S1); residual S2 share e^{-28.6}
    m = preset("hgte-1220")
    kin = replace(m.kinetics, tau_x_ps=math.inf, tau_capture_ps=math.inf,
                  ionisation_probability=0.0)
    m = replace(m, kinetics=kin)
    lam = np.arange(1300.0, 1500.0, 10.0)
    a = three_level_threshold_spectrum(m, lam)
    k = threshold_spectrum(m, lam, delay_ps=20_000.0)
    np.testing.assert_allclose(k, a, rtol=2e-4)  # bisection tolerance 1e-4 in log <N>


def test_dc_current_density():
    rho = dot_density_cm3(0.25, 3.5)
    assert rho == pytest.approx(0.25 / (math.pi * (3.5e-7) ** 3 / 6))
    j = dc_current_density_A_cm2(0.005, 34_000.0, 100.0, rho)
    assert j == pytest.approx(E_CHARGE_C * rho * 1e-5 * (1 - math.exp(-0.005)) / 34e-9)
    assert dc_current_density_A_cm2(0.005, 68_000.0, 100.0, rho) == pytest.approx(j / 2)


def test_summary_3level_hgte():
    s = threshold_summary("3level", preset("hgte-1220"))
    assert s.threshold_N < 0.01 and 1400 < s.wavelength_nm < 1520
    assert s.current_density_A_cm2 < 10.0  # A/cm², DC pumping feasible (paper's claim)


@pytest.mark.parametrize("args,msg", [((-1.0, 1.0), "sigma_loss_cm2"), ((0.1, -1.0),
                                                                       "sigma_gain_cm2")])
def test_bad_cross_sections_are_rejected(args, msg):
    with pytest.raises(ParameterError, match=msg):
        three_level_threshold(*args)


def test_bad_inputs_are_rejected():
    with pytest.raises(ParameterError, match="threshold_N"):
        dc_current_density_A_cm2(-0.1, 34_000.0, 100.0, 1e19)
    with pytest.raises(ParameterError, match="method"):
        two_level_threshold(method="exact")  # type: ignore[arg-type]
    with pytest.raises(ParameterError, match="no 3-level gain"):
        threshold_summary("3level", preset("cdse-2level"))


def _band_edge_only(name: str):
    """Model whose only optical line is X1 (holes all in VB1): the textbook 2-level dot."""
    m = preset(name)
    sp = m.spectra
    zero = {"sigma_cm2": 0.0}
    sp = replace(sp, x2=replace(sp.x2, **zero), gain=replace(sp.gain, **zero),
                 ib_electron=replace(sp.ib_electron, **zero),
                 ib_hole=replace(sp.ib_hole, **zero), continuum_sigma_cm2_per_eV=0.0)
    kin = replace(m.kinetics, x2_fraction=0.0, tau_auger_ps=math.inf, tau_x_ps=math.inf,
                  tau_capture_ps=math.inf, ionisation_probability=0.0)
    return replace(m, spectra=sp, kinetics=kin)


@pytest.mark.parametrize("name", ["hgte-1220", "cdse-2level"])
def test_two_level_limit_of_the_full_model(name):
    # X1 only, holes in VB1, no decay: every wavelength sees the same occupation factor
    # 1 - min(n,4)/4 - min(n,2)/2, so the threshold is the exact Poisson 2-level number at all λ,
    # both from the static Poisson sum and from the kinetics after cooling (30 ps = 20 τ_cool)
    m = _band_edge_only(name)
    lam = np.linspace(*m.gain_window_nm, 25)
    exact = two_level_threshold(2, 4, "poisson")
    np.testing.assert_allclose(two_level_threshold_spectrum(m, lam), exact, rtol=1e-8)
    kin = threshold_spectrum(m, lam, delay_ps=30.0)
    # bisection to 1e-4 in log <N>; hot remainder e^-20 and n_max = 12 tail (< 1e-7) negligible
    np.testing.assert_allclose(kin, exact, rtol=2e-4)
