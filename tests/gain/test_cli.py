"""End-to-end CLI: `qdgain ta simulate` (files the ta layer reads), `qdgain gain threshold`."""

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from qdgain.cli import app

runner = CliRunner()


@pytest.mark.parametrize("fmt", ["netcdf", "ufs", "csv"])
def test_ta_simulate_writes_readable_files(tmp_path, fmt):
    io = pytest.importorskip("qdgain.ta.io")
    res = runner.invoke(app, ["ta", "simulate", "--preset", "hgte-1220", "--N", "0.01,0.3",
                              "--format", fmt, "--out", str(tmp_path), "--n-delays", "40",
                              "--n-wavelengths", "64", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["shape"] == [2, 40, 64]
    assert 0.002 < out["ground_truth"]["min_threshold_N"] < 0.01
    maps = [f for f in out["files"] if f.endswith((".nc", ".ufs", ".csv"))]
    assert len(maps) == (1 if fmt == "netcdf" else 2)
    ds = io.read_ta(maps[-1])
    assert ds["dA"].sizes["delay"] == 40 and ds["dA"].sizes["wavelength"] == 64
    assert np.all(np.isfinite(ds["dA"].values))


def test_ta_simulate_bad_N_is_one_line_error(tmp_path):
    res = runner.invoke(app, ["ta", "simulate", "--N", "0.1,-0.2", "--out", str(tmp_path)])
    assert res.exit_code == 1
    assert ">= 0" in res.output


def test_gain_threshold_json():
    res = runner.invoke(app, ["gain", "threshold", "--model", "2level", "--method", "mean",
                              "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout)
    assert out["threshold_N"] == pytest.approx(4 / 3)
    assert out["wavelength_nm"] is None
    res = runner.invoke(app, ["gain", "threshold", "--model", "3level", "--json"])
    out = json.loads(res.stdout)
    assert out["threshold_N"] < 0.01 and out["current_density_A_cm2"] > 0


def test_gain_threshold_unknown_model():
    res = runner.invoke(app, ["gain", "threshold", "--model", "4level"])
    assert res.exit_code == 1 and "unknown" in res.output


def test_ta_simulate_noiseless_with_chirp_netcdf(tmp_path):
    io = pytest.importorskip("qdgain.ta.io")
    res = runner.invoke(app, ["ta", "simulate", "--N", "0.3", "--format", "netcdf", "--out",
                              str(tmp_path), "--n-delays", "30", "--n-wavelengths", "32",
                              "--chirp", "0.5,-0.2", "--noiseless", "--json"])
    assert res.exit_code == 0, res.output
    ds = io.read_ta(json.loads(res.stdout)["files"][0])
    early = ds["dA"].sel(delay=slice(None, -3.0)).values
    assert np.abs(early).max() < 1e-12  # no noise, no scatter, nothing before the pump
