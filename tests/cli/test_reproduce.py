"""`qdgain reproduce`: the CLI around the stage runner, and the real quick run end to end."""

from __future__ import annotations

import json
import os
import time

import pytest
from typer.testing import CliRunner

import qdgain.cli.reproduce_stages as registry
from qdgain.cli import app
from qdgain.report import PAPER_NUMBERS
from qdgain.report.summary import NOT_COMPUTED
from tests.report.fake_run import fake_stages


@pytest.fixture
def fake_pipeline(monkeypatch):
    """Replace the physics pipeline by the fake one (this tests the command, not the physics)."""
    box = {"break": None}
    monkeypatch.setattr(registry, "build_stages",
                        lambda quick=False, tb_set=None, spectra="tb-ci", surface="no-twofold-te":
                        fake_stages(box["break"]))
    return box


def test_reproduce_json_complete_then_cached(fake_pipeline, tmp_path):
    out = tmp_path / "out"
    res = CliRunner().invoke(app, ["reproduce", "--quick", "--out", str(out), "--json"])
    assert res.exit_code == 0, res.output
    summary = json.loads(res.stdout.strip().splitlines()[-1])
    assert summary["complete"] is True and summary["not_computed"] == []
    assert {s["status"] for s in summary["stages"].values()} == {"computed"}
    assert (out / "report.html").is_file() and (out / "summary.json").is_file()
    run = json.loads((out / "run.json").read_text())
    assert run["provenance"]["versions"]["numpy"]
    assert set(run["provenance"]["stage_inputs"]) == set(summary["stages"])
    again = CliRunner().invoke(app, ["reproduce", "--quick", "--out", str(out), "--json"])
    assert {s["status"] for s in json.loads(again.stdout)["stages"].values()} == {"cached"}


def test_reproduce_incomplete_exits_1_with_reasons(fake_pipeline, tmp_path):
    fake_pipeline["break"] = "ta_gain"
    res = CliRunner().invoke(app, ["reproduce", "--out", str(tmp_path)])
    assert res.exit_code == 1
    assert "incomplete" in res.output
    html = (tmp_path / "report.html").read_text()
    assert f"{NOT_COMPUTED}: stage ta_gain failed" in html


@pytest.mark.slow
def test_reproduce_quick_end_to_end(tmp_path):
    """The real `qdgain reproduce --quick`: every stage runs, every SPEC number is computed."""
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    t0 = time.perf_counter()
    res = CliRunner().invoke(app, ["reproduce", "--quick", "--out", str(tmp_path), "--json"])
    seconds = time.perf_counter() - t0
    summary = json.loads(res.stdout.strip().splitlines()[-1])
    failed = {n: s["reason"] for n, s in summary["stages"].items()
              if s["status"] not in ("computed", "cached")}
    assert not failed, failed
    table = json.loads((tmp_path / "summary.json").read_text())
    missing = {r["key"]: r["reason"] for r in table["paper_vs_qdgain"] if r["ours"] is None}
    assert not missing, missing
    assert len(table["paper_vs_qdgain"]) == len(PAPER_NUMBERS)
    assert set(table["figures"].values()) == {"ok"}, table["figures"]
    assert res.exit_code == 0
    print(f"qdgain reproduce --quick: {seconds:.1f} s")
    t1 = time.perf_counter()
    again = CliRunner().invoke(app, ["reproduce", "--quick", "--out", str(tmp_path), "--json"])
    # a rerun with unchanged inputs only rebuilds the report from the cache (seconds, no physics)
    assert {s["status"] for s in json.loads(again.stdout)["stages"].values()} == {"cached"}
    assert time.perf_counter() - t1 < 0.5 * seconds


def test_reproduce_rejects_unknown_spectra(tmp_path):
    res = CliRunner().invoke(app, ["reproduce", "--spectra", "typed-in", "--out", str(tmp_path)])
    assert res.exit_code == 1
    assert "choose 'tb-ci' (default) or 'preset'" in res.output


def test_unknown_surface_is_refused(tmp_path):
    res = CliRunner().invoke(app, ["reproduce", "--surface", "nope", "--out", str(tmp_path)])
    assert res.exit_code == 1
    assert "surface = 'nope'" in res.output
