"""Full analysis (units, material gain, early vs late) and `qdgain ta gain` end to end."""

from __future__ import annotations

import json

import numpy as np
import pytest
import xarray as xr
from scipy.optimize import brentq
from typer.testing import CliRunner

from qdgain.cli import app
from qdgain.ta.dataset import ta_dataset
from qdgain.ta.gain_analysis import GainOptions, analyze_gain_series, gain_summary
from qdgain.ta.io import write_spectrum, write_ta

from . import synth

WL = np.linspace(1000.0, 1620.0, 128)
N = np.geomspace(0.006, 0.3, 6)


def test_full_analysis_units_material_gain_and_summary():
    ds = synth.series(N, WL, noise_od=1e-4, seed=0)
    res = analyze_gain_series(ds, options=GainOptions(delay_ps=2250.0, window_ps=500.0,
                                                      a400_od=1.0, film_volume_fraction=0.2))
    for name in list(res.data_vars) + list(res.coords):
        assert "units" in res[name].attrs, name
    assert res["g_i"].attrs["units"] == "cm^-1"
    # g_i = -ln10 A/(f L) with f = ln10 A400/(μ L): g_i = -μ_i A / A400 = -4.84e5 A (A400 = 1)
    np.testing.assert_allclose(res["g_i"].values, -4.84e5 * res["A"].values, rtol=1e-12)
    np.testing.assert_allclose(res["g_film"].values, 0.2 * res["g_i"].values, rtol=1e-12)
    s = gain_summary(res)
    json.dumps(s)  # JSON-serialisable
    m = s["min_threshold_fit"]
    truth = synth.true_threshold(np.array([m["wavelength_nm"]]), res.attrs["delays_used_ps"])
    assert m["N_th"] == pytest.approx(float(truth[0]), rel=0.1)
    assert m["snr"] > 3
    assert s["lifetime"]["tau_ps"] == pytest.approx(synth.TAU_PS, rel=0.5)


def test_early_multi_exciton_gain_vs_late_single_exciton_gain():
    n = np.geomspace(0.05, 2.0, 8)
    ds = synth.series(n, WL, noise_od=1e-4, seed=4, multi_exciton=True)
    res = analyze_gain_series(ds, options=GainOptions(delay_ps=2250.0, window_ps=500.0,
                                                      early_delay_ps=10.0))
    px = res.sel(wavelength=1300.0, method="nearest")
    lam = float(px["wavelength"])
    # late (2.25 ns): no gain at the X1 band up to ⟨N⟩ = 2; early (10 ps): multi-exciton gain
    assert int(px["status"]) == 1
    assert int(px["status_early"]) == 0
    # exact early threshold of the model at 10 ps: A0 - x (A0 + G) e^{-10/τ} - p2 M e^{-10/93} = 0
    a0, g, m = synth.a0_model(lam), synth.g_model(lam), synth.mx_model(lam)

    def a_early(nn):
        return (a0 - (1 - np.exp(-nn)) * (a0 + g) * np.exp(-10 / synth.TAU_PS)
                - (1 - np.exp(-nn) * (1 + nn)) * m * np.exp(-10 / synth.TAU_MX_PS))

    truth = brentq(a_early, 0.01, 2.0)
    assert truth > 1.0  # like the paper's Fig. 4b: multi-exciton thresholds above ⟨N⟩ = 1
    # interpolation between fluences 1.7× apart on a convex-then-concave A(N): 10 %
    assert float(px["N_th_early"]) == pytest.approx(truth, rel=0.10)


def test_material_gain_needs_a400():
    res = analyze_gain_series(synth.series(N, WL), options=GainOptions(delay_ps=2500.0))
    assert "g_i" not in res
    assert "--a400" in gain_summary(res)["material_gain"]


@pytest.fixture
def files(tmp_path):
    """One matrix-CSV file per fluence (written by qdgain.ta.io) and an A0 file."""
    ds = synth.series(N, WL, noise_od=1e-4, seed=1, with_a0=False)
    paths = []
    for i in range(N.size):
        one = ta_dataset(ds["dA"].values[i], ds["delay"].values, WL)
        p = tmp_path / f"f{i}.csv"
        write_ta(one, p)
        paths.append(str(p))
    wl_a0 = np.arange(380.0, 1700.0, 1.0)  # a UV-vis spectrum covering 400 nm
    a0 = xr.DataArray(synth.a0_model(wl_a0) + 0.5 * (wl_a0 < 600), dims="wavelength",
                      coords={"wavelength": wl_a0}, name="A0", attrs={"units": "OD"})
    write_spectrum(a0, tmp_path / "A0.txt")
    return tmp_path, paths


def test_cli_end_to_end_json(files):
    tmp, paths = files
    out = tmp / "out"
    nlist = ",".join(f"{v:.6g}" for v in N)
    r = CliRunner().invoke(app, ["ta", "gain", *paths, "--a0", str(tmp / "A0.txt"), "--N", nlist,
                                 "--delay", "2250", "--window", "500", "--out", str(out),
                                 "--json"])
    assert r.exit_code == 0, r.output
    lines = r.stdout.strip().splitlines()
    assert len(lines) == 1  # one JSON object on stdout, strict JSON (no NaN/Infinity)
    s = json.loads(lines[0], parse_constant=lambda c: pytest.fail(f"non-JSON constant {c}"))
    assert s["N_max"] == pytest.approx(N.max())
    assert s["material_gain"]["A400_od"] == pytest.approx(0.5 + synth.a0_model(400.0))
    assert set(s["telecom_coverage_any_fluence"]) == {"O", "E", "S", "C", "L"}
    assert len(s["bandwidth"]) == N.size
    for key in ("netcdf", "fig3", "fig6", "figS4"):
        assert (out / s["outputs"][key].split("/")[-1]).is_file()
    back = xr.open_dataset(out / "gain_analysis.nc", engine="h5netcdf")
    assert back["N_th"].attrs["units"] == "1"
    back.close()


def test_cli_fluence_calibration_and_errors(files):
    tmp, paths = files
    # fluences in µJ/cm² → ⟨N⟩ via σ_pump (d = 3.5 nm, A_pump = 0.05, A400 = 0.5)
    r = CliRunner().invoke(app, ["ta", "gain", *paths[:4], "--a0", str(tmp / "A0.txt"),
                                 "--fluence", "1,2,4,8", "--diameter", "3.5", "--a-pump", "0.05",
                                 "--a400", "0.5", "--diameter-err", "0.1", "--out",
                                 str(tmp / "o2"), "--json"])
    assert r.exit_code == 0, r.output
    s = json.loads(r.stdout.strip().splitlines()[-1])
    # ⟨N⟩ = J σ (1 - e^{-αL})/(αL): σ = 2.2449e-20 × 4.84e5 × 0.05/0.5 = 1.0865e-15 cm²,
    # J(1 µJ/cm², 700 nm) = 3.5239e12, αL = 0.115129: (1 - 0.891251)/0.115129 = 0.94458
    # → ⟨N⟩ = 3.5239e12 × 1.0865e-15 × 0.94458 = 3.6166e-3
    assert s["N_mean"][0] == pytest.approx(3.6166e-3, rel=1e-4)
    # δN/N = 3 δd/d = 3 × 0.1/3.5 = 0.085714 (linear); Monte Carlo (seed 0) within 3 %
    err = s["N_calibration_relative_error"]
    assert err["linear"] == pytest.approx(0.085714, rel=1e-4)
    assert err["monte_carlo"] == pytest.approx(0.085714, rel=0.03)
    r = CliRunner().invoke(app, ["ta", "gain", *paths[:2], "--fluence", "1,2",
                                 "--out", str(tmp / "o3")])
    assert r.exit_code == 1
    assert "--fluence needs --diameter" in r.output
    r = CliRunner().invoke(app, ["ta", "gain", *paths[:3], "--a0", str(tmp / "A0.txt"),
                                 "--N", "0.1,0.1,0.2", "--out", str(tmp / "o4")])
    assert r.exit_code == 1 and "duplicated ⟨N⟩" in r.output
    r = CliRunner().invoke(app, ["ta", "gain", *paths[:3], "--N", "0.1,0.2,0.3",
                                 "--out", str(tmp / "o5")])
    assert r.exit_code == 1 and "missing A0" in r.output
