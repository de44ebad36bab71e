"""Stage-runner cache semantics on cheap toy stages (no physics: the runner is generic)."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import numpy as np
import pytest
import xarray as xr

from qdgain.errors import ParameterError
from qdgain.report.cache import COMPLETE_MARKER, ResultDir, content_hash
from qdgain.report.stages import Stage, StageUnavailable, run_stages

CALLS: list[str] = []


def _source(ctx):
    CALLS.append(ctx.name)
    x = np.arange(ctx.params["n"], dtype=float)
    ctx.save_dataset("data", xr.Dataset({"x": ("i", x, {"units": "1"})}))
    ctx.record(total=float(x.sum()))


def _square(ctx):
    CALLS.append(ctx.name)
    x = ctx.upstream("source").dataset("data")["x"].values
    ctx.save_json("squares", {"sum_sq": float((x**2).sum()) * ctx.params["scale"]})
    ctx.record(sum_sq=float((x**2).sum()) * ctx.params["scale"])


def _independent(ctx):
    CALLS.append(ctx.name)
    ctx.record(value=ctx.params["v"])


def _pipeline(n=4, scale=1.0, v=1):
    return [
        Stage("source", _source, {"n": n}),
        Stage("square", _square, {"scale": scale}, needs=("source",)),
        Stage("independent", _independent, {"v": v}),
    ]


def test_first_run_computes_and_rerun_is_cached(tmp_path):
    CALLS.clear()
    rec = run_stages(_pipeline(), tmp_path)
    assert [r.status for r in rec.values()] == ["computed"] * 3
    assert CALLS == ["source", "square", "independent"]
    # 0²+1²+2²+3² = 14: the downstream stage really read the upstream NetCDF
    assert ResultDir(rec["square"].path).json("squares")["sum_sq"] == 14.0
    CALLS.clear()
    rec2 = run_stages(_pipeline(), tmp_path)
    assert CALLS == []
    assert [r.status for r in rec2.values()] == ["cached"] * 3
    assert {n: r.key for n, r in rec2.items()} == {n: r.key for n, r in rec.items()}
    # the recorded compute time survives in the cache (the report shows it for cached stages)
    assert rec2["source"].seconds == pytest.approx(rec["source"].seconds)


def test_changed_parameter_recomputes_only_dependants(tmp_path):
    run_stages(_pipeline(), tmp_path)
    CALLS.clear()
    rec = run_stages(_pipeline(n=5), tmp_path)
    assert CALLS == ["source", "square"]
    assert rec["independent"].status == "cached"
    assert ResultDir(rec["square"].path).json("squares")["sum_sq"] == 30.0  # 14 + 4²
    CALLS.clear()
    rec = run_stages(_pipeline(n=5, scale=2.0), tmp_path)
    assert CALLS == ["square"]
    assert rec["source"].status == "cached"


def test_failed_stage_reports_reason_and_skips_dependants(tmp_path):
    def broken(ctx):
        raise StageUnavailable("qdgain.toy has no make_source yet (issue 99)")

    stages = [Stage("source", broken, {"n": 1}), *_pipeline()[1:]]
    rec = run_stages(stages, tmp_path)
    assert rec["source"].status == "failed"
    assert "issue 99" in rec["source"].reason
    assert rec["square"].status == "skipped"
    assert "needs source; root cause: source failed" in rec["square"].reason
    assert "issue 99" in rec["square"].reason
    assert rec["independent"].status == "computed"
    assert not list((tmp_path / "cache").glob("source-*"))
    assert not list((tmp_path / "cache").glob(".tmp-*"))


def test_keyboard_interrupt_leaves_nothing_trusted(tmp_path):
    def interrupted(ctx):
        ctx.save_json("partial", {"half": True})
        raise KeyboardInterrupt

    stages = [Stage("source", interrupted, {"n": 3})]
    with pytest.raises(KeyboardInterrupt):
        run_stages(stages, tmp_path)
    assert list((tmp_path / "cache").iterdir()) == []


KILL_SCRIPT = textwrap.dedent("""
    import os, signal, sys
    import numpy as np, xarray as xr
    from qdgain.report.stages import Stage, run_stages

    def src(ctx):
        ctx.save_dataset("data", xr.Dataset({"x": ("i", np.arange(3.0))}))
        if sys.argv[2] == "kill":
            os.kill(os.getpid(), signal.SIGKILL)   # like `kill -9` in the middle of a stage
        ctx.record(done=True)

    rec = run_stages([Stage("source", src, {"n": 3})], sys.argv[1])
    print(rec["source"].status)
""")


def test_killed_stage_leaves_no_trusted_output(tmp_path):
    script = tmp_path / "toy.py"
    script.write_text(KILL_SCRIPT)
    out = tmp_path / "out"
    killed = subprocess.run([sys.executable, str(script), str(out), "kill"], capture_output=True)
    assert killed.returncode != 0
    cache = out / "cache"
    # the half-written stage exists only as a temporary directory, without the manifest
    assert not list(cache.glob("source-*"))
    leftovers = list(cache.glob(".tmp-*"))
    assert leftovers and not (leftovers[0] / COMPLETE_MARKER).exists()
    rerun = subprocess.run([sys.executable, str(script), str(out), "run"], capture_output=True,
                           text=True, check=True)
    assert rerun.stdout.strip() == "computed"  # not "cached": nothing was trusted
    assert not list(cache.glob(".tmp-*"))  # and the leftover was swept
    done = list(cache.glob("source-*"))
    assert len(done) == 1
    assert json.loads((done[0] / "summary.json").read_text()) == {"done": True}


def test_key_depends_on_every_input():
    base = content_hash("s", {"a": 1}, {"u": "k1"}, "c1")
    assert content_hash("s", {"a": 1}, {"u": "k1"}, "c1") == base
    assert content_hash("s", {"a": 2}, {"u": "k1"}, "c1") != base
    assert content_hash("s", {"a": 1}, {"u": "k2"}, "c1") != base
    assert content_hash("s", {"a": 1}, {"u": "k1"}, "c2") != base
    assert content_hash("t", {"a": 1}, {"u": "k1"}, "c1") != base
    # tuples and lists hash alike (params come from TOML/JSON as lists)
    assert content_hash("s", {"a": (1, 2)}, {}, "") == content_hash("s", {"a": [1, 2]}, {}, "")


def test_bad_pipelines_are_refused(tmp_path):
    with pytest.raises(ParameterError, match="unknown stage 'nope'"):
        run_stages([Stage("a", _independent, {"v": 1}, needs=("nope",))], tmp_path)
    with pytest.raises(ParameterError, match="two stages are named 'a'"):
        run_stages([Stage("a", _independent, {"v": 1}), Stage("a", _independent, {"v": 2})],
                   tmp_path)
    with pytest.raises(ParameterError, match="stage cycle"):
        run_stages([Stage("a", _independent, {"v": 1}, needs=("b",)),
                    Stage("b", _independent, {"v": 1}, needs=("a",))], tmp_path)
    with pytest.raises(ParameterError, match="cannot be hashed"):
        run_stages([Stage("a", _independent, {"v": object()})], tmp_path)


def test_reading_an_undeclared_stage_is_an_error(tmp_path):
    def sneaky(ctx):
        ctx.upstream("source")

    rec = run_stages([Stage("source", _source, {"n": 2}), Stage("sneaky", sneaky, {})], tmp_path)
    assert rec["sneaky"].status == "failed"
    assert "does not list it in needs" in rec["sneaky"].reason


def test_result_dir_refuses_incomplete(tmp_path):
    with pytest.raises(ParameterError, match="not a complete stage result"):
        ResultDir(tmp_path)
    Path(tmp_path / COMPLETE_MARKER).write_text("{}")
    with pytest.raises(ParameterError, match="no dataset 'x'"):
        ResultDir(tmp_path).dataset("x")
