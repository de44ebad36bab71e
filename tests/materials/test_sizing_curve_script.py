"""scripts/sizing_curve.py: compute path on tiny dots, JSON-lines round trip, table, fit, figure."""

from __future__ import annotations

import importlib.util
import json
import math
import sys
from pathlib import Path

import pytest

from qdgain.errors import FormatError, ParameterError

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "sizing_curve.py"
SET = "HgTe_sp3d5_soc_2nn_fit300K"
DIAMETERS = (1.5, 2.0)   # 35 and 75 atoms: dense solves, < 1 s


def _load():
    spec = importlib.util.spec_from_file_location("sizing_curve_script", SCRIPT)
    mod = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = mod   # dataclasses need the module registered
    spec.loader.exec_module(mod)
    return mod


@pytest.fixture(scope="module")
def run(tmp_path_factory):
    sc = _load()
    tmp = tmp_path_factory.mktemp("sizing")
    paths = {k: tmp / n for k, n in (("rows", "rows.jsonl"), ("png", "curve.png"),
                                     ("table", "table.md"), ("doc", "doc.md"))}
    paths["doc"].write_text(f"# title\n{sc.BEGIN}\nold\n{sc.END}\ntail\n")
    rows = sc.main(["--compute", "--sets", SET, "--diameters", ",".join(map(str, DIAMETERS)),
                    "--method", "dense", "--rows", str(paths["rows"]), "--png", str(paths["png"]),
                    "--table", str(paths["table"]), "--doc", str(paths["doc"]), "--quiet"])
    return sc, rows, paths


def test_compute_path_writes_rows_table_and_figure(run):
    sc, rows, paths = run
    assert [r.d for r in rows] == list(DIAMETERS)
    # confinement: CB1 − VB1 falls with size (bulk Γ6 − Γ8 of the set is −0.16 eV, so
    # every gap must also lie above it)
    gaps = [r.gap for r in rows]
    assert all(a > b for a, b in zip(gaps, gaps[1:], strict=False)), gaps
    assert min(gaps) > -0.16
    # the JSON-lines file reads back to the same rows (the read path of the script)
    back = sc.read_rows([paths["rows"]])
    assert [(r.set, r.d, r.atoms, r.gap) for r in back] == \
        [(r.set, r.d, r.atoms, r.gap) for r in rows]
    table = paths["table"].read_text()
    for r in rows:   # one table row per diameter with its atoms, gap and hc/gap wavelength
        line = next(x for x in table.splitlines() if x.startswith(f"| {r.d:.1f} | {r.atoms} |"))
        assert f"{r.gap:.4f} / {1239.84198 / r.gap:.0f}" in line
    doc = paths["doc"].read_text()
    assert "old" not in doc and table in doc and doc.endswith(f"{sc.END}\ntail\n")
    png = paths["png"].read_bytes()
    assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 10_000


def test_fit_through_three_points_is_exact(run):
    sc, rows, _ = run
    assert sc.fits(rows) == {}   # < 3 diameters: no fit
    # a 1.3 nm sphere (the same 35 atoms as 1.5 nm after trimming, so the same gap)
    extra = sc.compute_rows([SET], [1.3], method="dense", progress=False)
    assert extra[0].atoms == rows[0].atoms and math.isclose(extra[0].gap, rows[0].gap)
    fit = sc.fits(rows + extra)[SET]
    # 3 diameters, 3 free coefficients: the fit interpolates; 1e-9 eV is round-off of
    # 1/(E − E_bulk) ≈ 0.5 eV⁻¹ solved by lstsq
    assert fit.n_points == 3 and fit.rms_eV < 1e-9
    assert math.isclose(fit.e_bulk_eV, -0.1606, abs_tol=5e-4)


def test_comparison_uses_experimental_diameters(run):
    sc, rows, _ = run
    from qdgain.materials import experimental_sizing

    exp = experimental_sizing("HgTe")
    assert sc.comparison(rows, exp) == []   # no experiment at 1.5–2.2 nm
    r35 = sc.Row(SET, 3.5, 597, 1.0385)     # the default model's 3.5 nm gap (docs)
    comp = sc.comparison([r35], exp)
    pl = next(c for c in comp if c["quantity"] == "PL peak")
    # reference paper: PL 1220 nm -> hc/λ = 1.0163 eV
    assert math.isclose(pl["diff_eV"], 1.0385 - 1239.84198 / 1220.0, abs_tol=1e-6)


def test_bad_rows_and_missing_markers(tmp_path):
    sc = _load()
    bad = tmp_path / "bad.jsonl"
    bad.write_text(json.dumps({"set": SET, "d": 2.0, "atoms": 75, "gap": 1.0}) + "\n{oops\n")
    with pytest.raises(FormatError, match=r"bad\.jsonl @ 2: not a sizing row"):
        sc.read_rows([bad])
    doc = tmp_path / "doc.md"
    doc.write_text("no markers\n")
    with pytest.raises(ParameterError, match="markers .* not found"):
        sc.replace_block(doc, "x")
    assert doc.read_text() == "no markers\n"
    with pytest.raises(ParameterError, match="no rows"):
        sc.main(["--quiet"])
