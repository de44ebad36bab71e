"""End-to-end tests of `qdgain optics` and `qdgain dielectric` on a 1.5 nm dot (35 atoms)."""

from __future__ import annotations

import json

import pytest
import xarray as xr
from typer.testing import CliRunner

from qdgain.cli import app

runner = CliRunner()


def test_optics_cli_json_and_files(tmp_path):
    out, png = tmp_path / "o.nc", tmp_path / "o.png"
    r = runner.invoke(app, ["optics", "--diameter", "1.5", "--eps-in", "6.8", "--n-h", "16",
                            "--charge", "1", "--out", str(out), "--plot", str(png), "--json"])
    assert r.exit_code == 0, r.output
    s = json.loads(r.stdout.strip().splitlines()[-1])
    assert s["X1_degeneracy"] == 8 and s["X2_degeneracy"] == 8
    assert s["X2_eV"] > s["X1_eV"] > 0
    assert s["tau_rad_ns"] > 0
    ds = xr.open_dataset(out, engine="h5netcdf")
    assert ds["sigma_charged"].attrs["units"] == "cm^2"
    assert ds["photon_energy"].attrs["units"] == "eV"
    assert png.stat().st_size > 1000
    # default: the hole's intraband lines from every valence state (35 atoms), complete past X1;
    # --intraband-states 0: only the 16 CI hole states, complete to a fraction of an eV
    assert s["intraband_complete_to_eV"] > s["X1_eV"]
    r = runner.invoke(app, ["optics", "--diameter", "1.5", "--eps-in", "6.8", "--n-h", "16",
                            "--charge", "1", "--intraband-states", "0", "--out", str(out),
                            "--json"])
    s0 = json.loads(r.stdout.strip().splitlines()[-1])
    assert s0["intraband_states"] == 16 < s["intraband_states"]
    assert s0["intraband_complete_to_eV"] < s["X1_eV"]
    # the Chebyshev route (any size) agrees with the dense deep basis on the sub-gap integral
    r = runner.invoke(app, ["optics", "--diameter", "1.5", "--eps-in", "6.8", "--n-h", "16",
                            "--charge", "1", "--intraband-method", "chebyshev", "--out",
                            str(out), "--json"])
    assert r.exit_code == 0, r.output
    sk = json.loads(r.stdout.strip().splitlines()[-1])
    assert sk["intraband_method"] == "chebyshev" and s["intraband_method"] == "dense"
    assert sk["intraband_subgap_integral_cm2_eV"] == pytest.approx(
        s["intraband_subgap_integral_cm2_eV"], rel=0.1)
    r = runner.invoke(app, ["optics", "--diameter", "1.5", "--charge", "1",
                            "--intraband-method", "kpm"])
    assert r.exit_code == 1 and "intraband_method" in r.output


def test_optics_cli_bad_charge():
    r = runner.invoke(app, ["optics", "--diameter", "1.5", "--charge", "2"])
    assert r.exit_code == 1
    assert "must be -1, 0 or 1" in r.output


def test_dielectric_cli_json():
    r = runner.invoke(app, ["dielectric", "--diameters", "1.5", "--json"])
    assert r.exit_code == 0, r.output
    s = json.loads(r.stdout.strip().splitlines()[-1])
    assert 1.0 < s["dielectric"][0]["eps_in"] < 20.0
    r = runner.invoke(app, ["dielectric", "--diameters", "abc"])
    assert r.exit_code == 1 and "give numbers" in r.output
