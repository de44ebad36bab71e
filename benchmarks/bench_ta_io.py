"""Benchmark: reading a 1000 delays × 1024 wavelengths TA map (.ufs, CSV) and chirp correction.

Targets (issue 4): .ufs read ≤ 1 s, CSV read ≤ 2 s, chirp correction ≤ 1 s on 2 cores.
Baselines measured in the same run: the bare parse of the same bytes without any checks
(``numpy.frombuffer`` for .ufs, ``numpy.loadtxt`` for CSV), so the ratio shows what detection,
validation and labelling cost. BLAS/OpenMP pools are limited to 1 thread with threadpoolctl.

Run: ``OMP_NUM_THREADS=1 python benchmarks/bench_ta_io.py [--append benchmarks/RESULTS.md]``
"""

from __future__ import annotations

import argparse
import os
import platform
import tempfile
import time
from pathlib import Path

import numpy as np
from scipy.special import erf
from threadpoolctl import threadpool_limits

from qdgain.ta import chirp_correct, read_ta, ta_dataset, write_ta


def synthetic_map(n_t: int = 1000, n_wl: int = 1024, seed: int = 0):
    """Chirped map with a coherent artefact and noise (as in tests/ta/test_preprocess_chirp)."""
    rng = np.random.default_rng(seed)
    t = np.concatenate([np.arange(-3, 2, 0.02), np.geomspace(2.05, 2500, n_t - 250)])
    wl = np.linspace(450, 1600, n_wl)
    t0 = np.polynomial.polynomial.polyval((wl - 1025) / 100, [0.5, 0.25, -0.03, 0.002])
    u = (t[:, None] - t0[None, :]) / 0.05
    g = np.exp(-0.5 * u**2)
    sig = (-5e-3 * np.exp(-((wl - 1300) / 150) ** 2) + 2e-3) * 0.5 * (1 + erf(u / np.sqrt(2)))
    dA = sig * np.exp(-np.clip(u * 0.05, 0, None) / 100) + 3e-3 * (1 - u**2) * g
    return ta_dataset(dA + rng.normal(0, 2e-4, dA.shape), t, wl)


def best_of(fn, repeat: int = 5) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--append", type=Path, help="append a Markdown section to this file")
    args = ap.parse_args()
    ds = synthetic_map()
    rows = []
    with threadpool_limits(limits=1), tempfile.TemporaryDirectory() as d:
        ufs, csv = Path(d) / "m.ufs", Path(d) / "m.csv"
        write_ta(ds, ufs)
        write_ta(ds, csv)
        n_t, n_wl = ds.sizes["delay"], ds.sizes["wavelength"]
        raw = ufs.read_bytes()
        off = len(raw) - 8 * n_t * n_wl

        def bare_ufs() -> None:
            np.frombuffer(Path(ufs).read_bytes(), dtype=">f8", offset=off).astype(float)

        def bare_csv() -> None:
            np.loadtxt(csv, delimiter=",")

        rows.append(("read .ufs (read_ta, auto-detect)", best_of(lambda: read_ta(ufs)),
                     "np.frombuffer of the data block", best_of(bare_ufs), 1.0))
        rows.append(("read CSV (read_ta, auto-detect)", best_of(lambda: read_ta(csv), 3),
                     "np.loadtxt of the same file", best_of(bare_csv, 3), 2.0))
        dA, t = ds["dA"].values, ds["delay"].values
        shift = np.linspace(-2.3, 1.3, n_wl)

        def bare_shift() -> None:  # the interpolation alone, no estimate, no labels
            for j in range(n_wl):
                np.interp(t + shift[j], t, dA[:, j])

        t_shift = best_of(bare_shift, 3)
        rows.append(("chirp: fit (derivative) + correct", best_of(lambda: chirp_correct(ds), 3),
                     "np.interp shift of every trace", t_shift, 1.0))
        rows.append(("chirp: fit (model) + correct",
                     best_of(lambda: chirp_correct(ds, method="model"), 3),
                     "np.interp shift of every trace", t_shift, 1.0))
    head = (f"machine: {platform.node()}, {platform.processor() or platform.machine()}, "
            f"nproc={os.cpu_count()}, Python {platform.python_version()}, NumPy "
            f"{np.__version__}; BLAS/OpenMP limited to 1 thread (threadpoolctl."
            f"threadpool_limits(1), OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS')}); "
            f"map {n_t} delays × {n_wl} wavelengths; best of 3–5 runs")
    lines = ["", "## TA IO and chirp (benchmarks/bench_ta_io.py)", "", head, "",
             "| task | qdgain (s) | target (s) | baseline | baseline (s) | qdgain / baseline |",
             "|---|---|---|---|---|---|"]
    for name, t, bname, bt, target in rows:
        ratio = f"{t / bt:.2f}" if np.isfinite(bt) else "—"
        btxt = f"{bt:.3f}" if np.isfinite(bt) else "—"
        lines.append(f"| {name} | {t:.3f} | ≤ {target:g} | {bname} | {btxt} | {ratio} |")
    text = "\n".join(lines) + "\n"
    print(text)
    if args.append:
        with open(args.append, "a", encoding="utf-8") as fh:
            fh.write(text)


if __name__ == "__main__":
    main()
