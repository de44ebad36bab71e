"""Bulk tight-binding fit benchmark (issue 11: one fit, ~10 free parameters, ~20 targets, <= 60 s).

Case: the public HgTe sp3d5 + SOC set fitted to the 0 K targets of
``materials/data/targets/HgTe_0K.toml`` (gap, Δ, Ep, five 8-band masses) plus 12 zone-boundary
band energies (bands −2..+1 around the gap at X, L and K, from the start set, tolerance 0.1 eV):
20 targets, the file's 12 free parameters, regularisation 2.0. The guard scan (16^3 + 78 k) is
included in the time.

Baseline, same process and same optimiser: a "naive" target evaluation that calls the public
one-quantity functions (``gamma_levels``, ``effective_mass``, ``bulk_bands``) once per target, as a
user script would; qdgain's ``evaluate_targets`` builds all k-points into one batched Hamiltonian
and one diagonalisation per evaluation.

Run::

    OMP_NUM_THREADS=1 python benchmarks/bench_fit.py [--append benchmarks/RESULTS.md]

BLAS is pinned to one thread with ``threadpoolctl.threadpool_limits(1)`` around each fit.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

import qdgain.materials.fit as fitmod
from qdgain.materials import effective_mass, gamma_levels, load_parameters
from qdgain.materials.bulk import bulk_bands, bulk_eigh
from qdgain.materials.fit import fit_parameters, load_fit_spec
from qdgain.materials.parameters import _data_dir
from qdgain.materials.targets import Target, evaluate_targets

ROOT = Path(__file__).resolve().parents[1]


def naive_evaluate(params, targets):
    """One public-function call per target (baseline)."""
    from qdgain.constants import HBAR2_2M_EV_NM2

    out = []
    g = gamma_levels(params)
    unit = 2 * np.pi / params.lattice_constant_nm
    for t in targets:
        if t.kind == "E6_minus_E8":
            out.append(gamma_levels(params).e6_minus_e8)
        elif t.kind == "Delta_so":
            out.append(gamma_levels(params).delta_so)
        elif t.kind == "mass":
            idx = {"Gamma8_lower": g.i_gamma8, "Gamma8_upper": g.i_gamma8 + 2,
                   "Gamma6": g.i_gamma6, "Gamma7": g.i_gamma7}[t.band]
            out.append(effective_mass(params, idx, t.direction))
        elif t.kind == "band_energy":
            k = unit * (np.array(t.k) if not isinstance(t.k, str) else
                        np.array({"X": (1, 0, 0), "L": (0.5, 0.5, 0.5),
                                  "K": (0.75, 0.75, 0)}[t.k]))
            e = bulk_bands(params, k)[0]
            out.append(e[params.n_electrons - 1 + t.band] - g.e_gamma8)
        else:
            e, v = bulk_eigh(params, np.zeros(3))
            from qdgain.materials.bulk import bulk_hamiltonian
            d = 1e-4
            dh = (bulk_hamiltonian(params, np.array([d, 0, 0]))
                  - bulk_hamiltonian(params, np.array([-d, 0, 0]))) / (2 * d)
            idx = [*range(g.i_gamma8, g.i_gamma8 + 4), *range(g.i_gamma7, g.i_gamma7 + 2)]
            m = v[:, g.i_gamma6:g.i_gamma6 + 2].conj().T @ dh @ v[:, idx]
            out.append(float(np.sum(np.abs(m) ** 2) / 2 / HBAR2_2M_EV_NM2))
    return np.array(out)


def case():
    start = load_parameters("HgTe_sp3d5_soc_2nn")
    spec = load_fit_spec(_data_dir() / "targets" / "HgTe_0K.toml")
    kb = [(k, b) for k in ("X", "L", "K") for b in (-2, 0, 1, 2)]
    proto = [Target("band_energy", 0.0, band=b, k=k) for k, b in kb]
    vals = evaluate_targets(start, proto)
    extra = [Target("band_energy", float(v), band=b, k=k, tolerance=0.1, source="start set")
             for v, (k, b) in zip(vals, kb, strict=True)]
    targets = spec.targets[:8] + tuple(extra)
    return start, targets, spec


def run(evaluator, label):
    start, targets, spec = case()
    orig = fitmod.evaluate_targets
    fitmod.evaluate_targets = evaluator
    try:
        with threadpool_limits(1):
            t0 = time.perf_counter()
            res = fit_parameters(start, targets, spec.free, bounds=spec.bounds,
                                 regularization=spec.regularization)
            dt = time.perf_counter() - t0
    finally:
        fitmod.evaluate_targets = orig
    worst = max(abs(r["residual"]) for r in res.table())
    print(f"{label:>9}: {dt:6.2f} s, {res.nfev} evaluations (+ Jacobians), "
          f"{len(spec.free)} free, {len(targets)} targets, cost {res.cost:.3f}, "
          f"max |residual| {worst:.2f}")
    return dt, res


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--append", type=Path, default=None)
    args = ap.parse_args()
    t_fast, r_fast = run(evaluate_targets, "batched")
    t_naive, r_naive = run(naive_evaluate, "naive")
    same = np.allclose(r_fast.x_fit, r_naive.x_fit, atol=1e-4)
    print(f"ratio naive / batched = {t_naive / t_fast:.1f}; same fitted parameters: {same}")
    if args.append:
        text = (
            "\n## materials: bulk tight-binding fit (issue 11)\n\n"
            f"Machine: {platform.node()}, `nproc` = {os.cpu_count()}, Python "
            f"{platform.python_version()}, NumPy {np.__version__}; BLAS pinned to 1 thread with "
            "`threadpoolctl.threadpool_limits(1)`; `OMP_NUM_THREADS=1`; box shared with other "
            "developers' jobs.\n\n"
            "Case: public HgTe sp3d5+SOC set -> 0 K targets (`HgTe_0K.toml`, 8 k.p targets) + 12 "
            f"zone-boundary band energies = {len(r_fast.targets)} targets, {len(r_fast.free)} free"
            " parameters, guard scan included. Command: `OMP_NUM_THREADS=1 python "
            "benchmarks/bench_fit.py`.\n\n"
            "| evaluator | wall time (s) | evaluations | final cost |\n|---|---|---|---|\n"
            f"| qdgain batched `evaluate_targets` | {t_fast:.2f} | {r_fast.nfev} | "
            f"{r_fast.cost:.3f} |\n"
            f"| baseline: one public call per target | {t_naive:.2f} | {r_naive.nfev} | "
            f"{r_naive.cost:.3f} |\n\n"
            f"Ratio baseline / qdgain = {t_naive / t_fast:.1f}x; target <= 60 s: "
            f"{'met' if t_fast <= 60 else 'NOT met'}. Same fitted parameters: {same}.\n")
        with open(args.append, "a") as fh:
            fh.write(text)


if __name__ == "__main__":
    main()
