"""Gain-model inputs from a computed ensemble: widths, areas and line offsets carried over."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr

from qdgain.constants import HC_EV_NM
from qdgain.errors import ParameterError
from qdgain.gain import preset
from qdgain.gain.ensemble_input import ensemble_gain_model, ensemble_transitions
from qdgain.gain.spectra import line_shapes
from qdgain.materials import load_parameters
from qdgain.optics.ensemble import ensemble_spectrum
from qdgain.optics.sweep import SweepOptions, build_table


@pytest.fixture(scope="module")
def ensemble():
    """Ensemble 3.5 ± 0.3 nm on an HgTe-like sizing law E = −0.3 + 1/(0.02d² + 0.1d + 0.2)."""
    recs = []
    for d in np.round(np.arange(2.0, 5.01, 0.1), 6):
        e = -0.3 + 1.0 / (0.02 * d**2 + 0.1 * d + 0.2)
        recs.append({"shape": "sphere", "diameter_nm": d, "X1_eV": e, "X2_eV": e + 0.054,
                     "sigma_int_X1_cm2_eV": 1e-16, "sigma_int_X2_cm2_eV": 1e-15})
    t = build_table(recs, SweepOptions(), load_parameters("HgTe"))
    return ensemble_spectrum(t, 3.5, 0.3)


def _energy_moments(model, line):
    E = np.linspace(0.3, 1.8, 6000)
    s = line_shapes(model.spectra, HC_EV_NM / E)[line]
    area = np.trapezoid(s, E)
    mean = np.trapezoid(E * s, E) / area
    return area, mean, np.sqrt(np.trapezoid((E - mean) ** 2 * s, E) / area)


def test_transitions_carry_the_computed_width_and_area(ensemble):
    x1, x2 = ensemble_transitions(ensemble)
    a = ensemble.attrs
    assert x1.fwhm_eV == pytest.approx(2 * np.sqrt(2 * np.log(2)) * a["X1_std_eV"], rel=1e-12)
    assert x1.energy_eV == a["X1_mean_eV"] and x2.energy_eV == a["X2_mean_eV"]
    assert x1.degeneracy == 4 and x2.degeneracy == 4
    # the gain model, monodisperse, reproduces the ensemble line: area, centre and width
    # (Gaussian quadrature on a 0.25 meV grid: 1e-3 relative)
    model = ensemble_gain_model(ensemble, "hgte-1220")
    assert model.spectra.size.std_nm == 0.0
    area, mean, std = _energy_moments(model, 0)
    assert area == pytest.approx(a["X1_sigma_int_cm2_eV"], rel=1e-3)
    assert mean == pytest.approx(a["X1_mean_eV"], abs=1e-4)
    assert std == pytest.approx(a["X1_std_eV"], rel=1e-3)


def test_gap_following_lines_keep_offsets_and_areas(ensemble):
    base = preset("hgte-1220")
    model = ensemble_gain_model(ensemble, base)
    shift = ensemble.attrs["X1_mean_eV"] - base.spectra.x1.energy_eV
    g0, g1 = base.spectra.gain, model.spectra.gain
    assert g1.energy_eV == pytest.approx(g0.energy_eV + shift, abs=1e-12)
    inh = 2 * np.sqrt(2 * np.log(2)) * ensemble.attrs["X1_inhomogeneous_std_eV"]
    assert g1.fwhm_eV == pytest.approx(np.hypot(g0.fwhm_eV, inh), rel=1e-12)
    assert g1.sigma_cm2 * g1.fwhm_eV == pytest.approx(g0.sigma_cm2 * g0.fwhm_eV, rel=1e-12)
    # a line with follows_gap = 0 (electron intraband) is untouched
    assert model.spectra.ib_electron == base.spectra.ib_electron
    assert model.kinetics == base.kinetics


def test_missing_attrs():
    with pytest.raises(ParameterError, match="ensemble_spectrum"):
        ensemble_transitions(xr.Dataset())
