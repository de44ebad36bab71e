"""A sweep killed (SIGKILL) mid-run restarts, skips the finished dots and ends identical."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import numpy as np
import xarray as xr

from qdgain.optics.sweep import dot_grid, load_record, parse_diameters, run_sweep
from tests.optics.sweep.conftest import DIAMETERS, GAAS

# the child runs the real CLI; each dot is delayed by 1 s (test instrumentation only) so the
# kill lands mid-sweep on a fast or a slow box
_CHILD = textwrap.dedent("""
    import sys, time
    import qdgain.optics.sweep.driver as drv
    real = drv._task
    def slow(*a, **k):
        time.sleep(1.0)
        return real(*a, **k)
    drv._task = slow
    from qdgain.cli import app
    app(sys.argv[1:])
""")


def test_kill_and_resume(gaas_sweep, tmp_path):
    out = tmp_path / "killed"
    cmd = [sys.executable, "-c", _CHILD, "sweep", "--params", "GaAs_vogl", "--eps-in", "10.9",
           "--shape", "sphere", "--diameters", DIAMETERS, "--workers", "1", "--threads",
           "--surface", "hybrid20", "--out", str(out), "--json"]  # GAAS's surface model
    env = dict(os.environ, OMP_NUM_THREADS="1")
    proc = subprocess.Popen(cmd, env=env, start_new_session=True, stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and proc.poll() is None:
            if len(list((out / "cache").glob("*.json"))) >= 3:
                break
            time.sleep(0.02)
        assert proc.poll() is None, "sweep finished before it could be killed"
        os.killpg(proc.pid, signal.SIGKILL)
    finally:
        proc.wait(timeout=30)
    assert not (out / "sweep.nc").exists()          # no table from an unfinished sweep
    done = sorted((out / "cache").glob("*.json"))
    assert 3 <= len(done) < 12
    assert all(load_record(out / "cache", p.stem) is not None for p in done)
    res = run_sweep(dot_grid(["sphere"], parse_diameters(DIAMETERS)), GAAS, out, n_workers=2,
                    processes=False)
    assert res.n_cached == len(done) and res.n_computed == 12 - len(done)
    ref = gaas_sweep[0].table
    for v in ("X1_eV", "X2_eV", "gap_eV", "f_X1", "f_X2", "tau_rad_ns", "n_atoms"):
        # deterministic dense solver + CI: same numbers to round-off
        np.testing.assert_allclose(res.table[v], ref[v], rtol=1e-10, err_msg=v)
    disk = xr.open_dataset(out / "sweep.nc", engine="h5netcdf").load()
    np.testing.assert_allclose(disk["X1_eV"], ref["X1_eV"], rtol=1e-10)
