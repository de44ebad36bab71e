"""End-to-end CLI: `qdgain ta fit` (model and target) and `qdgain pl fit`."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from qdgain.cli import app
from qdgain.ta.io import write_ta
from qdgain.ta.kinetics.pl import pl_model

from .conftest import gaussian_spectra, parallel_map

runner = CliRunner()
SCHEMES = Path(__file__).resolve().parents[3] / "schemes"


@pytest.fixture(scope="module")
def ta_file(tmp_path_factory):
    ds = parallel_map([2.0, 60.0], gaussian_spectra([(1150, -6e-3), (1400, 3e-3)]),
                      noise_OD=1e-4, seed=2)
    p = tmp_path_factory.mktemp("ta") / "map.nc"
    write_ta(ds, p)
    return p


def test_ta_fit_model_json_and_plots(ta_file, tmp_path):
    r = runner.invoke(app, ["ta", "fit", str(ta_file), "--model", "2exp", "--json",
                            "--out", str(tmp_path)])
    assert r.exit_code == 0, r.output
    s = json.loads(r.stdout.strip().splitlines()[-1])
    np.testing.assert_allclose(sorted(s["lifetimes_ps"]), [2.0, 60.0], rtol=0.05)
    assert s["kind"] == "sequential" and all(Path(p).exists() for p in s["plots"])


def test_ta_fit_bad_scheme_is_one_line_error(ta_file, tmp_path):
    bad = tmp_path / "bad.toml"
    bad.write_text((SCHEMES / "hippius2007.toml").read_text().replace('to = "s4"', 'to = "s9"',
                                                                      1))
    r = runner.invoke(app, ["ta", "fit", str(ta_file), "--target", str(bad)])
    assert r.exit_code == 1
    assert "unknown species 's9'" in r.output
    r = runner.invoke(app, ["ta", "fit", str(ta_file)])
    assert r.exit_code == 1 and "exactly one of" in r.output


def test_pl_fit_cli(tmp_path):
    t = np.arange(1024) * 32.0
    y = np.random.default_rng(4).poisson(pl_model(t, np.array([1000.0]), np.array([5000.0]),
                                                  3.0, irf_center=3000.0, irf_width=80.0))
    p = tmp_path / "decay.txt"
    p.write_text("# time_ps counts\n" + "\n".join(f"{a} {b}" for a, b in zip(t, y, strict=True)))
    r = runner.invoke(app, ["pl", "fit", str(p), "-n", "1", "--json"])
    assert r.exit_code == 0, r.output
    s = json.loads(r.stdout.strip().splitlines()[-1])
    assert s["lifetimes_ps"][0] == pytest.approx(1000.0, rel=0.03)
