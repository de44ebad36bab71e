"""End-to-end `qdgain bulk`."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from qdgain.cli import app


def test_bulk_json_and_plot(tmp_path):
    png = tmp_path / "bands.png"
    res = CliRunner().invoke(app, ["bulk", "HgTe", "--plot", str(png), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert abs(out["gamma_eV"]["E6_minus_E8"] + 0.319) < 0.005   # same check as test_bulk
    assert abs(out["edges_rel_Gamma8_eV"]["Gamma_occupied_top"]) < 1e-9
    assert png.stat().st_size > 10_000 and png.read_bytes()[:4] == b"\x89PNG"


def test_bulk_table_and_error():
    runner = CliRunner()
    res = runner.invoke(app, ["bulk", "GaAs_vogl"])
    assert res.exit_code == 0 and "Gamma6_100" in res.output
    res = runner.invoke(app, ["bulk", "Unobtainium"])
    assert res.exit_code == 1
    assert "unknown parameter set 'Unobtainium'" in res.output
