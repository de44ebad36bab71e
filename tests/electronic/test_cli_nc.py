"""End-to-end `qdgain nc` (one dot, and --sweep)."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from qdgain.cli import app
from qdgain.electronic import load_states


def test_nc_json_writes_states_and_dos(tmp_path):
    res = CliRunner().invoke(app, ["nc", "--diameter", "1.8", "--states", "8", "--out",
                                   str(tmp_path), "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout.strip().splitlines()[-1])
    # default dot model: 300 K fitted set, two-fold Te removed (87 → 75 atoms), projection
    assert out["n_atoms"] == 75 and out["gap_eV"] > 0
    assert out["parameter_set"] == "HgTe_sp3d5_soc_2nn_fit300K"
    assert out["surface"] == "no-twofold-te"
    levels = out["levels"]
    assert {lv["band"] for lv in levels} == {"VB", "CB"}
    assert all(lv["degeneracy"] % 2 == 0 for lv in levels)   # Kramers
    st = load_states(out["states_file"])
    assert st.gap_eV == out["gap_eV"]
    assert open(out["dos_plot"], "rb").read(4) == b"\x89PNG"


def test_nc_old_model_on_request(tmp_path):
    res = CliRunner().invoke(app, ["nc", "--diameter", "1.8", "--states", "4", "--out",
                                   str(tmp_path), "--params", "HgTe_sp3d5_soc_2nn",
                                   "--surface", "hybrid20", "--json"])
    assert res.exit_code == 0, res.output
    out = json.loads(res.stdout.strip().splitlines()[-1])
    assert (out["n_atoms"], out["parameter_set"], out["surface"]) == (
        87, "HgTe_sp3d5_soc_2nn", "hybrid20")


def test_nc_sweep_table_and_errors():
    runner = CliRunner()
    res = runner.invoke(app, ["nc", "--sweep", "1.5:1.5:0.5"])
    assert res.exit_code == 0, res.output
    assert "wavelength" in res.output and "35" in res.output
    res = runner.invoke(app, ["nc", "--sweep", "1.5-2"])
    assert res.exit_code == 1 and "START:STOP:STEP" in res.output
    res = runner.invoke(app, ["nc", "--diameter", "-1"])
    assert res.exit_code == 1 and "must be" in res.output
    res = runner.invoke(app, ["nc", "--material", "Unobtainium", "--diameter", "2"])
    assert res.exit_code == 1 and "Unobtainium" in res.output
    res = runner.invoke(app, ["nc", "--diameter", "1.5", "--surface", "ligands"])
    assert res.exit_code == 1 and "no-twofold-te" in res.output and "ligands" in res.output
    res = runner.invoke(app, ["nc", "--shape", "cone"])
    assert res.exit_code == 1 and "unknown shape" in res.output
