"""Background, crop, masks, scan averaging and common grids."""

from __future__ import annotations

import numpy as np
import pytest

from qdgain.errors import ParameterError
from qdgain.ta import ta_dataset
from qdgain.ta.preprocess import (
    average_scans,
    common_grid,
    crop,
    mask_pump_scatter,
    mask_wavelengths,
    resample,
    resample_series,
    subtract_background,
)
from qdgain.testing import assert_units


def ramp_map(seed: int = 0, t=None, wl=None, offset: float = 0.0):
    rng = np.random.default_rng(seed)
    t = np.linspace(-5, 20, 101) if t is None else np.asarray(t)
    wl = np.linspace(500, 800, 61) if wl is None else np.asarray(wl)
    sig = np.where(t[:, None] > 0, np.exp(-t[:, None] / 5.0), 0.0) * np.sin(wl / 50.0)
    # a wavelength-dependent offset (scatter, previous-pulse signal) plus noise
    dA = sig + offset * np.cos(wl / 30.0) + rng.normal(0, 1e-3, (t.size, wl.size))
    return ta_dataset(dA, t, wl, pump_wavelength_nm=700.0)


def test_background_leaves_zero_mean_pre_t0() -> None:
    ds = ramp_map(offset=0.02)
    out = subtract_background(ds, before_ps=-0.5)
    pre = out["dA"].sel(delay=slice(None, -0.5001)).mean("delay").values
    # the pre-t0 mean is zero to rounding (sum of 90 values of size ~0.02: ~1e-17)
    np.testing.assert_allclose(pre, 0.0, atol=1e-15)
    # and the offset is gone from the signal region too: residual = signal + noise only
    clean = ramp_map(offset=0.0)
    assert np.abs((out["dA"] - clean["dA"]).values).max() < 2e-3  # ≈ noise/√90 + noise
    assert_units(out, {"dA": "OD", "delay": "ps"})
    with pytest.raises(ParameterError, match=r"no delay below before_ps=-10 ps"):
        subtract_background(ds, before_ps=-10)


def test_background_on_fluence_series() -> None:
    from qdgain.ta import stack_fluence

    s = stack_fluence([ramp_map(0, offset=0.01), ramp_map(1, offset=0.03)], [1.0, 2.0])
    out = subtract_background(s)
    pre = out["dA"].where(out["delay"] < -0.5, drop=True).mean("delay")
    np.testing.assert_allclose(pre.values, 0.0, atol=1e-15)


def test_crop_and_masks() -> None:
    ds = ramp_map()
    c = crop(ds, wavelength_nm=(600, 700), delay_ps=(0, 10))
    assert c["wavelength"].min() >= 600 and c["wavelength"].max() <= 700
    assert c["delay"].min() >= 0 and c["delay"].max() <= 10
    m = mask_pump_scatter(ds, half_width_nm=10)
    masked = np.isnan(m["dA"].values).all(axis=0)
    wl = ds["wavelength"].values
    np.testing.assert_array_equal(masked, np.abs(wl - 700) <= 10)
    d = mask_wavelengths(ds, [(500, 520), (790, 800)], drop=True)
    assert d["wavelength"].min() > 520 and d["wavelength"].max() < 790
    assert not np.isnan(d["dA"].values).any()
    with pytest.raises(ParameterError, match="holds no points"):
        crop(ds, wavelength_nm=(100, 200))
    with pytest.raises(ParameterError, match="pump wavelength unknown"):
        mask_pump_scatter(ta_dataset(np.zeros((2, 2)), [0, 1], [500, 600]))


def test_average_scans_rejects_outlier() -> None:
    scans = [ramp_map(seed=s) for s in range(5)]
    scans[2]["dA"].values[10, 5] += 1.0  # a cosmic ray / laser dropout in one scan
    avg = average_scans(scans, reject_sigma=3.0)
    clean_mean = np.mean([s["dA"].values for s in scans], axis=0)
    clean_mean[10, 5] = np.mean([s["dA"].values[10, 5] for i, s in enumerate(scans) if i != 2])
    assert avg["n_scans"].values[10, 5] == 4
    assert abs(avg["dA"].values[10, 5] - clean_mean[10, 5]) < 1e-12
    # elsewhere: the plain mean over all five, bar points where a normal scan was rejected
    kept_all = avg["n_scans"].values == 5
    np.testing.assert_allclose(avg["dA"].values[kept_all], clean_mean[kept_all], atol=1e-15)
    # σ of one scan is 1e-3 OD, so the standard error of 5 is ≈ 4.5e-4
    assert 3e-4 < float(np.median(avg["dA_sem"].values)) < 6e-4
    assert_units(avg, {"dA": "OD", "dA_sem": "OD", "n_scans": "1"})
    with pytest.raises(ParameterError, match="at least 2 scans"):
        average_scans(scans[:1])


def test_resample_series_onto_common_grid() -> None:
    a = ramp_map(0, t=np.linspace(-5, 20, 101), wl=np.linspace(500, 800, 61))
    b = ramp_map(1, t=np.linspace(-4, 25, 59), wl=np.linspace(510, 790, 57))
    t, wl = common_grid([a, b])
    assert t.min() >= -4 and t.max() <= 20 and wl.min() >= 510 and wl.max() <= 790
    s = resample_series([a, b], [1.0, 2.0], N_mean=[0.1, 0.2])
    assert s["dA"].shape == (2, t.size, wl.size)
    # on the first map's own grid points interpolation returns its values (to rounding)
    np.testing.assert_allclose(s["dA"].values[0], a["dA"].sel(delay=t, wavelength=wl).values,
                               rtol=1e-12, atol=1e-18)
    assert_units(s, {"fluence": "uJ/cm^2", "N_mean": "1", "dA": "OD"})
    # linear interpolation reproduces a bilinear function exactly
    lin = ta_dataset(np.add.outer(2 * b["delay"].values, 3 * b["wavelength"].values),
                     b["delay"].values, b["wavelength"].values)
    r = resample(lin, t, wl)
    np.testing.assert_allclose(r["dA"].values, np.add.outer(2 * t, 3 * wl), rtol=1e-13)
    with pytest.raises(ParameterError, match="leaves the data range"):
        resample(b, np.array([-10.0, 0.0]), wl)
