"""Benchmark: 32 band-edge states (24 VB + 8 CB) of HgTe spheres, sp3d5 + SOC (issue 13).

Per size, in the same process and run:
* mat-vec: SciPy CSR ``H @ x`` (1 vector), CSR ``H @ X`` (32 vectors) and the block operator
  (numba, ``NUMBA_NUM_THREADS`` threads) on 32 vectors; each against its memory-bandwidth floor
  (bytes it must stream / copy bandwidth measured with ``np.copyto`` in the same run);
* solve: ``band_edge_states(method="chebyshev")`` against the baseline
  - 3.5 nm: SciPy shift-invert with symmetric SuperLU (``method="shift-invert"``);
  - ≥ 6 nm: a plain SciPy Chebyshev-filtered Lanczos: ARPACK ``eigsh`` on p(H) (the same
    Jackson δ filter, degree 100, CSR mat-vec) for the 32 + 12 states nearest the gap centre,
    then Rayleigh–Ritz on H.

Run:  OMP_NUM_THREADS=1 NUMBA_NUM_THREADS=2 python benchmarks/bench_bigdots.py 3.5 6
      (``--matvec-only``: the mat-vec table alone, e.g. for 10 nm)
BLAS is pinned to one thread with ``threadpoolctl.threadpool_limits(1)`` around every timing.
Prints a Markdown block to append to benchmarks/RESULTS.md.
"""

from __future__ import annotations

import os
import platform
import resource
import sys
import time

import numpy as np
from scipy.sparse.linalg import LinearOperator, eigsh
from threadpoolctl import threadpool_limits

from qdgain.electronic import band_edge_states, hamiltonian
from qdgain.electronic.blockop import block_operator
from qdgain.electronic.chebyshev import apply_filter, delta_filter, spectral_bounds
from qdgain.structure import Sphere, nanocrystal

N_VB, N_CB = 24, 8
MATVEC_ONLY = "--matvec-only" in sys.argv


def bandwidth_GBs() -> float:
    a = np.ones(25_000_000)
    b = np.empty_like(a)
    best = 0.0
    for _ in range(3):
        t = time.perf_counter()
        np.copyto(b, a)
        best = max(best, 2 * a.nbytes / (time.perf_counter() - t))
    return best / 1e9


def timeit(f, repeat=3) -> float:
    best = np.inf
    for _ in range(repeat):
        t = time.perf_counter()
        f()
        best = min(best, time.perf_counter() - t)
    return best


def matvec_rows(H, bw: float) -> list[str]:
    A = H.matrix
    n = A.shape[0]
    op = block_operator(A, H.n_orbitals)
    rng = np.random.default_rng(0)
    x = rng.standard_normal(n) + 1j * rng.standard_normal(n)
    X = rng.standard_normal((n, 32)) + 1j * rng.standard_normal((n, 32))
    op.matmat(X)  # compile
    t1 = timeit(lambda: A @ x, 5)
    t32 = timeit(lambda: A @ X) / 32
    tb = timeit(lambda: op.matmat(X)) / 32
    csr_bytes = A.nnz * 20 + n * 4 + 2 * 16 * n
    floor_csr = csr_bytes / (bw * 1e9)
    floor_blk = op.stream_bytes(32) / 32 / (bw * 1e9)
    return [
        f"| CSR, 1 vector | {t1 * 1e3:.2f} | {floor_csr * 1e3:.2f} | {t1 / floor_csr:.2f} |",
        f"| CSR, 32 vectors | {t32 * 1e3:.2f} | {floor_csr * 1e3:.2f} | {t32 / floor_csr:.2f} |",
        f"| block ({'numba' if op.use_numba else 'numpy'}), 32 vectors | {tb * 1e3:.2f} | "
        f"{floor_blk * 1e3:.3f} (block data); {floor_csr * 1e3:.2f} (CSR data) | "
        f"{tb / floor_blk:.1f} (block); {tb / floor_csr:.2f} (CSR) |",
        f"| speed-up block vs CSR 1 vector | {t1 / tb:.2f}× | | |",
    ]


def plain_chebyshev_lanczos(H, sigma: float) -> tuple[np.ndarray, float, int]:
    """Baseline: eigsh on p(H) with CSR, 44 states nearest σ, Ritz on H; (energies, s, matvecs)."""
    A = H.matrix
    n = A.shape[0]
    count = [0]

    def mv(v):
        count[0] += 1 if v.ndim == 1 else v.shape[1]
        return A @ v

    t = time.perf_counter()
    b = spectral_bounds(mv, n, 40)
    c = delta_filter(sigma, b, 100)
    op = LinearOperator((n, n), matvec=lambda v: apply_filter(mv, v, c, b), dtype=complex)
    _, v = eigsh(op, k=N_VB + N_CB + 12, which="LA", tol=1e-8, ncv=2 * (N_VB + N_CB + 12) + 1)
    q, _ = np.linalg.qr(v)
    e = np.linalg.eigvalsh(q.conj().T @ (A @ q))
    return e, time.perf_counter() - t, count[0]


def run(d: float, bw: float) -> list[str]:
    nc = nanocrystal("HgTe", Sphere(diameter_nm=d))
    H = hamiltonian(nc)
    out = [f"\n### {d} nm: {nc.n_atoms} atoms, {H.n_basis:,} spin-orbitals, nnz {H.matrix.nnz:,}",
           "", "| mat-vec | ms per vector | bandwidth floor (ms) | ratio to floor |",
           "|---|---|---|---|"]
    out += matvec_rows(H, bw)
    if MATVEC_ONLY:
        return out
    from qdgain.electronic import chebyshev as cheb

    t = time.perf_counter()
    r = cheb.solve(H, N_VB + 6, N_CB + 6)
    tc = time.perf_counter() - t
    t = time.perf_counter()
    s = band_edge_states(H, N_VB, N_CB, method="chebyshev")
    tc_states = time.perf_counter() - t
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6
    cert = r.certificate
    kpm = (f", KPM count below σ {cert['kpm_count_below']:.0f} ± {cert['kpm_count_stderr']:.0f}"
           f" (n_valence {H.n_valence})" if "kpm_count_below" in cert else "")
    out += ["", f"ours (`chebyshev.solve`): {tc:.1f} s, {r.n_matvec:,} mat-vecs "
            f"({tc / r.n_matvec * 1e3:.2f} ms per mat-vec all included), max residual "
            f"{r.residuals_eV.max():.1e} eV, gap {cert['count_method']}{kpm}"
            f"; `band_edge_states(method='chebyshev')` {tc_states:.1f} s → {s.n_vb} VB + "
            f"{s.n_cb} CB states, gap {s.gap_eV:.4f} eV; peak RSS so far {rss:.2f} GB"]
    if d <= 4.0:
        t = time.perf_counter()
        ref = band_edge_states(H, N_VB, N_CB, method="shift-invert")
        tb = time.perf_counter() - t
        k = min(ref.n_states, s.n_states)
        diff = np.abs(ref.energies_eV[:k] - s.energies_eV[:k]).max()
        out.append(f"baseline SciPy shift-invert (symmetric SuperLU): {tb:.1f} s; ratio "
                   f"{tb / tc_states:.2f}× (band_edge_states vs band_edge_states); max |ΔE| "
                   f"{diff:.1e} eV; same VB/CB counts: {ref.n_vb == s.n_vb and ref.n_cb == s.n_cb}")
    else:
        e, tb, nmv = plain_chebyshev_lanczos(H, s.info["sigma_eV"])
        near = np.array([e[np.argmin(np.abs(e - x))] for x in s.energies_eV])
        out.append(f"baseline plain SciPy Chebyshev-filtered Lanczos (CSR, degree 100, k = 44 "
                   f"nearest the gap centre): {tb:.1f} s, {nmv:,} mat-vecs; ratio "
                   f"{tb / tc_states:.2f}×; max |ΔE| over our states "
                   f"{np.abs(near - s.energies_eV).max():.1e} eV")
    return out


def main() -> None:
    sizes = [float(a) for a in sys.argv[1:] if not a.startswith("--")] or [3.5, 6.0]
    with threadpool_limits(1):
        bw = bandwidth_GBs()
        stamp = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
        lines = [f"\n## Band edges at scale (issue 13): {stamp}",
                 "", f"Machine: {platform.machine()}, nproc = {os.cpu_count()}, "
                 f"load average {os.getloadavg()[0]:.1f}; BLAS 1 thread "
                 "(threadpoolctl.threadpool_limits(1)); numba threads "
                 f"{os.environ.get('NUMBA_NUM_THREADS', 'default')}; copy bandwidth {bw:.1f} GB/s "
                 "(np.copyto, same run). 32 states = 24 VB + 8 CB."]
        for d in sizes:
            lines += run(d, bw)
            print("\n".join(lines), flush=True)
            lines = []


if __name__ == "__main__":
    main()
