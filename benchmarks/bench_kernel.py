"""One Chebyshev step of the fused filter kernel: generic numba loop vs generated SIMD tiles.

    OMP_NUM_THREADS=1 NUMBA_NUM_THREADS=1 python benchmarks/bench_kernel.py [--sizes 3.5,6]
        [--m 1,4,8] [--degree 40]

For each sphere (default HgTe dot model) and block size m, times ``ChebyshevFilter.apply`` with
``degree`` steps, once with the generic kernel (``use_generated=False``, :func:`_step_py`) and
once with the generated one (:mod:`qdgain.electronic.chebkernel_gen`), best of ``--repeat``
runs, and prints ms per single-vector product (time / (m · degree)) plus the relative difference
of the two results. Kernels are compiled (or loaded from numba's cache) before timing.
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from qdgain.electronic import build_dot
from qdgain.electronic.blockop import block_operator
from qdgain.electronic.chebkernel import ChebyshevFilter
from qdgain.structure import Sphere


def best_time(fn, repeat: int) -> float:
    """Smallest wall time of ``repeat`` calls, s."""
    best = np.inf
    for _ in range(repeat):
        t = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t)
    return best


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--sizes", default="3.5,6", help="sphere diameters, nm")
    ap.add_argument("--m", default="1,4,8", help="block sizes (vectors per product)")
    ap.add_argument("--degree", type=int, default=40)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    print(f"{'d/nm':>5} {'atoms':>6} {'m':>3} {'old ms/vec':>11} {'new ms/vec':>11} "
          f"{'speedup':>8} {'rel.diff':>9}")
    for d in map(float, args.sizes.split(",")):
        H = build_dot("HgTe", Sphere(diameter_nm=d))[1]
        op = block_operator(H.matrix, H.n_orbitals)
        r = float(np.abs(H.matrix).sum(axis=1).max())
        rng = np.random.default_rng(0)
        coeffs = rng.standard_normal(args.degree + 1) / np.arange(1, args.degree + 2)
        for m in map(int, args.m.split(",")):
            x = rng.standard_normal((H.n_basis, m)) + 1j * rng.standard_normal((H.n_basis, m))
            old, new = ChebyshevFilter(op, (-r, r)), ChebyshevFilter(op, (-r, r))
            old.use_generated = False
            y_old = old.apply(x, coeffs[:3])           # compile / load both kernels
            y_new = new.apply(x, coeffs[:3])
            t_old = best_time(lambda: old.apply(x, coeffs), args.repeat)  # noqa: B023
            t_new = best_time(lambda: new.apply(x, coeffs), args.repeat)  # noqa: B023
            y_old, y_new = old.apply(x, coeffs), new.apply(x, coeffs)
            rel = np.abs(y_new - y_old).max() / np.abs(y_old).max()
            per = 1e3 / (m * args.degree)
            print(f"{d:5.1f} {op.n_atoms:6d} {m:3d} {t_old * per:11.3f} {t_new * per:11.3f} "
                  f"{t_old / t_new:8.2f} {rel:9.1e}", flush=True)


if __name__ == "__main__":
    main()
