"""End-to-end tests of `qdgain ta info | plot | convert | chirp` (Typer CliRunner)."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
from typer.testing import CliRunner

from qdgain.cli import app
from qdgain.ta import read_ta, write_ta
from tests.ta.io.conftest import make_map

DATA = Path(__file__).resolve().parents[2] / "data"
SKU = DATA / "skultrafast_test_sub4.npz"
SKU_OPTS = ["-o", "delay_unit=ns", "-o", "delay_offset_ps=-2", "-o", "dA_unit=mOD",
            "-o", f"dA_scale={1 / 3!r}"]
runner = CliRunner()


def test_info_json(tmp_path: Path) -> None:
    ds = make_map(n_t=6, n_wl=4)
    ds["dA"].values[2, 1] = np.nan
    p = tmp_path / "m.ufs"
    write_ta(ds, p)
    r = runner.invoke(app, ["ta", "info", str(p), "--json"])
    assert r.exit_code == 0, r.output
    s = json.loads(r.stdout)
    assert s["format"] == "helios-ufs"
    assert s["dims"] == {"delay": 6, "wavelength": 4}
    assert s["dA"]["nan_count"] == 1 and s["dA"]["units"] == "OD"
    assert s["delay"]["min"] == float(ds["delay"].min()) and s["wavelength"]["units"] == "nm"
    r = runner.invoke(app, ["ta", "info", str(p)])
    assert r.exit_code == 0 and "helios-ufs" in r.output


def test_info_bad_file_one_line_error(tmp_path: Path) -> None:
    p = tmp_path / "bad.csv"
    p.write_text("0,1,2\n500,1,x\n")
    r = runner.invoke(app, ["ta", "info", str(p), "-o", "orientation=wavelength-rows"])
    assert r.exit_code == 1
    flat = " ".join(r.output.split())  # Rich wraps long lines
    assert "bad.csv @ 2: matrix row: non-numeric cell 'x' in column 3" in flat


def test_convert_and_plot(tmp_path: Path) -> None:
    out = tmp_path / "sk.nc"
    r = runner.invoke(app, ["ta", "convert", str(SKU), str(out), *SKU_OPTS, "--json"])
    assert r.exit_code == 0, r.output
    assert json.loads(r.stdout)["format"] == "npz"
    back = read_ta(out)
    ref = read_ta(SKU, delay_unit="ns", delay_offset_ps=-2, dA_unit="mOD", dA_scale=1 / 3)
    np.testing.assert_array_equal(back["dA"].values, ref["dA"].values)
    png = tmp_path / "map.png"
    r = runner.invoke(app, ["ta", "plot", str(out), "--out", str(png), "--delays", "1,10"])
    assert r.exit_code == 0, r.output
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_chirp_exports_corrected_data_and_figure(tmp_path: Path) -> None:
    out, fig = tmp_path / "corr.csv", tmp_path / "chirp.png"
    r = runner.invoke(app, ["ta", "chirp", str(SKU), *SKU_OPTS, "--out", str(out),
                            "--plot", str(fig), "--json"])
    assert r.exit_code == 0, r.output
    s = json.loads(r.stdout)
    assert 2.0 < s["t0_max_ps"] - s["t0_min_ps"] < 3.0  # the visible GVD of this map
    corrected = read_ta(out)
    assert corrected.sizes["wavelength"] == 200
    assert fig.stat().st_size > 10_000
