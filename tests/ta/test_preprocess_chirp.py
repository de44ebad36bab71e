"""Chirp and time zero: recovery on a synthetic map, straight onset on measured data."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from scipy.special import erf

from qdgain.errors import ParameterError
from qdgain.ta import read_ta, ta_dataset
from qdgain.ta.chirp import (
    chirp_correct,
    correct_chirp,
    fit_chirp,
    onset_times,
    shift_time_zero,
    time_zero,
)

DATA = Path(__file__).resolve().parents[1] / "data"
SKU_OPTS = {"delay_unit": "ns", "delay_offset_ps": -2.0, "dA_unit": "mOD", "dA_scale": 1 / 3}
TRUE = np.array([0.5, 0.25, -0.03, 0.002])  # t0 = Σ c_k x^k, x = (λ − 1025 nm)/100 nm, ps
DT = 0.02  # delay step around time zero, ps


def synthetic(n_wl: int = 256, noise: float = 2e-4, seed: int = 0):
    """ΔA = signal step ⊗ Gaussian IRF (σ = 50 fs), decaying, plus a coherent artefact.

    The artefact is a mixture of the Gaussian's first and second derivatives (cross-phase
    modulation shapes) whose mix changes with λ, all centred on the true t0(λ).
    """
    rng = np.random.default_rng(seed)
    t = np.concatenate([np.arange(-3, 2, DT), np.geomspace(2.05, 1000, 150)])
    wl = np.linspace(450, 1600, n_wl)
    t0 = np.polynomial.polynomial.polyval((wl - 1025) / 100, TRUE)
    tau = (t[:, None] - t0[None, :])
    s = 0.05
    u = tau / s
    g = np.exp(-0.5 * u**2)
    step = 0.5 * (1 + erf(u / np.sqrt(2)))
    amp = -5e-3 * np.exp(-((wl - 1300) / 150) ** 2) + 2e-3
    sig = amp * step * np.exp(-np.clip(tau, 0, None) / 100)
    mix = np.linspace(0, 1, n_wl)
    art = 3e-3 * ((1 - u**2) * g * (1 - mix) + (-u * g) * mix)
    return ta_dataset(sig + art + rng.normal(0, noise, sig.shape), t, wl), t0


def test_model_method_recovers_polynomial_within_one_delay_step() -> None:
    ds, t0 = synthetic()
    corrected, fit = chirp_correct(ds, method="model", degree=3)
    err = np.abs(fit.curve.values - t0)
    assert err.max() < DT, f"max |t0_fit − t0_true| = {err.max():.4f} ps ≥ one step {DT} ps"
    assert fit.curve.attrs["units"] == "ps"
    np.testing.assert_allclose(fit(ds["wavelength"].values), fit.curve.values, rtol=1e-12)
    # the corrected map has its onset at t = 0 everywhere: a re-fit gives a flat curve. Linear
    # interpolation onto shifted times broadens the 50-fs artefact (2.5 steps wide), which biases
    # the re-fit by up to about one step, hence 2 steps here.
    again = fit_chirp(corrected, method="model", degree=3)
    assert np.abs(again.curve.values).max() < 2 * DT
    assert np.abs(again.curve.values).mean() < DT


def test_correct_chirp_shifts_exactly() -> None:
    """A map that is a pure function of t − t0(λ) becomes λ-independent after correction."""
    t = np.arange(-2, 4, 0.01)
    wl = np.linspace(500, 700, 5)
    t0 = np.array([0.3, 0.1, 0.0, -0.05, -0.2])
    dA = np.tanh(t[:, None] - t0[None, :])
    out = correct_chirp(ta_dataset(dA, t, wl), t0)
    # linear interpolation of tanh on a 10 fs grid: error ≤ h²/8·max|f''| ≈ 1e-5
    np.testing.assert_allclose(out["dA"].values, np.tanh(out["delay"].values)[:, None]
                               * np.ones(5), atol=2e-5)
    # cropped to delays where no trace is extrapolated: t + t0 inside [−2, 4) for every t0
    assert out["delay"].values[0] >= -2 + 0.2 - 1e-9 and out["delay"].values[-1] <= 4 - 0.3
    assert out["dA"].attrs["units"] == "OD" and out["delay"].attrs["units"] == "ps"


def test_skultrafast_residual_time_zero_spread_below_100_fs() -> None:
    """Measured, uncorrected data: automatic chirp estimate + correction straightens the onset.

    Spread measured as the standard deviation across wavelengths of the half-rise onset times
    (``method="threshold"``, an estimator independent of the derivative estimator used for the
    fit) re-measured on the corrected map, over every wavelength with a detectable onset.
    """
    ds = read_ta(DATA / "skultrafast_test_sub4.npz", **SKU_OPTS)
    corrected, fit = chirp_correct(ds, degree=3)
    before = onset_times(ds, method="threshold")
    after = onset_times(corrected, method="threshold")
    n_ok = int(np.isfinite(after.values).sum())
    assert n_ok > 0.9 * ds.sizes["wavelength"]
    assert np.nanstd(before.values) > 0.5  # ~0.7 ps of chirp in the raw map
    assert np.nanstd(after.values) < 0.1
    # the chirp curve rises from blue to red by ~2.5 ps (the map's visible GVD)
    assert 2.0 < fit.curve.values[-1] - fit.curve.values[0] < 3.0


def test_time_zero_and_shift() -> None:
    ds, t0 = synthetic(n_wl=32)
    flat = correct_chirp(ds, t0)
    shifted = shift_time_zero(flat, -0.7)
    assert abs(time_zero(shifted, method="model") - 0.7) < DT
    assert shifted.attrs["time_zero_shift_ps"] == -0.7


def test_errors() -> None:
    ds, _ = synthetic(n_wl=16)
    with pytest.raises(ParameterError, match="method 'peak'"):
        onset_times(ds, method="peak")
    with pytest.raises(ParameterError, match=r"onset window 5–5.01 ps holds 0 delays"):
        fit_chirp(ds, window_ps=(5, 5.01))
    with pytest.raises(ParameterError, match="only 0 wavelengths have a detectable onset"):
        fit_chirp(ds, snr_min=1e9)
    with pytest.raises(ParameterError, match=r"t0 has shape \(3,\), expected \(16,\)"):
        correct_chirp(ds, np.zeros(3))


def test_hippius_chirp_matches_pyglotaran_irf_dispersion() -> None:
    """Cross-code check on measured data (tests/data/README.md; shared/data/ta/README.md).

    pyglotaran 0.7.5, run to convergence on this file, fits a Gaussian IRF whose centre follows
    t0(λ) = 1.2026 + 0.2850 x − 0.0807 x² + 0.01342 x³ ps, x = (λ − 550 nm)/100 nm. Our automatic
    estimate (steepest rise, cubic, no kinetic model) must follow it across 378–854 nm within
    0.07 ps: 3.5 delay steps (20 fs) or ≈ 1.1 IRF widths (σ = 62 fs) — the steepest rise of a
    step ⊗ Gaussian sits at the IRF centre, up to the pull of the ≈ 2.8-ps decay and the noise.
    """
    ds = read_ta(DATA / "demo_data_Hippius_etal_JPCC2007_111_13988_Figs5_9.ascii")
    fit = fit_chirp(ds, degree=3)
    x = (ds["wavelength"].values - 550.0) / 100.0
    ref = np.polynomial.polynomial.polyval(x, [1.2026, 0.2850, -0.0807, 0.01342])
    assert np.abs(fit.curve.values - ref).max() < 0.07


def test_default_window_finds_onset_after_long_pre_time_zero() -> None:
    """A scan starting 50 ps before time zero: the default window centres on the onset."""
    ds, t0 = synthetic()
    early = np.arange(-50.0, -3.0, 1.0)
    pad = ta_dataset(np.vstack([np.random.default_rng(1).normal(0, 2e-4, (early.size, 256)),
                                ds["dA"].values]),
                     np.concatenate([early, ds["delay"].values]), ds["wavelength"].values)
    fit = fit_chirp(pad, method="model", degree=3)
    assert np.abs(fit.curve.values - t0).max() < DT
