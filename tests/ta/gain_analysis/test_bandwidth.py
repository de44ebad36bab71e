"""Gain band edges and telecom overlap."""

from __future__ import annotations

import numpy as np
import pytest
import xarray as xr
from scipy.optimize import brentq

from qdgain.errors import ParameterError
from qdgain.ta.gain_analysis import band_edges, gain_bandwidth, gain_threshold
from qdgain.testing import assert_units

from . import synth


def _a(values, wl, n=None):
    v = np.atleast_2d(values)
    n = np.arange(1, v.shape[0] + 1) * 0.1 if n is None else n
    da = xr.DataArray(v, dims=("fluence", "wavelength"),
                      coords={"wavelength": wl, "N_mean": ("fluence", n)}, attrs={"units": "OD"})
    da["N_mean"].attrs["units"] = "1"
    da["wavelength"].attrs["units"] = "nm"
    return da


def test_band_edges_of_synthetic_series_within_one_pixel():
    wl = np.linspace(1000.0, 1620.0, 256)
    pixel = wl[1] - wl[0]
    n = np.geomspace(0.006, 0.3, 10)
    r = gain_threshold(synth.series(n, wl), delay_ps=2500.0, noise_od=0.0)
    bw = gain_bandwidth(r["A"])
    d = np.exp(-2500.0 / synth.TAU_PS)

    def a_true(lam, x):  # the model's A(λ) at excited fraction x
        return synth.a0_model(lam) * (1 - x * d) - synth.g_model(lam) * x * d

    checked = 0
    for i, ni in enumerate(n):
        x = 1 - np.exp(-ni)
        lam = np.linspace(1000, 1620, 20001)
        neg = a_true(lam, x) < 0
        if not neg.any():
            assert bw["has_gain"].values[i] == 0
            assert np.isnan(bw["band_lower"].values[i])
            continue
        j = int(np.argmin(a_true(lam, x)))
        lo = brentq(a_true, 1300.0, lam[j], args=(x,))
        assert abs(bw["band_lower"].values[i] - lo) < pixel
        if not bw["edge_at_range_end"].values[i, 1]:
            hi = brentq(a_true, lam[j], 1620.0, args=(x,))
            assert abs(bw["band_upper"].values[i] - hi) < pixel
            checked += 1
    assert checked >= 3


def test_telecom_overlap_exact():
    # piecewise-linear A with zeros exactly at 1290 and 1510 nm (the paper's band at ⟨N⟩ = 0.3):
    # linear interpolation between pixels is then exact
    wl = np.arange(1200.0, 1601.0, 1.0)
    a = np.abs(wl - 1400.0) - 110.0
    bw = gain_bandwidth(_a(a * 1e-4, wl))
    assert float(bw["band_lower"][0]) == 1290.0
    assert float(bw["band_upper"][0]) == 1510.0
    assert float(bw["bandwidth"][0]) == 220.0
    # O 1260–1360 → 70, E 1360–1460 → 100, S 1460–1530 → 50, C and L → 0
    assert bw["telecom_overlap"].values[0].tolist() == [70.0, 100.0, 50.0, 0.0, 0.0]
    assert bw["telecom_fraction"].values[0].tolist() == [0.7, 1.0, 50.0 / 70.0, 0.0, 0.0]


def test_no_gain_edges_and_flags():
    wl = np.linspace(1200.0, 1600.0, 101)
    bw = gain_bandwidth(_a([np.full(101, 0.01), np.where(wl > 1550, -0.01, 0.01)], wl))
    assert bw["has_gain"].values.tolist() == [0, 1]
    assert bw["bandwidth"].values[0] == 0.0
    assert np.isnan(bw["band_lower"].values[0])
    assert bw["telecom_overlap"].values[0].sum() == 0.0
    # second spectrum: gain reaches the end of the range → flagged, edge = last pixel
    assert bw["edge_at_range_end"].values[1].tolist() == [0, 1]
    assert bw["band_upper"].values[1] == 1600.0
    assert_units(bw, {"band_lower": "nm", "telecom_fraction": "1",
                      "peak_gain_A": "OD", "band": "1", "has_gain": "1"})
    for name in list(bw.data_vars) + list(bw.coords):
        assert "units" in bw[name].attrs, name


def test_significance_rejects_noise_dip():
    wl = np.linspace(1200.0, 1600.0, 101)
    a = np.full(101, 0.01)
    a[30:40] = -0.02   # real gain band, 20 σ deep
    a[80] = -0.0002    # one-pixel noise dip (0.2 σ)
    lo, hi, runs, *_ = band_edges(wl, a)
    assert runs == 2
    lo3, hi3, runs3, *_ = band_edges(wl, a, threshold_od=3 * 1e-3)
    assert runs3 == 1 and (lo3, hi3) == (lo, hi)
    with pytest.raises(ParameterError, match="min_sigma must be >= 0"):
        gain_bandwidth(_a(a, wl), noise_od=1e-3, min_sigma=-1)
    with pytest.raises(ParameterError, match="A: expected units 'OD'"):
        gain_bandwidth(_a(a, wl).assign_attrs(units="mOD"))
