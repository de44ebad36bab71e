"""State cross sections: state filling, gap-state gain without absorption, broadening."""

from dataclasses import replace

import numpy as np
import pytest

from qdgain.constants import HC_EV_NM
from qdgain.errors import ParameterError
from qdgain.gain.kinetics import rate_matrix
from qdgain.gain.models import preset
from qdgain.gain.spectra import (
    LINES,
    SizeDistribution,
    Transition,
    line_shapes,
    pl_spectrum,
    state_coefficients,
    state_cross_sections_cm2,
)

MODEL = preset("hgte-1220")
LAM = np.linspace(450.0, 1620.0, 600)


def _states():
    return rate_matrix(MODEL.kinetics, 6)[1]


def test_ground_state_has_no_gain_and_no_intraband_lines():
    st = _states()
    c = state_coefficients(MODEL.spectra, st)[st.index("G")]
    assert c[LINES.index("gain")] == 0 and c[LINES.index("ib_hole")] == 0
    assert c[LINES.index("x1_abs")] == 1 and c[LINES.index("x2_abs")] == 1


@pytest.mark.parametrize("state,fc,fv1,fv2", [("S1", 0.5, 0.75, 1.0), ("S2", 0.5, 1.0, 0.75),
                                              ("C2", 1.0, 0.75, 0.75)])
def test_state_filling_gives_f_v_minus_f_c(state, fc, fv1, fv2):
    # equal absorption and emission line shapes: f_v(1-f_c) - f_c(1-f_v) = f_v - f_c
    st = _states()
    c = state_coefficients(MODEL.spectra, st)[st.index(state)]
    assert c[LINES.index("x1_abs")] + c[LINES.index("x1_se")] == pytest.approx(fv1 - fc)
    assert c[LINES.index("x2_abs")] + c[LINES.index("x2_se")] == pytest.approx(fv2 - fc)


def test_gap_state_gain_needs_a_cb1_electron_and_an_empty_gap_state():
    st = _states()
    c = state_coefficients(MODEL.spectra, st)[:, LINES.index("gain")]
    assert c[st.index("S1")] == -1.0 and c[st.index("C2")] == -2.0
    assert c[st.index("T")] == 0.0 and c[st.index("Q0")] == 0.0


def test_broadening_conserves_the_line_area():
    # sum rule: ∫σ dE of a Gaussian line is σ_peak s √(2π) whatever the size distribution
    E = np.linspace(0.3, 2.0, 20001)
    lam = HC_EV_NM / E[::-1]
    for std in (0.0, 0.15, 0.3):
        spec = replace(MODEL.spectra, size=SizeDistribution(3.5, std, 41))
        x1 = line_shapes(spec, lam)[LINES.index("x1_abs")][::-1]
        s = MODEL.spectra.x1.fwhm_eV / (2 * np.sqrt(2 * np.log(2)))
        area = np.trapezoid(x1, E)
        # trapezoid on 0.085 meV steps: error << 1e-6 of the area
        assert area == pytest.approx(MODEL.spectra.x1.sigma_cm2 * s * np.sqrt(2 * np.pi),
                                     rel=1e-6)


def test_hot_dots_show_stark_induced_absorption_on_the_red_side():
    st = _states()
    sig = state_cross_sections_cm2(MODEL.spectra, st, LAM)
    d = sig[st.index("H1")] - sig[st.index("G")]
    red = (LAM > 1250) & (LAM < 1400)
    assert d[red].max() > 0  # red-shifted band edge: induced absorption below the gap


def test_pl_is_peak_normalised_and_red_of_x1():
    pl = pl_spectrum(MODEL.spectra, LAM)
    assert pl.max() == pytest.approx(1.0)
    assert LAM[np.argmax(pl)] > HC_EV_NM / MODEL.spectra.x1.energy_eV


@pytest.mark.parametrize("kw,msg", [(dict(sigma_cm2=-1e-15), "cross sections must be >= 0"),
                                    (dict(fwhm_eV=0.0), "fwhm_eV"),
                                    (dict(energy_eV=-1.0), "energy_eV")])
def test_bad_transitions_are_rejected(kw, msg):
    args = dict(energy_eV=1.0, fwhm_eV=0.05, sigma_cm2=1e-15) | kw
    with pytest.raises(ParameterError, match=msg):
        Transition(**args)


def test_bad_size_distribution_is_rejected():
    with pytest.raises(ParameterError, match="SizeDistribution"):
        SizeDistribution(3.5, 1.0)
