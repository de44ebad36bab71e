"""Intraband lines of a charged dot in a deep basis (issue 3): the dense deep solve, and the
carrier's dipole matrix by site-diagonal GEMMs (``qdgain.excitons.site_matrix``) against the
transition-density route it replaced (an (n_atoms, n, n) array contracted with the positions).

    OMP_NUM_THREADS=1 python benchmarks/bench_intraband.py --diameters 2.2,3.5

BLAS is pinned to one thread with threadpoolctl (``--threads`` to change).
"""

from __future__ import annotations

import argparse
import time

import numpy as np
from threadpoolctl import threadpool_limits

from qdgain.electronic import band_edge_states, build_dot
from qdgain.excitons import coulomb_kernel, site_matrix, solve_carrier, transition_densities
from qdgain.optics import intraband_limit_eV, intraband_transitions
from qdgain.structure import Sphere

DEEP = {2.2: (400, 64), 3.5: (440, 80)}  # valence, conduction spinors (as the reproduce stage)


def run(d: float) -> None:
    n_vb, n_cb = DEEP.get(d, (440, 80))
    nc, H = build_dot("HgTe", Sphere(diameter_nm=d))
    t = time.perf_counter()
    states = band_edge_states(H, n_vb=n_vb, n_cb=n_cb, method="dense")
    t_dense = time.perf_counter() - t
    k = coulomb_kernel(states.positions_nm, 6.8, 2.25)
    t = time.perf_counter()
    c = solve_carrier(states, 1, 6.8, 2.25, kernel=k)
    tr = intraband_transitions(c, states)
    t_lines = time.perf_counter() - t
    idx = c.states
    pos = np.asarray(states.positions_nm)
    t = time.perf_counter()
    new = site_matrix(states, idx, idx, pos)
    t_new = time.perf_counter() - t
    t = time.perf_counter()
    old = np.einsum("Rab,Rx->abx", transition_densities(states, idx, idx), pos)
    t_old = time.perf_counter() - t
    err = float(np.abs(new - old).max())
    print(f"{d} nm: {nc.n_atoms} atoms, {H.matrix.shape[0]} rows; dense {len(states.energies_eV)} "
          f"states {t_dense:.1f} s; hole carrier ({len(idx)} states) + {tr.energies_eV.size} "
          f"lines {t_lines:.2f} s, complete to {intraband_limit_eV(c, 300, 0.035):.3f} eV; "
          f"dipoles: site_matrix {t_new:.3f} s vs transition densities {t_old:.3f} s "
          f"({t_old / t_new:.1f}x), max diff {err:.1e} nm")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--diameters", default="2.2,3.5")
    ap.add_argument("--threads", type=int, default=1)
    a = ap.parse_args()
    with threadpool_limits(a.threads):
        for d in a.diameters.split(","):
            run(float(d))


if __name__ == "__main__":
    main()
