"""Closed loop (issue 7 ↔ issue 5): simulate hgte-1220 → write .ufs + A0 → read_ta → gain analysis.

The analysis must recover the simulator's ground truth (qdgain.gain.ground_truth), computed
noise-free from the same model: threshold spectrum, its minimum and wavelength, the gain band at
⟨N⟩ = 0.3 and the gain lifetime. Tolerances follow issue 5: ⟨N⟩_th within 10 % wherever the
signal is > 3× the noise, band edges within one probe pixel.
"""

import json

import numpy as np
import pytest

from qdgain.cli.ta_simulate import write_series
from qdgain.gain import ground_truth, preset
from qdgain.gain.simulator import default_delays, default_wavelengths, simulate_ta

ga = pytest.importorskip("qdgain.ta.gain_analysis")
io = pytest.importorskip("qdgain.ta.io")

N = [0.006, 0.01, 0.02, 0.04, 0.07, 0.1, 0.15, 0.2, 0.3, 0.5, 0.8, 1.2]


@pytest.fixture(scope="module")
def loop(tmp_path_factory):
    from qdgain.ta.dataset import stack_fluence
    from qdgain.ta.io.spectrum import read_spectrum

    model = preset("hgte-1220")
    lam = default_wavelengths(512)
    ds = simulate_ta(model, N, delay_ps=default_delays(1000), wavelength_nm=lam, seed=7)
    out = tmp_path_factory.mktemp("sim")
    write_series(ds, out, "ufs")
    man = json.loads((out / "hgte-1220_series.json").read_text())
    maps = [io.read_ta(out / e["file"]) for e in man["maps"]]
    series = stack_fluence(maps, [e["fluence_uJ_cm2"] for e in man["maps"]],
                           [e["N_mean"] for e in man["maps"]])
    a0 = read_spectrum(out / man["A0"], kind="A0")
    # average the late window 2.0–3.0 ns (~20 delays of the default axis) as one would in the lab
    res = ga.analyze_gain_series(series, a0, ga.GainOptions(window_ps=1000.0))
    return res, ga.gain_summary(res), ground_truth(model, lam), lam


def test_threshold_spectrum_is_recovered(loop):
    res, _, gt, _ = loop
    truth = gt.threshold.values
    # signal > 3 × noise, and a threshold not above the largest measured <N> (no extrapolation
    # upwards: beyond 1.2 multi-exciton and charging terms leave the saturation model)
    ok = (res["snr"].values > 3) & np.isfinite(truth) & (truth <= N[-1])
    assert ok.sum() > 50  # the gain band is resolved over many pixels
    # 10 % (issue 5), or 3 reported standard errors where the noise allows less (near S/N = 3
    # the relative error of a threshold is ~1/snr, i.e. up to 33 %)
    for var in ("N_th_fit", "N_th"):
        sel = ok & np.isfinite(res[var].values)
        if var == "N_th":  # interpolation: only inside the measured <N> range
            sel &= truth > N[0]
        err = np.abs(res[var].values[sel] - truth[sel])
        allowed = np.maximum(0.10 * truth[sel], 3.0 * res[var + "_err"].values[sel])
        assert np.all(err <= allowed), var
        # and most pixels are within the plain 10 %
        assert np.mean(err <= 0.10 * truth[sel]) > 0.9, var


def test_minimum_threshold_and_wavelength(loop):
    _, summary, gt, lam = loop
    got = summary["min_threshold_fit"]
    assert got["N_th"] == pytest.approx(gt.min_threshold_N, rel=0.10)
    pixel = lam[1] - lam[0]
    # the minimum is shallow (threshold within 10 % over ~±15 nm): allow 5 pixels (11 nm)
    assert abs(got["wavelength_nm"] - gt.min_threshold_wavelength_nm) <= 5 * pixel


def test_gain_band_at_N_0p3(loop):
    _, summary, gt, lam = loop
    band = next(b for b in summary["bandwidth"] if b["N_mean"] == pytest.approx(gt.band_N))
    pixel = lam[1] - lam[0]
    assert abs(band["lower_nm"] - gt.band_nm[0]) <= pixel
    assert abs(band["upper_nm"] - gt.band_nm[1]) <= pixel


def test_gain_lifetime(loop):
    _, summary, gt, _ = loop
    tau = summary["lifetime"]["tau_ps"]
    # a 34 ns decay seen through a 2.5 ns window; the signal at the gain maximum also carries the
    # hole left behind by electron capture (state T: X1 bleach + hole intraband absorption), so
    # the apparent decay differs from the pure electron lifetime by a few %: 15 % tolerance
    assert tau == pytest.approx(gt.gain_lifetime_ps, rel=0.15)
