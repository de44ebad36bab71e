"""Closed-loop threshold tests: explicit model (synth.py) → noise (fixed seed) → ⟨N⟩_th(λ)."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
import xarray as xr

from qdgain.errors import ParameterError
from qdgain.ta.gain_analysis import describe_threshold, gain_threshold
from qdgain.testing import assert_units

from . import synth

WL = np.linspace(1000.0, 1620.0, 256)
N = np.geomspace(0.006, 0.3, 10)  # the paper's range, ⟨N⟩ = 0.006 … 0.3
WINDOW = {"delay_ps": 2250.0, "window_ps": 500.0}  # 2000–2500 ps, 21 delays


def _run(noise, seed=0, **kw):
    ds = synth.series(N, WL, noise_od=noise, seed=seed)
    r = gain_threshold(ds, **{**WINDOW, **kw})
    truth = synth.true_threshold(WL, r.attrs["delays_used_ps"])
    inside = (truth > N.min()) & (truth < N.max())
    return r, truth, inside


def test_noise_free_recovery():
    r, truth, inside = _run(0.0, noise_od=0.0)
    assert inside.sum() > 30
    # the fit model is the generating model: exact up to the LM tolerance
    np.testing.assert_allclose(r["N_th_fit"].values[inside], truth[inside], rtol=1e-6)
    # two-point interpolation of the concave A(N) between fluences 1.55× apart: the linear chord
    # overestimates N_th by at most (ΔN)/8·(curvature) ≈ 1 % here
    np.testing.assert_allclose(r["N_th"].values[inside], truth[inside], rtol=0.01)


@pytest.mark.parametrize(("noise", "methods"), [(1e-4, ("N_th", "N_th_fit")),
                                                (1e-3, ("N_th_fit",))])
def test_noisy_recovery_within_10_percent(noise, methods):
    """Within 10 % wherever the signal at threshold (|ΔA| = A0) exceeds 3× the noise σ of one
    ΔA point. The window mean over 21 delays lowers σ by √21; the interpolation's relative error
    is then ≈ √2 σ/(√21 A0) ≤ 10 % at the edge (σ = 1e-4 OD, 0.1 mOD, typical TA noise);
    at σ = 1e-3 OD only the saturation fit over all fluences stays within 10 %."""
    r, truth, inside = _run(noise, seed=0)
    ok = inside & (synth.a0_model(WL) > 3 * noise)
    assert ok.sum() >= 10
    for m in methods:
        rel = np.abs(r[m].values[ok] / truth[ok] - 1)
        assert np.all(rel < 0.10), (m, rel.max())


def test_error_bars_are_honest():
    # z = (estimate - truth)/error should have unit spread where the estimate is well defined
    r, truth, inside = _run(3e-4, seed=3)
    ok = inside & (r["snr"].values > 10)
    for m in ("N_th", "N_th_fit"):
        z = (r[m].values[ok] - truth[ok]) / r[m + "_err"].values[ok]
        assert 0.6 < np.std(z) < 1.6, (m, np.std(z))
    # the noise estimate (pre-time-zero scatter / √21) matches the injected 3e-4/√21 within 25 %
    assert np.median(r["noise"].values) == pytest.approx(3e-4 / np.sqrt(21), rel=0.25)


def test_no_gain_is_explicit_never_silent_nan():
    r, truth, _ = _run(1e-4)
    st = r["status"].values
    blue = WL < 1150  # A0 large, no gain up to ⟨N⟩ = 0.3 in the model
    assert np.all(st[blue] == 1)
    assert np.all(r["N_th_lower_bound"].values[blue] == pytest.approx(0.3))
    assert describe_threshold(r, 1100.0) == "1099.7 nm: no gain up to ⟨N⟩ = 0.3"
    assert "⟨N⟩_th =" in describe_threshold(r, 1450.0)
    # every NaN threshold carries a status that says why
    nan = np.isnan(r["N_th"].values)
    assert np.all(np.isin(st[nan], [1, 3]))
    assert "no_gain_up_to_N_max" in r["status"].attrs["flag_meanings"]
    nanf = np.isnan(r["N_th_fit"].values)
    assert np.all(np.isin(r["status_fit"].values[nanf], [1, 3]))


def test_crossing_below_lowest_fluence_is_flagged():
    n = np.geomspace(0.06, 0.3, 6)
    r = gain_threshold(synth.series(n, WL), noise_od=0.0, **WINDOW)
    truth = synth.true_threshold(WL, r.attrs["delays_used_ps"])
    low = truth < n.min()
    assert low.any()
    assert np.all(r["status"].values[low] == 2)
    # interpolated from the exact point (⟨N⟩ = 0, A = A0) to N1 = 0.06: the chord of
    # x = 1 - e^{-N} ≈ N - N²/2 has slope 1 - N1/2, so N_est ≈ N_th (1 - N_th/2)/(1 - N1/2):
    # relative error ≈ (N1 - N_th)/2 < N1/2 = 3 %
    np.testing.assert_allclose(r["N_th"].values[low], truth[low], rtol=n.min() / 2)


def test_units_on_every_output():
    r, _, _ = _run(1e-4)
    for name in list(r.data_vars) + list(r.coords):
        assert "units" in r[name].attrs, name
    assert_units(r, {"N_th": "1", "N_th_fit": "1", "A": "OD", "A0": "OD", "noise": "OD",
                     "wavelength": "nm", "N_mean": "1", "bleach_norm": "1"})


def test_missing_a0():
    ds = synth.series(N, WL, with_a0=False)
    with pytest.raises(ParameterError, match="missing A0"):
        gain_threshold(ds, **WINDOW)


def test_unsorted_fluences_sorted_with_warning():
    ds = synth.series(N, WL, noise_od=1e-4, seed=2)
    ref = gain_threshold(ds, **WINDOW)
    shuffled = ds.isel(fluence=[3, 0, 9, 1, 2, 8, 4, 5, 7, 6])
    with pytest.warns(UserWarning, match="not sorted by ⟨N⟩"):
        r = gain_threshold(shuffled, **WINDOW)
    np.testing.assert_array_equal(r["N_th"].values, ref["N_th"].values)
    np.testing.assert_array_equal(r["N_mean"].values, np.sort(N))


def test_duplicated_fluences_error():
    ds = synth.series(N, WL)
    dup = ds.isel(fluence=[0, 1, 1, 2])
    with pytest.raises(ParameterError, match=r"duplicated ⟨N⟩ \[0.00926"):
        gain_threshold(dup, **WINDOW)


def test_missing_or_bad_n_mean():
    ds = synth.series(N, WL)
    with pytest.raises(ParameterError, match="coord 'N_mean'"):
        gain_threshold(ds.drop_vars("N_mean"), **WINDOW)
    bad = ds.assign_coords(N_mean=("fluence", np.r_[np.nan, N[1:]]))
    with pytest.raises(ParameterError, match="N_mean must be finite"):
        gain_threshold(bad, **WINDOW)
    ds["dA"].attrs["units"] = "mOD"
    with pytest.raises(ParameterError, match="dA: expected units 'OD'"):
        gain_threshold(ds, **WINDOW)


def test_a0_on_other_range_uses_overlap_and_reports_it():
    ds = synth.series(N, WL, noise_od=0.0, with_a0=False)
    wl_a0 = np.arange(1100.0, 1700.0, 0.5)  # other grid, starts inside the probe range
    a0 = xr.DataArray(synth.a0_model(wl_a0), dims="wavelength", coords={"wavelength": wl_a0},
                      attrs={"units": "OD"})
    with pytest.warns(UserWarning, match="probe pixels outside A0 dropped"):
        r = gain_threshold(ds, a0, noise_od=0.0, **WINDOW)
    kept = WL[WL >= 1100.0]
    assert r.attrs["A0_overlap_nm"] == [kept[0], kept[-1]]
    assert r.attrs["A0_probe_pixels_dropped"] == int(np.sum(WL < 1100.0))
    assert r.attrs["A0_interpolated"] == 1
    truth = synth.true_threshold(kept, r.attrs["delays_used_ps"])
    inside = (truth > N.min()) & (truth < N.max())
    # A0 linearly interpolated from a 0.5 nm grid: relative error < 1e-4 of A0 → fit within 1e-3
    np.testing.assert_allclose(r["N_th_fit"].values[inside], truth[inside], rtol=1e-3)
    far = xr.DataArray([0.1, 0.1], dims="wavelength", coords={"wavelength": [400.0, 500.0]},
                       attrs={"units": "OD"})
    with pytest.raises(ParameterError, match="do not overlap"):
        gain_threshold(ds, far, **WINDOW)


def test_delay_outside_range():
    ds = synth.series(N, WL)
    with pytest.raises(ParameterError, match="outside the measured delays"):
        gain_threshold(ds, delay_ps=9000.0)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        r = gain_threshold(ds, delay_ps=2500.0)
    assert list(r.attrs["delays_used_ps"]) == [2500.0]


def test_nonlinear_absorbance_and_normalised_bleach():
    from qdgain.ta.gain_analysis import nonlinear_absorbance, normalised_bleach

    ds = synth.series(N[:3], WL)
    a = nonlinear_absorbance(ds)
    assert_units(a, {"A": "OD", "A0": "OD"})
    np.testing.assert_allclose(a["A"].values, ds["dA"].values + ds["A0"].values, rtol=0,
                               atol=1e-15)
    nb = normalised_bleach(ds, min_a0_od=1e-3)
    assert nb.attrs["units"] == "1" and nb.attrs["masked_where"] == "A0 <= 0.001 OD"
    keep = ds["A0"].values > 1e-3
    np.testing.assert_allclose(nb.values[..., keep],
                               -ds["dA"].values[..., keep] / ds["A0"].values[keep])
    assert np.all(np.isnan(nb.values[..., ~keep]))


def test_masked_points_and_two_fluence_series():
    ds = synth.series(N, WL, noise_od=0.0)
    j = int(np.argmin(np.abs(WL - 1450.0)))  # true threshold 0.157, between N[7] and N[8]

    def masked(i):  # the whole delay trace of fluence i masked (NaN) at pixel j
        da = ds["dA"].values.copy()
        da[i, :, j] = np.nan
        return gain_threshold(ds.copy(data={"dA": da, "A0": ds["A0"].values}), noise_od=0.0,
                              **WINDOW)

    r = masked(7)  # the last absorbing point before the crossing is masked
    truth = synth.true_threshold(WL, r.attrs["delays_used_ps"])
    assert int(r["status"][j]) == 4 and np.isnan(float(r["N_th"][j]))
    assert "masked_NaN_data_at_the_crossing" in r["status"].attrs["flag_meanings"]
    assert describe_threshold(r, 1450.0).endswith("masked (NaN) data at the crossing")
    # the fit ignores the masked point and still recovers the threshold exactly
    assert float(r["N_th_fit"][j]) == pytest.approx(truth[j], rel=1e-6)
    r = masked(3)  # a masked point away from the crossing changes nothing
    assert int(r["status"][j]) == 0
    assert float(r["N_th"][j]) == pytest.approx(truth[j], rel=0.01)
    # two fluences: interpolation only, the fit is flagged instead of failing
    r2 = gain_threshold(ds.isel(fluence=[4, 9]), noise_od=0.0, **WINDOW)
    assert np.all(r2["status_fit"].values == 4)
    assert np.isfinite(r2["N_th"].values).any()
    with pytest.raises(ParameterError, match="raise max_N_fit"):
        gain_threshold(ds, max_N_fit=0.01, **WINDOW)
