"""End-to-end `qdgain sweep` and `qdgain ensemble` (CliRunner), including bad input."""

from __future__ import annotations

import json

import numpy as np
import xarray as xr
from typer.testing import CliRunner

from qdgain.cli import app

runner = CliRunner()
_GAAS = ["--params", "GaAs_vogl", "--eps-in", "10.9", "--threads", "--workers", "1",
         "--surface", "hybrid20"]


def _last_json(r):
    return json.loads(r.stdout.strip().splitlines()[-1])


def test_sweep_cli_json_files_and_ensemble(tmp_path):
    out = tmp_path / "sw"
    r = runner.invoke(app, ["sweep", "--shape", "sphere,tetrahedron", "--diameters",
                            "1.0,1.2,1.4,1.6", "--out", str(out), "--json", *_GAAS])
    assert r.exit_code == 0, r.output
    s = _last_json(r)
    assert s["n_dots"] == 8 and s["n_computed"] == 8
    assert s["params"].startswith("GaAs_vogl") and s["surface"] == "hybrid20"
    sph = [d for d in s["dots"] if d["shape"] == "sphere"]
    assert [d["n_atoms"] for d in sph] == [29, 35, 59, 87]
    assert all(d["X2_eV"] > d["X1_eV"] > 0 and d["tau_rad_ns"] > 0 for d in sph)
    assert s["sizing_fit"]["sphere"]["form"] == "E = E_bulk + 1/(a d^2 + b d + c)"
    assert (out / "sweep.nc").exists() and (out / "sizing.png").stat().st_size > 1000
    # rerun: everything from the cache, table unchanged
    r2 = runner.invoke(app, ["sweep", "--shape", "sphere,tetrahedron", "--diameters",
                             "1.0,1.2,1.4,1.6", "--out", str(out), "--json", *_GAAS])
    assert r2.exit_code == 0 and _last_json(r2)["n_cached"] == 8
    ens = tmp_path / "ens.nc"
    r3 = runner.invoke(app, ["ensemble", "--table", str(out / "sweep.nc"), "--mean", "1.3",
                             "--std", "0.05", "--shapes", "sphere:0.8,tetrahedron:0.2",
                             "--out", str(ens), "--json"])
    assert r3.exit_code == 0, r3.output
    e = _last_json(r3)
    assert e["X1_std_eV"] > e["broadening_eV"]
    ds = xr.open_dataset(ens, engine="h5netcdf")
    assert ds["sigma"].attrs["units"] == "cm^2" and np.all(ds["sigma"] >= 0)


def test_sweep_cli_bad_input(tmp_path):
    r = runner.invoke(app, ["sweep", "--diameters", "2.5:8", "--out", str(tmp_path)])
    assert r.exit_code == 1 and "START:STOP:STEP" in r.output
    r = runner.invoke(app, ["sweep", "--surface", "ligands", "--out", str(tmp_path)])
    assert r.exit_code == 1 and "no-twofold-te" in r.output
    r = runner.invoke(app, ["sweep", "--shape", "cube", "--out", str(tmp_path)])
    assert r.exit_code == 1 and "unknown shape" in r.output
    r = runner.invoke(app, ["sweep", "--diameters", "1.0", "--max-memory-gb", "1e-9",
                            "--out", str(tmp_path), *_GAAS])
    assert r.exit_code == 1 and "refused" in r.output and "estimated peak memory" in r.output
    r = runner.invoke(app, ["ensemble", "--table", str(tmp_path / "none.nc")])
    assert r.exit_code == 1 and "run `qdgain sweep` first" in r.output
    r = runner.invoke(app, ["ensemble", "--table", str(tmp_path / "none.nc"), "--shapes", "x"])
    assert r.exit_code == 1 and "NAME:WEIGHT" in r.output
