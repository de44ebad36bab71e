"""Benchmark: SLEPc backend (Krylov–Schur + MUMPS, 1 and 2 MPI ranks) vs our shift-invert.

Per size, in the same process and run, 24 VB + 8 CB states of an HgTe sphere (default model,
:func:`qdgain.electronic.build_dot`):

* ``band_edge_states(H, 24, 8, method="shift-invert")`` (multifrontal LDLᴴ + Kramers block
  Krylov);
* ``slepc_backend.solve(H, 24, 8, n_procs=p, inertia="ldl")`` for p = 1, 2 (σ = the same first
  guess; the inertia count by our LDLᴴ in this process);
* the MUMPS inertia alone (``inertia="mumps"``: LDLᵀ of the real 2n embedding) for p = 1, 2.

Run:  OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 python benchmarks/bench_slepc.py 3.5 4.5
BLAS is pinned to one thread per process (``threadpool_limits(1)`` here, the environment for
the workers). Prints a Markdown block for benchmarks/RESULTS.md.
"""

from __future__ import annotations

import os
import resource
import sys
import tempfile
import time

import numpy as np
from threadpoolctl import threadpool_limits

from qdgain.electronic import band_edge_states, build_dot
from qdgain.electronic import slepc_backend as sb
from qdgain.structure import Sphere

N_VB, N_CB = 24, 8


def edges(e: np.ndarray, split: float) -> tuple[np.ndarray, np.ndarray]:
    return np.sort(e[e < split])[::-1][:N_VB], np.sort(e[e > split])[:N_CB]


def child_rss_GB() -> float:
    return resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1e6


def one_size(d: float) -> list[str]:
    nc, H = build_dot("HgTe", Sphere(diameter_nm=d))
    out = [f"### {d} nm: {len(nc.positions_nm)} atoms, {H.n_basis:,} spin-orbitals, "
           f"nnz {H.matrix.nnz:,}", "",
           "| solver | wall s | inertia s | factor s | solves | Krylov s | factor MB (total) "
           "| max abs dE vs shift-invert (eV) | max residual (eV) |",
           "|---|---|---|---|---|---|---|---|---|"]
    t = time.perf_counter()
    ref = band_edge_states(H, N_VB, N_CB, method="shift-invert")
    t_ref = time.perf_counter() - t
    fac = ref.info.get("factorisations", [{}])
    out.append(f"| shift-invert (ours) | {t_ref:.1f} | (in factor) | "
               f"{sum(f.get('time_s', 0) for f in fac):.1f} | {ref.info.get('n_solves')} | | "
               f"fill {fac[-1].get('fill', float('nan')):.1f}× nnz | 0 | "
               f"{ref.residuals_eV.max():.1e} |")
    rv, rc = edges(ref.energies_eV, 0.5 * (ref.homo_eV + ref.lumo_eV))
    for p in (1, 2):
        t = time.perf_counter()
        r = sb.solve(H, N_VB, N_CB, n_procs=p, inertia="ldl")
        wall = time.perf_counter() - t
        w = r.info["worker"]
        v, c = edges(r.energies_eV, r.sigma_in_gap_eV)
        de = max(np.abs(v - rv).max(), np.abs(c - rc).max())
        krylov = sum(run["time_s"] for run in w["runs"])
        res = max(r.residuals_eV[np.isin(r.energies_eV, np.concatenate([v, c]))])
        out.append(f"| SLEPc KS + MUMPS LU, {p} rank{'s' if p > 1 else ''} | {wall:.1f} | "
                   f"{r.info['inertia_s']:.1f} | {w['factor_s']:.1f} | {w['n_solves']} | "
                   f"{krylov:.1f} | {w['mumps']['total_MB']} | {de:.1e} | {res:.1e} |")
    with tempfile.TemporaryDirectory() as tmp:
        for p in (1, 2):
            info: dict = {}
            below = sb._count_below(H, r.info["sigma_eV"], "mumps", p, None, tmp, info)
            m = info["inertia_mumps"]
            out.append(f"| MUMPS LDLᵀ inertia (real 2n embedding), {p} rank{'s' if p > 1 else ''}"
                       f" | {info['inertia_s']:.1f} | | {m['factor_s']:.1f} | | | "
                       f"{m['mumps']['total_MB']} | count {below} (n_valence {H.n_valence}) | |")
    out.append("")
    return out


def main() -> None:
    sizes = [float(a) for a in sys.argv[1:]] or [3.5]
    for var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
        os.environ.setdefault(var, "1")
    ok1, why1 = sb.slepc_available(1)
    ok2, why2 = sb.slepc_available(2, "mumps")
    if not (ok1 and ok2):
        sys.exit(f"SLEPc backend not available: {why1} / {why2}")
    lines = [f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}, {os.cpu_count()} cores, "
             f"load average at start {os.getloadavg()[0]:.1f}; {why2}", ""]
    with threadpool_limits(1):
        for d in sizes:
            lines += one_size(d)
            lines.append(f"load average after {d} nm: {os.getloadavg()[0]:.1f}; largest worker "
                         f"RSS so far {child_rss_GB():.2f} GB")
            lines.append("")
    print("\n".join(lines))


if __name__ == "__main__":
    main()
