"""TCSPC reconvolution: simulate Poisson counts from known lifetimes (SPEC §4: 0.7-1.1 ns PL
component), fit by maximum likelihood, recover lifetimes and mean lifetimes."""

from __future__ import annotations

import numpy as np
import pytest

from qdgain.errors import FormatError, ParameterError
from qdgain.ta.kinetics.irf import gaussian_irf
from qdgain.ta.kinetics.pl import fit_pl_decay, pl_model, read_tcspc

T = np.arange(2048) * 16.0  # 16 ps channels, 32.8 ns window (ps)
TAU = np.array([900.0, 6000.0])
AMP = np.array([3000.0, 600.0])


def _counts(seed=0, irf=None):
    kw = {"irf": irf} if irf is not None else {"irf_center": 2000.0, "irf_width": 60.0}
    mu = pl_model(T, TAU, AMP, 5.0, **kw)
    return np.random.default_rng(seed).poisson(mu).astype(float)


def test_gaussian_irf_reconvolution_recovers_lifetimes():
    y = _counts()
    res = fit_pl_decay(T, y, [500.0, 3000.0])
    for tau, err, true in zip(res.lifetimes_ps, res.lifetime_errors_ps, TAU, strict=True):
        # maximum likelihood is unbiased here to << 1 sigma; 3 sigma and 3 % both required
        assert abs(tau - true) < 3 * err
        assert tau == pytest.approx(true, rel=0.03)
    # Poisson data at the true model: Pearson chi^2 per dof ~ 1 (+-0.1 for 2048 channels)
    assert res.reduced_chi_square == pytest.approx(1.0, abs=0.1)
    amp_mean = np.sum(AMP * TAU) / AMP.sum()
    int_mean = np.sum(AMP * TAU**2) / np.sum(AMP * TAU)
    assert res.mean_lifetime_amplitude_ps == pytest.approx(amp_mean, rel=0.03)
    assert res.mean_lifetime_intensity_ps == pytest.approx(int_mean, rel=0.03)


def test_measured_irf_reconvolution():
    irf = np.random.default_rng(9).poisson(1e4 * gaussian_irf(T, 2000.0, 60.0) * 16.0)
    y = _counts(seed=1, irf=irf.astype(float))
    res = fit_pl_decay(T, y, [500.0, 3000.0], irf=irf.astype(float))
    np.testing.assert_allclose(res.lifetimes_ps, TAU, rtol=0.03)
    assert abs(res.irf_shift_ps) < 16.0  # within one channel


def test_bad_tcspc_input(tmp_path):
    p = tmp_path / "d.txt"
    p.write_text("# t counts\n" + "\n".join(f"{i * 16} {i}" for i in range(20)) + "\n5 abc\n")
    with pytest.raises(FormatError, match=r"d.txt @ 22: line is not numeric"):
        read_tcspc(p)
    with pytest.raises(ParameterError, match="shorter than the channel width"):
        fit_pl_decay(T, _counts(), [5.0, 3000.0])
    with pytest.raises(ParameterError, match="uniform"):
        fit_pl_decay(T**1.01, _counts(), [500.0, 3000.0])
