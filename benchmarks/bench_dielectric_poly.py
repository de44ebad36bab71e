"""ε_in(d) by the polynomial response (qdgain.optics.dielectric_poly) against dense diagonalisation.

Run (repository root; BLAS pinned to one thread, numba threads from NUMBA_NUM_THREADS):

    OMP_NUM_THREADS=1 NUMBA_NUM_THREADS=1 python benchmarks/bench_dielectric_poly.py \\
        --poly 3.5,4.5,5,6 --dense 3.5 [--probing 3.0] [--json out.json]

``--poly``: per dot atoms, spin-block rows, spin-free gap, degree N, rank R, symmetry operations,
probes, electron count, χ₀ asymmetry and column-sum error, ε_in, GMRES iterations, wall time and
peak RSS. ``--dense``: the dense path on the same dots (same SCF and fit). ``--probing``: why the
library does not colour-probe: on a dot small enough to diagonalise, the decay of the density
matrix (Frobenius norm of its atom blocks vs distance) and the error of the colour-probed
diagonal of the exact first-order density matrix δP = D_f(H)[U] (field U = z, and the SCF U),
for separations of same-coloured atoms of 1.0–2.0 nm.
"""

from __future__ import annotations

import argparse
import json
import resource
import time

import numpy as np
from scipy.spatial import cKDTree
from threadpoolctl import threadpool_limits

from qdgain.electronic import build_dot
from qdgain.optics.dielectric import dense_spectrum, dielectric_constant
from qdgain.optics.dielectric_poly import dielectric_constant_poly, response_poly
from qdgain.structure import Sphere


def _rss_gb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1e6


def run_poly(d: float) -> dict:
    t0 = time.perf_counter()
    _, H = build_dot("HgTe", Sphere(diameter_nm=d), soc=False)
    r = response_poly(H)
    e = dielectric_constant_poly(H, response=r)
    chi = r.chi0
    return {"diameter_nm": d, "atoms": H.n_atoms, "rows": H.n_basis // 2,
            "gap_eV": r.lumo_eV - r.homo_eV, "degree": r.degree, "rank": r.rank,
            "operations": r.n_operations, "probes": r.n_probes,
            "electrons_minus_nvalence": float(r.density.sum() - H.n_valence),
            "asymmetry": r.asymmetry,
            "colsum_rel": float(np.abs(chi.sum(0)).max() / np.abs(np.diag(chi)).max()),
            "eps_in": e.eps_in, "iterations": e.iterations, "response_s": r.time_s,
            "total_s": time.perf_counter() - t0, "peak_rss_GB": _rss_gb()}


def run_dense(d: float) -> dict:
    t0 = time.perf_counter()
    _, H = build_dot("HgTe", Sphere(diameter_nm=d), soc=False)
    e = dielectric_constant(H, method="dense")
    return {"diameter_nm": d, "eps_in": e.eps_in, "iterations": e.iterations,
            "total_s": time.perf_counter() - t0, "peak_rss_GB": _rss_gb()}


def _colours(pos: np.ndarray, sep: float) -> np.ndarray:
    """Greedy colouring, same-coloured atoms ≥ sep apart (lattice order)."""
    nbrs = cKDTree(pos).query_ball_point(pos, r=sep * (1 - 1e-9))
    col = np.full(len(pos), -1)
    for i in np.lexsort(np.round(pos / 1e-3).T):
        used = set(col[nbrs[i]].tolist())
        col[i] = next(c for c in range(len(pos)) if c not in used)
    return col


def run_probing(d: float) -> dict:
    _, H = build_dot("HgTe", Sphere(diameter_nm=d), soc=False)
    w, C, atom, g, n_occ = dense_spectrum(H)
    pos = H.positions_nm - H.positions_nm.mean(0)
    n_at, norb = len(pos), H.n_orbitals
    P = C[:, :n_occ] @ C[:, :n_occ].T
    blk = np.sqrt((P.reshape(n_at, norb, n_at, norb) ** 2).sum(axis=(1, 3)))
    dist = np.linalg.norm(pos[:, None] - pos[None], axis=-1)
    decay = [(lo, float(blk[(dist >= lo) & (dist < lo + 0.25)].max()))
             for lo in np.arange(0.0, d, 0.25) if ((dist >= lo) & (dist < lo + 0.25)).any()]
    F = np.zeros((len(w), len(w)))
    F[:n_occ, n_occ:] = 1.0 / (w[:n_occ, None] - w[None, n_occ:])
    F[n_occ:, :n_occ] = F[:n_occ, n_occ:].T
    scf = dielectric_constant(H, spectrum=(w, C, atom, g, n_occ), method="dense")
    out = {"diameter_nm": d, "dm_block_max_vs_r": decay, "probing": []}
    for name, U in (("field", pos[:, 2]), ("scf", scf.potential_eV)):
        dP = C @ (F * (C.T @ (U[atom][:, None] * C))) @ C.T
        exact = g * np.bincount(atom, np.diag(dP), minlength=n_at)
        for sep in (1.0, 1.2, 1.5, 2.0):
            col = _colours(pos, sep)
            est = np.zeros(n_at)
            for c in range(col.max() + 1):
                rows = (np.flatnonzero(col == c)[:, None] * norb + np.arange(norb)).T
                for r in rows:                       # one probe per colour and orbital
                    z = np.zeros(len(w))
                    z[r] = 1.0
                    est[r // norb] += g * (dP @ z)[r]
            out["probing"].append({"U": name, "separation_nm": sep,
                                   "colours": int(col.max() + 1),
                                   "max_rel_error": float(np.abs(est - exact).max()
                                                          / np.abs(exact).max())})
    return out


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--poly", default="3.5")
    ap.add_argument("--dense", default="")
    ap.add_argument("--probing", type=float, default=None)
    ap.add_argument("--json", default=None)
    a = ap.parse_args()
    res: dict = {"poly": [], "dense": []}
    with threadpool_limits(1):
        for d in [float(x) for x in a.dense.split(",") if x.strip()]:
            res["dense"].append(run_dense(d))
            print(json.dumps(res["dense"][-1]), flush=True)
        for d in [float(x) for x in a.poly.split(",") if x.strip()]:
            res["poly"].append(run_poly(d))
            print(json.dumps(res["poly"][-1]), flush=True)
        if a.probing:
            res["probing"] = run_probing(a.probing)
            print(json.dumps(res["probing"]), flush=True)
    if a.json:
        with open(a.json, "w") as fh:
            json.dump(res, fh, indent=1)


if __name__ == "__main__":
    main()
