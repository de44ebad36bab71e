"""Sweep wall time and worker scaling (issue 9): `python benchmarks/bench_sweep.py [options]`.

Each run starts from an empty cache (fresh temporary output folder) and uses a LocalCluster of
single-threaded worker processes; BLAS is limited to one thread per worker with
``threadpoolctl.threadpool_limits(1)`` inside every task (``qdgain.optics.sweep.driver._task``)
and OMP_NUM_THREADS=1 in the environment. Prints one JSON line per run: wall time, dots
computed / refused, per-dot (atoms, seconds) and the sizing fit.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time

os.environ.setdefault("OMP_NUM_THREADS", "1")

from qdgain.optics.sweep import (  # noqa: E402
    SweepOptions,
    dot_grid,
    parse_diameters,
    parse_shapes,
    run_sweep,
)


def one_run(shapes: str, diameters: str, workers: int, params: str,
            max_memory_GB: float | None) -> dict:
    dots = dot_grid(parse_shapes(shapes), parse_diameters(diameters))
    opts = SweepOptions(params=params, max_memory_GB=max_memory_GB)
    with tempfile.TemporaryDirectory() as out:
        t0 = time.perf_counter()
        res = run_sweep(dots, opts, out, n_workers=workers, processes=True,
                        log=lambda m: print("  " + m, flush=True),
                        progress=lambda r: print(f"  done {r['shape']} {r['diameter_nm']:g} nm "
                                                 f"({r['n_atoms']} atoms) {r['time_s']:.1f} s "
                                                 f"at {time.perf_counter() - t0:.0f} s",
                                                 flush=True))
        wall = time.perf_counter() - t0
    t = res.table
    per_dot = [(float(d), int(t["n_atoms"].sel(shape=s, diameter=d)),
                round(float(t["time_s"].sel(shape=s, diameter=d)), 2),
                round(float(t["X1_eV"].sel(shape=s, diameter=d)), 4))
               for s in t["shape"].values for d in t["diameter"].values]
    return {"diameters": diameters, "shapes": shapes, "workers": workers, "wall_s": round(wall, 1),
            "n_dots": len(dots), "n_computed": res.n_computed, "n_refused": len(res.refused),
            "per_dot_d_atoms_s_X1": per_dot,
            "fits": {s: f.as_dict() for s, f in res.fits.items()}}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--diameters", default="2.5:6:0.318", help="12 sizes 2.5–5.998 nm by default")
    ap.add_argument("--shape", default="sphere")
    ap.add_argument("--workers", default="2", help="comma-separated worker counts, e.g. 1,2")
    ap.add_argument("--params", default="HgTe", help="set or material (HgTe: its dot set)")
    ap.add_argument("--max-memory-gb", type=float, default=None)
    a = ap.parse_args()
    print(json.dumps({"machine": platform.machine(), "nproc": os.cpu_count(),
                      "load_avg": os.getloadavg(), "python": platform.python_version()}))
    for w in (int(x) for x in a.workers.split(",")):
        print(json.dumps(one_run(a.shape, a.diameters, w, a.params, a.max_memory_gb)),
              flush=True)


if __name__ == "__main__":
    main()
