"""End-to-end `qdgain params list|check|fit`."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from qdgain.cli import app

runner = CliRunner()

TOML = """
[[target]]
kind = "E6_minus_E8"
value = 1.55
tolerance = 0.001
source = "Vogl et al. 1983"

[fit]
free = ["onsite.Ga.s"]
regularization = 0.0
"""


def _last_json(out: str) -> dict:
    return json.loads(out.strip().splitlines()[-1])


def test_params_list():
    res = runner.invoke(app, ["params", "list", "--json"])
    assert res.exit_code == 0, res.output
    assert "HgTe_sp3d5_soc_2nn_fit0K" in _last_json(res.stdout)["sets"]
    res = runner.invoke(app, ["params", "list", "--names", "GaAs_vogl", "--json"])
    assert _last_json(res.stdout)["parameters"]["onsite.Ga.s"] == -2.6569


def test_params_check():
    res = runner.invoke(app, ["params", "check", "HgTe", "--inverted", "--json"])
    assert res.exit_code == 0, res.output
    out = _last_json(res.stdout)
    assert out["band_order_scan"]["ok"] and 11.0 < out["Ep_eV"] < 13.0   # 12.16 eV, see docs
    res = runner.invoke(app, ["params", "check", "HgTe", "--normal", "--json"])
    assert res.exit_code == 2                  # wrong expected order is reported as a failure
    assert "not inverted" not in res.stdout and "inverted" in res.stdout


def test_params_fit_writes_new_file_and_never_overwrites(tmp_path):
    from qdgain.materials import load_parameters, save_parameters

    vogl = load_parameters("GaAs_vogl")
    start = tmp_path / "start.json"
    save_parameters(vogl.with_values({"onsite.Ga.s": -2.3}), start)
    before = start.read_bytes()
    targets = tmp_path / "t.toml"
    targets.write_text(TOML)
    out = tmp_path / "new.json"
    args = ["params", "fit", str(start), "--targets", str(targets), "--out", str(out), "--json"]
    res = runner.invoke(app, args)
    assert res.exit_code == 0, res.output
    summary = _last_json(res.stdout)
    assert abs(summary["targets"][0]["fitted"] - 1.55) < 1e-3
    assert load_parameters(out).provenance["fit"]["start_set"] == "start"
    res = runner.invoke(app, args)              # second time: out exists
    assert res.exit_code == 1 and "exists" in res.output
    res = runner.invoke(app, ["params", "fit", str(start), "--targets", str(targets), "--out",
                              str(tmp_path / "x.json"), "--free", "onsite.Ga.q"])
    assert res.exit_code == 1 and "no parameter 'onsite.Ga.q'" in res.output
    assert not (tmp_path / "x.json").exists()
    assert start.read_bytes() == before         # the start set is untouched
