"""Ground truth of the presets (what the closed loop must recover) and its error paths."""

import numpy as np
import pytest

from qdgain.errors import ParameterError
from qdgain.gain.models import PRESETS, preset
from qdgain.gain.truth import gain_band, ground_truth, nonlinear_absorbance
from qdgain.testing import assert_units


def test_hgte_1220_ground_truth_is_near_the_paper():
    gt = ground_truth(preset("hgte-1220"))
    # the preset is calibrated to the paper (Fig. 3): min 0.005 near 1500 nm, band 1290–1510 nm
    # at <N> = 0.3; the model's own numbers must stay within these windows
    assert 0.002 < gt.min_threshold_N < 0.01
    assert 1450 < gt.min_threshold_wavelength_nm < 1510
    assert 1270 < gt.band_nm[0] < 1310 and 1490 < gt.band_nm[1] < 1530
    assert gt.band_open == (False, False)
    assert gt.gain_lifetime_ps == pytest.approx(34_000.0)
    assert_units(gt.threshold, {"N_threshold": "1", "wavelength": "nm"})


def test_hgte_1300_gain_reaches_beyond_the_probe_range():
    gt = ground_truth(preset("hgte-1300"))
    assert 1390 < gt.band_nm[0] < 1430
    assert gt.band_open[1] and gt.band_nm[1] == 1620.0


def test_cdse_two_level_threshold_exceeds_one():
    gt = ground_truth(preset("cdse-2level"))
    assert gt.min_threshold_N > 1.0


def test_threshold_is_where_absorbance_changes_sign():
    m = preset("hgte-1220")
    gt = ground_truth(m)
    lam = np.array([1350.0, 1450.0])
    th = gt.threshold.sel(wavelength=lam).values
    a_below = nonlinear_absorbance(m, th * 0.99, 2500.0, lam)
    a_above = nonlinear_absorbance(m, th * 1.01, 2500.0, lam)
    assert np.all(np.diag(a_below) > 0) and np.all(np.diag(a_above) < 0)


def test_gain_band_edges_interpolate_zero_crossings():
    lam = np.arange(10.0)
    a = np.array([1, 1, 0.5, -0.5, -1, -1, -0.5, 0.5, 1, 1.0])
    assert gain_band(lam, a)[:2] == pytest.approx((2.5, 6.5))
    assert np.isnan(gain_band(lam, np.ones(10))[0])


def test_grid_not_covering_the_gain_window_is_rejected():
    with pytest.raises(ParameterError, match="does not cover the requested band"):
        ground_truth(preset("hgte-1220"), np.linspace(450.0, 1400.0, 200))


def test_unknown_preset_and_negative_N():
    with pytest.raises(ParameterError, match="unknown gain-model preset"):
        preset("hgte-9999")
    with pytest.raises(ParameterError, match=">= 0"):
        nonlinear_absorbance(preset(PRESETS[0]), -0.1, 10.0, np.array([1300.0]))
