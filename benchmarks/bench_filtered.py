"""Factorisation-free band-edge solver (issue 13) against its baselines, in one run.

    python benchmarks/bench_filtered.py --sizes 3.5,6 [--baseline] [--shift-invert]

For each sphere (default HgTe dot model): ``band_edge_states(method="chebyshev")`` for 24 VB +
8 CB states (time, mat-vecs, peak RSS, certificate) and, with ``--baseline``, the plain SciPy
Chebyshev-filtered Lanczos of ../shared/notes/eigensolvers.md (Jackson δ filter of degree 100
at mid-gap on CSR, ARPACK for the 48 largest values of p(H), Rayleigh–Ritz on H with the Kramers
partners), with ``--shift-invert`` the shift-invert solver. BLAS is pinned to one thread
(threadpoolctl; ``--blas-threads`` for the chebyshev run); the numba kernel uses
NUMBA_NUM_THREADS (default: all cores). Energies of the
methods are compared state by state.
"""

from __future__ import annotations

import argparse
import resource
import time

import numpy as np
from scipy.sparse.linalg import LinearOperator, eigsh
from threadpoolctl import threadpool_limits

from qdgain.electronic import band_edge_states, build_dot, time_reversed
from qdgain.electronic.filters import apply_filter, delta_filter, spectral_bounds
from qdgain.structure import Sphere


def plain_lanczos(H, mid: float, k: int = 48, degree: int = 100):
    """The notes' baseline: ARPACK on p(H) (δ filter at mid-gap, CSR), Ritz on H, (E, n_matvec)."""
    count = [0]

    def mv(x):
        count[0] += 1 if x.ndim == 1 else x.shape[1]
        return H.matrix @ x

    bounds = spectral_bounds(mv, H.n_basis, 40)
    c = delta_filter(mid, bounds, degree)
    op = LinearOperator(H.matrix.shape, matvec=lambda v: apply_filter(mv, v, c, bounds),
                        dtype=complex)
    _, v = eigsh(op, k=k, which="LA", tol=1e-10, ncv=2 * k + 1)
    y = np.hstack([v, time_reversed(v, H.n_orbitals)])
    q, _ = np.linalg.qr(y)
    hq = mv(q)
    e, _ = np.linalg.eigh(q.conj().T @ hq)
    return e, count[0]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--sizes", default="3.5,6")
    ap.add_argument("--baseline", action="store_true")
    ap.add_argument("--shift-invert", action="store_true")
    ap.add_argument("--blas-threads", type=int, default=1,
                    help="BLAS threads of the chebyshev run (Krylov bookkeeping); baselines: 1")
    a = ap.parse_args()
    for d in map(float, a.sizes.split(",")):
        nc, H = build_dot("HgTe", Sphere(d))
        print(f"## {d} nm: {nc.n_atoms} atoms, {H.n_basis} rows", flush=True)
        with threadpool_limits(a.blas_threads):
            t = time.perf_counter()
            st = band_edge_states(H, 24, 8, method="chebyshev")
            tc = time.perf_counter() - t
        rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
        print(f"chebyshev: {tc:.1f} s, {st.info['n_matvec']} mat-vecs, {st.n_vb} VB + {st.n_cb} "
              f"CB, gap {st.gap_eV:.6f} eV, max residual {st.residuals_eV.max():.1e} eV, peak "
              f"RSS so far {rss:.2f} GB, count {st.info['certificate'].get('count_method')}",
              flush=True)
        for run in st.info["runs"]:
            print("   ", {k: (round(v, 4) if isinstance(v, float) else v) for k, v in run.items()})
        if a.shift_invert:
            with threadpool_limits(1):
                t = time.perf_counter()
                si = band_edge_states(H, 24, 8, method="shift-invert")
                ts = time.perf_counter() - t
            same = np.abs(si.energies_eV - st.energies_eV).max() if len(si.energies_eV) == len(
                st.energies_eV) else float("nan")
            print(f"shift-invert: {ts:.1f} s; ratio {ts / tc:.2f}×; max |ΔE| {same:.1e} eV",
                  flush=True)
        if a.baseline:
            with threadpool_limits(1):
                t = time.perf_counter()
                mid = 0.5 * (st.homo_eV + st.lumo_eV)
                e, nmv = plain_lanczos(H, mid)
                tb = time.perf_counter() - t
            print(f"plain Chebyshev–Lanczos (CSR, ARPACK, k=48, degree 100): {tb:.1f} s, {nmv} "
                  f"mat-vecs; ratio {tb / tc:.2f}×; states near mid-gap {np.sum(e < mid)} below,"
                  f" {np.sum(e > mid)} above", flush=True)


if __name__ == "__main__":
    main()
